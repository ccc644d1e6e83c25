"""The hint ladder: each `brushstrokes hint ID` shows the next, more specific step of Exercise.hints.

How far each ladder has been climbed is kept in .brushstrokes/hints.json ({"1.2": 2}), written whole or not
at all. After the last step (the line of code) the ladder points to the folded solution on the lesson page.
"""

from __future__ import annotations

import json
from pathlib import Path

from brushstrokes import course
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.outputs import write_text
from brushstrokes.course import Exercise
from brushstrokes.learner import messages as M
from brushstrokes.learner import places
from brushstrokes.learner.standing import lesson_file


def load(path: Path | None = None) -> dict[str, int]:
    """{exercise id: steps shown so far}; empty when nothing was shown or the file is unreadable."""
    try:
        data = json.loads(Path(path or places.hints_path()).read_text())
        return {str(k): int(v) for k, v in data.items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def save(shown: dict[str, int], path: Path | None = None) -> None:
    write_text(path or places.hints_path(), json.dumps(shown, indent=2, sort_keys=True) + "\n")


def solution_pointer(ex: Exercise, lang: str) -> str:
    """Where the folded solution is (the section that shows it, which for 3.4 and 3.5 is 3.6's): the lesson page in
    the learner's language, and its address on `make serve`."""
    lesson = course.owner(ex)
    slug = lesson.page.removesuffix(".md")
    url = f"http://127.0.0.1:8000/{'zh/' if lang == 'zh' else ''}{slug}/#{ex.solution_anchor}"
    shown_in = next(other for other in lesson.exercises if other.anchor == ex.solution_anchor)
    return M.HINT_LAST(lang, id=shown_in.id, page=f"docs/{lesson.page_in(lang)}", anchor=ex.solution_anchor, url=url)


def next_hint(ex: Exercise, lang: str, restart: bool = False) -> list[str]:
    """The lines of the next hint of `ex` (and, at the last step, the pointer to the solution); records the step."""
    if not ex.hints:
        raise BrushstrokesError(M.HINT_NONE(lang, id=ex.id),
                                M.HINT_NONE_TODO(lang, file=lesson_file(ex), page=f"docs/{course.owner(ex).page}"))
    shown = load()
    step = 1 if restart else min(shown.get(ex.id, 0) + 1, len(ex.hints))
    lines = [M.HINT_HEADER(lang, step=step, count=len(ex.hints), id=ex.id, title=ex.title(lang), function=ex.function),
             *("  " + line for line in ex.hints[step - 1](lang).splitlines())]
    if step < len(ex.hints):
        lines.append(M.HINT_MORE(lang, id=ex.id))
    else:
        lines.append(solution_pointer(ex, lang))
        if shown.get(ex.id, 0) >= len(ex.hints):
            lines.append(M.HINT_AGAIN(lang, id=ex.id))
    shown[ex.id] = step
    try:
        save(shown)
    except OSError:
        pass  # the hint is shown either way; only the step count is lost on a read-only disk
    return lines
