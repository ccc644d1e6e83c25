"""Lesson 3 · Combine: the cat painted in the style of the painting.

Reference solutions, with the same names and signatures as lessons/lesson3_paint.py, where each exercise
is explained. Images: (1, 3, H, W) float32 Caffe blobs (BGR, mean subtracted, grey levels 0..255);
pictures: (H, W, 3) RGB in 0..255. P: (C, h, w) content features; A: {layer: (N, N) Gram matrix}.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import Bounds, minimize

from brushstrokes.lesson_support import MEAN_BGR, RGB_TO_YIQ, Reconstruction, relu_name
from solutions.lesson1_content import content_grad, content_loss
from solutions.lesson2_style import backward_sweep, style_loss

LossGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


def total_loss_grad(net, x: np.ndarray, P: np.ndarray, A: dict[str, np.ndarray], alpha: float, beta: float,
                    content_layer: str = "conv4_2",
                    weights: dict[str, float] | None = None) -> tuple[float, np.ndarray]:
    """Exercise 3.1: alpha * L_content + beta * L_style and its gradient w.r.t. x, (1, 3, H, W) float32."""
    net.blobs["data"].data[...] = x
    order = list(net.blobs)
    net.forward(end=relu_name(max([content_layer, *A], key=order.index)))
    F = net.blobs[content_layer].data[0]
    style, grads = style_loss({layer: net.blobs[layer].data[0] for layer in A}, A, weights)
    grads = {layer: beta * g for layer, g in grads.items()}
    grads[content_layer] = grads.get(content_layer, 0) + alpha * content_grad(F, P)
    loss = alpha * content_loss(F, P) + beta * style
    return loss, backward_sweep(net, grads)


def lbfgs_objective(loss_grad: LossGrad, shape: tuple[int, ...]) -> tuple[Callable, Bounds]:
    """Exercise 3.2: SciPy's view of loss_grad (flat float64 in and out) and bounds that keep pixels in 0..255."""

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = loss_grad(z.reshape(shape).astype(np.float32))
        return float(loss), grad.astype(np.float64).ravel()

    mean = MEAN_BGR.astype(np.float64)[None, :, None, None]
    return fun, Bounds(np.broadcast_to(-mean, shape).ravel(), np.broadcast_to(255 - mean, shape).ravel())


def paint(loss_grad: LossGrad, x0: np.ndarray, iters: int = 300, every: int = 50,
          callback: Callable[[int, np.ndarray, float], bool] | None = None) -> Reconstruction:
    """Exercise 3.3: L-BFGS from x0 (1, 3, H, W) for up to `iters` iterations; losses[k], snapshots[k] after k.

    SciPy passes its result object to the callback only when the callback's parameter is named
    intermediate_result (any other name gets the bare flat array: 'numpy.ndarray' object has no attribute 'x').
    """
    fun, bounds = lbfgs_objective(loss_grad, x0.shape)
    z0 = x0.astype(np.float64).ravel()
    losses, snapshots = [fun(z0)[0]], {0: x0.astype(np.float32).copy()}

    def step(intermediate_result) -> None:
        k, x = len(losses), intermediate_result.x.reshape(x0.shape).astype(np.float32)
        losses.append(float(intermediate_result.fun))
        if k % every == 0:
            snapshots[k] = x
        if callback is not None and callback(k, x, losses[-1]):
            raise StopIteration

    result = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=bounds, callback=step,
                      options={"maxiter": iters})
    return Reconstruction(result.x.reshape(x0.shape).astype(np.float32), losses, snapshots)


def tv_loss_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
    """Exercise 3.4: sum of squared differences of neighbouring pixels, and its gradient (1, 3, H, W) float32."""
    x = x.astype(np.float64)
    dy, dx = np.diff(x, axis=2), np.diff(x, axis=3)
    grad = np.zeros_like(x)
    grad[:, :, :-1, :] -= 2 * dy
    grad[:, :, 1:, :] += 2 * dy
    grad[:, :, :, :-1] -= 2 * dx
    grad[:, :, :, 1:] += 2 * dx
    return float(np.sum(dy**2) + np.sum(dx**2)), grad.astype(np.float32)


def keep_colours(painted: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """Exercise 3.5: the painting's luminance Y with the photo's colour I, Q; (H, W, 3) float32 RGB in 0..255."""
    y = painted.astype(np.float64) @ RGB_TO_YIQ[0]
    iq = photo.astype(np.float64) @ RGB_TO_YIQ[1:].T
    yiq = np.concatenate([y[..., None], iq], axis=-1)
    return np.clip(yiq @ np.linalg.inv(RGB_TO_YIQ).T, 0, 255).astype(np.float32)


def blend_grams(grams: list[dict[str, np.ndarray]], weights: list[float]) -> dict[str, np.ndarray]:
    """Exercise 3.6: sum_k w_k A_k / sum_k w_k for each layer: one target for several paintings."""
    w = np.asarray(weights, dtype=np.float64) / np.sum(weights)
    return {layer: sum(wk * A[layer] for wk, A in zip(w, grams, strict=True)) for layer in grams[0]}
