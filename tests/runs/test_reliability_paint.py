"""`brushstrokes style` and `brushstrokes paint` never lose work (like `content` in test_reliability.py):
every bad argument, output folder, picture and learner mistake is one error with what to do, before any work,
a non-zero exit, no traceback, and the previous pictures byte for byte as they were. Runs are tiny (32 px,
1-3 iterations). Every bad argument of paint is a row of PAINT_ONLY (or COMMON); Ctrl-C and kill, for every command:
test_reliability.py."""

from __future__ import annotations

import errno
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image
from support import digests, one_error

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError

CAT, SCREAM = "data/chelsea.png", "data/scream.jpg"
STYLE_PICTURES = ("style_scream.png", "style_scream_loss.png", "style_scream_frames.png")
PAINT_PICTURES = ("chelsea_scream.png", "chelsea_scream_loss.png", "chelsea_scream_frames.png")
RETURN = "    return Reconstruction(x, losses, snapshots)"


def error_line(stderr: str) -> str:
    """The one line of `stderr` that starts with 'error: '."""
    lines = [line for line in stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, stderr
    return lines[0]


def one_error_zh(out: subprocess.CompletedProcess) -> str:
    """The Chinese error of a failed command: status 2, '错误：... 怎么办：...', no traceback."""
    assert out.returncode == 2 and "Traceback" not in out.stderr + out.stdout, out.stderr
    assert out.stderr.count("错误：") == 1 and "怎么办：" in out.stderr, out.stderr
    return out.stderr


def old_pictures(folder: Path, names: tuple[str, ...]) -> Path:
    """`folder` holding a previous run's pictures (distinct, recognisable bytes)."""
    folder.mkdir(exist_ok=True)
    for i, name in enumerate(names):
        Image.new("RGB", (8, 8), (0, 40 * i, 0)).save(folder / name)
    return folder


@pytest.fixture
def old_style(tmp_path) -> Path:
    return old_pictures(tmp_path / "out", STYLE_PICTURES)


@pytest.fixture
def old_paint(tmp_path) -> Path:
    return old_pictures(tmp_path / "out", PAINT_PICTURES)


@pytest.fixture
def style(cli) -> Callable[..., subprocess.CompletedProcess]:
    """`style(out, *args, lang="en")`: `brushstrokes style` at 32 px, 3 iterations, into `out`, run to its end."""

    def run(out: Path, *args: str, lang: str = "en") -> subprocess.CompletedProcess:
        return cli("style", "--size", "32", "--iters", "3", "--out", str(out), *args, env={"BRUSHSTROKES_LANG": lang})

    return run


@pytest.fixture
def paint(cli) -> Callable[..., subprocess.CompletedProcess]:
    """`paint(out, *args, pictures=(CAT, SCREAM), lang="en")`: `brushstrokes paint` at 32 px, 2 iterations, into
    `out`, run to its end."""

    def run(out: Path, *args: str, pictures: tuple[str, ...] = (CAT, SCREAM), lang: str = "en"
            ) -> subprocess.CompletedProcess:
        return cli("paint", *pictures, "--size", "32", "--iters", "2", "-o", str(out), *args,
                   env={"BRUSHSTROKES_LANG": lang})

    return run


# ---------------------------------------------------------------- arguments: refused before any work

COMMON = [
    (["--iters", "0"], "--iters 0: must be a whole number of at least 1"),
    (["--iters", "-1"], "--iters -1: must be a whole number of at least 1"),
    (["--lr", "nan"], "--lr nan: not a finite number"),
    (["--lr", "inf"], "--lr inf: not a finite number"),
    (["--lr", "1e9"], "--lr 1e+09: more than 255, which is surely a mistake"),
    (["--lr", "-1"], "--lr -1: must be greater than 0"),
    (["--seed", "-1"], "--seed -1: a seed must be a whole number from 0 to 4294967295"),
    (["--size", "0"], "--size 0: the longest side must be a positive number of px"),
    (["--size", "-5"], "--size -5: the longest side must be a positive number of px"),
]
STYLE_ONLY = [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--iters", "x"], "argument --iters: invalid int value: 'x'"),
    (["--size", "1"], "--size 1 gives 1x1 px for data/scream.jpg: VGG19 needs at least 16 px on each side"),
    (["--size", "16"], "--size 16 gives 13x16 px for data/scream.jpg: VGG19 needs at least 16 px on each side"),
    (["--image", "data/missing.png"], "image not found: data/missing.png"),
]
PAINT_ONLY = [
    (["--size", "1"], "--size 1 gives 1x1 px for data/chelsea.png: VGG19 needs at least 16 px on each side"),
    (["--size", "16"], "--size 16 gives 16x11 px for data/chelsea.png: VGG19 needs at least 16 px on each side"),
    (["--size", "5"], "--size 5 gives 5x3 px for data/chelsea.png: VGG19 needs at least 16 px on each side"),
    (["--ratio", "abc"], "argument --ratio: invalid float value: 'abc'"),
    (["--ratio", "inf"], "--ratio inf: not a finite number"),
    (["--ratio", "0"], "--ratio 0: must be greater than 0"),
    (["--ratio", "1e300"], "--ratio 1e+300: more than 1e+09, which is surely a mistake"),
    (["--content-weight", "nan"], "--content-weight nan: not a finite number"),
    (["--style-weight", "-1"], "--style-weight -1: must be greater than 0"),
    (["--tv-weight", "inf"], "--tv-weight inf: not a finite number"),
    (["--tv-weight", "-1"], "--tv-weight -1: must be 0 or more"),
    (["--style-scale", "100"], "--style-scale 100: more than 64, which is surely a mistake"),
    (["--save-every", "-1"], "--save-every -1: must be a whole number of at least 0"),
    (["--content-layer", "conv9_9"], "--content-layer: unknown VGG19 layer 'conv9_9'"),
    (["--style-layers", "conv1_1,pool1"], "--style-layers: unknown VGG19 layer 'pool1'"),
    (["--style-layers", "conv1_1,conv1_1"], "--style-layers conv1_1,conv1_1: conv1_1 is given twice"),
    (["--style-layer-weights", "1,nan,1,1,1"], "--style-layer-weights nan: not a finite number"),
    (["--style-layer-weights", "1,2"], "--style-layer-weights gives 2 numbers for 5 style layers"),
    (["--style-layer-weights", "a,b,c,d,e"], "--style-layer-weights: 'a,b,c,d,e' is not a list of numbers"),
    (["--style-blend-weights", "1,inf"], "--style-blend-weights gives 2 numbers for 1 paintings"),
    (["--style-blend-weights", "-1"], "--style-blend-weights -1: must be 0 or more"),
    (["--optimizer", "sgd"], "argument --optimizer: invalid choice: 'sgd'"),
    (["--weights", "other"], "argument --weights: invalid choice: 'other'"),
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["data/scream.jpg"], "unrecognized arguments: data/scream.jpg"),
    (["--colour", "red"], "argument --colour: invalid choice: 'red'"),
    (["--scales", "32,128"], "--scales 32,128: 32 px is less than 64 px"),
    (["--scale-iters", "10,5"], "--scale-iters needs --scales"),
    (["--content-mask", "data/chelsea.png"], "--content-mask needs exactly two paintings"),
]


