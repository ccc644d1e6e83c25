"""Lesson 2's classic mistakes, made from solutions/lesson2_style.py (the format: tools/dev/mutants/catalogue.py).

expect is the note the score table must show for the exercise: the checks name the mistake.
"""

from __future__ import annotations

from tools.dev.mutants.catalogue import Classic

FLAT = "    flat = F.reshape(F.shape[0], -1).astype(np.float64)\n"
GRAM = "return flat @ flat.T"
SCALE = "/ (4.0 * N**2 * M**2)"
SQUARED = "float(np.sum((gram(F) - A) ** 2))"
GRAD = "grad = (flat.T @ (gram(F) - A)).T / (N**2 * M**2)"
MASKED = "(grad.reshape(F.shape) * (F > 0))"
DEFAULT = "    if weights is None:\n        weights = "
LAYER_GRAD = "grads[layer] = (w * style_layer_grad(features[layer], targets[layer])).astype(np.float32)"
SWEEP = ("    net.blobs[order[0]].diff[0] = grads[order[0]]\n"
         "    for deeper, layer in zip(order, order[1:], strict=False):\n"
         "        net.backward(start=deeper, end=relu_name(layer))  # stops after relu's backward: diff is dL/dZ from "
         "deeper\n"
         "        net.blobs[layer].diff[0] += grads[layer]\n"
         "    net.backward(start=order[-1])\n")
FORWARD = "net.forward(end=relu_name(deepest))"

