"""`brushstrokes style`, lesson 2 end to end: a painting's Gram matrices, white noise, the texture loop, pictures.
What is the command's own; the rest is brushstrokes/runs/pipeline.py's.

The painting is resized to the working size (--size, its longest side) and the texture has that same size, so its
Gram matrices are compared with the painting's at the same number of positions M (E_l's 1/(4 N^2 M^2) makes it
comparable between sizes, not between different sizes of the two images). The run prints each layer's E_l for the
starting noise. The loop is the lesson's synthesize; with the reference solutions it runs with
runs/fast_style.style_loss in place of lesson 2's (one float32 Gram matrix per layer per evaluation) and numpy's
BLAS on one thread, as `paint` runs it; with `--use lessons` it is the learner's, as written.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from brushstrokes.base import threads
from brushstrokes.base.errors import fail
from brushstrokes.base.i18n import Text, language
from brushstrokes.net.layers import CONV_LAYERS, STYLE_LAYERS
from brushstrokes.runs import fast_style, pipeline, plotting, validate
from brushstrokes.runs.inputs import Input

COMMAND = "style"
WEIGHTS = ("normalised", "raw")

BAD_LAYERS = Text("--layers {value}: {problem}", "--layers {value}：{problem}")
BAD_LAYERS_TODO = Text("give conv layers separated by commas, e.g. --layers conv1_1,conv2_1,conv3_1 "
                       "(VGG19's are {layers})",
                       "用逗号分隔卷积层，例如 --layers conv1_1,conv2_1,conv3_1（VGG19 的卷积层有 {layers}）")
NO_SUCH_LAYER = Text("VGG19 has no convolution {layer}", "VGG19 没有卷积层 {layer}")
REPEATED = Text("{layer} is given twice", "{layer} 出现了两次")
EMPTY = Text("no layer given", "没有给出任何层")
BAD_WEIGHTS = Text("--weights {value}: must be normalised or raw", "--weights {value}：只能是 normalised 或 raw")
BAD_WEIGHTS_TODO = Text("use --weights normalised (the paper's, the default) or --weights raw",
                        "使用 --weights normalised（论文的做法，默认）或 --weights raw")
STARTING = Text("Synthesising the texture of {image} ({w}x{h} px) from white noise on the {weights} VGG19, "
                "layers {layers}, up to {iters} iterations ({file})",
                "从白噪声出发，在{weights} VGG19 上合成 {image}（{w}x{h} px）的纹理，层 {layers}，最多 {iters} 次迭代"
                "（{file}）")
WEIGHT_NAMES = {"normalised": Text("normalised", "归一化的"), "raw": Text("raw", "原始的")}
PER_LAYER = Text("E_l of the starting noise against the painting (share of the sum): {shares}",
                 "起点噪声相对画作的 E_l（占总和的比例）：{shares}")
SUMMARY = Text("{n} iterations in {s:.0f} s ({each:.2f} s each); style loss {first:.4g} -> {last:.4g} "
               "({share} of the start)",
               "{n} 次迭代，用时 {s:.0f} 秒（每次 {each:.2f} 秒）；"
               "风格损失 {first:.4g} -> {last:.4g}（起点的 {share}）")


def parse_layers(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """'conv1_1,conv2_1' -> ('conv1_1', 'conv2_1') in VGG19's order, or an error echoing the value."""
    text = value if isinstance(value, str) else ",".join(value)
    names = [name.strip() for name in text.split(",") if name.strip()]
    lang = language()
    problem = None
    if not names:
        problem = EMPTY(lang)
    for name in names:
        if problem is None and name not in CONV_LAYERS:
            problem = NO_SUCH_LAYER(lang, layer=name)
        if problem is None and names.count(name) > 1:
            problem = REPEATED(lang, layer=name)
    if problem is not None:
        raise fail(BAD_LAYERS, BAD_LAYERS_TODO, value=text, problem=problem, layers=", ".join(CONV_LAYERS))
    return tuple(sorted(names, key=CONV_LAYERS.index))


def output_names(image: Path, layers: tuple[str, ...], weights: str) -> tuple[str, str, str]:
    """The three files a run writes: texture, loss curve, frames (style_scream.png, style_scream_raw_loss.png...)."""
    stem = f"style_{Path(image).stem}"
    if weights != "normalised":
        stem += f"_{weights}"
    if layers != STYLE_LAYERS:
        stem += "_" + "+".join(layers)
    return f"{stem}.png", f"{stem}_loss.png", f"{stem}_frames.png"