@pytest.mark.parametrize("args,expected", COMMON + STYLE_ONLY, ids=[" ".join(a) for a, _ in COMMON + STYLE_ONLY])
def test_style_refuses_a_bad_argument_before_any_work(style, old_style, args, expected):
    before = digests(old_style)
    out = style(old_style, *args)
    error = one_error(out)
    assert expected in error and "what to do: " in error
    assert "Synthesising" not in out.stdout and digests(old_style) == before


@pytest.mark.parametrize("args,expected", COMMON + PAINT_ONLY, ids=[" ".join(a) for a, _ in COMMON + PAINT_ONLY])
def test_paint_refuses_a_bad_argument_before_any_work(paint, old_paint, args, expected):
    before = digests(old_paint)
    out = paint(old_paint, *args)
    error = one_error(out)
    assert expected in error_line(error) and "usage:" not in error
    assert "Painting" not in out.stdout and digests(old_paint) == before


@pytest.mark.parametrize("weights,expected", [("1,inf", "--style-blend-weights inf: not a finite number"),
                                              ("1,nan", "--style-blend-weights nan: not a finite number"),
                                              ("0,0", "--style-blend-weights must not all be 0")])
def test_paint_refuses_blend_weights_that_are_not_finite(paint, old_paint, weights, expected):
    before = digests(old_paint)
    out = paint(old_paint, "--style-blend-weights", weights, pictures=(CAT, SCREAM, SCREAM))
    assert expected in one_error(out) and digests(old_paint) == before


