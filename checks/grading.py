"""The grading plugin: stubs read "not started", failures stay short, and every run ends with a score table.

An exercise passes when all of its checks pass; it is "not started" while its function still raises
NotImplementedError, "failed" otherwise, and "not run" when its checks were deselected or could not run.
`--score-json PATH` also writes the table as JSON (tools/check_untouched_lessons.py reads it).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from brushstrokes.errors import BrushstrokesError
from checks.target import Exercise, Lesson, Target, learner_frame

PASSED, FAILED, NOT_STARTED, NOT_RUN = "passed", "failed", "not started", "not run"
COLOURS = {PASSED: {"green": True}, FAILED: {"red": True}, NOT_STARTED: {"yellow": True}, NOT_RUN: {}}
OUTCOMES = (pytest.fail.Exception, pytest.skip.Exception, pytest.xfail.Exception)


@dataclass
class ExerciseResult:
    id: str
    function: str
    file: str
    status: str = NOT_RUN
    note: str = ""
    checks: dict[str, str] = field(default_factory=dict)


def sort_key(exercise_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in exercise_id.split(".") if part.isdigit())


def short_reason(message: str) -> str:
    """The table's one-line note for a failed check: its likely mistake, else its first line."""
    for line in message.splitlines():
        if line.strip().startswith("likely mistake:"):
            return line.split(":", 2)[1].strip()
    lines = message.strip().splitlines() or ["failed"]
    if any(line.strip().startswith("returned") for line in lines):
        return "wrong result (see its failure above)"
    return lines[0] if len(lines[0]) <= 70 else lines[0][:67] + "..."


def not_started_message(ex: Exercise) -> str:
    return (f"not started: fill in {ex.file}::{ex.function} (exercise {ex.id}; its docstring explains it), "
            f"then run `pytest checks/ -k {ex.keyword}`")


def raised_message(ex: Exercise, exc: BaseException, frame: tuple[str, int, str]) -> str:
    function, line, source = frame
    return (f"{function} raised {type(exc).__name__}: {exc}\n"
            f"  at {ex.file} line {line}: {source}\n"
            f"  next: {ex.next_step}")


