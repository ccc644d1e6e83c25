"""Lesson 4 · Control: which colours, which scale, which painting where.

Lesson 3 painted the cat in The Scream's style, but the style decided everything: the colours came from
the painting, the size of its strokes from the picture's size, and the whole picture got the same texture.
Gatys, Ecker, Bethge, Hertzmann & Shechtman, "Controlling Perceptual Factors in Neural Style Transfer"
(CVPR 2017, arXiv:1611.07865), give the painter back three controls, each a small change to lesson 3:

  colour  keep the photo's colours. Either transfer the style on luminance alone (the painting's luminance
          first matched to the photo's mean and spread, the photo's colour put back afterwards with lesson 3's
          keep_colours), or move the painting's colours to the photo's before the transfer (colour histogram
          matching: a linear map of RGB that matches the mean and the covariance).
  scale   the style's strokes are as big as the receptive fields of the layers that see them, in pixels, so a
          large picture painted in one go gets tiny strokes and costs many slow iterations. Coarse-to-fine:
          paint small, upsample the result, use it as the start at the next size, where a few iterations add
          the fine detail. And the scales of two paintings can be mixed: the fine layers' targets from one,
          the coarse layers' from the other.
  space   paint each region of the photo from its own painting (or its own part of a painting): guided Gram
          matrices G_r = (F * T_r)(F * T_r)^T with a region mask T_r brought down to each layer's size, and
          the style loss summed over the regions, each with its own target.

Notation. Pictures: (H, W, 3) RGB float in 0..255. Luminance: (H, W) float in 0..255 (Y of YIQ).
Images: (1, 3, H, W) float32 Caffe blobs (lesson 3). Shapes are (H, W) = (rows, columns), as numpy gives
them (PIL's sizes are (width, height): mind the order). Features F: (N, h, w) float32 after the ReLU.
Masks T: (h, w) float in 0..1, 1 inside the region. Gram matrices: (N, N) float64.

This file uses your own style loss from lesson 2 (imported below). The checks swap in the reference one, so
a mistake there does not fail an exercise here.

The exercises, in order (each one is checked on its own):
    4.1  match_luminance    colour: the painting's luminance with the photo's mean and standard deviation
    4.2  match_colours      colour: the painting's colours moved to the photo's mean and covariance
    4.3  upsample           scale: an image resized up, bilinear
    4.4  coarse_to_fine     scale: the loop over sizes, each start the previous result upsampled
    4.5  mask_at            space: a region mask at a layer's size, by averaging
    4.6  guided_gram        space: the Gram matrix of the masked features
    4.7  guided_style_loss  space: the style loss summed over regions, and its gradient
  Stretch (graded, listed apart):
    4.8  mix_scales         scale: the fine layers' targets from one painting, the coarse from another
Check one with `brushstrokes check 4.1`, all of lesson 4 with `brushstrokes check 4`. When they pass, paint
with your own controls: `brushstrokes paint data/chelsea.png data/scream.jpg --use lessons --colour luminance
--scales 128,256` (pictures in output/).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image  # noqa: F401  (you may use it in 4.3 and 4.5)
from scipy.ndimage import zoom  # noqa: F401  (you may use it in 4.3)

from brushstrokes.lesson_support import Reconstruction
from lessons.lesson2_style import style_layer_grad, style_layer_loss  # noqa: F401  (your lesson 2)


def match_luminance(style_y: np.ndarray, content_y: np.ndarray) -> np.ndarray:
    """Exercise 4.1 · The painting's luminance, matched to the photo's mean and spread.

        L_s' = (sigma_c / sigma_s) (L_s - mu_s) + mu_c        (the paper's luminance-only transfer)

    mu and sigma are the mean and the standard deviation over all pixels of each luminance channel (s: the
    painting, c: the photo). A dark painting and a bright photo would otherwise make the transfer paint the
    photo in the painting's brightness range. Only the painting changes: the photo is left as it is.
    style_y: (H', W') the painting's luminance; content_y: (H, W) the photo's (any float or integer type).
    Returns: (H', W') float64, the painting's shape; its mean is mu_c and its std sigma_c.
    Hints: standard deviation (np.std), not variance. Compute in float64.
    Check: brushstrokes check 4.1
    """
    raise NotImplementedError("Exercise 4.1: write match_luminance, then run `brushstrokes check 4.1`")


def match_colours(style: np.ndarray, content: np.ndarray) -> np.ndarray:
    """Exercise 4.2 · The painting's colours moved to the photo's: colour histogram matching.

        x' = A (x - mu_s) + mu_c    for every pixel x (an RGB column) of the painting, with A Sigma_s A^T = Sigma_c

    mu_s, mu_c: (3,) mean colours; Sigma_s, Sigma_c: (3, 3) colour covariances of the painting and the photo.
    Then the painting's pixels have the photo's mean and covariance. Several A do it: the symmetric one,
    A = Sigma_c^(1/2) Sigma_s^(-1/2) with symmetric square roots, or one from Cholesky factors, L_c L_s^-1 (the
    paper tried both); the checks accept any A that matches the covariance. Cholesky fails on a grey painting,
    whose covariance is singular (see the last hint).
    Clip the result to 0..255: a map fitted to the spread of colours can throw a few pixels out of range.
    style: (H', W', 3) the painting, content: (H, W, 3) the photo, RGB in 0..255 (any float or integer type).
    Returns: (H', W', 3) float32, the painting's shape, clipped to 0..255.
    Hints: pixels = picture.reshape(-1, 3) in float64; np.cov(pixels, rowvar=False) is (3, 3). For a symmetric
    matrix, l, V = np.linalg.eigh(S) gives S = V diag(l) V^T, so S^(1/2) = (V * np.sqrt(l)) @ V.T and
    S^(-1/2) = (V / np.sqrt(l)) @ V.T. For rows of pixels, `pixels @ A.T` applies A to each. A grey painting
    (R = G = B) has a singular covariance, eigenvalues 0 or a hair below: floor them, np.maximum(l, 1e-8).
    Check: brushstrokes check 4.2
    """
    raise NotImplementedError("Exercise 4.2: write match_colours, then run `brushstrokes check 4.2`")


def upsample(x: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Exercise 4.3 · An image resized up to shape = (H, W), bilinear: the next scale's start.

    x: (1, 3, h, w) float32 Caffe image. Returns (1, 3, H, W) float32.
    Each output pixel's centre is mapped back onto x (pixel centres aligned: output pixel i sits at
    (i + 0.5) * h / H - 0.5 in x's rows) and its value is interpolated linearly from the four nearest pixels;
    past the edges the edge pixels repeat. So the values stay within x's range, and a flat image stays flat.
    Hints: scipy.ndimage.zoom(x, factors, order=1, grid_mode=True, mode="nearest") with a factor per axis (1 for
    the first two); or per channel, PIL: Image.fromarray(channel, mode="F").resize((W, H),
    Image.Resampling.BILINEAR): PIL's size is (width, height).
    Check: brushstrokes check 4.3
    """
    raise NotImplementedError("Exercise 4.3: write upsample, then run `brushstrokes check 4.3`")


