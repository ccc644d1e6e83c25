"""`brushstrokes check [ID]`: grade one exercise, a lesson, or everything, and print the score table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from brushstrokes.base.i18n import language
from brushstrokes.learner import messages as M
from brushstrokes.learner import places
from brushstrokes.learner.loader import display
from brushstrokes.learner.query import exercises
from brushstrokes.runs import validate


def run(args: argparse.Namespace) -> int:
    from brushstrokes.base.errors import BrushstrokesError
    from brushstrokes.learner.runner import run_checks

    lang = language()
    selected = exercises(args.exercise) if args.exercise else None
    folder = places.existing_lessons_dir(args.lessons_dir)
    what = ", ".join(ex.id for ex in selected) if selected else M.ALL_EXERCISES(lang)
    print(M.CHECKING(lang, what=what, folder=display(folder) + "/"), flush=True)
    try:
        result = run_checks(selected, folder, timeout=args.check_timeout)
    except KeyboardInterrupt as exc:  # the checks print the score so far and one line on what the Ctrl-C stopped
        if not getattr(exc, "reported", False):  # ... unless pytest ended before it could
            print(M.CHECK_INTERRUPTED(lang), file=sys.stderr)
        return 130
    if not result.scored:
        raise BrushstrokesError(M.NO_SCORE(lang, code=result.returncode), M.NO_SCORE_TODO(lang))
    ids = result.selected
    print(M.SUMMARY_PASSED(lang, passed=sum(result.status(i) == "passed" for i in ids), total=len(ids)))
    return 0 if result.passed else 1


def add(sub) -> None:
    c = sub.add_parser("check", help="grade your exercises: one (1.2, 1_2, content_grad), a lesson (1), or all")
    c.add_argument("exercise", nargs="?", default=None, metavar="ID",
                   help="an exercise id (1.2 or 1_2), its function (content_grad), a lesson number; none: all")
    c.add_argument("--lessons-dir", type=Path, default=None, metavar="DIR",
                   help="grade the lesson files in DIR (default: lessons/, or $BRUSHSTROKES_LESSONS_DIR)")
    validate.bounded(c.add_argument("--check-timeout", type=float, default=None, metavar="SECONDS",
                                    help="each check's time limit in seconds (default 60; 0 = none)"),
                     validate.time_limit)
    c.set_defaults(func=run)
