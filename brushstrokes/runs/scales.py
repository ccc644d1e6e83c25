"""`paint --scales`: a coarse-to-fine run (lesson 4, exercises 4.3 and 4.4), one scale after another.

The lesson's coarse_to_fine(paint_at, shapes, x0) calls paint_at((H, W), x) at each scale, x the previous result
upsampled; this module says which sizes the scales have, keeps what each scale did (ScaleRun) and joins the scales
into one run (x at the last scale, the losses one after another, the snapshots at the last scale's size).
After the first Ctrl-C the scales left return their start at once, so the run keeps the picture of the scale it
was at, upsampled to the final size by coarse_to_fine itself. Sizes: (W, H) px; images: (1, 3, H, W) float32.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from brushstrokes.base.i18n import Text
from brushstrokes.net import images

SCALE = Text("scale {i}/{n}: {w}x{h} px, up to {iters} iterations",
             "尺度 {i}/{n}：{w}x{h} 像素，最多 {iters} 次迭代")
SCALE_DONE = Text("  {w}x{h} px: {n} iterations in {seconds:.0f} s; loss {first:.4g} -> {last:.4g}",
                  "  {w}x{h} 像素：{n} 次迭代，用时 {seconds:.0f} 秒；损失 {first:.4g} -> {last:.4g}")
SCALE_SKIPPED = Text("  {w}x{h} px: not painted (Ctrl-C); the picture so far upsampled",
                     "  {w}x{h} 像素：未画（Ctrl-C）；目前的图片被放大")


class Scaled(NamedTuple):
    """What paint_at returns (the fields of lesson_support.Reconstruction): x (1, 3, H, W) at that scale, its
    losses (losses[k] after k iterations; empty for a scale skipped after Ctrl-C) and snapshots {k: image}."""

    x: np.ndarray
    losses: list[float]
    snapshots: dict[int, np.ndarray]


@dataclass
class ScaleRun:
    """What one scale did: its size (W, H), its losses (empty: skipped) and the seconds it took."""

    size: tuple[int, int]
    losses: list[float]
    seconds: float

    @property
    def iterations(self) -> int:
        return max(0, len(self.losses) - 1)


def sizes(final: tuple[int, int], longest: list[int] | tuple[int, ...]) -> list[tuple[int, int]]:
    """(W, H) of each scale: the final size (W, H) brought to each longest side, the last one `final` itself."""
    return [images.fit_size(final, side) for side in longest[:-1]] + [tuple(final)]


def shapes(scale_sizes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(H, W) of each (W, H): what coarse_to_fine takes."""
    return [(h, w) for w, h in scale_sizes]


def joined(runs: list[ScaleRun], x: np.ndarray, snapshots: dict[int, np.ndarray],
           upsample: Any) -> tuple[np.ndarray, list[float], dict[int, np.ndarray]]:
    """One run from its scales: x (the last scale's), the losses of each painted scale one after another (each
    scale's start loss counted once, as iteration 0 or as the previous scale's last iteration), and the
    snapshots {global iteration: image} brought to x's size by `upsample(image, (H, W))`."""
    losses: list[float] = []
    for run in runs:
        if run.losses:
            losses += run.losses if not losses else run.losses[1:]
    shape = x.shape[2:]
    sized = {k: snap if snap.shape[2:] == shape else upsample(snap, shape) for k, snap in sorted(snapshots.items())}
    return x, losses, sized


def summary(runs: list[ScaleRun], lang: str) -> list[str]:
    """One line per scale: its size, iterations, seconds and losses (or that Ctrl-C skipped it)."""
    lines = []
    for run in runs:
        w, h = run.size
        if run.losses:
            lines.append(SCALE_DONE(lang, w=w, h=h, n=run.iterations, seconds=run.seconds, first=run.losses[0],
                                    last=run.losses[-1]))
        else:
            lines.append(SCALE_SKIPPED(lang, w=w, h=h))
    return lines
