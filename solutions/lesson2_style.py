"""Lesson 2 · Find style: Gram matrices of VGG19 features, and a painting's texture out of white noise.

Reference solutions, with the same names and signatures as lessons/lesson2_style.py, where each exercise
is explained. F: (N, h, w) float32 features of one layer after its ReLU (the paper's N_l x M_l matrix,
N = filters, M = h*w positions); A, G: (N, N) float64 Gram matrices. Images: (1, 3, H, W) float32 Caffe
blobs (BGR, mean subtracted, grey levels 0..255).
"""

from __future__ import annotations

import numpy as np

from brushstrokes.lesson_support import STYLE_LAYERS, Adam, Reconstruction, progress, relu_name


def gram(F: np.ndarray) -> np.ndarray:
    """Exercise 2.1: G = F_flat F_flat^T with F_flat = F.reshape(N, h*w); (N, N) float64."""
    flat = F.reshape(F.shape[0], -1).astype(np.float64)
    return flat @ flat.T


def style_layer_loss(F: np.ndarray, A: np.ndarray) -> float:
    """Exercise 2.2: E = 1/(4 N^2 M^2) * sum((G - A)^2), G = gram(F), M = h*w; a Python float."""
    N, M = F.shape[0], F[0].size
    return float(np.sum((gram(F) - A) ** 2)) / (4.0 * N**2 * M**2)


def style_layer_grad(F: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Exercise 2.3: dE/dZ = 1/(N^2 M^2) (F_flat^T (G - A))^T where F > 0, else 0; (N, h, w) float32."""
    N, M = F.shape[0], F[0].size
    flat = F.reshape(N, M).astype(np.float64)
    grad = (flat.T @ (gram(F) - A)).T / (N**2 * M**2)
    return (grad.reshape(F.shape) * (F > 0)).astype(np.float32)


def style_loss(features: dict[str, np.ndarray], targets: dict[str, np.ndarray],
               weights: dict[str, float] | None = None) -> tuple[float, dict[str, np.ndarray]]:
    """Exercise 2.4: (sum_l w_l E_l, {layer: w_l dE_l/dZ_l (N, h, w) float32}); default w_l = 1/5 on conv1_1..5_1."""
    if weights is None:
        weights = {layer: 1 / len(STYLE_LAYERS) for layer in STYLE_LAYERS}
    loss, grads = 0.0, {}
    for layer, w in weights.items():
        loss += w * style_layer_loss(features[layer], targets[layer])
        grads[layer] = (w * style_layer_grad(features[layer], targets[layer])).astype(np.float32)
    return loss, grads


def backward_sweep(net, grads: dict[str, np.ndarray]) -> np.ndarray:
    """Exercise 2.5: one backward pass with dL/dZ injected at every layer of `grads`; dL/dx (1, 3, H, W) float32.

    Deepest layer first: inject, run back to the next layer's ReLU (its diff now holds what came from deeper),
    add that layer's own gradient, go on; the shallowest segment runs to the input.
    """
    order = sorted(grads, key=list(net.blobs).index, reverse=True)  # deepest first
    net.blobs[order[0]].diff[0] = grads[order[0]]
    for deeper, layer in zip(order, order[1:], strict=False):
        net.backward(start=deeper, end=relu_name(layer))  # stops after relu's backward: diff is dL/dZ from deeper
        net.blobs[layer].diff[0] += grads[layer]
    net.backward(start=order[-1])
    return net.blobs["data"].diff.copy()


def synthesize(net, targets: dict[str, np.ndarray], x0: np.ndarray, weights: dict[str, float] | None = None,
               iters: int = 200, lr: float = 5.0, tol: float = 1e-4, every: int = 25) -> Reconstruction:
    """Exercise 2.6: texture from white noise x0 (1, 3, H, W): Adam steps (lr in grey levels) on the style loss."""
    layers = tuple(weights) if weights is not None else STYLE_LAYERS
    deepest = max(layers, key=list(net.blobs).index)
    x, losses, snapshots, adam = x0.astype(np.float32).copy(), [], {}, Adam(lr)
    for i in progress(iters):
        net.blobs["data"].data[...] = x
        net.forward(end=relu_name(deepest))
        loss, grads = style_loss({layer: net.blobs[layer].data[0] for layer in layers}, targets, weights)
        losses.append(loss)
        grad = backward_sweep(net, grads)
        if i % every == 0:
            snapshots[i] = x.copy()
        if i > 0 and abs(losses[-2] - losses[-1]) < tol * losses[-2]:
            break
        x = adam.step(x, grad)
    return Reconstruction(x, losses, snapshots)
