"""Lesson 3's classic mistakes, made from solutions/lesson3_paint.py (the format: tools/dev/mutants/catalogue.py).

expect is the note the score table must show for the exercise: the checks name the mistake.
"""

from __future__ import annotations

from tools.dev.mutants.catalogue import Classic

TOTAL = "loss = alpha * content_loss(F, P) + beta * style"
BETA_GRADS = "grads = {layer: beta * g for layer, g in grads.items()}"
CONTENT_GRAD = "grads[content_layer] = grads.get(content_layer, 0) + alpha * content_grad(F, P)"
FORWARD = "net.forward(end=relu_name(max([content_layer, *A], key=order.index)))"
FUN_RETURN = "return float(loss), grad.astype(np.float64).ravel()"
UNFLATTEN = "loss, grad = loss_grad(z.reshape(shape).astype(np.float32))"
BOUNDS = ("return fun, Bounds(np.broadcast_to(-mean, shape).ravel(), np.broadcast_to(255 - mean, shape).ravel())")
MINIMIZE = ('result = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=bounds, callback=step,\n'
            '                      options={"maxiter": iters})')
STOP = "        if callback is not None and callback(k, x, losses[-1]):\n            raise StopIteration\n"

CATALOGUE = (
    # 3.1 total_loss_grad
    Classic("3.1", "alpha and beta swapped", ((TOTAL, "loss = beta * content_loss(F, P) + alpha * style"),
                                              (BETA_GRADS, BETA_GRADS.replace("beta *", "alpha *")),
                                              (CONTENT_GRAD, CONTENT_GRAD.replace("alpha *", "beta *"))),
            "alpha and beta swapped"),
    Classic("3.1", "the write-up's half norm", ((TOTAL, "loss = alpha * 0.5 * float(np.linalg.norm(F - P)) "
                                                        "+ beta * style"),),
            "the write-up's 0.5 * norm(F - P) as the content loss"),
    Classic("3.1", "beta left out of the gradient", ((BETA_GRADS, "grads = dict(grads)"),), "alpha or beta left out"),
    Classic("3.1", "alpha left out", ((TOTAL, "loss = content_loss(F, P) + beta * style"),
                                      (CONTENT_GRAD, CONTENT_GRAD.replace("alpha * ", ""))), "alpha or beta left out"),
    Classic("3.1", "content gradient replaces the style one", ((CONTENT_GRAD, "grads[content_layer] = alpha * "
                                                                              "content_grad(F, P)"),),
            "the content gradient replaces the style one"),
    Classic("3.1", "no content gradient", ((CONTENT_GRAD, "pass"),), "only the style term"),
    Classic("3.1", "forward to conv4_2 only", ((FORWARD, "net.forward(end=relu_name(content_layer))"),),
            "forward to the content layer only"),
    Classic("3.1", "forward stops before the ReLU", ((FORWARD, "net.forward(end=max([content_layer, *A], "
                                                                "key=order.index))"),),
            "forward stops before the ReLU"),
    Classic("3.1", "fixed relu5_1", ((FORWARD, 'net.forward(end="relu5_1")'),),
            "forward past the deepest layer needed"),
    Classic("3.1", "the shallowest layer", ((FORWARD, FORWARD.replace("max(", "min(")),),
            "forward stops before the deepest layer needed"),
    Classic("3.1", "content layer left out", ((FORWARD, "net.forward(end=relu_name(max(A, key=order.index)))"),),
            "the content layer left out of the deepest"),
    Classic("3.1", "A's last key as the deepest", ((FORWARD, FORWARD.replace("*A]", "list(A)[-1]]")),),
            "A's last layer taken as the deepest"),
    Classic("3.1", "one forward per loss", ((FORWARD, "net.forward(end=relu_name(content_layer))\n"
                                                      "    net.forward(end=relu_name(max(A, key=order.index)))"),),
            "several forward passes"),
    Classic("3.1", "no forward pass", (("    " + FORWARD + "\n", ""),), "no forward pass"),
    Classic("3.1", "x never written", (('    net.blobs["data"].data[...] = x\n', ""),), "x never reaches the net"),
    Classic("3.1", "the loss alone", (("    return loss, backward_sweep(net, grads)", "    return loss"),),
            "wrong return value"),
    # 3.2 lbfgs_objective
    Classic("3.2", "float32 to L-BFGS", ((FUN_RETURN, "return np.float32(loss), grad.ravel()"),),
            "float32 handed to L-BFGS"),
    Classic("3.2", "the loss as a (1,) array", ((FUN_RETURN, "return np.atleast_1d(float(loss)), "
                                                               "grad.astype(np.float64).ravel()"),),
            "the loss returned as an array"),
    Classic("3.2", "no bounds returned", ((BOUNDS, "return fun"),), "wrong return value"),
    Classic("3.2", "loss without its gradient", ((FUN_RETURN, "return float(loss)"),), "loss without its gradient"),
    Classic("3.2", "flatten order differs", ((FUN_RETURN, 'return float(loss), grad.astype(np.float64).ravel('
                                                          'order="F")'),), "flatten order differs from unflatten"),
    Classic("3.2", "unflatten order differs", ((UNFLATTEN, 'loss, grad = loss_grad(z.reshape(shape, order="F")'
                                                           '.astype(np.float32))'),),
            "flatten order differs from unflatten"),
    Classic("3.2", "float64 to Caffe", ((UNFLATTEN, "loss, grad = loss_grad(z.reshape(shape))"),),
            "image not unflattened for Caffe"),
    Classic("3.2", "no bounds", ((BOUNDS, "return fun, None"),), "no bounds"),
    Classic("3.2", "bounds without the mean", ((BOUNDS, "return fun, Bounds(np.zeros(int(np.prod(shape))), "
                                                        "np.full(int(np.prod(shape)), 255.0))"),),
            "bounds 0..255 without the mean"),
    Classic("3.2", "means in RGB order", (('mean = MEAN_BGR.astype(np.float64)[None, :, None, None]',
                                          'mean = MEAN_BGR[::-1].astype(np.float64)[None, :, None, None]'),),
            "means in RGB order"),
    # 3.3 paint
    Classic("3.3", "no bounds", ((MINIMIZE, MINIMIZE.replace("bounds=bounds, ", "")),), "no bounds"),
    Classic("3.3", "ignores the callback's stop", ((STOP, "        if callback is not None:\n"
                                                          "            callback(k, x, losses[-1])\n"),),
            "does not stop when the callback says so"),
    Classic("3.3", "callback given the flat image", ((STOP, STOP.replace("callback(k, x,",
                                                                          "callback(k, intermediate_result.x,")),),
            "callback not called as documented"),
    Classic("3.3", "step's parameter named result",
            (("    def step(intermediate_result) -> None:", "    def step(result) -> None:"),
             ("intermediate_result.x.reshape", "result.x.reshape"),
             ("float(intermediate_result.fun)", "float(result.fun)")),
            "step's parameter not named intermediate_result"),
    Classic("3.3", "no first loss", (("losses, snapshots = [fun(z0)[0]], {0: x0.astype(np.float32).copy()}",
                                      "losses, snapshots = [], {0: x0.astype(np.float32).copy()}"),),
            "the loss of x0 missing"),
    Classic("3.3", "maxiter off by one", (('options={"maxiter": iters}', 'options={"maxiter": iters + 1}'),),
            "more iterations than iters"),
    Classic("3.3", "returns x0", (("return Reconstruction(result.x.reshape(x0.shape).astype(np.float32), losses, "
                                   "snapshots)", "return Reconstruction(x0, losses, snapshots)"),), "returned x0"),
    # 3.4 tv_loss_grad
    Classic("3.4", "one direction only", (("return float(np.sum(dy**2) + np.sum(dx**2))",
                                           "return float(np.sum(dy**2))"),), "only one direction"),
    Classic("3.4", "half the gradient", (("grad.astype(np.float32)", "(grad / 2).astype(np.float32)"),),
            "a factor of 2 in the gradient"),
    Classic("3.4", "wrong sign", (("grad.astype(np.float32)", "(-grad).astype(np.float32)"),), "wrong sign"),
    Classic("3.4", "the loss alone", (("return float(np.sum(dy**2) + np.sum(dx**2)), grad.astype(np.float32)",
                                       "return float(np.sum(dy**2) + np.sum(dx**2))"),), "wrong return value"),
    # 3.5 keep_colours
    Classic("3.5", "pictures swapped", (("y = painted.astype(np.float64) @ RGB_TO_YIQ[0]",
                                         "y = photo.astype(np.float64) @ RGB_TO_YIQ[0]"),
                                        ("iq = photo.astype(np.float64) @ RGB_TO_YIQ[1:].T",
                                         "iq = painted.astype(np.float64) @ RGB_TO_YIQ[1:].T")), "pictures swapped"),
    Classic("3.5", "not clipped", (("np.clip(yiq @ np.linalg.inv(RGB_TO_YIQ).T, 0, 255)",
                                    "(yiq @ np.linalg.inv(RGB_TO_YIQ).T)"),), "not clipped to 0..255"),
    # 3.6 blend_grams
    Classic("3.6", "weights not normalised", (("w = np.asarray(weights, dtype=np.float64) / np.sum(weights)",
                                               "w = np.asarray(weights, dtype=np.float64)"),),
            "weights not divided by their sum"),
    Classic("3.6", "a list, not a dict", (("return {layer: sum(wk * A[layer] for wk, A in zip(w, grams, strict=True)) "
                                           "for layer in grams[0]}",
                                           "return [sum(wk * A[layer] for wk, A in zip(w, grams, strict=True)) "
                                           "for layer in grams[0]]"),), "wrong return value"),
)

QUICK = ("3.1 alpha and beta swapped", "3.1 content layer left out", "3.2 flatten order differs",
         "3.2 the loss as a (1,) array", "3.3 no bounds", "3.3 step's parameter named result")
