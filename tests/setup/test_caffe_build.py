"""pycaffe is importable in .venv and is the project's own patched build; the patch series (tools/caffe/patches)
is complete, described, keyed by its diffs alone, and round-trips through its git tree."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from brushstrokes.base import paths


def test_import_caffe_in_venv():
    venv_python = paths.ROOT / ".venv" / "bin" / "python"
    assert venv_python.exists(), "run `make setup` first"
    out = subprocess.run([str(venv_python), "-c", "import caffe, sys; print(caffe.__file__); print(sys.version)"],
                         capture_output=True, text=True, env={"GLOG_minloglevel": "2"})
    assert out.returncode == 0, out.stderr
    assert "/caffe/" in out.stdout and out.stdout.splitlines()[1].startswith("3.11")


def test_build_is_cached_outside_the_repo_and_recorded():
    from brushstrokes.net.caffe_env import build_info

    info = build_info()
    assert info["variant"] in ("cpu", "cuda")
    assert not Path(info["path"]).is_relative_to(paths.ROOT)
    assert (Path(info["prefix"]) / "BUILD_INFO").exists()


def test_numpy2_fixes_in_pycaffe_io():
    """The patched caffe.io works with numpy 2 (tostring/fromstring are gone there)."""
    import caffe.io

    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    assert np.array_equal(caffe.io.datum_to_array(caffe.io.array_to_datum(arr)), arr)


def test_python_is_311():
    assert sys.version_info[:2] == (3, 11)


def test_build_script_reuses_the_cached_build():
    """A second build with the same inputs is a cache hit that returns the active prefix."""
    from brushstrokes.net.caffe_env import build_info

    info = build_info()
    variant = "1" if info["variant"] == "cuda" else "0"
    out = subprocess.run(["bash", str(paths.ROOT / "tools" / "caffe" / "build.sh"),
                          str(paths.ROOT / ".venv" / "bin" / "python"), variant],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "cached build" in out.stderr
    assert out.stdout.strip().splitlines()[-1] == info["prefix"]


CAFFE_TOOLS = paths.ROOT / "tools" / "caffe"
PATCHES = CAFFE_TOOLS / "patches"


def _series() -> list[tuple[str, str]]:
    """(patch file, condition) per line of tools/caffe/patches/series, in order."""
    rows = [line.split() for line in (PATCHES / "series").read_text().splitlines()]
    return [(row[0], row[1] if len(row) > 1 else "always") for row in rows if row and not row[0].startswith("#")]


def test_series_names_every_patch_once_and_each_says_what_it_is_for():
    names = [name for name, _ in _series()]
    assert sorted(names) == sorted(p.name for p in PATCHES.glob("*.patch")), "patches/series and the folder differ"
    assert len(set(names)) == len(names)
    for name, condition in _series():
        assert condition == "always" or condition.split("=")[0] in ("OPENMP", "DNNL", "CUDNN"), (name, condition)
        text = (PATCHES / name).read_text()
        description = text[:text.index("diff --git ")].strip()
        assert description, f"{name}: no description before its first 'diff --git' line"


def _series_key(patches_dir: Path, settings: str) -> str:
    """caffe-source.sh's series_key for the patches in patches_dir under the build settings ('OPENMP=1 ...')."""
    script = f'set -euo pipefail; log() {{ echo "$*" >&2; }}; . "{CAFFE_TOOLS}/caffe-source.sh"; ' \
             f'CAFFE_PATCHES="{patches_dir}"; {settings}; series_key'
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_cache_key_hashes_the_applied_diffs_not_the_descriptions(tmp_path):
    cpu, cudnn = "OPENMP=1 DNNL=1 CUDNN=0", "OPENMP=1 DNNL=0 CUDNN=1"
    copy = tmp_path / "patches"
    shutil.copytree(PATCHES, copy)
    before = {settings: _series_key(copy, settings) for settings in (cpu, cudnn)}
    assert [line.split()[0] for line in before[cpu].splitlines()] == \
        ["brushstrokes-fixes.patch", "cpu-speed.patch", "dnnl-conv.patch"]
    assert [line.split()[0] for line in before[cudnn].splitlines()] == \
        ["brushstrokes-fixes.patch", "cpu-speed.patch", "cuda-cudnn9.patch"]
    for patch in copy.glob("*.patch"):
        patch.write_text("Another description.\n\n" + patch.read_text())
    (copy / "series").write_text("# another comment\n" + (copy / "series").read_text())
    assert {settings: _series_key(copy, settings) for settings in (cpu, cudnn)} == before
    cuda_patch = copy / "cuda-cudnn9.patch"
    cuda_patch.write_text(cuda_patch.read_text() + " \n")
    assert _series_key(copy, cpu) == before[cpu], "a patch the CPU build does not apply moved its key"
    assert _series_key(copy, cudnn) != before[cudnn]


