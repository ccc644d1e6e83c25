"""pytest set-up of the self-grading checks: options, the grading plugin, and shared fixtures.

    pytest checks/                  grade your code in lessons/
    pytest checks/ -k 1_2           only exercise 1.2
    pytest checks/ --solutions      grade the reference solutions (they must all pass)
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from checks.grading import GradingPlugin
from checks.target import Exercise, Lesson, LessonImportError, Target

REFERENCES = Path(__file__).resolve().parent / "references"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("brushstrokes", "Brushstrokes self-grading")
    group.addoption("--solutions", action="store_true", help="grade solutions/ instead of lessons/")
    group.addoption("--lessons-dir", type=Path, default=None, metavar="DIR",
                    help="grade the lesson files in DIR instead of lessons/ (used to test the checks)")
    group.addoption("--score-json", type=Path, default=None, metavar="PATH", help="also write the score as JSON")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "exercise(id): the lesson exercise this check grades, e.g. '1.2'")
    folder = config.getoption("--lessons-dir")
    target = Target(package="solutions" if config.getoption("--solutions") else "lessons",
                    folder=folder.resolve() if folder is not None else None)
    config.pluginmanager.register(GradingPlugin(target, config.getoption("--score-json")), "brushstrokes-grading")


def plugin(config: pytest.Config) -> GradingPlugin:
    return config.pluginmanager.get_plugin("brushstrokes-grading")


@pytest.fixture
def exercise(request: pytest.FixtureRequest) -> Exercise:
    """The exercise the running check grades (from its @pytest.mark.exercise)."""
    lesson: Lesson = request.module.LESSON
    return plugin(request.config).exercise(lesson, request.node.get_closest_marker("exercise").args[0])


@pytest.fixture
def lesson(request: pytest.FixtureRequest, exercise: Exercise) -> ModuleType:
    """The graded lesson module (the learner's, unless --solutions or --lessons-dir)."""
    problem = None
    try:
        module = plugin(request.config).target.load(request.module.LESSON.module)
    except LessonImportError as exc:
        problem = str(exc)
    if problem is not None:  # failed outside the except block: no chained exceptions in the report
        pytest.fail(problem, pytrace=False)
    if not callable(getattr(module, exercise.function, None)):
        pytest.fail(f"{exercise.file} has no function {exercise.function}\n"
                    f"  next: put back `def {exercise.function}(...)` with the signature of the original "
                    "(the checks call it by name), then run `pytest checks/` again", pytrace=False)
    return module


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> ModuleType:
    """The reference solution module of the lesson (to stand in for the other exercises)."""
    return Target(package="solutions").load(request.module.LESSON.module)


@pytest.fixture
def isolated(lesson: ModuleType, reference: ModuleType, exercise: Exercise, request: pytest.FixtureRequest,
             monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The lesson module with every other exercise's function replaced by the reference one.

    So a check of the loop (1.4) grades the loop alone: a mistake in 1.1-1.3 costs only its own exercise.
    """
    for function in request.module.LESSON.exercises.values():
        if function != exercise.function:
            monkeypatch.setattr(lesson, function, getattr(reference, function), raising=False)
    return lesson


def load_references(name: str) -> dict[str, np.ndarray]:
    path = REFERENCES / f"{name}.npz"
    if not path.exists():
        pytest.fail(f"the reference file {path} is missing\n"
                    "  next: restore it from git, or make it again: `.venv/bin/python tools/make_references.py`",
                    pytrace=False)
    with np.load(path, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


@pytest.fixture(scope="session")
def references_lesson1() -> dict[str, np.ndarray]:
    return load_references("lesson1")


@pytest.fixture(scope="session")
def vgg():
    """The real VGG19 (average pooling), loaded once per run; checks reshape it to their input."""
    from brushstrokes.vgg import load_vgg19

    return load_vgg19(pooling="avg", shape=(32, 32))
