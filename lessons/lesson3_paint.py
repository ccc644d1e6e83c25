"""Lesson 3 · Combine: the cat painted in the style of the painting.

Lesson 1 found the cat in its conv4_2 features P; lesson 2 found the painting's texture in its Gram
matrices A. Now ask for both at once: an image x whose conv4_2 features match P and whose Gram matrices
match A, found by the paper's optimiser, L-BFGS (SciPy's `scipy.optimize.minimize(method="L-BFGS-B")`).

Notation. Images are Caffe blobs: (1, 3, H, W) float32, BGR, ImageNet mean subtracted, grey levels
(0..255 units). Pictures are (H, W, 3) RGB in 0..255. P: (C, h, w) float32 content features;
A: {layer: (N, N) Gram matrix} of the painting; weights: {layer: w_l}.

This file uses your own functions from lessons 1 and 2 (imported below). The checks swap in the
reference ones, so a mistake there does not fail an exercise here.

The exercises, in order (each one is checked on its own):
    3.1  total_loss_grad   alpha * L_content + beta * L_style and its gradient: one forward, one sweep back
    3.2  lbfgs_objective   what SciPy's L-BFGS needs: a flat float64 function, and bounds on the pixels
    3.3  paint             the run: L-BFGS from noise, a callback for progress, snapshots and Ctrl-C
  Stretch (graded, listed apart):
    3.4  tv_loss_grad      total variation: a smoothness loss and its gradient
    3.5  keep_colours      keep the photo's colours: the painting's luminance, the photo's colour
    3.6  blend_grams       one target for several paintings
Check one with `brushstrokes check 3.1`, all of lesson 3 with `brushstrokes check 3`. When 3.1-3.3 pass,
paint the cat with your own code: `brushstrokes paint data/chelsea.png data/scream.jpg --use lessons`
(pictures in output/).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.optimize import Bounds, minimize  # noqa: F401  (you will use them in 3.2 and 3.3)

from brushstrokes.lesson_support import MEAN_BGR, RGB_TO_YIQ, Reconstruction, relu_name  # noqa: F401
from lessons.lesson1_content import content_grad, content_loss  # noqa: F401  (your lesson 1)
from lessons.lesson2_style import backward_sweep, style_loss  # noqa: F401  (your lesson 2)

LossGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


def total_loss_grad(net, x: np.ndarray, P: np.ndarray, A: dict[str, np.ndarray], alpha: float, beta: float,
                    content_layer: str = "conv4_2",
                    weights: dict[str, float] | None = None) -> tuple[float, np.ndarray]:
    """Exercise 3.1 · The total loss and its gradient with respect to the image x.

        L_total = alpha * L_content(F, P) + beta * L_style            (the paper's equation 7)

    net: the VGG19 caffe.Net, already shaped for x. x: (1, 3, H, W) float32.
    P: (C, h, w) float32, the photo's features at `content_layer`. A: {style layer: (N, N) Gram matrix}.
    weights: {style layer: w_l} for style_loss (None: its default, 1/5 on conv1_1..conv5_1).
    Returns: (loss as a Python float, gradient (1, 3, H, W) float32).

    One forward pass to the deepest layer you need (the content layer and every layer of A; `list(net.blobs)`
    lists the blobs in order; forward to relu_name(deepest) so every blob holds its ReLU output), then one
    backward sweep (your backward_sweep from lesson 2) with the gradients of both losses in one dict:
      - style: style_loss(features, A, weights) returns (L_style, {layer: w_l dE_l/dZ_l}); multiply by beta;
      - content: alpha * content_grad(F, P) at content_layer, added to what is already there if the content
        layer is also a style layer.
    conv4_2 sits between conv5_1 and conv4_1: the sweep injects conv5_1's gradient, runs back to conv4_2, adds
    alpha * content_grad there, runs on to conv4_1, and so on down to conv1_1. Your backward_sweep sorts the
    layers by depth, so the dict's order does not matter.
    Hints: F = net.blobs[content_layer].data[0]. Compute the content gradient before the sweep (backward
    overwrites diffs, not data, but keep to that order). Both weights multiply both the loss and the gradient.
    Check: brushstrokes check 3.1
    """
    raise NotImplementedError("Exercise 3.1: write total_loss_grad, then run `brushstrokes check 3.1`")


def lbfgs_objective(loss_grad: LossGrad, shape: tuple[int, ...]) -> tuple[Callable, Bounds]:
    """Exercise 3.2 · What SciPy's L-BFGS needs: a function of a flat float64 vector, and bounds.

    loss_grad(x) -> (loss, grad) works on images x of `shape` (1, 3, H, W) in float32 (Caffe's type).
    SciPy works on flat float64 vectors z of length 3*H*W. Return (fun, bounds):
      - fun(z) -> (float loss, (3*H*W,) float64 gradient): reshape z to `shape`, cast it to float32, call
        loss_grad, and flatten the gradient back in the same order (C order: z.reshape(shape) and
        grad.ravel() agree; mixing orders scrambles the gradient). Hand SciPy float64, never float32: its
        line search compares losses to many digits.
      - bounds: scipy.optimize.Bounds(lower, upper), one pair per entry of z, in the same order, that keep
        every pixel a valid grey level 0..255. In Caffe's layout the mean is subtracted, so channel c (B, G, R)
        lives in [-MEAN_BGR[c], 255 - MEAN_BGR[c]]. The paper has no bounds: this is our addition, so that no
        pixel is clipped after the run.
    Hint: np.broadcast_to(values[None, :, None, None], shape).ravel() gives one bound per entry.
    Check: brushstrokes check 3.2   (also compares fun's gradient with finite differences)
    """
    raise NotImplementedError("Exercise 3.2: write lbfgs_objective, then run `brushstrokes check 3.2`")


def paint(loss_grad: LossGrad, x0: np.ndarray, iters: int = 300, every: int = 50,
          callback: Callable[[int, np.ndarray, float], bool] | None = None) -> Reconstruction:
    """Exercise 3.3 · The painting run: L-BFGS from x0 for up to `iters` iterations.

    x0: (1, 3, H, W) float32 start (white noise, the photo or the painting).
    Returns Reconstruction(x, losses, snapshots): x the final image (1, 3, H, W) float32; losses[k] the loss
    (a float) after k iterations, losses[0] the loss of x0; snapshots {k: image (1, 3, H, W) float32 after
    k iterations} for k = 0 and every k with k % every == 0.

    Steps:
      1. fun, bounds = lbfgs_objective(loss_grad, x0.shape); z0 = x0 flattened in float64.
      2. losses = [fun(z0)[0]], snapshots = {0: a float32 copy of x0}.
      3. A function step(intermediate_result) that SciPy calls after each iteration k = 1, 2, ...:
         intermediate_result.x is the flat image, intermediate_result.fun its loss. Keep that parameter name:
         SciPy passes this result object only to a callback whose parameter is named intermediate_result; with
         any other name, step(xk) gets the bare flat array, and xk.x fails with "AttributeError: 'numpy.ndarray'
         object has no attribute 'x'". Append the loss; keep a snapshot when k % every == 0; then, if callback
         is given, call callback(k, x, loss) with x as (1, 3, H, W) float32: when it returns True (a progress
         bar saw Ctrl-C), raise StopIteration, which tells SciPy to stop and return what it has.
      4. result = minimize(fun, z0, jac=True, method="L-BFGS-B", bounds=bounds, callback=step,
                           options={"maxiter": iters})   (jac=True: fun returns the loss and its gradient)
      5. Return Reconstruction(result.x as (1, 3, H, W) float32, losses, snapshots).
    Check: brushstrokes check 3.3
    """
    raise NotImplementedError("Exercise 3.3: write paint, then run `brushstrokes check 3.3`")


def tv_loss_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
    """Exercise 3.4 (stretch) · Total variation: a loss that is small when neighbouring pixels agree.

        L_tv = sum (x[.., i+1, j] - x[.., i, j])^2 + sum (x[.., i, j+1] - x[.., i, j])^2

    over every channel, neighbours down (axis 2) and right (axis 3). Not in the paper: Mahendran and Vedaldi
    (2015) and jcjohnson/neural-style add it to smooth high-frequency noise (`brushstrokes paint --tv-weight`).
    x: (1, 3, H, W) float32. Returns (loss as a float, dL/dx (1, 3, H, W) float32).
    Hints: np.diff(x, axis=2) is (1, 3, H-1, W). Each difference d = b - a adds 2d to b's gradient and -2d to
    a's. Compute in float64.
    Check: brushstrokes check 3.4
    """
    raise NotImplementedError("Exercise 3.4: write tv_loss_grad, then run `brushstrokes check 3.4`")


def keep_colours(painted: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """Exercise 3.5 (stretch) · Keep the photo's colours: the painting's luminance with the photo's colour.

    painted, photo: (H, W, 3) RGB pictures in 0..255 (any float or integer type).
    RGB_TO_YIQ (3, 3) maps an RGB pixel (a column) to Y (luminance), I and Q (colour): yiq = RGB_TO_YIQ @ rgb.
    Take Y from `painted` and I, Q from `photo`, then go back to RGB with np.linalg.inv(RGB_TO_YIQ).
    Returns: (H, W, 3) float32 RGB, clipped to 0..255. (Gatys et al., "Preserving color in neural artistic
    style transfer", 2016; jcjohnson/neural-style's -original_colors.)
    Hint: for pictures stored as rows of pixels, `picture @ M.T` applies M to every pixel.
    Check: brushstrokes check 3.5
    """
    raise NotImplementedError("Exercise 3.5: write keep_colours, then run `brushstrokes check 3.5`")


def blend_grams(grams: list[dict[str, np.ndarray]], weights: list[float]) -> dict[str, np.ndarray]:
    """Exercise 3.6 (stretch) · One style target for several paintings.

        A_l = sum_k w_k A_l^(k) / sum_k w_k

    grams: one {layer: (N, N) Gram matrix} per painting; weights: one number >= 0 per painting.
    Returns {layer: blended (N, N) matrix} for every layer of the first dict. Because E_l is quadratic in G,
    sum_k w_k E_l(G, A^(k)) equals E_l(G, A_l) plus a constant when the weights sum to 1: blending the targets
    gives the same gradient as blending the losses (what neural-style's -style_blend_weights does).
    Check: brushstrokes check 3.6
    """
    raise NotImplementedError("Exercise 3.6: write blend_grams, then run `brushstrokes check 3.6`")
