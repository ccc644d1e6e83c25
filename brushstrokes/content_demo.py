"""Lesson 1 end to end: the cat's conv4_2 features, white noise, gradient descent, pictures.

Every argument is checked before any work; the learner's reconstruct (exercise 1.4) is checked for what it
returns; the three pictures replace the old ones together, and only when the run ended with finite numbers.
"""

from __future__ import annotations

import inspect
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from brushstrokes import images, plotting, validate
from brushstrokes.course import find
from brushstrokes.course.model import Text
from brushstrokes.errors import BrushstrokesError
from brushstrokes.guards import finite, guarded
from brushstrokes.i18n import language
from brushstrokes.loader import display, learner_frame, lesson_path, load_lesson
from brushstrokes.outputs import OutputSet, remove_leftovers
from brushstrokes.paths import ROOT
from brushstrokes.vgg import CONV_LAYERS, features, load_vgg19

MODULE = "lesson1_content"
LOOP = "1.4"  # the exercise whose function runs the whole reconstruction
LEFTOVER_AGE = 600  # s: temporary pictures older than this were left by a killed run

UNKNOWN_LAYER = Text("--layer {layer}: VGG19 has no such convolution", "--layer {layer}：VGG19 没有这个卷积层")
UNKNOWN_LAYER_TODO = Text("use one of {layers}", "请使用其中之一：{layers}")
NOT_FINISHED = Text("{file} is not finished: {function} (exercise {id}) still raises NotImplementedError",
                    "{file} 还没有完成：{function}（练习 {id}）仍然抛出 NotImplementedError")
NOT_FINISHED_TODO = Text("fill it in, check it with `brushstrokes check {id}`, "
                         "then run this again",
                         "完成它，用 `brushstrokes check {id}` 检查，然后再运行一次")
NO_FUNCTION = Text("{file} has no function {function} (exercise {id})", "{file} 中没有函数 {function}（练习 {id}）")
NO_FUNCTION_TODO = Text("put it back: {original} holds the original stub",
                        "把它加回来：{original} 中有原来的练习桩")
ORIGINAL_IN_GIT = Text("`git show HEAD:{file}` (prints it, without touching your file)",
                       "`git show HEAD:{file}`（只显示，不会改动你的文件）")
ORIGINAL_COPY = Text("the project's {file}", "项目中的 {file}")
RAISED = Text("{file} line {line}, in {function} (exercise {id}): {error}",
              "{file} 第 {line} 行，{function}（练习 {id}）：{error}")
RAISED_TODO = Text("fix that line (`brushstrokes check {id}` shows more), then run this again; "
                   "the old pictures in {out} are untouched",
                   "改正这一行（`brushstrokes check {id}` 会给出更多信息），然后再运行一次；{out} 中原来的图片没有改动")
BAD_RESULT = Text("{file}: reconstruct (exercise {id}) {problem}; it must return Reconstruction(x, losses, snapshots)",
                  "{file}：reconstruct（练习 {id}）{problem}；它必须返回 Reconstruction(x, losses, snapshots)")
BAD_RESULT_TODO = Text("fix it, check it with `brushstrokes check {id}`, then run this again; "
                       "the old pictures in {out} are untouched",
                       "改正它，用 `brushstrokes check {id}` 检查，然后再运行一次；{out} 中原来的图片没有改动")
PROBLEMS = {
    "none": Text("returned None (is its `return` missing?)", "返回了 None（是不是少了 `return`？）"),
    "not3": Text("returned {what}, not three values", "返回了 {what}，而不是三个值"),
    "order": Text("returned its three values in another order", "返回的三个值顺序不对"),
    "x": Text("returned x as {what}, not as an array of x0's shape {shape}",
              "返回的 x 是 {what}，而不是与 x0 形状相同（{shape}）的数组"),
    "losses": Text("returned {what} as losses; they must be a list of numbers, one per iteration",
                   "返回的 losses 是 {what}；它必须是数字列表，每次迭代一个"),
    "no_losses": Text("returned no losses (append content_loss(F, P) in every iteration)",
                      "没有返回任何损失（每次迭代都要追加 content_loss(F, P)）"),
    "snapshots": Text("returned {what} as snapshots; they must be a dict {{iteration: image shaped like x0}}",
                      "返回的 snapshots 是 {what}；它必须是字典 {{迭代: 与 x0 形状相同的图像}}"),
}
NOT_FINITE_LEARNER = Text("the run ended with {what} at iteration {i}, though content_loss, content_grad and "
                          "normalized_step each returned finite values from finite inputs: look at reconstruct "
                          "(exercise {id}) in {file}",
                          "运行在第 {i} 次迭代以 {what} 结束，而 content_loss、content_grad 和 normalized_step "
                          "对有限的输入都返回了有限的值：请检查 {file} 中的 reconstruct（练习 {id}）")