def test_a_repeated_layer_or_a_picture_after_the_options_says_what_to_give(paint, old_paint):
    error = one_error(paint(old_paint, "--style-layers", "conv1_1,conv1_1"))
    assert "give each layer once, e.g. --style-layers conv1_1,conv2_1,conv3_1" in error
    error = one_error(paint(old_paint, "data/scream.jpg"))
    assert "give the photo and every painting first, then the options" in error


def test_paint_messages_in_chinese(paint, old_paint):
    error = one_error_zh(paint(old_paint, "--lr", "inf", lang="zh"))
    assert "错误：--lr inf：不是有限的数" in error and "怎么办：例如使用 --lr 2" in error
    error = one_error_zh(paint(old_paint, "--bogus", lang="zh"))
    assert "怎么办：" in error and "brushstrokes paint --help" in error


def test_style_messages_in_chinese(style, old_style):
    error = one_error_zh(style(old_style, "--seed", "-1", lang="zh"))
    assert "错误：--seed -1：种子必须是 0 到 4294967295 之间的整数" in error


def test_building_the_command_line_imports_no_pil(cli):
    code = "import sys; import brushstrokes.cli as c; c.parser(); print('PIL' in sys.modules)"
    out = cli("-c", code, program=None, timeout=60)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


# ---------------------------------------------------------------- pictures given: content and each style

@pytest.fixture
def odd_pictures(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "pictures"
    folder.mkdir()
    thin, broken, grey, fifo = folder / "thin.png", folder / "broken.png", folder / "grey.png", folder / "fifo.png"
    Image.new("RGB", (3, 900)).save(thin)
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)  # a truncated PNG
    Image.new("L", (60, 40), 128).save(grey)
    os.mkfifo(fifo)
    return {"thin": thin, "broken": broken, "grey": grey, "folder": folder, "fifo": fifo,
            "missing": folder / "missing.png"}


PICTURE_CASES = [
    ("missing", "image not found:"),
    ("broken", "as an image"),
    ("folder", "is a folder, not an image"),
    ("fifo", "is a named pipe (FIFO), not an image file"),
]


@pytest.mark.parametrize("kind,expected", PICTURE_CASES + [("thin", "3x900 px: too thin for VGG19 at any --size")])
def test_paint_refuses_a_bad_content_picture(paint, old_paint, odd_pictures, kind, expected):
    before = digests(old_paint)
    out = paint(old_paint, pictures=(str(odd_pictures[kind]), SCREAM))
    assert expected in one_error(out) and digests(old_paint) == before


@pytest.mark.parametrize("kind,expected", PICTURE_CASES)
def test_paint_refuses_a_bad_style_picture_whichever_it_is(paint, old_paint, odd_pictures, kind, expected):
    before = digests(old_paint)
    out = paint(old_paint, pictures=(CAT, SCREAM, str(odd_pictures[kind])))
    assert expected in one_error(out) and digests(old_paint) == before


