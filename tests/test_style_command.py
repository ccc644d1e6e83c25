"""`brushstrokes style` (lesson 2) at a tiny size: pictures written, arguments refused before any work."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from PIL import Image

from brushstrokes.base import paths

CLI = [sys.executable, "-m", "brushstrokes", "style"]
NAMES = ("style_scream.png", "style_scream_loss.png", "style_scream_frames.png")


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "BRUSHSTROKES_LANG": "en"}
    return subprocess.run([*CLI, *args], capture_output=True, text=True, env=env, timeout=timeout, cwd=paths.ROOT)


def test_writes_texture_loss_and_frames(tmp_path):
    out = run("--size", "48", "--iters", "3", "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    for name in NAMES:
        assert (tmp_path / name).stat().st_size > 0
    texture = np.asarray(Image.open(tmp_path / NAMES[0]))
    assert texture.shape == (48, 38, 3)  # The Scream is 352x448: 38x48 px at --size 48
    assert "3 iterations" in out.stdout
    assert "E_l of the starting noise" in out.stdout and "conv5_1" in out.stdout


def test_raw_weights_and_chosen_layers_have_their_own_files(tmp_path):
    out = run("--size", "40", "--iters", "1", "--weights", "raw", "--layers", "conv2_1,conv1_1", "--out",
              str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "style_scream_raw_conv1_1+conv2_1.png").exists()
    assert "raw VGG19" in out.stdout and "layers conv1_1,conv2_1," in out.stdout


@pytest.mark.parametrize(("args", "says"), [
    (("--layers", "conv1_1,fc7"), "VGG19 has no convolution fc7"),
    (("--layers", "conv1_1,conv1_1"), "conv1_1 is given twice"),
    (("--weights", "imagenet"), "--weights imagenet: must be normalised or raw"),
    (("--iters", "0"), "--iters 0"),
    (("--lr", "-1"), "--lr -1"),
    (("--size", "8"), "--size 8"),
])
def test_bad_arguments_refused_before_any_work(tmp_path, args, says):
    target = tmp_path / "out"
    out = run(*args, "--out", str(target), timeout=60)
    assert out.returncode == 2, out.stdout + out.stderr
    assert says in out.stderr and "what to do" in out.stderr
    assert not target.exists() or not any(target.iterdir())


def test_old_pictures_kept_when_the_lesson_is_not_finished(tmp_path):
    for name in NAMES:
        (tmp_path / name).write_bytes(b"old")
    out = run("--use", "lessons", "--size", "32", "--iters", "1", "--out", str(tmp_path))
    if out.returncode == 0:
        pytest.skip("lessons/lesson2_style.py is already finished in this checkout")
    assert out.returncode == 2
    assert "still raises NotImplementedError" in out.stderr and "brushstrokes check 2." in out.stderr
    assert all((tmp_path / name).read_bytes() == b"old" for name in NAMES)


def test_ctrl_c_keeps_the_texture_so_far(tmp_path):
    proc = subprocess.Popen([*CLI, "--size", "48", "--iters", "100000", "--out", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=paths.ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1", "BRUSHSTROKES_LANG": "en"})
    assert proc.stdout is not None
    assert "Synthesising the texture" in proc.stdout.readline()
    assert "E_l of the starting noise" in proc.stdout.readline()  # the loop starts after this line
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert "keeping the result" in stdout
    assert all((tmp_path / name).stat().st_size > 0 for name in NAMES)
