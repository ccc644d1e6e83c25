"""VGG19 as the course uses it: the net with the real (or the paper's normalised) weights, and its features."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from brushstrokes.base import paths
from brushstrokes.net.build import open_vgg19
from brushstrokes.net.layers import relu_name, set_input_shape
from brushstrokes.net.normalise import ensure_normalised


def load_vgg19(pooling: str = "avg", weights: str | Path | None = None,
               shape: tuple[int, int] | None = None, normalised: bool = False) -> Any:
    """A caffe.Net (TEST phase) of VGG19 up to pool5 with the real ImageNet weights.

    weights: a caffemodel (default: the one `brushstrokes fetch-model` installed);
    shape: (H, W) of the input image in px (can be changed later with `set_input_shape`);
    normalised: use the paper's normalised copy of those weights (brushstrokes/net/normalise.py: every filter's
    mean activation over natural images is 1), made and cached beside them on first use.
    """
    weights = Path(weights) if weights is not None else paths.weights_path()
    if normalised:
        weights = ensure_normalised(weights)
    return open_vgg19(pooling, weights, shape)


def features(net: Any, x: np.ndarray, layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Run x (1, 3, H, W) through the net; copies of each layer's (C, h, w) output after its ReLU."""
    order = [name for name in net.blobs if name in layers]
    if net.blobs["data"].data.shape != x.shape:
        set_input_shape(net, x.shape[2], x.shape[3])
    net.blobs["data"].data[...] = x
    net.forward(end=relu_name(order[-1]))
    return {name: net.blobs[name].data[0].copy() for name in order}
