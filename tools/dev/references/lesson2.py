"""Lesson 2's reference arrays (checks/references/lesson2.npz), from solutions/ on the real normalised VGG19.

Made by `python -m tools.dev.references --lesson 2` (or `make references`). Small and deterministic: The Scream and
seeded white noise at 48x32 px, the five style layers. Stored: the inputs (noise x0 and its features F_<layer>,
the painting's features S_<layer>), the expected Gram matrices of the two shallow layers, every E_l and gradient,
the weighted losses and the image gradient of one backward sweep. The painting's Gram matrices A_<layer> are not
stored: the checks compute them from S_<layer> (they are inputs, and the deep ones are large). The loop (2.6) is
graded against a live run of the reference. meta_weights records the normalised weights' md5.
"""

from __future__ import annotations

import importlib

import numpy as np

from brushstrokes import course
from brushstrokes.base import paths
from brushstrokes.net import images, normalise
from brushstrokes.net.layers import STYLE_LAYERS, relu_name
from brushstrokes.net.vgg import features, load_vgg19
from brushstrokes.net.weights import md5sum

solution = importlib.import_module("solutions." + course.lesson("2").module)  # the module the registry names

SIZE = (32, 48)  # (H, W) px: conv1_1 is 64 x 32 x 48, conv5_1 512 x 2 x 3
SEED = 0
GRAMS = ("conv1_1", "conv2_1")  # expected Gram matrices stored for these (the deep ones are 512 x 512)
WEIGHTS = {"conv1_1": 0.5, "conv3_1": 0.25, "conv5_1": 0.125}  # not the defaults: ignoring weights is caught
INPUTS = f"data/scream.jpg resized to {SIZE[1]}x{SIZE[0]} px; white noise seed {SEED}; normalised VGG19"


def make(_raw_net) -> dict[str, np.ndarray]:
    """The arrays, on the normalised VGG19 (the raw net tools.dev.references passes is not used)."""
    net = load_vgg19(pooling="avg", shape=SIZE, normalised=True)
    painting = images.preprocess(images.load_image(paths.SCREAM, size=SIZE))
    x0 = images.white_noise(SIZE, seed=SEED)
    S = features(net, painting, STYLE_LAYERS)
    F = features(net, x0, STYLE_LAYERS)
    A = {layer: solution.gram(S[layer]) for layer in STYLE_LAYERS}
    arrays: dict[str, np.ndarray] = {"x0": x0, "painting": painting, "meta_weights": np.array(
        f"normalised VGG19, md5 {md5sum(normalise.normalised_path())}")}
    for layer in STYLE_LAYERS:
        arrays[f"F_{layer}"], arrays[f"S_{layer}"] = F[layer], S[layer]
        arrays[f"E_{layer}"] = np.float64(solution.style_layer_loss(F[layer], A[layer]))
        arrays[f"grad_{layer}"] = solution.style_layer_grad(F[layer], A[layer])
    for layer in GRAMS:
        arrays[f"gram_{layer}"] = solution.gram(F[layer])
    loss, grads = solution.style_loss(F, A)
    arrays["loss"] = np.float64(loss)
    arrays["weights_layers"] = np.array(list(WEIGHTS))
    arrays["weights_values"] = np.array(list(WEIGHTS.values()), dtype=np.float64)
    arrays["weighted_loss"] = np.float64(solution.style_loss(F, A, WEIGHTS)[0])
    net.blobs["data"].data[...] = x0
    net.forward(end=relu_name(STYLE_LAYERS[-1]))
    arrays["data_grad"] = solution.backward_sweep(net, grads)
    return arrays


def summary(arrays: dict[str, np.ndarray]) -> str:
    shares = ", ".join(f"{layer} {float(arrays[f'E_{layer}']):.3g}" for layer in STYLE_LAYERS)
    return f"E_l {shares}; style loss {float(arrays['loss']):.4g}"
