"""The pictures in data/: each is credited and opens; each mask fits its picture and is what its script draws."""

from __future__ import annotations

import importlib.util
import re
import sys

import numpy as np
import pytest
from PIL import Image

from brushstrokes.base import paths
from brushstrokes.net import images

PICTURES = sorted(p for p in paths.DATA.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
MASKS = [p for p in PICTURES if p.stem.endswith("_mask")]
CREDITED = set(re.findall(r"^\| `([^`]+)` \|", (paths.DATA / "CREDITS.md").read_text(encoding="utf-8"), re.M))


def picture_of(mask_path):
    """The picture a mask belongs to: data/<name>_mask.png is a mask of data/<name>.<png or jpg>."""
    name = mask_path.stem.removesuffix("_mask")
    found = [p for p in PICTURES if p.stem == name]
    assert len(found) == 1, f"{mask_path.name}: expected one picture named {name}.*, found {found}"
    return found[0]


def load_mask_script():
    """tools/dev/make_masks.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("make_masks", paths.ROOT / "tools" / "dev" / "make_masks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_data_holds_the_lessons_pictures_and_masks():
    names = {p.name for p in PICTURES}
    assert {"chelsea.png", "scream.jpg", "starry_night.jpg", "chelsea_mask.png"} <= names
    assert len(MASKS) >= 2  # the cat's, and at least one painting's regions


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.name)
def test_every_picture_is_credited(path):
    assert path.name in CREDITED, f"data/{path.name} has no row in data/CREDITS.md"


def test_every_credit_names_a_file_that_is_there():
    assert CREDITED <= {p.name for p in PICTURES}


@pytest.mark.parametrize("path", PICTURES, ids=lambda p: p.name)
def test_every_picture_opens(path):
    picture = images.load_image(path)
    assert picture.ndim == 3 and picture.shape[2] == 3 and min(picture.shape[:2]) >= images.MIN_SIDE
    assert max(picture.shape[:2]) <= 800  # small enough to ship; lessons work at 128-512 px


@pytest.mark.parametrize("path", MASKS, ids=lambda p: p.name)
def test_every_mask_fits_its_picture(path):
    mask = Image.open(path)
    assert mask.mode == "L"
    assert mask.size == Image.open(picture_of(path)).size
    values = np.asarray(mask)
    assert set(np.unique(values)) <= {0, 255}
    assert (values == 255).any() and (values == 0).any()  # both regions non-empty


@pytest.mark.parametrize("path", MASKS, ids=lambda p: p.name)
def test_every_mask_is_what_its_script_draws(path):
    script = load_mask_script()
    specs = {spec.mask: spec for spec in script.MASKS}
    assert path.name in specs, f"tools/dev/make_masks.py does not make data/{path.name}"
    spec = specs[path.name]
    picture = np.asarray(Image.open(paths.DATA / spec.picture).convert("RGB"))
    assert np.array_equal(script.draw(spec, picture), np.asarray(Image.open(path)))
