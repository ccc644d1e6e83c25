"""Where the learner stands: each exercise's last grade, the current exercise, and the progress table."""

from __future__ import annotations

import unicodedata

from brushstrokes import course
from brushstrokes.base.i18n import in_language
from brushstrokes.course import Exercise
from brushstrokes.learner import messages as M
from brushstrokes.learner import places, progress
from brushstrokes.learner.loader import display


def columns(text: str) -> int:
    """How many terminal columns `text` takes (a Chinese character takes two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def grades() -> dict[str, dict[str, str]]:
    """{exercise id: {"status", "note", "when"}} from the learner's progress file."""
    return progress.load(places.progress_path())


def status(ex: Exercise, known: dict[str, dict] | None = None) -> str:
    """'passed', 'failed', 'not started' or 'never checked'."""
    known = grades() if known is None else known
    found = known.get(ex.id, {}).get("status")
    return found if found in M.STATUS and found != "not run" else "never checked"


def in_order() -> list[Exercise]:
    """Every exercise in the order a learner does them: each lesson's core exercises, then its stretch ones."""
    return [ex for lesson in course.LESSONS
            for ex in sorted(lesson.exercises, key=lambda e: e.stretch)]


def current(known: dict[str, dict[str, str]] | None = None) -> Exercise | None:
    """The first exercise (in_order) that has not passed; None when every exercise passes."""
    known = grades() if known is None else known
    return next((ex for ex in in_order() if status(ex, known) != "passed"), None)


def following(ex: Exercise, known: dict[str, dict[str, str]] | None = None) -> Exercise | None:
    """The exercise after `ex` that has not passed yet (what comes next), or None."""
    known = grades() if known is None else known
    order = in_order()
    rest = order[order.index(ex) + 1:]
    return next((e for e in rest if status(e, known) != "passed"), None)


def lesson_file(ex: Exercise) -> str:
    """The file the learner edits for `ex`, as typed from the project folder ('lessons/lesson1_content.py')."""
    return display(places.lessons_dir() / f"{course.owner(ex).module}.py")


def position(ex: Exercise, lang: str, known: dict[str, dict[str, str]] | None = None) -> list[str]:
    """Lines saying where `ex` sits: 'exercise 1.2 of 4 · lesson 1 · ...', the course total, what comes after."""
    known = grades() if known is None else known
    lesson = course.owner(ex)
    every = [e for e in course.exercises() if not e.stretch]
    lines = [M.POSITION(lang, id=ex.id, count=len(lesson.exercises), lesson=lesson.number, title=ex.title(lang),
                        function=ex.function, file=lesson_file(ex), minutes=ex.minutes),
             M.OVERALL(lang, passed=sum(status(e, known) == "passed" for e in every), total=len(every))]
    after = following(ex, known)
    lines.append(M.COMING_NEXT(lang, id=after.id, title=after.title(lang), function=after.function) if after
                 else M.LAST_OF_COURSE(lang))
    return lines


def table(lang: str, known: dict[str, dict[str, str]] | None = None) -> list[str]:
    """`brushstrokes progress`: every lesson's exercises with their last grade, time estimates, and the next one."""
    known = grades() if known is None else known
    lines: list[str] = []
    width = max(len(ex.function) for ex in course.exercises())
    status_width = max(columns(M.STATUS[s](lang)) for s in ("passed", "failed", "not started", "never checked"))
    for lesson in course.LESSONS:
        rows = sorted(lesson.exercises, key=lambda e: e.stretch)
        core = [ex for ex in rows if not ex.stretch]
        passed = sum(status(ex, known) == "passed" for ex in core)
        left = sum(ex.minutes for ex in core if status(ex, known) != "passed")
        lines.append(M.PROGRESS_LESSON(lang, heading=lesson.heading(lang), passed=passed, total=len(core),
                                       minutes=left))
        for ex in rows:
            state = status(ex, known)
            entry = known.get(ex.id, {})
            extra = [M.PROGRESS_STRETCH(lang)] if ex.stretch else []
            note = in_language(entry.get("note"), lang)
            if note and state != "passed":
                extra.append(note)
            if entry.get("when"):
                extra.append(M.PROGRESS_WHEN(lang, when=entry["when"].replace("T", " ")[:16]))
            label = M.STATUS[state](lang)
            lines.append(f"  {ex.id:<5} {ex.function:<{width}}  {label}{' ' * (status_width - columns(label))}  "
                         f"{M.MINUTES(lang, n=ex.minutes):>7}  "
                         f"{ex.title(lang)}" + (f"  ({'; '.join(extra)})" if extra else ""))
        lines.append("")
    every = [ex for ex in course.exercises() if not ex.stretch]
    lines.append(M.PROGRESS_TOTAL(lang, passed=sum(status(ex, known) == "passed" for ex in every), total=len(every),
                                  minutes=sum(ex.minutes for ex in every if status(ex, known) != "passed")))
    nxt = current(known)
    if nxt is None:
        lines.append(M.ALL_DONE(lang))
    else:
        state = status(nxt, known)
        note = in_language(known.get(nxt.id, {}).get("note"), lang) or M.STATUS[state](lang)
        lines.append(M.PROGRESS_NEXT[state](lang, id=nxt.id, title=nxt.title(lang), function=nxt.function,
                                            file=lesson_file(nxt), note=note))
    lines.append(M.PROGRESS_FILE(lang, path=display(places.progress_path())))
    return lines
