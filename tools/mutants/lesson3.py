"""Lesson 3's classic mistakes, made from solutions/lesson3_paint.py (the format: tools/mutants/catalogue.py).

expect is the note the score table must show for the exercise: the checks name the mistake.
"""

from __future__ import annotations

from tools.mutants.catalogue import Classic

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
                                                                              "content_grad(F, P)"),), None),
    Classic("3.1", "no content gradient", ((CONTENT_GRAD, "pass"),), "only the style term"),
    Classic("3.1", "forward to conv4_2 only", ((FORWARD, "net.forward(end=relu_name(content_layer))"),),
                "wrong forward pass"),
    Classic("3.1", "forward stops before the ReLU", ((FORWARD, "net.forward(end=max([content_layer, *A], "
                                                                "key=order.index))"),), "wrong forward pass"),
    Classic("3.1", "fixed relu5_1", ((FORWARD, 'net.forward(end="relu5_1")'),), "wrong forward pass"),
    # 3.2 lbfgs_objective
    Classic("3.2", "float32 to L-BFGS", ((FUN_RETURN, "return np.float32(loss), grad.ravel()"),),
            "float32 handed to L-BFGS"),
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
    Classic("3.3", "no first loss", (("losses, snapshots = [fun(z0)[0]], {0: x0.astype(np.float32).copy()}",
                                      "losses, snapshots = [], {0: x0.astype(np.float32).copy()}"),), None),
    Classic("3.3", "maxiter off by one", (('options={"maxiter": iters}', 'options={"maxiter": iters + 1}'),), None),
    Classic("3.3", "returns x0", (("return Reconstruction(result.x.reshape(x0.shape).astype(np.float32), losses, "
                                   "snapshots)", "return Reconstruction(x0, losses, snapshots)"),), None),
    # 3.4 tv_loss_grad
    Classic("3.4", "one direction only", (("return float(np.sum(dy**2) + np.sum(dx**2))",
                                           "return float(np.sum(dy**2))"),), "only one direction"),
    Classic("3.4", "half the gradient", (("grad.astype(np.float32)", "(grad / 2).astype(np.float32)"),),
            "a factor of 2 in the gradient"),
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
)

QUICK = ("3.1 alpha and beta swapped", "3.2 flatten order differs", "3.3 no bounds")
