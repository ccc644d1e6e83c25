"""The grading plugin: stubs read "not started", failures stay short, and every run ends with a score table.

An exercise passes when all of its checks pass; it is "not started" while its function still raises
NotImplementedError, "failed" otherwise, and "not run" when its checks were deselected or could not run.
Stretch exercises are listed after the core ones and not counted in the lesson's score.

Learner code cannot hang or fool the run: each check has a time limit (--check-timeout, SIGALRM) that names
the function; a real Ctrl-C stops the run and says so (the lessons' progress helper cannot swallow it), while a
KeyboardInterrupt, sys.exit or os._exit raised by learner code fails that check only; learner output is cut to
a few lines; one block per failing exercise.
`--score-json PATH` also writes the table as JSON (tools/check_untouched_lessons.py reads it). A run on the
learner's lessons/ records each graded exercise with brushstrokes.progress.record.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import types
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from brushstrokes import course, lesson_support, progress
from brushstrokes.course.model import Text
from brushstrokes.errors import BrushstrokesError
from brushstrokes.i18n import language
from checks import messages as msg
from checks.compare import CheckFailed
from checks.target import Graded, Target, display, learner_frame

PASSED, FAILED, NOT_STARTED, NOT_RUN = "passed", "failed", "not started", "not run"
COLOURS = {PASSED: {"green": True}, FAILED: {"red": True}, NOT_STARTED: {"yellow": True}, NOT_RUN: {}}
OUTCOMES = (pytest.fail.Exception, pytest.skip.Exception, pytest.xfail.Exception)
OUTPUT_LINES, OUTPUT_WIDTH = 6, 160  # learner output kept per section of a failure report
DEFAULT_TIMEOUT = 60.0


class CheckTimeout(BaseException):  # noqa: N818 -- a BaseException so that `except Exception` cannot swallow it
    """A check ran past its time limit; `frame` is where the learner's code was."""

    def __init__(self, seconds: float, frame: tuple[str, int, str, str] | None) -> None:
        super().__init__(f"did not finish within {seconds:g} s")
        self.seconds, self.frame = seconds, frame


class LearnerExit(BaseException):  # noqa: N818 -- what os._exit and a stray KeyboardInterrupt become in a check
    """Learner code tried to end the process (os._exit) or raised KeyboardInterrupt without a Ctrl-C."""

    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


class _NoSigint(types.SimpleNamespace):
    """Stands in for the `signal` module inside brushstrokes.lesson_support during a check: its progress helper
    may not replace the grader's Ctrl-C handler (one Ctrl-C would otherwise end the loop and grade it wrong)."""

    def __getattr__(self, name: str):
        return getattr(signal, name)

    @staticmethod
    def signal(signum, handler):
        if signum == signal.SIGINT:
            return signal.getsignal(signal.SIGINT)
        return signal.signal(signum, handler)


@dataclass
class ExerciseResult:
    id: str
    function: str
    file: str
    stretch: bool = False
    status: str = NOT_RUN
    note: str = ""
    checks: dict[str, str] = field(default_factory=dict)


def sort_key(exercise_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in exercise_id.split(".") if part.isdigit())


def cut(text: str, lines: int = OUTPUT_LINES, width: int = OUTPUT_WIDTH) -> str:
    """At most `lines` lines of at most `width` characters, and how much was left out."""
    kept = text.splitlines()
    shown = [line if len(line) <= width else line[: width - 3] + "..." for line in kept[:lines]]
    if len(kept) > lines:
        shown.append(msg.OUTPUT_CUT(language(), count=len(kept) - lines))
    return "\n".join(shown) + ("\n" if shown else "")


