"""Comparing a learner's results with the references, and naming the likely mistake when they differ.

Every failure reads: what was called, what came back, what was expected, the likely mistake, what next.
Messages may be plain strings or Text(en, zh); they are shown in the learner's language (brushstrokes.base.i18n).
The failure carries the mistake's short name as `.note`: the score table shows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import pytest

from brushstrokes.base.i18n import Text, language
from brushstrokes.net.images import MEAN_BGR
from checks.target import Graded

LOSS_TOL = 1e-3  # losses: sums of many float32 terms
FLOAT32_TOL = 1e-4  # elementwise float32 results
NAN = Text("NaN", "出现了 NaN")
NAN_HINT = Text("look for a division by zero (an all-zero array's mean?), a log or sqrt of a negative number, "
                "or a step so large that the numbers overflow",
                "检查是否除以零（全零数组的平均值？）、对负数取 log 或 sqrt，或者步长太大导致数值溢出")
RETURNED = Text("  returned {got}", "  返回了 {got}")
EXPECTED = Text("  expected {expected}", "  应该是 {expected}")
LIKELY = Text("  likely mistake: {name}: {fix}", "  可能的错误：{name}：{fix}")
HINT = Text("  hint: {fix}", "  提示：{fix}")
NEXT = Text("  next: {step}", "  下一步：{step}")
Message = str | Text | Callable[[str], str]  # a Text, or any callable taking the language


def say(message: Message) -> str:
    """A message in the learner's language."""
    return message(language()) if callable(message) else str(message)


class CheckFailed(pytest.fail.Exception):
    """A check's failure, with the mistake's short name for the score table (`note`).

    The note is kept as given (`note_message`): a Text reads in any language later (the learner's progress).
    """

    def __init__(self, message: str, note: Message | None = None) -> None:
        super().__init__(message, pytrace=False)
        self.note_message = note

    @property
    def note(self) -> str | None:
        """The note in the learner's language (None when there is none)."""
        return say(self.note_message) if self.note_message is not None else None


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer: its short name, what it would return, and how to fix it."""

    name: Message
    value: Any
    fix: Message


def rel_error(x: Any, y: Any) -> float:
    """max |x - y| / max(1e-8, |x| + |y|) with elementwise denominators (as in CS231n), in float64."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def pixels(x: np.ndarray) -> np.ndarray:
    """A Caffe image (1, 3, H, W) as grey levels 0..255 (mean added back), float64.

    Images are compared as pictures: mean-subtracted values cross zero, where an elementwise
    relative error means nothing; grey levels stay well away from it.
    """
    return np.asarray(x, dtype=np.float64) + MEAN_BGR.astype(np.float64)[:, None, None]


NO_RETURN = Text("None (did you forget `return`?)", "None（是不是忘了写 `return`？）")
EMPTY_ARRAY = Text("an empty {dtype} array of shape {shape}", "形状为 {shape} 的空 {dtype} 数组")
ARRAY_DESC = Text("{dtype} array of shape {shape}", "形状为 {shape} 的 {dtype} 数组")
VALUES_IN = Text(", values in [{lo}, {hi}]", "，取值范围 [{lo}, {hi}]")
NOT_FINITE = Text(", {bad} of {n} NaN or inf", "，{n} 个中有 {bad} 个是 NaN 或 inf")
SEQUENCE = Text("{kind} of {n}: [{shown}]", "含 {n} 项的 {kind}：[{shown}]")
OTHER = Text("a {kind}", "一个 {kind}")
SCALAR_NOT_FINITE = Text("{desc} ({bad} NaN or inf)", "{desc}（{bad} 个 NaN 或 inf）")


def describe(value: Any) -> str:
    """A short description of a returned value in the learner's language: type, shape, dtype and range or value."""
    lang = language()
    if value is None:
        return NO_RETURN(lang)
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return EMPTY_ARRAY(lang, dtype=value.dtype, shape=value.shape)
        text = ARRAY_DESC(lang, dtype=value.dtype, shape=value.shape)
        if value.ndim == 0 or not np.issubdtype(value.dtype, np.number):
            return text
        finite = value[np.isfinite(value)]
        if finite.size:
            text += VALUES_IN(lang, lo=f"{float(finite.min()):.4g}", hi=f"{float(finite.max()):.4g}")
        if finite.size < value.size:
            text += NOT_FINITE(lang, bad=value.size - finite.size, n=value.size)
        return text
    if isinstance(value, bool | int | float | np.number):
        return f"{type(value).__name__} {float(value):.7g}"
    if isinstance(value, list | tuple):
        shown = ", ".join(f"{float(v):.4g}" if isinstance(v, int | float | np.number) else type(v).__name__
                          for v in value[:8]) + (", ..." if len(value) > 8 else "")
        return SEQUENCE(lang, kind=type(value).__name__, n=len(value), shown=shown)
    return OTHER(lang, kind=type(value).__name__)


def fail(ex: Graded, call: Message, got: Message, expected: Message, mistake: Message | None,
         fix: Message, note: Message | None = None) -> NoReturn:
    """Fail the check with the learner-facing message (no Python traceback); the mistake (or `note`) is the
    score table's note."""
    lang = language()
    lines = [say(call), RETURNED(lang, got=say(got)), EXPECTED(lang, expected=say(expected))]
    if mistake:
        lines.append(LIKELY(lang, name=say(mistake), fix=say(fix)))
    else:
        lines.append(HINT(lang, fix=say(fix)))
    lines.append(NEXT(lang, step=ex.next_step))
    raise CheckFailed("\n".join(lines), mistake if mistake else note if note else None)


