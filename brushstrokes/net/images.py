"""Images in and out of Caffe's layout.

Pictures are (H, W, 3) float32 RGB in 0..255. Caffe's input blob is
(1, 3, H, W) float32 BGR with VGG's ImageNet mean subtracted.
"""

from __future__ import annotations

import stat
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from brushstrokes.base.errors import BrushstrokesError, fail
from brushstrokes.base.i18n import Text, language

MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)

# The YIQ colour space (NTSC): Y is the luminance, I and Q the colour; rows give Y, I, Q from R, G, B.
RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114],
                       [0.595716, -0.274453, -0.321263],
                       [0.211456, -0.522591, 0.311135]])
MAX_PIXELS = 64_000_000  # bigger files are refused before decoding (the one limit every message quotes)
MIN_SIDE = 16  # VGG19's five poolings need at least this many px on each side
MAX_SIDE = 2048  # bigger working sizes are refused (VGG19 on a CPU would take hours)
EXIF_ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height

USE_YOUR_OWN = Text("pass a PNG or JPEG file (the project's own are data/chelsea.png and data/scream.jpg)",
                    "请给出一个 PNG 或 JPEG 文件（项目自带 data/chelsea.png 和 data/scream.jpg）")
NOT_FOUND = Text("image not found: {path}", "找不到图片：{path}")
NOT_FOUND_TODO = Text("check the path; {own}", "检查路径；{own}")
IS_FOLDER = Text("{path} is a folder, not an image", "{path} 是一个文件夹，不是图片")
NOT_A_FILE = Text("{path} is a {kind}, not an image file (reading it could wait forever)",
                  "{path} 是{kind}，不是图片文件（读取它可能会一直等待）")
KINDS = {"en": {"fifo": "named pipe (FIFO)", "char": "device", "block": "device", "socket": "socket"},
         "zh": {"fifo": "命名管道（FIFO）", "char": "设备", "block": "设备", "socket": "套接字"}}
TOO_LARGE = Text("{path} is too large: {w}x{h} px ({n:,} pixels), more than the {limit:,} pixels this project opens",
                 "{path} 太大：{w}x{h} px（共 {n:,} 个像素），超过了本项目能打开的 {limit:,} 个像素")
TOO_LARGE_TODO = Text("shrink it to at most {limit:,} pixels (e.g. 8000x8000) first; 128-512 px is all a lesson uses",
                      "先把它缩小到不超过 {limit:,} 个像素（例如 8000x8000）；课程只用到 128-512 px")
UNREADABLE = Text("cannot read {path} as an image ({error})", "无法把 {path} 当作图片读取（{error}）")
UNREADABLE_TODO = Text("the file is broken or not an image; {own}", "文件已损坏或不是图片；{own}")
OUT_OF_RANGE = Text("working size {w}x{h} px is out of range", "工作尺寸 {w}x{h} px 超出范围")
OUT_OF_RANGE_TODO = Text("choose a size between {low} and {high} px on each side",
                         "每边选择 {low} 到 {high} px 之间的尺寸")


def _fail(message: Text, todo: Text, **fields: object) -> BrushstrokesError:
    """errors.fail, with {own} (how to use one's own picture) filled in."""
    return fail(message, todo, own=USE_YOUR_OWN(language()), **fields)


def check_file(path: str | Path) -> Path:
    """`path` as a Path if it is an existing regular file; a clear error (never a hang) for anything else."""
    path = Path(path)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise _fail(NOT_FOUND, NOT_FOUND_TODO, path=path) from None
    except OSError as exc:
        raise _fail(UNREADABLE, UNREADABLE_TODO, path=path, error=exc.strerror or exc) from exc
    if stat.S_ISDIR(mode):
        raise _fail(IS_FOLDER, USE_YOUR_OWN, path=path)
    if not stat.S_ISREG(mode):
        kind = ("fifo" if stat.S_ISFIFO(mode) else "char" if stat.S_ISCHR(mode) else
                "block" if stat.S_ISBLK(mode) else "socket")
        raise _fail(NOT_A_FILE, USE_YOUR_OWN, path=path, kind=KINDS[language()][kind])
    return path


def _open_lazily(path: Path) -> Image.Image:
    """PIL's Image.open (the header only), with the project's own pixel limit instead of PIL's two."""
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = None  # PIL would quote 64M (a warning) or 128M (an error): check one limit here
    try:
        img = Image.open(path)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise _fail(UNREADABLE, UNREADABLE_TODO, path=path, error=exc) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = previous
    w, h = img.size
    if w * h > MAX_PIXELS:
        img.close()
        raise _fail(TOO_LARGE, TOO_LARGE_TODO, path=path, w=w, h=h, n=w * h, limit=MAX_PIXELS)
    return img


def image_size(path: str | Path) -> tuple[int, int]:
    """(W, H) in px of an image file as it will be shown (EXIF rotation applied), read from its header only."""
    path = check_file(path)
    with _open_lazily(path) as img:
        w, h = img.size
        try:
            rotated = img.getexif().get(0x0112) in EXIF_ROTATED
        except Exception:  # noqa: BLE001 - a broken EXIF block only means: no rotation
            rotated = False
    return (h, w) if rotated else (w, h)


def open_image(path: str | Path) -> Image.Image:
    """Open an image file and decode it, with a clear error for every way it can fail."""
    path = check_file(path)
    img = _open_lazily(path)
    try:
        img.load()
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise _fail(UNREADABLE, UNREADABLE_TODO, path=path, error=exc) from exc
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
        if max(target) > MAX_SIDE or min(target) < MIN_SIDE:
            raise _fail(OUT_OF_RANGE, OUT_OF_RANGE_TODO, w=target[0], h=target[1], low=MIN_SIDE, high=MAX_SIDE)
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
    """Save an (H, W, 3) picture (uint8, or float 0..255) as PNG/JPEG, whole or not at all; returns the path."""
    from brushstrokes.base.outputs import atomic_path

    path = Path(path)
    arr = np.clip(np.rint(np.asarray(picture, dtype=np.float64)), 0, 255).astype(np.uint8)
    with atomic_path(path) as tmp:
        Image.fromarray(arr, "RGB").save(tmp)
    return path


def white_noise(shape: tuple[int, int], seed: int = 0, scale: float = 20.0) -> np.ndarray:
    """Seeded Gaussian noise in Caffe layout: (1, 3, H, W) float32 with std `scale` (0..255 units)."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((1, 3, shape[0], shape[1])) * scale).astype(np.float32)