def pad(text: str, width: int) -> str:
    """text padded to `width` terminal columns (Chinese characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def first_line(message: str) -> str:
    lines = message.strip().splitlines() or ["failed"]
    return lines[0] if len(lines[0]) <= 70 else lines[0][:67] + "..."


SCORE_JSON = Text("--score-json {path} cannot be written: {problem}; give a file in a writable folder, "
                  "e.g. --score-json output/score.json",
                  "无法写入 --score-json {path}：{problem}；请给出可写文件夹中的文件，"
                  "例如 --score-json output/score.json")
FOLDER = Text("folder", "文件夹")


def score_json_error(path: Path, problem: object) -> str:
    """The one-line error for a --score-json that cannot be written, with what to do."""
    return SCORE_JSON(language(), path=path, problem=problem)


def score_json_path(path: Path | None) -> Path | None:
    """--score-json's file, its folder created and proven writable; else a usage error saying what to do."""
    from brushstrokes.outputs import prepare_folder

    if path is None:
        return None
    try:
        prepare_folder(path.parent, option=FOLDER(language()), names=(path.name,))
    except BrushstrokesError as exc:
        raise pytest.UsageError(score_json_error(path, exc.message)) from None
    return path


def write_score_json(path: Path, data: dict) -> str | None:
    """Write the score as JSON to `path`, whole or not at all; None, or the one-line error if it failed."""
    from brushstrokes.outputs import write_text

    try:
        write_text(path, json.dumps(data, indent=2, ensure_ascii=False))
    except OSError as exc:
        return score_json_error(path, exc.strerror or exc)
    return None