ONE_NUMBER = Text("one number (a Python float)", "一个数（Python float）")
FINITE = Text("finite numbers", "有限的数")
RETURNS_ARRAY = Text("returns an array", "返回了数组")
SUM_FIX = Text("sum over every entry, e.g. np.sum(...), and return float(...)",
               "对所有元素求和，例如 np.sum(...)，并返回 float(...)")
WRONG_TYPE = Text("wrong type", "类型不对")
FLOAT_FIX = Text("return float(...) of the sum", "返回求和结果的 float(...)")
ARRAY_OF = Text("a {dtype} array of shape {shape}", "形状为 {shape} 的 {dtype} 数组")
ARRAY_FIX = Text("return a numpy array", "返回一个 numpy 数组")
WRONG_SHAPE = Text("wrong shape", "形状不对")
SHAPE_FIX = Text("keep the input's shape: no reshape, no [None], no [0]", "保持输入的形状：不要 reshape、[None] 或 [0]")
SIZE_FIX = Text("the entries are all there but the shape is not: return an array of shape {shape}",
                "元素都在，但形状不对：返回形状为 {shape} 的数组")
WRONG_DTYPE = Text("wrong dtype", "dtype 不对")
DTYPE_FIX = Text("Caffe's blobs are {dtype}: finish with .astype(np.{dtype})",
                 "Caffe 的 blob 是 {dtype}：最后加上 .astype(np.{dtype})")
FORMULA_FIX = Text("compare your code with the formula in the docstring", "把你的代码和文档字符串里的公式对照一下")
REL_ERROR = Text("{expected}  (relative error {err:.1e}, allowed {tol:.0e})",
                 "{expected}（相对误差 {err:.1e}，允许 {tol:.0e}）")
CHANGED = Text("the right value, but {name} was changed", "值是对的，但 {name} 被改动了")
LEFT_AS_IT_WAS = Text("{name} left as it was", "{name} 保持不变")
IN_PLACE = Text("changes its input in place", "原地修改了输入")
IN_PLACE_FIX = Text("compute into a new array (x = x - ... rather than x -= ...); {name} may be Caffe's own blob "
                    "memory or the caller's data",
                    "把结果算进一个新数组（写 x = x - ... 而不是 x -= ...）；"
                    "{name} 可能是 Caffe 自己的 blob 内存或调用者的数据")


def expect_finite(ex: Graded, call: Message, got: Any) -> None:
    """NaN or inf anywhere in the result fails at once, with where such numbers come from."""
    arr = np.asarray(got, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        fail(ex, call, describe(got) if isinstance(got, np.ndarray)
             else SCALAR_NOT_FINITE(language(), desc=describe(got), bad=bad), FINITE, NAN, NAN_HINT)


def expect_scalar(ex: Graded, call: Message, got: Any) -> float:
    """The result must be one number (a Python float or a 0-d numpy value); returns it as float."""
    if isinstance(got, np.ndarray) and got.size > 1:
        fail(ex, call, describe(got), ONE_NUMBER, RETURNS_ARRAY, SUM_FIX)
    if not isinstance(got, int | float | np.number | np.ndarray) or isinstance(got, bool):
        fail(ex, call, describe(got), ONE_NUMBER, WRONG_TYPE, FLOAT_FIX)
    expect_finite(ex, call, got)
    return float(np.asarray(got).reshape(()))


def expect_array(ex: Graded, call: Message, got: Any, like: np.ndarray) -> np.ndarray:
    """The result must be an array with `like`'s shape and dtype."""
    lang = language()
    wanted = ARRAY_OF(lang, dtype=like.dtype, shape=like.shape)
    if not isinstance(got, np.ndarray):
        fail(ex, call, describe(got), wanted, WRONG_TYPE, ARRAY_FIX)
    if got.shape != like.shape:
        fix = SIZE_FIX(lang, shape=like.shape) if got.size == like.size else SHAPE_FIX
        fail(ex, call, describe(got), wanted, WRONG_SHAPE, fix)
    if got.dtype != like.dtype:
        fail(ex, call, describe(got), wanted, WRONG_DTYPE, DTYPE_FIX(lang, dtype=like.dtype))
    expect_finite(ex, call, got)
    return got


def expect_close(ex: Graded, call: Message, got: Any, expected: Any, tol: float, mistakes: Iterable[Mistake] = (),
                 fix: Message = FORMULA_FIX, measure=rel_error) -> None:
    """Pass when measure(got, expected) <= tol; otherwise name the mistake that got matches.

    When several mistakes lie within tol of got (a step divided by the sum of |grad| is also nearly x itself),
    the closest one is named: the mistake that reproduces the result exactly is the most specific. Ties go to
    the one listed first.
    """
    err = measure(got, expected)
    if err <= tol:
        return
    known = closest(got, mistakes, tol, measure)
    expected_text = REL_ERROR(language(), expected=describe(expected), err=err, tol=tol)
    if known is not None:
        fail(ex, call, describe(got), expected_text, known.name, known.fix)
    fail(ex, call, describe(got), expected_text, None, fix)


def closest(got: Any, mistakes: Iterable[Mistake], tol: float, measure=rel_error) -> Mistake | None:
    """The mistake whose value is nearest to got, among those within tol of it (same shape); None if none is."""
    found, best = None, np.inf
    for m in mistakes:
        if np.shape(m.value) != np.shape(got):
            continue
        distance = measure(got, m.value)
        if distance <= tol and distance < best:
            found, best = m, distance
    return found


def unchanged(ex: Graded, call: Message, before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> None:
    """The inputs must not be modified in place."""
    lang = language()
    for name, original in before.items():
        if not np.array_equal(original, after[name]):
            fail(ex, call, CHANGED(lang, name=name), LEFT_AS_IT_WAS(lang, name=name), IN_PLACE,
                 IN_PLACE_FIX(lang, name=name))
