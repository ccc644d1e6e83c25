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

from brushstrokes.base.errors import fail
from brushstrokes.base.i18n import Text, language
from brushstrokes.base.outputs import OutputSet, remove_leftovers
from brushstrokes.base.paths import ROOT
from brushstrokes.learner.guards import finite, guarded
from brushstrokes.learner.loader import display, lesson_path, load_lesson
from brushstrokes.learner.result_checks import check_loop, learner_code
from brushstrokes.net import images
from brushstrokes.net.layers import CONV_LAYERS
from brushstrokes.net.vgg import features, load_vgg19
from brushstrokes.runs import plotting, validate

MODULE = "lesson1_content"
LOOP = "1.4"  # the exercise whose function runs the whole reconstruction
LEFTOVER_AGE = 600  # s: temporary pictures older than this were left by a killed run

UNKNOWN_LAYER = Text("--layer {layer}: VGG19 has no such convolution", "--layer {layer}：VGG19 没有这个卷积层")
UNKNOWN_LAYER_TODO = Text("use one of {layers}", "请使用其中之一：{layers}")
NO_FUNCTION = Text("{file} has no function {function} (exercise {id})", "{file} 中没有函数 {function}（练习 {id}）")
NO_FUNCTION_TODO = Text("put it back: {original} holds the original stub",
                        "把它加回来：{original} 中有原来的练习桩")
ORIGINAL_IN_GIT = Text("`git show HEAD:{file}` (prints it, without touching your file)",
                       "`git show HEAD:{file}`（只显示，不会改动你的文件）")
ORIGINAL_COPY = Text("the project's {file}", "项目中的 {file}")
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


def picture_names(layer: str) -> tuple[str, str, str]:
    """The three files a run writes into --out: result, loss curve, frames."""
    stem = f"content_{layer}"
    return f"{stem}.png", f"{stem}_loss.png", f"{stem}_frames.png"


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
        raise fail(NO_FUNCTION, NO_FUNCTION_TODO, file=file, function="reconstruct", id=LOOP, original=original)
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
        raise fail(UNKNOWN_LAYER, UNKNOWN_LAYER_TODO, layer=layer, layers=", ".join(CONV_LAYERS))
    iters = validate.iterations(iters)
    lr = validate.step_size(lr)
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
    with learner_code((path,), shown_out, LOOP):
        result = reconstruct(net, P, x0, layer=layer, iters=iters, **kwargs)
    seconds = time.perf_counter() - start
    x, losses, snapshots = check_loop(result, x0, "reconstruct", LOOP, path, shown_out)
    if not (finite(losses) and finite(x)):
        bad = next((i for i, v in enumerate(losses) if not np.isfinite(v)), len(losses) - 1)
        what = (WHAT_NAN if not finite(losses) else WHAT_IMAGE)(lang)
        if use == "lessons":
            raise fail(NOT_FINITE_LEARNER, NOT_FINITE_LEARNER_TODO, what=what, i=bad, id=LOOP, file=file,
                        out=shown_out)
        raise fail(NOT_FINITE, NOT_FINITE_TODO, what=what, i=bad, lr=lr if lr is not None else default_lr(reconstruct),
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
