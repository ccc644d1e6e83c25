"""Figures: loss curves and strips of frames, written as PNG files (no screen needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from brushstrokes.images import deprocess  # noqa: E402
from brushstrokes.outputs import atomic_path  # noqa: E402


def plot_losses(losses: list[float], path: str | Path, title: str = "loss", ylabel: str = "loss") -> Path:
    """A log-scale loss-per-iteration plot saved to `path`."""
    path = Path(path)
    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=120)
    ax.semilogy(np.arange(len(losses)), losses)
    ax.set(xlabel="iteration", ylabel=ylabel, title=title)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:  # whole or not at all
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path


def progress_frames(snapshots: dict[int, np.ndarray], final: np.ndarray, n_iters: int, photo: np.ndarray,
                    keep: tuple[int, ...] | None = None) -> dict[str, np.ndarray]:
    """Titled images for plot_frames: the snapshots (those in `keep`, default all), the result, the photo."""
    frames = {f"iteration {i}": s for i, s in sorted(snapshots.items()) if keep is None or i in keep}
    frames[f"result ({n_iters} it)"] = final
    frames["the photo"] = photo
    return frames


def plot_frames(frames: dict[str, np.ndarray], path: str | Path, columns: int | None = None) -> Path:
    """A row (or grid) of Caffe-layout images (1, 3, H, W) titled by their keys, saved to `path`."""
    path = Path(path)
    n = len(frames)
    columns = columns or n
    rows = (n + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.0 * rows), dpi=120, squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (title, x) in zip(axes.ravel(), frames.items(), strict=False):
        ax.imshow(deprocess(x))
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:  # whole or not at all
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path
