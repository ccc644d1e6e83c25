"""Commands never lose work: arguments refused before any work, pictures replaced whole and together,
learner mistakes named in one line, NaN caught where it starts, clean ends on Ctrl-C, kill and closed pipes.

Every case gives one error with what to do, a non-zero exit, no traceback, no hang, and the previous
outputs byte for byte as they were. Runs are tiny (32 px, 1-3 iterations).
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support import digests, one_error

from brushstrokes.base import outputs, paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.outputs import OutputSet, prepare_folder, remove_leftovers
from brushstrokes.net import images
from brushstrokes.runs import validate

PICTURES = ("content_conv4_2.png", "content_conv4_2_loss.png", "content_conv4_2_frames.png")
SOLUTION = paths.ROOT / "solutions" / "lesson1_content.py"
RETURN = "    return Reconstruction(x, losses, snapshots)"


@pytest.fixture
def old_results(tmp_path) -> Path:
    """An output folder holding a previous run's three pictures (distinct, recognisable bytes)."""
    out = tmp_path / "out"
    out.mkdir()
    for i, name in enumerate(PICTURES):
        Image.new("RGB", (8, 8), (40 * i, 0, 0)).save(out / name)
    return out


# ---------------------------------------------------------------- the shared argument checks

@pytest.mark.parametrize("call,expected", [
    (lambda: validate.count(0, "--iters", example=200), "--iters 0: must be a whole number of at least 1"),
    (lambda: validate.count(-1, "--iters", example=200), "--iters -1:"),
    (lambda: validate.count(10**9, "--iters", most=100_000), "--iters 1000000000: more than 100000"),
    (lambda: validate.positive(float("nan"), "--lr", most=validate.MAX_LR), "--lr nan: not a finite number"),
    (lambda: validate.positive(float("inf"), "--lr", most=validate.MAX_LR), "--lr inf: not a finite number"),
    (lambda: validate.positive(1e9, "--lr", most=validate.MAX_LR), "--lr 1e+09: more than 255"),
    (lambda: validate.positive(-1.0, "--lr", most=validate.MAX_LR), "--lr -1: must be greater than 0"),
    (lambda: validate.positive(0.0, "--ratio"), "--ratio 0: must be greater than 0"),
    (lambda: validate.seed(-1), "--seed -1: a seed must be a whole number from 0 to 4294967295"),
    (lambda: validate.seed(2**32), "--seed 4294967296:"),
])
def test_bad_numbers_are_echoed_with_what_to_use(call, expected):
    with pytest.raises(BrushstrokesError) as err:
        call()
    assert expected in err.value.message
    assert err.value.todo.startswith("use ")


def test_good_numbers_pass_through():
    assert validate.count(1, "--iters") == 1 and validate.seed(2**32 - 1) == 2**32 - 1
    assert validate.positive(2, "--lr", most=validate.MAX_LR) == 2.0 and validate.positive(None, "--lr") is None
    assert validate.positive(0.0, "--weight", allow_zero=True) == 0.0


@pytest.mark.parametrize("size,expected,todo", [
    (0, "--size 0: the longest side must be a positive number of px", "use --size 64 or more"),
    (-5, "--size -5:", "use --size 64 or more"),
    (1, "--size 1 gives 1x1 px for data/chelsea.png: VGG19 needs at least 16 px on each side", "--size 64 or more"),
    (16, "--size 16 gives 16x11 px for data/chelsea.png: VGG19 needs at least 16 px on each side", "--size 64"),
    (5000, "--size 5000 gives 5000x3326 px for data/chelsea.png: more than the 2048 px", "use --size 2048 or less"),
])
def test_working_size_echoes_the_value_given(size, expected, todo, monkeypatch):
    monkeypatch.chdir(paths.ROOT)
    with pytest.raises(BrushstrokesError) as err:
        validate.working_size(paths.CAT, size)
    assert expected in err.value.message and todo in err.value.todo


def test_working_size_of_a_good_value_and_of_an_elongated_picture(tmp_path):
    assert validate.working_size(paths.CAT, 64) == (64, 43)  # (W, H)
    tall = tmp_path / "tall.png"
    Image.new("RGB", (100, 900)).save(tall)
    with pytest.raises(BrushstrokesError) as err:
        validate.working_size(tall, 64)
    least = validate.smallest_longest((100, 900))
    assert least is not None and min(images.fit_size((100, 900), least)) >= images.MIN_SIDE
    assert min(images.fit_size((100, 900), least - 1)) < images.MIN_SIDE
    assert f"use --size {least} or more" in err.value.todo


