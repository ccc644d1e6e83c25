"""`brushstrokes watch`: re-check the current exercise on every save of a lesson file, and move on when it passes."""

from __future__ import annotations

import argparse
from pathlib import Path


def run(args: argparse.Namespace) -> int:
    from brushstrokes.learner.watch import watch

    return watch(args.lessons_dir, once=args.once)


def add(sub) -> None:
    w = sub.add_parser("watch", help="check the current exercise every time you save, then move on to the next")
    w.add_argument("--once", action="store_true", help="check the current exercise once and exit (0 if it passes)")
    w.add_argument("--lessons-dir", type=Path, default=None, metavar="DIR",
                   help="watch the lesson files in DIR (default: lessons/, or $BRUSHSTROKES_LESSONS_DIR)")
    w.set_defaults(func=run)
