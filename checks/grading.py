"""The grading plugin: stubs read "not started", failures stay short, and every run ends with a score table.

An exercise passes when all of its checks pass; it is "not started" while its function still raises
NotImplementedError, "failed" otherwise, and "not run" when its checks were deselected or could not run.
Stretch exercises are listed after the core ones and not counted in the lesson's score.

Learner code cannot hang or fool the run: each check has a time limit (--check-timeout, SIGALRM) that names
the function; a real Ctrl-C stops the run and says so (the lessons' progress helper cannot swallow it), while a
KeyboardInterrupt, sys.exit or os._exit raised by learner code fails that check only; learner output is cut to
a few lines; one block per failing exercise.
`--score-json PATH` also writes the table as JSON (tools/dev/check_untouched_lessons.py reads it).

The learner's state: a run on the learner's lesson files (lessons/, or the folder $BRUSHSTROKES_LESSONS_DIR names)
records each graded exercise with brushstrokes.learner.progress.record, in the state folder the rest of the learner's
commands use (brushstrokes.learner.places.state_dir(): $BRUSHSTROKES_STATE_DIR, else .brushstrokes/); each note
is kept in every language, so `brushstrokes progress` shows it in the language asked for. Such a run also reads
the grades kept from earlier runs: an exercise this run did not select shows its last grade, the lesson's score
counts it, and the next step is the first exercise of the course not passed yet (a failure of this run first).
The JSON score holds this run's grades only.

`-k` with an exercise's id (1.2 or 1_2), its function (content_grad) or a lesson (lesson1, lesson1_content)
selects exactly those checks: pytest alone matches substrings of check names, so `-k 1_1` would also pick
lesson 2's checks at layer conv1_1. Other words of the expression keep pytest's meaning.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import types
import unicodedata
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import pytest

from brushstrokes import course
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import LANGUAGES, Text, in_every_language, in_language, language
from brushstrokes.learner import places, progress
from brushstrokes.runs import stop
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
    """Stands in for the `signal` module inside brushstrokes.runs.stop during a check: the lessons' progress helper
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
    notes: dict[str, str] = field(default_factory=dict)  # the note in every language ({} when there is none)
    earlier: str = ""  # when this grade was given, for one kept from an earlier run ("" for this run's)


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
    lines = message.strip().splitlines() or [msg.STATUS[FAILED](language())]
    return lines[0] if len(lines[0]) <= 70 else lines[0][:67] + "..."


SCORE_JSON = Text("--score-json {path} cannot be written: {problem}; give a file in a writable folder, "
                  "e.g. --score-json output/score.json",
                  "无法写入 --score-json {path}：{problem}；请给出可写文件夹中的文件，"
                  "例如 --score-json output/score.json")
FOLDER = Text("folder", "文件夹")
SCORE_JSON_FAILED = Text("ERROR: {problem}", "错误：{problem}")
EARLIER = Text("last checked {when}", "上次检查 {when}")
EARLIER_NOTE = Text("{note} · last checked {when}", "{note} · 上次检查 {when}")
NEXT_EARLIER_FAILED = Text("Next: what you checked passes; exercise {id} failed when last checked ({note}): fix "
                           "{function} in {file}, then run `brushstrokes check {id}`.",
                           "下一步：你检查的练习都通过了；练习 {id} 上次检查没有通过（{note}）：改正 {file} 里的 "
                           "{function}，然后运行 `brushstrokes check {id}`。")
NEXT_EARLIER_NOT_STARTED = Text("Next: what you checked passes; exercise {id} is not started yet: fill in {function} "
                                "in {file} (its docstring explains it), then run `brushstrokes check {id}`.",
                                "下一步：你检查的练习都通过了；练习 {id} 还没有开始：完成 {file} 里的 {function}"
                                "（文档字符串里有说明），然后运行 `brushstrokes check {id}`。")


def said(text: Text, **fields: object) -> dict[str, str]:
    """`text` with `fields` in every language (a note kept for later)."""
    return in_every_language(lambda: text(language(), **fields))


