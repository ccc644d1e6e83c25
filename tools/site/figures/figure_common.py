"""What the figure scripts share: picture grids and loss plots whose labels stay readable on a phone, the record of
each figure's smallest label (docs/assets/figures/labels.json), and the machine's load average for the records.

A figure is shown at most as wide as the page's column: about 350 px on a phone (390 px viewport), wider at 1280 px.
A label of f px in a picture W px wide is then f * min(1, 350 / W) px on the screen; every figure here keeps that at
9 px or more (`readable`, checked when the figure is saved), and `record_labels` writes each figure's f into
labels.json: {"lesson3/ratio_sweep.png": 21.7, ...}, keys relative to the folder holding labels.json.

Text is measured as the renderer draws it (every string matplotlib draws goes through RendererAgg.draw_text), so
titles, tick labels, legends and annotations all count. Mathtext (e.g. matplotlib's 10^3 on log axes) is refused:
its exponents are drawn smaller than its font size says; `plain_log_ticks` writes such ticks as plain text.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402
from matplotlib.ticker import FuncFormatter, NullFormatter  # noqa: E402

from brushstrokes.base import outputs, paths  # noqa: E402

PHONE_COLUMN = 350  # px: the content column at a 390 px viewport
MIN_ON_SCREEN = 9.0  # px: the smallest label height allowed on the screen
DPI = 120
PANEL = 2.2  # inches: the width of one picture in a grid
LABELS = "labels.json"


def on_screen(font_px: float, width_px: int, column: int = PHONE_COLUMN) -> float:
    """The height in screen px of a font_px label in a picture width_px wide shown in a `column` px column."""
    return font_px * min(1.0, column / width_px)


def font_for(width_in: float, smallest: float = 11.0) -> float:
    """The font size in points that keeps labels of a figure width_in inches wide readable on a phone, with 10 %
    to spare, and at least `smallest` (the size is independent of the dpi: points and width scale together)."""
    needed = MIN_ON_SCREEN * 72 * width_in / PHONE_COLUMN * 1.1
    return max(smallest, math.ceil(needed * 2) / 2)


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages (rounded), for the records of runs that are timed."""
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return []


def load_now() -> float | None:
    """The 1-minute load average (None where the system does not say)."""
    values = load_average()
    return values[0] if values else None


def timed_command(*args: str) -> dict:
    """Run `brushstrokes ARGS --out <a temporary folder>` as a learner does (a fresh process: Python, Caffe and the
    net loaded, the pictures written), in English; its wall-clock seconds, the summary line it printed
    ("N iterations in S s (E s each); ..."), those numbers, and the load average at the end."""
    env = dict(os.environ, BRUSHSTROKES_LANG="en")
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "brushstrokes", *args, "--out", folder], cwd=paths.ROOT,
                              env=env, text=True, capture_output=True, check=True)
        seconds = time.perf_counter() - start
    lines = [line for line in done.stdout.splitlines() if " iterations in " in line]
    summary = re.search(r"(\d+) iterations in (\d+) s \(([\d.]+) s each\)", lines[-1]) if lines else None
    if summary is None:
        raise RuntimeError(f"brushstrokes {' '.join(args)} printed no summary line:\n{done.stdout[-500:]}")
    result = {"command": "brushstrokes " + " ".join(args), "seconds_in_all": round(seconds, 1),
              "printed": lines[-1].strip(), "iterations": int(summary[1]), "seconds_printed": int(summary[2]),
              "seconds_each": float(summary[3]), "load_average": load_now()}
    print(f"  {result['command']}: {result['seconds_in_all']} s in all; {result['printed']}", flush=True)
    return result


@contextlib.contextmanager
def _drawn_text_sizes(sizes: list[float]) -> Iterator[None]:
    """Collect the point size of every non-empty string the Agg renderer draws inside the block."""
    original = RendererAgg.draw_text

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if str(s).strip():
            if ismath:
                raise ValueError(f"mathtext label {s!r}: its sub- and superscripts are drawn smaller than its size; "
                                 "write it as plain text (figure_common.plain_log_ticks for log axes)")
            sizes.append(float(prop.get_size_in_points()))
        return original(self, gc, x, y, s, prop, angle, ismath, mtext)

    RendererAgg.draw_text = draw_text
    try:
        yield
    finally:
        RendererAgg.draw_text = original


def save(fig, path: Path, sizes: dict[str, float], name: str) -> Path:
    """Save `fig` to `path` (a temporary file of an OutputSet, or the final file) and note, under the figure's
    final file `name`, its smallest label in image px; raises when that label would be under 9 px on a phone."""
    drawn: list[float] = []
    try:
        with _drawn_text_sizes(drawn):
            fig.savefig(path, dpi=fig.dpi)
        width = int(round(fig.get_figwidth() * fig.dpi))
    finally:
        plt.close(fig)
    if drawn:
        px = round(min(drawn) * fig.dpi / 72, 2)
        if on_screen(px, width) < MIN_ON_SCREEN:
            raise ValueError(f"{name}: its smallest label, {px} px in a {width} px wide picture, would be "
                             f"{on_screen(px, width):.1f} px on a phone (at least {MIN_ON_SCREEN:g} wanted)")
        sizes[name] = px
    return path


