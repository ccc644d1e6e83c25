"""`brushstrokes content`, lesson 1 end to end: the cat's features at one layer, white noise, the lesson's loop,
the result, its loss curve and frames. What is the command's own; the rest is brushstrokes/runs/pipeline.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from brushstrokes.base.errors import fail
from brushstrokes.base.i18n import Text, language
from brushstrokes.net.layers import CONV_LAYERS
from brushstrokes.runs import pipeline, plotting, validate
from brushstrokes.runs.inputs import Input

COMMAND = "content"

UNKNOWN_LAYER = Text("--layer {layer}: VGG19 has no such convolution", "--layer {layer}：VGG19 没有这个卷积层")
UNKNOWN_LAYER_TODO = Text("use one of {layers}", "请使用其中之一：{layers}")
STARTING = Text("Finding the content of {image} ({w}x{h} px) from white noise through VGG19 {layer}, "
                "up to {iters} iterations ({file})",
                "从白噪声出发，通过 VGG19 {layer} 寻找 {image}（{w}x{h} px）的内容，最多 {iters} 次迭代"
                "（{file}）")
SUMMARY = Text("{n} iterations in {s:.0f} s ({each:.2f} s each); loss {first:.4g} -> {last:.4g} ({share} of the start)",
               "{n} 次迭代，用时 {s:.0f} 秒（每次 {each:.2f} 秒）；损失 {first:.4g} -> {last:.4g}（起点的 {share}）")


def picture_names(layer: str) -> tuple[str, str, str]:
    """The three files a run writes into --out: result, loss curve, frames."""
    stem = f"content_{layer}"
    return f"{stem}.png", f"{stem}_loss.png", f"{stem}_frames.png"


def check_layer(layer: str) -> None:
    """--layer: one of VGG19's convolutions."""
    if layer not in CONV_LAYERS:
        raise fail(UNKNOWN_LAYER, UNKNOWN_LAYER_TODO, layer=layer, layers=", ".join(CONV_LAYERS))


def run_content(image: Path, longest: int = 128, layer: str = "conv4_2", iters: int = 200, lr: float | None = None,
                seed: int = 0, use: str = "solutions", out: Path = Path("output"),
                lessons_dir: Path | None = None) -> Path:
    """Reconstruct `image` from its `layer` features starting from white noise; write three pictures to `out`.

    use: 'solutions' or 'lessons' (the learner's); lessons_dir: run the lesson file in this folder instead.
    Returns the result picture's path. Raises BrushstrokesError (before any work for a bad argument).
    """
    names = picture_names(layer)
    spec = content_spec(image, longest, layer, iters, lr, seed, use, out, lessons_dir, names)
    written = pipeline.run(spec)
    return written[0].parent / names[0]


def content_spec(image: Path, longest: int, layer: str, iters: int, lr: float | None, seed: int, use: str,
                 out: Path, lessons_dir: Path | None, names: tuple[str, str, str]) -> pipeline.RunSpec:
    """The content command's run as the pipeline takes it."""
    from brushstrokes.learner.loader import display
    from brushstrokes.net import images

    target: dict[str, Any] = {}

    def check_options() -> None:
        nonlocal iters, lr, seed
        check_layer(layer)
        iters = validate.iterations(iters)
        lr = validate.step_size(lr)
        seed = validate.seed(seed)

    def prepare(lessons: pipeline.Lessons, pictures: list, size: tuple[int, int],
                say: Callable[..., None]) -> pipeline.Prepared:
        from brushstrokes.net.vgg import features, load_vgg19

        w, h = size
        reconstruct = lessons.loop_function()
        target["x"] = images.preprocess(pictures[0].array(size))
        net = load_vgg19(shape=(h, w))
        P = features(net, target["x"], (layer,))[layer]
        x0 = images.white_noise((h, w), seed=seed)
        say(STARTING(language(), image=display(Path(image)), w=w, h=h, layer=layer, iters=iters,
                     file=display(lessons.loop_file)))
        kwargs = {} if lr is None else {"lr": lr}

        def loop(x0, stop):
            return reconstruct(net, P, x0, layer=layer, iters=iters, **kwargs)

        step = lr if lr is not None else pipeline.default_lr(reconstruct)
        return pipeline.Prepared(x0, loop, ("--lr", step), named_calls=True)

    def write(result: pipeline.Optimised, files) -> None:
        result_name, loss_name, frames_name = names
        images.save_image(files.path(result_name), images.deprocess(result.x))
        plotting.plot_losses(result.losses, files.path(loss_name), title=f"content loss at {layer}")
        frames = plotting.progress_frames(result.snapshots, result.x, len(result.losses), target["x"])
        plotting.plot_frames(frames, files.path(frames_name), columns=min(4, len(frames)))

    return pipeline.RunSpec(COMMAND, use, lessons_dir, out, names, [Input(Path(image), "--image")], longest,
                            prepare, write, lambda result: pipeline.summary(result, SUMMARY),
                            check_options=check_options, point_to_original=True)
