"""The learner's progress, kept between runs: each exercise's last grade, in <state folder>/progress.json.

The state folder is brushstrokes.learner.places.state_dir() ($BRUSHSTROKES_STATE_DIR, else .brushstrokes/ in the
repository): the one place that says where the learner's state lives. The grading plugin records every graded
exercise of the learner's lesson files (a check run of one exercise leaves the others' grades as they were);
`brushstrokes progress`, `brushstrokes watch` and the score table's next step read it.
A failure's note is kept in every language ({"en": ..., "zh": ...}), so that it reads in the language asked for
later, not in the one the check ran in; an older file's plain-string note is shown as it is.
File: {"exercises": {"1.2": {"status": "failed", "note": {"en": "missing ReLU mask", "zh": "..."},
                             "when": "2026-11-28T18:00:00+00:00"}}}
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from brushstrokes.base.outputs import write_text

GRADED = ("passed", "failed", "not started")  # "not run" keeps the last grade
Note = str | dict[str, str]  # a note in one language, or in every language (brushstrokes.base.i18n.in_every_language)


def default_path() -> Path:
    """progress.json in the learner's state folder (brushstrokes.learner.places.state_dir())."""
    from brushstrokes.learner.places import progress_path

    return progress_path()


def load(path: Path | None = None) -> dict[str, dict]:
    """{exercise id: {"status", "note", "when"}}; empty when nothing was recorded or the file is unreadable."""
    try:
        data = json.loads(Path(path or default_path()).read_text())
        return {str(k): dict(v) for k, v in data.get("exercises", {}).items()}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def record(grades: dict[str, tuple[str, Note]], path: Path | None = None) -> None:
    """Store {exercise id: (status, note)}; 'not run' entries are skipped. Never raises on a read-only disk."""
    path = Path(path or default_path())
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    graded = {ex_id: {"status": status, "note": note, "when": now}
              for ex_id, (status, note) in grades.items() if status in GRADED}
    if not graded:
        return  # nothing was graded (a collection, a run stopped at once): the file stays as it was
    known = load(path)
    known.update(graded)
    try:
        write_text(path, json.dumps({"exercises": known}, indent=2, ensure_ascii=False))
    except OSError:
        pass  # progress is a convenience: a read-only checkout still grades
