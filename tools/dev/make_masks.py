"""The region masks in data/ that lesson 4 (spatial control) uses: which part of a picture is which.

Usage: .venv/bin/python tools/dev/make_masks.py [--overlays DIR]
    writes data/chelsea_mask.png and data/starry_night_mask.png (8-bit grey, mode L, the picture's size:
    255 inside the region, 0 elsewhere); with --overlays, also DIR/<name>_overlay.png, the picture with the mask's
    outline in red, to look at after changing an outline.

How each mask is made, every step deterministic (the same files come out again with the same scikit-image):
  the cat: a hand-drawn outline (CAT_OUTLINE, px) picks scikit-image's SLIC superpixels of the photo: a superpixel
      at least half inside the outline is cat, so the edge follows the fur's edges instead of the straight lines;
      then the hand corrections (CAT_ADD, CAT_REMOVE: polygons where the superpixels went wrong), then the cleanup:
      holes filled, only the largest connected part kept.
  the Starry Night's sky: a hand-drawn polygon alone (SKY_OUTLINE; superpixels merged the cypress' thin tip into the
      sky and pulled the hills' ridge up into the sky's bright band), then the same cleanup.
Outlines are (x, y) points in the picture's own pixels, x to the right and y down from the top-left corner.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage
from skimage.draw import polygon2mask
from skimage.segmentation import find_boundaries, slic

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"

Polygon = tuple[tuple[float, float], ...]

# Chelsea (451 x 300 px): the head fills the frame; the blurred wall is top-left and right of the head.
CAT_OUTLINE: Polygon = (
    (38, -1), (400, -1), (380, 25), (370, 45), (357, 65), (360, 100), (356, 130), (352, 150), (348, 175),
    (340, 200), (338, 225), (340, 250), (345, 275), (348, 300), (-1, 300), (-1, 130), (12, 120), (22, 100),
    (28, 75), (30, 50), (33, 25),
)
CAT_ADD: tuple[Polygon, ...] = (
    ((340, 95), (358, 95), (360, 125), (345, 125)),  # the cheek beside the right eye's outer corner
    ((352, 150), (348, 175), (342, 200), (340, 225), (343, 250), (347, 275), (350, 300), (325, 300),
     (325, 150)),  # the white fur under the right cheek, as bright as the wall behind it
)
CAT_REMOVE: tuple[Polygon, ...] = ()
CAT_SUPERPIXELS = 300  # about 21 x 21 px each

# The Starry Night (752 x 600 px): the sky, whose swirls go to the cat; the rest is the hills, the village and the
# cypress, which reaches up into the sky (the outline goes round it).
SKY_OUTLINE: Polygon = (
    (-1, -1), (753, -1), (753, 300), (740, 300), (700, 297), (675, 303), (650, 318), (600, 348), (550, 358),
    (500, 365), (450, 372), (400, 378), (350, 395), (300, 410), (272, 418),   # the hills' ridge, right to left
    (262, 410), (245, 390), (233, 370), (225, 345), (210, 335), (192, 320),   # up the cypress' right side
    (188, 280), (180, 250), (174, 220), (170, 190), (166, 160), (162, 130),
    (160, 100), (158, 70), (152, 48),                                         # its tip
    (147, 60), (145, 100), (145, 190), (138, 205), (130, 195), (122, 200),    # down its left side
    (120, 250), (121, 330), (118, 410), (110, 425),
    (50, 430), (-1, 425),                                                     # the hills left of it
)

SLIC_COMPACTNESS = 10.0  # SLIC's balance of colour (Lab units) and place: higher gives squarer superpixels
HALF = 0.5  # a superpixel is inside when at least this fraction of it lies inside the outline


@dataclass(frozen=True)
class Mask:
    """One mask: the picture it belongs to, the file it goes to, and how it is drawn."""

    picture: str
    mask: str
    outline: Polygon
    add: tuple[Polygon, ...] = ()
    remove: tuple[Polygon, ...] = ()
    superpixels: int = 0  # how many SLIC superpixels snap the outline to the picture's edges; 0: none


MASKS = (
    Mask("chelsea.png", "chelsea_mask.png", CAT_OUTLINE, CAT_ADD, CAT_REMOVE, superpixels=CAT_SUPERPIXELS),
    Mask("starry_night.jpg", "starry_night_mask.png", SKY_OUTLINE),
)


def polygon_mask(shape: tuple[int, int], polygon: Polygon) -> np.ndarray:
    """(H, W) bool: True inside `polygon` ((x, y) points, px)."""
    return polygon2mask(shape, np.array([(y, x) for x, y in polygon], dtype=float))


def snap_to_superpixels(picture: np.ndarray, rough: np.ndarray, count: int) -> np.ndarray:
    """(H, W) bool: of about `count` SLIC superpixels of `picture` ((H, W, 3) uint8), those at least HALF inside
    `rough`."""
    labels = slic(picture, n_segments=count, compactness=SLIC_COMPACTNESS, start_label=0)
    inside = ndimage.mean(rough.astype(float), labels, index=np.arange(labels.max() + 1))
    return np.asarray(inside)[labels] >= HALF


def clean(region: np.ndarray) -> np.ndarray:
    """(H, W) bool: `region` with its holes filled, only its largest connected part kept."""
    filled = ndimage.binary_fill_holes(region)
    parts, count = ndimage.label(filled)
    if count <= 1:
        return filled
    sizes = ndimage.sum(filled, parts, index=np.arange(1, count + 1))
    return parts == 1 + int(np.argmax(sizes))


def draw(spec: Mask, picture: np.ndarray) -> np.ndarray:
    """(H, W) uint8 mask of `picture` ((H, W, 3) uint8): 255 in the region, 0 elsewhere."""
    shape = picture.shape[:2]
    region = polygon_mask(shape, spec.outline)
    if spec.superpixels:
        region = snap_to_superpixels(picture, region, spec.superpixels)
    for polygon in spec.add:
        region |= polygon_mask(shape, polygon)
    for polygon in spec.remove:
        region &= ~polygon_mask(shape, polygon)
    return np.where(clean(region), 255, 0).astype(np.uint8)


def overlay(picture: np.ndarray, mask: np.ndarray) -> Image.Image:
    """The picture with the mask's outline in red and the outside darkened, to check a mask by eye."""
    shown = picture.astype(float)
    shown[mask == 0] *= 0.6
    shown[find_boundaries(mask > 0, mode="thick")] = (255, 0, 0)
    return Image.fromarray(shown.astype(np.uint8))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--overlays", type=Path, help="also write <name>_overlay.png here, to look at")
    args = parser.parse_args(argv)
    for spec in MASKS:
        picture = np.asarray(Image.open(DATA / spec.picture).convert("RGB"))
        mask = draw(spec, picture)
        Image.fromarray(mask, mode="L").save(DATA / spec.mask, optimize=True)
        print(f"data/{spec.mask}: {mask.shape[1]} x {mask.shape[0]} px, {np.mean(mask > 0):.0%} inside")
        if args.overlays:
            args.overlays.mkdir(parents=True, exist_ok=True)
            overlay(picture, mask).save(args.overlays / f"{Path(spec.mask).stem}_overlay.png")


if __name__ == "__main__":
    main()
