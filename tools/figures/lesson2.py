"""Lesson 2's figures and numbers for the docs, made with solutions/ on the real VGG19 (normalised and raw).

Usage: nice -n 10 .venv/bin/python tools/figures/lesson2.py [--size 128] [--iters 150] [--out DIR]
                                                             [--quick | --render-only]

Writes to docs/assets/figures/lesson2/ (several minutes on 2 CPU cores; --quick: a few iterations, to try it):
    rows.png            the paper's figure 1 style rows: textures from conv1_1; conv1_1 + conv2_1; ... up to
                        conv1_1 ... conv5_1 (normalised VGG19), and the painting
    raw_normalised.png  the five-layer texture on the raw and on the normalised VGG19, and the painting
    shares.png          each layer's E_l for the starting noise against the painting, raw vs normalised (log scale)
    gram.png            conv1_1 Gram matrices (64 x 64) of the noise, the texture and the painting, as images
    frames.png          the five-layer run from noise to texture, and the painting
    loss.png            that run's style loss per iteration
    numbers.json        every run's settings, seconds and losses; the per-layer E_l raw and normalised
The figures come in English (x.png) and Chinese (x.zh.png). The runs' results are kept in
output/figure-data/lesson2.npz; --render-only draws the figures again from it, without running the network.
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
DATA = paths.ROOT / "output" / "figure-data" / "lesson2.npz"
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


def shares_figure(raw: dict[str, float], norm: dict[str, float], path: Path, zh: bool) -> Path:
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=120)
    pos = np.arange(len(STYLE_LAYERS))
    names = ("原始 VGG19", "归一化 VGG19") if zh else ("raw VGG19", "normalised VGG19")
    for offset, name, values in zip((-0.2, 0.2), names, (raw, norm), strict=True):
        total = sum(values.values())
        bars = ax.bar(pos + offset, [values[k] for k in STYLE_LAYERS], width=0.4, label=name)
        for bar, k in zip(bars, STYLE_LAYERS, strict=True):
            ax.annotate(f"{values[k] / total:.0%}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7)
    ax.set_yscale("log")
    ax.set_xticks(pos, STYLE_LAYERS)
    if zh:
        ax.set(ylabel="E_l（对数刻度）", title="白噪声相对《呐喊》的 E_l（占总和的比例）")
    else:
        ax.set(ylabel="E_l (log scale)", title="E_l of white noise vs The Scream (share of the sum)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    try:
        with outputs.atomic_path(path) as tmp:
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path


def conv1_1_grams(net, x0: np.ndarray, x: np.ndarray, painting: np.ndarray) -> np.ndarray:
    """The conv1_1 Gram matrices G / M of the noise, the texture and the painting, stacked (3, 64, 64)."""
    return np.stack([l2.gram(features(net, img, ("conv1_1",))["conv1_1"]) / np.prod(img.shape[2:])
                     for img in (x0, x, painting)])


def gram_figure(grams: np.ndarray, path: Path, zh: bool) -> Path:
    names = ("白噪声", "纹理", "原画") if zh else ("white noise", "the texture", "the painting")
    top = float(grams.max())
    fig, axes = plt.subplots(1, 3, figsize=(8.4, 3.0), dpi=120)
    for ax, name, G in zip(axes, names, grams, strict=True):
        shown = ax.imshow(np.log10(np.maximum(G, top * 1e-4)), cmap="magma", vmin=np.log10(top * 1e-4),
                          vmax=np.log10(top))
        ax.set_title(f"{name}：G / M" if zh else f"{name}: G / M", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(shown, ax=axes, shrink=0.8, label="log10")
    try:
        with outputs.atomic_path(path) as tmp:
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path


def run(size: int, iters: int) -> tuple[dict, dict]:
    """Every run of the figures: ({name: array} to keep, numbers.json's contents)."""
    painting = images.preprocess(images.load_image(paths.SCREAM, longest=size))
    h, w = painting.shape[2:]
    norm_net = load_vgg19(shape=(h, w), normalised=True)
    raw_net = load_vgg19(shape=(h, w))
    numbers = {"size": [w, h], "painting": "data/scream.jpg", "noise_sigma": 20.0,
               "E_l_raw": start_losses(raw_net, painting), "E_l_normalised": start_losses(norm_net, painting),
               "runs": {}}
    arrays = {"painting": painting}
    for n in range(1, len(STYLE_LAYERS) + 1):
        layers = STYLE_LAYERS[:n]
        result, settings = texture(norm_net, painting, layers, iters)
        arrays[f"row_{n}"] = result.x
        numbers["runs"]["normalised " + "+".join(layers)] = settings
    full = result
    raw, settings = texture(raw_net, painting, STYLE_LAYERS, iters)
    numbers["runs"]["raw " + "+".join(STYLE_LAYERS)] = settings
    arrays.update(raw=raw.x, losses=np.asarray(full.losses),
                  grams=conv1_1_grams(norm_net, images.white_noise((h, w), seed=SEED), full.x, painting),
                  **{f"snapshot_{i}": snapshot for i, snapshot in full.snapshots.items()})
    return arrays, numbers


def render(out: Path, data: dict, numbers: dict) -> list[Path]:
    """Every file of the docs folder, each figure in English and in Chinese."""
    painting, full = data["painting"], data[f"row_{len(STYLE_LAYERS)}"]
    losses = [float(v) for v in data["losses"]]
    snapshots = {int(k.split("_")[1]): v for k, v in data.items() if k.startswith("snapshot_")}
    with outputs.OutputSet(out) as files:
        for lang in ("en", "zh"):
            zh = lang == "zh"

            def path(name: str, lang: str = lang) -> Path:
                return files.path(plotting.localised(name, lang))

            the_painting = "原画" if zh else "the painting"
            with plotting.figure_language(lang):
                rows = {}
                for n in range(1, len(STYLE_LAYERS) + 1):
                    layers = STYLE_LAYERS[:n]
                    rows[" + ".join(layers) if n < 3 else f"conv1_1 ... {layers[-1]}"] = data[f"row_{n}"]
                grid({**rows, the_painting: painting}, path("rows.png"), columns=3)
                grid({("原始 VGG19" if zh else "raw VGG19"): data["raw"],
                      ("归一化 VGG19" if zh else "normalised VGG19"): full, the_painting: painting},
                     path("raw_normalised.png"), columns=3)
                shares_figure(numbers["E_l_raw"], numbers["E_l_normalised"], path("shares.png"), zh)
                gram_figure(data["grams"], path("gram.png"), zh)
                frames = plotting.progress_frames(snapshots, full, len(losses), painting, keep=FRAMES, lang=lang)
                frames[the_painting] = frames.pop("原照片" if zh else "the photo")
                grid(frames, path("frames.png"), columns=3)
                plotting.plot_losses(losses, path("loss.png"),
                                     title=f"{'风格损失，' if zh else 'style loss, '}conv1_1 ... conv5_1",
                                     ylabel="w_l E_l 之和" if zh else "sum of w_l E_l",
                                     xlabel="迭代次数" if zh else "iteration")
        outputs.write_text(files.path("numbers.json"), json.dumps(numbers, indent=1) + "\n")
    return files.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128, help="longest side in px (default 128)")
    parser.add_argument("--iters", type=int, default=150, help="iterations of each run (default 150)")
    parser.add_argument("--out", type=Path, default=OUT, help="folder (default docs/assets/figures/lesson2)")
    parser.add_argument("--quick", action="store_true", help="3 iterations at 48 px, to try the script")
    parser.add_argument("--render-only", action="store_true",
                        help="draw the figures from the kept results (--data), without running the network")
    parser.add_argument("--data", type=Path, default=DATA, help="where the runs' results are kept "
                                                                "(default output/figure-data/lesson2.npz)")
    args = parser.parse_args(argv)
    size, iters = (48, 3) if args.quick else (args.size, args.iters)
    out = outputs.prepare_folder(args.out)
    if not args.render_only:
        arrays, numbers = run(size, iters)
        with outputs.atomic_path(args.data) as tmp:
            np.savez_compressed(tmp, numbers=np.array(json.dumps(numbers)), **arrays)
        print(f"kept the runs' results in {args.data}")
    with np.load(args.data) as kept:
        data = {k: kept[k] for k in kept.files}
    written = render(out, data, json.loads(str(data.pop("numbers"))))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