NOT_FINITE_LEARNER_TODO = Text("`brushstrokes check {id}` shows what is off; the old pictures in {out} are untouched",
                               "`brushstrokes check {id}` 会指出问题所在；{out} 中原来的图片没有改动")
NOT_FINITE = Text("the run ended with {what} at iteration {i}", "运行在第 {i} 次迭代以 {what} 结束")
NOT_FINITE_TODO = Text("try a smaller --lr (this run: {lr}) and run `brushstrokes doctor` to check the weights; "
                       "the old pictures in {out} are untouched",
                       "试试更小的 --lr（这次是 {lr}），并运行 `brushstrokes doctor` 检查权重；"
                       "{out} 中原来的图片没有改动")
WHAT_NAN = Text("a NaN or inf loss", "NaN 或 inf 损失")
WHAT_IMAGE = Text("NaN or inf in the image", "图像中有 NaN 或 inf")
STARTING = Text("Finding the content of {image} ({w}x{h} px) from white noise through VGG19 {layer}, "
                "up to {iters} iterations ({file})",
                "从白噪声出发，通过 VGG19 {layer} 寻找 {image}（{w}x{h} px）的内容，最多 {iters} 次迭代"
                "（{file}）")
SUMMARY = Text("{n} iterations in {s:.0f} s ({each:.2f} s each); loss {first:.4g} -> {last:.4g} ({share} of the start)",
               "{n} 次迭代，用时 {s:.0f} 秒（每次 {each:.2f} 秒）；损失 {first:.4g} -> {last:.4g}（起点的 {share}）")
WROTE = Text("wrote {files}", "已写入 {files}")


def _fail(message: Text, todo: Text, **fields: object) -> BrushstrokesError:
    lang = language()
    return BrushstrokesError(message(lang, **fields), todo(lang, **fields))


def picture_names(layer: str) -> tuple[str, str, str]:
    """The three files a run writes into --out: result, loss curve, frames."""
    stem = f"content_{layer}"
    return f"{stem}.png", f"{stem}_loss.png", f"{stem}_frames.png"


def exercise_of(function: str) -> str:
    """The exercise id whose function this is ('1.2' for content_grad); the loop's for a helper."""
    found = [ex for ex in find(function) if ex.id.startswith("1.")]
    return found[0].id if found else LOOP


def describe(value: Any) -> str:
    """A short description of a value: 'an array of shape (1, 3, 8, 8)', 'a list of 2', 'None'."""
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, list | tuple | dict):
        return f"a {type(value).__name__} of {len(value)}"
    return "None" if value is None else f"a {type(value).__name__}"


def check_result(result: Any, x0: np.ndarray, file: str, out: Path) -> tuple[np.ndarray, list[float], dict]:
    """reconstruct's result as (x (1, 3, H, W), losses, snapshots), or an error naming exercise 1.4."""

    def bad(problem: str, **fields: object) -> BrushstrokesError:
        lang = language()
        return _fail(BAD_RESULT, BAD_RESULT_TODO, file=file, id=LOOP, out=out,
                     problem=PROBLEMS[problem](lang, **fields))

    if result is None:
        raise bad("none")
    if not isinstance(result, tuple | list) or len(result) != 3:
        raise bad("not3", what=describe(result))
    x, losses, snapshots = result
    if not (isinstance(x, np.ndarray) and x.shape == x0.shape):
        if isinstance(losses, np.ndarray) and losses.shape == x0.shape or isinstance(x, list | dict):
            raise bad("order")
        raise bad("x", what=describe(x), shape=x0.shape)
    if not isinstance(losses, list | tuple | np.ndarray) or np.ndim(losses) != 1:
        raise bad("losses", what=describe(losses))
    try:
        losses = [float(v) for v in losses]
    except (TypeError, ValueError):
        raise bad("losses", what=describe(losses)) from None
    if not losses:
        raise bad("no_losses")
    if not isinstance(snapshots, dict) or not all(
            isinstance(s, np.ndarray) and s.shape == x0.shape for s in snapshots.values()):
        raise bad("snapshots", what=describe(snapshots))
    return x, losses, snapshots


def default_lr(reconstruct: Any) -> object:
    """The step size reconstruct uses when --lr is not given (its default argument)."""
    try:
        return inspect.signature(reconstruct).parameters["lr"].default
    except (KeyError, TypeError, ValueError):
        return "?"


