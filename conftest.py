"""Runs before every other conftest: stop at once, with one line, when this Python cannot run the project.

`pytest checks/` (or `pytest tests/`) with a Python other than the project's .venv would otherwise fail
with "No module named 'PIL'" and no hint; pycaffe missing from .venv means Caffe is not built yet.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
NEEDED = ("numpy", "PIL", "caffe")

OTHER_PYTHON = {
    "en": "this Python ({python}) cannot import {module}: the checks run in the project's .venv -> "
          "run `.venv/bin/python -m pytest {args}` (or `.venv/bin/brushstrokes check`); `make setup` creates .venv",
    "zh": "这个 Python（{python}）无法导入 {module}：检查需要在本项目的 .venv 中运行 -> "
          "运行 `.venv/bin/python -m pytest {args}`（或 `.venv/bin/brushstrokes check`）；`make setup` 会创建 .venv",
}
NOT_BUILT = {
    "en": "the project's .venv cannot import {module} ({error}) -> "
          "run `make setup` (it builds Caffe), then pytest again",
    "zh": "本项目的 .venv 无法导入 {module}（{error}）-> 运行 `make setup`（它会编译 Caffe），然后再运行 pytest",
}


def _language() -> str:
    try:
        from brushstrokes.base.i18n import language
    except Exception:  # noqa: BLE001 - the message must come out whatever else is broken
        return "en"
    return language()


def _missing() -> tuple[str, str] | None:
    """(module, error) for the first module of NEEDED this interpreter cannot import, else None."""
    os.environ.setdefault("GLOG_minloglevel", "2")  # pycaffe's import is quiet
    for module in NEEDED:
        try:
            importlib.import_module(module)
        except Exception as exc:  # noqa: BLE001 - an ImportError, or a build that fails to load
            return module, f"{type(exc).__name__}: {exc}"
    return None


def _check_interpreter() -> None:
    missing = _missing()
    if missing is None:
        return
    module, error = missing
    lang = _language()
    in_venv = Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()
    args = " ".join(a for a in sys.argv[1:] if not a.startswith("-") and Path(a.split("::")[0]).exists()) or "checks/"
    text = (NOT_BUILT if in_venv else OTHER_PYTHON)[lang].format(python=sys.executable, module=module, error=error,
                                                                  args=args)
    print(f"error: {text}", file=sys.stderr)  # one line: pytest.exit() here would print a traceback around it
    raise SystemExit(int(pytest.ExitCode.USAGE_ERROR))


_check_interpreter()