class GradingPlugin:
    """Collects each check's outcome per exercise and prints the score table."""

    def __init__(self, target: Target, score_json: Path | None = None) -> None:
        self.target = target
        self.score_json = score_json
        self.lessons: dict[str, Lesson] = {}
        self.checks: dict[str, tuple[Lesson, str]] = {}  # nodeid -> (lesson, exercise id)
        self.outcomes: dict[str, tuple[str, str]] = {}  # nodeid -> (status, message)
        self.not_started: set[str] = set()

    def exercise(self, lesson: Lesson, exercise_id: str) -> Exercise:
        return Exercise(exercise_id, lesson.exercises[exercise_id], self.target.file(lesson.module))

    # collection ------------------------------------------------------------------------------------------
    def pytest_report_header(self, config: pytest.Config) -> str:
        other = "lessons/" if self.target.package == "solutions" else "solutions/ with --solutions"
        return f"brushstrokes: grading {self.target.label} (check {other})"

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        mark = item.get_closest_marker("exercise")
        lesson = getattr(getattr(item, "module", None), "LESSON", None)
        if mark is None or not isinstance(lesson, Lesson):
            return
        self.lessons[lesson.number] = lesson
        self.checks[item.nodeid] = (lesson, mark.args[0])

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.outcomes.setdefault(item.nodeid, (NOT_RUN, "deselected"))

    # running ---------------------------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if call.excinfo is None or item.nodeid not in self.checks:
            return report
        lesson, exercise_id = self.checks[item.nodeid]
        ex = self.exercise(lesson, exercise_id)
        exc, tb = call.excinfo.value, call.excinfo.tb
        frame = learner_frame(tb, self.target.path(lesson.module))
        if isinstance(exc, NotImplementedError) and frame is not None:
            self.not_started.add(item.nodeid)
            report.longrepr = not_started_message(Exercise(exercise_id, frame[0], ex.file))
        elif isinstance(exc, BrushstrokesError):
            report.longrepr = f"could not run this check: {exc.message}\n  next: {exc.todo}"
        elif not isinstance(exc, OUTCOMES) and frame is not None:
            report.longrepr = raised_message(ex, exc, frame)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid not in self.checks:
            return
        if report.failed:
            if report.nodeid in self.not_started:
                self.outcomes[report.nodeid] = (NOT_STARTED, str(report.longrepr))
            elif isinstance(report.longrepr, str) and report.longrepr.startswith("could not run"):
                self.outcomes[report.nodeid] = (NOT_RUN, report.longrepr)
            else:
                self.outcomes.setdefault(report.nodeid, (FAILED, str(report.longrepr)))
        elif report.skipped:
            self.outcomes.setdefault(report.nodeid, (NOT_RUN, "skipped"))
        elif report.when == "call":
            self.outcomes.setdefault(report.nodeid, (PASSED, ""))

    # the score -------------------------------------------------------------------------------------------
    def results(self) -> list[tuple[Lesson, list[ExerciseResult]]]:
        table = []
        for number in sorted(self.lessons, key=sort_key):
            lesson = self.lessons[number]
            rows = {i: ExerciseResult(i, f, self.target.file(lesson.module)) for i, f in lesson.exercises.items()}
            for nodeid, (owner, exercise_id) in self.checks.items():
                if owner is lesson:
                    rows[exercise_id].checks[nodeid] = self.outcomes.get(nodeid, (NOT_RUN, "did not run"))[0]
            for row in rows.values():
                self.grade(row)
            table.append((lesson, [rows[i] for i in sorted(rows, key=sort_key)]))
        return table

    def grade(self, row: ExerciseResult) -> None:
        """An exercise's status from its checks' outcomes: not started > failed > not run > passed."""
        statuses = set(row.checks.values())
        messages = [self.outcomes.get(nodeid, ("", ""))[1] for nodeid in row.checks]
        if NOT_STARTED in statuses:
            row.status, row.note = NOT_STARTED, f"fill in {row.file}::{row.function}"
        elif FAILED in statuses:
            first = next(m for n, m in zip(row.checks, messages, strict=True) if row.checks[n] == FAILED)
            row.status, row.note = FAILED, short_reason(first)
        elif not statuses or statuses != {PASSED}:
            reasons = {m for n, m in zip(row.checks, messages, strict=True) if row.checks[n] == NOT_RUN}
            row.status, row.note = NOT_RUN, short_reason(sorted(reasons)[0]) if reasons else "no checks"
        else:
            row.status = PASSED

    def next_step(self, table: list[tuple[Lesson, list[ExerciseResult]]]) -> str:
        """What to do next: the first failed or unstarted exercise, else the first ungraded one, else celebrate."""
        rows = [row for _, lesson_rows in table for row in lesson_rows]
        todo = next((row for row in rows if row.status in (FAILED, NOT_STARTED)), None)
        if todo is not None:
            ex = Exercise(todo.id, todo.function, todo.file)
            if todo.status == NOT_STARTED:
                return (f"Next: exercise {todo.id}: fill in {todo.function} in {todo.file} (its docstring "
                        f"explains it), then run `pytest checks/ -k {ex.keyword}`.")
            return f"Next: exercise {todo.id}: read its failure above, {ex.next_step}."
        ungraded = next((row for row in rows if row.status == NOT_RUN), None)
        if ungraded is not None:
            return (f"Next: exercise {ungraded.id} was not graded ({ungraded.note}): "
                    "run `pytest checks/` to grade every exercise.")
        if self.target.package == "solutions" and self.target.folder is None:
            return "Next: these are the reference solutions; grade your own code in lessons/ with `pytest checks/`."
        return f"Next: {table[-1][0].done}" if table[-1][0].done else "Next: on to the next lesson."

    def pytest_terminal_summary(self, terminalreporter) -> None:
        table = self.results()
        if not table:
            return
        tr = terminalreporter
        tr.write_sep("=", f"Brushstrokes score: {self.target.label}")
        for lesson, rows in table:
            passed = sum(row.status == PASSED for row in rows)
            tr.write_line(f"{lesson.heading}   {passed}/{len(rows)}", bold=True)
            width = max(len(row.function) for row in rows)
            for row in rows:
                line = f"  {row.id:<5} {row.function:<{width}}  {row.status:<11}  {row.note}".rstrip()
                tr.write_line(line, **COLOURS[row.status])
        tr.write_line(self.next_step(table))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.score_json is None:
            return
        lessons = [{"lesson": lesson.number, "title": lesson.title, "heading": lesson.heading,
                    "passed": sum(row.status == PASSED for row in rows), "total": len(rows),
                    "exercises": [asdict(row) for row in rows]} for lesson, rows in self.results()]
        self.score_json.parent.mkdir(parents=True, exist_ok=True)
        self.score_json.write_text(json.dumps({"target": self.target.label, "lessons": lessons}, indent=2))
