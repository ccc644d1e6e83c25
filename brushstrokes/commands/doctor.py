"""`brushstrokes doctor`: is everything in place, and what to do about what is not."""

from __future__ import annotations

import argparse


def run(args: argparse.Namespace) -> int:
    from brushstrokes.commands.doctor_report import report

    lines, problems = report()
    print("\n".join(lines))
    return 1 if problems else 0


def add(sub) -> None:
    d = sub.add_parser("doctor", help="check the Caffe build, the GPU, the weights and the images")
    d.set_defaults(func=run)
