"""The course registry: every lesson and exercise, in one place.

Everything else reads it: the checks (which exercise a check grades, what to swap in for isolation),
the CLI (`brushstrokes check/hint/reset/progress/watch`), the project's tests and the docs.
Each lesson's data lives in its own module (lesson1.py, lesson2.py, ...); this module assembles them.
"""

from __future__ import annotations

from collections.abc import Iterable

from brushstrokes.course import lesson1, lesson2, lesson3, lesson4
from brushstrokes.course.model import Exercise, Lesson

LESSONS: tuple[Lesson, ...] = (lesson1.LESSON, lesson2.LESSON, lesson3.LESSON, lesson4.LESSON)

__all__ = ["LESSONS", "Exercise", "Lesson", "lesson", "exercise", "find", "exercises", "owner", "for_command",
           "called_by", "by_function"]


def exercises() -> list[Exercise]:
    """Every exercise of the course, in order."""
    return [ex for lesson in LESSONS for ex in lesson.exercises]


def lesson(number: str | int) -> Lesson:
    """The lesson with this number ('2' or 2); KeyError if there is none."""
    for item in LESSONS:
        if item.number == str(number):
            return item
    raise KeyError(f"no lesson {number}")


def exercise(exercise_id: str) -> Exercise:
    """The exercise with this id ('1.2'); KeyError if there is none."""
    for ex in exercises():
        if ex.id == exercise_id:
            return ex
    raise KeyError(f"no exercise {exercise_id}")


def owner(ex: Exercise) -> Lesson:
    """The lesson an exercise belongs to."""
    return lesson(ex.id.split(".")[0])


def find(query: str | None) -> list[Exercise]:
    """The exercises a learner means by `query`: '1.2', '1_2', 'content_grad', '2' (a lesson), None or '' (all).

    Returns [] when nothing matches.
    """
    if not query:
        return exercises()
    q = query.strip().lower().replace("_", ".") if query.strip()[:1].isdigit() else query.strip()
    if q.isdigit():
        return [ex for ex in exercises() if ex.id.split(".")[0] == q]
    return [ex for ex in exercises() if q in (ex.id, ex.function)]


def for_command(command: str) -> Lesson:
    """The lesson whose loop the run command ('content', 'style', 'paint') runs; KeyError if none."""
    for item in LESSONS:
        if item.command == command:
            return item
    raise KeyError(f"no lesson for the command {command!r}")


def called_by(command: str, options: Iterable[str] = ()) -> dict[str, dict[str, str]]:
    """What a run command calls from the learner's code: {module: {function: exercise id}}, lessons in order.

    options: the command's options given in this run ('--colour', ...): an exercise with an `option` is called
    only when that option is among them (lesson 4's controls); the others on every run.
    """
    given = set(options)
    found: dict[str, dict[str, str]] = {}
    for item in LESSONS:
        for ex in item.exercises:
            if command in ex.called_by and (not ex.option or ex.option in given):
                found.setdefault(item.module, {})[ex.function] = ex.id
    return found


def by_function(module: str, function: str) -> Exercise | None:
    """The exercise whose function `function` the lesson module `module` ('lesson1_content') holds; None if none."""
    for item in LESSONS:
        if item.module == module:
            return next((ex for ex in item.exercises if ex.function == function), None)
    return None
