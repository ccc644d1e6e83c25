"""Checking a command's arguments before any work: one error each, echoing the value given, saying what to do.

Every command (content, style, paint) calls these first, so that a bad value costs nothing:

    from brushstrokes.runs import validate
    iters = validate.count(args.iters, "--iters", example=200)          # a whole number >= 1
    lr = validate.positive(args.lr, "--lr", most=validate.MAX_LR)      # finite, > 0, <= most (None passes)
    seed = validate.seed(args.seed)                                     # 0 .. 2**32 - 1
    image = validate.image_file(args.image)                             # a regular image file (no FIFO, device)
    w, h = validate.working_size(image, args.size)                      # (W, H) px VGG19 can take
    out = validate.out_folder(args.out, names=("result.png",))          # made if missing, writable

Every numeric option of every command is also checked as it is parsed, by the same functions:

    validate.bounded(p.add_argument("--iters", type=int, default=200), validate.iterations)
    validate.check_options(parser, args)       # brushstrokes.commands.one_line runs it after each parse

Sizes of pictures are (W, H) in px, PIL's order, everywhere in brushstrokes/runs; array shapes are numpy's (H, W).
Each raises brushstrokes.base.errors.BrushstrokesError (message and todo in the learner's language), which
`brushstrokes` prints as one error and its fix, exit status 2.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from brushstrokes.base.errors import fail
from brushstrokes.base.i18n import Text

SEED_MAX = 2**32 - 1  # numpy's seeds are 32-bit
MAX_LR = 255.0  # a step in grey levels: more than the whole 0..255 range is surely a mistake
TYPICAL_SIZE = 64  # the smallest --size worth suggesting: below it, VGG19 sees almost nothing
MAX_ITERS = 1_000_000  # iterations (or a --save-every) beyond this are surely a mistake
MAX_SECONDS = 3600.0  # a time limit of more than an hour (a host's answer, one check) is surely a mistake
MAX_WEIGHT = 1e9  # a content, style or TV weight (or their ratio) beyond this overflows the losses

WHOLE = Text("{option} {value}: must be a whole number of at least {least}",
             "{option} {value}：必须是不小于 {least} 的整数")
WHOLE_MAX = Text("{option} {value}: more than {most}, which is surely a mistake",
                 "{option} {value}：超过了 {most}，这多半是写错了")
USE_EXAMPLE = Text("use e.g. {option} {example}", "例如使用 {option} {example}")
USE_AT_MOST = Text("use {option} {most} or less, e.g. {option} {example}",
                   "使用 {option} {most} 或更小的值，例如 {option} {example}")
NOT_FINITE = Text("{option} {value}: not a finite number", "{option} {value}：不是有限的数")
NOT_POSITIVE = Text("{option} {value}: must be greater than 0", "{option} {value}：必须大于 0")
NEGATIVE = Text("{option} {value}: must be 0 or more", "{option} {value}：必须不小于 0")
TOO_LARGE = Text("{option} {value}: more than {most}, which is surely a mistake",
                 "{option} {value}：超过了 {most}，这多半是写错了")
SEED = Text("{option} {value}: a seed must be a whole number from 0 to {most}",
            "{option} {value}：种子必须是 0 到 {most} 之间的整数")
SIZE_HUGE = Text("{option} {value}: more than the {high} px allowed on a side",
                 "{option} {value}：超过了每边允许的 {high} px")
SIZE_NOT_POSITIVE = Text("{option} {value}: the longest side must be a positive number of px",
                         "{option} {value}：最长边必须是正的像素数")
SIZE_SMALL = Text("{option} {value} gives {w}x{h} px for {image}: VGG19 needs at least {low} px on each side",
                  "{option} {value} 使 {image} 变成 {w}x{h} px：VGG19 每边至少需要 {low} px")
SIZE_LARGE = Text("{option} {value} gives {w}x{h} px for {image}: more than the {high} px allowed on a side",
                  "{option} {value} 使 {image} 变成 {w}x{h} px：超过了每边允许的 {high} px")
USE_AT_LEAST = Text("use {option} {suggest} or more", "使用 {option} {suggest} 或更大的值")
USE_SMALLER = Text("use {option} {high} or less (128-512 px is typical on a CPU)",
                   "使用 {option} {high} 或更小的值（在 CPU 上通常用 128-512 px）")
TOO_THIN = Text("{image} is {W}x{H} px: too thin for VGG19 at any {option} "
                "(with {high} px on the long side, the short one is {short} px; VGG19 needs {low})",
                "{image} 是 {W}x{H} px：太窄了，任何 {option} 都不行"
                "（长边 {high} px 时短边只有 {short} px；VGG19 需要 {low}）")
TOO_THIN_TODO = Text("crop it so that its short side is at least 1/{ratio} of its long side, or use another picture",
                     "把它裁剪到短边至少是长边的 1/{ratio}，或换一张图片")


def _shown(value: object) -> str:
    """A value as the user typed it (floats without a trailing .0 where they had none)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e6 else f"{value:g}"
    return str(value)


