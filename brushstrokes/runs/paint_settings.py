"""`brushstrokes paint`'s settings and defaults, light enough to build the command line without numpy or PIL."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from brushstrokes.base import paths

DEFAULT_SIZE = 128  # longest side in px: `make demo` paints at this size within 3 minutes on 2 CPU cores
DEFAULT_RATIO = 3e-6  # alpha / beta on the normalised net at DEFAULT_SIZE (lesson 3's page shows the sweep)
DEFAULT_ITERS = 100  # the picture changes little after that at DEFAULT_SIZE (lesson 3's loss curve)
# beta when only the ratio is given. Only alpha/beta shapes the picture, but L-BFGS-B stops when every entry of the
# projected gradient is below 1e-5 (an absolute tolerance): with beta = 1 the normalised net's losses are so small
# that a run at 128 px stops after a few iterations (lesson 3's page: the beta_1 run of tools/site/figures/lesson3.py);
# beta = 1000 lets it run.
DEFAULT_STYLE_WEIGHT = 1e3

@dataclass
class PaintSettings:
    """Everything `brushstrokes paint` can be told; the defaults are the command's."""

    content: Path = paths.CAT
    styles: list[Path] = field(default_factory=lambda: [paths.SCREAM])
    out: Path = paths.OUTPUT
    size: int = DEFAULT_SIZE
    ratio: float = DEFAULT_RATIO  # alpha / beta, with beta = 1 unless both weights are given
    content_weight: float | None = None
    style_weight: float | None = None
    content_layer: str = "conv4_2"
    style_layers: tuple[str, ...] = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
    style_layer_weights: tuple[float, ...] | None = None  # default: 1/len(style_layers) each
    weights: str = "normalised"
    pooling: str = "avg"
    init: str = "noise"
    optimizer: str = "lbfgs"
    iters: int = DEFAULT_ITERS
    lr: float | None = None  # adam / gd step size in grey levels (default per optimiser)
    seed: int = 0
    tv_weight: float = 0.0
    original_colors: bool = False
    style_blend_weights: tuple[float, ...] | None = None
    style_fit: str = "keep"  # keep the painting's aspect ratio, or squash it onto the photo's (the paper)
    style_scale: float = 1.0
    device: str = "auto"
    save_every: int = 0  # 0: frames at five evenly spaced iterations, no separate files
    use: str = "solutions"
    lessons_dir: Path | None = None  # --lessons-dir: the lesson files of another folder (implies lessons)
    # lesson 4's controls
    colour: str = "keep"  # keep the transfer's colours, paint the luminance only, or match the painting's colours
    scales: tuple[int, ...] = ()  # longest sides of a coarse-to-fine run, the last one `size` (empty: one scale)
    scale_iters: tuple[int, ...] = ()  # iterations at each scale (empty: `iters` at each)
    content_mask: Path | None = None  # white: painted like styles[0], black: like styles[1]
    style_masks: tuple[Path, ...] = ()  # where each painting's texture is taken from (empty: all of it)

    @property
    def alpha_beta(self) -> tuple[float, float]:
        """(alpha, beta): both weights when given; else one of them and the ratio; else (ratio * 1000, 1000)."""
        if self.content_weight is not None and self.style_weight is not None:
            return self.content_weight, self.style_weight
        if self.content_weight is not None:
            return self.content_weight, self.content_weight / self.ratio
        beta = self.style_weight if self.style_weight is not None else DEFAULT_STYLE_WEIGHT
        return self.ratio * beta, beta

    @property
    def schedule(self) -> list[tuple[int, int]]:
        """[(longest side px, iterations)] of each scale, coarse to fine; one scale (size, iters) without --scales."""
        if not self.scales:
            return [(self.size, self.iters)]
        return list(zip(self.scales, self.scale_iters or (self.iters,) * len(self.scales), strict=True))

    @property
    def total_iters(self) -> int:
        """The iterations of every scale together."""
        return sum(iters for _, iters in self.schedule)

    @property
    def controls(self) -> tuple[str, ...]:
        """The options of lesson 4 this run is given (course.Exercise.option): which exercises it calls."""
        given = (("--colour", self.colour != "keep"), ("--scales", bool(self.scales)),
                 ("--content-mask", self.content_mask is not None))
        return tuple(option for option, used in given if used)

    @property
    def layer_weights(self) -> dict[str, float]:
        """{style layer: w_l}, w_l = 1/L each unless given."""
        given = self.style_layer_weights or (1.0 / len(self.style_layers),) * len(self.style_layers)
        return dict(zip(self.style_layers, given, strict=True))
