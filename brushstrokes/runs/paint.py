"""`brushstrokes paint`, lesson 3 end to end: pictures in, targets, the optimiser, pictures out.

The algorithm itself (total loss, L-BFGS objective, the run, TV, colours, blending) is the lesson's:
lessons/lesson3_paint.py (`--use lessons`) or solutions/lesson3_paint.py. This module only prepares its inputs
and says which pictures a run writes; the rest (checks, Ctrl-C, NaN, whole outputs, messages) is
brushstrokes/runs/pipeline.py's. Sizes: (W, H) px; images: (1, 3, H, W) float32 Caffe blobs; pictures:
(H, W, 3) RGB 0..255.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from brushstrokes.base import threads
from brushstrokes.base.i18n import Text, language
from brushstrokes.net import images
from brushstrokes.runs import lbfgsb, pipeline, scales
from brushstrokes.runs.adam import Adam
from brushstrokes.runs.inputs import Input, Picture
from brushstrokes.runs.paint_settings import PaintSettings
from brushstrokes.runs.paint_targets import Masks, targets_at
from brushstrokes.runs.stop import KEEP_PICTURE

__all__ = ["PaintSettings", "Painted", "paint_files", "paint_picture", "working_size"]

COMMAND = "paint"
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
DONE = Text("{n} iterations in {seconds:.0f} s ({per:.2f} s each); loss {first:.4g} -> {last:.4g}",
            "{n} 次迭代，用时 {seconds:.0f} 秒（每次 {per:.2f} 秒）；损失 {first:.4g} -> {last:.4g}")
DONE_SCALES = Text("{n} iterations in {seconds:.0f} s at {k} sizes ({per:.2f} s each on average); each size's loss is "
                   "on its line above (losses at different sizes do not compare)",
                   "{n} 次迭代，在 {k} 个尺寸上用时 {seconds:.0f} 秒（平均每次 {per:.2f} 秒）；"
                   "每个尺寸的损失见上面对应的行（不同尺寸的损失不能相比）")
STOPPED = Text("stopped early by Ctrl-C after {n} iterations: the picture so far is kept",
               "已按 Ctrl-C 在 {n} 次迭代后提前停止：保留目前的图片")

GPU_MISSING = Text("--device gpu, but {reason}", "指定了 --device gpu，但{reason}")
GPU_TODO = Text("use --device cpu (or auto), or build Caffe with CUDA: `make setup CUDA=1`",
                "改用 --device cpu（或 auto），或用 CUDA 编译 Caffe：`make setup CUDA=1`")


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


def first_order(loss_grad: Callable, x0: np.ndarray, iters: int, every: int, callback: Callable, method: str,
                lr: float, step: Callable) -> tuple[np.ndarray, list[float], dict[int, np.ndarray]]:
    """Adam (runs/adam.Adam) or normalised gradient descent (lesson 1's `step`), pixels clipped to 0..255 after
    each step.

    Same conventions as the lesson's paint(): losses[k] and snapshots[k] after k iterations.
    """
    lo = (-images.MEAN_BGR)[None, :, None, None]
    hi = lo + 255
    x = np.clip(x0.astype(np.float32), lo, hi)
    adam = Adam(lr) if method == "adam" else None
    losses, snapshots = [], {0: x.copy()}
    for k in range(1, iters + 1):
        loss, grad = loss_grad(x)
        if not losses:
            losses.append(float(loss))
        x = adam.step(x, grad) if adam is not None else step(x, grad, lr)
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


def output_names(s: PaintSettings) -> list[str]:
    """The files a run writes into s.out: picture, loss curve, frames, and with --save-every each snapshot
    (iterations counted over every scale)."""
    stem = f"{Path(s.content).stem}_" + "_".join(Path(p).stem for p in s.styles)
    names = [f"{stem}.png", f"{stem}_loss.png", f"{stem}_frames.png"]
    if s.save_every:
        names += [f"{stem}_{k:04d}.png" for k in range(0, s.total_iters + 1, s.save_every)]
    return names


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


def paint_files(s: PaintSettings) -> list[Path]:
    """Paint s.content in the style of s.styles; replace the picture, loss plot and frames in s.out together.
    The pictures and s.out are checked first (their options by commands/paint.settings). Raises
    BrushstrokesError for a bad picture or folder, a learner's mistake or NaN."""
    return pipeline.run(paint_spec(s))


def paint_picture(s: PaintSettings, net=None, quiet: bool = False) -> Painted:
    """Paint s.content in the style of s.styles with the lessons of s.use (or s.lessons_dir); nothing is written
    and nothing checked before (a figure's or a benchmark's run).

    net: a VGG19 to reuse (it must have s.pooling and s.weights); quiet: no messages and no progress bar.
    What the learner's functions return is checked, and a crash in them, or a run ending with NaN, is one
    BrushstrokesError naming the function (the loop only when it is the cause).
    """
    spec = paint_spec(s, net, quiet)
    say = (lambda *a, **k: None) if quiet else print
    done, prepared, _ = pipeline.optimise(spec, s.out, None, say)
    return Painted(done.picture, done.x, done.losses, done.snapshots, done.seconds, prepared.photo,
                   *s.alpha_beta, done.stopped)


@dataclass
class PaintPrepared(pipeline.Prepared):
    """pipeline.Prepared with the photo (H, W, 3) float32 RGB at the working size."""

    photo: np.ndarray | None = None


def paint_spec(s: PaintSettings, net=None, quiet: bool = False) -> pipeline.RunSpec:
    """The paint command's run as the pipeline takes it. net: a VGG19 to reuse; quiet: no progress bar."""
    given = Masks()
    scale_runs: list[scales.ScaleRun] = []

    def check_sized(size: tuple[int, int]) -> None:
        s.style_scale = style_scale_for(s.style_scale, size)
        check_scales(s, size)
        check_masks(s, given)
        check_device(s.device)

    def prepare(lessons: pipeline.Lessons, pictures: list[Picture], size, say: Callable[..., None]
                ) -> PaintPrepared:
        return prepare_painting(s, lessons, pictures, say, net, quiet, given, scale_runs)

    def write(done: pipeline.Optimised, files) -> None:
        write_pictures(s, done, files)

    def summary(done: pipeline.Optimised) -> list[str]:
        lang, n = language(), iterations(done)
        lines = [STOPPED(lang, n=n)] if done.stopped else []
        if s.scales:
            return [*lines, *scales.summary(scale_runs, lang),
                    DONE_SCALES(lang, n=n, seconds=done.seconds, k=len(scale_runs), per=done.seconds / n)]
        return [*lines, DONE(lang, n=n, seconds=done.seconds, per=done.seconds / n, first=done.losses[0],
                             last=done.losses[-1])]

    inputs = [Input(Path(s.content), "CONTENT"), *(Input(Path(p), "STYLE") for p in s.styles)]
    return pipeline.RunSpec(COMMAND, s.use, s.lessons_dir, s.out, output_names(s), inputs, s.size, prepare, write,
                            summary, check_sized=check_sized, stop_message=KEEP_PICTURE, shown=str, listed=3,
                            options=s.controls)


def check_scales(s: PaintSettings, size: tuple[int, int]) -> None:
    """Each scale of --scales gives VGG19 enough px on each side (the last one is `size` (W, H), already checked)."""
    from brushstrokes.runs import validate

    for side in s.scales[:-1]:
        validate.fitted_size(size, side, s.content, "--scales")


def check_masks(s: PaintSettings, given: Masks) -> None:
    """--content-mask and --style-masks read and checked (runs/masks.py) into `given`, before any work."""
    from brushstrokes.runs import masks

    if s.content_mask is not None:
        given.content = masks.content_mask(Path(s.content_mask))
        given.styles = [masks.style_mask(Path(p)) for p in s.style_masks] or [None] * len(s.styles)


def style_scale_for(scale: float, size: tuple[int, int], option: str = "--style-scale") -> float:
    """--style-scale for a photo of working size `size` (W, H): the painting at most images.MAX_SIDE px."""
    from brushstrokes.runs import validate

    return validate.positive(scale, option, example=1, most=round(images.MAX_SIDE / max(size), 2))


def check_device(device: str) -> None:
    """--device gpu only where Caffe can use a GPU."""
    if device == "gpu":
        from brushstrokes.base.errors import fail
        from brushstrokes.net.caffe_env import gpu_status

        usable, reason = gpu_status()
        if not usable:
            raise fail(GPU_MISSING, GPU_TODO, reason=reason)


def iterations(done: pipeline.Optimised) -> int:
    """The iterations a run made (losses[0] is the start's loss), at least 1."""
    return max(1, len(done.losses) - 1)


def prepare_painting(s: PaintSettings, lessons: pipeline.Lessons, pictures: list[Picture], say: Callable[..., None],
                     net=None, quiet: bool = False, given: Masks | None = None,
                     scale_runs: list[scales.ScaleRun] | None = None) -> PaintPrepared:
    """The photo and paintings at their sizes, the net, the targets, the loss and the optimiser of a run; with
    --scales, its coarse-to-fine loop (what each scale did is appended to `scale_runs`). given: the checked masks."""
    from brushstrokes.learner.loader import display
    from brushstrokes.net.vgg import load_vgg19

    lang = language()
    given = given if given is not None else Masks()
    if s.content_mask is not None and given.content is None:  # a run without the checks (paint_picture)
        check_masks(s, given)
    content_picture, *style_pictures = pictures
    original = content_picture.size
    w, h = working_size(original, s.size)
    if max(original) != max(w, h):
        say(RESIZED(lang, what=s.content, w0=original[0], h0=original[1], w=w, h=h, size=s.size))
    sizes = scales.sizes((w, h), [side for side, _ in s.schedule])
    if net is None:
        net = load_vgg19(pooling=s.pooling, shape=(sizes[0][1], sizes[0][0]), normalised=s.weights == "normalised")
    device = "GPU" if _on_gpu() else "CPU"

    def targets(size: tuple[int, int]):
        return targets_at(s, lessons, net, content_picture, style_pictures, given, size)

    first = targets(sizes[0])
    x0 = initial_image(s.init, first.content, first.paintings[0], s.seed)
    styles = ", ".join(str(p) for p in s.styles)
    say(STARTING(lang, content=s.content, w=w, h=h, styles=styles, optimizer=s.optimizer, iters=s.total_iters,
                 ratio=alpha_over_beta(s), weights=s.weights, pooling=s.pooling, device=device,
                 file=display(lessons.loop_file)), flush=True)
    lr = s.lr if s.lr is not None else (2.0 if s.optimizer == "adam" else 1.0)
    reference = lessons.use == "solutions" and lbfgsb.available()  # loads SciPy's BLAS before threads are set below
    normalized_step = lessons.function("normalized_step")
    loop_function = lessons.loop_function()

    def optimiser(loss_grad: Callable, x0: np.ndarray, iters: int, every: int, callback: Callable) -> object:
        if s.optimizer == "lbfgs" and reference:
            return reference_lbfgs(loss_grad, x0, iters, every, callback)
        if s.optimizer == "lbfgs":
            return loop_function(loss_grad, x0, iters=iters, every=every, callback=callback)
        return first_order(loss_grad, x0, iters, every, callback, s.optimizer, lr, normalized_step)

    def run(loss_grad: Callable, x0: np.ndarray, iters: int, every: int, stop, desc: str = "painting",
            seen: Callable[[int, np.ndarray], None] | None = None) -> object:
        """One optimisation with its progress bar; seen(k, x) after each iteration k."""
        from tqdm import tqdm

        with tqdm(total=iters, desc=desc, unit="it", leave=False, disable=True if quiet else None) as bar:
            def callback(k: int, x: np.ndarray, loss: float) -> bool:
                bar.update(1)
                bar.set_postfix(loss=f"{loss:.4g}")
                if seen is not None:
                    seen(k, x)
                return stop.requested

            return optimiser(loss_grad, x0, iters, every, callback)

    blas = threads.packaged_blas_on_one_thread if reference else contextlib.nullcontext
    if not s.scales:
        every = s.save_every or max(1, s.iters // 5)

        def loop(x0: np.ndarray, stop) -> object:
            with blas():
                return run(first.loss_grad, x0, s.iters, every, stop)
    else:
        loop = coarse_to_fine_loop(s, lessons, sizes, first, targets, run, say, blas,
                                   scale_runs if scale_runs is not None else [])

    photo = first.photo if len(sizes) == 1 else content_picture.array(sizes[-1])

    def picture(x: np.ndarray) -> np.ndarray:
        painted = images.deprocess(x)
        if not (s.original_colors or s.colour == "luminance"):
            return painted
        keep_colours = lessons.function("keep_colours")
        return lessons.array(keep_colours(painted.astype(np.float32), photo), photo.shape, "keep_colours")

    step = ("--ratio", f"{alpha_over_beta(s):.3g}") if s.optimizer == "lbfgs" else ("--lr", f"{lr:g}")
    return PaintPrepared(x0, loop, step, blame_loop=s.optimizer == "lbfgs", picture=picture, photo=photo,
                         shape=(1, 3, sizes[-1][1], sizes[-1][0]))


def alpha_over_beta(s: PaintSettings) -> float:
    alpha, beta = s.alpha_beta
    return alpha / beta


def coarse_to_fine_loop(s: PaintSettings, lessons: pipeline.Lessons, sizes: list[tuple[int, int]], first,
                        targets: Callable, run: Callable, say: Callable[..., None], blas: Callable,
                        scale_runs: list[scales.ScaleRun]) -> Callable:
    """The loop of a --scales run: lesson 4's coarse_to_fine (4.4) over the scales' shapes, with a paint_at that
    builds the targets at that size and runs the optimiser for that scale's iterations. What each scale did goes
    into `scale_runs`; snapshots are counted over every scale and brought to the final size with 4.3's upsample.
    After the first Ctrl-C, the scales left return their start at once (coarse_to_fine upsamples it)."""
    import time

    from brushstrokes.learner.result_checks import check_loop

    lang, schedule = language(), s.schedule
    shapes = scales.shapes(sizes)
    final = (1, 3, *shapes[-1])
    every = s.save_every or max(1, s.total_iters // 5)
    coarse_to_fine, upsample = lessons.function("coarse_to_fine"), lessons.function("upsample")
    loop = lessons.loop

    def upsampled(x: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        return lessons.array(upsample(x, shape), (1, 3, *shape), "upsample")

    def loop_of(x0: np.ndarray, stop) -> object:
        snapshots: dict[int, np.ndarray] = {0: x0.copy()}
        done = [0]  # iterations of the scales before this one

        def paint_at(shape: tuple[int, int], x: np.ndarray) -> scales.Scaled:
            i = len(scale_runs)
            if stop.requested or i >= len(sizes):
                scale_runs.append(scales.ScaleRun((int(shape[1]), int(shape[0])), [], 0.0))
                return scales.Scaled(x, [], {})
            x = lessons.array(x, (1, 3, *shapes[i]), "coarse_to_fine")
            size, iters = sizes[i], schedule[i][1]
            say(scales.SCALE(lang, i=i + 1, n=len(sizes), w=size[0], h=size[1], iters=iters), flush=True)
            start = time.perf_counter()
            t = first if i == 0 else targets(size)

            def seen(k: int, xk: np.ndarray) -> None:
                if (done[0] + k) % every == 0:
                    snapshots[done[0] + k] = xk.copy()

            result = run(t.loss_grad, x, iters, iters + 1, stop, f"painting {size[0]}x{size[1]}", seen)
            xs, losses, _ = check_loop(result, x, loop.function, loop.id, lessons.loop_file, lessons.out)
            scale_runs.append(scales.ScaleRun(size, losses, time.perf_counter() - start))
            done[0] += scale_runs[-1].iterations
            return scales.Scaled(xs, losses, {})

        with blas():
            results = coarse_to_fine(paint_at, shapes, x0)
        if not isinstance(results, list | tuple) or len(results) != len(shapes):
            raise lessons.wrong(results, f"[paint_at's result] * {len(shapes)}", "coarse_to_fine")
        x = getattr(results[-1], "x", None)
        x = lessons.array(x, final, "coarse_to_fine")
        return scales.joined(scale_runs, x, snapshots, upsampled)

    return loop_of


def write_pictures(s: PaintSettings, done: pipeline.Optimised, files) -> None:
    """The picture, its loss curve and frames (and with --save-every each snapshot) into the OutputSet `files`."""
    from brushstrokes.runs import plotting

    n = iterations(done)
    stem = Path(output_names(s)[0]).stem
    alpha, beta = s.alpha_beta
    frames = {f"iteration {k}": snap for k, snap in sorted(done.snapshots.items())}
    frames[f"result ({n} it)"] = images.preprocess(np.asarray(done.picture, dtype=np.float32))
    images.save_image(files.path(f"{stem}.png"), done.picture)
    in_turn = f", at {','.join(map(str, s.scales))} px in turn" if s.scales else ""  # each scale starts higher
    title = f"alpha L_content + beta L_style\nalpha/beta = {alpha / beta:.3g}{in_turn}"  # two lines: the plot's width
    plotting.plot_losses(done.losses, files.path(f"{stem}_loss.png"), title=title)
    plotting.plot_frames(frames, files.path(f"{stem}_frames.png"), columns=min(4, len(frames)))
    if s.save_every:
        for k, snap in sorted(done.snapshots.items()):
            images.save_image(files.path(f"{stem}_{k:04d}.png"), images.deprocess(snap))

def _on_gpu() -> bool:
    from brushstrokes.net.caffe_env import import_caffe

    try:
        return bool(import_caffe().check_mode_gpu())
    except AttributeError:
        return False
