"""Catching NaN and inf in a learner's functions at the moment they appear."""

from __future__ import annotations

import functools
import inspect
from types import ModuleType

import numpy as np

from brushstrokes.errors import BrushstrokesError


def finite(value: object) -> bool:
    """True when every number in value (array, float, or a tuple/list/dict of them) is finite."""
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, tuple | list):
        return all(finite(v) for v in value)
    if isinstance(value, np.ndarray | float | np.floating):
        return bool(np.all(np.isfinite(value)))
    return True


def check_finite(fn, where: str, name: str | None = None):
    """Wrap fn so that a NaN or inf in its result raises a BrushstrokesError naming it."""

    name = name or fn.__name__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = fn(*args, **kwargs)
        if not finite(result):
            raise BrushstrokesError(f"{where}.{name} returned NaN or inf",
                                    "look for a division by zero, a wrong sign or a step too large; "
                                    "`pytest checks/` shows which exercise is off")
        return result

    wrapper.finite_checked = True
    return wrapper


def guarded(module: ModuleType) -> ModuleType:
    """Wrap every function defined in `module` (in place, once) with check_finite; returns the module."""
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ == module.__name__ and not getattr(fn, "finite_checked", False):
            setattr(module, name, check_finite(fn, module.__name__, name))
    return module
