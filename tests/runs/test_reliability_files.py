"""No command destroys what it did not make, and every broken file is named and repaired.

fetch-model replaces only a weights file it wrote; the paper's normalised VGG19 is verified, named by the doctor
and repaired by fetch-model like the raw weights; reset and the output folder fail in one line without losing
anything; a run killed between the renames of its pictures is finished by the next command in that folder.
Nothing here touches a real device node or anything outside the test's temporary folders: device-ness is faked
by wrapping os.stat for one temporary file.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import textwrap
import threading
from pathlib import Path

import pytest
from support import INSTALLED, digests, flip_a_byte, one_error

from brushstrokes.base import outputs, paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.net import normalise, weights

# ---------------------------------------------------------------- fetch-model replaces only what it made

def fake_device(monkeypatch, path: Path) -> None:
    """Make `path` (a regular file in a temporary folder) look like a character device to os.stat."""
    real_stat = os.stat

    def faked(target, *args, **kwargs):
        result = real_stat(target, *args, **kwargs)
        if isinstance(target, str | os.PathLike) and Path(target) == path:
            values = list(result)
            values[0] = stat.S_IFCHR | 0o666
            return os.stat_result(values)
        return result

    monkeypatch.setattr(os, "stat", faked)


def a_folder(path: Path) -> None:
    path.mkdir()


def a_fifo(path: Path) -> None:
    os.mkfifo(path)


def a_link_elsewhere(path: Path) -> None:
    elsewhere = path.parent / "elsewhere" / "thesis.txt"
    elsewhere.parent.mkdir()
    elsewhere.write_text("my thesis\n")
    path.symlink_to(elsewhere)


def a_file_it_did_not_write(path: Path) -> None:
    path.write_text("my notes, not weights\n")


NOT_ITS_OWN = {
    "folder": (a_folder, "is a folder, not a file"),
    "fifo": (a_fifo, "is a named pipe (FIFO), not a weights file `fetch-model` wrote: it is left as it is"),
    "symlink": (a_link_elsewhere, "is a symbolic link, not a weights file `fetch-model` wrote: it is left as it is"),
    "foreign file": (a_file_it_did_not_write, "is not a weights file `fetch-model` wrote (no notes.caffemodel.md5 "
                                              "beside it)"),
    "device": (a_file_it_did_not_write, "is a device, not a weights file `fetch-model` wrote: it is left as it is"),
}


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | str | None]]:
    """{name: (mode, content)} of everything in `folder`, links and FIFOs included (a FIFO is never opened)."""
    seen = {}
    for path in sorted(folder.rglob("*")):
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            content = os.readlink(path)
        elif stat.S_ISREG(mode):
            content = path.read_bytes()
        else:
            content = None
        seen[str(path.relative_to(folder))] = (stat.S_IFMT(mode), content)
    return seen


@pytest.fixture
def converted(monkeypatch, tmp_path):
    """fetch-model with a conversion that costs nothing: the model it writes holds a few bytes and replaces
    whatever is at its path, as a rename does (what may be replaced is fetch-model's to check before).
    Returns the list of paths it wrote."""
    wrote = []

    def fake_write(weights_, dest):
        wrote.append(Path(dest))
        outputs.write_bytes(dest, b"converted")
        return Path(dest)

    monkeypatch.setenv("BRUSHSTROKES_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(weights, "weights_from_file", lambda path, kind, folder: {})
    monkeypatch.setattr(weights, "write_caffemodel", fake_write)
    return wrote


@pytest.mark.parametrize("kind", list(NOT_ITS_OWN))
def test_fetch_model_refuses_to_replace_what_it_did_not_make(tmp_path, monkeypatch, converted, kind):
    make, expected = NOT_ITS_OWN[kind]
    folder = tmp_path / "models"
    folder.mkdir()
    dest = folder / "notes.caffemodel"
    make(dest)
    given = tmp_path / "given.caffemodel"
    given.write_bytes(b"what the learner downloaded")
    before = snapshot(tmp_path)
    if kind == "device":
        fake_device(monkeypatch, dest)
    said = []
    with pytest.raises(BrushstrokesError) as err:
        weights.fetch_model(dest=dest, local=given, say=said.append)
    assert expected in err.value.message and str(dest) in err.value.message
    assert "\n" not in err.value.message and ("move that away" in err.value.todo or "rm -r" in err.value.todo)
    assert converted == [] and not any("replacing" in line for line in said)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("kind", ["fifo", "symlink", "device"])
def test_write_caffemodel_itself_refuses_them(tmp_path, monkeypatch, kind):
    make = {"fifo": a_fifo, "symlink": a_link_elsewhere, "device": a_file_it_did_not_write}[kind]
    dest = tmp_path / "vgg19_conv.caffemodel"  # even under the name fetch-model gives its model
    make(dest)
    before = snapshot(tmp_path)
    if kind == "device":
        fake_device(monkeypatch, dest)
    with pytest.raises(BrushstrokesError, match="it is left as it is"):
        weights.write_caffemodel({}, dest)
    monkeypatch.undo()
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("what", ["md5", "layers-ok"])
def test_a_fifo_where_the_md5_goes_is_refused_not_replaced(tmp_path, converted, what):
    dest = tmp_path / "vgg19_conv.caffemodel"
    dest.write_bytes(b"a truncated model")
    os.mkfifo(Path(f"{dest}.{what}"))
    before = snapshot(tmp_path)
    given = tmp_path / "given.caffemodel"
    given.write_bytes(b"x")
    with pytest.raises(BrushstrokesError, match="named pipe"):
        weights.fetch_model(dest=dest, local=given, say=lambda line: None)
    assert converted == [] and {k: v for k, v in snapshot(tmp_path).items() if k != "given.caffemodel"} == before


def test_a_fifo_as_the_md5_is_never_opened(tmp_path):
    """Reading a FIFO would wait for a writer forever: the check says its .md5 is not a regular file instead."""
    model = tmp_path / "w.caffemodel"
    model.write_bytes(b"\0" * 5000)
    os.mkfifo(weights.sidecar_path(model))
    done: list[BaseException] = []

    def check() -> None:
        try:
            weights.check_caffemodel(model)
        except BaseException as exc:  # noqa: BLE001 - handed to the test's thread
            done.append(exc)

    thread = threading.Thread(target=check, daemon=True)
    thread.start()
    thread.join(60)
    if thread.is_alive():  # free the reader before failing: open the FIFO for writing once
        fd = os.open(weights.sidecar_path(model), os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(10)
        pytest.fail("check_caffemodel waited on a FIFO")
    assert done and "is not a regular file" in str(done[0])


def test_fetch_model_still_replaces_its_own_broken_model(tmp_path, converted):
    dest = tmp_path / "vgg19_conv.caffemodel"
    dest.write_bytes(b"\0" * 5000)  # truncated, no .md5: the name is the one fetch-model gives its model
    other = tmp_path / "other.caffemodel"
    other.write_bytes(b"\0" * 5000)
    weights.sidecar_path(other).write_text("0" * 32 + "\n")  # another name, with the .md5 fetch-model writes
    given = tmp_path / "given.caffemodel"
    given.write_bytes(b"x")
    for path in (dest, other):
        said = []
        weights.fetch_model(dest=path, local=given, say=said.append)
        assert path.read_bytes() == b"converted"
        assert any(line.startswith("replacing a bad weights file: ") for line in said), said
    assert converted == [dest, other]


def test_fetch_model_cli_refuses_a_fifo_in_one_line(cli, tmp_path):
    dest = tmp_path / "w.caffemodel"
    os.mkfifo(dest)
    given = tmp_path / "given.caffemodel"
    given.write_bytes(b"x")
    out = cli("fetch-model", "--from", str(given), "--dest", str(dest), env={"BRUSHSTROKES_CACHE": str(tmp_path)})
    error = one_error(out)
    assert "is a named pipe (FIFO), not a weights file `fetch-model` wrote" in error
    assert stat.S_ISFIFO(dest.lstat().st_mode)


@pytest.mark.parametrize("kind", ["fifo", "symlink", "device"])
def test_a_run_refuses_to_replace_a_picture_name_that_is_not_a_file(tmp_path, monkeypatch, kind):
    out = tmp_path / "out"
    out.mkdir()
    name = "content_conv4_2.png"
    {"fifo": a_fifo, "symlink": a_link_elsewhere, "device": a_file_it_did_not_write}[kind](out / name)
    before = snapshot(tmp_path)
    if kind == "device":
        fake_device(monkeypatch, out / name)
    with pytest.raises(BrushstrokesError) as err:
        outputs.prepare_folder(out, names=(name,))
    assert f"{out / name} is a" in err.value.message and "where this run writes a file" in err.value.message
    monkeypatch.undo()
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- the normalised VGG19: verified, named, repaired

@pytest.fixture
def models(tmp_path) -> Path:
    """A copy of the installed raw VGG19 and its normalised copy, with their .md5, stamps and record: the raw
    model's path (BRUSHSTROKES_WEIGHTS for a command)."""
    normalised = normalise.normalised_path(INSTALLED)
    record = normalise.record_path(INSTALLED)
    if not (INSTALLED.is_file() and normalised.is_file() and record.is_file()):
        pytest.skip("the VGG19 weights and their normalised copy are not installed")
    folder = tmp_path / "models"
    folder.mkdir()
    for source in (INSTALLED, normalised):
        for path in (source, Path(f"{source}.md5"), Path(f"{source}.layers-ok")):
            if path.is_file():
                shutil.copyfile(path, folder / path.name)
    shutil.copyfile(record, folder / record.name)
    raw = folder / INSTALLED.name
    assert weights.md5sum(folder / normalised.name) == json.loads(record.read_text())["md5"]
    return raw


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def empty(path: Path) -> None:
    path.write_bytes(b"")


def folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()


BROKEN = {"truncated": truncate, "flipped": flip_a_byte, "empty": empty, "folder": folder_instead}


def doctor_line(cli, raw: Path, cache: Path) -> tuple[int, str]:
    out = cli("doctor", env={"BRUSHSTROKES_WEIGHTS": str(raw), "BRUSHSTROKES_CACHE": str(cache)})
    assert "Traceback" not in out.stdout + out.stderr, out.stderr
    return out.returncode, next(line for line in out.stdout.splitlines() if "] normalised" in line)


@pytest.mark.parametrize("how", list(BROKEN))
def test_doctor_names_a_broken_normalised_model_and_the_command_that_repairs_it(cli, models, tmp_path, how):
    target = normalise.normalised_path(models)
    BROKEN[how](target)
    status, line = doctor_line(cli, models, tmp_path / "cache")
    assert status == 1 and line.startswith("  [FAIL] normalised") and str(target) in line
    if how == "folder":
        assert f"rm -r {target}" in line and "`brushstrokes fetch-model`" in line
        target.rmdir()  # what it says to do first
    else:
        assert "-> run `brushstrokes fetch-model`" in line
    fetch = cli("fetch-model", env={"BRUSHSTROKES_WEIGHTS": str(models), "BRUSHSTROKES_CACHE": str(tmp_path / "c")})
    assert fetch.returncode == 0, fetch.stdout + fetch.stderr
    record = normalise.read_record(models, weights.md5sum(models))
    assert weights.md5sum(target) == record["md5"]  # the same bytes as recorded
    status, line = doctor_line(cli, models, tmp_path / "cache")
    assert status == 0 and line.startswith("  [ok  ] normalised") and "matches its .md5" in line


def test_fetch_model_refuses_a_folder_in_place_of_the_normalised_model(cli, models, tmp_path):
    target = normalise.normalised_path(models)
    folder_instead(target)
    (target / "kept.txt").write_text("mine\n")
    out = cli("fetch-model", env={"BRUSHSTROKES_WEIGHTS": str(models), "BRUSHSTROKES_CACHE": str(tmp_path / "c")})
    assert "is a folder, not a file" in one_error(out)
    assert (target / "kept.txt").read_text() == "mine\n"


def test_the_doctor_verifies_the_normalised_model_by_its_record_when_its_md5_is_gone(cli, models):
    target = normalise.normalised_path(models)
    weights.sidecar_path(target).write_text("garbage\n")
    verified = normalise.check_normalised(models)
    assert verified is not None and verified.by == normalise.record_path(models).name
    status, line = doctor_line(cli, models, models.parent)
    assert status == 0 and "matches its .md5" in line  # the first check wrote it again


@pytest.mark.slow
@pytest.mark.parametrize("sidecar", [None, "", "garbage\n"])
def test_an_intact_normalised_model_without_a_good_md5_is_verified_by_its_record(models, sidecar):
    from brushstrokes.net.vgg import load_vgg19

    target = normalise.normalised_path(models)
    md5 = weights.sidecar_path(target)
    md5.unlink()
    if sidecar is not None:
        md5.write_text(sidecar)
    before = weights.md5sum(target)
    assert load_vgg19(weights=models, normalised=True, shape=(32, 32)) is not None
    assert weights.md5sum(target) == before  # used as it is: not made again
    assert md5.read_text().strip() == before  # its .md5 recorded again
    assert normalise.check_normalised(models).by == "sidecar"


@pytest.mark.slow
def test_a_broken_normalised_model_is_made_again_on_first_use(models):
    from brushstrokes.net.vgg import load_vgg19

    target = normalise.normalised_path(models)
    truncate(target)
    said = []
    assert normalise.ensure_normalised(models, say=said.append) == target
    assert said[0].startswith("making the normalised VGG19 again: ") and "as recorded" in said[1]
    assert load_vgg19(weights=models, normalised=True, shape=(32, 32)) is not None


@pytest.mark.slow
def test_the_normalised_record_cannot_vouch_for_other_raw_weights(models):
    """A record made from other raw bytes does not verify anything: the model is made again (not used)."""
    target = normalise.normalised_path(models)
    weights.sidecar_path(target).unlink()
    assert normalise.check_normalised(models, raw_md5="0" * 32) is None


# ---------------------------------------------------------------- reset: one line, the lesson file unchanged

@pytest.fixture
def learner(tmp_path, monkeypatch) -> Path:
    """A lesson folder holding a finished lesson 1, and a state folder, both temporary."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    shutil.copyfile(paths.ROOT / "solutions" / "lesson1_content.py", folder / "lesson1_content.py")
    monkeypatch.setenv("BRUSHSTROKES_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("BRUSHSTROKES_LANG", "en")
    return folder


def test_reset_when_the_backup_cannot_be_written_says_so_and_changes_nothing(cli, learner, tmp_path):
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "backups").write_text("a file where the backups folder goes\n")
    before = digests(learner)
    out = cli("reset", "1.1", "--lessons-dir", str(learner))
    error = one_error(out)
    assert "cannot keep a backup of content_loss in" in error and "it is a file, not a folder" in error
    assert "lesson1_content.py is unchanged" in error
    assert digests(learner) == before


def test_reset_when_the_lesson_file_cannot_be_written_says_so_and_changes_nothing(learner, monkeypatch, capsys):
    from brushstrokes.cli import main

    real_replace = os.replace

    def denied(src, dst):
        if Path(dst).name == "lesson1_content.py":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_replace(src, dst)

    before = digests(learner)
    monkeypatch.setattr(os, "replace", denied)
    assert main(["reset", "1.1", "--lessons-dir", str(learner)]) == 2
    err = capsys.readouterr().err
    assert err.count("error: ") == 1 and "Traceback" not in err
    assert "lesson1_content.py (Permission denied): it is unchanged" in err
    assert digests(learner) == before and not list(learner.glob(".partial-*"))


# ---------------------------------------------------------------- --out replaced by a file while a run is going

@pytest.mark.slow
def test_out_replaced_by_a_file_during_a_run_is_one_line_and_the_file_is_kept(tmp_path, monkeypatch):
    from brushstrokes.net import images
    from brushstrokes.runs import content

    out = tmp_path / "out"
    real_noise = images.white_noise

    def noise_then_swap(*args, **kwargs):  # called once the arguments are checked, before the loop
        shutil.rmtree(out)
        out.write_text("the learner's notes\n")
        return real_noise(*args, **kwargs)

    monkeypatch.setattr(images, "white_noise", noise_then_swap)
    with pytest.raises(BrushstrokesError) as err:
        content.run_content(paths.CAT, longest=32, iters=1, out=out)
    assert f"{out} is no longer a folder" in err.value.message and "nothing there was touched" in err.value.message
    assert out.read_text() == "the learner's notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# ---------------------------------------------------------------- a kill between the renames of one run's pictures

KILLED_BETWEEN_RENAMES = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from brushstrokes.base import outputs
    folder = Path(sys.argv[1])
    real_replace, done = os.replace, []
    def replace(src, dst):
        real_replace(src, dst)
        done.append(dst)
        if len(done) == 2:
            os.kill(os.getpid(), signal.SIGKILL)  # no handler, no cleanup: between the 2nd and 3rd rename
    os.replace = replace
    with outputs.OutputSet(folder) as files:
        for name in ("a.png", "a_loss.png", "a_frames.png"):
            files.path(name).write_text("new " + name)
""")