CATALOGUE = (
    # 2.1 gram
    Classic("2.1", "transposed reshape", ((GRAM, "return flat.T @ flat"),), "Gram of the transposed reshape"),
    Classic("2.1", "reshape(h*w, N)", ((FLAT, "    flat = F.reshape(-1, F.shape[0]).T.astype(np.float64)\n"),),
            "reshape(h*w, N) mixes filters and positions"),
    Classic("2.1", "divided by M", ((GRAM, "return flat @ flat.T / flat.shape[1]"),), "Gram divided by M"),
    Classic("2.1", "divided by N*M", ((GRAM, "return flat @ flat.T / flat.size"),), "Gram divided by N*M"),
    Classic("2.1", "float32 Gram", ((FLAT, "    flat = F.reshape(F.shape[0], -1)\n"),), "wrong dtype"),
    Classic("2.1", "changes F in place", ((FLAT, "    F *= 2.0\n" + FLAT),), "changes its input in place"),
    # 2.2 style_layer_loss
    Classic("2.2", "N*M instead of 4 N^2 M^2", ((SCALE, "/ (N * M)"),), "normalised by N*M instead of 4 N^2 M^2"),
    Classic("2.2", "missing the 4", ((SCALE, "/ (N**2 * M**2)"),), "missing the 4"),
    Classic("2.2", "mean instead of sum", ((SQUARED, SQUARED.replace("np.sum", "np.mean")),),
            "mean instead of sum, or M counted as N*h*w"),
    Classic("2.2", "the norm", ((SQUARED, "float(np.linalg.norm(gram(F) - A))"),), "the norm, not the squared error"),
    Classic("2.2", "M counted as N*h*w", (("    N, M = F.shape[0], F[0].size\n    return float(",
                                           "    N, M = F.shape[0], F.size\n    return float("),),
            "mean instead of sum, or M counted as N*h*w"),
    Classic("2.2", "4 N M instead of 4 N^2 M^2", ((SCALE, "/ (4.0 * N * M)"),),
            "normalised by 4 N M instead of 4 N^2 M^2"),
    Classic("2.2", "1/2 instead of 1/4", ((SCALE, "/ (2.0 * N**2 * M**2)"),), "1/2 instead of 1/4"),
    Classic("2.2", "no normalisation", ((" " + SCALE, ""),), "no normalisation"),
    # 2.3 style_layer_grad
    Classic("2.3", "forgetting the mask", ((MASKED, "grad.reshape(F.shape)"),), "forgetting the ReLU mask"),
    Classic("2.3", "wrong sign", ((GRAD, GRAD.replace("(gram(F) - A)", "(A - gram(F))")),), "wrong sign"),
    Classic("2.3", "kept the 1/4", ((GRAD, GRAD.replace("/ (N**2", "/ (4 * N**2")),), "kept the 1/4 of the loss"),
    Classic("2.3", "a factor of 2", ((GRAD, GRAD.replace("/ (N**2", "* 2 / (N**2")),), "a factor of 2"),
    Classic("2.3", "missing the final transpose", ((GRAD, GRAD.replace("(gram(F) - A)).T", "(gram(F) - A))")),),
            "missing the final transpose"),
    Classic("2.3", "float64 gradient", ((f"return {MASKED}.astype(np.float32)", f"return {MASKED}"),), "wrong dtype"),
    Classic("2.3", "a factor of 1/2", ((GRAD, GRAD.replace("/ (N**2", "/ (2 * N**2")),), "a factor of 1/2"),
    Classic("2.3", "a factor of 4", ((GRAD, GRAD.replace("/ (N**2", "* 4 / (N**2")),), "a factor of 4"),
    Classic("2.3", "N*M instead of N^2 M^2", ((GRAD, GRAD.replace("/ (N**2 * M**2)", "/ (N * M)")),),
            "normalised by N*M instead of N^2 M^2"),
    Classic("2.3", "M counted as N*h*w", ((GRAD, GRAD.replace("M**2)", "F.size**2)")),), "M counted as N*h*w"),
    Classic("2.3", "(M, N) returned", ((GRAD, GRAD.replace("(gram(F) - A)).T", "(gram(F) - A))")),
                                       (f"return {MASKED}.astype(np.float32)", "return grad.astype(np.float32)")),
            "missing the final transpose"),
    # 2.4 style_loss
    Classic("2.4", "weights ignored", ((DEFAULT, "    if True:\n        weights = "),), "weights ignored"),
    Classic("2.4", "gradients not weighted",
            ((LAYER_GRAD, LAYER_GRAD.replace("(w * style_layer_grad", "(style_layer_grad")),),
            "gradients not weighted"),
    Classic("2.4", "conv4_1 and conv5_1 mixed up",
            (("        loss += w * style_layer_loss(features[layer], targets[layer])\n",
              "        A = targets[{'conv4_1': 'conv5_1', 'conv5_1': 'conv4_1'}.get(layer, layer)]\n"
              "        loss += w * style_layer_loss(features[layer], A)\n"),),
            "the painting's Gram matrix from the wrong layer"),
    Classic("2.4", "only the last layer's gradient", ((LAYER_GRAD, "grads = {layer: (w * style_layer_grad("
                                                                   "features[layer], targets[layer])).astype("
                                                                   "np.float32)}"),), "missing layers"),
    Classic("2.4", "the loss alone", (("    return loss, grads\n", "    return loss\n"),), "wrong return value"),
    # 2.5 backward_sweep
    Classic("2.5", "shallow-first order", (("reverse=True", "reverse=False"),), "shallow-first order"),
    Classic("2.5", "not adding to the diff", (("diff[0] += grads[layer]", "diff[0] = grads[layer]"),),
            "not adding to the existing diff"),
    Classic("2.5", "all injected before one backward",
            ((SWEEP, "    for layer in order:\n        net.blobs[layer].diff[0] = grads[layer]\n"
                     "    net.backward(start=order[0])\n"),),
            "a diff the next segment overwrites"),
    Classic("2.5", "one full pass per layer",
            ((SWEEP + '    return net.blobs["data"].diff.copy()\n',
              "    total = 0\n    for layer in order:\n        net.blobs[layer].diff[0] = grads[layer]\n"
              "        net.backward(start=layer)\n        total = total + net.blobs['data'].diff\n"
              "    return total\n"),),
            "several backward passes instead of one sweep"),
    Classic("2.5", "returns the blob", (('return net.blobs["data"].diff.copy()', 'return net.blobs["data"].diff'),),
            "returns the blob itself"),
    Classic("2.5", "last segment missing", (("    net.backward(start=order[-1])\n", ""),), None),
    Classic("2.5", "the dict's order", (("order = sorted(grads, key=list(net.blobs).index, reverse=True)",
                                         "order = list(grads)[::-1]"),), "layers taken in the dict's order"),
    Classic("2.5", "no backward at all", ((SWEEP, "    for layer in grads:\n"
                                                  "        net.blobs[layer].diff[0] = grads[layer]\n"),),
            "no backward pass"),
    # 2.6 synthesize
    Classic("2.6", "forward to the convolution", ((FORWARD, "net.forward(end=deepest)"),),
            "forward stops before the deepest layer's ReLU"),
    Classic("2.6", "forward to the shallowest layer", (("deepest = max(layers", "deepest = min(layers"),),
            "forward stops before the deepest layer's ReLU"),
    Classic("2.6", "Adam made in every iteration",
            (("snapshots, adam = x0.astype(np.float32).copy(), [], {}, Adam(lr)",
              "snapshots = x0.astype(np.float32).copy(), [], {}"),
             ("        x = adam.step(x, grad)", "        x = Adam(lr).step(x, grad)")), None),
    Classic("2.6", "returned x0", (("return Reconstruction(x, losses", "return Reconstruction(x0, losses"),),
            "returned x0"),
    Classic("2.6", "tol times the first loss", (("tol * losses[-2]:", "tol * losses[0]:"),),
            "stops at the wrong iteration"),
    Classic("2.6", "no early stop", (("            break\n", "            pass\n"),), "no early stop"),
    Classic("2.6", "no forward pass", (("        " + FORWARD + "\n", ""),), "no forward pass"),
    Classic("2.6", "the dict's last layer as the deepest", (("deepest = max(layers, key=list(net.blobs).index)",
                                                            "deepest = layers[-1]"),),
            "the dict's last layer taken as the deepest"),
    Classic("2.6", "no sweep", (("grad = backward_sweep(net, grads)", 'grad = net.blobs["data"].diff.copy()'),),
            "backward_sweep not used"),
    Classic("2.6", "every ignored", (("i % every == 0", "i % 25 == 0"),), "wrong snapshot iterations"),
)

# graded by `make test` (tests/course/test_mutants.py): quick ones, one per kind of check
QUICK = ("2.1 transposed reshape", "2.3 forgetting the mask", "2.5 not adding to the diff", "2.5 the dict's order")
