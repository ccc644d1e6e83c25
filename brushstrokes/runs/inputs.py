"""A run's input pictures: each file's header read once to check it, then decoded once; every size after that is
taken from the decoded picture and every array resized from it (no file is opened again).

Sizes are (W, H) in px, PIL's order; arrays are (H, W, 3) float32 RGB in 0..255, as images.load_image gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from brushstrokes.net import images


@dataclass(frozen=True)
class Input:
    """An input picture of a run as given: its path and the option that named it (for the messages)."""

    path: Path
    option: str


@dataclass(frozen=True)
class Picture:
    """An input picture decoded once: its path and its 8-bit RGB pixels (EXIF rotation applied)."""

    path: Path
    image: object  # PIL.Image.Image in mode RGB

    @property
    def size(self) -> tuple[int, int]:
        """(W, H) in px of the file as shown."""
        return self.image.size

    def array(self, size: tuple[int, int] | None = None) -> np.ndarray:
        """(H, W, 3) float32 RGB in 0..255, resized (Lanczos) to `size` (W, H) unless that is its own size;
        the same pixels as images.load_image(path, size=(H, W))."""
        from PIL import Image

        img = self.image
        if size is not None and tuple(size) != img.size:
            img = img.resize((int(size[0]), int(size[1])), Image.LANCZOS)
        return np.asarray(img, dtype=np.float32)


def checked_size(given: Input) -> tuple[int, int]:
    """(W, H) of an input picture from its header, or a BrushstrokesError naming the file."""
    return images.image_size(given.path)


def decode(path: Path) -> Picture:
    """The picture at `path` decoded (the only time a run decodes it); a clear error for a file that fails now."""
    return Picture(Path(path), images.to_rgb(images.open_image(path)))