class GradingPlugin:
    """Collects each check's outcome per exercise, keeps learner code in bounds, and prints the score table."""

    def __init__(self, target: Target, score_json: Path | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.target = target
        self.reference = Target(package="solutions")
        self.score_json = score_json_path(score_json)  # refused before any check runs
        self.timeout = timeout
        self.lessons: dict[str, course.Lesson] = {}
        self.checks: dict[str, course.Exercise] = {}  # nodeid -> exercise
        self.outcomes: dict[str, tuple[str, str]] = {}  # nodeid -> (status, note)
        self.deselected: set[str] = set()  # nodeids left out by -k
        self.failed_exercises: set[str] = set()
        self.running: str | None = None
        self.interrupted = False
        self.selected = 0
        self.keyword: str | None = None
        self._previous_sigint = None
        self._reporter = None  # pytest's terminal reporter

    def graded(self, exercise_id: str) -> Graded:
        return self.target.graded(course.exercise(exercise_id))

    # collection ------------------------------------------------------------------------------------------
    def pytest_report_header(self, config: pytest.Config) -> str:
        other = msg.OTHER_LESSONS if self.target.package == "solutions" else msg.OTHER_SOLUTIONS
        return msg.HEADER(language(), label=self.target.label, other=other(language()))

    def pytest_itemcollected(self, item: pytest.Item) -> None:
        mark = item.get_closest_marker("exercise")
        lesson = getattr(getattr(item, "module", None), "LESSON", None)
        if mark is None or not isinstance(lesson, course.Lesson):
            return
        ex = course.exercise(mark.args[0])
        self.lessons[lesson.number] = lesson
        self.checks[item.nodeid] = ex
        # `-k 1.2`, `-k 1_2` and `-k content_grad` select the exercise's checks
        item.extra_keyword_matches.update({ex.id, ex.keyword, ex.function, lesson.module})

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        self.selected = len(items)
        self.keyword = config.getoption("keyword") or None

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.deselected.add(item.nodeid)
            self.outcomes.setdefault(item.nodeid, (NOT_RUN, msg.DESELECTED(language())))

    # keeping learner code in bounds ---------------------------------------------------------------------
    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self._previous_sigint = signal.signal(signal.SIGINT, self._on_sigint)
        self._reporter = session.config.pluginmanager.get_plugin("terminalreporter")

    @pytest.hookimpl(trylast=True)
    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        """A real Ctrl-C: the score table and its one line (msg.INTERRUPTED) say what happened, in the learner's
        language; pytest's "!!! KeyboardInterrupt !!!" banner and traceback line are left out."""
        if self.interrupted and self._reporter is not None and not self._reporter.config.option.fulltrace:
            self._reporter._report_keyboardinterrupt = lambda: None

    def _on_sigint(self, signum, frame) -> None:
        self.interrupted = True
        raise KeyboardInterrupt

    def _on_alarm(self, signum, frame) -> None:
        found = None
        folders = {self.target.path("x").parent, self.reference.path("x").parent}
        while frame is not None and found is None:
            path = Path(frame.f_code.co_filename).resolve()
            if path.parent in folders:
                import linecache

                found = (frame.f_code.co_name, frame.f_lineno, display(path),
                         linecache.getline(str(path), frame.f_lineno).strip())
            frame = frame.f_back
        raise CheckTimeout(self.timeout, found)

    @staticmethod
    def _exit(status: int = 0) -> None:
        raise LearnerExit(f"os._exit({status})")

    def _bounded(self, item: pytest.Item):
        """Run one phase of a check with the time limit, a guarded os._exit and a guarded Ctrl-C handler."""
        exit_, shim = os._exit, lesson_support.signal
        os._exit, lesson_support.signal = self._exit, _NoSigint()
        previous = signal.signal(signal.SIGALRM, self._on_alarm)
        if self.timeout > 0:
            signal.setitimer(signal.ITIMER_REAL, self.timeout, 1.0)  # again every second if it is swallowed
        try:
            return (yield)
        except KeyboardInterrupt as exc:
            if self.interrupted:
                raise
            raise LearnerExit("KeyboardInterrupt") from exc
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            os._exit, lesson_support.signal = exit_, shim

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item):
        self.running = item.nodeid
        return (yield from self._bounded(item))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        return (yield from self._bounded(item))

    # reports ---------------------------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        if item.nodeid not in self.checks:
            return report
        report.sections = [(title, cut(content)) for title, content in report.sections]
        if call.excinfo is None:
            return report
        ex = self.graded(self.checks[item.nodeid].id)
        status, note, longrepr = self.explain(item, ex, call.excinfo.value)
        if status in (FAILED, NOT_STARTED) and ex.id in self.failed_exercises:
            longrepr = msg.SAME_EXERCISE(language(), id=ex.id)
            report.sections = []
        if status in (FAILED, NOT_STARTED):
            self.failed_exercises.add(ex.id)
        if longrepr is not None:
            report.longrepr = longrepr
        report.user_properties.append(("brushstrokes", (status, note)))
        return report

    def explain(self, item: pytest.Item, ex: Graded, exc: BaseException) -> tuple[str, str, str | None]:
        """(status, table note, message or None to keep pytest's) for a check that raised `exc`."""
        lang = language()
        path = self.target.path(course.owner(ex.exercise).module)
        frame = learner_frame(exc.__traceback__, path)
        if isinstance(exc, NotImplementedError) and frame is not None:
            fields = {"file": ex.file, "function": frame[0], "id": ex.id}
            return NOT_STARTED, msg.NOT_STARTED_NOTE(lang, **fields), msg.NOT_STARTED(lang, **fields)
        if isinstance(exc, BrushstrokesError):
            return (NOT_RUN, first_line(msg.COULD_NOT_RUN_NOTE(lang, message=exc.message)),
                    msg.COULD_NOT_RUN(lang, message=exc.message, todo=exc.todo))
        if isinstance(exc, CheckTimeout):
            where = ""
            if exc.frame is not None:
                where = msg.TIMEOUT_WHERE(lang, file=exc.frame[2], line=exc.frame[1], source=exc.frame[3])
            function = exc.frame[0] if exc.frame is not None else ex.function
            return (FAILED, msg.TIMEOUT_NOTE(lang, seconds=exc.seconds),
                    msg.TIMEOUT(lang, function=function, seconds=exc.seconds, where=where, step=ex.next_step))
        if isinstance(exc, LearnerExit | SystemExit):
            how = exc.how if isinstance(exc, LearnerExit) else f"sys.exit({exc.code if exc.code is not None else ''})"
            where = msg.EXITED_WHERE(lang, file=ex.file, line=frame[1], source=frame[2]) if frame else ""
            return (FAILED, msg.EXITED_NOTE(lang, how=how),
                    msg.EXITED(lang, function=frame[0] if frame else ex.function, how=how, where=where, id=ex.id))
        if isinstance(exc, CheckFailed):
            return FAILED, exc.note or msg.WRONG_RESULT(lang), None
        if isinstance(exc, OUTCOMES):
            return FAILED, first_line(str(getattr(exc, "msg", exc))), None
        if frame is not None:
            error = cut(f"{type(exc).__name__}: {exc}", lines=3)
            return (FAILED, msg.RAISED_NOTE(lang, name=type(exc).__name__, line=frame[1]),
                    msg.RAISED(lang, function=frame[0], error=error.rstrip(), file=ex.file, line=frame[1],
                               source=frame[2], step=ex.next_step))
        return FAILED, first_line(f"{type(exc).__name__}: {exc}"), None

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.nodeid not in self.checks:
            return
        given = dict(report.user_properties).get("brushstrokes")
        if report.failed:
            status, note = given if given else (FAILED, first_line(str(report.longrepr)))
            if status == FAILED:
                self.outcomes[report.nodeid] = (status, note)
            else:
                self.outcomes.setdefault(report.nodeid, (status, note))
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else msg.SKIPPED(language())
            self.outcomes.setdefault(report.nodeid, (NOT_RUN, str(reason).removeprefix("Skipped: ")))
        elif report.when == "call":
            self.outcomes.setdefault(report.nodeid, (PASSED, ""))
        if report.when == "teardown":
            self.running = None

    # the score -------------------------------------------------------------------------------------------
    def results(self) -> list[tuple[course.Lesson, list[ExerciseResult]]]:
        table = []
        lang = language()
        for number in sorted(self.lessons, key=sort_key):
            lesson = self.lessons[number]
            file = self.target.file(lesson.module)
            rows = {ex.id: ExerciseResult(ex.id, ex.function, file, ex.stretch) for ex in lesson.exercises}
            for nodeid, ex in self.checks.items():
                if ex.id in rows:
                    default = (NOT_RUN, msg.INTERRUPTED_NOTE(lang) if self.interrupted else msg.DID_NOT_RUN(lang))
                    rows[ex.id].checks[nodeid] = self.outcomes.setdefault(nodeid, default)[0]
            for row in rows.values():
                self.grade(row)
            core = [rows[i] for i in sorted(rows, key=sort_key) if not rows[i].stretch]
            stretch = [rows[i] for i in sorted(rows, key=sort_key) if rows[i].stretch]
            table.append((lesson, core + stretch))
        return table

    def grade(self, row: ExerciseResult) -> None:
        """An exercise's status from its checks' outcomes: not started > failed > not run > passed."""
        lang = language()
        notes = {nodeid: self.outcomes[nodeid][1] for nodeid in row.checks}
        statuses = set(row.checks.values())
        if NOT_STARTED in statuses:
            row.status, row.note = NOT_STARTED, msg.NOT_STARTED_NOTE(lang, file=row.file, function=row.function)
        elif FAILED in statuses:
            row.status, row.note = FAILED, next(notes[n] for n in row.checks if row.checks[n] == FAILED)
        elif not statuses or statuses != {PASSED}:
            reasons = sorted({notes[n] for n in row.checks if row.checks[n] == NOT_RUN})
            row.status, row.note = NOT_RUN, reasons[0] if reasons else msg.NO_CHECKS(lang)
        else:
            row.status, row.note = PASSED, ""

    def next_step(self, table: list[tuple[course.Lesson, list[ExerciseResult]]]) -> str:
        """What to do next: the first failed or unstarted exercise, else the first ungraded one, else celebrate."""
        lang = language()
        rows = [row for _, lesson_rows in table for row in lesson_rows]
        core = [row for row in rows if not row.stretch] or rows
        todo = next((row for row in core if row.status in (FAILED, NOT_STARTED)), None)
        if todo is not None:
            ex = self.graded(todo.id)
            if todo.status == NOT_STARTED:
                return msg.NEXT_NOT_STARTED(lang, id=todo.id, function=todo.function, file=todo.file)
            return msg.NEXT_FAILED(lang, id=todo.id, step=ex.next_step)
        ungraded = next((row for row in core if row.status == NOT_RUN), None)
        if ungraded is not None and ungraded.note == msg.DESELECTED(lang):
            return msg.NEXT_AFTER_SELECTION(lang, id=ungraded.id)
        if ungraded is not None:
            return msg.NEXT_UNGRADED(lang, id=ungraded.id, note=ungraded.note)
        if self.target.package == "solutions" and self.target.folder is None:
            return msg.NEXT_SOLUTIONS(lang)
        done = table[-1][0].done(lang)
        return msg.DONE(lang, done=done) if done else msg.NEXT_LESSON(lang)

    def left_out(self, lesson: course.Lesson) -> bool:
        """True when -k deselected every check of this lesson (its rows would all read 'not run')."""
        nodeids = [n for n, ex in self.checks.items() if course.owner(ex).number == lesson.number]
        return bool(nodeids) and all(n in self.deselected for n in nodeids)

    def pytest_terminal_summary(self, terminalreporter) -> None:
        tr, lang = terminalreporter, language()
        if self.selected == 0 and self.keyword:
            ids = ", ".join(ex.id for number in sorted(self.lessons, key=sort_key)
                            for ex in self.lessons[number].exercises)
            tr.write_line(msg.NOTHING_SELECTED(lang, expr=self.keyword, ids=ids), yellow=True)
            return
        table = self.results()
        skipped = [lesson.number for lesson, _ in table if self.left_out(lesson)]
        table = [(lesson, rows) for lesson, rows in table if lesson.number not in skipped]
        if not table:
            return
        tr.write_sep("=", msg.SCORE(lang, label=self.target.label))
        for lesson, rows in table:
            core = [row for row in rows if not row.stretch]
            passed = sum(row.status == PASSED for row in core)
            tr.write_line(f"{lesson.heading(lang)}   {passed}/{len(core)}", bold=True)
            width = max(len(row.function) for row in rows)
            for i, row in enumerate(rows):
                if row.stretch and (i == 0 or not rows[i - 1].stretch):
                    tr.write_line(msg.STRETCH(lang))
                status = msg.STATUS[row.status](lang)
                line = f"  {row.id:<5} {row.function:<{width}}  {pad(status, 11)}  {row.note}".rstrip()
                tr.write_line(line, **COLOURS[row.status])
        if self.interrupted:
            running = self.checks.get(self.running or "")
            during = msg.INTERRUPTED_DURING(lang, id=running.id) if running else ""
            tr.write_line(msg.INTERRUPTED(lang, during=during), red=True, bold=True)
        else:
            if skipped:
                words = msg.LESSON_NUMBERS if len(skipped) == 1 else msg.LESSONS_NUMBERS
                numbers = ("、" if lang == "zh" else ", ").join(skipped)
                tr.write_line(msg.LESSONS_LEFT_OUT(lang, lessons=words(lang, numbers=numbers)))
            tr.write_line(self.next_step(table))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self._previous_sigint is not None:
            signal.signal(signal.SIGINT, self._previous_sigint)
        if not self.lessons:
            return
        table = self.results()
        if self.target.learners:
            progress.record({row.id: (row.status, row.note) for _, rows in table for row in rows})
        if self.score_json is None:
            return
        lessons = [{"lesson": lesson.number, "title": lesson.title(language()), "heading": lesson.heading(language()),
                    "passed": sum(row.status == PASSED for row in rows if not row.stretch),
                    "total": sum(not row.stretch for row in rows),
                    "exercises": [asdict(row) for row in rows]} for lesson, rows in table]
        problem = write_score_json(self.score_json, {"target": self.target.label, "lessons": lessons,
                                                     "interrupted": self.interrupted})
        if problem is not None:
            print(f"ERROR: {problem}", file=sys.stderr)
            session.exitstatus = session.exitstatus or pytest.ExitCode.USAGE_ERROR
