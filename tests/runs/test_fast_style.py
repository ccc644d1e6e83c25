"""The reference path's style loss (brushstrokes/runs/fast_style.py) against lesson 2's reference solution, on the real
VGG19: one float32 Gram matrix per layer gives the same loss and gradient as the float64 exercises."""

from __future__ import annotations

import numpy as np

from brushstrokes.base import paths
from brushstrokes.net import images
from brushstrokes.net.layers import STYLE_LAYERS, set_input_shape
from brushstrokes.net.vgg import features
from brushstrokes.runs import fast_style
from solutions import lesson1_content as l1
from solutions import lesson2_style as l2
from solutions import lesson3_paint as l3


def inputs(vgg, h: int = 64, w: int = 96):
    set_input_shape(vgg, h, w)
    P = features(vgg, images.preprocess(images.load_image(paths.CAT, size=(h, w))), ("conv4_2",))["conv4_2"]
    painting = images.preprocess(images.load_image(paths.SCREAM, size=(h, w)))
    A = {k: l2.gram(F) for k, F in features(vgg, painting, STYLE_LAYERS).items()}
    return P, A, images.white_noise((h, w), seed=3)


def test_style_loss_matches_lesson_2(vgg):
    _, A, x = inputs(vgg)
    F = features(vgg, x, STYLE_LAYERS)
    weights = {k: w for k, w in zip(STYLE_LAYERS, (0.1, 0.3, 0.2, 0.25, 0.15), strict=True)}
    loss, grads = l2.style_loss(F, A, weights)
    fast_loss, fast_grads = fast_style.style_loss(F, A, weights)
    assert abs(fast_loss - loss) <= 1e-7 * abs(loss)
    for layer in STYLE_LAYERS:
        g, f = grads[layer], fast_grads[layer]
        assert f.dtype == np.float32 and f.shape == g.shape
        assert np.abs(f - g).max() <= 1e-5 * np.abs(g).max(), layer
        assert np.all(f[F[layer] <= 0] == 0), f"{layer}: no gradient where the ReLU is off"


def test_total_loss_grad_matches_the_lessons(vgg):
    P, A, x = inputs(vgg)
    weights = dict.fromkeys(STYLE_LAYERS, 0.2)
    loss, grad = l3.total_loss_grad(vgg, x, P, A, 3e-3, 1e3, "conv4_2", weights)
    fast_loss, fast_grad = fast_style.total_loss_grad(vgg, x, P, A, 3e-3, 1e3, "conv4_2", weights, l1, l2)
    assert abs(fast_loss - loss) <= 1e-7 * abs(loss)
    assert fast_grad.shape == grad.shape and np.abs(fast_grad - grad).max() <= 1e-5 * np.abs(grad).max()
