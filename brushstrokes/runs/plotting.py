"""Figures: loss curves and strips of frames, written as PNG files (no screen needed)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402

from brushstrokes.base.outputs import atomic_path  # noqa: E402
from brushstrokes.net.images import deprocess  # noqa: E402

ZH_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")  # Latin and Chinese; Debian's fonts-wqy-microhei
FRAME_NAMES = {"en": ("iteration {i}", "result ({n} it)", "the photo"),
               "zh": ("第 {i} 次迭代", "结果（{n} 次迭代）", "原照片")}


def localised(name: str, lang: str) -> str:
    """The file name of a figure in `lang`: loss.png in English, loss.zh.png in Chinese (mkdocs-static-i18n)."""
    path = Path(name)
    return name if lang == "en" else f"{path.stem}.{lang}{path.suffix}"


@contextlib.contextmanager
def figure_language(lang: str) -> Iterator[None]:
    """Figures drawn in the block can show `lang`: for "zh", Chinese glyphs come from WenQuanYi Micro Hei."""
    if lang == "en":
        yield
        return
    if not ZH_FONT.exists():
        raise FileNotFoundError(f"{ZH_FONT} is missing: apt-get install fonts-wqy-microhei (make setup does)")
    font_manager.fontManager.addfont(str(ZH_FONT))
    name = font_manager.FontProperties(fname=str(ZH_FONT)).get_name()
    with plt.rc_context({"font.family": ["DejaVu Sans", name]}):  # Latin as in English, Chinese falls back
        yield


def plot_losses(losses: list[float], path: str | Path, title: str = "loss", ylabel: str = "loss",
                xlabel: str = "iteration") -> Path:
    """A log-scale loss-per-iteration plot saved to `path`."""
    path = Path(path)
    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=120)
    ax.semilogy(np.arange(len(losses)), losses)
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    try:
        with atomic_path(path) as tmp:  # whole or not at all
            fig.savefig(tmp)
    finally:
        plt.close(fig)
    return path


def progress_frames(snapshots: dict[int, np.ndarray], final: np.ndarray, n_iters: int, photo: np.ndarray,
                    keep: tuple[int, ...] | None = None, lang: str = "en") -> dict[str, np.ndarray]:
    """Titled images for plot_frames: the snapshots (those in `keep`, default all), the result, the photo."""
    iteration, result, the_photo = FRAME_NAMES[lang]
    frames = {iteration.format(i=i): s for i, s in sorted(snapshots.items()) if keep is None or i in keep}
    frames[result.format(n=n_iters)] = final
    frames[the_photo] = photo
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
