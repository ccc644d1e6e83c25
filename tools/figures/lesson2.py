"""Lesson 2's figures and numbers for the docs, made with solutions/ on the real VGG19 (normalised and raw).

Usage: nice -n 10 .venv/bin/python tools/figures/lesson2.py [--size 128] [--iters 150] [--out DIR] [--quick]

Writes to docs/assets/figures/lesson2/ (several minutes on 2 CPU cores; --quick: a few iterations, to try it):
    rows.png            the paper's figure 1 style rows: textures from conv1_1; conv1_1 + conv2_1; ... up to
                        conv1_1 ... conv5_1 (normalised VGG19), and the painting
    raw_normalised.png  the five-layer texture on the raw and on the normalised VGG19, and the painting
    shares.png          each layer's E_l for the starting noise against the painting, raw vs normalised (log scale)
    gram.png            conv1_1 Gram matrices (64 x 64) of the noise, the texture and the painting, as images
    frames.png          the five-layer run from noise to texture, and the painting
    loss.png            that run's style loss per iteration
    numbers.json        every run's settings, seconds and losses; the per-layer E_l raw and normalised
Every file is written whole or not at all, together at the end (brushstrokes.outputs.OutputSet).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from brushstrokes import images, outputs, paths, plotting  # noqa: E402
from brushstrokes.vgg import STYLE_LAYERS, features, load_vgg19  # noqa: E402
from solutions import lesson2_style as l2  # noqa: E402

OUT = paths.ROOT / "docs" / "assets" / "figures" / "lesson2"
SEED, LR, TOL, EVERY = 0, 5.0, 0.0, 25
FRAMES = (0, 25, 50, 100)


def texture(net, painting: np.ndarray, layers: tuple[str, ...], iters: int) -> tuple[object, dict]:
    """The texture of `painting` from the given layers (each weighted 1/len) and what the run used and took."""
    targets = {layer: l2.gram(F) for layer, F in features(net, painting, layers).items()}
    x0 = images.white_noise(painting.shape[2:], seed=SEED)
    start = time.perf_counter()
    result = l2.synthesize(net, targets, x0, weights=dict.fromkeys(layers, 1 / len(layers)), iters=iters, lr=LR,
                           tol=TOL, every=EVERY)
    seconds = time.perf_counter() - start
    print(f"{'+'.join(layers)}: {len(result.losses)} iterations in {seconds:.0f} s, "
          f"loss {result.losses[0]:.4g} -> {result.losses[-1]:.4g}", flush=True)
    return result, {"layers": list(layers), "iters": len(result.losses), "lr": LR, "tol": TOL, "seed": SEED,
                    "seconds": round(seconds, 1), "loss_first": result.losses[0], "loss_last": result.losses[-1]}


def start_losses(net, painting: np.ndarray) -> dict[str, float]:
    """{layer: E_l} of the seeded starting noise against the painting, at the painting's size."""
    A = {layer: l2.gram(F) for layer, F in features(net, painting, STYLE_LAYERS).items()}
    F = features(net, images.white_noise(painting.shape[2:], seed=SEED), STYLE_LAYERS)
    return {layer: l2.style_layer_loss(F[layer], A[layer]) for layer in STYLE_LAYERS}


def grid(pictures: dict[str, np.ndarray], path: Path, columns: int) -> Path:
    return plotting.plot_frames(pictures, path, columns=columns)


def shares_figure(raw: dict[str, float], norm: dict[str, float], path: Path) -> Path:
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=120)
    pos = np.arange(len(STYLE_LAYERS))
    for offset, (name, values) in zip((-0.2, 0.2), (("raw VGG19", raw), ("normalised VGG19", norm)), strict=True):
        total = sum(values.values())
        bars = ax.bar(pos + offset, [values[k] for k in STYLE_LAYERS], width=0.4, label=name)
        for bar, k in zip(bars, STYLE_LAYERS, strict=True):
            ax.annotate(f"{values[k] / total:.0%}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7)
    ax.set_yscale("log")
    ax.set_xticks(pos, STYLE_LAYERS)
    ax.set(ylabel="E_l (log scale)", title="E_l of white noise vs The Scream (share of the sum)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    try:
        with outputs.atomic_path(path) as tmp:
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path


def gram_figure(net, x0: np.ndarray, x: np.ndarray, painting: np.ndarray, path: Path) -> Path:
    grams = {name: l2.gram(features(net, img, ("conv1_1",))["conv1_1"]) / np.prod(img.shape[2:])
             for name, img in (("white noise", x0), ("the texture", x), ("the painting", painting))}
    top = max(float(g.max()) for g in grams.values())
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.0), dpi=120)
    for ax, (name, G) in zip(axes, grams.items(), strict=True):
        shown = ax.imshow(np.log10(np.maximum(G, top * 1e-4)), cmap="magma", vmin=np.log10(top * 1e-4),
                          vmax=np.log10(top))
        ax.set_title(f"{name}: G / M", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=axes, shrink=0.8, label="log10")
    try:
        with outputs.atomic_path(path) as tmp:
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128, help="longest side in px (default 128)")
    parser.add_argument("--iters", type=int, default=150, help="iterations of each run (default 150)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default docs/assets/figures/lesson2)")
    parser.add_argument("--quick", action="store_true", help="3 iterations at 48 px, to try the script")
    args = parser.parse_args(argv)
    size, iters = (48, 3) if args.quick else (args.size, args.iters)
    out = outputs.prepare_folder(args.out)
    painting = images.preprocess(images.load_image(paths.SCREAM, longest=size))
    h, w = painting.shape[2:]
    norm_net = load_vgg19(shape=(h, w), normalised=True)
    raw_net = load_vgg19(shape=(h, w))
    numbers = {"size": [w, h], "painting": "data/scream.jpg", "noise_sigma": 20.0,
               "E_l_raw": start_losses(raw_net, painting), "E_l_normalised": start_losses(norm_net, painting),
               "runs": {}}
    rows = {}
    for n in range(1, len(STYLE_LAYERS) + 1):
        layers = STYLE_LAYERS[:n]
        result, settings = texture(norm_net, painting, layers, iters)
        rows[" + ".join(layers) if n < 3 else f"conv1_1 ... {layers[-1]}"] = result.x
        numbers["runs"]["normalised " + "+".join(layers)] = settings
    full = result
    raw, settings = texture(raw_net, painting, STYLE_LAYERS, iters)
    numbers["runs"]["raw " + "+".join(STYLE_LAYERS)] = settings
    x0 = images.white_noise((h, w), seed=SEED)
    with outputs.OutputSet(out) as files:
        grid({**rows, "the painting": painting}, files.path("rows.png"), columns=3)
        grid({"raw VGG19": raw.x, "normalised VGG19": full.x, "the painting": painting},
             files.path("raw_normalised.png"), columns=3)
        shares_figure(numbers["E_l_raw"], numbers["E_l_normalised"], files.path("shares.png"))
        gram_figure(norm_net, x0, full.x, painting, files.path("gram.png"))
        frames = plotting.progress_frames(full.snapshots, full.x, len(full.losses), painting, keep=FRAMES)
        frames["the painting"] = frames.pop("the photo")
        grid(frames, files.path("frames.png"), columns=3)
        plotting.plot_losses(full.losses, files.path("loss.png"), title="style loss, conv1_1 ... conv5_1",
                             ylabel="sum of w_l E_l")
        outputs.write_text(files.path("numbers.json"), json.dumps(numbers, indent=1) + "\n")
    print("wrote " + ", ".join(str(p) for p in files.written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
