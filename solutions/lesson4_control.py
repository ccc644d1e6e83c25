"""Lesson 4 · Control: colour, scale and space (Gatys, Ecker, Bethge, Hertzmann & Shechtman, CVPR 2017).

Reference solutions, with the same names and signatures as lessons/lesson4_control.py, where each exercise
is explained. Pictures: (H, W, 3) RGB float in 0..255; luminance: (H, W) float in 0..255; images:
(1, 3, H, W) float32 Caffe blobs; features F: (N, h, w); masks T: (h, w) floats in 0..1.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image
from scipy.ndimage import zoom

from brushstrokes.lesson_support import Reconstruction
from solutions.lesson2_style import style_layer_grad, style_layer_loss


def match_luminance(style_y: np.ndarray, content_y: np.ndarray) -> np.ndarray:
    """Exercise 4.1: the painting's luminance with the photo's mean and spread; (H', W') float64."""
    s = style_y.astype(np.float64)
    return (s - s.mean()) * (content_y.std() / s.std()) + content_y.mean()


def match_colours(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """Exercise 4.2: the painting's colours moved to the photo's mean and covariance; (H', W', 3) float32 0..255.

    x' = A (x - mu_s) + mu_c with A = Sigma_c^(1/2) Sigma_s^(-1/2) (symmetric square roots), so A Sigma_s A^T = Sigma_c.
    """
    def sqrt_and_inverse(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        values, vectors = np.linalg.eigh(cov)
        values = np.maximum(values, 1e-8)
        return (vectors * np.sqrt(values)) @ vectors.T, (vectors / np.sqrt(values)) @ vectors.T

    s = style.reshape(-1, 3).astype(np.float64)
    c = content.reshape(-1, 3).astype(np.float64)
    root_c, _ = sqrt_and_inverse(np.cov(c, rowvar=False))
    _, inverse_root_s = sqrt_and_inverse(np.cov(s, rowvar=False))
    matched = (s - s.mean(axis=0)) @ (root_c @ inverse_root_s).T + c.mean(axis=0)
    return np.clip(matched, 0, 255).reshape(style.shape).astype(np.float32)


def upsample(x: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Exercise 4.3: image x (1, 3, h, w) resized to (1, 3, H, W) = shape (H, W), bilinear; float32."""
    factors = (1, 1, shape[0] / x.shape[2], shape[1] / x.shape[3])
    return zoom(x.astype(np.float32), factors, order=1, grid_mode=True, mode="nearest")


def coarse_to_fine(paint_at: Callable[[tuple[int, int], np.ndarray], Reconstruction], shapes: list[tuple[int, int]],
                   x0: np.ndarray) -> list[Reconstruction]:
    """Exercise 4.4: paint at each (H, W) of shapes in turn, from x0 at shapes[0], then from the previous result
    upsampled; every scale's Reconstruction, in order."""
    results, x = [], x0
    for shape in shapes:
        if x.shape[2:] != tuple(shape):
            x = upsample(x, shape)
        results.append(paint_at(shape, x))
        x = results[-1].x
    return results


def mask_at(T: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Exercise 4.5: a region mask (H, W) in 0..1 brought down to a layer's (h, w) by averaging; float64."""
    small = Image.fromarray(T.astype(np.float32), mode="F").resize((shape[1], shape[0]), Image.Resampling.BOX)
    return np.clip(np.asarray(small, dtype=np.float64), 0, 1)


def guided_gram(F: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Exercise 4.6: G_r = (F * T)_flat (F * T)_flat^T for features F (N, h, w) and a mask T (h, w); (N, N) float64."""
    flat = (F.astype(np.float64) * T).reshape(F.shape[0], -1)
    return flat @ flat.T


def guided_style_loss(features: dict[str, np.ndarray], masks: dict[str, list[np.ndarray]],
                      targets: dict[str, list[np.ndarray]],
                      weights: dict[str, float]) -> tuple[float, dict[str, np.ndarray]]:
    """Exercise 4.7: sum_l w_l sum_r E_l(F * T_r, A_r) and {layer: gradient w.r.t. Z_l (N, h, w) float32}.

    masks[layer][r]: (h, w) mask of region r at that layer; targets[layer][r]: its (N, N) target Gram.
    """
    loss, grads = 0.0, {}
    for layer, w in weights.items():
        F, grad = features[layer], np.zeros(features[layer].shape, np.float64)
        for T, A in zip(masks[layer], targets[layer], strict=True):
            loss += w * style_layer_loss(F * T, A)
            grad += w * style_layer_grad(F * T, A) * T
        grads[layer] = grad.astype(np.float32)
    return loss, grads


def mix_scales(fine: dict[str, np.ndarray], coarse: dict[str, np.ndarray],
               fine_layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Exercise 4.8: targets with the fine layers' Grams from `fine` and every other layer's from `coarse`."""
    return {layer: (fine if layer in fine_layers else coarse)[layer] for layer in coarse}
