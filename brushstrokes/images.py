"""Images in and out of Caffe's layout.

Pictures are (H, W, 3) float32 RGB in 0..255. Caffe's input blob is
(1, 3, H, W) float32 BGR with VGG's ImageNet mean subtracted.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from brushstrokes.errors import BrushstrokesError

MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)
MAX_PIXELS = 64_000_000  # bigger files are refused before decoding
MAX_SIDE = 2048  # bigger working sizes are refused (VGG19 on a CPU would take hours)
USE_YOUR_OWN = "pass a PNG or JPEG file (the project's own are data/chelsea.png and data/scream.jpg)"


def open_image(path: str | Path) -> Image.Image:
    """Open an image file and decode it, with a clear error for every way it can fail."""
    path = Path(path)
    if not path.exists():
        raise BrushstrokesError(f"image not found: {path}", f"check the path; {USE_YOUR_OWN}")
    if path.is_dir():
        raise BrushstrokesError(f"{path} is a folder, not an image", USE_YOUR_OWN)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BrushstrokesError(f"{path} is too large to open safely ({exc})",
                                "shrink it below 8000 x 8000 pixels first") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise BrushstrokesError(f"cannot read {path} as an image ({exc})",
                                f"the file is broken or not an image; {USE_YOUR_OWN}") from exc
    return ImageOps.exif_transpose(img)


def to_rgb(img: Image.Image) -> Image.Image:
    """Any PIL mode to 8-bit RGB: alpha is laid on white, 16-bit and float are rescaled."""
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        a = np.asarray(img, dtype=np.float64)
        lo, hi = float(a.min()), float(a.max())
        a = (a - lo) / (hi - lo) * 255 if hi > lo else np.zeros_like(a)
        img = Image.fromarray(a.astype(np.uint8), "L")
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)
    return img.convert("RGB")


def fit_size(size: tuple[int, int], longest: int) -> tuple[int, int]:
    """(W, H) scaled so that the longer side is `longest` px, aspect ratio kept."""
    w, h = size
    scale = longest / max(w, h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def load_image(path: str | Path, longest: int | None = None, size: tuple[int, int] | None = None) -> np.ndarray:
    """Read an image as (H, W, 3) float32 RGB in 0..255.

    longest: resize so the longer side has this many px; size: exact (H, W).
    """
    img = to_rgb(open_image(path))
    target = None
    if size is not None:
        target = (int(size[1]), int(size[0]))
    elif longest is not None:
        target = fit_size(img.size, int(longest))
    if target is not None:
        if max(target) > MAX_SIDE or min(target) < 16:
            raise BrushstrokesError(f"working size {target[0]}x{target[1]} px is out of range",
                                    f"choose a size between 16 and {MAX_SIDE} px on each side")
        if target != img.size:
            img = img.resize(target, Image.LANCZOS)
    return np.asarray(img, dtype=np.float32)


def preprocess(img: np.ndarray) -> np.ndarray:
    """(H, W, 3) RGB 0..255 -> (1, 3, H, W) float32 BGR minus the ImageNet mean."""
    bgr = img[:, :, ::-1].astype(np.float32) - MEAN_BGR
    return np.ascontiguousarray(bgr.transpose(2, 0, 1)[None])


def deprocess(x: np.ndarray) -> np.ndarray:
    """(1, 3, H, W) or (3, H, W) Caffe blob -> (H, W, 3) uint8 RGB picture."""
    x = np.asarray(x).reshape(3, x.shape[-2], x.shape[-1])
    rgb = (x.transpose(1, 2, 0) + MEAN_BGR)[:, :, ::-1]
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def save_image(path: str | Path, picture: np.ndarray) -> Path:
    """Save an (H, W, 3) picture (uint8, or float 0..255) as PNG/JPEG; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arr = np.clip(np.rint(np.asarray(picture, dtype=np.float64)), 0, 255).astype(np.uint8)
    Image.fromarray(arr, "RGB").save(path)
    return path


def white_noise(shape: tuple[int, int], seed: int = 0, scale: float = 20.0) -> np.ndarray:
    """Seeded Gaussian noise in Caffe layout: (1, 3, H, W) float32 with std `scale` (0..255 units)."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((1, 3, shape[0], shape[1])) * scale).astype(np.float32)
