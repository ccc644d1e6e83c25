"""Comparing a learner's results with the references, and naming the likely mistake when they differ.

Every failure reads: what was called, what came back, what was expected, the likely mistake, what next.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np
import pytest

from brushstrokes.images import MEAN_BGR
from checks.target import Exercise

LOSS_TOL = 1e-3  # losses: sums of many float32 terms
FLOAT32_TOL = 1e-4  # elementwise float32 results
NAN_HINT = ("look for a division by zero (an all-zero array's mean?), a log or sqrt of a negative number, "
            "or a step so large that the numbers overflow")


@dataclass(frozen=True)
class Mistake:
    """A classic wrong answer: its short name, what it would return, and how to fix it."""

    name: str
    value: Any
    fix: str


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


def describe(value: Any) -> str:
    """A short description of a returned value: type, shape, dtype and range or value."""
    if value is None:
        return "None (did you forget `return`?)"
    if isinstance(value, np.ndarray):
        if value.size == 0:
            return f"an empty {value.dtype} array of shape {value.shape}"
        if value.ndim == 0 or not np.issubdtype(value.dtype, np.number):
            return f"{value.dtype} array of shape {value.shape}"
        finite = value[np.isfinite(value)]
        text = f"{value.dtype} array of shape {value.shape}"
        if finite.size:
            text += f", values in [{float(finite.min()):.4g}, {float(finite.max()):.4g}]"
        if finite.size < value.size:
            text += f", {value.size - finite.size} of {value.size} NaN or inf"
        return text
    if isinstance(value, bool | int | float | np.number):
        return f"{type(value).__name__} {float(value):.7g}"
    if isinstance(value, list | tuple):
        shown = ", ".join(f"{float(v):.4g}" if isinstance(v, int | float | np.number) else type(v).__name__
                          for v in value[:8])
        more = ", ..." if len(value) > 8 else ""
        return f"{type(value).__name__} of {len(value)}: [{shown}{more}]"
    return f"a {type(value).__name__}"


def fail(ex: Exercise, call: str, got: str, expected: str, mistake: str | None, fix: str) -> NoReturn:
    """Fail the check with the learner-facing message (no Python traceback)."""
    lines = [call, f"  returned {got}", f"  expected {expected}"]
    if mistake:
        lines.append(f"  likely mistake: {mistake}: {fix}")
    else:
        lines.append(f"  hint: {fix}")
    lines.append(f"  next: {ex.next_step}")
    pytest.fail("\n".join(lines), pytrace=False)


def expect_finite(ex: Exercise, call: str, got: Any) -> None:
    """NaN or inf anywhere in the result fails at once, with where such numbers come from."""
    arr = np.asarray(got, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        fail(ex, call, describe(got) if isinstance(got, np.ndarray) else f"{describe(got)} ({bad} NaN or inf)",
             "finite numbers", "NaN", NAN_HINT)


def expect_scalar(ex: Exercise, call: str, got: Any) -> float:
    """The result must be one number (a Python float or a 0-d numpy value); returns it as float."""
    if isinstance(got, np.ndarray) and got.size > 1:
        fail(ex, call, describe(got), "one number (a Python float)", "returns an array",
             "sum over every entry, e.g. np.sum(...), and return float(...)")
    if not isinstance(got, int | float | np.number | np.ndarray) or isinstance(got, bool):
        fail(ex, call, describe(got), "one number (a Python float)", "wrong type", "return float(...) of the sum")
    expect_finite(ex, call, got)
    return float(np.asarray(got).reshape(()))


def expect_array(ex: Exercise, call: str, got: Any, like: np.ndarray) -> np.ndarray:
    """The result must be an array with `like`'s shape and dtype."""
    if not isinstance(got, np.ndarray):
        fail(ex, call, describe(got), f"a {like.dtype} array of shape {like.shape}", "wrong type",
             "return a numpy array")
    if got.shape != like.shape:
        fix = "keep the input's shape: no reshape, no [None], no [0]"
        if got.size == like.size:
            fix = f"the entries are all there but the shape is not: return an array of shape {like.shape}"
        fail(ex, call, describe(got), f"{like.dtype} array of shape {like.shape}", "wrong shape", fix)
    if got.dtype != like.dtype:
        fail(ex, call, describe(got), f"{like.dtype} array of shape {like.shape}", "wrong dtype",
             f"Caffe's blobs are {like.dtype}: finish with .astype(np.{like.dtype})")
    expect_finite(ex, call, got)
    return got


def expect_close(ex: Exercise, call: str, got: Any, expected: Any, tol: float, mistakes: Iterable[Mistake] = (),
                 fix: str = "compare your code with the formula in the docstring", measure=rel_error) -> None:
    """Pass when measure(got, expected) <= tol; otherwise name the first mistake that got matches."""
    err = measure(got, expected)
    if err <= tol:
        return
    known = next((m for m in mistakes if np.shape(m.value) == np.shape(got) and measure(got, m.value) <= tol), None)
    expected_text = f"{describe(expected)}  (relative error {err:.1e}, allowed {tol:.0e})"
    if known is not None:
        fail(ex, call, describe(got), expected_text, known.name, known.fix)
    fail(ex, call, describe(got), expected_text, None, fix)


def unchanged(ex: Exercise, call: str, before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> None:
    """The inputs must not be modified in place."""
    for name, original in before.items():
        if not np.array_equal(original, after[name]):
            fail(ex, call, f"the right value, but {name} was changed", f"{name} left as it was",
                 "changes its input in place", f"compute into a new array (x = x - ... rather than x -= ...); "
                 f"{name} may be Caffe's own blob memory or the caller's data")
