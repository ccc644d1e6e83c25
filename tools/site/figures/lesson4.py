"""Lesson 4's paintings at real size and what coarse-to-fine buys, made with `brushstrokes paint`'s reference path.

Usage: nice -n 10 .venv/bin/python tools/site/figures/lesson4.py [--ratio R] [--out DIR] [--quick | --render-only]

Writes to docs/assets/figures/lesson4/ (about 25 minutes on 2 busy CPU cores; --quick: 128 px, a few iterations,
to try the script). Every painting is 512 px on its long side, painted coarse to fine (--scales 128,256,512 with
--scale-iters 200,100,50) from white noise, and saved at its own size, without labels:
    cat_scream_512.png            the cat in The Scream
    cat_starry_night_512.png      the cat in The Starry Night
    cat_mona_lisa_512.png         the cat in the Mona Lisa
    cat_scream_luminance_512.png  the cat in The Scream with --colour luminance
    cat_scream_match_512.png      the cat in The Scream with --colour match
    cat_space_512.png             --content-mask data/chelsea_mask.png: the cat in The Scream, the rest in The
                                  Starry Night
    cat_single_scale_512.png      the bench's other run: one scale, 512 px, 300 L-BFGS iterations
and the figures with text, in English (x.png) and Chinese (x.zh.png):
    colours.png                   keep / luminance / match side by side, each at 512 px
    bench.png                     the total loss at 512 px against seconds: one scale, and coarse to fine's last
                                  scale (its earlier scales' losses are at other sizes and do not compare)
    bench_pictures.png            the two pictures of the bench side by side
    numbers.json                  every run's settings, command line, seconds, load average and losses (per scale
                                  for coarse to fine); `bench`: both runs' seconds and final total loss at 512 px
                                  (same photo, painting, ratio, seed, targets and weights, so the losses compare)
The smallest label of each figure goes into docs/assets/figures/labels.json. The runs' results are kept in
output/figure-data/lesson4.npz; --render-only draws the figures again from it, without running the network. Every
file is written whole or not at all, together at the end (brushstrokes.base.outputs.OutputSet). The pages take
their numbers from numbers.json (tools/site/hooks.py). The last line printed sums the bench up.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import scipy

from brushstrokes.base import outputs, paths
from brushstrokes.base.i18n import speaking
from brushstrokes.net import images
from brushstrokes.net.vgg import load_vgg19
from brushstrokes.runs import pipeline, plotting
from brushstrokes.runs.paint import PaintSettings, paint_spec
from brushstrokes.runs.paint_targets import style_size

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/site/figures: the helpers the figure scripts share
from figure_common import (  # noqa: E402
    kept_runs,
    DPI,
    font_for,
    load_average,
    load_now,
    picture_grid,
    plain_log_ticks,
    record_labels,
    save,
    wrap,
)

OUT = paths.ROOT / "docs" / "assets" / "figures" / "lesson4"
DATA = paths.ROOT / "output" / "figure-data" / "lesson4.npz"
SIZE = 512
SCALES, SCALE_ITERS = (128, 256, 512), (200, 100, 50)
SINGLE_ITERS = 300  # the single-scale run coarse to fine is measured against
RATIO = 3e-7  # alpha/beta at 512 px, chosen by looking (3e-6, the 128 px default, leaves the photo almost untouched)
STARRY, MONA = paths.ROOT / "data" / "starry_night.jpg", paths.ROOT / "data" / "mona_lisa.jpg"
CAT_MASK = paths.ROOT / "data" / "chelsea_mask.png"
# one scale's line of the paint summary (brushstrokes.runs.scales.SCALE_DONE, in English)
SCALE_LINE = re.compile(r"(\d+)x(\d+) px: (\d+) iterations in (\d+) s; loss ([-+.\deE]+) -> ([-+.\deE]+)")


def relative(path: Path | None) -> str | None:
    """A data file as the command line names it: data/scream.jpg."""
    return None if path is None else Path(path).resolve().relative_to(paths.ROOT).as_posix()


def command_line(s: PaintSettings) -> str:
    """The `brushstrokes paint` command that paints what `s` does."""
    parts = ["brushstrokes paint", relative(s.content), *(relative(p) for p in s.styles), f"--size {s.size}",
             f"--ratio {s.ratio:g}"]
    if s.scales:
        parts += [f"--scales {','.join(map(str, s.scales))}", f"--scale-iters {','.join(map(str, s.scale_iters))}"]
    else:
        parts.append(f"--iters {s.iters}")
    if s.colour != "keep":
        parts.append(f"--colour {s.colour}")
    if s.content_mask is not None:
        parts.append(f"--content-mask {relative(s.content_mask)}")
    return " ".join(parts)


def per_scale(summary: list[str], losses: list[float]) -> list[dict]:
    """What each scale of a coarse-to-fine run did, from its summary lines (English) and its joined losses: size,
    iterations, seconds (whole seconds, as printed), the loss at its start (4 digits, as printed: the joined losses
    keep only the previous scale's last one) and its last loss."""
    scales, done = [], 0
    for line in summary:
        found = SCALE_LINE.search(line)
        if found:
            w, h, n, seconds, first, _ = found.groups()
            done += int(n)
            scales.append({"size": f"{w}x{h}", "iterations": int(n), "seconds": int(seconds),
                           "first_loss": float(first), "last_loss": losses[done]})
    return scales


def run(record: dict, name: str, net, quick: bool, **changes) -> pipeline.Optimised:
    """One painting by the reference path (what paint_picture does, keeping the summary's per-scale lines); its
    settings, command line, seconds, load average and losses into record[name]."""
    s = dataclasses.replace(BASE, **changes)
    if quick:  # 128 px, a few iterations per scale
        s = dataclasses.replace(s, size=128, iters=3, scales=(64, 96, 128) if s.scales else (),
                                scale_iters=(3, 3, 3) if s.scales else ())
    print(f"  {name}: {command_line(s)}", flush=True)
    started = time.perf_counter()
    spec = paint_spec(s, net, quiet=True)
    done, prepared, _ = pipeline.optimise(spec, s.out, None, lambda *a, **k: None)
    in_all = time.perf_counter() - started
    with speaking("en"):
        summary = spec.summary(done)
    h, w = done.picture.shape[:2]
    sw, sh = style_size(images.image_size(s.styles[0]), (w, h), s.style_fit, s.style_scale)
    alpha, beta = s.alpha_beta
    record[name] = {"command": command_line(s), "ratio": alpha / beta, "alpha": alpha, "beta": beta,
                    "size": s.size, "picture": f"{w}x{h}", "painting": f"{sw}x{sh}",
                    "paintings": [relative(p) for p in s.styles], "colour": s.colour,
                    "content_mask": relative(s.content_mask) or "", "init": s.init, "seed": s.seed,
                    "scales": ",".join(map(str, s.scales)), "scale_iters": ",".join(map(str, s.scale_iters)),
                    "max_iterations": s.total_iters, "iterations": len(done.losses) - 1,
                    "seconds": round(done.seconds, 1), "seconds_in_all": round(in_all, 1),
                    "minutes": round(done.seconds / 60, 1), "load_average": load_now(),
                    "first_loss": done.losses[0], "last_loss": done.losses[-1]}
    if s.scales:
        record[name]["per_scale"] = per_scale(summary, done.losses)
    print("    " + "; ".join(line.strip() for line in summary), flush=True)
    return done


def losses_at_last_scale(record: dict, losses: list[float]) -> list[float]:
    """The total loss at the final size per iteration there: the last scale's start loss (as printed) and its
    iterations' losses."""
    last = record["per_scale"][-1]
    return [last["first_loss"], *losses[len(losses) - last["iterations"]:]]


def bench(runs: dict) -> dict:
    """Coarse to fine vs one scale at the final size: seconds, final total loss, their ratios, and the goal's
    answer (at most 5 minutes, a loss no worse than one scale's)."""
    fine, single = runs["scream"], runs["single_scale"]
    return {"picture": fine["picture"], "coarse_to_fine_seconds": fine["seconds"],
            "coarse_to_fine_minutes": fine["minutes"], "coarse_to_fine_loss": fine["last_loss"],
            "single_scale_seconds": single["seconds"], "single_scale_minutes": single["minutes"],
            "single_scale_loss": single["last_loss"], "single_scale_iterations": single["iterations"],
            "time_ratio": single["seconds"] / fine["seconds"], "loss_ratio": fine["last_loss"] / single["last_loss"],
            "within_5_minutes": "yes" if fine["seconds"] <= 300 else "no",
            "loss_no_worse": "yes" if fine["last_loss"] <= single["last_loss"] else "no"}


def at_equal_time(record: dict, data: dict) -> dict:
    """The record with what one scale had reached when coarse to fine was done: its loss after as many of its
    iterations as fit in coarse to fine's seconds (its iterations taken as equally long: an estimate)."""
    b, single = dict(record["bench"]), data["losses_single_scale"]
    k = min(len(single) - 1, int(b["coarse_to_fine_seconds"] / b["single_scale_seconds"] * (len(single) - 1)))
    b.update(single_scale_iterations_in_equal_time=k, single_scale_loss_in_equal_time=float(single[k]),
             loss_ratio_in_equal_time=b["coarse_to_fine_loss"] / float(single[k]))
    return {**record, "bench": b}


def summary_line(b: dict) -> str:
    return (f"coarse-to-fine {b['picture']} px: {b['coarse_to_fine_seconds']:.0f} s, loss "
            f"{b['coarse_to_fine_loss']:.4g}; single scale {b['picture']} px, {b['single_scale_iterations']} "
            f"iterations: {b['single_scale_seconds']:.0f} s, loss {b['single_scale_loss']:.4g}; ratio of times "
            f"{b['time_ratio']:.2f}, of losses {b['loss_ratio']:.3f} (goal: within 5 minutes "
            f"{b['within_5_minutes']}, loss no worse {b['loss_no_worse']}); in coarse to fine's time one scale "
            f"makes about {b['single_scale_iterations_in_equal_time']} iterations, loss "
            f"{b['single_scale_loss_in_equal_time']:.4g}")


def run_all(ratio: float, quick: bool) -> tuple[dict, dict]:
    """Every run: ({name: array} to keep, numbers.json's contents)."""
    global BASE
    BASE = PaintSettings(size=SIZE, ratio=ratio, scales=SCALES, scale_iters=SCALE_ITERS, use="solutions")
    record: dict = {"settings": {"size": SIZE, "ratio": ratio, "scales": ",".join(map(str, SCALES)),
                                 "scale_iters": ",".join(map(str, SCALE_ITERS)), "single_iters": SINGLE_ITERS,
                                 "scipy": scipy.__version__, "quick": quick},
                    "load_average_at_start": load_average(), "runs": {}}
    runs = record["runs"]
    started = time.perf_counter()
    net = load_vgg19(normalised=True, shape=(64, 64))
    print("the bench (the same photo, painting, ratio and seed):", flush=True)
    done = {"scream": run(runs, "scream", net, quick)}
    done["single_scale"] = run(runs, "single_scale", net, quick, scales=(), scale_iters=(), iters=SINGLE_ITERS)
    record["bench"] = bench(runs)
    print("paintings:", flush=True)
    done["starry_night"] = run(runs, "starry_night", net, quick, styles=[STARRY])
    done["mona_lisa"] = run(runs, "mona_lisa", net, quick, styles=[MONA])
    done["luminance"] = run(runs, "luminance", net, quick, colour="luminance")
    done["match"] = run(runs, "match", net, quick, colour="match")
    done["space"] = run(runs, "space", net, quick, styles=[paths.SCREAM, STARRY], content_mask=CAT_MASK)
    loads = [r["load_average"] for r in runs.values() if r["load_average"] is not None]
    record["runs_load_average"] = {"min": min(loads, default=0.0), "max": max(loads, default=0.0)}
    record["seconds_total"] = round(time.perf_counter() - started)
    record["load_average_at_end"] = load_average()
    arrays = {name: np.asarray(d.picture, dtype=np.float32) for name, d in done.items()}
    arrays["losses_single_scale"] = np.asarray(done["single_scale"].losses)
    arrays["losses_coarse_to_fine"] = np.asarray(losses_at_last_scale(runs["scream"], done["scream"].losses))
    return arrays, record


def seconds_axis(losses: np.ndarray, start: float, seconds: float) -> np.ndarray:
    """When each loss of a run at one size was reached, in seconds: its `seconds` spread evenly over its
    iterations (an estimate: the iterations are about equally long), from `start`."""
    return start + seconds * np.arange(len(losses)) / max(1, len(losses) - 1)


def time_plot(curves: list[tuple[str, np.ndarray, np.ndarray]], path: Path, sizes: dict[str, float], name: str,
              title: str, xlabel: str, ylabel: str, width: float = 5.0) -> Path:
    """Losses (log scale) against seconds, one line per (label, seconds, losses), each ending in a dot."""
    import matplotlib.pyplot as plt

    font = font_for(width)
    fig, ax = plt.subplots(figsize=(width, width * 0.64), dpi=DPI)
    for label, seconds, losses in curves:
        line, = ax.semilogy(seconds, losses, label=label)
        ax.plot(seconds[-1:], losses[-1:], "o", color=line.get_color())
    values = np.concatenate([losses for _, _, losses in curves])
    low, high = float(values.min()), float(values.max())
    plain_log_ticks(ax.yaxis, low / 100, high)  # plain labels, none on the minor ticks: they would crowd
    steps = [m * 10.0 ** e for e in range(int(np.floor(np.log10(low))), int(np.ceil(np.log10(high))) + 1)
             for m in (1, 2, 3, 5)]
    ax.set_yticks([v for v in steps if low * 0.9 <= v <= high * 1.1])  # 1, 2, 3 and 5 times a power of ten
    ax.set_xlim(left=0)
    ax.set_xlabel(xlabel, fontsize=font)
    ax.set_ylabel(ylabel, fontsize=font)
    ax.set_title(wrap(title, width, font), fontsize=font)
    ax.tick_params(which="both", labelsize=font)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=font, loc="center right")
    fig.tight_layout()
    return save(fig, path, sizes, name)


