"""`brushstrokes content`: lesson 1's reconstruction of the cat from white noise."""

from __future__ import annotations

import argparse
from pathlib import Path

from brushstrokes.base import paths
from brushstrokes.runs import validate


def run(args: argparse.Namespace) -> int:
    from brushstrokes.runs.content import run_content

    run_content(image=args.image, longest=args.size, layer=args.layer, iters=args.iters, lr=args.lr,
                seed=args.seed, use=args.use, out=args.out, lessons_dir=args.lessons_dir)
    return 0


def add(sub) -> None:
    c = sub.add_parser("content", help="lesson 1: find the cat in white noise from its VGG19 features")
    c.add_argument("--image", type=Path, default=paths.CAT, help="content image (default: the cat)")
    validate.bounded(c.add_argument("--size", type=int, default=128, help="longest side in px (default 128)"),
                     validate.longest_side)
    c.add_argument("--layer", default="conv4_2", help="VGG19 layer to match (default conv4_2)")
    validate.bounded(c.add_argument("--iters", type=int, default=200, help="maximum iterations (default 200)"),
                     validate.iterations)
    validate.bounded(c.add_argument("--lr", type=float, default=None,
                                    help="step size in pixel units (default: the lesson's)"), validate.step_size)
    validate.bounded(c.add_argument("--seed", type=int, default=0, help="seed of the white noise (default 0)"),
                     validate.seed)
    c.add_argument("--use", choices=("solutions", "lessons"), default="solutions",
                   help="run the reference solutions (default) or your own code in lessons/")
    c.add_argument("--lessons-dir", type=Path, default=None, metavar="DIR",
                   help="run the lesson file in DIR instead of lessons/ (a teacher's copy, or a test)")
    c.add_argument("--out", type=Path, default=paths.OUTPUT, help="folder for the pictures (default output/)")
    c.set_defaults(func=run)
