"""pycaffe is importable in .venv and is the project's own patched build."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

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