PICTURES = {"scream": "cat_scream_512.png", "starry_night": "cat_starry_night_512.png",
            "mona_lisa": "cat_mona_lisa_512.png", "luminance": "cat_scream_luminance_512.png",
            "match": "cat_scream_match_512.png", "space": "cat_space_512.png",
            "single_scale": "cat_single_scale_512.png"}


def render(out: Path, data: dict, record: dict) -> list[Path]:
    """Every file of the docs folder: the paintings at their own size, the figures with text in English and in
    Chinese (their smallest labels into labels.json), numbers.json."""
    record = at_equal_time(record, data)
    runs = record["runs"]
    h, w = data["scream"].shape[:2]
    panel = w / DPI  # inches: each picture of a grid at about its own size
    scales = runs["scream"]["per_scale"]
    fine_seconds = seconds_axis(data["losses_coarse_to_fine"], sum(v["seconds"] for v in scales[:-1]),
                                scales[-1]["seconds"])
    single_seconds = seconds_axis(data["losses_single_scale"], 0.0, runs["single_scale"]["seconds"])
    sizes: dict[str, float] = {}
    with outputs.OutputSet(out) as files:
        for name, file in PICTURES.items():
            images.save_image(files.path(file), data[name])
        for lang in ("en", "zh"):
            zh = lang == "zh"
            sep = "，" if zh else ", "
            setting = (f"{w}x{h} 像素{sep}alpha/beta = {runs['scream']['ratio']:g}" if zh else
                       f"{w}x{h} px, alpha/beta = {runs['scream']['ratio']:g}")
            fine = (f"由粗到细（{runs['scream']['scales']} 像素）" if zh else
                    f"coarse to fine ({runs['scream']['scales']} px)")
            single = (f"单一尺度，{runs['single_scale']['iterations']} 次迭代" if zh else
                      f"one scale, {runs['single_scale']['iterations']} iterations")

            def grid(panels, name, title, lang=lang):
                localised = plotting.localised(name, lang)
                return picture_grid(panels, files.path(localised), sizes, localised, len(panels), title, panel)

            with plotting.figure_language(lang):
                grid([("--colour keep", data["scream"]), ("--colour luminance", data["luminance"]),
                      ("--colour match", data["match"])], "colours.png", setting)
                grid([(f"{fine}{sep}{runs['scream']['seconds']:.0f} 秒" if zh else
                       f"{fine}, {runs['scream']['seconds']:.0f} s", data["scream"]),
                      (f"{single}{sep}{runs['single_scale']['seconds']:.0f} 秒" if zh else
                       f"{single}, {runs['single_scale']['seconds']:.0f} s", data["single_scale"])],
                     "bench_pictures.png", setting)
                name = plotting.localised("bench.png", lang)
                time_plot([("由粗到细的最后一个尺度" if zh else "coarse to fine, last scale", fine_seconds,
                            data["losses_coarse_to_fine"]),
                           ("单一尺度" if zh else "one scale", single_seconds, data["losses_single_scale"])],
                          files.path(name), sizes, name,
                          title=("总损失" if zh else "total loss") + f"{sep}{setting}",
                          xlabel="秒" if zh else "seconds", ylabel="总损失" if zh else "total loss")
        outputs.write_text(files.path("numbers.json"), json.dumps(record, indent=2) + "\n")
    record_labels(out, sizes)
    return files.written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratio", type=float, default=RATIO, help=f"alpha/beta of every run (default {RATIO:g})")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--quick", action="store_true", help="128 px and 3 iterations per scale, to try the script")
    parser.add_argument("--render-only", action="store_true",
                        help="draw the figures from the kept results (--data), without running the network")
    parser.add_argument("--data", type=Path, default=DATA, help="where the runs' results are kept "
                                                                "(default output/figure-data/lesson4.npz)")
    args = parser.parse_args(argv)
    out = outputs.prepare_folder(args.out)
    data, record = kept_runs(args.data, args.render_only, lambda: run_all(args.ratio, args.quick))
    written = render(out, data, record)
    print(f"wrote {len(written)} files to {out} (the runs took {record['seconds_total']} s)")
    print(summary_line(at_equal_time(record, data)["bench"]))
    return 0


BASE = PaintSettings()

if __name__ == "__main__":
    sys.exit(main())
