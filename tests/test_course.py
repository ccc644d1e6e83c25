"""Every lesson and exercise of the course registry is complete: stub, solution, checks, hints, pages.

Parametrised over brushstrokes.course: a lesson whose lessons/ module does not exist yet is skipped (with the
reason); once it exists, every one of its exercises must be complete. The stubs tested are the committed ones
(git show HEAD:lessons/...), never the working files a learner fills in.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re
from pathlib import Path

import pytest

from brushstrokes import course
from brushstrokes.base.paths import ROOT
from brushstrokes.learner.loader import load_lesson
from brushstrokes.learner.stubs import write_committed_lessons

EXERCISES = [pytest.param(lesson, ex, id=ex.id) for lesson in course.LESSONS for ex in lesson.exercises]


def module_at(path: Path):
    spec = importlib.util.spec_from_file_location(f"course_test_{path.parent.name}_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the committed lesson files (the stubs as shipped)."""
    folder = tmp_path_factory.mktemp("committed") / "lessons"
    if not write_committed_lessons(folder):
        pytest.skip("git cannot give the committed lessons/ (no git, or nothing committed): the stubs as shipped "
                    "are unknown")
    return folder


@pytest.fixture
def existing(shipped: Path):
    """existing(lesson) -> (stub module, solution module); skips the test while the lesson's file is not
    committed in lessons/ yet."""
    def load(lesson: course.Lesson):
        if not (shipped / f"{lesson.module}.py").exists():
            pytest.skip(f"lesson {lesson.number}: lessons/{lesson.module}.py is not committed yet")
        solution = ROOT / "solutions" / f"{lesson.module}.py"
        assert solution.exists(), f"lessons/{lesson.module}.py exists but solutions/{lesson.module}.py does not"
        return load_lesson(lesson.module, folder=shipped), module_at(solution)

    return load


def marked_exercises(lesson: course.Lesson) -> dict[str, list[str]]:
    """{exercise id: [check names]} from the @pytest.mark.exercise("id") decorators of checks/test_lessonN.py."""
    path = ROOT / "checks" / f"test_lesson{lesson.number}.py"
    if not path.exists():
        return {}
    found: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
            for deco in node.decorator_list:
                if (isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith("mark.exercise")
                        and deco.args and isinstance(deco.args[0], ast.Constant)):
                    found.setdefault(deco.args[0].value, []).append(node.name)
    return found


def signature(fn) -> list[tuple[str, object, object]]:
    return [(p.name, p.kind, p.default) for p in inspect.signature(fn).parameters.values()]


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
def test_stub_and_solution_share_the_signature(lesson, ex, existing):
    stub, solution = existing(lesson)
    assert callable(getattr(stub, ex.function, None)), f"lessons/{lesson.module}.py has no {ex.function}"
    assert callable(getattr(solution, ex.function, None)), f"solutions/{lesson.module}.py has no {ex.function}"
    assert signature(getattr(stub, ex.function)) == signature(getattr(solution, ex.function))


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
def test_stub_raises_not_implemented_naming_its_exercise(lesson, ex, existing):
    stub, _ = existing(lesson)
    fn = getattr(stub, ex.function)
    required = [p for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
    with pytest.raises(NotImplementedError, match=re.escape(ex.id)):
        fn(*[None] * len(required))


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
def test_exercise_has_checks(lesson, ex, existing):
    existing(lesson)
    checks = marked_exercises(lesson).get(ex.id, [])
    assert checks, f"checks/test_lesson{lesson.number}.py has no check marked @pytest.mark.exercise({ex.id!r})"


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
def test_hints_in_both_languages(lesson, ex, existing):
    existing(lesson)
    assert ex.hints, f"exercise {ex.id} has no hints"
    for i, hint in enumerate(ex.hints, 1):
        assert hint("en").strip() and hint("zh").strip(), f"exercise {ex.id}: hint {i} is empty in a language"
        assert "to be written" not in hint("en") and "待写" not in hint("zh"), f"exercise {ex.id}: hint {i} is a TODO"
    assert ex.title("en").strip() and ex.title("zh").strip()


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
@pytest.mark.parametrize("suffix", [".md", ".zh.md"])
def test_both_pages_have_a_section_on_the_exercise(lesson, ex, suffix, existing):
    existing(lesson)
    page = ROOT / "docs" / lesson.page.replace(".md", suffix)
    assert page.exists(), f"docs/{page.name} does not exist"
    headings = [line for line in page.read_text().splitlines() if line.startswith("#")]
    assert any(re.search(rf"(?<![\d.]){re.escape(ex.id)}(?![\d])", h) for h in headings), (
        f"docs/{page.name} has no heading mentioning exercise {ex.id}")


def test_every_lesson_module_is_named_once():
    modules = [lesson.module for lesson in course.LESSONS]
    ids = [ex.id for ex in course.exercises()]
    assert len(set(modules)) == len(modules) and len(set(ids)) == len(ids)
    assert all(course.owner(ex).exercises.count(ex) == 1 for ex in course.exercises())