def count(value: int, option: str, least: int = 1, most: int | None = None, example: int | None = None) -> int:
    """A whole number in least..most (e.g. --iters): the value, or an error echoing it."""
    example = example if example is not None else least
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise fail(WHOLE, USE_EXAMPLE, option=option, value=_shown(value), least=least, example=example)
    if most is not None and value > most:
        raise fail(WHOLE_MAX, USE_AT_MOST, option=option, value=value, most=most, example=min(example, most))
    return value


def positive(value: float | None, option: str, most: float | None = None, example: float | None = None,
             allow_zero: bool = False) -> float | None:
    """A finite number > 0 (>= 0 with allow_zero) and <= most (e.g. --lr, a weight, a ratio); None passes.

    most: where a larger value is surely a mistake (e.g. MAX_LR for a step in grey levels).
    """
    if value is None:
        return None
    fields = {"option": option, "value": _shown(value), "example": _shown(example if example is not None else 1)}
    if not math.isfinite(value):
        raise fail(NOT_FINITE, USE_EXAMPLE, **fields)
    if value < 0 or (value == 0 and not allow_zero):
        raise fail(NEGATIVE if allow_zero else NOT_POSITIVE, USE_EXAMPLE, **fields)
    if most is not None and value > most:
        raise fail(TOO_LARGE, USE_AT_MOST, most=_shown(float(most)), **fields)
    return float(value)


