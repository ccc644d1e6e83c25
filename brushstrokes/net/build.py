"""Building VGG19 in pycaffe: the prototxt with either pooling, and a net from it and a checked caffemodel."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language
from brushstrokes.net.caffe_env import import_caffe, use_best_device
from brushstrokes.net.layers import set_input_shape
from brushstrokes.net.weights import check_caffemodel

POOLINGS = {"avg": "AVE", "max": "MAX"}

BAD_POOLING = Text("unknown pooling {pooling!r}", "未知的池化方式 {pooling!r}")
BAD_POOLING_TODO = Text("use pooling='avg' (the paper's) or 'max'", "请用 pooling='avg'（论文的做法）或 'max'")


def prototxt_text(pooling: str = "avg") -> str:
    """The project's models/vgg19.prototxt with average ('avg', the paper's) or max pooling."""
    if pooling not in POOLINGS:
        lang = language()
        raise BrushstrokesError(BAD_POOLING(lang, pooling=pooling), BAD_POOLING_TODO(lang))
    text = paths.PROTOTXT.read_text()
    return text.replace("pool: AVE", f"pool: {POOLINGS[pooling]}")


def net_from_text(text: str, weights: str | Path) -> Any:
    """A caffe.Net (TEST phase) from prototxt text and a caffemodel (checked by the caller)."""
    caffe = import_caffe()
    with tempfile.NamedTemporaryFile("w", suffix=".prototxt", delete=False) as f:
        f.write(text)
    try:
        return caffe.Net(f.name, str(weights), caffe.TEST)
    finally:
        Path(f.name).unlink()




def open_vgg19(pooling: str, weights: Path, shape: tuple[int, int] | None = None) -> Any:
    """A caffe.Net (TEST phase) of VGG19 up to pool5 with exactly these weights, checked in Python first (Caffe
    aborts the process on a bad file); shape: (H, W) of the input in px."""
    import_caffe()
    check_caffemodel(weights)
    use_best_device()
    net = net_from_text(prototxt_text(pooling), weights)
    if shape is not None:
        set_input_shape(net, *shape)
    return net