def test_a_picture_too_thin_for_any_size_says_so(tmp_path):
    thin = tmp_path / "thin.png"
    Image.new("RGB", (3, 900)).save(thin)
    with pytest.raises(BrushstrokesError) as err:
        validate.working_size(thin, 128)
    assert "3x900 px: too thin for VGG19 at any --size" in err.value.message
    assert "crop it" in err.value.todo


def test_messages_come_in_chinese_too(monkeypatch):
    monkeypatch.setenv("BRUSHSTROKES_LANG", "zh")
    with pytest.raises(BrushstrokesError) as err:
        validate.count(0, "--iters")
    assert "必须是不小于 1 的整数" in err.value.message and "例如" in err.value.todo


def test_out_folder_is_created_when_missing(tmp_path):
    out = validate.out_folder(tmp_path / "a" / "b", names=PICTURES)
    assert out.is_dir() and not list(out.iterdir())


@pytest.mark.parametrize("make,expected", [
    (lambda p: p.write_text("x"), "is a file, not a folder"),
    (lambda p: p.parent.joinpath("file").write_text("x"), "cannot be made"),
    (lambda p: (p.mkdir(), p.chmod(0o555)), "is read-only"),
    (lambda p: (p.mkdir(), p.joinpath(PICTURES[1]).write_text("x"), p.joinpath(PICTURES[1]).chmod(0o444)),
     "is read-only, and this run would replace it"),
    (lambda p: (p.mkdir(), p.joinpath(PICTURES[2]).mkdir()), "is a folder, where this run writes a file"),
])
def test_unwritable_out_is_refused(tmp_path, make, expected):
    out = tmp_path / "out"
    make(out)
    target = tmp_path / "file" / "sub" if expected == "cannot be made" else out
    try:
        with pytest.raises(BrushstrokesError, match=expected) as err:
            prepare_folder(target, names=PICTURES)
        assert "--out" in err.value.todo or "chmod" in err.value.todo
    finally:
        for p in (out, *out.glob("*")) if out.is_dir() else ():
            p.chmod(0o755)


# ---------------------------------------------------------------- pictures: whole, together, or not at all

def test_an_output_set_that_fails_midway_replaces_nothing(old_results):
    before = digests(old_results)
    with pytest.raises(BrushstrokesError) as err, OutputSet(old_results) as files:
        images.save_image(files.path(PICTURES[0]), np.zeros((4, 4, 3)))
        raise OSError(errno.ENOSPC, "No space left on device")
    assert "(No space left on device); nothing was replaced" in err.value.message
    assert "free some space" in err.value.todo
    assert digests(old_results) == before


def test_an_interrupted_output_set_replaces_nothing(old_results):
    before = digests(old_results)
    with pytest.raises(KeyboardInterrupt), OutputSet(old_results) as files:
        images.save_image(files.path(PICTURES[0]), np.zeros((4, 4, 3)))
        raise KeyboardInterrupt
    assert digests(old_results) == before


def test_a_failed_rename_says_exactly_which_files_were_replaced(old_results):
    with pytest.raises(BrushstrokesError) as err, OutputSet(old_results) as files:
        for name in PICTURES:
            images.save_image(files.path(name), np.zeros((4, 4, 3)))
        (old_results / PICTURES[1]).unlink()
        (old_results / PICTURES[1]).mkdir()  # appears after the checks: the second rename fails
        (old_results / PICTURES[1] / "x").write_text("x")
    assert f"already replaced: {old_results / PICTURES[0]};" in err.value.message
    assert PICTURES[2] not in err.value.message.split("already replaced:")[1]
    assert not list(old_results.glob(outputs.PARTIAL + "*"))


def test_ctrl_c_during_the_renames_waits_until_the_set_is_complete(old_results, monkeypatch):
    real_replace = os.replace

    def replace_then_ctrl_c(src, dst):
        real_replace(src, dst)
        if Path(dst).name == PICTURES[0]:
            signal.raise_signal(signal.SIGINT)  # pressed right after the first picture was renamed

    monkeypatch.setattr(outputs.os, "replace", replace_then_ctrl_c)
    monkeypatch.setattr(outputs, "WRITTEN", [])
    with pytest.raises(KeyboardInterrupt), OutputSet(old_results) as files:
        for name in PICTURES:
            images.save_image(files.path(name), np.zeros((4, 4, 3)))
    assert outputs.WRITTEN == [old_results / name for name in PICTURES]  # all three, then the interrupt
    new = digests(old_results)
    assert len(set(new.values())) == 1 and len(new) == 3


