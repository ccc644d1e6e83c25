"""Catching NaN and inf in a learner's functions at the moment they appear, and only blaming the cause.

A function is named when it returns NaN or inf from finite inputs; given NaN or inf, it passes them on
(the run's end check reports them without blaming a function that only received them).
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from types import ModuleType

import numpy as np

from brushstrokes.course.model import Text
from brushstrokes.errors import BrushstrokesError
from brushstrokes.i18n import language

RETURNED_NAN = Text("{file}: {name} returned NaN or inf from finite inputs{exercise}",
                    "{file}：{name} 对有限的输入返回了 NaN 或 inf{exercise}")
RETURNED_NAN_TODO = Text("look for a division by zero, a wrong sign or a step too large; "
                         "{check} shows which part is off",
                         "检查是否有除以零、符号错误或步长过大；{check} 会指出哪里不对")
EXERCISE = Text(" (exercise {id})", "（练习 {id}）")


def finite(value: object) -> bool:
    """True when every number in value (array, float, or a tuple/list/dict of them) is finite."""
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, tuple | list):
        return all(finite(v) for v in value)
    if isinstance(value, np.ndarray):
        return not np.issubdtype(value.dtype, np.number) or bool(np.all(np.isfinite(value)))
    if isinstance(value, float | np.floating):
        return bool(np.isfinite(value))
    return True


def _file_and_exercise(fn, name: str) -> tuple[str, str | None]:
    """The file fn is defined in, as shown to the learner, and the exercise id of `name` in it ('1.2'), if any."""
    from brushstrokes.course import LESSONS
    from brushstrokes.loader import display

    path = Path(getattr(getattr(fn, "__code__", None), "co_filename", "") or "?")
    for lesson in LESSONS:
        if lesson.module == path.stem:
            for ex in lesson.exercises:
                if ex.function == name:
                    return display(path), ex.id
    return display(path), None


def check_finite(fn, where: str, name: str | None = None):
    """Wrap fn so that a NaN or inf in its result, from finite arguments, raises a BrushstrokesError naming it."""

    name = name or fn.__name__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        if not finite(result) and finite(list(args)) and finite(kwargs):
            lang = language()
            file, exercise = _file_and_exercise(fn, name)
            check = f"`brushstrokes check {exercise}`" if exercise else "`pytest checks/`"
            raise BrushstrokesError(
                RETURNED_NAN(lang, file=file, name=name, exercise=EXERCISE(lang, id=exercise) if exercise else ""),
                RETURNED_NAN_TODO(lang, check=check))
        return result

    wrapper.finite_checked = True
    return wrapper


def guarded(module: ModuleType) -> ModuleType:
    """Wrap every function defined in `module` (in place, once) with check_finite; returns the module."""
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ == module.__name__ and not getattr(fn, "finite_checked", False):
            setattr(module, name, check_finite(fn, module.__name__, name))
    return module