def learner_lesson(use: str, folder: Path | None = None) -> tuple[ModuleType, Any, Path]:
    """The lesson module (NaN-guarded when it is the learner's), its reconstruct, and its file.

    folder: another folder of lesson files (--lessons-dir) instead of lessons/ or solutions/.
    """
    lesson = load_lesson(MODULE, use=use, folder=folder)
    path = lesson_path(MODULE, use, folder)
    file = display(path)
    if use == "lessons":
        guarded(lesson)
    reconstruct = getattr(lesson, "reconstruct", None)
    if not callable(reconstruct):
        lang = language()
        inside = path.is_relative_to(ROOT)
        original = (ORIGINAL_IN_GIT(lang, file=path.relative_to(ROOT)) if inside
                    else ORIGINAL_COPY(lang, file=f"lessons/{MODULE}.py"))
        raise _fail(NO_FUNCTION, NO_FUNCTION_TODO, file=file, function="reconstruct", id=LOOP, original=original)
    # the loop itself is checked by what it returns: only the functions it calls are guarded
    return lesson, getattr(reconstruct, "__wrapped__", reconstruct), path


def run_content(image: Path, longest: int = 128, layer: str = "conv4_2", iters: int = 200, lr: float | None = None,
                seed: int = 0, use: str = "solutions", out: Path = Path("output"),
                lessons_dir: Path | None = None) -> Path:
    """Reconstruct `image` from its `layer` features starting from white noise; write three pictures to `out`.

    use: 'solutions' or 'lessons' (the learner's); lessons_dir: run the lesson file in this folder instead.
    Returns the result picture's path. Raises BrushstrokesError (before any work for a bad argument).
    """
    if layer not in CONV_LAYERS:
        raise _fail(UNKNOWN_LAYER, UNKNOWN_LAYER_TODO, layer=layer, layers=", ".join(CONV_LAYERS))
    iters = validate.count(iters, "--iters", example=200)
    lr = validate.positive(lr, "--lr", most=validate.MAX_LR, example=2)
    seed = validate.seed(seed)
    validate.image_file(image)
    h, w = validate.working_size(image, longest)
    names = picture_names(layer)
    out = validate.out_folder(out, names=names)
    shown_out = display(out)
    remove_leftovers(out, older_than=LEFTOVER_AGE)

    if lessons_dir is not None:
        use = "lessons"
    lesson, reconstruct, path = learner_lesson(use, lessons_dir)
    file = display(path)
    target = images.preprocess(images.load_image(image, longest=longest))
    net = load_vgg19(shape=(h, w))
    P = features(net, target, (layer,))[layer]
    x0 = images.white_noise((h, w), seed=seed)
    lang = language()
    print(STARTING(lang, image=display(Path(image)), w=w, h=h, layer=layer, iters=iters, file=file))
    start = time.perf_counter()
    kwargs = {} if lr is None else {"lr": lr}
    try:
        result = reconstruct(net, P, x0, layer=layer, iters=iters, **kwargs)
    except BrushstrokesError:
        raise
    except Exception as exc:
        frame = learner_frame(exc.__traceback__, path)
        if frame is None:
            raise
        function, line, _ = frame
        if isinstance(exc, NotImplementedError):
            raise _fail(NOT_FINISHED, NOT_FINISHED_TODO, file=file, function=function,
                        id=exercise_of(function)) from exc
        if use != "lessons":
            raise
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
        raise _fail(RAISED, RAISED_TODO, file=file, line=line, function=function, id=exercise_of(function),
                    error=error, out=shown_out) from exc
    seconds = time.perf_counter() - start
    x, losses, snapshots = check_result(result, x0, file, shown_out)
    if not (finite(losses) and finite(x)):
        bad = next((i for i, v in enumerate(losses) if not np.isfinite(v)), len(losses) - 1)
        what = (WHAT_NAN if not finite(losses) else WHAT_IMAGE)(lang)
        if use == "lessons":
            raise _fail(NOT_FINITE_LEARNER, NOT_FINITE_LEARNER_TODO, what=what, i=bad, id=LOOP, file=file,
                        out=shown_out)
        raise _fail(NOT_FINITE, NOT_FINITE_TODO, what=what, i=bad, lr=lr if lr is not None else default_lr(reconstruct),
                    out=shown_out)

    result_name, loss_name, frames_name = names
    with OutputSet(out) as files:
        images.save_image(files.path(result_name), images.deprocess(x))
        plotting.plot_losses(losses, files.path(loss_name), title=f"content loss at {layer}")
        frames = plotting.progress_frames(snapshots, x, len(losses), target)
        plotting.plot_frames(frames, files.path(frames_name), columns=min(4, len(frames)))
    share = f"{losses[-1] / losses[0]:.1%}" if losses[0] else "-"
    print(SUMMARY(lang, n=len(losses), s=seconds, each=seconds / len(losses), first=losses[0], last=losses[-1],
                  share=share))
    print(WROTE(lang, files=", ".join(display(p) for p in files.written)))
    return out / result_name
