"""Lesson 3 end to end, behind `brushstrokes paint`: pictures in, targets, the optimiser, pictures out.

The algorithm itself (total loss, L-BFGS objective, the run, TV, colours, blending) is the lesson's:
lessons/lesson3_paint.py (`--use lessons`) or solutions/lesson3_paint.py. This module only prepares
its inputs and writes its outputs. Images: (1, 3, H, W) float32 Caffe blobs; pictures: (H, W, 3) RGB 0..255.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

from brushstrokes import images, paths
from brushstrokes.course.model import Text
from brushstrokes.errors import BrushstrokesError
from brushstrokes.i18n import language

# The YIQ colour space (NTSC): Y is the luminance, I and Q the colour; rows give Y, I, Q from R, G, B.
RGB_TO_YIQ = np.array([[0.299, 0.587, 0.114],
                       [0.595716, -0.274453, -0.321263],
                       [0.211456, -0.522591, 0.311135]])

DEFAULT_SIZE = 128  # longest side in px: `make demo` paints at this size within 3 minutes on 2 CPU cores
DEFAULT_RATIO = 3e-6  # alpha / beta on the normalised net at DEFAULT_SIZE (lesson 3's page shows the sweep)
DEFAULT_ITERS = 100  # the picture changes little after that at DEFAULT_SIZE (lesson 3's loss curve)
# beta when only the ratio is given. Only alpha/beta shapes the picture, but L-BFGS-B stops when every entry of the
# projected gradient is below 1e-5 (an absolute tolerance): with beta = 1 the normalised net's losses are so small
# that a run at 128 px stopped after 41 of 80 iterations; beta = 1000 lets it run.
DEFAULT_STYLE_WEIGHT = 1e3
BYTES_PER_PIXEL = 12_000  # measured peak memory of VGG19 forward + backward per input pixel, with margin

RESIZED = Text("{what} is {w0}x{h0} px: painting at {w}x{h} px (--size {size})",
               "{what} 为 {w0}x{h0} 像素：按 {w}x{h} 像素作画（--size {size}）")
TOO_BIG = Text("{w}x{h} px would need about {need:.1f} GB of memory and this machine has {have:.1f} GB: "
               "painting at {w2}x{h2} px instead", "{w}x{h} 像素约需 {need:.1f} GB 内存，本机只有 {have:.1f} GB："
               "改为按 {w2}x{h2} 像素作画")
STARTING = Text("Painting {content} ({w}x{h} px) in the style of {styles}: {optimizer}, up to {iters} iterations, "
                "alpha/beta = {ratio:.3g}, {weights} VGG19 with {pooling} pooling, {device} ({use}/lesson3_paint.py)",
                "用 {styles} 的风格画 {content}（{w}x{h} 像素）：{optimizer}，最多 {iters} 次迭代，"
                "alpha/beta = {ratio:.3g}，{weights} VGG19、{pooling} 池化，{device}（{use}/lesson3_paint.py）")
STOPPING = Text("\nCtrl-C: keeping the picture as it is now (press again to abort)",
                "\nCtrl-C：保留当前的图片（再按一次则放弃）")
DONE = Text("{n} iterations in {seconds:.0f} s ({per:.2f} s each); loss {first:.4g} -> {last:.4g}",
            "{n} 次迭代，用时 {seconds:.0f} 秒（每次 {per:.2f} 秒）；损失 {first:.4g} -> {last:.4g}")
STOPPED = Text("stopped early by Ctrl-C after {n} iterations: the picture so far is kept",
               "已按 Ctrl-C 在 {n} 次迭代后提前停止：保留目前的图片")
WROTE = Text("wrote {files}", "已写入 {files}")
NOT_FINISHED = Text("{file} is not finished ({error})", "{file} 还没有完成（{error}）")
NOT_FINISHED_TODO = Text("fill in the exercises of lessons 1-3, check them with `brushstrokes check`, then run this "
                         "again (or paint with the reference code: --use solutions)",
                         "完成第 1-3 课的练习，用 `brushstrokes check` 检查，然后再运行"
                         "（或用参考代码作画：--use solutions）")


@dataclass
class PaintSettings:
    """Everything `brushstrokes paint` can be told; the defaults are the command's."""

    content: Path = paths.CAT
    styles: list[Path] = field(default_factory=lambda: [paths.SCREAM])
    out: Path = paths.OUTPUT
    size: int = DEFAULT_SIZE
    ratio: float = DEFAULT_RATIO  # alpha / beta, with beta = 1 unless both weights are given
    content_weight: float | None = None
    style_weight: float | None = None
    content_layer: str = "conv4_2"
    style_layers: tuple[str, ...] = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
    style_layer_weights: tuple[float, ...] | None = None  # default: 1/len(style_layers) each
    weights: str = "normalised"
    pooling: str = "avg"
    init: str = "noise"
    optimizer: str = "lbfgs"
    iters: int = DEFAULT_ITERS
    lr: float | None = None  # adam / gd step size in grey levels (default per optimiser)
    seed: int = 0
    tv_weight: float = 0.0
    original_colors: bool = False
    style_blend_weights: tuple[float, ...] | None = None
    style_fit: str = "keep"  # keep the painting's aspect ratio, or squash it onto the photo's (the paper)
    style_scale: float = 1.0
    device: str = "auto"
    save_every: int = 0  # 0: frames at five evenly spaced iterations, no separate files
    use: str = "solutions"

    @property
    def alpha_beta(self) -> tuple[float, float]:
        """(alpha, beta): both weights when given; else one of them and the ratio; else (ratio * 1000, 1000)."""
        if self.content_weight is not None and self.style_weight is not None:
            return self.content_weight, self.style_weight
        if self.content_weight is not None:
            return self.content_weight, self.content_weight / self.ratio
        beta = self.style_weight if self.style_weight is not None else DEFAULT_STYLE_WEIGHT
        return self.ratio * beta, beta

    @property
    def layer_weights(self) -> dict[str, float]:
        """{style layer: w_l}, w_l = 1/L each unless given."""
        given = self.style_layer_weights or (1.0 / len(self.style_layers),) * len(self.style_layers)
        return dict(zip(self.style_layers, given, strict=True))


