"""Lesson 1's figures for the docs, made with solutions/ on the real VGG19.

Usage: .venv/bin/python tools/make_lesson1_figures.py [--size 128] [--out DIR] [--quick]

Writes to docs/assets/figures/lesson1/ (several minutes on 2 CPU cores; --quick: a few iterations, to try it):
    loss_conv4_2.png      the content loss per iteration (log scale) of the conv4_2 reconstruction
    frames_conv4_2.png    from white noise to the cat: snapshots of the conv4_2 run, and the photo
    layers.png            the paper's figure 1 content row as a 2 x 3 grid: conv1_2 ... conv5_2, and the photo
    content_<layer>.png   each reconstruction alone, at working size
    settings.json         what each run used and took (size, iterations run, lr, tol, seed, seconds)
Every file is written whole or not at all, together at the end (brushstrokes.outputs.OutputSet).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from brushstrokes import images, outputs, paths, plotting
from brushstrokes.vgg import features, load_vgg19
from solutions.lesson1_content import reconstruct

OUT = paths.ROOT / "docs" / "assets" / "figures" / "lesson1"
LAYERS = ("conv1_2", "conv2_2", "conv3_2", "conv4_2", "conv5_2")
ITERS = {"conv1_2": 300, "conv2_2": 300, "conv3_2": 400, "conv4_2": 500, "conv5_2": 800}  # deeper: slower to converge
FRAMES = (0, 10, 25, 50, 100, 200)  # iterations shown in frames_conv4_2.png (and the final image)
SEED, LR, TOL = 0, 2.0, 1e-5


def reconstruct_layer(net, target: np.ndarray, layer: str, iters: int):
    """The reconstruction of `target` (1, 3, H, W) from its `layer` features, starting from seeded noise.

    Returns (result, settings): the Reconstruction and a dict of what the run used and took.
    """
    P = features(net, target, (layer,))[layer]
    x0 = images.white_noise(target.shape[2:], seed=SEED)
    start = time.perf_counter()
    result = reconstruct(net, P, x0, layer=layer, iters=iters, lr=LR, tol=TOL, every=5)
    seconds = time.perf_counter() - start
    print(f"{layer}: {len(result.losses)} iterations in {seconds:.0f} s "
          f"({seconds / len(result.losses):.3f} s per iteration), "
          f"loss {result.losses[0]:.3g} -> {result.losses[-1]:.3g}", flush=True)
    settings = {"layer": layer, "max_iters": iters, "iters_run": len(result.losses), "lr": LR, "tol": TOL,
                "seed": SEED, "noise_sigma": 20.0, "seconds": round(seconds, 1),
                "seconds_per_iter": round(seconds / len(result.losses), 3),
                "loss_first": result.losses[0], "loss_last": result.losses[-1]}
    return result, settings


def frames_figure(result, target: np.ndarray, path: Path) -> Path:
    """Snapshots at FRAMES (those the run reached), the final image and the photo, in one row."""
    frames = plotting.progress_frames(result.snapshots, result.x, len(result.losses), target, keep=FRAMES)
    return plotting.plot_frames(frames, path, columns=4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128, help="longest side of the cat in px (default 128)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT.relative_to(paths.ROOT)})")
    parser.add_argument("--quick", action="store_true", help="20 iterations per layer, to try the script")
    args = parser.parse_args(argv)
    target = images.preprocess(images.load_image(paths.CAT, longest=args.size))
    net = load_vgg19(pooling="avg", shape=target.shape[2:])
    out = outputs.prepare_folder(args.out)
    runs = {layer: reconstruct_layer(net, target, layer, 20 if args.quick else ITERS[layer]) for layer in LAYERS}
    results = {layer: result for layer, (result, _) in runs.items()}
    settings = {"image": paths.CAT.name, "size": list(target.shape[2:]), "pooling": "avg",
                "runs": [s for _, s in runs.values()]}
    with outputs.OutputSet(out) as files:
        for layer, r in results.items():
            images.save_image(files.path(f"content_{layer}.png"), images.deprocess(r.x))
        main_run = results["conv4_2"]
        plotting.plot_losses(main_run.losses, files.path("loss_conv4_2.png"),
                             title=f"content loss at conv4_2 (lr {LR:g})")
        frames_figure(main_run, target, files.path("frames_conv4_2.png"))
        grid = {f"{layer} ({len(r.losses)} it.)": r.x for layer, r in results.items()}
        grid["the photo"] = target
        plotting.plot_frames(grid, files.path("layers.png"), columns=3)
        (files.path("settings.json")).write_text(json.dumps(settings, indent=2) + "\n")
    for path in files.written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
