"""Lesson 1 · Find content: recover an image from its VGG19 features, starting from white noise.

Reference solutions, with the same names and signatures as lessons/lesson1_content.py, where each
exercise is explained. F, P: (C, h, w) float32 features of one layer (the paper's N_l x M_l matrices,
N_l = C filters, M_l = h*w positions). Images: (1, 3, H, W) float32 Caffe blobs (BGR, mean subtracted,
grey levels 0..255).
"""

from __future__ import annotations

import numpy as np

from brushstrokes.lesson_support import Reconstruction, progress, relu_name


def content_loss(F: np.ndarray, P: np.ndarray) -> float:
    """Exercise 1.1: L = 1/2 * sum((F - P)^2), summed in float64; a Python float."""
    return 0.5 * float(np.sum((F.astype(np.float64) - P) ** 2))


def content_grad(F: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Exercise 1.2: dL/dZ = (F - P) where F > 0, else 0 (relu's derivative, by hand); (C, h, w) float32."""
    return ((F - P) * (F > 0)).astype(np.float32)


def normalized_step(x: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """Exercise 1.3: x - lr * grad / mean(|grad|): pixels move by lr grey levels on average; (1, 3, H, W) float32."""
    return (x - lr * grad / max(float(np.mean(np.abs(grad))), 1e-12)).astype(np.float32)


def reconstruct(net, P: np.ndarray, x0: np.ndarray, layer: str = "conv4_2", iters: int = 200, lr: float = 2.0,
                tol: float = 1e-4, every: int = 20) -> Reconstruction:
    """Exercise 1.4: gradient descent on the image x (1, 3, H, W) until its `layer` features match P (C, h, w)."""
    x, losses, snapshots = x0.astype(np.float32).copy(), [], {}
    for i in progress(iters):
        net.blobs["data"].data[...] = x
        net.forward(end=relu_name(layer))  # past the in-place ReLU: blob `layer` holds max(0, conv)
        F = net.blobs[layer].data[0]
        losses.append(content_loss(F, P))
        net.blobs[layer].diff[0] = content_grad(F, P)
        net.backward(start=layer)  # starts at the convolution: relu's backward is skipped
        if i % every == 0:
            snapshots[i] = x.copy()
        if i > 0 and abs(losses[-2] - losses[-1]) < tol * losses[-2]:
            break
        x = normalized_step(x, net.blobs["data"].diff.copy(), lr)
    return Reconstruction(x, losses, snapshots)
