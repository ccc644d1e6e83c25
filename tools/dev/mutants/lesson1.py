"""Lesson 1's classic mistakes, made from solutions/lesson1_content.py (the format: tools/dev/mutants/catalogue.py).

expect is the note the score table must show for the exercise: the checks name the mistake.
"""

from __future__ import annotations

from tools.dev.mutants.catalogue import Classic

LOSS = "0.5 * float(np.sum((F.astype(np.float64) - P) ** 2))"
GRAD = "((F - P) * (F > 0))"
STEP = "(x - lr * grad / max(float(np.mean(np.abs(grad))), 1e-12))"
STOP = "if i > 0 and abs(losses[-2] - losses[-1]) < tol * losses[-2]:"
SNAPSHOT = "        if i % every == 0:\n            snapshots[i] = x.copy()\n"
STEP_CALL = '        x = normalized_step(x, net.blobs["data"].diff.copy(), lr)\n'

CATALOGUE = (
    # 1.1 content_loss
    Classic("1.1", "missing the 1/2", ((LOSS, LOSS.removeprefix("0.5 * ")),), "missing the 1/2"),
    Classic("1.1", "half the norm", ((LOSS, "0.5 * float(np.linalg.norm(F - P))"),),
            "half the norm, not the squared error"),
    Classic("1.1", "the norm", ((LOSS, "float(np.linalg.norm(F - P))"),), "the norm, not the squared error"),
    Classic("1.1", "mean instead of sum", ((LOSS, LOSS.replace("np.sum", "np.mean")),), "mean instead of sum"),
    Classic("1.1", "mean, without the 1/2", ((LOSS, "float(np.mean((F.astype(np.float64) - P) ** 2))"),),
            "mean instead of sum, and missing the 1/2"),
    Classic("1.1", "square of the sum", ((LOSS, "0.5 * float(np.sum(F.astype(np.float64) - P) ** 2)"),),
            "square of the sum"),
    Classic("1.1", "differences not squared", ((LOSS, "0.5 * float(np.sum(F.astype(np.float64) - P))"),),
            "differences not squared"),
    Classic("1.1", "absolute differences", ((LOSS, "0.5 * float(np.sum(np.abs(F.astype(np.float64) - P)))"),),
            "absolute differences, not squared"),
    Classic("1.1", "square root inside the sum", ((LOSS, "0.5 * float(np.sum(np.sqrt(F.astype(np.float64) - P) "
                                                         "** 4))"),), "NaN"),
    Classic("1.1", "changes P in place", ((f"return {LOSS}", "P -= F\n    return 0.5 * float(np.sum(P.astype("
                                                               "np.float64) ** 2))"),),
            "changes its input in place"),
    Classic("1.1", "returns an array", ((LOSS, "0.5 * (F.astype(np.float64) - P) ** 2"),), "returns an array"),
    Classic("1.1", "no return", ((f"return {LOSS}", f"loss = {LOSS}"),), "wrong type"),
    # 1.2 content_grad
    Classic("1.2", "missing ReLU mask", ((GRAD, "(F - P)"),), "missing ReLU mask"),
    Classic("1.2", "wrong sign", ((GRAD, "((P - F) * (F > 0))"),), "wrong sign"),
    Classic("1.2", "wrong sign, no mask", ((GRAD, "(P - F)"),), "wrong sign and missing ReLU mask"),
    Classic("1.2", "a factor of 2", ((GRAD, "(2 * (F - P) * (F > 0))"),), "a factor of 2"),
    Classic("1.2", "a factor of 1/2", ((GRAD, "(0.5 * (F - P) * (F > 0))"),), "a factor of 1/2"),
    Classic("1.2", "inverted mask", ((GRAD, "((F - P) * (F <= 0))"),), "inverted mask"),
    Classic("1.2", "max(F - P, 0)", ((GRAD, "np.maximum(F - P, 0)"),), "max(F - P, 0) instead of the mask"),
    Classic("1.2", "mask on P", ((GRAD, "((F - P) * (P > 0))"),), "mask on P instead of F"),
    Classic("1.2", "float64 gradient", ((f"return {GRAD}.astype(np.float32)", f"return {GRAD}.astype(float)"),),
            "wrong dtype"),
    Classic("1.2", "flattened gradient", ((f"return {GRAD}.astype(np.float32)",
                                           f"return {GRAD}.astype(np.float32).ravel()"),), "wrong shape"),
    # 1.3 normalized_step
    Classic("1.3", "not normalised", ((STEP, "(x - lr * grad)"),), "step not normalised"),
    Classic("1.3", "wrong sign", ((STEP, STEP.replace("x - lr", "x + lr")),), "wrong sign"),
    Classic("1.3", "lr left out", ((STEP, STEP.replace("lr * ", "")),), "lr left out"),
    Classic("1.3", "no zero guard", (("max(float(np.mean(np.abs(grad))), 1e-12)", "float(np.mean(np.abs(grad)))"),),
            "division by zero"),
    Classic("1.3", "guard of 1.0", (("1e-12)", "1.0)"),), "a guard that is too large"),
    Classic("1.3", "clipped step", ((f"return {STEP}.astype(np.float32)",
                                     f"return np.clip({STEP}, -128.0, 128.0).astype(np.float32)"),),
            "the step is clipped"),
    Classic("1.3", "x returned unchanged", ((f"return {STEP}.astype(np.float32)", "return x.astype(np.float32)"),),
            "x returned unchanged"),
    Classic("1.3", "normalised by the max", (("np.mean(np.abs(grad))", "np.max(np.abs(grad))"),),
            "normalised by the largest entry"),
    Classic("1.3", "normalised by the norm", ((STEP, "(x - lr * grad / float(np.linalg.norm(grad)))"),),
            "normalised by the norm"),
    Classic("1.3", "normalised by the sum", ((STEP, "(x - lr * grad / float(np.sum(np.abs(grad))))"),),
            "normalised by the sum"),
    Classic("1.3", "mean(grad) without abs", ((STEP, "(x - lr * grad / float(np.mean(grad)))"),),
            "normalised by mean(grad) without abs"),
    # 1.4 reconstruct
    Classic("1.4", "no forward pass", (("        net.forward(end=relu_name(layer))", "        pass"),),
            "no forward pass"),
    Classic("1.4", "forward to the convolution", (("net.forward(end=relu_name(layer))", "net.forward(end=layer)"),),
            "forward stops before the ReLU"),
    Classic("1.4", "hard-coded relu4_2", (("net.forward(end=relu_name(layer))", 'net.forward(end="relu4_2")'),),
            "a fixed layer name"),
    Classic("1.4", "gradient not injected", (("        net.blobs[layer].diff[0] = content_grad(F, P)\n", ""),),
            "gradient not injected"),
    Classic("1.4", "no backward pass", (("        net.backward(start=layer)", "        pass"),), "no backward pass"),
    Classic("1.4", "backward without start", (("net.backward(start=layer)", "net.backward()"),),
            "backward from the wrong layer"),
    Classic("1.4", "steps with the image itself", (('net.blobs["data"].diff.copy()', 'net.blobs["data"].data.copy()'),),
            "wrong blob"),
    Classic("1.4", "no abs in the stop rule", ((STOP, STOP.replace("abs(losses[-2] - losses[-1])",
                                                                    "losses[-2] - losses[-1]")),),
            "no abs() in the stop test"),
    Classic("1.4", "<= in the stop rule", ((STOP, STOP.replace(" < tol", " <= tol")),),
            "<= instead of < in the stop test"),
    Classic("1.4", "stop rule from i > 1", ((STOP, STOP.replace("i > 0", "i > 1")),), "stop test starts at i > 1"),
    Classic("1.4", "tol times the new loss", ((STOP, STOP.replace("tol * losses[-2]", "tol * losses[-1]")),),
            "tol times the new loss"),
    Classic("1.4", "inverted stop rule", ((STOP, STOP.replace(" < tol", " >= tol")),), "inverted stop test"),
    Classic("1.4", "tol times the first loss", ((STOP, STOP.replace("tol * losses[-2]", "tol * losses[0]")),),
            "stops at the wrong iteration"),
    Classic("1.4", "no early stop", (("            break\n", "            pass\n"),), "no early stop"),
    Classic("1.4", "one iteration short", (("for i in progress(iters):", "for i in progress(iters - 1):"),),
            "wrong number of iterations"),
    Classic("1.4", "loss lagging one iteration",
            (("        net.forward(end=relu_name(layer))  # past the in-place ReLU: blob `layer` holds max(0, conv)\n"
              "        F = net.blobs[layer].data[0]\n        losses.append(content_loss(F, P))\n",
              "        F = net.blobs[layer].data[0]\n        losses.append(content_loss(F, P))\n"
              "        net.forward(end=relu_name(layer))\n"),),
            "loss lagging one iteration"),
    Classic("1.4", "snapshots share the net's memory", (("snapshots[i] = x.copy()",
                                                         'snapshots[i] = net.blobs["data"].data'),),
            ".snapshots[0] share memory with the net"),
    Classic("1.4", "snapshots of x stepped in place", (("snapshots[i] = x.copy()", "snapshots[i] = x"),
                                                       (STEP_CALL, STEP_CALL.replace("x = ", "x[...] = "))),
            "snapshots share memory"),
    Classic("1.4", "snapshot after the step", ((SNAPSHOT, ""), (STEP_CALL, STEP_CALL + SNAPSHOT)), None),
    Classic("1.4", "no step in the last iteration", ((STEP_CALL, "        if i < iters - 1:\n    " + STEP_CALL),),
            "x before the last step"),
    Classic("1.4", "returned x0", (("return Reconstruction(x, losses", "return Reconstruction(x0, losses"),),
            "returned x0"),
    Classic("1.4", "returns a tuple of two", (("return Reconstruction(x, losses, snapshots)", "return x, losses"),),
            "wrong return value"),
    Classic("1.4", "every ignored", (("i % every == 0", "i % 20 == 0"),), "wrong snapshot iterations"),
    Classic("1.4", "image never written", (('        net.blobs["data"].data[...] = x\n', ""),),
            "the image never changes"),
    Classic("1.4", "crash inside the loop", (("net.blobs[layer].diff[0] = content_grad", "net.blobs[layer].diff = "
                                                                                         "content_grad"),),
            "raised AttributeError at line ..."),
    Classic("1.4", "changes the weights", (("        net.backward(start=layer)",
                                           '        net.params["conv1_1"][0].data[...] *= 1.01\n'
                                           "        net.backward(start=layer)"),),
            "changes the net's weights"),
)

# graded by `make test` (tests/course/test_mutants.py): quick ones, one per kind of check
QUICK = ("1.1 missing the 1/2", "1.1 changes P in place", "1.2 inverted mask", "1.3 guard of 1.0",
         "1.3 normalised by the sum", "1.4 hard-coded relu4_2", "1.4 inverted stop rule")
