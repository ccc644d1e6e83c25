"""Lesson 2's figures and numbers for the docs, made with solutions/ on the real VGG19 (normalised and raw).

Usage: nice -n 10 .venv/bin/python tools/site/figures/lesson2.py [--size 128] [--iters 150] [--out DIR]
                                                             [--quick | --render-only]

Writes to docs/assets/figures/lesson2/ (several minutes on 2 CPU cores; --quick: a few iterations, to try it):
    rows.png            the paper's figure 1 style rows: textures from conv1_1; conv1_1 + conv2_1; ... up to
                        conv1_1 ... conv5_1 (normalised VGG19), and the painting
    raw_normalised.png  the five-layer texture on the raw and on the normalised VGG19, and the painting
    shares.png          each layer's E_l for the starting noise against the painting, raw vs normalised (log scale)
    gram.png            conv1_1 Gram matrices (64 x 64) of the noise, the texture and the painting, as images
    frames.png          the five-layer run from noise to texture, and the painting
    loss.png            that run's style loss per iteration
    numbers.json        every run's settings, seconds, load average and losses; the per-layer E_l raw and
                        normalised with their shares, and normalised again at 512 px; the seconds of
                        `brushstrokes style` with its defaults
The figures come in English (x.png) and Chinese (x.zh.png); the size of each figure's smallest label goes into
docs/assets/figures/labels.json. The runs' results are kept in output/figure-data/lesson2.npz; --render-only draws
the figures again from it, without running the network. Every file is written whole or not at all, together at the
end (brushstrokes.base.outputs.OutputSet). The pages take their numbers from numbers.json (tools/site/hooks.py).
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

from brushstrokes.base import outputs, paths
from brushstrokes.net import images  # noqa: E402
from brushstrokes.net.layers import STYLE_LAYERS  # noqa: E402
from brushstrokes.net.vgg import features, load_vgg19
from brushstrokes.runs import plotting
from solutions import lesson2_style as l2  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/site/figures: the helpers the figure scripts share
from figure_common import (  # noqa: E402
    kept_runs,
    font_for,
    load_average,
    load_now,
    loss_plot,
    picture_grid,
    plain_log_ticks,
    record_labels,
    save,
    timed_command,
)

OUT = paths.ROOT / "docs" / "assets" / "figures" / "lesson2"
DATA = paths.ROOT / "output" / "figure-data" / "lesson2.npz"
SEED, LR, TOL, EVERY = 0, 5.0, 0.0, 25
FRAMES = (0, 25, 50, 100)
LARGE = 512  # px: E_l again at this size, to show how little it depends on the size


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
                    "seconds": round(seconds, 1), "load_average": load_now(), "loss_first": result.losses[0],
                    "loss_last": result.losses[-1]}


def start_losses(net, painting: np.ndarray) -> dict[str, float]:
    """{layer: E_l} of the seeded starting noise against the painting, at the painting's size."""
    A = {layer: l2.gram(F) for layer, F in features(net, painting, STYLE_LAYERS).items()}
    F = features(net, images.white_noise(painting.shape[2:], seed=SEED), STYLE_LAYERS)
    return {layer: l2.style_layer_loss(F[layer], A[layer]) for layer in STYLE_LAYERS}


def shares(E: dict[str, float]) -> dict:
    """Each layer's share of the sum in percent, the weighted style loss sum_l E_l / 5, and the largest E_l over
    the smallest."""
    total = sum(E.values())
    return {"share_percent": {k: 100 * v / total for k, v in E.items()}, "weighted_sum": total / len(E),
            "largest_over_smallest": max(E.values()) / min(E.values())}


