"""The one loader of lesson modules (the learner's in lessons/, or solutions/), for the CLI and the checks.

A file that fails to import is reported as the learner's line and message; a missing file is reported as
missing, and only then is restoring it suggested.

A lesson file imports the lessons before it by package (`from lessons.lesson1_content import content_loss`).
Loaded from another folder (--lessons-dir), those imports come from that same folder: while the file runs, the
name `lessons` is a package whose one folder is that folder, and the repository's lessons/ is left out of it.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import linecache
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType, TracebackType

from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import LANGUAGES, Text, language
from brushstrokes.base.paths import ROOT

CANNOT_IMPORT = Text("{file} cannot be imported{where}: {error}",
                     "{file} 无法导入{where}：{error}")
CANNOT_IMPORT_TODO = Text("fix that line (`python {file}` shows the full error), then run the command again",
                          "改正这一行（`python {file}` 会显示完整错误），然后再运行一次命令")
MISSING = Text("{file} does not exist", "{file} 不存在")
MISSING_TODO = Text("`git checkout {file}` brings back the original stubs (nothing else exists to lose)",
                    "`git checkout {file}` 可以恢复原来的练习桩（文件不存在，不会丢失任何内容）")
AT_LINE = Text(" at line {line}", "（第 {line} 行）")
NO_SIBLING = Text("{file} cannot be imported{where}: it imports {name}, and {folder} has no {sibling}",
                  "{file} 无法导入{where}：它导入了 {name}，但 {folder} 里没有 {sibling}")
NO_SIBLING_TODO = Text("put your {sibling} into {folder} too (lessons in one folder import each other from that "
                       "folder), then run the command again",
                       "把你的 {sibling} 也放进 {folder}（同一个文件夹里的课程文件从这个文件夹互相导入），"
                       "然后再运行一次命令")
PACKAGE = "lessons"  # the package the lesson files import each other from


class LessonImportError(BrushstrokesError):
    """A lesson module that is missing or fails to import; message and todo are in the learner's language.

    said: {language: (message, todo)} in every language, when known (a note kept for `brushstrokes progress`).
    """

    def __init__(self, message: str, todo: str, said: dict[str, tuple[str, str]] | None = None) -> None:
        super().__init__(message, todo)
        self.said = said or {}

    @classmethod
    def speaking(cls, say: Callable[[str], tuple[str, str]]) -> LessonImportError:
        """The error from say(lang) -> (message, todo): in the learner's language, and kept in every language."""
        said = {lang: say(lang) for lang in LANGUAGES}
        return cls(*said[language()], said=said)


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
    if not path.is_file():
        file = display(path)
        raise LessonImportError.speaking(lambda lang: (MISSING(lang, file=file), MISSING_TODO(lang, file=file)))
    name = f"{use}.{module}" if folder is None else f"brushstrokes_checked_{module}"
    spec = importlib.util.spec_from_file_location(name, path)
    loaded = importlib.util.module_from_spec(spec)
    previous = sys.modules.get(name)
    sys.modules[name] = loaded
    try:
        with siblings_from(path.parent if folder is not None else None):
            spec.loader.exec_module(loaded)
    except Exception as exc:  # a learner's file can fail in any way: report it briefly
        if previous is not None:
            sys.modules[name] = previous
        else:
            sys.modules.pop(name, None)
        raise import_error(exc, path) from exc
    return loaded


@contextlib.contextmanager
def siblings_from(folder: Path | None) -> Iterator[None]:
    """While the block runs, `import lessons.X` imports X.py from `folder` (freshly: nothing of the repository's
    lessons/ is reused); afterwards the modules named `lessons` and `lessons.*` are what they were before.
    folder None: nothing changes."""
    if folder is None:
        yield
        return
    folder = Path(folder).resolve()
    saved = {key: mod for key, mod in sys.modules.items() if key == PACKAGE or key.startswith(PACKAGE + ".")}
    for key in saved:
        del sys.modules[key]
    package = importlib.util.module_from_spec(importlib.machinery.ModuleSpec(PACKAGE, None, is_package=True))
    package.__path__ = [str(folder)]
    sys.modules[PACKAGE] = package
    finder = SiblingFinder(folder)
    sys.meta_path.insert(0, finder)  # before the finder of the project's own (editable) install
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
        for key in [key for key in sys.modules if key == PACKAGE or key.startswith(PACKAGE + ".")]:
            del sys.modules[key]
        sys.modules.update(saved)


class SiblingFinder(importlib.abc.MetaPathFinder):
    """Finds `lessons.X` as X.py in one folder, and nowhere else (not in the repository's lessons/)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_spec(self, name: str, path=None, target=None):
        if not name.startswith(PACKAGE + ".") or name.count(".") != 1:
            return None
        file = self.folder / f"{name.split('.', 1)[1]}.py"
        if not file.is_file():
            raise ModuleNotFoundError(f"No module named {name!r} in {self.folder}", name=name)
        return importlib.util.spec_from_file_location(name, file)


def import_error(exc: BaseException, path: Path) -> LessonImportError:
    """The LessonImportError for a module at `path` that raised `exc` while importing."""
    file = display(path)
    line = exc.lineno if isinstance(exc, SyntaxError) and exc.lineno else None
    if line is None:
        frame = learner_frame(exc.__traceback__, path)
        line = frame[1] if frame else None
    missing = getattr(exc, "name", None) if isinstance(exc, ModuleNotFoundError) else None
    if missing and missing.startswith(PACKAGE + ".") and missing.count(".") == 1:
        sibling, folder = missing.split(".", 1)[1] + ".py", display(path.parent) + "/"
        return LessonImportError.speaking(lambda lang: (
            NO_SIBLING(lang, file=file, where=AT_LINE(lang, line=line) if line else "", name=missing,
                       folder=folder, sibling=sibling),
            NO_SIBLING_TODO(lang, sibling=sibling, folder=folder)))
    error = f"{type(exc).__name__}: {exc}"
    return LessonImportError.speaking(lambda lang: (
        CANNOT_IMPORT(lang, file=file, where=AT_LINE(lang, line=line) if line else "", error=error),
        CANNOT_IMPORT_TODO(lang, file=file)))