def test_patch_tree_exports_the_patches_byte_for_byte(tmp_path):
    """patch-tree.sh lays the Debian source out with one commit per patch; --export of the untouched tree
    writes every patch back unchanged (run on a copy of tools/caffe, from the cached source package)."""
    cache = paths.cache_dir()
    if not any((cache / "downloads").glob("caffe-*/OK")):
        pytest.skip("Debian's caffe source package is not in the cache yet (make setup downloads it)")
    tools = tmp_path / "caffe"
    tools.mkdir()
    for name in ("caffe-source.sh", "patch-tree.sh"):
        shutil.copy2(CAFFE_TOOLS / name, tools / name)
    shutil.copytree(PATCHES, tools / "patches")
    env = {**os.environ, "BRUSHSTROKES_CACHE": str(cache)}
    tree = tmp_path / "tree"
    made = subprocess.run(["bash", str(tools / "patch-tree.sh"), str(tree)], capture_output=True, text=True,
                          env=env, timeout=180)
    assert made.returncode == 0, made.stderr
    log = subprocess.run(["git", "-C", str(tree), "log", "--format=%(trailers:key=Patch,valueonly)%x00"],
                         capture_output=True, text=True, check=True).stdout
    trailers = [entry.strip() for entry in log.split("\0") if entry.strip()]
    assert trailers[::-1] == [name for name, _ in _series()]
    for patch in (tools / "patches").glob("*.patch"):
        patch.write_text("stale\n")
    exported = subprocess.run(["bash", str(tools / "patch-tree.sh"), "--export", str(tree)], capture_output=True,
                              text=True, env=env, timeout=120)
    assert exported.returncode == 0, exported.stderr
    for name, _ in _series():
        assert (tools / "patches" / name).read_bytes() == (PATCHES / name).read_bytes(), name


RELU_NET = """
input: "data" input_shape {{ dim: 2 dim: 3 dim: 33 dim: 47 }}
force_backward: true
layer {{ name: "conv" type: "Convolution" bottom: "data" top: "conv"
  convolution_param {{ num_output: 5 kernel_size: 3 pad: 1 weight_filler {{ type: "gaussian" std: 0.3 }} }} }}
layer {{ name: "relu" type: "ReLU" bottom: "conv" top: "conv" relu_param {{ negative_slope: {slope} }} }}
layer {{ name: "pool" type: "Pooling" bottom: "conv" top: "pool"
  pooling_param {{ pool: AVE kernel_size: 2 stride: 2 }} }}
"""


def _conv3x3(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    """float64 3x3 'same' convolution: x (N, C, H, W), w (K, C, 3, 3) -> (N, K, H, W)."""
    n, c, h, wd = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, w.shape[0], h, wd)) + b[None, :, None, None]
    for i in range(3):
        for j in range(3):
            out += np.einsum("nchw,kc->nkhw", xp[:, :, i:i + h, j:j + wd], w[:, :, i, j])
    return out


def test_conv_relu_avgpool_forward_and_backward_match_numpy(tmp_path):
    """The OpenMP im2col/col2im, the ReLU fast path (slope 0) and the general one, and the threaded average
    pooling (odd sizes: clipped windows) give numpy's float64 results to float32 rounding, forward and backward."""
    from brushstrokes.net.caffe_env import import_caffe

    caffe = import_caffe()
    caffe.set_mode_cpu()
    rng = np.random.default_rng(3)
    for slope in (0.0, 0.1):
        proto = tmp_path / f"relu{slope}.prototxt"
        proto.write_text(RELU_NET.format(slope=slope))
        net = caffe.Net(str(proto), caffe.TEST)
        x = rng.standard_normal(net.blobs["data"].data.shape).astype(np.float32)
        g = rng.standard_normal(net.blobs["pool"].data.shape).astype(np.float32)
        net.blobs["data"].data[...] = x
        net.forward()
        net.blobs["pool"].diff[...] = g
        net.backward()
        w, b = (p.data.astype(np.float64) for p in net.params["conv"])
        pre = _conv3x3(x.astype(np.float64), w, b)
        act = np.where(pre > 0, pre, slope * pre)
        ph, pw = net.blobs["pool"].data.shape[2:]
        padded = np.zeros(act.shape[:2] + (2 * ph, 2 * pw))
        padded[:, :, :act.shape[2], :act.shape[3]] = act
        count = np.zeros((2 * ph, 2 * pw))
        count[:act.shape[2], :act.shape[3]] = 1
        sizes = count.reshape(ph, 2, pw, 2).sum(axis=(1, 3))
        pooled = padded.reshape(*act.shape[:2], ph, 2, pw, 2).sum(axis=(3, 5)) / sizes
        np.testing.assert_allclose(net.blobs["pool"].data, pooled, rtol=1e-5, atol=1e-5)
        d_act = np.repeat(np.repeat(g.astype(np.float64) / sizes, 2, axis=2), 2, axis=3)[:, :, :act.shape[2],
                                                                                          :act.shape[3]]
        d_pre = d_act * np.where(pre > 0, 1.0, slope)
        d_x = np.zeros_like(x, dtype=np.float64)
        d_pre_p = np.pad(d_pre, ((0, 0), (0, 0), (1, 1), (1, 1)))
        for i in range(3):
            for j in range(3):
                d_x += np.einsum("nkhw,kc->nchw", d_pre_p[:, :, 2 - i:2 - i + x.shape[2], 2 - j:2 - j + x.shape[3]],
                                 w[:, :, i, j])
        np.testing.assert_allclose(net.blobs["data"].diff, d_x, rtol=1e-4, atol=1e-5)