def seed(value: int, option: str = "--seed") -> int:
    """A seed for numpy's generator: a whole number from 0 to 2**32 - 1."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= SEED_MAX:
        raise fail(SEED, USE_EXAMPLE, option=option, value=_shown(value), most=SEED_MAX, example=0)
    return value


def iterations(value: int, option: str = "--iters") -> int:
    """A number of iterations: a whole number from 1 to MAX_ITERS."""
    return count(value, option, least=1, most=MAX_ITERS, example=200)


def every(value: int, option: str = "--save-every") -> int:
    """How often something is done, in iterations: 0 (never) to MAX_ITERS."""
    return count(value, option, least=0, most=MAX_ITERS, example=10)


def longest_side(value: int, option: str = "--size") -> int:
    """A longest side in px, before the picture is known: 1 to images.MAX_SIDE (working_size checks the rest)."""
    from brushstrokes.net.images import MAX_SIDE

    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise fail(SIZE_NOT_POSITIVE, USE_AT_LEAST, option=option, value=_shown(value), suggest=TYPICAL_SIZE)
    if value > MAX_SIDE:
        raise fail(SIZE_HUGE, USE_SMALLER, option=option, value=value, high=MAX_SIDE)
    return value


def step_size(value: float | None, option: str = "--lr") -> float | None:
    """A step in grey levels (None: the lesson's default)."""
    return positive(value, option, most=MAX_LR, example=2)


def weight(value: float | None, option: str, example: float = 1) -> float | None:
    """A loss weight or a ratio of weights: finite, > 0, at most MAX_WEIGHT (None passes)."""
    return positive(value, option, most=MAX_WEIGHT, example=example)


def weight_or_zero(value: float | None, option: str, example: float = 1e-4) -> float | None:
    """A loss weight that may be 0 (switched off): finite, >= 0, at most MAX_WEIGHT."""
    return positive(value, option, most=MAX_WEIGHT, example=example, allow_zero=True)


def seconds(value: float | None, option: str = "--timeout", example: float = 10) -> float | None:
    """A time to wait, in seconds: finite, > 0, at most MAX_SECONDS."""
    return positive(value, option, most=MAX_SECONDS, example=example)


def time_limit(value: float | None, option: str = "--check-timeout", example: float = 60) -> float | None:
    """A time limit in seconds, 0 meaning none: finite, >= 0, at most MAX_SECONDS (None: the default)."""
    return positive(value, option, most=MAX_SECONDS, example=example, allow_zero=True)


def bounded(action: argparse.Action, check: Callable[[Any, str], Any]) -> argparse.Action:
    """Mark a numeric option with the check its parsed value must pass: check(value, option) -> value."""
    action.check = check
    return action


def numeric_options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The options of `parser` that take a number (an int or float type)."""
    return [action for action in parser._actions if action.type in (int, float)]


def check_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Run each numeric option's check on its parsed value (defaults too), in the order --help lists them;
    the checked value replaces it. A numeric option without a check is a mistake in the command's code."""
    for action in numeric_options(parser):
        check = getattr(action, "check", None)
        if check is None:
            raise TypeError(f"{parser.prog}: {action.option_strings or action.dest} has no validate check")
        value = getattr(args, action.dest, None)
        if value is not None:
            setattr(args, action.dest, check(value, (action.option_strings or [action.dest])[-1]))


def image_file(path: str | Path, option: str = "--image") -> Path:
    """An existing, readable image file (not a folder, FIFO or device; no more pixels than images.MAX_PIXELS)."""
    from brushstrokes.net.images import image_size

    image_size(path)
    return Path(path)


def smallest_longest(size: tuple[int, int]) -> int | None:
    """The smallest longest side (px) at which an image of `size` (W, H) has MIN_SIDE px on its short side.

    None when no working size up to MAX_SIDE gives that (a picture too thin for VGG19).
    """
    from brushstrokes.net.images import MAX_SIDE, MIN_SIDE, fit_size

    for longest in range(MIN_SIDE, MAX_SIDE + 1):
        if min(fit_size(size, longest)) >= MIN_SIDE:
            return longest
    return None


def working_size(image: str | Path, longest: int, option: str = "--size") -> tuple[int, int]:
    """(W, H) in px that `image` is resized to for longest side `longest`, or an error echoing the value.

    The error says which value would work, or that the picture is too thin for any.
    """
    from brushstrokes.net.images import image_size

    return fitted_size(image_size(image), longest, image, option)


def fitted_size(size: tuple[int, int], longest: int, image: str | Path, option: str = "--size") -> tuple[int, int]:
    """(W, H) in px that a picture of `size` (W, H), the file `image`, is resized to for longest side `longest`,
    or an error echoing the value (working_size without reading the file again)."""
    from brushstrokes.learner.loader import display
    from brushstrokes.net.images import MAX_SIDE, MIN_SIDE, fit_size

    shown = display(Path(image))
    least = smallest_longest(size)
    if least is None:
        short = min(fit_size(size, MAX_SIDE))
        raise fail(TOO_THIN, TOO_THIN_TODO, image=shown, W=size[0], H=size[1], option=option, high=MAX_SIDE,
                    short=short, low=MIN_SIDE, ratio=MAX_SIDE // MIN_SIDE)
    suggest = min(MAX_SIDE, max(TYPICAL_SIZE, least))
    if isinstance(longest, bool) or not isinstance(longest, int) or longest < 1:
        raise fail(SIZE_NOT_POSITIVE, USE_AT_LEAST, option=option, value=_shown(longest), suggest=suggest)
    w, h = fit_size(size, longest)
    if min(w, h) < MIN_SIDE:
        raise fail(SIZE_SMALL, USE_AT_LEAST, option=option, value=longest, w=w, h=h, image=shown, low=MIN_SIDE,
                    suggest=suggest)
    if max(w, h) > MAX_SIDE:
        raise fail(SIZE_LARGE, USE_SMALLER, option=option, value=longest, w=w, h=h, image=shown, high=MAX_SIDE)
    return w, h


def out_folder(path: str | Path, option: str = "--out", names: Iterable[str] = ()) -> Path:
    """The output folder, created if missing and proven writable; `names`: the files the run will write there.

    Refused before any work: an existing file, a path under a file, a read-only folder, a read-only old
    output or a folder where an output goes. Returns the resolved path.
    """
    from brushstrokes.base.outputs import prepare_folder

    return prepare_folder(path, option=option, names=names)