def memory_bytes() -> int:
    """The machine's physical memory in bytes (0 when unknown)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0


def working_size(picture_size: tuple[int, int], longest: int, memory: int | None = None) -> tuple[int, int]:
    """(W, H) for painting: the longest side `longest`, shrunk until VGG19 fits in half the memory."""
    memory = memory_bytes() if memory is None else memory
    w, h = images.fit_size(picture_size, longest)
    if memory and w * h * BYTES_PER_PIXEL > memory / 2:
        scale = (memory / 2 / BYTES_PER_PIXEL / (w * h)) ** 0.5
        w2, h2 = max(16, int(w * scale)), max(16, int(h * scale))
        print(TOO_BIG(language(), w=w, h=h, need=w * h * BYTES_PER_PIXEL / 1e9, have=memory / 1e9, w2=w2, h2=h2))
        return w2, h2
    return w, h


def style_size(painting: tuple[int, int], photo: tuple[int, int], fit: str, scale: float) -> tuple[int, int]:
    """(W, H) of a painting: squashed onto the photo's (W, H) ('squash', the paper's), or its own aspect ratio
    kept with the longer side `scale` times the photo's ('keep')."""
    if fit == "squash":
        return max(16, round(photo[0] * scale)), max(16, round(photo[1] * scale))
    w, h = images.fit_size(painting, max(16, round(max(photo) * scale)))
    return max(16, w), max(16, h)


def picture_size(path: Path) -> tuple[int, int]:
    """(W, H) of an image file, after its EXIF orientation."""
    return images.open_image(path).size


def initial_image(init: str, photo: np.ndarray, painting: np.ndarray, seed: int) -> np.ndarray:
    """x0 (1, 3, H, W): seeded white noise, the photo, or the (first) painting resized to the photo."""
    h, w = photo.shape[2:]
    if init == "noise":
        return images.white_noise((h, w), seed=seed)
    if init == "content":
        return photo.copy()
    picture = images.deprocess(painting)
    from PIL import Image

    resized = np.asarray(Image.fromarray(picture).resize((w, h), Image.LANCZOS), dtype=np.float32)
    return images.preprocess(resized)


