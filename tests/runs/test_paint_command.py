"""`brushstrokes paint`: every option once at a tiny size, one-line errors for bad files and a missing GPU, and
sizes that would not fit in memory are shrunk. (Bad arguments: test_reliability_paint.py; Ctrl-C:
test_reliability.py.)"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from brushstrokes.base import paths
from brushstrokes.runs.paint import BYTES_PER_PIXEL, PaintSettings, working_size
from brushstrokes.runs.paint_targets import style_size

CAT, SCREAM = str(paths.CAT), str(paths.SCREAM)


@pytest.fixture
def paint(cli) -> Callable[..., subprocess.CompletedProcess]:
    """`paint(*args)`: `brushstrokes paint args`, run to its end."""
    return lambda *args: cli("paint", *args)


def picture(path: Path) -> np.ndarray:
    with Image.open(path) as img:
        return np.asarray(img.convert("RGB"))


def test_lbfgs_with_every_shaping_option(paint, tmp_path):
    out = paint(CAT, SCREAM, "-o", str(tmp_path), "--size", "40", "--iters", "2", "--ratio", "1e-3",
                "--content-layer", "conv3_2", "--style-layers", "conv1_1,conv2_1", "--style-layer-weights", "0.3,0.7",
                "--weights", "raw", "--pooling", "max", "--init", "content", "--seed", "1", "--tv-weight", "1e-4",
                "--original-colors", "--device", "cpu", "--save-every", "1", "--style-fit", "squash",
                "--style-scale", "0.8", "--optimizer", "lbfgs", "--use", "solutions")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "raw VGG19 with max pooling" in out.stdout and "alpha/beta = 0.001" in out.stdout
    names = sorted(p.name for p in tmp_path.iterdir())
    assert {"chelsea_scream.png", "chelsea_scream_loss.png", "chelsea_scream_frames.png",
            "chelsea_scream_0000.png", "chelsea_scream_0001.png"} <= set(names), names
    assert not [n for n in names if n.startswith(".partial-")]
    result = picture(tmp_path / "chelsea_scream.png")
    assert result.shape == (27, 40, 3)
    start = picture(tmp_path / "chelsea_scream_0000.png")  # --init content: the cat itself
    cat = np.asarray(Image.open(CAT).convert("RGB").resize((40, 27), Image.LANCZOS))
    assert np.abs(start.astype(int) - cat).mean() < 2


def test_adam_two_paintings_blended(paint, tmp_path):
    out = paint(CAT, SCREAM, CAT, "-o", str(tmp_path), "--size", "32", "--iters", "2", "--optimizer", "adam",
                "--lr", "1", "--init", "style", "--content-weight", "1", "--style-weight", "100",
                "--style-blend-weights", "1,3")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "alpha/beta = 0.01" in out.stdout and "adam" in out.stdout
    assert (tmp_path / "chelsea_scream_chelsea.png").is_file()


def test_gd_from_noise(paint, tmp_path):
    out = paint(CAT, SCREAM, "-o", str(tmp_path), "--size", "32", "--iters", "2", "--optimizer", "gd")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "2 iterations" in out.stdout
    assert picture(tmp_path / "chelsea_scream.png").shape == (21, 32, 3)


def test_use_lessons_on_the_stubs_says_what_to_do(paint, tmp_path):
    out = paint(CAT, SCREAM, "-o", str(tmp_path), "--size", "32", "--iters", "1", "--use", "lessons")
    assert out.returncode == 2
    assert "still raises NotImplementedError" in out.stderr and "Traceback" not in out.stderr
    assert "check it with `brushstrokes check " in out.stderr
    assert list(tmp_path.iterdir()) == []


def test_bad_files_are_one_line_errors(paint, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a picture")
    blocker = tmp_path / "file"
    blocker.write_text("")
    for args, says in (([str(tmp_path / "missing.png"), SCREAM], "not found"),
                       ([CAT, str(notes)], "cannot read"),
                       ([CAT, SCREAM, SCREAM, "--style-blend-weights", "1,-1"], "--style-blend-weights"),
                       ([CAT, SCREAM, "-o", str(blocker)], "is a file")):
        out = paint(*args, *([] if "-o" in args else ["-o", str(tmp_path / "out")]))
        errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
        assert out.returncode == 2 and len(errors) == 1 and says in errors[0], out.stderr
        assert "Traceback" not in out.stderr


def test_sizes_that_would_not_fit_are_shrunk(capsys):
    w, h = working_size((4000, 3000), 2048, memory=8_000_000_000)
    assert w * h * BYTES_PER_PIXEL <= 4_000_000_000 and w / h == pytest.approx(4 / 3, rel=0.02)
    assert "instead" in capsys.readouterr().out
    assert working_size((451, 300), 192, memory=8_000_000_000) == (192, 128)


def test_style_fit_and_weights():
    assert style_size((352, 448), (192, 128), "squash", 1.0) == (192, 128)
    assert style_size((352, 448), (192, 128), "keep", 1.0) == (151, 192)
    assert style_size((352, 448), (192, 128), "keep", 0.5) == (75, 96)
    assert PaintSettings(ratio=1e-3).alpha_beta == (1.0, 1000.0)
    assert PaintSettings(content_weight=5.0, style_weight=100.0).alpha_beta == (5.0, 100.0)
    assert PaintSettings(style_layers=("conv1_1", "conv2_1")).layer_weights == {"conv1_1": 0.5, "conv2_1": 0.5}


def test_gpu_asked_for_without_one_is_one_line_error(paint, tmp_path):
    from brushstrokes.net.caffe_env import gpu_status

    if gpu_status()[0]:
        pytest.skip("this machine has a usable GPU")
    out = paint(CAT, SCREAM, "-o", str(tmp_path / "out"), "--device", "gpu")
    errors = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert out.returncode == 2 and len(errors) == 1 and "--device gpu" in errors[0], out.stderr
    assert "--device cpu" in out.stderr and not (tmp_path / "out").exists()


def test_style_target_does_not_depend_on_the_paintings_size(vgg):
    """The same texture given at twice the size (The Scream mirrored into 2 x 2 tiles: the same statistics over four
    times the positions) gives the cat about the same style loss once paint scales the targets to the picture's
    positions; the Gram matrices as they come (summed over the painting's positions) would change it many times."""
    from brushstrokes.net import images
    from brushstrokes.net.layers import STYLE_LAYERS, set_input_shape
    from brushstrokes.net.vgg import features
    from brushstrokes.runs.paint_targets import painting_grams
    from brushstrokes.runs.style_targets import layer_positions
    from solutions import lesson2_style as l2

    h, w = 64, 96
    set_input_shape(vgg, h, w)
    F = features(vgg, images.preprocess(images.load_image(paths.CAT, size=(h, w))), STYLE_LAYERS)
    M = layer_positions(vgg, STYLE_LAYERS)
    weights = dict.fromkeys(STYLE_LAYERS, 1 / len(STYLE_LAYERS))
    texture = images.preprocess(images.load_image(paths.SCREAM, size=(h, w)))
    tiles = np.concatenate([texture, texture[:, :, :, ::-1]], axis=3)
    tiles = np.concatenate([tiles, tiles[:, :, ::-1, :]], axis=2)

    def loss(painting: np.ndarray, positions: dict[str, int]) -> float:
        return float(l2.style_loss(F, painting_grams(vgg, painting, STYLE_LAYERS, positions, l2.gram), weights)[0])

    at_size = loss(texture, M)
    assert abs(loss(tiles, M) / at_size - 1) < 0.2, (loss(tiles, M), at_size)
    own = {k: f.shape[1] * f.shape[2] for k, f in features(vgg, tiles, STYLE_LAYERS).items()}
    assert loss(tiles, own) / at_size > 3, "without the scaling the target is four times too large at every layer"
