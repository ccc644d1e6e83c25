"""Lesson 3 end to end, behind `brushstrokes paint`: pictures in, targets, the optimiser, pictures out.

The algorithm itself (total loss, L-BFGS objective, the run, TV, colours, blending) is the lesson's:
lessons/lesson3_paint.py (`--use lessons`) or solutions/lesson3_paint.py. This module only prepares
its inputs and writes its outputs. Images: (1, 3, H, W) float32 Caffe blobs; pictures: (H, W, 3) RGB 0..255.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np

from brushstrokes.base import threads
from brushstrokes.base.i18n import Text, language
from brushstrokes.net import images
from brushstrokes.runs import fast_style, lbfgsb
from brushstrokes.runs.paint_settings import (
    PaintSettings,
)

BYTES_PER_PIXEL = 12_000  # measured peak memory of VGG19 forward + backward per input pixel, with margin

RESIZED = Text("{what} is {w0}x{h0} px: painting at {w}x{h} px (--size {size})",
               "{what} 为 {w0}x{h0} 像素：按 {w}x{h} 像素作画（--size {size}）")
TOO_BIG = Text("{w}x{h} px would need about {need:.1f} GB of memory and this machine has {have:.1f} GB: "
               "painting at {w2}x{h2} px instead", "{w}x{h} 像素约需 {need:.1f} GB 内存，本机只有 {have:.1f} GB："
               "改为按 {w2}x{h2} 像素作画")
STARTING = Text("Painting {content} ({w}x{h} px) in the style of {styles}: {optimizer}, up to {iters} iterations, "
                "alpha/beta = {ratio:.3g}, {weights} VGG19 with {pooling} pooling, {device} ({file})",
                "用 {styles} 的风格画 {content}（{w}x{h} 像素）：{optimizer}，最多 {iters} 次迭代，"
                "alpha/beta = {ratio:.3g}，{weights} VGG19、{pooling} 池化，{device}（{file}）")
STOPPING = Text("\nCtrl-C: keeping the picture as it is now (press again to abort)",
                "\nCtrl-C：保留当前的图片（再按一次则放弃）")
DONE = Text("{n} iterations in {seconds:.0f} s ({per:.2f} s each); loss {first:.4g} -> {last:.4g}",
            "{n} 次迭代，用时 {seconds:.0f} 秒（每次 {per:.2f} 秒）；损失 {first:.4g} -> {last:.4g}")
STOPPED = Text("stopped early by Ctrl-C after {n} iterations: the picture so far is kept",
               "已按 Ctrl-C 在 {n} 次迭代后提前停止：保留目前的图片")
WROTE = Text("wrote {files}", "已写入 {files}")
MODULES = ("lesson1_content", "lesson2_style", "lesson3_paint")
FUNCTIONS = {"lesson1_content": {"normalized_step": "1.3"}, "lesson2_style": {"gram": "2.1"},
             "lesson3_paint": {"total_loss_grad": "3.1", "paint": "3.3", "tv_loss_grad": "3.4",
                               "keep_colours": "3.5", "blend_grams": "3.6"}}  # what a run calls directly
LOOP = "3.3"  # the exercise whose function runs the optimisation
LEFTOVER_AGE = 600  # s: temporary pictures older than this were left by a killed run


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


def painting_grams(net, painting: np.ndarray, layers: tuple[str, ...], picture_positions: dict[str, int],
                   gram: Callable[[np.ndarray], np.ndarray]) -> dict[str, np.ndarray]:
    """{layer: (N, N) target}: lesson 2's `gram` of the painting (1, 3, H', W') at each layer, scaled from the
    painting's positions to the picture's (`picture_positions`, from style_targets.layer_positions)."""
    from brushstrokes.net.vgg import features
    from brushstrokes.runs.style_targets import positions, sized_target

    return {layer: sized_target(gram(F), positions(F), picture_positions[layer])
            for layer, F in features(net, painting, layers).items()}


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


def reference_lbfgs(loss_grad: Callable, x0: np.ndarray, iters: int, every: int, callback: Callable
                    ) -> tuple[np.ndarray, list[float], dict[int, np.ndarray]]:
    """Exercise 3.3's L-BFGS run on the reference path, through brushstrokes.runs.lbfgsb (SciPy's routine, the same
    iterates, without minimize's per-call costs); the start's loss is evaluated once, not twice.

    Same conventions as the lesson's paint(): losses[k] and snapshots[k] after k iterations.
    """
    shape = x0.shape
    lo = np.broadcast_to((-images.MEAN_BGR.astype(np.float64))[None, :, None, None], shape).ravel()

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = loss_grad(z.reshape(shape).astype(np.float32))
        return float(loss), grad.astype(np.float64).ravel()

    z0 = x0.astype(np.float64).ravel()
    start = fun(z0)
    losses, snapshots = [start[0]], {0: x0.astype(np.float32).copy()}

    def step(z: np.ndarray, loss: float) -> bool:
        k, x = len(losses), z.reshape(shape).astype(np.float32)
        losses.append(loss)
        if k % every == 0:
            snapshots[k] = x
        return bool(callback(k, x, loss))

    z, _, _ = lbfgsb.minimize(fun, z0, lo, lo + 255, iters, step, at_x0=start)
    return z.reshape(shape).astype(np.float32), losses, snapshots


def lesson_files(use: str, folder: Path | None = None) -> tuple[Path, Path, Path]:
    """The files of lessons 1, 2 and 3 that a run uses: in `folder` (--lessons-dir), else in ROOT/`use`."""
    from brushstrokes.learner.loader import lesson_path

    return tuple(lesson_path(name, use, folder) for name in MODULES)


def load_modules(use: str, folder: Path | None = None) -> tuple[ModuleType, ModuleType, ModuleType]:
    """Lessons 1, 2 and 3 from `use` (lessons: the learner's, checked for NaN; or solutions) or from `folder`,
    each with every function a run calls (a deleted one is an error naming it)."""
    from brushstrokes.learner.guards import guarded
    from brushstrokes.learner.loader import load_lesson
    from brushstrokes.learner.result_checks import require

    modules = tuple(load_lesson(name, use, folder) for name in MODULES)
    for module, name, path in zip(modules, MODULES, lesson_files(use, folder), strict=True):
        require(module, path, FUNCTIONS[name])
    return tuple(guarded(m) for m in modules) if use == "lessons" else modules


def output_names(s: PaintSettings) -> list[str]:
    """The files a run writes into s.out: picture, loss curve, frames, and with --save-every each snapshot."""
    stem = f"{Path(s.content).stem}_" + "_".join(Path(p).stem for p in s.styles)
    names = [f"{stem}.png", f"{stem}_loss.png", f"{stem}_frames.png"]
    if s.save_every:
        names += [f"{stem}_{k:04d}.png" for k in range(0, s.iters + 1, s.save_every)]
    return names


def paint_files(s: PaintSettings) -> list[Path]:
    """Paint s.content in the style of s.styles; replace the picture, loss plot and frames in s.out together
    (s.out was checked with validate.out_folder). Raises BrushstrokesError for a learner's mistake or NaN."""
    from brushstrokes.base.outputs import remove_leftovers

    remove_leftovers(s.out, older_than=LEFTOVER_AGE)
    return _paint_files(s)


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
    """Paint s.content in the style of s.styles with the lessons of s.use (or s.lessons_dir); nothing is written.

    net: a VGG19 to reuse (it must have s.pooling and s.weights); quiet: no messages and no progress bar.
    What the learner's functions return is checked, and a crash in them, or a run ending with NaN, is one
    BrushstrokesError naming the function (the loop only when it is the cause).
    """
    from brushstrokes.learner.loader import display
    from brushstrokes.learner.result_checks import learner_code

    use = "lessons" if s.lessons_dir is not None else s.use
    files = lesson_files(use, s.lessons_dir)
    modules = load_modules(use, s.lessons_dir)
    with learner_code(files, display(s.out), LOOP):
        return _paint_picture(s, modules, files, use, net, quiet)


def _paint_picture(s: PaintSettings, modules: tuple[ModuleType, ...], files: tuple[Path, ...], use: str, net,
                   quiet: bool) -> Painted:
    from tqdm import tqdm

    from brushstrokes.learner.guards import finite
    from brushstrokes.learner.loader import display
    from brushstrokes.learner.result_checks import check_array, check_loop, check_loss_grad, not_finite
    from brushstrokes.net.layers import set_input_shape
    from brushstrokes.net.vgg import features, load_vgg19
    from brushstrokes.runs.style_targets import layer_positions

    lang, out = language(), display(s.out)
    say = (lambda *a, **k: None) if quiet else print
    lesson1, lesson2, lesson3 = modules
    original = picture_size(s.content)
    w, h = working_size(original, s.size)
    if max(original) != max(w, h):
        say(RESIZED(lang, what=s.content, w0=original[0], h0=original[1], w=w, h=h, size=s.size))
    photo = images.load_image(s.content, size=(h, w))
    content = images.preprocess(photo)
    if net is None:
        net = load_vgg19(pooling=s.pooling, shape=(h, w), normalised=s.weights == "normalised")
    device = "GPU" if _on_gpu() else "CPU"
    P = features(net, content, (s.content_layer,))[s.content_layer]
    M = layer_positions(net, s.style_layers)  # the picture's positions per layer (net shaped for the photo above)
    grams, paintings = [], []
    for path in s.styles:
        sw, sh = style_size(picture_size(path), (w, h), s.style_fit, s.style_scale)
        painting = images.preprocess(images.load_image(path, size=(sh, sw)))
        paintings.append(painting)
        grams.append(painting_grams(net, painting, s.style_layers, M, lambda F: check_array(
            lesson2.gram(F), (F.shape[0],) * 2, "gram", "2.1", files[1], out)))
    blend = s.style_blend_weights or (1.0,) * len(grams)
    A = lesson3.blend_grams(grams, list(blend)) if len(grams) > 1 else grams[0]
    if not isinstance(A, dict):
        A = {layer: A for layer in grams[0]}  # reported below as the wrong thing for each layer
    A = {layer: check_array(A.get(layer), G.shape, "blend_grams", "3.6", files[2], out)
         for layer, G in grams[0].items()}
    set_input_shape(net, h, w)
    alpha, beta = s.alpha_beta
    weights = s.layer_weights

    if use == "solutions":  # the reference path: each Gram matrix once per evaluation (brushstrokes/runs/fast_style.py)
        def total(x: np.ndarray) -> tuple[float, np.ndarray]:
            return fast_style.total_loss_grad(net, x, P, A, alpha, beta, s.content_layer, weights, lesson1, lesson2)
    else:
        def total(x: np.ndarray) -> tuple[float, np.ndarray]:
            return lesson3.total_loss_grad(net, x, P, A, alpha, beta, s.content_layer, weights)

    def loss_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = check_loss_grad(total(x), x.shape, "total_loss_grad", "3.1", files[2], out)
        if s.tv_weight:
            tv, tv_grad = check_loss_grad(lesson3.tv_loss_grad(x), x.shape, "tv_loss_grad", "3.4", files[2], out)
            loss, grad = loss + s.tv_weight * tv, grad + np.float32(s.tv_weight) * tv_grad
        return loss, grad

    x0 = initial_image(s.init, content, paintings[0], s.seed)
    every = s.save_every or max(1, s.iters // 5)
    styles = ", ".join(str(p) for p in s.styles)
    say(STARTING(lang, content=s.content, w=w, h=h, styles=styles, optimizer=s.optimizer, iters=s.iters,
                 ratio=alpha / beta, weights=s.weights, pooling=s.pooling, device=device, file=display(files[2])),
        flush=True)
    start = time.perf_counter()
    lr = s.lr if s.lr is not None else (2.0 if s.optimizer == "adam" else 1.0)
    reference = use == "solutions" and lbfgsb.available()  # loads SciPy's BLAS before threads are set below
    with StopRequest() as stop, tqdm(total=s.iters, desc="painting", unit="it", leave=False,
                                     disable=True if quiet else None) as bar, \
            (threads.packaged_blas_on_one_thread() if reference else contextlib.nullcontext()):
        def callback(k: int, x: np.ndarray, loss: float) -> bool:
            bar.update(1)
            bar.set_postfix(loss=f"{loss:.4g}")
            return stop.requested

        if s.optimizer == "lbfgs" and reference:
            result = reference_lbfgs(loss_grad, x0, s.iters, every, callback)
        elif s.optimizer == "lbfgs":
            paint = getattr(lesson3.paint, "__wrapped__", lesson3.paint)  # the loop is checked by its result
            result = paint(loss_grad, x0, iters=s.iters, every=every, callback=callback)
        else:
            result = first_order(loss_grad, x0, s.iters, every, callback, s.optimizer, lr, lesson1.normalized_step)
    seconds = time.perf_counter() - start
    x, losses, snapshots = check_loop(result, x0, "paint", LOOP, files[2], out)
    if not (finite(losses) and finite(x)):
        loop = ("paint", LOOP, files[2]) if use == "lessons" and s.optimizer == "lbfgs" else None
        option, value = ("--ratio", f"{alpha / beta:.3g}") if s.optimizer == "lbfgs" else ("--lr", f"{lr:g}")
        raise not_finite(losses, out, option, value, loop)
    picture = images.deprocess(x)
    if s.original_colors:
        picture = check_array(lesson3.keep_colours(picture.astype(np.float32), photo), photo.shape, "keep_colours",
                              "3.5", files[2], out)
    return Painted(picture, x, losses, dict(snapshots), seconds, photo, alpha, beta, stop.requested)


def _paint_files(s: PaintSettings) -> list[Path]:
    from brushstrokes.base.outputs import OutputSet
    from brushstrokes.runs import plotting

    lang = language()
    done = paint_picture(s)
    n = max(1, len(done.losses) - 1)
    stem = Path(output_names(s)[0]).stem
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
    from brushstrokes.net.caffe_env import import_caffe

    try:
        return bool(import_caffe().check_mode_gpu())
    except AttributeError:
        return False