def coarse_to_fine(paint_at: Callable[[tuple[int, int], np.ndarray], Reconstruction], shapes: list[tuple[int, int]],
                   x0: np.ndarray) -> list[Reconstruction]:
    """Exercise 4.4 · Coarse-to-fine: paint small first, then each larger size from the previous result.

    paint_at(shape, start): paints at shape (H, W) from the image `start` (1, 3, H, W) and returns a
    Reconstruction (lesson 3's paint: .x is the painted image). shapes: the sizes, smallest first, e.g.
    [(85, 128), (171, 256), (341, 512)]. x0: (1, 3, H0, W0) float32, the start at shapes[0].
    Paint at shapes[0] from x0; then at each next shape, start from the previous result's .x upsampled to that
    shape (your upsample). The coarse scales find the composition cheaply; the large sizes, where each
    iteration is slow, only refine it.
    Returns: the list of the Reconstructions, one per shape, in order (the last is the final painting).
    Hints: upsample only when the start's size x.shape[2:] is not the shape already (x0 at shapes[0] is not).
    Check: brushstrokes check 4.4
    """
    raise NotImplementedError("Exercise 4.4: write coarse_to_fine, then run `brushstrokes check 4.4`")


def mask_at(T: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Exercise 4.5 · A region mask brought down to a layer's size (h, w), by averaging.

    T: (H, W) float in 0..1, the mask at the picture's size. shape: (h, w), a layer's size (each pooling halves
    it, rounding up). Returns (h, w) float64 in 0..1: each value the average of the pixels of T that the small
    pixel covers (its area, for any ratio), so that pixels on a region's border get a fraction, and the mask
    of a region and that of its complement still add up to 1 everywhere.
    Hints: PIL's BOX filter is that average: Image.fromarray(T.astype(np.float32), mode="F").resize((w, h),
    Image.Resampling.BOX); PIL's size is (width, height). Picking pixels (T[::2, ::2], NEAREST) is not averaging.
    Check: brushstrokes check 4.5
    """
    raise NotImplementedError("Exercise 4.5: write mask_at, then run `brushstrokes check 4.5`")


def guided_gram(F: np.ndarray, T: np.ndarray) -> np.ndarray:
    """Exercise 4.6 · The guided Gram matrix of one region: the Gram matrix of the masked features.

        G_r = (F * T_r)(F * T_r)^T        (the paper's spatial control)

    with F * T_r each channel of F multiplied by the mask, position by position, then flattened to (N, h*w) as
    in exercise 2.1. T appears twice in each entry already: G_r[i, j] = sum_k T_k^2 F_ik F_jk.
    F: (N, h, w) float32 features; T: (h, w) mask at that layer's size. Returns: (N, N) float64.
    Hint: F * T broadcasts the mask over the channels; do not normalise by the region's area (lesson 2's gram
    is not normalised either: the loss does that).
    Check: brushstrokes check 4.6
    """
    raise NotImplementedError("Exercise 4.6: write guided_gram, then run `brushstrokes check 4.6`")


def guided_style_loss(features: dict[str, np.ndarray], masks: dict[str, list[np.ndarray]],
                      targets: dict[str, list[np.ndarray]],
                      weights: dict[str, float]) -> tuple[float, dict[str, np.ndarray]]:
    """Exercise 4.7 · The style loss over regions, and its gradient.

        L = sum_l w_l sum_r E_l(F_l * T_lr, A_lr)

    E_l is lesson 2's layer loss (style_layer_loss: 1/(4 N^2 M^2) sum (G - A)^2, M = h*w the layer's positions)
    of the masked features, whose Gram matrix is the guided Gram of exercise 4.6; A_lr is region r's target.
    The gradient with respect to the layer's pre-ReLU output Z_l: by the chain rule through F * T,
        dL/dZ_l = w_l sum_r T_lr * style_layer_grad(F_l * T_lr, A_lr)
    (style_layer_grad already applies the ReLU mask). Regions add up: their losses and their gradients.
    features: {layer: F (N, h, w) float32}; masks: {layer: [T_r (h, w), one per region]};
    targets: {layer: [A_r (N, N), one per region, in the same order]}; weights: {layer: w_l}, the layers to use.
    Returns: (L as a Python float, {layer: dL/dZ_l (N, h, w) float32} for every layer of weights).
    With one region and a mask of ones this is lesson 2's style_loss.
    Check: brushstrokes check 4.7
    """
    raise NotImplementedError("Exercise 4.7: write guided_style_loss, then run `brushstrokes check 4.7`")


def mix_scales(fine: dict[str, np.ndarray], coarse: dict[str, np.ndarray],
               fine_layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Exercise 4.8 (stretch) · The fine scales of one painting with the coarse scales of another.

    Shallow layers see small patches (conv1_1: 3 x 3 pixels), deep layers large ones (conv5_1: 156 x 156):
    their Gram matrices hold the fine strokes and the large shapes of a painting. The paper's scale control
    takes the targets of the shallow layers from one painting and those of the deep layers from another.
    fine, coarse: {layer: (N, N) Gram matrix} of two paintings, the same layers; fine_layers: the layers whose
    target comes from `fine`, e.g. ("conv1_1", "conv2_1").
    Returns: a new dict {layer: target} for every layer of `coarse`: fine[layer] for the layers of fine_layers,
    coarse[layer] for the others (the inputs are left as they are).
    Check: brushstrokes check 4.8
    """
    raise NotImplementedError("Exercise 4.8: write mix_scales, then run `brushstrokes check 4.8`")
