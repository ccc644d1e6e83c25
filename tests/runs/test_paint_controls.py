"""`brushstrokes paint`'s lesson 4 controls (--colour, --scales, --scale-iters, --content-mask, --style-masks): each
option's checks before any work, what each control does to the picture at a tiny size, and that lesson 4's
module is loaded only by a run that uses a control. (Bad arguments as the command prints them:
test_reliability_paint.py's PAINT_ONLY.)"""

from __future__ import annotations

import shutil
import signal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import set_language
from brushstrokes.net import images
from brushstrokes.runs import paint, pipeline
from brushstrokes.runs.paint_settings import PaintSettings

CAT, SCREAM, STARRY = str(paths.CAT), str(paths.SCREAM), str(paths.DATA / "starry_night.jpg")


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language(None)


def settings(*args: str) -> PaintSettings:
    """commands/paint.settings of `brushstrokes paint args` (the photo and paintings first)."""
    from brushstrokes.cli import parser
    from brushstrokes.commands.paint import settings as checked

    return checked(parser().parse_args(["paint", *args]))


def refused(*args: str) -> BrushstrokesError:
    with pytest.raises(BrushstrokesError) as err:
        settings(*args)
    return err.value


def mask(path: Path, size=(451, 300), left: int = 255, right: int = 0, mode: str = "L") -> Path:
    """A mask file: the left half `left`, the right half `right` (grey levels)."""
    img = Image.new("L", size, right)
    img.paste(left, (0, 0, size[0] // 2, size[1]))
    img.convert(mode).save(path)
    return path


# ---------------------------------------------------------------- the options, checked before any work

OPTION_ERRORS = [
    (("--colour", "luminance", "--original-colors"),
     "--colour luminance and --original-colors both put the photo's colours back", "give one of them"),
    (("--scales", "128,abc"), "--scales 128,abc: not a list of whole numbers of px", "use e.g. --scales 128,256,512"),
    (("--scales", "32,128"), "--scales 32,128: 32 px is less than 64 px", "use e.g. --scales 128,256,512"),
    (("--scales", "128,4096"), "--scales 128,4096: 4096 px is more than the 2048 px allowed on a side",
     "--scales 128,256,512"),
    (("--scales", "256,128"), "--scales 256,128: each size must be larger than the one before", "increasing"),
    (("--scales", "128,256", "--size", "128"), "--size 128 and --scales 128,256 end at different sizes",
     "--scales replaces --size"),
    (("--scale-iters", "10,5"), "--scale-iters needs --scales", "give --scales too"),
    (("--scales", "64,128", "--scale-iters", "10"), "--scale-iters gives 1 numbers for 2 scales",
     "give one per scales"),
    (("--scales", "64,128", "--scale-iters", "10,x"), "--scale-iters 10,x: not a list of whole numbers",
     "use e.g. --scale-iters 200,100,50"),
    (("--scales", "64,128", "--scale-iters", "10,0"), "--scale-iters 0: must be a whole number of at least 1",
     "use e.g. --scale-iters 200"),
    (("--content-mask", "m.png"), "--content-mask needs exactly two paintings (white: the first, black: the "
     "second); 1 given", "give two paintings"),
    (("--style-masks", "a.png,b.png"), "--style-masks needs --content-mask", "give --content-mask too"),
]


@pytest.mark.parametrize("args,message,todo", OPTION_ERRORS, ids=[" ".join(a) for a, _, _ in OPTION_ERRORS])
def test_a_bad_control_option_is_one_error_saying_what_to_do(args, message, todo):
    err = refused(CAT, SCREAM, *args)
    assert message in err.message and todo in err.todo, (err.message, err.todo)


def test_mask_options_that_need_two_paintings_and_one_file_each():
    err = refused(CAT, SCREAM, STARRY, "--content-mask", "m.png", "--style-masks", "a.png")
    assert "--style-masks gives 1 files for 2 paintings" in err.message
    err = refused(CAT, SCREAM, STARRY, "--content-mask", "m.png", "--style-blend-weights", "1,2")
    assert "the mask already says where each painting goes" in err.message and "--style-blend-weights" in err.todo


def test_control_errors_in_chinese():
    set_language("zh")
    err = refused(CAT, SCREAM, "--scales", "256,128")
    assert err.message == "--scales 256,128：每个大小都必须比前一个大" and "例如使用 --scales 128,256,512" in err.todo


def test_scales_replace_size_and_default_to_iters_at_each():
    s = settings(CAT, SCREAM, "--scales", "64,128", "--iters", "7")
    assert s.size == 128 and s.schedule == [(64, 7), (128, 7)] and s.total_iters == 14
    s = settings(CAT, SCREAM, "--scales", "64,128", "--scale-iters", "9,3", "--size", "128")
    assert s.schedule == [(64, 9), (128, 3)] and s.controls == ("--scales",)
    s = settings(CAT, SCREAM)
    assert s.size == 128 and s.schedule == [(128, 100)] and s.controls == ()
    assert settings(CAT, SCREAM, "--colour", "match").controls == ("--colour",)


def checked(s: PaintSettings) -> None:
    """Every check of a paint run before any work (runs/pipeline.check)."""
    pipeline.check(paint.paint_spec(s))


@pytest.mark.parametrize("kind,expected", [
    ("missing", "image not found:"),
    ("not an image", "as an image"),
    ("folder", "is a folder, not an image"),
    ("all black", "is all black: no part of the picture is painted like the first painting (white)"),
    ("all white", "is all white: no part of the picture is painted like the second painting (black)"),
    ("huge", "more than"),
])
def test_a_bad_content_mask_is_refused_before_any_work(tmp_path, kind, expected):
    path = tmp_path / "mask.png"
    if kind == "not an image":
        path.write_text("not a picture")
    elif kind == "folder":
        path.mkdir()
    elif kind == "all black":
        mask(path, left=0)
    elif kind == "all white":
        mask(path, right=255)
    elif kind == "huge":
        Image.new("1", (9000, 8000)).save(path)
    s = PaintSettings(content=paths.CAT, styles=[paths.SCREAM, Path(STARRY)], out=tmp_path / "out", size=48,
                      content_mask=path)
    with pytest.raises(BrushstrokesError) as err:
        checked(s)
    assert expected in err.value.message, err.value.message
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_style_mask_all_black_is_refused_and_any_mode_is_taken_as_grey(tmp_path):
    content = mask(tmp_path / "content.png", mode="RGBA")
    black = mask(tmp_path / "black.png", left=0)
    whole = mask(tmp_path / "whole.png", left=255, right=255, mode="RGB")
    s = PaintSettings(content=paths.CAT, styles=[paths.SCREAM, Path(STARRY)], out=tmp_path / "out", size=48,
                      content_mask=content, style_masks=(whole, black))
    with pytest.raises(BrushstrokesError) as err:
        checked(s)
    assert "--style-masks" in err.value.message and "is all black: no part of its painting is chosen" in \
        err.value.message and "all white: the whole painting" in err.value.todo
    s.style_masks = (whole, whole)
    checked(s)


def test_every_scale_must_give_vgg19_enough_pixels(tmp_path):
    thin = tmp_path / "thin.png"
    Image.new("RGB", (400, 60), (90, 120, 30)).save(thin)
    s = PaintSettings(content=thin, styles=[paths.SCREAM], out=tmp_path / "out", size=256, scales=(64, 256))
    with pytest.raises(BrushstrokesError) as err:
        checked(s)
    assert "--scales 64 gives 64x10 px for" in err.value.message and "VGG19 needs at least 16 px" in err.value.message


# ---------------------------------------------------------------- what each control does (tiny runs, real VGG19)

def tiny(tmp_path: Path, **given) -> PaintSettings:
    """A 48 px, 5-iteration run on the raw VGG19 (the `vgg` fixture's), the style weighted up."""
    return PaintSettings(**{"content": paths.CAT, "styles": [paths.SCREAM], "out": tmp_path, "size": 48,
                            "iters": 5, "weights": "raw", "ratio": 1e-4, **given})


def iq(picture: np.ndarray) -> np.ndarray:
    return np.asarray(picture, np.float64) @ images.RGB_TO_YIQ[1:].T


def test_luminance_keeps_the_photos_colours(vgg, tmp_path):
    done = paint.paint_picture(tiny(tmp_path, colour="luminance"), net=vgg, quiet=True)
    assert done.picture.shape == done.photo.shape == (32, 48, 3)
    inside = ((done.picture > 1) & (done.picture < 254)).all(axis=-1)  # where keep_colours did not clip
    assert inside.mean() > 0.8
    assert np.abs(iq(done.picture) - iq(done.photo))[inside].max() < 0.5


def lessons_for(*options: str, use: str = "solutions", folder: Path | None = None) -> pipeline.Lessons:
    return pipeline.Lessons("paint", use, folder, "output", options=options)


def test_the_pictures_vgg19_sees_under_each_colour_control():
    from brushstrokes.runs import colour_control
    from brushstrokes.runs.paint_targets import painting_seen

    photo = images.load_image(paths.CAT, size=(40, 60))
    painting = images.load_image(paths.SCREAM, size=(50, 40))
    lessons = lessons_for("--colour")
    keep = painting_seen(PaintSettings(colour="keep"), lessons, painting, photo)
    assert keep is painting
    matched = painting_seen(PaintSettings(colour="match"), lessons, painting, photo)
    c, m = photo.reshape(-1, 3).astype(np.float64), matched.reshape(-1, 3).astype(np.float64)
    assert np.allclose(m.mean(axis=0), c.mean(axis=0), atol=2)
    assert np.allclose(np.cov(m, rowvar=False), np.cov(c, rowvar=False), rtol=0.1, atol=20)
    assert not np.allclose(painting.mean(axis=(0, 1)), photo.mean(axis=(0, 1)), atol=10)  # it did move
    grey = painting_seen(PaintSettings(colour="luminance"), lessons, painting, photo)
    assert grey.shape == painting.shape and np.array_equal(grey[..., 0], grey[..., 2])
    y, photo_y = grey[..., 0].astype(np.float64), colour_control.luminance(photo)
    assert abs(y.mean() - photo_y.mean()) < 1 and abs(y.std() - photo_y.std()) < 1
    seen = colour_control.photo_seen("luminance", photo)
    assert np.allclose(seen[..., 1], colour_control.luminance(photo), atol=1e-3)


def test_scales_run_in_order_each_from_the_previous_result_upsampled(vgg, tmp_path, monkeypatch):
    from solutions.lesson4_control import upsample

    starts, results = [], []
    run = paint.reference_lbfgs

    def spied(loss_grad, x0, iters, every, callback):
        starts.append((x0.copy(), iters))
        results.append(run(loss_grad, x0, iters, every, callback))
        return results[-1]

    monkeypatch.setattr(paint, "reference_lbfgs", spied)
    s = tiny(tmp_path, size=96, scales=(64, 96), scale_iters=(4, 2))
    done = paint.paint_picture(s, net=vgg, quiet=True)
    assert [(x.shape, iters) for x, iters in starts] == [((1, 3, 43, 64), 4), ((1, 3, 64, 96), 2)]
    assert np.allclose(starts[1][0], upsample(results[0][0], (64, 96)))
    assert done.picture.shape == (64, 96, 3) and done.x.shape == (1, 3, 64, 96)
    assert len(done.losses) == 1 + 4 + 2 and done.losses[:5] == results[0][1]
    assert all(snap.shape == (1, 3, 64, 96) for snap in done.snapshots.values())


def test_ctrl_c_keeps_the_current_scale_upsampled_and_skips_the_rest(vgg, tmp_path, monkeypatch):
    run = paint.reference_lbfgs
    calls = []

    def interrupted(loss_grad, x0, iters, every, callback):
        calls.append(x0.shape)
        result = run(loss_grad, x0, iters, every, callback)
        signal.raise_signal(signal.SIGINT)  # the first Ctrl-C, after the first scale
        return result

    monkeypatch.setattr(paint, "reference_lbfgs", interrupted)
    done = paint.paint_picture(tiny(tmp_path, size=96, scales=(64, 96), scale_iters=(3, 3)), net=vgg, quiet=True)
    assert calls == [(1, 3, 43, 64)] and done.stopped
    assert done.picture.shape == (64, 96, 3) and len(done.losses) == 4


def region_means(picture: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    half = picture.shape[1] // 2
    return picture[:, : half - 4].mean(axis=(0, 1)), picture[:, half + 4:].mean(axis=(0, 1))


def test_a_content_mask_paints_each_region_like_its_painting(vgg, tmp_path):
    rng = np.random.default_rng(0)
    red, blue = tmp_path / "red.png", tmp_path / "blue.png"
    Image.fromarray((rng.random((64, 64, 3)) * (255, 40, 40)).astype(np.uint8)).save(red)
    Image.fromarray((rng.random((64, 64, 3)) * (40, 40, 255)).astype(np.uint8)).save(blue)
    s = tiny(tmp_path, styles=[red, blue], content_mask=mask(tmp_path / "mask.png"), iters=20, ratio=1e-6)
    done = paint.paint_picture(s, net=vgg, quiet=True)
    left, right = region_means(np.asarray(done.picture, np.float64))
    assert left[0] - left[2] > 20 and right[2] - right[0] > 20, (left, right)  # red on the left, blue on the right


# ---------------------------------------------------------------- --use lessons: lesson 4 only when a control is used

def lessons_folder(tmp_path: Path, lesson4: str) -> Path:
    """A folder with the reference lessons 1-3 and `lesson4` as lesson4_control.py."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    for name in ("lesson1_content", "lesson2_style", "lesson3_paint"):
        shutil.copy(paths.ROOT / "solutions" / f"{name}.py", folder / f"{name}.py")
    (folder / "lesson4_control.py").write_text(lesson4)
    return folder


def test_lesson_4_is_loaded_only_when_a_control_is_used(tmp_path):
    folder = lessons_folder(tmp_path, 'raise NotImplementedError("lesson 4 is not started")\n')
    assert "lesson4_control" not in lessons_for(use="lessons", folder=folder).modules
    with pytest.raises(BrushstrokesError) as err:
        lessons_for("--scales", use="lessons", folder=folder)
    assert "lesson4_control.py cannot be imported" in err.value.message
    assert set(lessons_for("--colour").functions["lesson4_control"]) == {"match_luminance", "match_colours"}


def test_without_controls_the_stub_of_lesson_4_is_not_touched(cli, tmp_path):
    folder = lessons_folder(tmp_path, (paths.ROOT / "lessons" / "lesson4_control.py").read_text())
    out = cli("paint", CAT, SCREAM, "--size", "32", "--iters", "1", "-o", str(tmp_path / "out"),
              "--lessons-dir", str(folder))
    assert out.returncode == 0, out.stdout + out.stderr
    out = cli("paint", CAT, SCREAM, "--size", "32", "--iters", "1", "-o", str(tmp_path / "out"),
              "--lessons-dir", str(folder), "--colour", "luminance")
    assert out.returncode == 2 and "match_luminance (exercise 4.1) still raises NotImplementedError" in out.stderr


def test_every_control_together_with_the_learners_lesson_4(cli, tmp_path):
    folder = lessons_folder(tmp_path, (paths.ROOT / "solutions" / "lesson4_control.py").read_text())
    out = cli("paint", CAT, SCREAM, STARRY, "--scales", "64,80", "--scale-iters", "2,1", "--colour", "match",
              "--content-mask", str(mask(tmp_path / "mask.png")), "--style-masks",
              f"{mask(tmp_path / 'a.png', right=255)},{mask(tmp_path / 'b.png', left=128)}", "--tv-weight", "1e-4",
              "-o", str(tmp_path / "out"), "--lessons-dir", str(folder))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "scale 1/2: 64x42 px, up to 2 iterations" in out.stdout and "scale 2/2: 80x53 px" in out.stdout
    assert "  64x42 px: 2 iterations in" in out.stdout and "3 iterations in" in out.stdout
    picture = np.asarray(Image.open(tmp_path / "out" / "chelsea_scream_starry_night.png"))
    assert picture.shape == (53, 80, 3)
