"""Every number checked the same way, the learner's code blamed where it failed, and no learner's run that hangs
or ends the program: each case one line, a non-zero exit, the old pictures untouched.

Runs are tiny (32 px, 1-2 iterations). The time limits are tested with a minimum of a few seconds instead of 30
(brushstrokes.learner.guards.MIN_SECONDS, patched in this process); the rule itself is tested on its own.
"""

from __future__ import annotations

import argparse
import signal
import time
from pathlib import Path

import pytest
from PIL import Image
from support import digests, one_error

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.learner import guards

CONTENT_PICTURES = ("content_conv4_2.png", "content_conv4_2_loss.png", "content_conv4_2_frames.png")
PAINT_PICTURES = ("chelsea_scream.png", "chelsea_scream_loss.png", "chelsea_scream_frames.png")
STYLE_PICTURES = ("style_scream.png", "style_scream_loss.png", "style_scream_frames.png")


def old_pictures(folder: Path, names: tuple[str, ...]) -> Path:
    folder.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        Image.new("RGB", (8, 8), (0, 0, 30 * i)).save(folder / name)
    return folder


def lessons(tmp_path: Path, *edits: tuple[str, str, str]) -> Path:
    """A folder of finished lessons 1-3 that import each other from that folder (as the learner's do), with
    edits (module, old, new): the learner's mistakes."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    for name in ("lesson1_content", "lesson2_style", "lesson3_paint"):
        source = (paths.ROOT / "solutions" / f"{name}.py").read_text().replace("from solutions.", "from lessons.")
        for module, old, new in edits:
            if module == name:
                assert old in source, old
                source = source.replace(old, new)
        (folder / f"{name}.py").write_text(source)
    return folder


# ---------------------------------------------------------------- every numeric option, one validation

def numeric_options() -> list[tuple[str, str, argparse.Action]]:
    """(command, option, action) for every option of every command that takes a number."""
    from brushstrokes import cli as command_line

    parser = command_line.parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = []
    for name, command in sub.choices.items():
        for action in command._actions:
            if action.type in (int, float):
                found.append((name, action.option_strings[-1], action))
    return found


POSITIONALS = {"paint": ["data/chelsea.png", "data/scream.jpg"], "reset": ["1.1"]}
BAD = {int: ["-1", "nan", "inf", "1000000000000"], float: ["-1", "nan", "inf", "1e300"]}


def test_the_numeric_options_are_the_ones_expected():
    found = {(command, option) for command, option, _ in numeric_options()}
    assert {("fetch-model", "--timeout"), ("check", "--check-timeout"), ("content", "--iters"),
            ("style", "--lr"), ("paint", "--style-scale"), ("paint", "--save-every")} <= found
    assert len(found) >= 20


@pytest.mark.parametrize("command,option,value", [
    (command, option, value) for command, option, action in numeric_options() for value in BAD[action.type]])
def test_every_numeric_option_refuses_a_bad_number_in_one_line(command, option, value, monkeypatch, capsys):
    """-1, nan, inf and a huge value, for every numeric option of every command: refused before the command
    starts (its run function is never called)."""
    import importlib

    from brushstrokes.cli import main

    started = []
    module = importlib.import_module(f"brushstrokes.commands.{command.replace('-', '_')}")
    monkeypatch.setattr(module, "run", lambda args: started.append(args) or 0)
    monkeypatch.setenv("BRUSHSTROKES_LANG", "en")
    try:
        status = main([command, *POSITIONALS.get(command, []), f"{option}={value}"])
    except SystemExit as exc:  # argparse's own refusal of a value its type cannot read ("nan" for an int)
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2 and not started, err
    assert err.count("error: ") == 1 and "what to do: " in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 2, err


@pytest.mark.parametrize("args,expected", [
    (["fetch-model", "--timeout", "-5"], "--timeout -5: must be greater than 0"),
    (["fetch-model", "--timeout", "nan"], "--timeout nan: not a finite number"),
    (["check", "--check-timeout", "-1"], "--check-timeout -1: must be 0 or more"),
    (["check", "--check-timeout", "nan"], "--check-timeout nan: not a finite number"),
    (["content", "--iters", "1000000000000"], "--iters 1000000000000: more than 1000000"),
])
def test_the_numbers_the_issue_named(cli, tmp_path, args, expected):
    elsewhere = {"BRUSHSTROKES_CACHE": str(tmp_path / "cache"), "BRUSHSTROKES_STATE_DIR": str(tmp_path / "state")}
    assert expected in one_error(cli(*args, timeout=120, env=elsewhere))
    assert not list(tmp_path.iterdir())  # refused before anything was made


def test_a_good_number_still_passes():
    from brushstrokes import cli as command_line

    args = command_line.parser().parse_args(["check", "--check-timeout", "0"])
    assert args.check_timeout == 0.0
    args = command_line.parser().parse_args(["fetch-model", "--timeout", "2.5"])
    assert args.timeout == 2.5


# ---------------------------------------------------------------- pytest checks/ refuses what `check` refuses

@pytest.mark.parametrize("options,expected", [
    (["--lessons-dir", "{tmp}/missing"], "missing is not a folder"),
    (["--check-timeout", "-1"], "--check-timeout -1: must be 0 or more"),
    (["--check-timeout", "nan"], "--check-timeout nan: not a finite number"),
])
def test_pytest_checks_refuses_a_missing_lessons_dir_and_a_bad_timeout(cli, tmp_path, options, expected):
    options = [o.replace("{tmp}", str(tmp_path)) for o in options]
    out = cli("checks/", "-q", "-p", "no:cacheprovider", *options, program="pytest", timeout=120,
              env={"BRUSHSTROKES_STATE_DIR": str(tmp_path / "state")})
    assert out.returncode not in (0, 1), out.stdout
    assert expected in out.stderr and "what to do: " in out.stderr and "skipped" not in out.stdout
    assert not (tmp_path / "state").exists()


# ---------------------------------------------------------------- paint names the learner's function that failed

STUB_2_3 = ("lesson2_style", "    N, M = F.shape[0], F[0].size\n    flat = F.reshape(N, M).astype(np.float64)",
            '    raise NotImplementedError("Exercise 2.3")')
STUB_1_2 = ("lesson1_content", "    return ((F - P) * (F > 0)).astype(np.float32)",
            '    raise NotImplementedError("Exercise 1.2")')
FLAT_2_3 = ("lesson2_style", "    return (grad.reshape(F.shape) * (F > 0)).astype(np.float32)",
            "    return (grad * (F.reshape(N, M) > 0)).astype(np.float32)")


@pytest.mark.parametrize("mistake,expected", [
    (STUB_2_3, "lesson2_style.py is not finished: style_layer_grad (exercise 2.3) still raises NotImplementedError"),
    (STUB_1_2, "lesson1_content.py is not finished: content_grad (exercise 1.2) still raises NotImplementedError"),
    (FLAT_2_3, "in backward_sweep (exercise 2.5): ValueError: could not broadcast"),
])
def test_paint_blames_the_lesson_whose_function_failed(cli, tmp_path, mistake, expected):
    out = old_pictures(tmp_path / "out", PAINT_PICTURES)
    before = digests(out)
    folder = lessons(tmp_path, mistake)
    error = one_error(cli("paint", "data/chelsea.png", "data/scream.jpg", "--size", "32", "--iters", "2",
                          "-o", str(out), "--lessons-dir", str(folder)))
    assert expected in error and "lesson3_paint.py" not in error
    assert f"{folder / mistake[0]}.py" in error
    assert f"brushstrokes check {expected.split('(exercise ')[1][:3]}" in error
    assert digests(out) == before


def test_the_innermost_learner_frame_is_named_whichever_file_is_listed_first(tmp_path):
    from brushstrokes.learner.result_checks import innermost_frame

    first, second = tmp_path / "a.py", tmp_path / "b.py"
    first.write_text("def outer(g):\n    return g()\n")
    second.write_text("def inner():\n    raise ValueError('here')\n")
    scope: dict = {}
    exec(compile(first.read_text(), str(first), "exec"), scope)
    exec(compile(second.read_text(), str(second), "exec"), scope)
    try:
        scope["outer"](scope["inner"])
    except ValueError as exc:
        for order in ((first, second), (second, first)):
            assert innermost_frame(exc.__traceback__, order) == (second, "inner", 2)


# ---------------------------------------------------------------- a learner's function that never ends

@pytest.fixture
def quick_limits(monkeypatch):
    """Time limits of a few seconds, so that a hang costs the test little."""
    monkeypatch.setattr(guards, "MIN_SECONDS", 3.0, raising=False)


HANG_1_2 = ("lesson1_content", "    return ((F - P) * (F > 0)).astype(np.float32)",
            "    while True:\n        F = F + 0")
HANG_1_4 = ("lesson1_content", "        losses.append(content_loss(F, P))",
            "        losses.append(content_loss(F, P))\n        while losses:\n            content_loss(F, P)")


@pytest.mark.slow
@pytest.mark.parametrize("mistake,expected", [
    (HANG_1_2, "in content_grad (exercise 1.2): stopped after"),
    (HANG_1_4, "in reconstruct (exercise 1.4): stopped after"),
])
def test_content_stops_a_learners_function_that_never_ends(tmp_path, quick_limits, mistake, expected):
    from brushstrokes.runs.content import run_content

    out = old_pictures(tmp_path / "out", CONTENT_PICTURES)
    before = digests(out)
    start = time.monotonic()
    with pytest.raises(BrushstrokesError) as err:
        run_content(paths.CAT, longest=32, iters=1, out=out, lessons_dir=lessons(tmp_path, mistake))
    assert time.monotonic() - start < 120
    assert expected in err.value.message and "far longer than the reference solution needs" in err.value.message
    assert err.value.message.startswith(f"{tmp_path / 'lessons' / 'lesson1_content.py'} line ")
    assert "loop that never ends" in err.value.todo and "untouched" in err.value.todo
    assert digests(out) == before


@pytest.mark.slow
def test_paint_stops_a_learners_function_that_never_ends(tmp_path, quick_limits):
    from brushstrokes.runs.paint import paint_files
    from brushstrokes.runs.paint_settings import PaintSettings

    hang = ("lesson3_paint", "    grads = {layer: beta * g for layer, g in grads.items()}",
            "    while beta:\n        grads = dict(grads)\n    grads = {layer: beta * g for layer, g in grads.items()}")
    out = old_pictures(tmp_path / "out", PAINT_PICTURES)
    before = digests(out)
    settings = PaintSettings(content=paths.CAT, styles=[paths.SCREAM], out=out, size=32, iters=2,
                             lessons_dir=lessons(tmp_path, hang))
    with pytest.raises(BrushstrokesError) as err:
        paint_files(settings)
    assert "lesson3_paint.py line" in err.value.message and "in total_loss_grad (exercise 3.1): stopped after" \
        in err.value.message
    assert digests(out) == before


def test_style_stops_a_learner_that_swallows_the_stop(tmp_path, quick_limits):
    """A learner's `except BaseException: pass` around the hang does not keep it going: the stop comes again."""
    from brushstrokes.runs.style import run_style

    hang = ("lesson2_style", "    flat = F.reshape(F.shape[0], -1).astype(np.float64)\n    return flat @ flat.T",
            "    try:\n        while True:\n            F = F + 0\n    except BaseException:\n        pass\n"
            "    while True:\n        F = F + 0")
    out = old_pictures(tmp_path / "out", STYLE_PICTURES)
    before = digests(out)
    with pytest.raises(BrushstrokesError, match=r"in gram \(exercise 2.1\): stopped after"):
        run_style(paths.SCREAM, longest=32, iters=1, out=out, lessons_dir=lessons(tmp_path, hang), weights="raw")
    assert digests(out) == before


