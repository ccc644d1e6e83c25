"""The exercises a learner means: turn what the learner typed ('1.2', '1_2', 'content_grad', '1') into exercises."""

from __future__ import annotations

from brushstrokes import course
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import language
from brushstrokes.course import Exercise
from brushstrokes.learner import messages as M


def exercises(query: str | None) -> list[Exercise]:
    """course.find(query); a BrushstrokesError listing every exercise when nothing matches."""
    found = course.find(query)
    if not found:
        lang = language()
        ids = ", ".join(f"{ex.id} {ex.function}" for ex in course.exercises())
        raise BrushstrokesError(M.NO_MATCH(lang, query=query), M.NO_MATCH_TODO(lang, ids=ids))
    return found


def one_exercise(query: str, command: str) -> Exercise:
    """The single exercise `query` names; an error when it names none or several (a lesson number)."""
    found = exercises(query)
    if len(found) > 1:
        lang = language()
        raise BrushstrokesError(M.ONE_EXERCISE(lang, query=query, count=len(found), command=command),
                                M.ONE_EXERCISE_TODO(lang, command=command, first=found[0].id))
    return found[0]
