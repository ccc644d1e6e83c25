"""VGG19 in pycaffe: the layer names, the definition, and loading the real weights."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from brushstrokes import paths
from brushstrokes.caffe_env import import_caffe, use_best_device
from brushstrokes.course.model import Text
from brushstrokes.errors import BrushstrokesError
from brushstrokes.i18n import language

BLOCKS = ((1, 2, 64), (2, 2, 128), (3, 4, 256), (4, 4, 512), (5, 4, 512))
CONV_LAYERS = tuple(f"conv{b}_{i}" for b, n, _ in BLOCKS for i in range(1, n + 1))
CONV_CHANNELS = {f"conv{b}_{i}": c for b, n, c in BLOCKS for i in range(1, n + 1)}
CONTENT_LAYER = "conv4_2"
STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
POOLINGS = {"avg": "AVE", "max": "MAX"}

BAD_POOLING = Text("unknown pooling {pooling!r}", "未知的池化方式 {pooling!r}")
BAD_POOLING_TODO = Text("use pooling='avg' (the paper's) or 'max'", "请用 pooling='avg'（论文的做法）或 'max'")
TOO_SMALL = Text("input {height}x{width} px is too small for VGG19's five poolings",
                 "输入 {height}x{width} 像素太小，经不起 VGG19 的五次池化")
TOO_SMALL_TODO = Text("use at least 16 px on each side (64 px or more to see anything)",
                      "每边至少用 16 像素（要看出东西，用 64 像素或更大）")


def prototxt_text(pooling: str = "avg") -> str:
    """The project's models/vgg19.prototxt with average ('avg', the paper's) or max pooling."""
    if pooling not in POOLINGS:
        lang = language()
        raise BrushstrokesError(BAD_POOLING(lang, pooling=pooling), BAD_POOLING_TODO(lang))
    text = paths.PROTOTXT.read_text()
    return text.replace("pool: AVE", f"pool: {POOLINGS[pooling]}")


def load_vgg19(pooling: str = "avg", weights: str | Path | None = None,
               shape: tuple[int, int] | None = None, normalised: bool = False) -> Any:
    """A caffe.Net (TEST phase) of VGG19 up to pool5 with the real ImageNet weights.

    weights: a caffemodel (default: the one `brushstrokes fetch-model` installed);
    shape: (H, W) of the input image in px (can be changed later with `set_input_shape`);
    normalised: use the paper's normalised copy of those weights (brushstrokes/normalise.py: every filter's
    mean activation over natural images is 1), made and cached beside them on first use.
    """
    from brushstrokes.weights import check_caffemodel

    import_caffe()
    weights = Path(weights) if weights is not None else paths.weights_path()
    if normalised:
        from brushstrokes.normalise import ensure_normalised

        weights = ensure_normalised(weights)
    check_caffemodel(weights)  # Caffe aborts the process on a bad file: check it in Python first
    use_best_device()
    net = net_from_text(prototxt_text(pooling), weights)
    if shape is not None:
        set_input_shape(net, *shape)
    return net


def net_from_text(text: str, weights: str | Path) -> Any:
    """A caffe.Net (TEST phase) from prototxt text and a caffemodel (checked by the caller)."""
    caffe = import_caffe()
    with tempfile.NamedTemporaryFile("w", suffix=".prototxt", delete=False) as f:
        f.write(text)
    try:
        return caffe.Net(f.name, str(weights), caffe.TEST)
    finally:
        Path(f.name).unlink()


def set_input_shape(net: Any, height: int, width: int) -> None:
    """Reshape the net for a (1, 3, height, width) input; blobs are reallocated."""
    if height < 16 or width < 16:
        lang = language()
        raise BrushstrokesError(TOO_SMALL(lang, height=height, width=width), TOO_SMALL_TODO(lang))
    net.blobs["data"].reshape(1, 3, int(height), int(width))
    net.reshape()


def relu_name(layer: str) -> str:
    """The layer to forward to so that blob `layer` is complete: 'conv4_2' -> 'relu4_2', 'pool1' -> 'pool1'.

    VGG's ReLUs are in place: forward(end='conv4_2') stops before relu4_2 and leaves the
    raw convolution in blob conv4_2; forward(end='relu4_2') leaves max(0, conv) there.
    """
    return "relu" + layer[4:] if layer.startswith("conv") else layer


def features(net: Any, x: np.ndarray, layers: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Run x (1, 3, H, W) through the net; copies of each layer's (C, h, w) output after its ReLU."""
    order = [name for name in net.blobs if name in layers]
    if net.blobs["data"].data.shape != x.shape:
        set_input_shape(net, x.shape[2], x.shape[3])
    net.blobs["data"].data[...] = x
    net.forward(end=relu_name(order[-1]))
    return {name: net.blobs[name].data[0].copy() for name in order}
