"""Everything lessons/ and solutions/ import from the package, in one place, so that the exercises hold only the
algorithm: the result type, the progress loop, VGG19's layer names, Adam, the pixel mean and the YIQ colours."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from brushstrokes.base.i18n import Text, language
from brushstrokes.net.images import MEAN_BGR, RGB_TO_YIQ
from brushstrokes.net.layers import STYLE_LAYERS, relu_name
from brushstrokes.runs.adam import Adam

__all__ = ["Adam", "MEAN_BGR", "RGB_TO_YIQ", "Reconstruction", "STYLE_LAYERS", "progress", "relu_name"]

STOPPING = Text("Ctrl-C: finishing this iteration and keeping the result (press Ctrl-C again to stop at once, "
                "without a result)",
                "Ctrl-C：完成这一次迭代后停止，并保留结果（再按一次 Ctrl-C 会立即停止，不保留结果）")


class Reconstruction(NamedTuple):
    """What an optimisation loop returns.

    x: (1, 3, H, W) float32 final image in Caffe layout; losses: one float per iteration;
    snapshots: {iteration: (1, 3, H, W) image at the start of that iteration}.
    """

    x: np.ndarray
    losses: list[float]
    snapshots: dict[int, np.ndarray]


class _StopFlag:
    requested = False


def progress(iters: int, desc: str = "iterations") -> Iterator[int]:
    """range(iters) with a progress bar; the first Ctrl-C ends the loop early and keeps the result.

    A second Ctrl-C interrupts at once.
    """
    from tqdm import tqdm

    flag = _StopFlag()
    previous = None
    if threading.current_thread() is threading.main_thread():
        def stop(signum, frame):
            if flag.requested:
                raise KeyboardInterrupt
            flag.requested = True
            print("\n" + STOPPING(language()))

        previous = signal.signal(signal.SIGINT, stop)
    try:
        with tqdm(total=iters, desc=desc, unit="it", leave=False, disable=None) as bar:
            for i in range(iters):
                if flag.requested:
                    return
                yield i
                bar.update(1)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