@pytest.mark.parametrize("kind,expected", PICTURE_CASES + [("thin", "3x900 px: too thin for VGG19 at any --size")])
def test_style_refuses_a_bad_painting(style, old_style, odd_pictures, kind, expected):
    before = digests(old_style)
    out = style(old_style, "--image", str(odd_pictures[kind]))
    assert expected in one_error(out) and digests(old_style) == before


def test_paint_takes_grey_and_thin_paintings(paint, tmp_path, odd_pictures):
    out = paint(tmp_path, "--iters", "1", pictures=(CAT, str(odd_pictures["grey"]), str(odd_pictures["thin"])))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "chelsea_grey_thin.png").is_file()


# ---------------------------------------------------------------- --out: refused before any work

@pytest.mark.parametrize("command", ["style", "paint"])
@pytest.mark.parametrize("kind,expected", [
    ("file", "is a file, not a folder"),
    ("under a file", "cannot be made:"),
    ("read-only folder", "is read-only"),
    ("read-only old picture", "is read-only, and this run would replace it"),
])
def test_a_bad_out_is_refused_before_any_work(style, paint, tmp_path, command, kind, expected):
    names = STYLE_PICTURES if command == "style" else PAINT_PICTURES
    out = old_pictures(tmp_path / "old", names)
    target = {"file": out / names[0], "under a file": out / names[0] / "sub"}.get(kind, out)
    locked = {"read-only folder": out, "read-only old picture": out / names[1]}.get(kind)
    before = digests(out)
    if locked is not None:
        locked.chmod(0o555 if locked.is_dir() else 0o444)
    try:
        result = style(target, "--iters", "300") if command == "style" else paint(target, "--iters", "300")
    finally:
        if locked is not None:
            locked.chmod(0o755 if locked.is_dir() else 0o644)
    assert expected in one_error(result)
    assert "Synthesising" not in result.stdout and "Painting" not in result.stdout
    assert digests(out) == before


def test_paint_checks_every_picture_of_save_every(paint, tmp_path):
    out = old_pictures(tmp_path / "old", PAINT_PICTURES)
    (out / "chelsea_scream_0002.png").mkdir()  # where --save-every 1 --iters 2 writes its last frame
    error = one_error(paint(out, "--save-every", "1"))
    assert "chelsea_scream_0002.png is a folder, where this run writes a file" in error


# ---------------------------------------------------------------- --use lessons: the learner's mistakes