def shares_figure(raw: dict[str, float], norm: dict[str, float], path: Path, sizes: dict, name: str,
                  zh: bool) -> Path:
    width = 5.6
    font = font_for(width)
    fig, ax = plt.subplots(figsize=(width, 4.2), dpi=120)
    pos = np.arange(len(STYLE_LAYERS))
    names = ("原始 VGG19", "归一化 VGG19") if zh else ("raw VGG19", "normalised VGG19")
    for offset, label, values in zip((-0.2, 0.2), names, (raw, norm), strict=True):
        total = sum(values.values())
        bars = ax.bar(pos + offset, [values[k] for k in STYLE_LAYERS], width=0.4, label=label)
        for bar, k in zip(bars, STYLE_LAYERS, strict=True):
            ax.annotate(f"{values[k] / total:.0%}", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=font)
    ax.set_yscale("log")
    values = [*raw.values(), *norm.values()]
    ax.set_ylim(min(values) / 3, max(values) * 30)
    plain_log_ticks(ax.yaxis, min(values), max(values))
    ax.set_xticks(pos, [k.replace("conv", "") for k in STYLE_LAYERS])
    ax.tick_params(which="both", labelsize=font)
    ax.set_xlabel("层 conv…" if zh else "layer conv…", fontsize=font)
    ax.set_ylabel("E_l（对数刻度）" if zh else "E_l (log scale)", fontsize=font)
    title = "白噪声相对《呐喊》的 E_l 及其占比" if zh else "E_l of noise vs The Scream, and its share"
    ax.set_title(title, fontsize=font)
    ax.legend(fontsize=font, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, frameon=False)
    fig.tight_layout()
    return save(fig, path, sizes, name)


def conv1_1_grams(net, x0: np.ndarray, x: np.ndarray, painting: np.ndarray) -> np.ndarray:
    """The conv1_1 Gram matrices G / M of the noise, the texture and the painting, stacked (3, 64, 64)."""
    return np.stack([l2.gram(features(net, img, ("conv1_1",))["conv1_1"]) / np.prod(img.shape[2:])
                     for img in (x0, x, painting)])


def gram_figure(grams: np.ndarray, path: Path, sizes: dict, name: str, zh: bool) -> Path:
    names = ("白噪声", "纹理", "原画") if zh else ("noise", "texture", "painting")
    width = 6.4
    font = font_for(width)
    top = float(grams.max())
    fig, axes = plt.subplots(1, 3, figsize=(width, 2.5), dpi=120, layout="constrained")
    for ax, label, G in zip(axes, names, grams, strict=True):
        shown = ax.imshow(np.log10(np.maximum(G, top * 1e-4)), cmap="magma", vmin=np.log10(top * 1e-4),
                          vmax=np.log10(top))
        ax.set_title(label, fontsize=font)
        ax.set_xticks([])
        ax.set_yticks([])
    bar = fig.colorbar(shown, ax=axes, shrink=0.85)
    bar.ax.tick_params(which="both", labelsize=font)
    bar.set_label("log10(G / M)", fontsize=font)
    return save(fig, path, sizes, name)


