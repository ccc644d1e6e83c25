"""`brushstrokes progress`: every lesson's exercises with their last grade, time estimates, and what is next."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from brushstrokes.base.i18n import language
    from brushstrokes.learner.standing import table

    print("\n".join(table(language())))
    return 0


def add(sub) -> None:
    p = sub.add_parser("progress", help="your grades so far, lesson by lesson, and the next exercise")
    p.set_defaults(func=run)