def same_in_every_language(note: str) -> dict[str, str]:
    """A note that has one wording only (Python's own words, pytest's) under every language."""
    return dict.fromkeys(LANGUAGES, note)


def score_json_error(path: Path, problem: object) -> str:
    """The one-line error for a --score-json that cannot be written, with what to do."""
    return SCORE_JSON(language(), path=path, problem=problem)


def score_json_path(path: Path | None) -> Path | None:
    """--score-json's file, its folder created and proven writable; else a usage error saying what to do."""
    from brushstrokes.base.outputs import prepare_folder

    if path is None:
        return None
    try:
        prepare_folder(path.parent, option=FOLDER(language()), names=(path.name,))
    except BrushstrokesError as exc:
        raise pytest.UsageError(score_json_error(path, exc.message)) from None
    return path


def write_score_json(path: Path, data: dict) -> str | None:
    """Write the score as JSON to `path`, whole or not at all; None, or the one-line error if it failed."""
    from brushstrokes.base.outputs import write_text

    try:
        write_text(path, json.dumps(data, indent=2, ensure_ascii=False))
    except OSError as exc:
        return score_json_error(path, exc.strerror or exc)
    return None


@functools.cache
def naming_words() -> tuple[dict[str, str], dict[str, str]]:
    """({word: exercise id}, {word: lesson number}) for every -k word that names an exercise or a lesson."""
    exercises = {word.lower(): ex.id for ex in course.exercises() for word in (ex.id, ex.keyword, ex.function)}
    lessons = {word.lower(): lesson.number for lesson in course.LESSONS
               for word in (f"lesson{lesson.number}", lesson.module)}
    return exercises, lessons


class ExactKeywords:
    """pytest's -k matcher for one check, except that the words naming an exercise or a lesson match exactly.

    `1.1`, `1_1` and `content_loss` match the checks marked with exercise 1.1 and nothing else (pytest's own
    matcher finds `1_1` inside `test_2_3_gradient_at_conv1_1`); `lesson1` and `lesson1_content` match the checks
    of lesson 1's module. Every other word keeps pytest's meaning (a substring of the check's names).
    """

    def __init__(self, item: pytest.Item, exercise: course.Exercise | None, default) -> None:
        self.exercise = exercise
        lesson = getattr(getattr(item, "module", None), "LESSON", None)
        self.lesson = lesson.number if isinstance(lesson, course.Lesson) else None
        self.default = default

    def __call__(self, name: str, /, **kwargs) -> bool:
        exercises, lessons = naming_words()
        word = name.lower()
        if word in exercises:
            return self.exercise is not None and self.exercise.id == exercises[word]
        if word in lessons:
            return self.lesson == lessons[word]
        return self.default(name, **kwargs)