def record_labels(out: Path, sizes: dict[str, float]) -> Path:
    """Merge {file name in out: smallest label px} into labels.json of out's parent folder, replacing every entry
    of `out` (a script writes all of its folder's figures), whole or not at all."""
    out = Path(out)
    record = out.parent / LABELS
    prefix = f"{out.name}/"
    try:
        old = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = {}
    merged = {k: v for k, v in old.items() if not k.startswith(prefix)}
    merged.update({prefix + name: px for name, px in sizes.items()})
    outputs.write_text(record, json.dumps(dict(sorted(merged.items())), indent=1, ensure_ascii=False) + "\n")
    return record


def text_width(text: str) -> float:
    """The width of `text` in narrow characters (DejaVu Sans averages 0.6 em; a Chinese character is 1 em)."""
    return sum(1 / 0.6 if ord(c) > 0x2E80 else 1.0 for c in text)


def wrap(text: str, width_in: float, font_pt: float) -> str:
    """`text` broken into lines that fit width_in inches at font_pt: at spaces, before an opening bracket and
    between Chinese characters, never leaving a closing bracket or punctuation mark alone at a line's start, and
    never inside a bracketed group that fits on a line, e.g. "(128,256,512 px)"."""
    chars = max(8.0, width_in / (0.6 * font_pt / 72) * 0.95)
    if text_width(text) <= chars:
        return text
    words = r"[（(][^\s（(]*|[\u2e80-\uffff][）)，。：、]*|[^\s（(\u2e80-\uffff]+|\s+"
    pieces = []
    for group in re.findall(r"[（(][^（()）]*[）)]|[^（(]+|[（(]", text):
        fits = group[0] in "（(" and group[-1] in "）)" and text_width(group) <= chars
        pieces += [group] if fits else re.findall(words, group)
    lines, line = [], ""
    for piece in pieces:
        if line and text_width((line + piece).rstrip()) > chars and piece.strip() and piece[0] not in "）)，。：、；,.;:":
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    return "\n".join(part for part in [*lines, line.rstrip()] if part)


def picture_grid(panels: list[tuple[str, np.ndarray]], path: Path, sizes: dict[str, float], name: str,
                 columns: int, title: str = "", panel: float = PANEL) -> Path:
    """Pictures (H, W, 3), 0..255, in a grid of `columns`, each with its title; fonts sized for a phone."""
    rows = (len(panels) + columns - 1) // columns
    width = panel * columns
    font = font_for(width)
    h, w = np.asarray(panels[0][1]).shape[:2]
    lines = max(wrap(t, panel, font).count("\n") + 1 for t, _ in panels)
    title_in = lines * font * 1.45 / 72
    top = (wrap(title, width, font).count("\n") + 1) * font * 1.8 / 72 if title else 0
    height = rows * (panel * h / w + title_in + 0.12) + top
    fig, axes = plt.subplots(rows, columns, figsize=(width, height), dpi=DPI, squeeze=False, layout="constrained")
    fig.get_layout_engine().set(w_pad=0.03, h_pad=0.06, wspace=0.02, hspace=0.02)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (label, picture) in zip(axes.ravel(), panels, strict=False):
        ax.imshow(np.clip(np.asarray(picture), 0, 255).astype(np.uint8))
        ax.set_title(wrap(label, panel, font), fontsize=font)
    if title:
        fig.suptitle(wrap(title, width, font), fontsize=font)
    return save(fig, path, sizes, name)


def plain_log_ticks(axis, low: float, high: float) -> None:
    """Log-axis tick labels as plain text (1e+06, 100, 0.1) instead of mathtext. For data from `low` to `high`
    spanning less than two decades the minor ticks at 2 and 5 times a power of ten are labelled too, and every
    minor tick for less than one decade."""
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    span = high / max(low, 1e-300)
    if span >= 100:
        axis.set_minor_formatter(NullFormatter())
        return

    def minor(v, _):
        mantissa = round(v / 10 ** math.floor(math.log10(v)), 6)
        return f"{v:g}" if span < 10 or mantissa in (2, 5) else ""

    axis.set_minor_formatter(FuncFormatter(minor))


def loss_plot(curves: list[tuple[str, list[float]]], path: Path, sizes: dict[str, float], name: str, title: str,
              xlabel: str, ylabel: str, width: float = 5.0) -> Path:
    """Losses per iteration on a log scale (one line per curve; a legend when there are several)."""
    font = font_for(width)
    fig, ax = plt.subplots(figsize=(width, width * 0.64), dpi=DPI)
    for label, losses in curves:
        ax.semilogy(np.arange(len(losses)), losses, label=label or None)
    values = [v for _, losses in curves for v in losses]
    plain_log_ticks(ax.yaxis, min(values), max(values))
    ax.set_xlabel(xlabel, fontsize=font)
    ax.set_ylabel(ylabel, fontsize=font)
    ax.set_title(wrap(title, width, font), fontsize=font)
    ax.tick_params(which="both", labelsize=font)
    ax.grid(True, which="both", alpha=0.3)
    if len(curves) > 1:
        ax.legend(fontsize=font)
    fig.tight_layout()
    return save(fig, path, sizes, name)


def kept_runs(data: Path, render_only: bool, run: Callable[[], tuple[dict, dict]]) -> tuple[dict, dict]:
    """The figure runs' results: run() -> ({name: array}, record) kept whole in `data` (.npz), or with render_only
    the ones kept there before; returns ({name: array}, record)."""
    if not render_only:
        arrays, record = run()
        with outputs.atomic_path(data) as tmp:
            np.savez_compressed(tmp, numbers=np.array(json.dumps(record)), **arrays)
        print(f"kept the runs' results in {data}")
    with np.load(data) as kept:
        arrays = {k: kept[k] for k in kept.files}
    return arrays, json.loads(str(arrays.pop("numbers")))