def lessons_with(tmp_path: Path, module: str, old: str, new: str) -> Path:
    """A folder holding the reference lessons 1-3, `module` with one edit (a learner's mistake)."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    for name in ("lesson1_content", "lesson2_style", "lesson3_paint"):
        source = (paths.ROOT / "solutions" / f"{name}.py").read_text()
        if name == module:
            assert old in source, old
            source = source.replace(old, new)
        (folder / f"{name}.py").write_text(source)
    return folder


STYLE_MISTAKES = {
    "syntax error": ("def gram(F", "def gram(F,,", "lesson2_style.py cannot be imported at line"),
    "not started": ("    return flat @ flat.T", '    raise NotImplementedError("Exercise 2.1")',
                    "gram (exercise 2.1) still raises NotImplementedError"),
    "a crash": ("(4.0 * N**2 * M**2)", "(4.0 * N**2 * M**2 * K)",
                "in style_layer_loss (exercise 2.2): NameError: name 'K' is not defined"),
    "None returned": (RETURN, "    x = x", "synthesize (exercise 2.6) returned None (is its `return` missing?)"),
    "wrong tuple order": (RETURN, "    return Reconstruction(losses, x, snapshots)",
                          "synthesize (exercise 2.6) returned its three values in another order"),
    "wrong shape": (RETURN, "    return Reconstruction(x[0], losses, snapshots)",
                    "synthesize (exercise 2.6) returned x as an array of shape"),
    "no losses": (RETURN, "    return Reconstruction(x, [], snapshots)",
                  "synthesize (exercise 2.6) returned no losses"),
    "gram of the wrong shape": ("    return flat @ flat.T", "    return flat",
                                "gram (exercise 2.1) returned an array of shape (64, 800); "
                                "it must return an array of shape (64, 64)"),
    "deleted function": ("def synthesize(", "def synthesize_old(", "has no function synthesize (exercise 2.6)"),
    "NaN from a gradient": ("    return (grad.reshape(F.shape) * (F > 0)).astype(np.float32)",
                            "    return (grad.reshape(F.shape) * (F > 0)).astype(np.float32) * np.float32(np.nan)",
                            "style_layer_grad returned NaN or inf from finite inputs (exercise 2.3)"),
    "NaN from the loop": ("        x = adam.step(x, grad)", "        x = adam.step(x, grad) * np.float32(np.inf)",
                          "look at synthesize (exercise 2.6)"),
}


@pytest.mark.parametrize("mistake", list(STYLE_MISTAKES))
def test_a_learners_mistake_in_lesson_2_is_one_line_naming_the_exercise(style, tmp_path, old_style, mistake):
    old, new, expected = STYLE_MISTAKES[mistake]
    folder = lessons_with(tmp_path, "lesson2_style", old, new)
    before = digests(old_style)
    error = one_error(style(old_style, "--lessons-dir", str(folder)))
    assert expected in error and "git checkout" not in error
    if mistake not in ("syntax error", "deleted function"):
        number = expected.split("(exercise ")[1][:3] if "(exercise " in expected else "2.6"
        assert f"brushstrokes check {number}" in error
    assert digests(old_style) == before


RETURN_3 = "    return Reconstruction(result.x.reshape(x0.shape).astype(np.float32), losses, snapshots)"
PAINT_MISTAKES = {
    "syntax error": ("def tv_loss_grad(x", "def tv_loss_grad(x,,", "lesson3_paint.py cannot be imported at line", ()),
    "not started": ("    x = x.astype(np.float64)\n    dy, dx",
                    '    raise NotImplementedError("Exercise 3.4")\n    dy, dx',
                    "tv_loss_grad (exercise 3.4) still raises NotImplementedError", ("--tv-weight", "1e-4")),
    "None returned": ("    return loss, backward_sweep(net, grads)", "    backward_sweep(net, grads)",
                      "total_loss_grad (exercise 3.1) returned None", ()),
    "wrong tuple order": ("    return loss, backward_sweep(net, grads)", "    return backward_sweep(net, grads), loss",
                          "total_loss_grad (exercise 3.1) returned (gradient, loss): the other way round", ()),
    "wrong shape": ("    return loss, backward_sweep(net, grads)", "    return loss, backward_sweep(net, grads)[0]",
                    "total_loss_grad (exercise 3.1) returned (a float", ()),
    "loop returned None": (RETURN_3, "    pass", "paint (exercise 3.3) returned None", ()),
    "colours of the wrong shape": ("255).astype(np.float32)", "255).astype(np.float32)[0]",
                                   "keep_colours (exercise 3.5) returned an array of shape (32, 3)",
                                   ("--original-colors",)),
    "deleted function": ("def blend_grams(", "def blend_grams_old(", "has no function blend_grams (exercise 3.6)", ()),
    "NaN from the loss": ("    loss = alpha * content_loss(F, P) + beta * style",
                          "    loss = alpha * content_loss(F, P) + beta * style * np.inf",
                          "total_loss_grad returned NaN or inf from finite inputs (exercise 3.1)", ()),
    "NaN from the loop": (RETURN_3, RETURN_3.replace("astype(np.float32)", "astype(np.float32) * np.float32(np.inf)"),
                          "look at paint (exercise 3.3)", ()),
}


@pytest.mark.parametrize("mistake", list(PAINT_MISTAKES))
def test_a_learners_mistake_in_lesson_3_is_one_line_naming_the_exercise(paint, tmp_path, old_paint, mistake):
    old, new, expected, extra = PAINT_MISTAKES[mistake]
    folder = lessons_with(tmp_path, "lesson3_paint", old, new)
    before = digests(old_paint)
    error = one_error(paint(old_paint, "--lessons-dir", str(folder), *extra))
    assert expected in error and "git checkout" not in error and "Traceback" not in error
    if mistake not in ("syntax error", "deleted function"):
        number = expected.split("(exercise ")[1][:3] if "(exercise " in expected else "3.3"
        assert f"brushstrokes check {number}" in error
    assert digests(old_paint) == before


def test_a_paint_mistake_in_chinese(paint, tmp_path, old_paint):
    old, new, _, _ = PAINT_MISTAKES["None returned"]
    error = one_error_zh(paint(old_paint, "--lessons-dir", str(lessons_with(tmp_path, "lesson3_paint", old, new)),
                               lang="zh"))
    assert "total_loss_grad（练习 3.1）返回了 None" in error and "怎么办：" in error


# ---------------------------------------------------------------- a run ending in NaN with the reference code

def test_style_ending_in_nan_with_the_reference_code_blames_no_exercise(tmp_path, monkeypatch):
    from brushstrokes.runs import fast_style, style

    out = old_pictures(tmp_path / "out", STYLE_PICTURES)

    real, calls = fast_style.style_loss, []

    def diverging(features, targets, weights):
        loss, grads = real(features, targets, weights)
        calls.append(loss)
        return (loss if len(calls) == 1 else float("nan")), grads

    monkeypatch.setattr(fast_style, "style_loss", diverging)  # the reference path's loss, from its second step
    before = digests(out)
    with pytest.raises(BrushstrokesError) as err:
        style.run_style(paths.SCREAM, longest=32, iters=2, out=out)
    assert "the run ended with NaN or inf at iteration 1" in err.value.message
    assert "exercise" not in err.value.message and "--lr" in err.value.todo and "doctor" in err.value.todo
    assert digests(out) == before


def test_paint_ending_in_nan_with_the_reference_code_blames_no_exercise(tmp_path, monkeypatch):
    from brushstrokes.runs import paint
    from brushstrokes.runs.paint_settings import PaintSettings

    out = old_pictures(tmp_path / "out", PAINT_PICTURES)

    def diverging(loss_grad, x0, *args, **kwargs):
        loss_grad(x0)
        return x0.copy(), [1.0, float("inf")], {0: x0.copy()}

    monkeypatch.setattr(paint, "reference_lbfgs", diverging)  # the reference path's L-BFGS run
    before = digests(out)
    with pytest.raises(BrushstrokesError) as err:
        paint.paint_files(PaintSettings(content=paths.CAT, styles=[paths.SCREAM], out=out, size=32, iters=2))
    assert "the run ended with NaN or inf at iteration 1" in err.value.message
    assert "exercise" not in err.value.message and "--ratio" in err.value.todo and "doctor" in err.value.todo
    assert digests(out) == before


# ---------------------------------------------------------------- a full disk while the pictures are saved

@pytest.mark.parametrize("command", ["style", "paint"])
def test_a_full_disk_while_saving_keeps_the_old_pictures(tmp_path, monkeypatch, command):
    from brushstrokes.runs import paint, plotting, style
    from brushstrokes.runs.paint_settings import PaintSettings

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(plotting, "plot_losses", full)  # the second of the three pictures
    out = old_pictures(tmp_path / "out", STYLE_PICTURES if command == "style" else PAINT_PICTURES)
    before = digests(out)
    with pytest.raises(BrushstrokesError) as err:
        if command == "style":
            style.run_style(paths.SCREAM, longest=32, iters=1, out=out)
        else:
            paint.paint_files(PaintSettings(content=paths.CAT, styles=[paths.SCREAM], out=out, size=32, iters=1))
    assert "(No space left on device); nothing was replaced" in err.value.message
    assert "free some space" in err.value.todo
    assert digests(out) == before