class StopRequest:
    """Ctrl-C while painting: the first press asks the run to stop and keep its picture, a second aborts."""

    def __init__(self) -> None:
        self.requested = False
        self._previous = None

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print(STOPPING(language()), flush=True)

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def first_order(loss_grad: Callable, x0: np.ndarray, iters: int, every: int, callback: Callable, method: str,
                lr: float, step: Callable) -> tuple[np.ndarray, list[float], dict[int, np.ndarray]]:
    """Adam or normalised gradient descent (lesson 1's `step`), pixels clipped to 0..255 after each step.

    Same conventions as the lesson's paint(): losses[k] and snapshots[k] after k iterations.
    """
    lo = (-images.MEAN_BGR)[None, :, None, None]
    hi = lo + 255
    x = np.clip(x0.astype(np.float32), lo, hi)
    m = v = np.zeros_like(x, dtype=np.float64)
    losses, snapshots = [], {0: x.copy()}
    for k in range(1, iters + 1):
        loss, grad = loss_grad(x)
        if not losses:
            losses.append(float(loss))
        if method == "adam":
            g = grad.astype(np.float64)
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            update = lr * (m / (1 - 0.9**k)) / (np.sqrt(v / (1 - 0.999**k)) + 1e-8)
            x = (x - update).astype(np.float32)
        else:
            x = step(x, grad, lr)
        x = np.clip(x, lo, hi).astype(np.float32)
        loss = float(loss_grad(x)[0]) if k == iters else float(loss)
        losses.append(loss)
        if k % every == 0:
            snapshots[k] = x.copy()
        if callback(k, x, loss):
            break
    return x, losses, snapshots


def load_modules(use: str) -> tuple[ModuleType, ModuleType, ModuleType]:
    """Lessons 1, 2 and 3 from `use` (lessons: the learner's, checked for NaN; or solutions)."""
    from brushstrokes.guards import guarded
    from brushstrokes.loader import load_lesson

    modules = tuple(load_lesson(name, use) for name in ("lesson1_content", "lesson2_style", "lesson3_paint"))
    return tuple(guarded(m) for m in modules) if use == "lessons" else modules


def paint_files(s: PaintSettings) -> list[Path]:
    """Paint s.content in the style of s.styles; write the picture, loss plot and frames into s.out (made)."""
    try:
        return _paint_files(s)
    except NotImplementedError as exc:
        lang = language()
        raise BrushstrokesError(NOT_FINISHED(lang, file=f"{s.use}/", error=exc), NOT_FINISHED_TODO(lang)) from exc


@dataclass
class Painted:
    """One run's results: the picture (H, W, 3) uint8 or float32 RGB, the final x (1, 3, H, W), the losses and
    snapshots (after k iterations), the seconds it took, the photo (H, W, 3), alpha and beta, and whether
    Ctrl-C stopped it."""

    picture: np.ndarray
    x: np.ndarray
    losses: list[float]
    snapshots: dict[int, np.ndarray]
    seconds: float
    photo: np.ndarray
    alpha: float
    beta: float
    stopped: bool


