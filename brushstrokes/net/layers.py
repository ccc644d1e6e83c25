"""VGG19's layer names and the net's input shape: what every part of the course names a layer by."""

from __future__ import annotations

from typing import Any

from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language

BLOCKS = ((1, 2, 64), (2, 2, 128), (3, 4, 256), (4, 4, 512), (5, 4, 512))
CONV_LAYERS = tuple(f"conv{b}_{i}" for b, n, _ in BLOCKS for i in range(1, n + 1))
CONV_CHANNELS = {f"conv{b}_{i}": c for b, n, c in BLOCKS for i in range(1, n + 1)}
CONTENT_LAYER = "conv4_2"
STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")

TOO_SMALL = Text("input {height}x{width} px is too small for VGG19's five poolings",
                 "输入 {height}x{width} 像素太小，经不起 VGG19 的五次池化")
TOO_SMALL_TODO = Text("use at least 16 px on each side (64 px or more to see anything)",
                      "每边至少用 16 像素（要看出东西，用 64 像素或更大）")


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