def start_shares(lesson, F: dict, targets: dict) -> dict[str, float]:
    """{layer: E_l} of the starting image's features F against the painting's Gram matrices."""
    return {layer: float(lesson.style_layer_loss(F[layer], targets[layer])) for layer in targets}


def run_style(image: Path, layers: str | tuple[str, ...] = STYLE_LAYERS, longest: int = 128, iters: int = 200,
              lr: float | None = None, weights: str = "normalised", seed: int = 0, use: str = "solutions",
              out: Path = Path("output"), lessons_dir: Path | None = None) -> Path:
    """Synthesise `image`'s texture from white noise; write texture, loss curve and frames to `out`.

    layers: the style layers (each weighted 1/len); weights: 'normalised' (the paper's VGG19) or 'raw';
    use: 'solutions' or 'lessons' (the learner's); lessons_dir: run the lesson file in this folder instead.
    Returns the texture's path. Raises BrushstrokesError (before any work for a bad argument).
    """
    layers = parse_layers(layers)
    names = output_names(image, layers, weights)
    written = pipeline.run(style_spec(image, layers, longest, iters, lr, weights, seed, use, out, lessons_dir, names))
    return written[0].parent / names[0]


def style_spec(image: Path, layers: tuple[str, ...], longest: int, iters: int, lr: float | None, weights: str,
               seed: int, use: str, out: Path, lessons_dir: Path | None, names: tuple[str, str, str]
               ) -> pipeline.RunSpec:
    """The style command's run as the pipeline takes it (`layers` already parsed: the first check)."""
    from brushstrokes.learner.loader import display
    from brushstrokes.net import images

    painting: dict[str, object] = {}

    def check_options() -> None:
        nonlocal iters, lr, seed
        if weights not in WEIGHTS:
            raise fail(BAD_WEIGHTS, BAD_WEIGHTS_TODO, value=weights)
        iters = validate.iterations(iters)
        lr = validate.positive(lr, "--lr", most=validate.MAX_LR, example=5)
        seed = validate.seed(seed)

    def prepare(lessons: pipeline.Lessons, pictures: list, size: tuple[int, int],
                say: Callable[..., None]) -> pipeline.Prepared:
        from brushstrokes.net.vgg import features, load_vgg19

        w, h = size
        lang, lesson = language(), lessons[lessons.lesson.module]
        synthesize = lessons.loop_function()
        painting["x"] = images.preprocess(pictures[0].array(size))  # the texture's own size
        net = load_vgg19(shape=(h, w), normalised=weights == "normalised")
        x0 = images.white_noise((h, w), seed=seed)
        targets = {layer: lessons.array(lesson.gram(F), (F.shape[0],) * 2, "gram")
                   for layer, F in features(net, painting["x"], layers).items()}
        say(STARTING(lang, image=display(Path(image)), w=w, h=h, weights=WEIGHT_NAMES[weights](lang),
                     layers=",".join(layers), iters=iters, file=display(lessons.loop_file)))
        E = start_shares(lesson, features(net, x0, layers), targets)
        total = sum(E.values()) or 1.0
        say(PER_LAYER(lang, shares=", ".join(f"{k} {v:.3g} ({100 * v / total:.2g} %)" for k, v in E.items())))
        layer_weights = dict.fromkeys(layers, 1 / len(layers))
        kwargs = {} if lr is None else {"lr": lr}

        def loop(x0, stop):
            with contextlib.ExitStack() as reference_path:
                if lessons.use != "lessons":  # as `paint` runs it
                    reference_path.enter_context(threads.packaged_blas_on_one_thread())
                    reference_path.enter_context(fast_style.in_place_of_style_loss(lesson))
                return synthesize(net, targets, x0, weights=layer_weights, iters=iters, **kwargs)

        return pipeline.Prepared(x0, loop, ("--lr", lr if lr is not None else pipeline.default_lr(synthesize)))

    def write(result: pipeline.Optimised, files) -> None:
        texture_name, loss_name, frames_name = names
        images.save_image(files.path(texture_name), images.deprocess(result.x))
        plotting.plot_losses(result.losses, files.path(loss_name), title=f"style loss, {weights} VGG19",
                             ylabel="sum of w_l E_l")
        frames = {f"iteration {i}": s for i, s in sorted(result.snapshots.items())}
        frames[f"result ({len(result.losses)} it)"] = result.x
        frames["the painting"] = painting["x"]
        plotting.plot_frames(frames, files.path(frames_name), columns=min(4, len(frames)))

    return pipeline.RunSpec(COMMAND, use, lessons_dir, out, names, [Input(Path(image), "--image")], longest,
                            prepare, write, lambda result: pipeline.summary(result, SUMMARY),
                            check_options=check_options)
