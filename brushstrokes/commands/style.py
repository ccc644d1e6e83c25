"""`brushstrokes style`: lesson 2's texture of a painting, synthesised from white noise."""

from __future__ import annotations

import argparse
from pathlib import Path

from brushstrokes.base import paths
from brushstrokes.commands.one_line import one_line_errors
from brushstrokes.net.layers import STYLE_LAYERS
from brushstrokes.runs import validate


def run(args: argparse.Namespace) -> int:
    from brushstrokes.runs.style import run_style

    run_style(image=args.image, layers=args.layers, longest=args.size, iters=args.iters, lr=args.lr,
              weights=args.weights, seed=args.seed, use=args.use, out=args.out, lessons_dir=args.lessons_dir)
    return 0


def add(sub) -> None:
    c = sub.add_parser("style", help="lesson 2: synthesise a painting's texture from white noise")
    c.add_argument("--image", type=Path, default=paths.SCREAM, help="the painting (default: The Scream)")
    c.add_argument("--layers", default=",".join(STYLE_LAYERS),
                   help="style layers, comma-separated, each weighted equally (default: the paper's five, "
                        "conv1_1,...,conv5_1)")
    validate.bounded(c.add_argument("--size", type=int, default=128,
                                    help="longest side in px of the painting and texture (default 128)"),
                     validate.longest_side)
    validate.bounded(c.add_argument("--iters", type=int, default=200, help="maximum iterations (default 200)"),
                     validate.iterations)
    validate.bounded(c.add_argument("--lr", type=float, default=None,
                                    help="Adam's step size in grey levels (default: the lesson's, 5)"),
                     validate.step_size)
    c.add_argument("--weights", default="normalised",
                   help="VGG19 weights: normalised (the paper's, default) or raw")
    validate.bounded(c.add_argument("--seed", type=int, default=0, help="seed of the white noise (default 0)"),
                     validate.seed)
    c.add_argument("--use", choices=("solutions", "lessons"), default="solutions",
                   help="run the reference solutions (default) or your own code in lessons/")
    c.add_argument("--lessons-dir", type=Path, default=None, metavar="DIR",
                   help="run the lesson file in DIR instead of lessons/ (a teacher's copy, or a test)")
    c.add_argument("--out", type=Path, default=paths.OUTPUT, help="folder for the pictures (default output/)")
    one_line_errors(c, "style")
    c.set_defaults(func=run)