def paint_picture(s: PaintSettings, net=None, quiet: bool = False) -> Painted:
    """Paint s.content in the style of s.styles with the lessons of s.use; nothing is written.

    net: a VGG19 to reuse (it must have s.pooling and s.weights); quiet: no messages and no progress bar.
    """
    from tqdm import tqdm

    from brushstrokes.vgg import features, load_vgg19, set_input_shape

    lang = language()
    say = (lambda *a, **k: None) if quiet else print
    lesson1, lesson2, lesson3 = load_modules(s.use)
    original = picture_size(s.content)
    w, h = working_size(original, s.size)
    if max(original) != max(w, h):
        say(RESIZED(lang, what=s.content, w0=original[0], h0=original[1], w=w, h=h, size=max(w, h)))
    photo = images.load_image(s.content, size=(h, w))
    content = images.preprocess(photo)
    if net is None:
        net = load_vgg19(pooling=s.pooling, shape=(h, w), normalised=s.weights == "normalised")
    device = "GPU" if _on_gpu() else "CPU"
    P = features(net, content, (s.content_layer,))[s.content_layer]
    grams, paintings = [], []
    for path in s.styles:
        sw, sh = style_size(picture_size(path), (w, h), s.style_fit, s.style_scale)
        painting = images.preprocess(images.load_image(path, size=(sh, sw)))
        paintings.append(painting)
        grams.append({layer: lesson2.gram(F) for layer, F in features(net, painting, s.style_layers).items()})
    blend = s.style_blend_weights or (1.0,) * len(grams)
    A = lesson3.blend_grams(grams, list(blend)) if len(grams) > 1 else grams[0]
    set_input_shape(net, h, w)
    alpha, beta = s.alpha_beta
    weights = s.layer_weights

    def loss_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = lesson3.total_loss_grad(net, x, P, A, alpha, beta, s.content_layer, weights)
        if s.tv_weight:
            tv, tv_grad = lesson3.tv_loss_grad(x)
            loss, grad = loss + s.tv_weight * tv, grad + np.float32(s.tv_weight) * tv_grad
        return loss, grad

    x0 = initial_image(s.init, content, paintings[0], s.seed)
    every = s.save_every or max(1, s.iters // 5)
    styles = ", ".join(str(p) for p in s.styles)
    say(STARTING(lang, content=s.content, w=w, h=h, styles=styles, optimizer=s.optimizer, iters=s.iters,
                 ratio=alpha / beta, weights=s.weights, pooling=s.pooling, device=device, use=s.use), flush=True)
    start = time.perf_counter()
    with StopRequest() as stop, tqdm(total=s.iters, desc="painting", unit="it", leave=False,
                                     disable=True if quiet else None) as bar:
        def callback(k: int, x: np.ndarray, loss: float) -> bool:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4g}")
            return stop.requested

        if s.optimizer == "lbfgs":
            x, losses, snapshots = lesson3.paint(loss_grad, x0, iters=s.iters, every=every, callback=callback)
        else:
            lr = s.lr if s.lr is not None else (2.0 if s.optimizer == "adam" else 1.0)
            x, losses, snapshots = first_order(loss_grad, x0, s.iters, every, callback, s.optimizer, lr,
                                               lesson1.normalized_step)
    seconds = time.perf_counter() - start
    picture = images.deprocess(x)
    if s.original_colors:
        picture = lesson3.keep_colours(picture.astype(np.float32), photo)
    return Painted(picture, x, list(losses), dict(snapshots), seconds, photo, alpha, beta, stop.requested)


def _paint_files(s: PaintSettings) -> list[Path]:
    from brushstrokes import plotting
    from brushstrokes.outputs import OutputSet

    lang = language()
    done = paint_picture(s)
    n = max(1, len(done.losses) - 1)
    stem = f"{Path(s.content).stem}_" + "_".join(Path(p).stem for p in s.styles)
    frames = {f"iteration {k}": snap for k, snap in sorted(done.snapshots.items())}
    frames[f"result ({n} it)"] = images.preprocess(np.asarray(done.picture, dtype=np.float32))
    with OutputSet(s.out) as files:
        images.save_image(files.path(f"{stem}.png"), done.picture)
        title = f"alpha L_content + beta L_style, alpha/beta = {done.alpha / done.beta:.3g}"
        plotting.plot_losses(done.losses, files.path(f"{stem}_loss.png"), title=title)
        plotting.plot_frames(frames, files.path(f"{stem}_frames.png"), columns=min(4, len(frames)))
        if s.save_every:
            for k, snap in sorted(done.snapshots.items()):
                images.save_image(files.path(f"{stem}_{k:04d}.png"), images.deprocess(snap))
    if done.stopped:
        print(STOPPED(lang, n=n))
    print(DONE(lang, n=n, seconds=done.seconds, per=done.seconds / n, first=done.losses[0], last=done.losses[-1]))
    print(WROTE(lang, files=", ".join(str(p) for p in files.written[:3])
                + (f" (+{len(files.written) - 3})" if len(files.written) > 3 else "")))
    return files.written


def _on_gpu() -> bool:
    from brushstrokes.caffe_env import import_caffe

    try:
        return bool(import_caffe().check_mode_gpu())
    except AttributeError:
        return False
