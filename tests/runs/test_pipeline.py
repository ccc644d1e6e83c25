"""What the run pipeline (brushstrokes/runs/pipeline.py) owns for content, style and paint: one Ctrl-C handler, the
NaN message (the learner's loop or the step size), pictures replaced whole, each input decoded once, and the
weights' md5 read once per process."""

from __future__ import annotations

import errno
import hashlib
import os
import signal
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import set_language


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# ---------------------------------------------------------------- one Ctrl-C handler

def test_first_ctrl_c_asks_to_stop_and_a_second_aborts(capsys):
    from brushstrokes.runs.stop import KEEP_PICTURE, StopRequest

    before = signal.getsignal(signal.SIGINT)
    with StopRequest(KEEP_PICTURE) as stop:
        signal.raise_signal(signal.SIGINT)
        assert stop.requested and "keeping the picture as it is now" in capsys.readouterr().out
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is before


def test_the_lessons_progress_loop_joins_the_runs_handler(capsys):
    from brushstrokes.lesson_support import progress
    from brushstrokes.runs.stop import KEEP_RESULT, StopRequest, held

    with StopRequest(KEEP_RESULT) as stop:
        handler = signal.getsignal(signal.SIGINT)
        steps = []
        for i in progress(10):
            assert held() is stop and signal.getsignal(signal.SIGINT) == handler  # no second handler
            steps.append(i)
            if i == 2:
                signal.raise_signal(signal.SIGINT)
        assert steps == [0, 1, 2] and stop.requested
    assert "keeping the result" in capsys.readouterr().out


def test_progress_alone_holds_its_own_handler_and_puts_the_old_one_back():
    from brushstrokes.lesson_support import progress
    from brushstrokes.runs.stop import held

    before = signal.getsignal(signal.SIGINT)
    steps = progress(3)
    next(steps)
    assert held() is not None and signal.getsignal(signal.SIGINT) != before
    assert list(steps) == [1, 2]
    assert held() is None and signal.getsignal(signal.SIGINT) is before


# ---------------------------------------------------------------- NaN: the learner's loop or the step size

@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nan_message_names_the_loop_only_for_the_learners_code(lang):
    from brushstrokes.learner.result_checks import not_finite

    set_language(lang)
    try:
        loop = ("synthesize", "2.6", paths.ROOT / "lessons" / "lesson2_style.py")
        learner = not_finite([1.0, float("nan")], "output", "--lr", 5, loop)
        reference = not_finite([1.0, float("nan")], "output", "--lr", 5, None)
        assert "synthesize" in learner.message and "2.6" in learner.message
        assert "2.6" not in reference.message and "--lr" in reference.todo and "5" in reference.todo
        named = not_finite([1.0, 2.0], "output", "--lr", 2, ("reconstruct", "1.4", Path("lessons/x.py")),
                           calls=("content_loss", "content_grad", "normalized_step"))
        if lang == "en":
            assert "NaN or inf in the image at iteration 1, though content_loss, content_grad and normalized_step" \
                in named.message
        else:
            assert "content_loss、content_grad 和 normalized_step" in named.message
    finally:
        set_language(None)


def test_a_reference_run_ending_in_nan_keeps_the_old_pictures(tmp_path, monkeypatch):
    from brushstrokes.runs import pipeline
    from brushstrokes.runs.content import picture_names, run_content

    def diverging(net, P, x0, **kwargs):
        return x0.copy(), [1.0, float("nan")], {0: x0.copy()}

    monkeypatch.setattr(pipeline.Lessons, "loop_function", lambda self: diverging)  # the reference reconstruct
    out = tmp_path / "out"
    out.mkdir()
    for name in picture_names("conv4_2"):
        (out / name).write_bytes(b"old " + name.encode())
    before = digests(out)
    with pytest.raises(BrushstrokesError) as err:
        run_content(paths.CAT, longest=32, iters=2, out=out)
    assert "the run ended with a NaN or inf loss at iteration 1" in err.value.message
    assert "exercise" not in err.value.message and "--lr" in err.value.todo
    assert digests(out) == before


# ---------------------------------------------------------------- pictures replaced whole

def test_a_failure_while_writing_replaces_nothing(tmp_path, monkeypatch):
    from brushstrokes.net.layers import STYLE_LAYERS
    from brushstrokes.runs import plotting
    from brushstrokes.runs.style import output_names, run_style

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(plotting, "plot_frames", full)  # the last of the three pictures
    out = tmp_path / "out"
    out.mkdir()
    for name in output_names(paths.SCREAM, STYLE_LAYERS, "normalised"):
        (out / name).write_bytes(b"old")
    before = digests(out)
    with pytest.raises(BrushstrokesError, match="nothing was replaced"):
        run_style(paths.SCREAM, longest=32, iters=1, out=out)
    assert digests(out) == before


# ---------------------------------------------------------------- each picture decoded once, the md5 read once

def test_paint_decodes_each_picture_once_and_reads_each_header_once(tmp_path, monkeypatch):
    from brushstrokes.net import images
    from brushstrokes.runs.paint import paint_files
    from brushstrokes.runs.paint_settings import PaintSettings

    decoded, headers = Counter(), Counter()
    open_image, image_size = images.open_image, images.image_size

    def counted_open(path):
        decoded[Path(path).name] += 1
        return open_image(path)

    def counted_size(path):
        headers[Path(path).name] += 1
        return image_size(path)

    monkeypatch.setattr(images, "open_image", counted_open)
    monkeypatch.setattr(images, "image_size", counted_size)
    paint_files(PaintSettings(content=paths.CAT, styles=[paths.SCREAM], out=tmp_path, size=32, iters=1))
    assert decoded == {paths.CAT.name: 1, paths.SCREAM.name: 1}
    assert headers == {paths.CAT.name: 1, paths.SCREAM.name: 1}


def test_the_weights_md5_is_read_once_per_version_of_the_file(tmp_path, monkeypatch):
    from brushstrokes.net import weights

    model = tmp_path / "model.caffemodel"
    model.write_bytes(os.urandom(4096))
    weights.sidecar_path(model).write_text(weights.md5sum(model) + "\n")
    (tmp_path / "model.caffemodel.layers-ok").write_text(weights.md5sum(model) + "\n")
    monkeypatch.setattr(weights, "ours", lambda path: True)
    reads = []
    md5sum = weights.md5sum
    monkeypatch.setattr(weights, "md5sum", lambda path: reads.append(path) or md5sum(path))
    monkeypatch.setattr(weights, "_DIGESTS", {})
    first = weights.check_caffemodel(model)
    assert weights.check_caffemodel(model) == first and len(reads) == 1
    data = bytearray(model.read_bytes())
    data[0] ^= 0xFF
    model.write_bytes(bytes(data))  # another version: read again, and found corrupt
    with pytest.raises(BrushstrokesError, match="corrupt"):
        weights.check_caffemodel(model)
    assert len(reads) == 2


def test_picture_arrays_match_load_image():
    from brushstrokes.net import images
    from brushstrokes.runs.inputs import decode

    picture = decode(paths.CAT)
    assert picture.size == images.image_size(paths.CAT)
    assert np.array_equal(picture.array((64, 43)), images.load_image(paths.CAT, size=(43, 64)))
    assert np.array_equal(picture.array(), images.load_image(paths.CAT))
