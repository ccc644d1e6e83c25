"""Where the learner's files are: the lesson files (lessons/) and the state kept between runs (.brushstrokes/).

Both can be moved with an environment variable, so the project's tests (and a teacher trying a student's folder)
never touch the real ones:
    BRUSHSTROKES_LESSONS_DIR   the folder of lesson files to grade, reset and watch (default: lessons/)
    BRUSHSTROKES_STATE_DIR     progress.json, hints.json and backups/ (default: .brushstrokes/)
state_dir() is the one answer to "where is the learner's state": the grading plugin, brushstrokes.learner.progress, the
hints, reset's backups and every command read it. A run grading some other folder (a --lessons-dir that is not
the learner's, the solutions) neither records grades nor reads them (is_learners).
"""

from __future__ import annotations

import os
from pathlib import Path

from brushstrokes.base.paths import ROOT

LESSONS_ENV = "BRUSHSTROKES_LESSONS_DIR"
STATE_ENV = "BRUSHSTROKES_STATE_DIR"
DEFAULT_LESSONS = ROOT / "lessons"


def lessons_dir(option: Path | None = None) -> Path:
    """The folder of lesson files: `option` (--lessons-dir), else $BRUSHSTROKES_LESSONS_DIR, else lessons/."""
    chosen = option or os.environ.get(LESSONS_ENV) or DEFAULT_LESSONS
    return Path(chosen).expanduser().resolve()


def existing_lessons_dir(option: Path | None = None) -> Path:
    """lessons_dir(option), or a BrushstrokesError (in the learner's language) when it is not a folder."""
    from brushstrokes.base.errors import BrushstrokesError
    from brushstrokes.base.i18n import language
    from brushstrokes.learner import messages as M
    from brushstrokes.learner.loader import display

    folder = lessons_dir(option)
    if not folder.is_dir():
        lang = language()
        raise BrushstrokesError(M.NO_FOLDER(lang, folder=display(folder)), M.NO_FOLDER_TODO(lang))
    return folder


def is_default(folder: Path) -> bool:
    """True for the repository's own lessons/ (the folder the checks grade without --lessons-dir)."""
    return Path(folder).resolve() == DEFAULT_LESSONS.resolve()


def is_learners(folder: Path | None) -> bool:
    """True when `folder` (None: the repository's lessons/) is the learner's lesson folder (lessons_dir()): its
    grades are the ones the state folder keeps."""
    return Path(folder or DEFAULT_LESSONS).expanduser().resolve() == lessons_dir()


def state_dir() -> Path:
    """The folder of the learner's state: $BRUSHSTROKES_STATE_DIR, else .brushstrokes/ in the repository."""
    return Path(os.environ.get(STATE_ENV) or ROOT / ".brushstrokes").expanduser().resolve()


def progress_path() -> Path:
    return state_dir() / "progress.json"


def hints_path() -> Path:
    return state_dir() / "hints.json"


def backups_dir() -> Path:
    return state_dir() / "backups"
