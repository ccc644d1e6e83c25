"""The tools and the checks never lose work either: the site's figures, the references and the score JSON are
written whole or not at all, and a --score-json that cannot be written is one line saying what to do."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from brushstrokes.base import outputs, paths

OLD_SCORE = '{"old": true}\n'


def score_run(score: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "checks/", "--solutions", "-q", "-k", "1.1", "-p",
                           "no:cacheprovider", "--color=no", "--score-json", str(score)], capture_output=True,
                          text=True, timeout=120, cwd=paths.ROOT, env={**os.environ, "BRUSHSTROKES_LANG": "en"})


@pytest.mark.parametrize("kind", ["read-only folder", "under a file", "a folder"])
def test_an_unwritable_score_json_is_refused_before_any_check(tmp_path, kind):
    folder = tmp_path / "scores"
    folder.mkdir()
    (folder / "old.json").write_text(OLD_SCORE)
    score = {"read-only folder": folder / "score.json", "under a file": folder / "old.json" / "score.json",
             "a folder": folder}[kind]
    if kind == "read-only folder":
        folder.chmod(0o555)
    try:
        out = score_run(score)
    finally:
        folder.chmod(0o755)
    assert out.returncode == 4, out.stdout + out.stderr
    assert "Traceback" not in out.stdout + out.stderr and "passed" not in out.stdout
    errors = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and f"--score-json {score} cannot be written: " in errors[0], out.stderr
    assert "give a file in a writable folder, e.g. --score-json output/score.json" in errors[0]
    assert (folder / "old.json").read_text() == OLD_SCORE and sorted(p.name for p in folder.iterdir()) == ["old.json"]


def test_a_score_json_that_fails_to_save_keeps_the_old_one(tmp_path, monkeypatch):
    from checks import grading

    score = tmp_path / "score.json"
    score.write_text(OLD_SCORE)

    real_write = Path.write_bytes

    def full_disk(self, data):
        real_write(self, data[:10])  # half written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full_disk)
    problem = grading.write_score_json(score, {"target": "solutions/", "lessons": []})
    monkeypatch.undo()
    assert problem == (f"--score-json {score} cannot be written: No space left on device; give a file in a writable "
                       "folder, e.g. --score-json output/score.json")
    assert score.read_text() == OLD_SCORE and [p.name for p in tmp_path.iterdir()] == ["score.json"]
    assert grading.write_score_json(score, {"target": "solutions/"}) is None and '"solutions/"' in score.read_text()


def test_the_score_json_message_in_chinese(monkeypatch, tmp_path):
    from checks import grading

    monkeypatch.setenv("BRUSHSTROKES_LANG", "zh")
    (tmp_path / "f").write_text("")
    with pytest.raises(pytest.UsageError) as err:
        grading.score_json_path(tmp_path / "f" / "score.json")
    assert "无法写入 --score-json" in str(err.value) and "文件夹" in str(err.value) and "例如" in str(err.value)


def test_the_site_figures_replace_the_old_pair_together_or_not_at_all(tmp_path, monkeypatch):
    sys.path.insert(0, str(paths.ROOT))
    from tools.site.figures import inputs as site_figures

    if not site_figures.FONT.exists():
        pytest.skip(f"{site_figures.FONT} is not installed")
    monkeypatch.setattr(site_figures, "OUT", tmp_path)
    for name in ("inputs.png", "inputs.zh.png"):
        (tmp_path / name).write_bytes(b"old " + name.encode())
    real = site_figures.labelled_row
    calls = []

    def second_fails(pictures, labels):
        calls.append(labels)
        if len(calls) == 2:
            raise KeyboardInterrupt  # Ctrl-C while the Chinese picture is made
        return real(pictures, labels)

    monkeypatch.setattr(site_figures, "labelled_row", second_fails)
    with pytest.raises(KeyboardInterrupt):
        site_figures.main()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        "inputs.png": b"old inputs.png", "inputs.zh.png": b"old inputs.zh.png"}
    monkeypatch.setattr(site_figures, "labelled_row", real)
    assert site_figures.main() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inputs.png", "inputs.zh.png"]
    assert all((tmp_path / n).read_bytes().startswith(b"\x89PNG") for n in ("inputs.png", "inputs.zh.png"))


def test_an_interrupted_make_references_leaves_the_old_file_whole(tmp_path, monkeypatch):
    sys.path.insert(0, str(paths.ROOT))
    from tools.dev.references import __main__ as references

    old = tmp_path / "lesson1.npz"
    np.savez(old, a=np.arange(3))
    before = old.read_bytes()
    monkeypatch.setattr(references, "load_vgg19", lambda **kwargs: None)
    monkeypatch.setattr(references, "use_best_device", lambda: "cpu")
    monkeypatch.setattr(references, "metadata", lambda device, lesson, inputs: {})

    def interrupted(f, **arrays):
        f.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt

    monkeypatch.setattr(references.np, "savez_compressed", interrupted)
    monkeypatch.setattr("tools.dev.references.lesson1.make", lambda net: {"x": np.zeros(2)})
    with pytest.raises(KeyboardInterrupt):
        references.main(["--lesson", "1", "--out", str(tmp_path)])
    assert old.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["lesson1.npz"]
    assert not list(tmp_path.glob(outputs.PARTIAL + "*"))
