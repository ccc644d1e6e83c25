"""`brushstrokes reset ID`: put one exercise's function back to its original stub, keeping a backup."""

from __future__ import annotations

import argparse
from pathlib import Path

from brushstrokes.base.i18n import language
from brushstrokes.learner import messages as M
from brushstrokes.learner.loader import display
from brushstrokes.learner.query import one_exercise


def run(args: argparse.Namespace) -> int:
    from brushstrokes.learner.stubs import reset_function

    lang = language()
    ex = one_exercise(args.exercise, "reset")
    done = reset_function(ex, args.lessons_dir)
    file = display(done.file)
    if done.backup is None:
        print(M.RESET_UNCHANGED(lang, function=ex.function, file=file))
        return 0
    print(M.RESET_DONE(lang, function=ex.function, file=file, start=done.start, end=done.end))
    print(M.RESET_BACKUP(lang, backup=display(done.backup)))
    if done.source == "git":
        print(M.RESET_SOURCE_GIT(lang, path=f"lessons/{done.file.name}"))
    else:
        print(M.RESET_SOURCE_SOLUTION(lang, solution=f"solutions/{done.file.name}"))
    print(M.RESET_NEXT(lang, id=ex.id))
    return 0


def add(sub) -> None:
    r = sub.add_parser("reset", help="restore one exercise's function to its original stub (a backup is kept)")
    r.add_argument("exercise", metavar="ID", help="the exercise (1.2, 1_2 or content_grad)")
    r.add_argument("--lessons-dir", type=Path, default=None, metavar="DIR",
                   help="the folder of lesson files (default: lessons/, or $BRUSHSTROKES_LESSONS_DIR)")
    r.set_defaults(func=run)
