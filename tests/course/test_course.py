"""Every lesson and exercise of the course registry is complete: stub, solution, checks, hints, pages.

In the spirit of rustlings' `dev check`: the registry (brushstrokes/course/lessonN.py) is the only place an
exercise is named, and everything else must agree with it. An exercise needs at most six files, and each test
names the one to add or fix when it is missing:
  brushstrokes/course/lessonN.py  the registry entry: id, function, title, minutes, uses, hints, called_by, solution
  lessons/<module>.py             the stub, raising NotImplementedError that names the exercise
  solutions/<module>.py           the reference solution, with the stub's signature
  checks/test_lessonN.py          checks marked @pytest.mark.exercise("N.k")
  docs/lessonN.md, lessonN.zh.md  a section headed "Exercise N.k · <title> { #exercise-N-k }" (练习 in Chinese)
                                  and a fold showing the solution by name: --8<-- "solutions/<module>.py:<function>"
No public function of lessons/ or solutions/ may be left out of the registry (LESSON.helpers lists any that is
not an exercise). Parametrised over brushstrokes.course: a lesson whose lessons/ module does not exist yet is
skipped (with the reason); once it exists, every one of its exercises must be complete. The stubs tested are the
committed ones (git show HEAD:lessons/...), never the working files a learner fills in.
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
from brushstrokes.cli import COMMANDS
from brushstrokes.learner.loader import load_lesson
from brushstrokes.learner.stubs import write_committed_lessons
from tools.site import hooks as site_hooks

EXERCISES = [pytest.param(lesson, ex, id=ex.id) for lesson in course.LESSONS for ex in lesson.exercises]
LESSONS = [pytest.param(lesson, id=f"lesson{lesson.number}") for lesson in course.LESSONS]
LANGUAGES = ("en", "zh")
HEADING = re.compile(r"^(?P<level>#{2,3}) (?P<text>.*?)\s*\{ #(?P<anchor>[\w-]+) \}\s*$")
LINE_RANGE = re.compile(r'--8<-- "[^"]+:\d+(:\d+)?"')


def registry_file(lesson: course.Lesson) -> str:
    """Where the lesson's registry entries are written."""
    return f"brushstrokes/course/lesson{lesson.number}.py"


def page_text(lesson: course.Lesson, lang: str) -> str:
    page = ROOT / "docs" / lesson.page_in(lang)
    assert page.exists(), f"docs/{page.name} does not exist: add the lesson's page ({registry_file(lesson)} names it)"
    return page.read_text(encoding="utf-8")


def section(text: str, anchor: str) -> str | None:
    """The page's section whose heading has { #anchor }: from its heading to the next heading of its level or
    above, outside code blocks (None when no heading has that anchor)."""
    lines, fenced, start, level = text.splitlines(), False, None, 0
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        heading = None if fenced else re.match(r"(#+) ", line)
        if heading and start is not None and len(heading[1]) <= level:
            return "\n".join(lines[start:i])
        found = None if fenced else HEADING.match(line)
        if found and found["anchor"] == anchor:
            start, level = i, len(found["level"])
    return None if start is None else "\n".join(lines[start:])