def select_by_keyword(config: pytest.Config, items: list[pytest.Item], expression: str,
                      checks: dict[str, course.Exercise]) -> bool:
    """Keep the items that `-k expression` selects (ExactKeywords), report the others as deselected; False
    (nothing done, pytest's own -k applies) when pytest's expression parser cannot be used or rejects it."""
    try:
        from _pytest.mark import KeywordMatcher
        from _pytest.mark.expression import Expression

        compiled = Expression.compile(expression)
    except (ImportError, AttributeError, SyntaxError):  # pytest says what is wrong with the expression
        return False
    kept, dropped = [], []
    for item in items:
        matcher = ExactKeywords(item, checks.get(item.nodeid), KeywordMatcher.from_item(item))
        (kept if compiled.evaluate(matcher) else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept
    return True


class GradingPlugin:
    """Collects each check's outcome per exercise, keeps learner code in bounds, and prints the score table."""

    def __init__(self, target: Target, score_json: Path | None = None, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.target = target
        self.reference = Target(package="solutions")
        self.score_json = score_json_path(score_json)  # refused before any check runs
        self.timeout = timeout
        self.lessons: dict[str, course.Lesson] = {}
        self.checks: dict[str, course.Exercise] = {}  # nodeid -> exercise
        self.outcomes: dict[str, tuple[str, dict[str, str]]] = {}  # nodeid -> (status, note in every language)
        self.deselected: set[str] = set()  # nodeids left out by -k
        self.failed_exercises: set[str] = set()
        self.running: str | None = None
        self.interrupted = False
        self.selected = 0
        self.keyword: str | None = None
        self._previous_sigint = None
        self._reporter = None  # pytest's terminal reporter
        # the learner's own lesson files: this run's grades are recorded, and the earlier ones read
        self.learners = target.package == "lessons" and places.is_learners(target.folder)
        self.stored = progress.load() if self.learners else {}  # {exercise id: {"status", "note", "when"}}

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
        # `-k 1.2`, `-k 1_2` and `-k content_grad` select the exercise's checks (exactly: see select_by_keyword)
        item.extra_keyword_matches.update({ex.id, ex.keyword, ex.function, lesson.module})

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        """-k, with the words that name exercises and lessons matched exactly (before pytest's own -k)."""
        self.keyword = (config.getoption("keyword") or "").strip() or None
        if self.keyword is not None and select_by_keyword(config, items, self.keyword, self.checks):
            config.option.keyword = ""  # done here: pytest's substring matching would only narrow it again

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.selected = len(session.items)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            self.deselected.add(item.nodeid)
            self.outcomes.setdefault(item.nodeid, (NOT_RUN, said(msg.DESELECTED)))

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
        exit_, shim = os._exit, stop.signal
        os._exit, stop.signal = self._exit, _NoSigint()
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
            os._exit, stop.signal = exit_, shim

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
        notes = in_every_language(lambda: self.explain(item, ex, call.excinfo.value)[1])  # kept for `progress`
        if status in (FAILED, NOT_STARTED) and ex.id in self.failed_exercises:
            longrepr = msg.SAME_EXERCISE(language(), id=ex.id)
            report.sections = []
        if status in (FAILED, NOT_STARTED):
            self.failed_exercises.add(ex.id)
        if longrepr is not None:
            report.longrepr = longrepr
        report.user_properties.append(("brushstrokes", (status, notes)))
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
            status, notes = given if given else (FAILED, same_in_every_language(first_line(str(report.longrepr))))
            if status == FAILED:
                self.outcomes[report.nodeid] = (status, notes)
            else:
                self.outcomes.setdefault(report.nodeid, (status, notes))
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else None
            notes = (same_in_every_language(str(reason).removeprefix("Skipped: ")) if reason is not None
                     else said(msg.SKIPPED))
            self.outcomes.setdefault(report.nodeid, (NOT_RUN, notes))
        elif report.when == "call":
            self.outcomes.setdefault(report.nodeid, (PASSED, {}))
        if report.when == "teardown":
            self.running = None

    # the score -------------------------------------------------------------------------------------------
    def results(self) -> list[tuple[course.Lesson, list[ExerciseResult]]]:
        table = []
        for number in sorted(self.lessons, key=sort_key):
            lesson = self.lessons[number]
            file = self.target.file(lesson.module)
            rows = {ex.id: ExerciseResult(ex.id, ex.function, file, ex.stretch) for ex in lesson.exercises}
            for nodeid, ex in self.checks.items():
                if ex.id in rows:
                    default = (NOT_RUN, said(msg.INTERRUPTED_NOTE if self.interrupted else msg.DID_NOT_RUN))
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
            row.status, row.notes = NOT_STARTED, said(msg.NOT_STARTED_NOTE, file=row.file, function=row.function)
        elif FAILED in statuses:
            row.status, row.notes = FAILED, next(notes[n] for n in row.checks if row.checks[n] == FAILED)
        elif not statuses or statuses != {PASSED}:
            reasons = sorted((notes[n] for n in row.checks if row.checks[n] == NOT_RUN),
                             key=lambda said_: in_language(said_, lang))
            row.status, row.notes = NOT_RUN, reasons[0] if reasons else said(msg.NO_CHECKS)
        else:
            row.status, row.notes = PASSED, {}
        row.note = in_language(row.notes, lang)

    def with_earlier(self, table: list[tuple[course.Lesson, list[ExerciseResult]]]
                     ) -> list[tuple[course.Lesson, list[ExerciseResult]]]:
        """The table as the learner reads it: an exercise this run did not select shows its grade kept from an
        earlier run (only on the learner's own lesson files; `earlier` says when)."""
        lang = language()
        shown = []
        for lesson, rows in table:
            combined = []
            for row in rows:
                kept = self.stored.get(row.id, {})
                if row.status == NOT_RUN and row.note == msg.DESELECTED(lang) and kept.get("status") in progress.GRADED:
                    when = str(kept.get("when", "")).replace("T", " ")[:16]
                    note = in_language(kept.get("note"), lang) if kept["status"] != PASSED else ""
                    row = replace(row, status=kept["status"], earlier=when or "?",
                                  note=EARLIER_NOTE(lang, note=note, when=when) if note else EARLIER(lang, when=when))
                combined.append(row)
            shown.append((lesson, combined))
        return shown

    def course_next(self) -> str | None:
        """For the learner's own files, when this run's exercises pass: the first core exercise of the course not
        passed yet, by this run's grades and the kept ones, said as not started, failed or never checked."""
        lang = language()
        known = {ex_id: dict(entry) for ex_id, entry in self.stored.items()}
        for _, rows in self.results():
            known.update({row.id: {"status": row.status, "note": row.notes} for row in rows
                          if row.status in progress.GRADED})
        todo = next((ex for ex in course.exercises() if not ex.stretch
                     and known.get(ex.id, {}).get("status") != PASSED), None)
        if todo is None:
            return None
        status, file = known.get(todo.id, {}).get("status"), self.target.file(course.owner(todo).module)
        if status == FAILED:
            return NEXT_EARLIER_FAILED(lang, id=todo.id, note=in_language(known[todo.id].get("note"), lang),
                                       function=todo.function, file=file)
        if status == NOT_STARTED:
            return NEXT_EARLIER_NOT_STARTED(lang, id=todo.id, function=todo.function, file=file)
        return msg.NEXT_AFTER_SELECTION(lang, id=todo.id)

    def next_step(self, table: list[tuple[course.Lesson, list[ExerciseResult]]]) -> str:
        """What to do next: the first failed or unstarted exercise of this run, else the first one it could not
        grade, else (the learner's own files) the first of the course not passed yet, else celebrate."""
        lang = language()
        rows = [row for _, lesson_rows in table for row in lesson_rows if not row.earlier]
        core = [row for row in rows if not row.stretch] or rows
        todo = next((row for row in core if row.status in (FAILED, NOT_STARTED)), None)
        if todo is not None:
            ex = self.graded(todo.id)
            if todo.status == NOT_STARTED:
                return msg.NEXT_NOT_STARTED(lang, id=todo.id, function=todo.function, file=todo.file)
            return msg.NEXT_FAILED(lang, id=todo.id, step=ex.next_step)
        ungraded = next((row for row in core if row.status == NOT_RUN), None)
        if ungraded is not None and ungraded.note != msg.DESELECTED(lang):
            return msg.NEXT_UNGRADED(lang, id=ungraded.id, note=ungraded.note)
        if self.learners:
            after = self.course_next()
            if after is not None:
                return after
        elif ungraded is not None:
            return msg.NEXT_AFTER_SELECTION(lang, id=ungraded.id)
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
        table = self.with_earlier(self.results())
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
        if self.learners:
            progress.record({row.id: (row.status, row.notes or row.note) for _, rows in table for row in rows})
        if self.score_json is None:
            return
        lessons = [{"lesson": lesson.number, "title": lesson.title(language()), "heading": lesson.heading(language()),
                    "passed": sum(row.status == PASSED for row in rows if not row.stretch),
                    "total": sum(not row.stretch for row in rows),
                    "exercises": [asdict(row) for row in rows]} for lesson, rows in table]
        problem = write_score_json(self.score_json, {"target": self.target.label, "lessons": lessons,
                                                     "interrupted": self.interrupted})
        if problem is not None:
            print(SCORE_JSON_FAILED(language(), problem=problem), file=sys.stderr)
            session.exitstatus = session.exitstatus or pytest.ExitCode.USAGE_ERROR
