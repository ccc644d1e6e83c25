"""Lesson 1's reference arrays (checks/references/lesson1.npz), from solutions/lesson1_content.py.

The cat resized to 48x32 px, seeded white noise, conv4_2: F (512, 4, 6) of the noise, P of the cat, the loss,
the injected gradient, the image's gradient and one normalised step. The loop (1.4) is graded against a live
reference run (checks/loops.py), so no trajectory is stored.
"""

from __future__ import annotations

import importlib

import numpy as np

from brushstrokes import course
from brushstrokes.base import paths
from brushstrokes.net import images
from brushstrokes.net.layers import CONTENT_LAYER, relu_name, set_input_shape
from brushstrokes.net.vgg import features

solution = importlib.import_module("solutions." + course.lesson("1").module)  # the module the registry names

SIZE = (32, 48)  # (H, W) px: conv4_2 is then 512 x 4 x 6
SEED = 0
STEP_LR = 3.0
INPUTS = f"data/chelsea.png resized to {SIZE[1]}x{SIZE[0]} px; white noise seed {SEED}"


def make(net) -> dict[str, np.ndarray]:
    """Exercises 1.1-1.3 on real data."""
    set_input_shape(net, *SIZE)
    target = images.preprocess(images.load_image(paths.CAT, size=SIZE))
    x0 = images.white_noise(SIZE, seed=SEED)
    P = features(net, target, (CONTENT_LAYER,))[CONTENT_LAYER]
    net.blobs["data"].data[...] = x0
    net.forward(end=relu_name(CONTENT_LAYER))
    F = net.blobs[CONTENT_LAYER].data[0].copy()
    grad = solution.content_grad(F, P)
    net.blobs[CONTENT_LAYER].diff[0] = grad
    net.backward(start=CONTENT_LAYER)
    data_grad = net.blobs["data"].diff.copy()
    return {"x0": x0, "P": P, "layer": np.array(CONTENT_LAYER), "F": F,
            "loss": np.float64(solution.content_loss(F, P)), "grad": grad, "data_grad": data_grad,
            "step_lr": np.float64(STEP_LR), "stepped": solution.normalized_step(x0, data_grad, STEP_LR)}


def summary(arrays: dict[str, np.ndarray]) -> str:
    return f"loss {float(arrays['loss']):.6g}, mean |data_grad| {float(np.mean(np.abs(arrays['data_grad']))):.4g}"
