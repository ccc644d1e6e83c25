"""What is being graded: lessons/ (the learner's), solutions/ (--solutions) or a folder (--lessons-dir).

The lessons and exercises themselves come from the course registry (brushstrokes.course); modules are
imported by the one loader (brushstrokes.learner.loader.load_lesson), once per module and run.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from brushstrokes import course
from brushstrokes.base.i18n import Text, language
from brushstrokes.learner.loader import LessonImportError, display, learner_frame, lesson_path, load_lesson

__all__ = ["Graded", "Target", "LessonImportError", "learner_frame", "display", "signature_text", "import_problem"]

NEXT_STEP = Text("fix {function} in {file}, then run `brushstrokes check {id}`",
                 "改正 {file} 里的 {function}，然后运行 `brushstrokes check {id}`")
IMPORTED_FROM = Text("{file} cannot be imported: {other} line {line}: {error}",
                     "{file} 无法导入：{other} 第 {line} 行：{error}")
IMPORTED_FROM_TODO = Text("fix that line of {other} (`python {other}` shows the full error), then run "
                          "`brushstrokes check` again",
                          "改正 {other} 的这一行（`python {other}` 会显示完整错误），然后再运行 `brushstrokes check`")


@dataclass(frozen=True)
class Graded:
    """One exercise as the checks grade it: the registry's exercise, and the file the learner edits."""

    exercise: course.Exercise
    file: str

    @property
    def id(self) -> str:
        return self.exercise.id

    @property
    def function(self) -> str:
        return self.exercise.function

    @property
    def keyword(self) -> str:
        """What to pass to `pytest -k` to run this exercise's checks alone ('1_2')."""
        return self.exercise.keyword

    @property
    def next_step(self) -> str:
        return NEXT_STEP(language(), function=self.function, file=self.file, id=self.id)


@dataclass
class Target:
    """Where the graded lesson modules come from: the `lessons` package, `solutions`, or a folder of files."""

    package: str = "lessons"
    folder: Path | None = None
    _loaded: dict[str, ModuleType] = field(default_factory=dict)

    @property
    def learners(self) -> bool:
        """True when grading the learner's own lessons/ (the run that records progress)."""
        return self.package == "lessons" and self.folder is None

    @property
    def label(self) -> str:
        if self.folder is not None:
            return display(self.folder) + "/"
        if self.package == "solutions":
            return "solutions/ " + ("(参考答案)" if language() == "zh" else "(the reference solutions)")
        return f"{self.package}/"

    def path(self, module: str) -> Path:
        """The .py file of a lesson module."""
        return lesson_path(module, self.package, self.folder)

    def file(self, module: str) -> str:
        """The lesson module's file as the learner would type it ('lessons/lesson1_content.py')."""
        return display(self.path(module))

    def exists(self, module: str) -> bool:
        return self.path(module).is_file()

    def load(self, module: str) -> ModuleType:
        """The lesson module, imported once per run; LessonImportError (learner's language) if it cannot be."""
        if module not in self._loaded:
            try:
                self._loaded[module] = load_lesson(module, self.package, self.folder)
            except LessonImportError as exc:
                raise import_problem(exc, self.path(module)) from None
        return self._loaded[module]

    def graded(self, exercise: course.Exercise) -> Graded:
        return Graded(exercise, self.file(course.owner(exercise).module))


def import_problem(exc: LessonImportError, path: Path) -> LessonImportError:
    """The loader's error, or, when the failing line is in another lesson file it imports, one naming that file."""
    cause = exc.__cause__
    folder = path.parent
    where: tuple[Path, int] | None = None
    if isinstance(cause, SyntaxError) and cause.filename and cause.lineno:
        where = (Path(cause.filename).resolve(), cause.lineno)
    elif cause is not None:
        tb, deepest = cause.__traceback__, None
        while tb is not None:
            file = Path(tb.tb_frame.f_code.co_filename).resolve()
            if file.parent == folder or file.parent == folder.parent / "lessons":
                deepest = (file, tb.tb_lineno)
            tb = tb.tb_next
        where = deepest
    if where is None or where[0] == path.resolve() or cause is None:
        return exc
    lang, other = language(), display(where[0])
    error = f"{type(cause).__name__}: {cause}"
    return LessonImportError(IMPORTED_FROM(lang, file=display(path), other=other, line=where[1], error=error),
                             IMPORTED_FROM_TODO(lang, other=other))


def signature_text(function: str, fn: object) -> str:
    """'content_loss(F, P)': how a function is called, defaults included."""
    sig = inspect.signature(fn)
    bare = [p.replace(annotation=inspect.Parameter.empty) for p in sig.parameters.values()]
    return f"{function}{sig.replace(parameters=bare, return_annotation=inspect.Signature.empty)}"


def parameters(fn: object) -> list[tuple[str, object, object]]:
    """(name, kind, default) of each parameter: what must match between a learner's function and the solution."""
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


def learner_line(exc: BaseException, path: Path) -> tuple[str, int, str] | None:
    """(function, line, source) of the deepest frame of `exc`'s traceback in the learner's file."""
    return learner_frame(exc.__traceback__, path)