def public_functions(path: Path) -> list[str]:
    """The top-level functions of a Python file whose names do not start with '_'."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.name for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_")]


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
    missing = [f"{folder}/{lesson.module}.py has no {ex.function} (exercise {ex.id}): add it" + (
               ", raising NotImplementedError that names the exercise" if folder == "lessons" else "")
               for folder, module in (("lessons", stub), ("solutions", solution))
               if not callable(getattr(module, ex.function, None))]
    assert not missing, "\n".join(missing)
    assert signature(getattr(stub, ex.function)) == signature(getattr(solution, ex.function)), (
        f"{ex.function} has another signature in lessons/{lesson.module}.py than in solutions/{lesson.module}.py")


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
def test_stub_raises_not_implemented_naming_its_exercise(lesson, ex, existing):
    stub, _ = existing(lesson)
    fn = getattr(stub, ex.function, None)
    assert callable(fn), f"lessons/{lesson.module}.py has no {ex.function} (exercise {ex.id}): add its stub"
    required = [p for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
    with pytest.raises(NotImplementedError, match=re.escape(ex.id)):  # lessons/<module>.py's stub names its id
        fn(*[None] * len(required))


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
def test_exercise_has_checks(lesson, ex, existing):
    existing(lesson)
    checks = marked_exercises(lesson).get(ex.id, [])
    assert checks, (f"checks/test_lesson{lesson.number}.py has no check marked @pytest.mark.exercise({ex.id!r}): "
                    f"add the checks of {ex.function}")


@pytest.mark.parametrize("lesson", LESSONS)
def test_every_marked_check_grades_an_exercise_of_its_lesson(lesson, existing):
    existing(lesson)
    ids = {ex.id for ex in lesson.exercises}
    stray = {i: names for i, names in marked_exercises(lesson).items() if i not in ids}
    assert not stray, (f"checks/test_lesson{lesson.number}.py marks checks with exercises that "
                       f"{registry_file(lesson)} does not register: {stray}")


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
def test_hints_in_both_languages(lesson, ex, existing):
    existing(lesson)
    where = registry_file(lesson)
    assert ex.hints, f"{where}: exercise {ex.id} has no hints: add its ladder (hints=(Text(en, zh), ...))"
    for i, hint in enumerate(ex.hints, 1):
        assert hint("en").strip() and hint("zh").strip(), f"{where}: exercise {ex.id}: hint {i} is empty in a language"
        assert "to be written" not in hint("en") and "待写" not in hint("zh"), (
            f"{where}: exercise {ex.id}: hint {i} is a TODO")
    assert ex.title("en").strip() and ex.title("zh").strip(), f"{where}: exercise {ex.id} needs a title in en and zh"
    assert ex.minutes > 0, f"{where}: exercise {ex.id} needs a time estimate (minutes)"


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_heads_a_section_with_the_exercises_title(lesson, ex, lang, existing):
    existing(lesson)
    page, text = lesson.page_in(lang), page_text(lesson, lang)
    headings = {found["anchor"]: found["text"] for found in map(HEADING.match, text.splitlines()) if found}
    wanted = f"## {ex.heading(lang)} {{ #{ex.anchor} }}"
    assert ex.anchor in headings, f"docs/{page} has no section on exercise {ex.id}: add the heading {wanted!r}"
    assert headings[ex.anchor] == ex.heading(lang), (
        f"docs/{page}: the heading of exercise {ex.id} is {headings[ex.anchor]!r}, but its title in "
        f"{registry_file(lesson)} makes it {ex.heading(lang)!r}: make the two equal")


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_folds_the_solution_taken_by_name(lesson, ex, lang, existing):
    existing(lesson)
    page, text = lesson.page_in(lang), page_text(lesson, lang)
    directive = f'--8<-- "solutions/{lesson.module}.py:{ex.function}"'
    shown = section(text, ex.solution_anchor)
    assert shown is not None, (f"docs/{page} has no section {{ #{ex.solution_anchor} }}, where "
                               f"{registry_file(lesson)} says the solution of exercise {ex.id} is shown")
    assert directive in shown, (f"docs/{page}: the section {{ #{ex.solution_anchor} }} does not show the solution "
                                f"of exercise {ex.id}: add a fold '??? success' whose python block holds "
                                f"{directive}")
    assert "??? success" in shown[:shown.index(directive)], (
        f"docs/{page}: the solution of exercise {ex.id} is not folded: put {directive} under '??? success'")
    try:
        site_hooks.function_source(ROOT / "solutions" / f"{lesson.module}.py", ex.function)
    except site_hooks.UnknownFunction as exc:
        pytest.fail(f"solutions/{lesson.module}.py: {exc.args[0]} (docs/{page} shows it)")


@pytest.mark.parametrize("page", sorted((ROOT / "docs").glob("*.md")), ids=lambda p: p.name)
def test_pages_take_code_by_name_never_by_line_numbers(page):
    text = page.read_text(encoding="utf-8")
    ranges = [m.group(0) for m in LINE_RANGE.finditer(text)]
    assert not ranges, (f"docs/{page.name} takes code by line numbers, which move with every edit: "
                        f"name the function instead ('--8<-- \"file.py:function\"'): {ranges}")
    try:
        site_hooks.functions_named(text, ROOT, f"docs/{page.name}: ")
    except site_hooks.UnknownFunction as exc:
        pytest.fail(exc.args[0])


@pytest.mark.parametrize("lesson", LESSONS)
@pytest.mark.parametrize("folder", ["lessons", "solutions"])
def test_no_function_is_left_out_of_the_registry(lesson, folder, existing, shipped):
    existing(lesson)
    path = (shipped if folder == "lessons" else ROOT / folder) / f"{lesson.module}.py"
    named = {ex.function for ex in lesson.exercises} | set(lesson.helpers)
    orphans = [name for name in public_functions(path) if name not in named]
    assert not orphans, (f"{folder}/{lesson.module}.py defines {', '.join(orphans)}, which "
                         f"{registry_file(lesson)} does not name: register each as an Exercise, or list it in "
                         f"LESSON.helpers (a function that is no exercise), or make it private (_name)")


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_lessons_commands_and_loop_exist(lesson):
    where = registry_file(lesson)
    assert (ROOT / where).exists(), f"{where} does not exist: the lesson's registry entries belong there"
    ids = [ex.id for ex in lesson.exercises]
    assert lesson.command in COMMANDS, f"{where}: the lesson's command {lesson.command!r} is not a brushstrokes command"
    assert lesson.loop in ids, f"{where}: the loop {lesson.loop!r} is not an exercise of lesson {lesson.number}"
    assert lesson.command in course.exercise(lesson.loop).called_by, (
        f"{where}: the loop {lesson.loop} must be called by the lesson's command {lesson.command!r} (called_by)")
    for ex in lesson.exercises:
        assert ex.id.split(".")[0] == lesson.number, f"{where}: exercise {ex.id} is not numbered in its lesson"
        unknown = [cmd for cmd in ex.called_by if cmd not in COMMANDS]
        assert not unknown, f"{where}: exercise {ex.id} is called by {unknown}, which are no brushstrokes commands"
        earlier = [e.id for e in course.exercises()[:course.exercises().index(ex)]]
        later = [i for i in ex.uses if i not in earlier]
        assert not later, f"{where}: exercise {ex.id} uses {later}, which are no earlier exercises of the course"


@pytest.mark.parametrize(("lesson", "ex"), EXERCISES)
def test_an_exercise_is_found_by_its_module_and_function(lesson, ex):
    assert course.by_function(lesson.module, ex.function) is ex
    assert course.find(ex.function) == [ex] and course.find(ex.id) == [ex]
    assert course.by_function(lesson.module, "no_such_function") is None
    assert course.by_function("no_such_module", ex.function) is None


def test_every_lesson_module_is_named_once():
    modules = [lesson.module for lesson in course.LESSONS]
    ids = [ex.id for ex in course.exercises()]
    assert len(set(modules)) == len(modules) and len(set(ids)) == len(ids)
    assert all(course.owner(ex).exercises.count(ex) == 1 for ex in course.exercises())
