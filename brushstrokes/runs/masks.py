"""Region masks of `paint --content-mask` and `--style-masks`: image files read once, checked before any work, and
brought to the size of a picture (lesson 4's exercise 4.5 brings them on to each layer's size).

A mask is any image, taken as grey (PIL mode L): white = 1, black = 0, grey values are weights in between.
The content mask: 1 where the picture is painted like the first painting, 0 like the second. A style mask: 1 where
its painting's texture is taken from. Sizes: (W, H) px; masks: (H, W) float64 in 0..1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from brushstrokes.base.errors import fail
from brushstrokes.base.i18n import Text
from brushstrokes.net import images

NO_FIRST = Text("--content-mask {file} is all black: no part of the picture is painted like the first painting "
                "(white)", "--content-mask {file} 全是黑色：图片中没有任何部分按第一幅画（白色）来画")
NO_SECOND = Text("--content-mask {file} is all white: no part of the picture is painted like the second painting "
                 "(black)", "--content-mask {file} 全是白色：图片中没有任何部分按第二幅画（黑色）来画")
CONTENT_TODO = Text("make the mask white where the first painting goes and black where the second goes (grey mixes "
                    "them); to paint with one painting, leave out --content-mask",
                    "让掩码在第一幅画的区域为白色、第二幅画的区域为黑色（灰色混合二者）；"
                    "只用一幅画时，去掉 --content-mask")
NO_TEXTURE = Text("--style-masks {file} is all black: no part of its painting is chosen",
                  "--style-masks {file} 全是黑色：它的画没有任何部分被选中")
STYLE_TODO = Text("make white the part of the painting whose texture to use (all white: the whole painting)",
                  "把要取纹理的那部分画涂成白色（全白：整幅画）")


@dataclass(frozen=True)
class Mask:
    """A mask file decoded once: its path and its grey pixels (PIL image in mode L, EXIF rotation applied)."""

    path: Path
    image: object  # PIL.Image.Image in mode L

    def at(self, size: tuple[int, int]) -> np.ndarray:
        """(H, W) float64 in 0..1 at `size` (W, H): stretched onto it (bilinear, no overshoot)."""
        from PIL import Image

        img = self.image
        if tuple(size) != img.size:
            img = img.resize((int(size[0]), int(size[1])), Image.BILINEAR)
        return np.asarray(img, dtype=np.float64) / 255.0


def read(path: Path, option: str) -> Mask:
    """The mask file at `path` checked like every picture (missing, not an image, too many pixels: errors naming the
    file) and decoded, any mode taken as grey."""
    images.image_size(path)
    return Mask(Path(path), images.to_rgb(images.open_image(path)).convert("L"))


def content_mask(path: Path) -> Mask:
    """--content-mask read, refused when one of its two regions has no area (all black or all white)."""
    from brushstrokes.learner.loader import display

    mask = read(path, "--content-mask")
    low, high = mask.image.getextrema()
    if high == 0:
        raise fail(NO_FIRST, CONTENT_TODO, file=display(path))
    if low == 255:
        raise fail(NO_SECOND, CONTENT_TODO, file=display(path))
    return mask


def style_mask(path: Path) -> Mask:
    """One file of --style-masks read, refused when all black (no texture to take)."""
    from brushstrokes.learner.loader import display

    mask = read(path, "--style-masks")
    if mask.image.getextrema()[1] == 0:
        raise fail(NO_TEXTURE, STYLE_TODO, file=display(path))
    return mask


def whole(size: tuple[int, int]) -> np.ndarray:
    """The mask of a whole painting of `size` (W, H): ones, (H, W) float64."""
    return np.ones((size[1], size[0]), dtype=np.float64)