def run(size: int, iters: int) -> tuple[dict, dict]:
    """Every run of the figures: ({name: array} to keep, numbers.json's contents)."""
    painting = images.preprocess(images.load_image(paths.SCREAM, longest=size))
    h, w = painting.shape[2:]
    norm_net = load_vgg19(shape=(h, w), normalised=True)
    raw_net = load_vgg19(shape=(h, w))
    numbers = {"size": [w, h], "painting": "data/scream.jpg", "noise_sigma": 20.0,
               "load_average_at_start": load_average(),
               "E_l_raw": start_losses(raw_net, painting), "E_l_normalised": start_losses(norm_net, painting),
               "runs": {}}
    numbers["raw"], numbers["normalised"] = shares(numbers["E_l_raw"]), shares(numbers["E_l_normalised"])
    large = images.preprocess(images.load_image(paths.SCREAM, longest=LARGE))
    numbers["E_l_normalised_large"] = {"size": list(large.shape[2:][::-1]),
                                       **start_losses(load_vgg19(shape=large.shape[2:], normalised=True), large)}
    factors = {k: numbers["E_l_normalised"][k] / numbers["E_l_normalised_large"][k] for k in STYLE_LAYERS}
    positions = (large.shape[2] * large.shape[3]) / (h * w)
    numbers["E_l_size_factor"] = {**factors, "min": min(factors.values()), "max": max(factors.values()),
                                  "positions": positions, "positions_squared": positions ** 2}
    arrays = {"painting": painting}
    for n in range(1, len(STYLE_LAYERS) + 1):
        layers = STYLE_LAYERS[:n]
        result, settings = texture(norm_net, painting, layers, iters)
        arrays[f"row_{n}"] = result.x
        numbers["runs"][f"normalised_{n}"] = settings  # the first n style layers
    full = result
    raw, settings = texture(raw_net, painting, STYLE_LAYERS, iters)
    numbers["runs"][f"raw_{len(STYLE_LAYERS)}"] = settings
    numbers["command"] = timed_command("style", *(("--iters", "3", "--size", str(size)) if size < 128 else ()))
    numbers["load_average_at_end"] = load_average()
    arrays.update(raw=raw.x, losses=np.asarray(full.losses),
                  grams=conv1_1_grams(norm_net, images.white_noise((h, w), seed=SEED), full.x, painting),
                  **{f"snapshot_{i}": snapshot for i, snapshot in full.snapshots.items()})
    return arrays, numbers


def render(out: Path, data: dict, numbers: dict) -> list[Path]:
    """Every file of the docs folder, each figure in English and in Chinese; the smallest label of each into
    labels.json."""
    painting, full = data["painting"], data[f"row_{len(STYLE_LAYERS)}"]
    losses = [float(v) for v in data["losses"]]
    snapshots = {int(k.split("_")[1]): v for k, v in data.items() if k.startswith("snapshot_")}
    sizes: dict[str, float] = {}
    with outputs.OutputSet(out) as files:
        for lang in ("en", "zh"):
            zh = lang == "zh"

            def grid(panels: dict[str, np.ndarray], name: str, columns: int, lang: str = lang) -> Path:
                localised = plotting.localised(name, lang)
                return picture_grid([(t, images.deprocess(x)) for t, x in panels.items()], files.path(localised),
                                    sizes, localised, columns)

            def named(name: str, lang: str = lang) -> tuple[Path, str]:
                localised = plotting.localised(name, lang)
                return files.path(localised), localised

            the_painting = "原画" if zh else "the painting"
            with plotting.figure_language(lang):
                rows = {}
                for n in range(1, len(STYLE_LAYERS) + 1):
                    layers = STYLE_LAYERS[:n]
                    rows[" + ".join(layers) if n < 3 else f"conv1_1 ... {layers[-1]}"] = data[f"row_{n}"]
                grid({**rows, the_painting: painting}, "rows.png", 3)
                grid({("原始 VGG19" if zh else "raw VGG19"): data["raw"],
                      ("归一化 VGG19" if zh else "normalised VGG19"): full, the_painting: painting},
                     "raw_normalised.png", 3)
                path, name = named("shares.png")
                shares_figure(numbers["E_l_raw"], numbers["E_l_normalised"], path, sizes, name, zh)
                path, name = named("gram.png")
                gram_figure(data["grams"], path, sizes, name, zh)
                frames = plotting.progress_frames(snapshots, full, len(losses), painting, keep=FRAMES, lang=lang)
                frames[the_painting] = frames.pop("原照片" if zh else "the photo")
                grid(frames, "frames.png", 3)
                path, name = named("loss.png")
                loss_plot([("", losses)], path, sizes, name,
                          title=f"{'风格损失，' if zh else 'style loss, '}conv1_1 ... conv5_1",
                          ylabel="w_l E_l 之和" if zh else "sum of w_l E_l", xlabel="迭代次数" if zh else "iteration")
        outputs.write_text(files.path("numbers.json"), json.dumps(numbers, indent=1) + "\n")
    record_labels(out, sizes)
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
    data, numbers = kept_runs(args.data, args.render_only, lambda: run(size, iters))
    written = render(out, data, numbers)
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
