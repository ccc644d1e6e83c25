"""`brushstrokes hint [ID]`: the next step of an exercise's hint ladder (default: the current exercise)."""

from __future__ import annotations

import argparse

from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import language
from brushstrokes.learner import messages as M
from brushstrokes.learner.query import one_exercise


def run(args: argparse.Namespace) -> int:
    from brushstrokes.learner import hints, standing

    lang = language()
    if args.exercise:
        ex = one_exercise(args.exercise, "hint")
    else:
        ex = standing.current()
        if ex is None:
            raise BrushstrokesError(M.NO_CURRENT(lang), M.NO_CURRENT_TODO(lang, command="hint"))
    print("\n".join(hints.next_hint(ex, lang, restart=args.restart)))
    return 0


def add(sub) -> None:
    h = sub.add_parser("hint", help="a hint for an exercise; each call is one step more specific")
    h.add_argument("exercise", nargs="?", default=None, metavar="ID",
                   help="the exercise (1.2, 1_2 or content_grad; default: the first one not passed yet)")
    h.add_argument("--restart", action="store_true", help="start this exercise's hints again from the first step")
    h.set_defaults(func=run)
