"""The one loader of lesson modules (the learner's in lessons/, or solutions/), for the CLI and the checks.

A file that fails to import is reported as the learner's line and message; a missing file is reported as
missing, and only then is restoring it suggested.
"""

from __future__ import annotations

import importlib.util
import linecache
import sys
from pathlib import Path
from types import ModuleType, TracebackType

from brushstrokes.course.model import Text
from brushstrokes.errors import BrushstrokesError
from brushstrokes.i18n import language
from brushstrokes.paths import ROOT

CANNOT_IMPORT = Text("{file} cannot be imported{where}: {error}",
                     "{file} 无法导入{where}：{error}")
CANNOT_IMPORT_TODO = Text("fix that line (`python {file}` shows the full error), then run the command again",
                          "改正这一行（`python {file}` 会显示完整错误），然后再运行一次命令")
MISSING = Text("{file} does not exist", "{file} 不存在")
MISSING_TODO = Text("`git checkout {file}` brings back the original stubs (nothing else exists to lose)",
                    "`git checkout {file}` 可以恢复原来的练习桩（文件不存在，不会丢失任何内容）")
AT_LINE = Text(" at line {line}", "（第 {line} 行）")


class LessonImportError(BrushstrokesError):
    """A lesson module that is missing or fails to import; message and todo are in the learner's language."""


def lesson_path(module: str, use: str = "lessons", folder: Path | None = None) -> Path:
    """The .py file of lesson module `module` in `folder`, or in ROOT/`use` (lessons or solutions)."""
    base = Path(folder) if folder is not None else ROOT / use
    return (base / f"{module}.py").resolve()


def display(path: Path) -> str:
    """A path relative to the current folder (or the repository) when it lies inside it."""
    path = Path(path).resolve()
    for base in (Path.cwd().resolve(), ROOT):
        if path.is_relative_to(base):
            return str(path.relative_to(base))
    return str(path)


def learner_frame(tb: TracebackType | None, path: Path) -> tuple[str, int, str] | None:
    """(function, line number, source line) of the last traceback frame inside `path`, or None."""
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if Path(code.co_filename).resolve() == Path(path).resolve():
            found = (code.co_name, tb.tb_lineno, linecache.getline(code.co_filename, tb.tb_lineno).strip())
        tb = tb.tb_next
    return found


def load_lesson(module: str, use: str = "lessons", folder: Path | None = None) -> ModuleType:
    """Import a lesson module freshly from its file (edits since the last load are seen).

    use: 'lessons' (the learner's) or 'solutions'; folder: another folder of lesson files.
    Raises LessonImportError naming the file and, for a syntax or import error, the learner's line.
    """
    path = lesson_path(module, use, folder)
    lang = language()
    if not path.is_file():
        file = display(path)
        raise LessonImportError(MISSING(lang, file=file), MISSING_TODO(lang, file=file))
    name = f"{use}.{module}" if folder is None else f"brushstrokes_checked_{module}"
    spec = importlib.util.spec_from_file_location(name, path)
    loaded = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = loaded
    try:
        spec.loader.exec_module(loaded)
    except Exception as exc:  # a learner's file can fail in any way: report it briefly
        if previous is not None:
            sys.modules[name] = previous
        else:
            sys.modules.pop(name, None)
        raise import_error(exc, path) from exc
    return loaded


def import_error(exc: BaseException, path: Path) -> LessonImportError:
    """The LessonImportError for a module at `path` that raised `exc` while importing."""
    lang, file = language(), display(path)
    line = exc.lineno if isinstance(exc, SyntaxError) and exc.lineno else None
    if line is None:
        frame = learner_frame(exc.__traceback__, path)
        line = frame[1] if frame else None
    where = AT_LINE(lang, line=line) if line else ""
    error = f"{type(exc).__name__}: {exc}"
    return LessonImportError(CANNOT_IMPORT(lang, file=file, where=where, error=error),
                             CANNOT_IMPORT_TODO(lang, file=file))
