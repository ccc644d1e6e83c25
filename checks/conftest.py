"""pytest set-up of the self-grading checks: options, the grading plugin, and the fixtures every lesson shares.

    pytest checks/                  grade your code in lessons/
    pytest checks/ -k 1.2           only exercise 1.2 (also: -k 1_2, -k content_grad; -k lesson1: a lesson),
                                    matched exactly (checks.grading.ExactKeywords)
    pytest checks/ --solutions      grade the reference solutions (they must all pass)
    pytest checks/ --lessons-dir D  grade the lesson files in folder D (the project's tests and mutants use it)
    pytest checks/ --check-timeout S   each check's time limit in seconds (default 60; 0 = none)
A --lessons-dir that is not a folder, or a --check-timeout below 0 or not finite, stops the run before any check.

How a lesson's check module is written (checks/test_lessonN.py):

    from brushstrokes import course
    LESSON = course.lesson("2")                      # the registry's Lesson: exercises, module, file

    @pytest.mark.exercise("2.1")                     # the exercise this check grades (one or more checks each)
    def test_2_1_small_example(lesson, exercise):    # lesson: the graded module; exercise: a checks.target.Graded
        F = ...                                      # build inputs here; hand the learner fresh copies
        got = expect_array(exercise, call, lesson.gram(F.copy()), expected)
        expect_close(exercise, call, got, expected, FLOAT32_TOL, [Mistake(...)])

Fixtures: `lesson` (the graded module; its function's signature is checked against the solution's first),
`exercise` (id, function, file, keyword, next_step), `reference` (the lesson's solutions module), `isolated`
(the graded module with every other exercise's function of the lesson, and every function of the exercises in
the registry's `uses` (earlier lessons too), replaced by the reference ones: one mistake costs one exercise),
`vgg` (the real VGG19, average pooling, loaded once; a check whose learner code changed the weights fails, and
they are restored for the next one), `references_lesson1`; `load_references(name)` reads
checks/references/<name>.npz once per run (a damaged file is reported as such, never as the learner's fault).
Compare helpers: checks.compare (expect_scalar/array/close, Mistake, fail, rel_error, pixels, unchanged,
describe); loop grading: checks.loops. Messages may be Text(en, zh).
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from brushstrokes import course
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language, speaking
from checks import messages as msg
from checks.compare import CheckFailed
from checks.grading import DEFAULT_TIMEOUT, GradingPlugin
from checks.loops import guard
from checks.target import Graded, LessonImportError, Target, import_problem, parameters, signature_text

REFERENCES = Path(__file__).resolve().parent / "references"
USAGE = Text("{message}\n  what to do: {todo}", "{message}\n  怎么办：{todo}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("brushstrokes", "Brushstrokes self-grading")
    group.addoption("--solutions", action="store_true", help="grade solutions/ instead of lessons/")
    group.addoption("--lessons-dir", type=Path, default=None, metavar="DIR",
                    help="grade the lesson files in DIR instead of lessons/ (used to test the checks)")
    group.addoption("--score-json", type=Path, default=None, metavar="PATH", help="also write the score as JSON")
    group.addoption("--references-dir", type=Path, default=None, metavar="DIR",
                    help="read the reference files from DIR instead of checks/references (the project's tests)")
    group.addoption("--check-timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                    help=f"stop a check after this many seconds (default {DEFAULT_TIMEOUT:g}; 0: no limit)")


def checked_options(config: pytest.Config) -> tuple[Path | None, float]:
    """--lessons-dir (an existing folder) and --check-timeout (0 or more seconds, finite), refused as
    `brushstrokes check` refuses them: one line and what to do, before any check runs (pytest's usage error)."""
    from brushstrokes.learner import places
    from brushstrokes.runs import validate

    folder = config.getoption("--lessons-dir")
    try:
        timeout = validate.time_limit(config.getoption("--check-timeout"))
        if folder is not None:
            folder = places.existing_lessons_dir(folder)
    except BrushstrokesError as exc:
        raise pytest.UsageError(USAGE(language(), message=exc.message, todo=exc.todo)) from None
    return folder, timeout


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(id): the lesson exercise this check grades, e.g. '1.2'")
    config.option.reportchars = "".join(c for c in config.option.reportchars if c not in "fE")  # the table says it
    folder, timeout = checked_options(config)
    target = Target(package="solutions" if config.getoption("--solutions") else "lessons", folder=folder)
    global REFERENCES
    REFERENCES = (config.getoption("--references-dir") or REFERENCES).resolve()
    config.pluginmanager.register(GradingPlugin(target, config.getoption("--score-json"), timeout),
                                  "brushstrokes-grading")


def plugin(config: pytest.Config) -> GradingPlugin:
    return config.pluginmanager.get_plugin("brushstrokes-grading")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A lesson whose module is not in --lessons-dir is skipped there (the folder holds other lessons)."""
    grading = plugin(config)
    if grading.target.folder is None:
        return
    for item in items:
        lesson = getattr(getattr(item, "module", None), "LESSON", None)
        if isinstance(lesson, course.Lesson) and not grading.target.exists(lesson.module):
            item.add_marker(pytest.mark.skip(reason=f"no {lesson.module}.py in {grading.target.label}"))


@pytest.fixture
def exercise(request: pytest.FixtureRequest) -> Graded:
    """The exercise the running check grades (from its @pytest.mark.exercise)."""
    return plugin(request.config).graded(request.node.get_closest_marker("exercise").args[0])


def import_note(problem: LessonImportError, path: Path) -> Callable[[str], str]:
    """The first line of an import problem in any language (the score table's note, kept for `progress`)."""
    loader_error = problem.__context__  # the loader's own error, when target.import_problem named another file

    def note(lang: str) -> str:
        if lang in problem.said:
            return problem.said[lang][0].splitlines()[0]
        if isinstance(loader_error, LessonImportError) and loader_error.__cause__ is not None:
            with speaking(lang):
                return import_problem(loader_error, path).message.splitlines()[0]
        return problem.message.splitlines()[0]

    return note


def load_graded(request: pytest.FixtureRequest, module: str) -> ModuleType:
    """A lesson module of the graded target; an import problem fails the check with the learner's line."""
    problem = None
    target = plugin(request.config).target
    try:
        return target.load(module)
    except LessonImportError as exc:
        problem = exc
    raise CheckFailed(f"{problem.message}\n  {msg.NEXT(language(), step=problem.todo).strip()}",
                      import_note(problem, target.path(module)))


@pytest.fixture
def lesson(request: pytest.FixtureRequest, exercise: Graded, reference: ModuleType) -> ModuleType:
    """The graded lesson module (the learner's, unless --solutions or --lessons-dir), its function checked."""
    module = load_graded(request, request.module.LESSON.module)
    lang = language()
    fn = getattr(module, exercise.function, None)
    if not callable(fn):
        fields = {"file": exercise.file, "function": exercise.function, "id": exercise.id}
        raise CheckFailed(msg.NO_FUNCTION(lang, **fields),
                          lambda lang: msg.NO_FUNCTION(lang, **fields).splitlines()[0])
    wanted = getattr(reference, exercise.function)
    try:
        same = parameters(fn) == parameters(wanted)
    except (TypeError, ValueError):  # a callable without a signature (a builtin, a C function)
        same = True
    if not same:
        expected = signature_text(exercise.function, wanted)
        raise CheckFailed(msg.SIGNATURE(lang, file=exercise.file, got=signature_text(exercise.function, fn),
                                        expected=expected, id=exercise.id),
                          lambda lang: msg.SIGNATURE_NOTE(lang, expected=expected))
    return module


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> ModuleType:
    """The reference solution module of the lesson (to stand in for the other exercises)."""
    return plugin(request.config).reference.load(request.module.LESSON.module)


@pytest.fixture
def isolated(lesson: ModuleType, exercise: Graded, request: pytest.FixtureRequest,
             monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The lesson module with every other exercise's function, those of the exercises it uses, and any other
    lesson's exercise function it imported (say lesson 2's `gram` in lesson 3) swapped for the reference ones
    (from their own lesson's solutions module).

    So a check of the loop (1.4) grades the loop alone: a mistake in 1.1-1.3 costs only its own exercise.
    """
    references = plugin(request.config).reference
    this: course.Lesson = request.module.LESSON
    swap = [ex for ex in this.exercises if ex.id != exercise.id]
    swap += [course.exercise(i) for i in exercise.exercise.uses if course.exercise(i) not in swap]
    swap += [ex for ex in course.exercises() if ex not in swap and hasattr(lesson, ex.function)]
    for ex in swap:
        if ex.id == exercise.id or ex.function == exercise.function:
            continue
        solution = references.load(course.owner(ex).module)
        monkeypatch.setattr(lesson, ex.function, getattr(solution, ex.function), raising=False)
    return lesson


class ReferencesDamaged(BrushstrokesError):
    """checks/references cannot be read: never the learner's fault."""


def damaged(problem: str) -> ReferencesDamaged:
    lang = language()
    return ReferencesDamaged(msg.REFERENCES_DAMAGED(lang, problem=problem), msg.REFERENCES_TODO(lang))


class References(dict):
    """The arrays of one references file; a missing name means the file is damaged, not the learner's code."""

    def __missing__(self, key: str) -> np.ndarray:
        raise damaged(f"no array {key!r}")


_loaded: dict[str, References | ReferencesDamaged] = {}


def load_references(name: str) -> References:
    """checks/references/<name>.npz, every array read (a truncated or corrupt file fails here, once per run)."""
    if name not in _loaded:
        path = REFERENCES / f"{name}.npz"
        try:
            with np.load(path, allow_pickle=False) as npz:
                _loaded[name] = References({key: npz[key] for key in npz.files})
        except FileNotFoundError:
            _loaded[name] = damaged(f"{name}.npz is missing")
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
            _loaded[name] = damaged(f"{name}.npz: {type(exc).__name__}: {exc}")
    found = _loaded[name]
    if isinstance(found, ReferencesDamaged):
        raise found
    return found


@pytest.fixture(scope="session")
def references_lesson1() -> References:
    return load_references("lesson1")


@pytest.fixture(scope="session")
def _vgg_net():
    from brushstrokes.net.vgg import load_vgg19

    net = load_vgg19(pooling="avg", shape=(32, 32))
    guard(net)  # the weights as loaded, to verify and restore after learner calls
    return net


@pytest.fixture
def vgg(_vgg_net):
    """The real VGG19 (average pooling), loaded once per run; checks reshape it to their input.

    checks.loops verifies the weights after each learner loop; whatever a check still left changed is restored
    here, and the check fails as the learner's mistake (the next check gets an intact net either way).
    """
    yield _vgg_net
    layers = guard(_vgg_net).restore()
    if layers:
        lang = language()
        raise CheckFailed(f"{msg.NET_DAMAGED(lang, layers=', '.join(layers[:4]))}\n  "
                          f"{msg.NET_DAMAGED_FIX(lang)}", msg.NET_DAMAGED_NAME)
