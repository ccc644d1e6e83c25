"""`brushstrokes paint CONTENT STYLE [STYLE ...]`: lesson 3, the photo painted in the style of the paintings.

The options follow jcjohnson/neural-style and fzliu/style-transfer where they overlap; every one is checked
before any work starts (a wrong value is a one-line error, not a traceback half-way through a run).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language
from brushstrokes.commands.one_line import HELP_TODO, one_line_errors
from brushstrokes.net.layers import CONTENT_LAYER, CONV_LAYERS, STYLE_LAYERS
from brushstrokes.runs import control_options, validate
from brushstrokes.runs.paint_settings import (
    DEFAULT_ITERS,
    DEFAULT_RATIO,
    DEFAULT_SIZE,
    DEFAULT_STYLE_WEIGHT,
    PaintSettings,
)

MOST_WEIGHT = validate.MAX_WEIGHT  # a weight (or their ratio) beyond this overflows the losses: surely a mistake

ORDER_TODO = Text("give the photo and every painting first, then the options: "
                  "brushstrokes paint CONTENT STYLE [STYLE ...] [options]",
                  "先给出照片和所有画作，再给出选项：brushstrokes paint CONTENT STYLE [STYLE ...] [选项]")
LAYER = Text("{option}: unknown VGG19 layer {layer!r}", "{option}：未知的 VGG19 层 {layer!r}")
TWICE = Text("--style-layers {layers}: {layer} is given twice", "--style-layers {layers}：{layer} 出现了两次")
TWICE_TODO = Text("give each layer once, e.g. --style-layers conv1_1,conv2_1,conv3_1",
                  "每层只给一次，例如 --style-layers conv1_1,conv2_1,conv3_1")
LAYER_TODO = Text("use conv layers by name: " + ", ".join(CONV_LAYERS), "请用卷积层的名字：" + ", ".join(CONV_LAYERS))
COUNT = Text("{option} gives {n} numbers for {m} {what}", "{option} 给了 {n} 个数，但有 {m} 个{what}")
COUNT_TODO = Text("give one number per {what}, separated by commas", "每个{what}给一个数，用逗号分隔")
SUM_ZERO = Text("{option} must not all be 0", "{option} 不能全为 0")
NOT_NUMBERS = Text("{option}: {value!r} is not a list of numbers", "{option}：{value!r} 不是一串数字")


def numbers(option: str, text: str) -> tuple[float, ...]:
    """'0.2,0.2,0.6' -> (0.2, 0.2, 0.6); a one-line error if it is not a comma-separated list of numbers."""
    try:
        return tuple(float(part) for part in text.split(","))
    except ValueError:
        lang = language()
        raise BrushstrokesError(NOT_NUMBERS(lang, option=option, value=text),
                                HELP_TODO(lang, command="paint")) from None


def settings(args: argparse.Namespace) -> PaintSettings:
    """The run's settings from the parsed options, each one checked before any work; BrushstrokesError on the
    first bad one, echoing the value given and saying what to use. The pictures, the sizes they give, --device
    and --out are checked next, by the run (brushstrokes/runs/pipeline.py)."""
    iters = validate.iterations(args.iters)
    numbers_given = {
        "lr": validate.step_size(args.lr),
        "ratio": checked_ratio(args.ratio),
        "content_weight": validate.weight(args.content_weight, "--content-weight"),
        "style_weight": checked_style_weight(args.style_weight),
        "tv_weight": validate.weight_or_zero(args.tv_weight, "--tv-weight"),
    }
    seed = validate.seed(args.seed)
    save_every = validate.every(args.save_every)
    style_layers = checked_layers(args)
    layer_weights = blend = None
    if args.style_layer_weights is not None:
        layer_weights = checked_weights("--style-layer-weights", args.style_layer_weights, len(style_layers),
                                        Text("style layers", "风格层"))
    if args.style_blend_weights is not None:
        blend = checked_weights("--style-blend-weights", args.style_blend_weights, len(args.style),
                                Text("paintings", "画"))
    colour = control_options.colour(args.colour, args.original_colors)
    scales = control_options.scales(args.scales, args.size)
    scale_iters = control_options.scale_iters(args.scale_iters, scales)
    style_masks = control_options.masks(args.content_mask, args.style_masks, len(args.style), args.style_blend_weights)
    size = scales[-1] if scales else args.size if args.size is not None else DEFAULT_SIZE
    s = PaintSettings(
        content=args.content, styles=list(args.style), out=args.out, size=size, content_layer=args.content_layer,
        style_layers=style_layers, style_layer_weights=layer_weights, weights=args.weights, pooling=args.pooling,
        init=args.init, optimizer=args.optimizer, iters=iters, seed=seed, original_colors=args.original_colors,
        style_blend_weights=blend, style_fit=args.style_fit, style_scale=args.style_scale, device=args.device,
        save_every=save_every, use="lessons" if args.lessons_dir is not None else args.use,
        lessons_dir=args.lessons_dir, colour=colour, scales=scales, scale_iters=scale_iters,
        content_mask=args.content_mask, style_masks=style_masks, **numbers_given)
    return s


def checked_size(value: int | None, option: str = "--size") -> int | None:
    """--size: a longest side (None: not given, DEFAULT_SIZE or the last of --scales)."""
    return None if value is None else validate.longest_side(value, option)


def checked_ratio(value: float | None, option: str = "--ratio") -> float | None:
    """alpha/beta: a weight."""
    return validate.weight(value, option, example=DEFAULT_RATIO)


def checked_style_weight(value: float | None, option: str = "--style-weight") -> float | None:
    """beta: a weight."""
    return validate.weight(value, option, example=DEFAULT_STYLE_WEIGHT)


def checked_style_scale(value: float, option: str = "--style-scale") -> float:
    """The painting's size relative to the photo's, before the photo is known: at most MAX_SIDE / MIN_SIDE
    (the run then checks it against the photo's working size: runs/paint.style_scale_for)."""
    from brushstrokes.net.images import MAX_SIDE, MIN_SIDE

    return validate.positive(value, option, most=MAX_SIDE / MIN_SIDE, example=1)


def checked_layers(args: argparse.Namespace) -> tuple[str, ...]:
    """--style-layers as a tuple, each (and --content-layer) a VGG19 convolution."""
    lang = language()
    style_layers = tuple(part.strip() for part in args.style_layers.split(","))
    for option, layer in (("--content-layer", args.content_layer), *(("--style-layers", s) for s in style_layers)):
        if layer not in CONV_LAYERS:
            raise BrushstrokesError(LAYER(lang, option=option, layer=layer), LAYER_TODO(lang))
    for layer in style_layers:
        if style_layers.count(layer) > 1:
            raise BrushstrokesError(TWICE(lang, layers=args.style_layers, layer=layer), TWICE_TODO(lang))
    return style_layers


def checked_weights(option: str, text: str, count: int, what: Text) -> tuple[float, ...]:
    """Comma-separated weights: one per item, each finite and not negative, not all 0."""
    lang = language()
    values = numbers(option, text)
    if len(values) != count:
        raise BrushstrokesError(COUNT(lang, option=option, n=len(values), m=count, what=what(lang)),
                                COUNT_TODO(lang, what=what(lang)))
    for value in values:
        validate.weight_or_zero(value, option, example=1)
    if sum(values) <= 0:
        raise BrushstrokesError(SUM_ZERO(lang, option=option), HELP_TODO(lang, command="paint"))
    return values


def run(args: argparse.Namespace) -> int:
    import os

    from brushstrokes.runs.paint import paint_files

    s = settings(args)
    if args.device == "cpu":
        os.environ["BRUSHSTROKES_DEVICE"] = "cpu"
    paint_files(s)
    return 0


def add(sub) -> None:
    p = sub.add_parser(
        "paint", help="lesson 3: paint a photo in the style of one or more paintings",
        description="Paint CONTENT in the style of STYLE (Gatys, Ecker & Bethge). Defaults: the paper's settings "
                    "(conv4_2, conv1_1..conv5_1 at 1/5 each, average pooling, the normalised VGG19, L-BFGS, "
                    f"noise), at {DEFAULT_SIZE} px with alpha/beta = {DEFAULT_RATIO:g} (lesson 3 shows why).")
    one_line_errors(p, "paint", stray=ORDER_TODO)
    p.add_argument("content", type=Path, help="the photo, e.g. data/chelsea.png")
    p.add_argument("style", type=Path, nargs="+", help="one or more paintings, e.g. data/scream.jpg")
    p.add_argument("-o", "--out", type=Path, default=paths.OUTPUT, help="folder for the pictures (default output/)")
    number = validate.bounded
    number(p.add_argument("--size", type=int, default=None, help=f"longest side of the picture in px "
                          f"(default {DEFAULT_SIZE}; cost grows with the pixels)"), checked_size)
    number(p.add_argument("--ratio", type=float, default=DEFAULT_RATIO, help=f"alpha/beta: more photo when larger, "
                          f"more painting when smaller (default {DEFAULT_RATIO:g})"), checked_ratio)
    number(p.add_argument("--content-weight", type=float, default=None,
                          help="alpha (overrides --ratio with --style-weight)"),
           lambda value, option: validate.weight(value, option))
    number(p.add_argument("--style-weight", type=float, default=None,
                          help="beta (overrides --ratio with --content-weight)"), checked_style_weight)
    p.add_argument("--content-layer", default=CONTENT_LAYER, help=f"content layer (default {CONTENT_LAYER})")
    p.add_argument("--style-layers", default=",".join(STYLE_LAYERS),
                   help="comma-separated style layers (default " + ",".join(STYLE_LAYERS) + ")")
    p.add_argument("--style-layer-weights", default=None, help="comma-separated w_l, one per style layer "
                   "(default 1/L each)")
    p.add_argument("--weights", choices=("normalised", "raw"), default="normalised",
                   help="VGG19 weights: the paper's normalised ones (default) or VGG's raw ones")
    p.add_argument("--pooling", choices=("avg", "max"), default="avg", help="pooling (default avg, the paper's)")
    p.add_argument("--init", choices=("noise", "content", "style"), default="noise",
                   help="start from white noise (default, the paper's), the photo or the painting")
    p.add_argument("--optimizer", choices=("lbfgs", "adam", "gd"), default="lbfgs",
                   help="L-BFGS (default, the paper's), Adam, or lesson 1's normalised gradient descent")
    number(p.add_argument("--iters", type=int, default=DEFAULT_ITERS, help=f"iterations (default {DEFAULT_ITERS})"),
           validate.iterations)
    number(p.add_argument("--lr", type=float, default=None, help="step size in grey levels for adam (2) and gd (1)"),
           validate.step_size)
    number(p.add_argument("--seed", type=int, default=0, help="seed of the white noise (default 0)"), validate.seed)
    number(p.add_argument("--tv-weight", type=float, default=0.0,
                          help="weight of the total-variation smoothness loss (default 0, as in the paper)"),
           validate.weight_or_zero)
    p.add_argument("--original-colors", action="store_true",
                   help="keep the photo's colours: a full colour transfer, then its luminance with the photo's "
                        "colours (lesson 3; compare --colour luminance)")
    p.add_argument("--style-blend-weights", default=None,
                   help="comma-separated weights of the paintings (default equal)")
    p.add_argument("--style-fit", choices=("keep", "squash"), default="keep",
                   help="keep each painting's aspect ratio (default) or squash it onto the photo's (the paper's)")
    number(p.add_argument("--style-scale", type=float, default=1.0,
                          help="painting size relative to the photo's (default 1; smaller gives larger strokes)"),
           checked_style_scale)
    p.add_argument("--device", choices=("auto", "cpu", "gpu"), default="auto",
                   help="where Caffe runs (default auto: the GPU when usable)")
    number(p.add_argument("--save-every", type=int, default=0,
                          help="also save the picture every N iterations (default 0: five frames in one strip)"),
           validate.every)
    controls = p.add_argument_group("lesson 4: control", "colour, scale and space (Gatys et al., CVPR 2017)")
    controls.add_argument("--colour", choices=control_options.COLOURS, default="keep",
                          help="keep: the colours the transfer gives (default); luminance: paint the luminance only "
                               "(the painting's matched to the photo's mean and spread) and put the photo's colours "
                               "back, so the texture is matched on luminance, unlike --original-colors which "
                               "recolours a full colour transfer; match: the painting's colours moved to the "
                               "photo's mean and covariance before the transfer")
    controls.add_argument("--scales", default=None, metavar="PX,PX,...",
                          help="coarse to fine: longest sides, increasing, each at least "
                               f"{control_options.LEAST_SCALE}, e.g. 128,256,512; each scale starts from the "
                               "previous result upsampled; the last one is the picture's size (replaces --size); "
                               "Ctrl-C keeps the current scale's picture, upsampled to that size")
    controls.add_argument("--scale-iters", default=None, metavar="N,N,...",
                          help="iterations at each scale, e.g. 200,100,50 (default --iters at every scale)")
    controls.add_argument("--content-mask", type=Path, default=None, metavar="FILE",
                          help="an image: white where the picture is painted like the first painting, black like "
                               "the second (grey mixes them); needs exactly two paintings")
    controls.add_argument("--style-masks", default=None, metavar="FILE,FILE",
                          help="with --content-mask, one image per painting: white where its texture is taken "
                               "from (default all of it)")
    p.add_argument("--use", choices=("solutions", "lessons"), default="solutions",
                   help="paint with the reference solutions (default) or your own code in lessons/")
    p.add_argument("--lessons-dir", type=Path, default=None, metavar="DIR",
                   help="paint with the lesson files in DIR instead of lessons/ (a teacher's copy, or a test)")
    p.set_defaults(func=run)