def test_a_picture_that_fails_to_save_leaves_the_old_one(tmp_path, monkeypatch):
    path = tmp_path / "result.png"
    images.save_image(path, np.full((4, 4, 3), 200))
    before = path.read_bytes()

    def half_written(self, fp, *args, **kwargs):
        Path(fp).write_bytes(b"\x89PNG\r\n" + b"\0" * 126)  # the 132-byte stub a full disk left
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", half_written)
    with pytest.raises(OSError):
        images.save_image(path, np.zeros((4, 4, 3)))
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["result.png"]


@pytest.mark.slow
def test_a_full_disk_while_content_saves_keeps_the_old_pictures(old_results, monkeypatch):
    from brushstrokes.runs import content

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(content.plotting, "plot_losses", full)  # the second of the three pictures
    before = digests(old_results)
    with pytest.raises(BrushstrokesError, match="nothing was replaced"):
        content.run_content(paths.CAT, longest=32, iters=2, out=old_results)
    assert digests(old_results) == before


def test_old_leftovers_are_removed_and_recent_ones_spared(tmp_path):
    old, recent = tmp_path / ".partial-a-1.png", tmp_path / ".partial-b-2.png"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    assert remove_leftovers(tmp_path, older_than=600) == 1
    assert not old.exists() and recent.exists()


# ---------------------------------------------------------------- `content`: arguments checked before any work

@pytest.mark.parametrize("args,expected", [
    (["--iters", "0"], "--iters 0: must be a whole number of at least 1"),
    (["--iters", "-1"], "--iters -1: must be a whole number"),
    (["--lr", "nan"], "--lr nan: not a finite number"),
    (["--lr", "inf"], "--lr inf: not a finite number"),
    (["--lr", "1e9"], "--lr 1e+09: more than 255"),
    (["--lr", "-1"], "--lr -1: must be greater than 0"),
    (["--seed", "-1"], "--seed -1: a seed must be a whole number"),
    (["--size", "0"], "--size 0: the longest side must be a positive number"),
    (["--size", "16"], "--size 16 gives 16x11 px for data/chelsea.png"),
    (["--layer", "conv9_9"], "--layer conv9_9: VGG19 has no such convolution"),
])
def test_bad_arguments_cost_nothing(cli, old_results, args, expected):
    before = digests(old_results)
    out = cli("content", "--out", str(old_results), *args, timeout=60)
    assert expected in one_error(out)
    assert "Finding the content" not in out.stdout
    assert digests(old_results) == before


@pytest.mark.parametrize("kind", ["file", "under a file", "read-only"])
def test_a_bad_out_is_refused_before_the_optimisation(cli, tmp_path, kind):
    target = {"file": tmp_path / "out", "under a file": tmp_path / "out" / "sub", "read-only": tmp_path / "ro"}[kind]
    if kind == "read-only":
        target.mkdir()
        target.chmod(0o555)
    else:
        (tmp_path / "out").write_text("not a folder")
    try:
        out = cli("content", "--out", str(target), "--iters", "300", "--size", "32", timeout=60)
    finally:
        if kind == "read-only":
            target.chmod(0o755)
    one_error(out)
    assert "Finding the content" not in out.stdout


def test_a_device_as_image_is_refused_without_reading_it(tmp_path, monkeypatch):
    """A device node is faked (os.stat says so for one temporary file): no test touches a real one."""
    fake = tmp_path / "cat.png"
    fake.write_bytes(b"")
    real_stat = os.stat

    def device_stat(target, *args, **kwargs):
        result = real_stat(target, *args, **kwargs)
        if isinstance(target, str | os.PathLike) and Path(target) == fake:
            return os.stat_result([stat.S_IFCHR | 0o666, *list(result)[1:]])
        return result

    monkeypatch.setattr(os, "stat", device_stat)
    with pytest.raises(BrushstrokesError, match="cat.png is a device, not an image file"):
        validate.image_file(fake)


def test_a_fifo_as_image_is_refused_without_waiting(cli, tmp_path):
    fifo = tmp_path / "cat.png"
    os.mkfifo(fifo)
    out = cli("content", "--image", str(fifo), "--out", str(tmp_path / "out"), timeout=30)
    assert "is a named pipe (FIFO), not an image file" in one_error(out)
    with pytest.raises(BrushstrokesError, match="FIFO"):
        images.load_image(fifo)


