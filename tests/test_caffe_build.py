"""pycaffe is importable in .venv and is the project's own patched build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from brushstrokes import paths


def test_import_caffe_in_venv():
    venv_python = paths.ROOT / ".venv" / "bin" / "python"
    assert venv_python.exists(), "run `make setup` first"
    out = subprocess.run([str(venv_python), "-c", "import caffe, sys; print(caffe.__file__); print(sys.version)"],
                         capture_output=True, text=True, env={"GLOG_minloglevel": "2"})
    assert out.returncode == 0, out.stderr
    assert "/caffe/" in out.stdout and out.stdout.splitlines()[1].startswith("3.11")


def test_build_is_cached_outside_the_repo_and_recorded():
    from brushstrokes.caffe_env import build_info

    info = build_info()
    assert info["variant"] in ("cpu", "cuda")
    assert not Path(info["path"]).is_relative_to(paths.ROOT)
    assert (Path(info["prefix"]) / "BUILD_INFO").exists()


def test_numpy2_fixes_in_pycaffe_io():
    """The patched caffe.io works with numpy 2 (tostring/fromstring are gone there)."""
    import caffe.io
    import numpy as np

    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    assert np.array_equal(caffe.io.datum_to_array(caffe.io.array_to_datum(arr)), arr)


def test_python_is_311():
    assert sys.version_info[:2] == (3, 11)


def test_build_script_reuses_the_cached_build():
    """A second build with the same inputs is a cache hit that returns the active prefix."""
    from brushstrokes.caffe_env import build_info

    info = build_info()
    variant = "1" if info["variant"] == "cuda" else "0"
    out = subprocess.run(["bash", str(paths.ROOT / "tools" / "caffe" / "build.sh"),
                          str(paths.ROOT / ".venv" / "bin" / "python"), variant],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "cached build" in out.stderr
    assert out.stdout.strip().splitlines()[-1] == info["prefix"]
