"""Images: every kind of file a learner might pass, and the Caffe layout round trip."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.net import images


def test_the_project_images_load():
    cat = images.load_image(paths.CAT)
    scream = images.load_image(paths.SCREAM)
    assert cat.shape == (300, 451, 3) and scream.shape == (448, 352, 3)
    assert cat.dtype == np.float32 and 0 <= cat.min() and cat.max() <= 255


def test_resize_keeps_the_aspect_ratio():
    assert images.load_image(paths.CAT, longest=128).shape == (85, 128, 3)
    assert images.load_image(paths.CAT, size=(40, 60)).shape == (40, 60, 3)


def test_caffe_layout_round_trip():
    cat = images.load_image(paths.CAT, longest=64)
    x = images.preprocess(cat)
    assert x.shape == (1, 3, 43, 64) and x.dtype == np.float32
    # channel 0 is blue minus its mean
    assert np.allclose(x[0, 0], cat[:, :, 2] - images.MEAN_BGR[0])
    assert np.array_equal(images.deprocess(x), np.rint(cat).astype(np.uint8))


def test_white_noise_is_seeded():
    a, b = images.white_noise((8, 9), seed=3), images.white_noise((8, 9), seed=3)
    assert a.shape == (1, 3, 8, 9) and np.array_equal(a, b)
    assert not np.array_equal(a, images.white_noise((8, 9), seed=4))


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "LA", "CMYK", "I;16", "I", "F", "1"])
def test_odd_modes_become_rgb(tmp_path, mode):
    rgb = Image.fromarray((np.arange(20 * 30 * 3) % 256).astype(np.uint8).reshape(20, 30, 3))
    img = rgb.convert(mode) if mode not in ("I;16", "I", "F") else rgb.convert("L").convert(mode)
    path = tmp_path / ("x.tif" if mode in ("I;16", "I", "F", "CMYK") else "x.png")
    img.save(path)
    out = images.load_image(path)
    assert out.shape == (20, 30, 3) and np.isfinite(out).all() and out.max() <= 255


def test_transparency_is_laid_on_white(tmp_path):
    path = tmp_path / "clear.png"
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(path)
    assert np.all(images.load_image(path) == 255)


@pytest.mark.parametrize("make,expected", [
    (lambda p: None, "not found"),
    (lambda p: p.write_text("just some text"), "cannot read"),
    (lambda p: p.write_bytes(paths.CAT.read_bytes()[:2000]), "cannot read"),
    (lambda p: p.mkdir(), "is a folder"),
])
def test_bad_files_give_a_clear_error(tmp_path, make, expected):
    path = tmp_path / "picture.png"
    make(path)
    with pytest.raises(BrushstrokesError, match=expected) as err:
        images.load_image(path)
    assert err.value.todo


def test_huge_image_is_refused_before_decoding(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    Image.new("RGB", (400, 300)).save(path)
    monkeypatch.setattr(images, "MAX_PIXELS", 100_000)  # 120,000 px: only a warning for PIL, an error here
    with pytest.raises(BrushstrokesError, match="too large"):
        images.load_image(path)


def test_working_size_out_of_range(tmp_path):
    with pytest.raises(BrushstrokesError, match="out of range"):
        images.load_image(paths.CAT, longest=100_000)
