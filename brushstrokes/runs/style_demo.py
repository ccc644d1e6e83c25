"""Lesson 2 end to end: a painting's Gram matrices, white noise, the texture loop, pictures.

Every argument is checked before any work. The painting is resized to the working size (--size, its longest
side) and the texture has that same size, so its Gram matrices are compared with the painting's at the same
number of positions M (E_l's 1/(4 N^2 M^2) makes it comparable between sizes, not between different sizes of
the two images). The run prints each layer's E_l for the starting noise, writes the texture, its loss curve
and frames, and replaces the old ones together, only when the run ended with finite numbers.
"""

from __future__ import annotations

import time
from pathlib import Path
from types import ModuleType

import numpy as np

from brushstrokes.base.errors import fail
from brushstrokes.base.i18n import Text, language
from brushstrokes.base.outputs import OutputSet, remove_leftovers
from brushstrokes.learner.guards import finite, guarded
from brushstrokes.learner.loader import display, lesson_path, load_lesson
from brushstrokes.learner.result_checks import check_array, check_loop, learner_code, not_finite, require
from brushstrokes.net import images
from brushstrokes.net.layers import CONV_LAYERS, STYLE_LAYERS
from brushstrokes.net.vgg import features, load_vgg19
from brushstrokes.runs import plotting, validate
from brushstrokes.runs.content_demo import default_lr

MODULE = "lesson2_style"
LOOP = "2.6"
WEIGHTS = ("normalised", "raw")
LEFTOVER_AGE = 600  # s: temporary pictures older than this were left by a killed run
FUNCTIONS = {"gram": "2.1", "style_layer_loss": "2.2", "style_layer_grad": "2.3", "style_loss": "2.4",
             "backward_sweep": "2.5", "synthesize": "2.6"}

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
WROTE = Text("wrote {files}", "已写入 {files}")


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


def lesson_module(use: str, folder: Path | None) -> tuple[ModuleType, Path]:
    """The lesson module (NaN-guarded when it is the learner's) with every function of lesson 2, and its file."""
    lesson = load_lesson(MODULE, use=use, folder=folder)
    path = lesson_path(MODULE, use, folder)
    require(lesson, path, FUNCTIONS)
    if use == "lessons":
        guarded(lesson)
    return lesson, path


def start_shares(lesson: ModuleType, F: dict[str, np.ndarray], targets: dict[str, np.ndarray]) -> dict[str, float]:
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
    if weights not in WEIGHTS:
        raise fail(BAD_WEIGHTS, BAD_WEIGHTS_TODO, value=weights)
    iters = validate.iterations(iters)
    lr = validate.positive(lr, "--lr", most=validate.MAX_LR, example=5)
    seed = validate.seed(seed)
    validate.image_file(image)
    h, w = validate.working_size(image, longest)
    names = output_names(image, layers, weights)
    out = validate.out_folder(out, names=names)
    shown_out = display(out)
    remove_leftovers(out, older_than=LEFTOVER_AGE)

    if lessons_dir is not None:
        use = "lessons"
    lesson, path = lesson_module(use, lessons_dir)
    file = display(path)
    painting = images.preprocess(images.load_image(image, longest=longest))  # the texture's own size: (h, w)
    net = load_vgg19(shape=(h, w), normalised=weights == "normalised")
    x0 = images.white_noise((h, w), seed=seed)
    lang = language()
    synthesize = getattr(lesson.synthesize, "__wrapped__", lesson.synthesize)  # the loop is checked by its result
    with learner_code((path,), shown_out, LOOP):
        targets = {layer: check_array(lesson.gram(F), (F.shape[0],) * 2, "gram", FUNCTIONS["gram"], path, shown_out)
                   for layer, F in features(net, painting, layers).items()}
        print(STARTING(lang, image=display(Path(image)), w=w, h=h, weights=WEIGHT_NAMES[weights](lang),
                       layers=",".join(layers), iters=iters, file=file))
        E = start_shares(lesson, features(net, x0, layers), targets)
        total = sum(E.values()) or 1.0
        print(PER_LAYER(lang, shares=", ".join(f"{k} {v:.3g} ({100 * v / total:.2g} %)" for k, v in E.items())))
        start = time.perf_counter()
        kwargs = {} if lr is None else {"lr": lr}
        result = synthesize(net, targets, x0, weights=dict.fromkeys(layers, 1 / len(layers)), iters=iters, **kwargs)
    seconds = time.perf_counter() - start
    x, losses, snapshots = check_loop(result, x0, "synthesize", LOOP, path, shown_out)
    if not (finite(losses) and finite(x)):
        raise not_finite(losses, shown_out, "--lr", lr if lr is not None else default_lr(synthesize),
                         (("synthesize", LOOP, path) if use == "lessons" else None))

    texture_name, loss_name, frames_name = names
    with OutputSet(out) as files:
        images.save_image(files.path(texture_name), images.deprocess(x))
        plotting.plot_losses(losses, files.path(loss_name), title=f"style loss, {weights} VGG19",
                             ylabel="sum of w_l E_l")
        frames = {f"iteration {i}": s for i, s in sorted(snapshots.items())}
        frames[f"result ({len(losses)} it)"] = x
        frames["the painting"] = painting
        plotting.plot_frames(frames, files.path(frames_name), columns=min(4, len(frames)))
    share = f"{losses[-1] / losses[0]:.1%}" if losses[0] else "-"
    print(SUMMARY(lang, n=len(losses), s=seconds, each=seconds / len(losses), first=losses[0], last=losses[-1],
                  share=share))
    print(WROTE(lang, files=", ".join(display(p) for p in files.written)))
    return out / texture_name