def test_the_limit_is_twenty_times_the_reference_and_at_least_thirty_seconds():
    assert guards.MIN_SECONDS == 30 and guards.TIMES_REFERENCE == 20
    watchdog = guards.Watchdog(forward=0.5, backward=0.5)
    one = guards.Call(fn=len, name="gram", start=0.0, evaluations=1)
    assert watchdog.evaluation() == pytest.approx(guards.NUMPY_SHARE * 1.0)
    assert watchdog.limit(one) == pytest.approx(max(30, 20 * guards.NUMPY_SHARE))
    loop = guards.Call(fn=len, name="reconstruct", start=0.0, evaluations=201)
    assert watchdog.limit(loop) == pytest.approx(20 * 201 * guards.NUMPY_SHARE)
    assert guards.Watchdog().limit(loop) == 30  # nothing timed yet: the minimum

    def reconstruct(net, P, x0, layer="conv4_2", iters=200):
        return x0

    assert guards.evaluations(reconstruct, (None, None, None), {"iters": 7}) == 15
    assert guards.evaluations(reconstruct, (None, None, None), {}) == 401
    assert guards.evaluations(len, ([],), {}) == 1


def test_a_loop_waiting_on_its_hanging_function_blames_the_function():
    watchdog = guards.Watchdog()
    loop = guards.Call(fn=len, name="reconstruct", start=0.0, evaluations=3)
    inner = guards.Call(fn=len, name="content_grad", start=0.5, evaluations=1)
    watchdog.calls = [loop, inner]
    call, wait = watchdog._overdue(30.2)  # the loop is past its 30 s, its function has run 29.7 s of its own 30
    assert call is None and wait == pytest.approx(0.3)
    assert watchdog._overdue(30.6)[0] is inner
    watchdog.calls = [loop, guards.Call(fn=len, name="content_loss", start=30.1, evaluations=1)]
    assert watchdog._overdue(30.2)[0] is loop  # a loop that keeps calling short functions is the one that hangs