def test_the_decompression_bomb_message_quotes_one_limit(tmp_path, monkeypatch):
    path = tmp_path / "big.png"
    Image.new("RGB", (400, 300)).save(path)
    monkeypatch.setattr(images, "MAX_PIXELS", 100_000)
    with pytest.raises(BrushstrokesError) as err:
        images.load_image(path)
    text = f"{err.value.message} {err.value.todo}"
    assert "400x300 px (120,000 pixels)" in text
    numbers = {word.strip("(),") for word in text.split() if word.strip("(),").replace(",", "").isdigit()}
    assert numbers - {"120,000"} == {"100,000"}, numbers


# ---------------------------------------------------------------- `content --use lessons`: the learner's mistakes

def lesson_with(tmp_path: Path, old: str, new: str) -> Path:
    """A folder holding the reference lesson 1 with one edit (a learner's mistake)."""
    source = SOLUTION.read_text()
    assert old in source
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "lesson1_content.py").write_text(source.replace(old, new))
    return folder


MISTAKES = {
    "syntax error": ("def content_grad(F", "def content_grad(F,,", "cannot be imported at line"),
    "None returned": (RETURN, "    x = x", "reconstruct (exercise 1.4) returned None"),
    "wrong tuple order": (RETURN, "    return Reconstruction(losses, x, snapshots)", "in another order"),
    "wrong shape": (RETURN, "    return Reconstruction(x[0], losses, snapshots)", "not as an array of x0's shape"),
    "no losses": (RETURN, "    return Reconstruction(x, [], snapshots)", "returned no losses"),
    "deleted function": ("def reconstruct(", "def reconstruct_old(", "has no function reconstruct (exercise 1.4)"),
    "deleted helper": ("def content_loss(", "def content_loss_old(",
                       "in reconstruct (exercise 1.4): NameError: name 'content_loss' is not defined"),
    "not started": ("    return 0.5 * float(np.sum((F.astype(np.float64) - P) ** 2))",
                    '    raise NotImplementedError("Exercise 1.1")',
                    "content_loss (exercise 1.1) still raises NotImplementedError"),
    "NaN from a step": ("max(float(np.mean(np.abs(grad))), 1e-12)", "0.0",
                        "normalized_step returned NaN or inf from finite inputs (exercise 1.3)"),
    "NaN from the loop": ('        x = normalized_step(x, net.blobs["data"].diff.copy(), lr)',
                          '        x = normalized_step(x, net.blobs["data"].diff.copy(), lr) * np.float32(np.inf)',
                          "look at reconstruct (exercise 1.4)"),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_a_learners_mistake_is_one_line_naming_the_exercise(cli, tmp_path, old_results, mistake):
    old, new, expected = MISTAKES[mistake]
    folder = lesson_with(tmp_path, old, new)
    before = digests(old_results)
    out = cli("content", "--lessons-dir", str(folder), "--size", "32", "--iters", "3", "--out", str(old_results))
    error = one_error(out)
    assert expected in error
    assert "git checkout" not in error  # never advice that would throw the learner's work away
    if mistake not in ("syntax error", "deleted function"):
        number = expected.split("(exercise ")[1][:3] if "(exercise " in expected else "1.4"
        assert f"brushstrokes check {number}" in error
    assert digests(old_results) == before


def test_nan_passed_on_is_not_blamed_on_the_function_that_received_it():
    from brushstrokes.learner.guards import check_finite

    def normalized_step(x, grad, lr):  # a learner's step that divides by a mean that can be 0
        with np.errstate(divide="ignore", invalid="ignore"):
            return x - lr * grad / np.mean(np.abs(grad))

    step = check_finite(normalized_step, "lessons.lesson1_content", "normalized_step")
    ones, nan = np.ones(3, np.float32), np.full(3, np.nan, np.float32)
    assert np.isnan(step(ones, nan, 2.0)).all()  # given NaN: passes it on, the cause is elsewhere
    assert np.isinf(step(ones, ones, np.inf)).all()  # given an infinite step size: the same
    with pytest.raises(BrushstrokesError, match="normalized_step returned NaN or inf from finite inputs"):
        step(ones, np.zeros(3, np.float32), 2.0)  # finite inputs, NaN out: this function is the cause


@pytest.mark.slow
def test_a_run_ending_in_nan_with_the_reference_code_says_so(tmp_path, old_results, monkeypatch):
    from brushstrokes.runs import content, pipeline

    def diverging(net, P, x0, **kwargs):
        return x0.copy(), [1.0, float("nan")], {0: x0.copy()}

    monkeypatch.setattr(pipeline.Lessons, "loop_function", lambda lessons: diverging)  # the reference loop
    before = digests(old_results)
    with pytest.raises(BrushstrokesError) as err:
        content.run_content(paths.CAT, longest=32, iters=2, out=old_results)
    assert "the run ended with a NaN or inf loss at iteration 1" in err.value.message
    assert "--lr" in err.value.todo and "doctor" in err.value.todo
    assert "exercise" not in err.value.message  # the reference code: no learner function is blamed
    assert digests(old_results) == before


# ---------------------------------------------------------------- Ctrl-C, kill, closed pipe

# each command's long run: its arguments, the line printed before its loop starts, the pictures it writes
LONG_RUNS = {
    "content": (["content", "--size", "32"], "Finding the content", PICTURES),
    "style": (["style", "--size", "32"], "Synthesising the texture",
              ("style_scream.png", "style_scream_loss.png", "style_scream_frames.png")),
    "paint": (["paint", "data/chelsea.png", "data/scream.jpg", "--size", "32", "--optimizer", "adam"], "Painting",
              ("chelsea_scream.png", "chelsea_scream_loss.png", "chelsea_scream_frames.png")),
}


def old_set(folder: Path, command: str) -> Path:
    """`folder` holding a previous run's pictures of `command` (distinct, recognisable bytes)."""
    folder.mkdir(exist_ok=True)
    for i, name in enumerate(LONG_RUNS[command][2]):
        Image.new("RGB", (8, 8), (40 * i, 0, 0)).save(folder / name)
    return folder


def start_long_run(spawn_cli, out: Path, command: str = "content", *extra: str):
    """`command` (with `extra` options) into `out` for 100000 iterations at 32 px, 1.5 s into its loop: a
    conftest.CliProcess started with the spawn_cli fixture."""
    args, started, _ = LONG_RUNS[command]
    proc = spawn_cli(*args, *extra, "--iters", "100000", "--out", str(out))
    proc.wait_for(started)
    time.sleep(1.5)
    return proc


# the first Ctrl-C of each command's loop (paint's L-BFGS stops through SciPy's callback): its command, options,
# the words it prints after its long run's first line (in this order), the shape of its picture
FIRST_CTRL_C = {
    "content": ("content", (), ("keeping the result",), (21, 32, 3)),
    "style": ("style", (), ("E_l of the starting noise", "keeping the result"), (32, 25, 3)),
    "paint adam": ("paint", (), ("stopped early by Ctrl-C",), (21, 32, 3)),
    "paint lbfgs": ("paint", ("--optimizer", "lbfgs"), ("stopped early by Ctrl-C",), (21, 32, 3)),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(FIRST_CTRL_C))
def test_a_first_ctrl_c_keeps_the_result_so_far(spawn_cli, tmp_path, case):
    """The first Ctrl-C ends the loop after its iteration: the result so far replaces the old set whole, exit 0."""
    command, extra, said, shape = FIRST_CTRL_C[case]
    out, names = old_set(tmp_path / "out", command), LONG_RUNS[command][2]
    before = digests(out)
    proc = start_long_run(spawn_cli, out, command, *extra)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "Traceback" not in stderr, stderr
    where = [stdout.find(words) for words in said]
    assert -1 not in where and where == sorted(where), stdout
    after = digests(out)
    assert sorted(after) == sorted(before) and all(after[name] != before[name] for name in names)
    assert np.asarray(Image.open(out / names[0])).shape == shape
    assert not list(out.glob(outputs.PARTIAL + "*"))


@pytest.mark.slow
@pytest.mark.parametrize("command", list(LONG_RUNS))
def test_a_second_ctrl_c_leaves_a_whole_set_and_says_which(spawn_cli, tmp_path, command):
    """The second Ctrl-C lands in the loop, the saving or the renames: the set is old or new, never mixed."""
    out, names = old_set(tmp_path / "out", command), LONG_RUNS[command][2]
    before = digests(out)
    proc = start_long_run(spawn_cli, out, command)
    proc.send_signal(signal.SIGINT)
    proc.wait_for("Ctrl-C")  # the first one was seen: the loop is finishing
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert "Traceback" not in stderr
    after = digests(out)
    if after == before:
        assert proc.returncode == 130 and "interrupted: nothing was overwritten" in stderr, stderr
    else:  # the renames had begun: they were finished first, and the message lists them
        assert sorted(after) == sorted(before) and all(after[name] != before[name] for name in names)
        assert proc.returncode == 0 or all(name in stderr.split("interrupted after writing")[1] for name in names)
    assert not list(out.glob(outputs.PARTIAL + "*"))


@pytest.mark.slow
@pytest.mark.parametrize("command", list(LONG_RUNS))
def test_a_kill_leaves_the_old_pictures_and_no_temporary_files(spawn_cli, tmp_path, command):
    out = old_set(tmp_path / "out", command)
    before = digests(out)
    proc = start_long_run(spawn_cli, out, command)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "Traceback" not in stderr
    assert digests(out) == before


@pytest.mark.slow
def test_a_closed_pipe_ends_quietly():
    proc = subprocess.Popen([sys.executable, "-m", "brushstrokes", "doctor"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=paths.ROOT)
    assert proc.stdout is not None
    proc.stdout.close()  # like `brushstrokes doctor | head -0`
    try:
        _, stderr = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert b"BrokenPipeError" not in stderr and b"Traceback" not in stderr
    assert proc.returncode == 141


# ---------------------------------------------------------------- another Python

def other_python_without_pil() -> str | None:
    """A python3 on PATH, not the project's, that has pytest but not PIL (the case to test), or None."""
    for name in ("python3.11", "python3", "python3.12", "python3.13"):
        found = shutil.which(name, path=os.environ.get("PATH", "").replace(str(paths.ROOT / ".venv" / "bin"), ""))
        if not found:
            continue
        probe = subprocess.run([found, "-c", "import pytest\ntry:\n import PIL\nexcept ImportError:\n print('ok')"],
                               capture_output=True, text=True, timeout=60)
        if probe.stdout.strip() == "ok":
            return found
    return None


@pytest.mark.slow
def test_pytest_with_another_python_says_to_use_the_venv():
    python = other_python_without_pil()
    if python is None:
        pytest.skip("no other Python with pytest and without PIL on PATH")
    out = subprocess.run([python, "-m", "pytest", "checks/", "-q"], capture_output=True, text=True, timeout=120,
                         cwd=paths.ROOT, env={**os.environ, "BRUSHSTROKES_LANG": "en"})
    assert out.returncode == 4
    assert "cannot import" in out.stderr and ".venv/bin/python -m pytest checks/" in out.stderr
    assert "Traceback" not in out.stderr + out.stdout and len(out.stderr.strip().splitlines()) == 1


def test_pytest_in_a_venv_missing_a_module_says_to_run_setup(cli, tmp_path):
    fake = tmp_path / "PIL"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError(\"No module named 'PIL'\")\n")
    out = cli("checks/", "-q", program="pytest", timeout=120, env={"PYTHONPATH": str(tmp_path)})
    assert out.returncode == 4 and "Traceback" not in out.stderr
    assert "cannot import PIL" in out.stderr and "make setup" in out.stderr


@pytest.mark.slow
def test_doctor_with_another_python_says_to_use_the_venv():
    python = other_python_without_pil()
    if python is None:
        pytest.skip("no other Python without PIL on PATH")
    out = subprocess.run([python, "-m", "brushstrokes", "doctor"], capture_output=True, text=True, timeout=120,
                         cwd=paths.ROOT, env={**os.environ, "BRUSHSTROKES_LANG": "en"})
    assert out.returncode == 1 and "Traceback" not in out.stderr + out.stdout
    python_line = next(line for line in out.stdout.splitlines() if "] python" in line)
    assert "[FAIL]" in python_line and ".venv/bin/brushstrokes doctor" in python_line
    assert "[FAIL] caffe" not in out.stdout  # not a second problem: the same one, seen from the wrong Python


def test_doctor_report_outside_the_venv_skips_what_it_cannot_check(monkeypatch):
    from brushstrokes.commands import doctor_report as doctor

    monkeypatch.setattr(doctor, "project_python", lambda: False)

    def needs_numpy():
        raise ModuleNotFoundError("No module named 'numpy'", name="numpy")

    monkeypatch.setattr(doctor, "CHECKS", (("python", doctor.check_python), ("weights", needs_numpy)))
    lines, problems = doctor.report()
    assert problems == 1
    assert "[FAIL] python" in lines[1] and ".venv/bin/brushstrokes doctor" in lines[1]
    assert lines[2].split()[:3] == ["[--", "]", "weights"] and "not checked" in lines[2]
