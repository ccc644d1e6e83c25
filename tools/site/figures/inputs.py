"""Figures of the tutorial site that need no network run: the lessons' inputs side by side, labelled.

Usage: .venv/bin/python tools/site/figures/inputs.py
    writes docs/assets/figures/site/inputs.png (English labels) and inputs.zh.png (Chinese labels), together and
    whole (brushstrokes.base.outputs.OutputSet: an interrupted run leaves the old pair); the Chinese
    pages get the .zh.png automatically (mkdocs-static-i18n's suffix structure), with the same Markdown link.
    The labels' size goes into docs/assets/figures/labels.json; it keeps them at least 9 px high on a phone, where
    the picture is shrunk to the column's 350 px.

The pictures the lessons compute (docs/assets/figures/lesson*/) are made by the figure tools, not here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from brushstrokes.base.outputs import OutputSet
from brushstrokes.base.paths import CAT, ROOT, SCREAM
from brushstrokes.learner.loader import display
from brushstrokes.net.images import deprocess, white_noise

sys.path.insert(0, str(Path(__file__).resolve().parent))  # tools/site/figures: the helpers the figure scripts share
from figure_common import MIN_ON_SCREEN, on_screen, record_labels  # noqa: E402

OUT = ROOT / "docs" / "assets" / "figures" / "site"
HEIGHT, GAP, LABEL = 200, 12, 62          # px: picture height, gap between pictures, label strip under them
FONT_PX = 22                              # px: the labels' font size (about 11 px on a phone's 350 px column)
FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")   # Latin and Chinese; Debian's fonts-wqy-microhei
LABELS = {   # two lines under each picture: its role, then what it is
    "en": ("start\nwhite noise, seed 0", "content\nChelsea the cat", "style\nThe Scream, Munch"),
    "zh": ("起点\n白噪声，种子 0", "内容\n猫咪 Chelsea", "风格\n蒙克《呐喊》"),
}


def labelled_row(pictures: list[Image.Image], labels: tuple[str, ...]) -> Image.Image:
    """The pictures scaled to one height, left to right on white, each with its label centred under it."""
    scaled = [p.resize((round(p.width * HEIGHT / p.height), HEIGHT), Image.LANCZOS) for p in pictures]
    width = sum(p.width for p in scaled) + GAP * (len(scaled) - 1)
    canvas = Image.new("RGB", (width, HEIGHT + LABEL), "white")
    draw = ImageDraw.Draw(canvas)
    font = ImageFont.truetype(str(FONT), FONT_PX)
    x = 0
    for picture, label in zip(scaled, labels, strict=True):
        canvas.paste(picture, (x, 0))
        draw.multiline_text((x + picture.width / 2, HEIGHT + LABEL / 2), label, fill=(40, 40, 40), font=font,
                            anchor="mm", align="center", spacing=3)
        x += picture.width + GAP
    return canvas


def main() -> int:
    if not FONT.exists():
        print(f"{FONT} is missing: install it with `apt-get install fonts-wqy-microhei` (`make setup` does), "
              "then run this again.", file=sys.stderr)
        return 2
    cat = Image.open(CAT).convert("RGB")
    scream = Image.open(SCREAM).convert("RGB")
    noise = Image.fromarray(deprocess(white_noise((cat.height, cat.height), seed=0)))  # where lesson 1 starts
    sizes = {}
    with OutputSet(OUT) as files:  # both pictures replace the old ones together, or neither does
        for lang, labels in LABELS.items():
            name = "inputs.png" if lang == "en" else f"inputs.{lang}.png"
            row = labelled_row([noise, cat, scream], labels)
            if on_screen(FONT_PX, row.width) < MIN_ON_SCREEN:
                raise ValueError(f"{name}: {FONT_PX} px labels in a {row.width} px picture are "
                                 f"{on_screen(FONT_PX, row.width):.1f} px on a phone")
            row.save(files.path(name), format="PNG", optimize=True)
            sizes[name] = FONT_PX
    record_labels(OUT, sizes)
    print("wrote " + ", ".join(display(path) for path in files.written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