@pytest.mark.slow
def test_the_reference_solutions_are_not_timed(tmp_path, monkeypatch):
    monkeypatch.setattr(guards, "MIN_SECONDS", 0.0)  # any timed call would be stopped at once
    from brushstrokes.runs.content import run_content

    out = tmp_path / "out"
    run_content(paths.CAT, longest=32, iters=1, out=out)
    assert sorted(p.name for p in out.iterdir()) == sorted(CONTENT_PICTURES)


# ---------------------------------------------------------------- a learner's sys.exit, and a real kill

EXIT_1_2 = ("lesson1_content", "    return ((F - P) * (F > 0)).astype(np.float32)", "    import sys\n    sys.exit(0)")
OS_EXIT_2_1 = ("lesson2_style", "    flat = F.reshape(F.shape[0], -1).astype(np.float64)\n    return flat @ flat.T",
               "    import os\n    os._exit(0)")


def test_a_learners_sys_exit_is_one_line_and_a_failure(cli, tmp_path):
    out = old_pictures(tmp_path / "out", CONTENT_PICTURES)
    before = digests(out)
    error = one_error(cli("content", "--size", "32", "--iters", "1", "--out", str(out),
                          "--lessons-dir", str(lessons(tmp_path, EXIT_1_2))))
    assert "lesson1_content.py line " in error
    assert "in content_grad (exercise 1.2): sys.exit(0) would end the whole run" in error
    assert digests(out) == before


def test_a_learners_os_exit_is_one_line_and_a_failure(cli, tmp_path):
    out = old_pictures(tmp_path / "out", STYLE_PICTURES)
    before = digests(out)
    error = one_error(cli("style", "--size", "32", "--iters", "1", "--weights", "raw", "--out", str(out),
                          "--lessons-dir", str(lessons(tmp_path, OS_EXIT_2_1))))
    assert "in gram (exercise 2.1): os._exit(0) would end the whole run" in error
    assert digests(out) == before


def test_a_kill_during_the_learners_code_is_still_a_kill(spawn_cli, tmp_path):
    out = old_pictures(tmp_path / "out", CONTENT_PICTURES)
    before = digests(out)
    proc = spawn_cli("content", "--size", "48", "--iters", "100000", "--out", str(out),
                     "--lessons-dir", str(lessons(tmp_path)))
    proc.wait_for("Finding the content")
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143 and "would end the whole run" not in stderr and "Traceback" not in stderr
    assert digests(out) == before
