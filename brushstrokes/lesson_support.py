"""Everything lessons/ and solutions/ import from the package, in one place, so that the exercises hold only the
algorithm: the result type, the progress loop, VGG19's layer names, Adam, the pixel mean and the YIQ colours."""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from brushstrokes.net.images import MEAN_BGR, RGB_TO_YIQ
from brushstrokes.net.layers import STYLE_LAYERS, relu_name
from brushstrokes.runs.adam import Adam
from brushstrokes.runs.stop import KEEP_RESULT, joined

__all__ = ["Adam", "MEAN_BGR", "RGB_TO_YIQ", "Reconstruction", "STYLE_LAYERS", "progress", "relu_name"]


class Reconstruction(NamedTuple):
    """What an optimisation loop returns.

    x: (1, 3, H, W) float32 final image in Caffe layout; losses: one float per iteration;
    snapshots: {iteration: (1, 3, H, W) image at the start of that iteration}.
    """

    x: np.ndarray
    losses: list[float]
    snapshots: dict[int, np.ndarray]


def progress(iters: int, desc: str = "iterations") -> Iterator[int]:
    """range(iters) with a progress bar; the first Ctrl-C ends the loop early (after at least one iteration) and
    keeps the result, a second interrupts at once (brushstrokes.runs.stop: the run's handler, or its own)."""
    from tqdm import tqdm

    with joined(KEEP_RESULT) as stop, tqdm(total=iters, desc=desc, unit="it", leave=False, disable=None) as bar:
        for i in range(iters):
            if i and stop.requested:
                return
            yield i
            bar.update(1)
