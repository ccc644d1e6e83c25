"""Lesson 1's figures for the docs, made with solutions/ on the real VGG19.

Usage: nice -n 10 .venv/bin/python tools/site/figures/lesson1.py [--size 128] [--out DIR] [--quick | --render-only]

Writes to docs/assets/figures/lesson1/ (several minutes on 2 CPU cores; --quick: a few iterations, to try it):
    loss_conv4_2.png      the content loss per iteration (log scale) of the conv4_2 reconstruction
    frames_conv4_2.png    from white noise to the cat: snapshots of the conv4_2 run, and the photo
    layers.png            the paper's figure 1 content row as a 2 x 3 grid: conv1_2 ... conv5_2, and the photo
    content_<layer>.png   each reconstruction alone, at working size
    numbers.json          what each run used and took (size, iterations run, lr, tol, seed, seconds, load average,
                          losses), and the seconds of `brushstrokes content --size 128 --iters 50`
The figures with text come in English (x.png) and Chinese (x.zh.png); the size of each figure's smallest label goes
into docs/assets/figures/labels.json. The runs' results are kept in output/figure-data/lesson1.npz; --render-only
draws the figures again from it, without running the network. Every file is written whole or not at all, together
at the end (brushstrokes.base.outputs.OutputSet). The pages take their numbers from numbers.json (tools/site/hooks.py).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from brushstrokes.base import outputs, paths
from brushstrokes.net import images
from brushstrokes.net.vgg import features, load_vgg19
from brushstrokes.runs import plotting
from solutions.lesson1_content import reconstruct

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/site/figures: the helpers the figure scripts share
from figure_common import load_average, load_now, loss_plot, picture_grid, record_labels, timed_command  # noqa: E402

OUT = paths.ROOT / "docs" / "assets" / "figures" / "lesson1"
DATA = paths.ROOT / "output" / "figure-data" / "lesson1.npz"
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
                "seconds_per_iter": round(seconds / len(result.losses), 3), "load_average": load_now(),
                "loss_first": result.losses[0], "loss_last": result.losses[-1]}
    return result, settings


def save_data(path: Path, target: np.ndarray, results: dict, settings: dict) -> None:
    """The runs' results (final images, losses, conv4_2's snapshots) and settings, whole or not at all."""
    arrays = {"target": target, "settings": np.array(json.dumps(settings))}
    for layer, r in results.items():
        arrays[f"x_{layer}"], arrays[f"losses_{layer}"] = r.x, np.asarray(r.losses)
    for i, snapshot in results["conv4_2"].snapshots.items():
        if i in FRAMES:
            arrays[f"snapshot_{i}"] = snapshot
    with outputs.atomic_path(path) as tmp:
        np.savez_compressed(tmp, **arrays)


def load_data(path: Path) -> tuple[np.ndarray, dict, dict, dict]:
    """(target, {layer: final x}, {layer: losses}, settings), and conv4_2's snapshots in settings["snapshots"]."""
    with np.load(path) as data:
        settings = json.loads(str(data["settings"]))
        xs = {layer: data[f"x_{layer}"] for layer in LAYERS}
        losses = {layer: [float(v) for v in data[f"losses_{layer}"]] for layer in LAYERS}
        settings["snapshots"] = {int(k.split("_")[1]): data[k] for k in data.files if k.startswith("snapshot_")}
        return data["target"], xs, losses, settings


def render(out: Path, target: np.ndarray, xs: dict, losses: dict, settings: dict) -> list[Path]:
    """Every file of the docs folder, the figures with text in English and in Chinese; the smallest label of each
    into labels.json."""
    snapshots = settings.pop("snapshots")
    sizes: dict[str, float] = {}
    with outputs.OutputSet(out) as files:
        for layer, x in xs.items():
            images.save_image(files.path(f"content_{layer}.png"), images.deprocess(x))
        for lang in ("en", "zh"):
            zh = lang == "zh"

            def named(name: str, lang: str = lang) -> tuple[Path, str]:
                localised = plotting.localised(name, lang)
                return files.path(localised), localised

            with plotting.figure_language(lang):
                title = f"conv4_2 的内容损失（学习率 {LR:g}）" if zh else f"content loss at conv4_2 (lr {LR:g})"
                path, name = named("loss_conv4_2.png")
                loss_plot([("", losses["conv4_2"])], path, sizes, name, title=title,
                          xlabel="迭代次数" if zh else "iteration", ylabel="损失" if zh else "loss")
                frames = plotting.progress_frames(snapshots, xs["conv4_2"], len(losses["conv4_2"]), target,
                                                  keep=FRAMES, lang=lang)
                path, name = named("frames_conv4_2.png")
                picture_grid([(t, images.deprocess(x)) for t, x in frames.items()], path, sizes, name, 3)
                grid = [((f"{layer}：{len(losses[layer])} 次迭代" if zh else f"{layer} ({len(losses[layer])} it.)"),
                         images.deprocess(x)) for layer, x in xs.items()]
                grid.append(("原照片" if zh else "the photo", images.deprocess(target)))
                path, name = named("layers.png")
                picture_grid(grid, path, sizes, name, 3)
        outputs.write_text(files.path("numbers.json"), json.dumps(settings, indent=2) + "\n")
    record_labels(out, sizes)
    return files.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=128, help="longest side of the cat in px (default 128)")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT.relative_to(paths.ROOT)})")
    parser.add_argument("--quick", action="store_true", help="20 iterations per layer, to try the script")
    parser.add_argument("--render-only", action="store_true",
                        help=f"draw the figures from {DATA.relative_to(paths.ROOT)}, without running the network")
    parser.add_argument("--data", type=Path, default=DATA, help="where the runs' results are kept")
    args = parser.parse_args(argv)
    out = outputs.prepare_folder(args.out)
    if not args.render_only:
        target = images.preprocess(images.load_image(paths.CAT, longest=args.size))
        start_load = load_average()
        net = load_vgg19(pooling="avg", shape=target.shape[2:])
        runs = {layer: reconstruct_layer(net, target, layer, 20 if args.quick else ITERS[layer]) for layer in LAYERS}
        settings = {"image": paths.CAT.name, "size": list(target.shape[2:]), "pooling": "avg",
                    "load_average_at_start": start_load, "runs": {layer: s for layer, (_, s) in runs.items()},
                    "command": timed_command("content", "--size", "128", "--iters", "5" if args.quick else "50"),
                    "load_average_at_end": load_average()}
        save_data(args.data, target, {layer: result for layer, (result, _) in runs.items()}, settings)
        print(f"kept the runs' results in {args.data}")
    for path in render(out, *load_data(args.data)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
