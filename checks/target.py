"""What is being graded: the lessons and their exercises, and where the lesson modules come from."""

from __future__ import annotations

import importlib
import importlib.util
import linecache
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType, TracebackType

from brushstrokes.paths import ROOT


@dataclass(frozen=True)
class Lesson:
    """One lesson: its number, title, module name (in lessons/ and solutions/) and exercises (id -> function)."""

    number: str
    title: str
    module: str
    exercises: dict[str, str]
    done: str = ""  # what to do once every exercise passes

    @property
    def heading(self) -> str:
        return f"Lesson {self.number} · {self.title}"


@dataclass(frozen=True)
class Exercise:
    """One exercise of a lesson, as the learner sees it: id '1.2', function, and the file to edit."""

    id: str
    function: str
    file: str

    @property
    def keyword(self) -> str:
        """What to pass to `pytest -k` to run this exercise's checks alone ('1_2')."""
        return self.id.replace(".", "_")

    @property
    def next_step(self) -> str:
        return f"fix {self.function} in {self.file}, then run `pytest checks/ -k {self.keyword}`"


class LessonImportError(Exception):
    """The learner's lesson module cannot be imported (a syntax error, a bad import...)."""


@dataclass
class Target:
    """Where the graded lesson modules come from: the `lessons` package, `solutions`, or a folder of files."""

    package: str = "lessons"
    folder: Path | None = None
    _loaded: dict[str, ModuleType] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.folder is not None:
            return display(self.folder) + "/"
        return f"{self.package}/" + (" (the reference solutions)" if self.package == "solutions" else "")

    def path(self, module: str) -> Path:
        """The .py file of a lesson module."""
        base = self.folder if self.folder is not None else ROOT / self.package
        return (base / f"{module}.py").resolve()

    def file(self, module: str) -> str:
        """The lesson module's file as the learner would type it ('lessons/lesson1_content.py')."""
        return display(self.path(module))

    def load(self, module: str) -> ModuleType:
        """Import the lesson module once; LessonImportError with a short reason if it cannot be."""
        if module not in self._loaded:
            try:
                self._loaded[module] = self._import(module)
            except Exception as exc:  # a learner's file can fail in any way: report it, briefly
                raise LessonImportError(import_problem(exc, self.path(module))) from exc
        return self._loaded[module]

    def _import(self, module: str) -> ModuleType:
        if self.folder is None:
            return importlib.import_module(f"{self.package}.{module}")
        name = f"brushstrokes_checked_{module}"
        spec = importlib.util.spec_from_file_location(name, self.path(module))
        if spec is None or spec.loader is None or not self.path(module).exists():
            raise FileNotFoundError(f"no file {self.path(module)}")
        loaded = importlib.util.module_from_spec(spec)
        sys.modules[name] = loaded
        spec.loader.exec_module(loaded)
        return loaded


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
        if Path(code.co_filename).resolve() == path:
            found = (code.co_name, tb.tb_lineno, linecache.getline(code.co_filename, tb.tb_lineno).strip())
        tb = tb.tb_next
    return found


def import_problem(exc: Exception, path: Path) -> str:
    """One paragraph on why a lesson module failed to import, and what to do."""
    where = ""
    if isinstance(exc, SyntaxError) and exc.lineno:
        where = f" at line {exc.lineno}"
    else:
        frame = learner_frame(exc.__traceback__, path)
        where = f" at line {frame[1]} ({frame[2]})" if frame else ""
    return (f"{display(path)} cannot be imported{where}: {type(exc).__name__}: {exc}\n"
            f"  next: fix that line (run `python {display(path)}` to see the full error), "
            "then run `pytest checks/` again")
