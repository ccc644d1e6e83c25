"""The reference path's style loss (`paint` and `style` with the solutions): each Gram matrix once per evaluation,
in float32.

Lesson 2's `style_layer_loss` and `style_layer_grad` each compute G = F F^T, in float64: clear, and what the checks
compare against. A run needs both from the same G, so this module computes G once per layer with a float32
matrix product (the features are float32 already), takes the difference G - A and the loss in float64, and the
gradient (G - A) F / (N^2 M^2), masked where F > 0, as a float32 product. Measured against lesson 2's functions: the
loss agrees to about 1e-8 and the gradient to a few 1e-6 (relative), far below what moves a picture.
F: (N, h, w) float32 features after the layer's ReLU; A: (N, N) float64 target; M = h * w.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import ModuleType

import numpy as np


def style_layer_loss_grad(F: np.ndarray, A: np.ndarray, weight: float) -> tuple[float, np.ndarray]:
    """(weight * E_l, weight * dE_l/dZ_l): a float and (N, h, w) float32, from one float32 Gram matrix."""
    N, M = F.shape[0], F.shape[1] * F.shape[2]
    flat = F.reshape(N, M)
    if flat.dtype != np.float32:
        flat = flat.astype(np.float32)
    D = (flat @ flat.T).astype(np.float64)
    D -= A
    loss = weight * float(np.vdot(D, D)) / (4.0 * N**2 * M**2)
    grad = (D * (weight / (N**2 * M**2))).astype(np.float32) @ flat  # D is symmetric: (F^T D)^T = D F
    grad *= flat > 0
    return loss, grad.reshape(F.shape)


def style_loss(features: dict[str, np.ndarray], targets: dict[str, np.ndarray],
               weights: dict[str, float]) -> tuple[float, dict[str, np.ndarray]]:
    """(sum_l w_l E_l, {layer: w_l dE_l/dZ_l}) like lesson 2's style_loss (exercise 2.4), one Gram per layer."""
    loss, grads = 0.0, {}
    for layer, w in weights.items():
        E, grads[layer] = style_layer_loss_grad(features[layer], targets[layer], w)
        loss += E
    return loss, grads


def guided_style_loss(features: dict[str, np.ndarray], masks: dict[str, list[np.ndarray]],
                      targets: dict[str, list[np.ndarray]],
                      weights: dict[str, float]) -> tuple[float, dict[str, np.ndarray]]:
    """Exercise 4.7's sum_l w_l sum_r E_l(F * T_r, A_r) and {layer: its gradient w.r.t. Z_l (N, h, w) float32}, one
    float32 Gram matrix per region as above. masks[layer][r]: (h, w) float32 in 0..1; targets[layer][r]: (N, N).

    The gradient of E_l(F * T) is lesson 2's gradient at F * T times T; where F * T > 0 is where F > 0 and T > 0,
    and T = 0 zeroes the rest, so style_layer_loss_grad's own mask is the right one.
    """
    loss, grads = 0.0, {}
    for layer, w in weights.items():
        F, grad = features[layer], np.zeros(features[layer].shape, np.float32)
        for T, A in zip(masks[layer], targets[layer], strict=True):
            E, g = style_layer_loss_grad(F * T, A, w)
            loss += E
            grad += g * T
        grads[layer] = grad
    return loss, grads


def total_loss_grad(net, x: np.ndarray, P: np.ndarray, A: dict[str, np.ndarray], alpha: float, beta: float,
                    content_layer: str, weights: dict[str, float] | None, lesson1, lesson2) -> tuple[float, np.ndarray]:
    """Exercise 3.1's alpha L_content + beta L_style and dL/dx (1, 3, H, W) float32, with the style part above.

    lesson1, lesson2: the modules whose content_loss, content_grad and backward_sweep it uses (the solutions').
    """
    weights = weights or dict.fromkeys(A, 1 / len(A))
    return total_with(net, x, P, tuple(A), lambda features: style_loss(features, A, weights), alpha, beta,
                      content_layer, lesson1, lesson2)


def total_with(net, x: np.ndarray, P: np.ndarray, layers: tuple[str, ...],
               style: Callable[[dict[str, np.ndarray]], tuple[float, dict[str, np.ndarray]]], alpha: float,
               beta: float, content_layer: str, lesson1, lesson2) -> tuple[float, np.ndarray]:
    """alpha L_content + beta L_style and dL/dx (1, 3, H, W) float32 for any style loss: style({layer: F}) gives
    (L_style, {layer: gradient w.r.t. Z_l}) for the style `layers` (this module's style_loss, or exercise 4.7's
    guided one). lesson1, lesson2: the modules of content_loss, content_grad and backward_sweep."""
    from brushstrokes.net.layers import relu_name

    net.blobs["data"].data[...] = x
    order = list(net.blobs)
    net.forward(end=relu_name(max([content_layer, *layers], key=order.index)))
    F = net.blobs[content_layer].data[0]
    loss, grads = style({layer: net.blobs[layer].data[0] for layer in layers})
    for g in grads.values():
        g *= np.float32(beta)
    grads[content_layer] = grads.get(content_layer, 0) + alpha * lesson1.content_grad(F, P)
    return alpha * lesson1.content_loss(F, P) + beta * loss, lesson2.backward_sweep(net, grads)


@contextlib.contextmanager
def in_place_of_style_loss(lesson2: ModuleType) -> Iterator[None]:
    """Lesson 2's module with its style_loss replaced by the one above while a loop of that module runs: the
    reference synthesize then takes the same steps with one float32 Gram per layer and evaluation."""
    original = lesson2.style_loss
    lesson2.style_loss = style_loss
    try:
        yield
    finally:
        lesson2.style_loss = original
