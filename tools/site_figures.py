"""Figures of the tutorial site that need no network run: the lessons' inputs side by side.

Usage: .venv/bin/python tools/site_figures.py    (writes docs/assets/figures/site/inputs.png)

The pictures the lessons compute (docs/assets/figures/lesson*/) are made by the figure tools, not here.
"""

from __future__ import annotations

import sys

from PIL import Image

from brushstrokes.images import deprocess, white_noise
from brushstrokes.paths import CAT, ROOT, SCREAM

OUT = ROOT / "docs" / "assets" / "figures" / "site"
HEIGHT, GAP = 240, 12


def row(pictures: list[Image.Image]) -> Image.Image:
    """The pictures scaled to one height, left to right on white with a small gap."""
    scaled = [p.resize((round(p.width * HEIGHT / p.height), HEIGHT), Image.LANCZOS) for p in pictures]
    canvas = Image.new("RGB", (sum(p.width for p in scaled) + GAP * (len(scaled) - 1), HEIGHT), "white")
    x = 0
    for p in scaled:
        canvas.paste(p, (x, 0))
        x += p.width + GAP
    return canvas


def main() -> int:
    cat = Image.open(CAT).convert("RGB")
    scream = Image.open(SCREAM).convert("RGB")
    noise = deprocess(white_noise((cat.height, cat.height), seed=0))  # where lesson 1 starts
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "inputs.png"
    row([Image.fromarray(noise), cat, scream]).save(path, optimize=True)
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