def test_a_run_killed_between_its_renames_is_finished_by_the_next_command(cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    names = ("a.png", "a_loss.png", "a_frames.png")
    for name in names:
        (out / name).write_text("old " + name)
    killed = cli("-c", KILLED_BETWEEN_RENAMES, str(out), program=None, timeout=60)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert {(out / name).read_text().split()[0] for name in names} == {"old", "new"}  # mixed, for now
    said = cli("-c", "import sys; from brushstrokes.runs.validate import out_folder; out_folder(sys.argv[1])",
               str(out), program=None, timeout=60)
    assert said.returncode == 0, said.stderr
    assert "killed while saving them" in said.stdout
    assert [(out / name).read_text() for name in names] == ["new " + name for name in names]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)


def test_the_journal_of_a_run_renaming_now_is_left_alone(tmp_path):
    import fcntl
    import json

    tmp = tmp_path / ".partial-a-x.png"
    tmp.write_text("new")
    (tmp_path / "a.png").write_text("old")
    journal = tmp_path / (outputs.JOURNAL + "live.json")
    journal.write_text(json.dumps([[tmp.name, "a.png"]]))
    with open(journal) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        assert outputs.finish_commits(tmp_path) == []
    assert (tmp_path / "a.png").read_text() == "old" and tmp.exists() and journal.exists()
    assert outputs.finish_commits(tmp_path) == ["a.png"]
    assert (tmp_path / "a.png").read_text() == "new" and not journal.exists()


def test_a_journal_never_renames_onto_what_is_no_longer_a_file(tmp_path):
    import json

    tmp = tmp_path / ".partial-a-x.png"
    tmp.write_text("new")
    os.mkfifo(tmp_path / "a.png")
    (tmp_path / (outputs.JOURNAL + "old.json")).write_text(json.dumps([[tmp.name, "a.png"], ["../x", "../y"]]))
    assert outputs.finish_commits(tmp_path) == []
    assert stat.S_ISFIFO((tmp_path / "a.png").lstat().st_mode)


def test_readme_states_the_guarantee():
    text = (paths.ROOT / "README.md").read_text()
    assert "killed between the renames" in text
