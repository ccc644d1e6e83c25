"""Per-layer CPU profile of VGG19 in pycaffe: forward to relu5_1 and backward to the image.

Each layer is timed alone (net.forward(start=L, end=L), net.backward(start=L, end=L)), median of
--repeats after a warm-up. Where a 3x3 convolution runs as im2col + GEMM, Caffe's im2col (forward)
and col2im (backward to the data) are timed separately on the same shapes by calling them in the
loaded libcaffe, and the rest is OpenBLAS sgemm (plus the bias in the forward pass); where oneDNN
runs it (the default build: every convolution but conv1_1's backward pass, which has 3 channels),
the whole time is oneDNN's, reorders included. GFLOP/s: 2 * Cout * Cin * 9 * H * W per pass over
the time without im2col/col2im. The weights are frozen, so the backward pass is the
gradient to the data only, as in the lessons.
Usage: .venv/bin/python tools/caffe/profile_layers.py [--size 256] [--repeats 7]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from brushstrokes.net.caffe_env import build_info, import_caffe  # noqa: E402
from brushstrokes.net.layers import set_input_shape  # noqa: E402
from brushstrokes.net.vgg import load_vgg19  # noqa: E402

END = "relu5_1"


def median_time(fn, repeats: int) -> float:
    fn()
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def caffe_kernels(caffe) -> tuple:
    """im2col_cpu<float> and col2im_cpu<float> from the libcaffe that pycaffe loaded."""
    prefix = Path(build_info()["prefix"])
    lib = ctypes.CDLL(str(sorted((prefix / "lib").glob("libcaffe.so*"))[-1]))
    sig = [ctypes.c_void_p] + [ctypes.c_int] * 11 + [ctypes.c_void_p]
    im2col = lib._ZN5caffe10im2col_cpuIfEEvPKT_iiiiiiiiiiiPS1_
    col2im = lib._ZN5caffe10col2im_cpuIfEEvPKT_iiiiiiiiiiiPS1_
    for f in (im2col, col2im):
        f.argtypes, f.restype = sig, None
    return im2col, col2im


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=256, help="longest side in px (3:2 landscape, as make bench)")
    p.add_argument("--repeats", type=int, default=7)
    args = p.parse_args()
    caffe = import_caffe()
    h, w = round(args.size * 2 / 3), args.size
    net = load_vgg19()
    caffe.set_mode_cpu()
    set_input_shape(net, h, w)
    net.blobs["data"].data[...] = np.random.default_rng(0).standard_normal((1, 3, h, w)) * 50
    net.forward(end=END)
    net.blobs["conv5_1"].diff[...] = 1.0
    net.backward(start=END)
    im2col, col2im = caffe_kernels(caffe)
    onednn = build_info()["conv"] == "oneDNN"

    names = list(net._layer_names)
    layers = names[names.index("conv1_1"):names.index(END) + 1] if "conv1_1" in names else names
    bottoms = {name: net.bottom_names[name][0] for name in layers}
    rows = []
    for name, layer in zip(names, net.layers, strict=True):
        if name not in layers:
            continue
        kind = layer.type
        fwd = median_time(lambda n=name: net.forward(start=n, end=n), args.repeats)
        bwd = median_time(lambda n=name: net.backward(start=n, end=n), args.repeats)
        row = {"name": name, "type": kind, "fwd": fwd, "bwd": bwd}
        if kind == "Convolution":
            _, cin, hh, ww = net.blobs[bottoms[name]].data.shape
            cout = net.params[name][0].data.shape[0]
            im = np.ascontiguousarray(net.blobs[bottoms[name]].data[0])
            col = np.empty((cin * 9, hh * ww), np.float32)
            geom = (cin, hh, ww, 3, 3, 1, 1, 1, 1, 1, 1)
            out = np.empty_like(im)
            p_im, p_col, p_out = im.ctypes.data, col.ctypes.data, out.ctypes.data
            gemm_f, gemm_b = not onednn, not onednn or cin < 8  # as dnnl-conv.patch chooses
            t_im = median_time(lambda a=p_im, c=p_col, g=geom: im2col(a, *g, c), args.repeats) if gemm_f else 0.0
            t_col = median_time(lambda c=p_col, o=p_out, g=geom: col2im(c, *g, o), args.repeats) if gemm_b else 0.0
            row["im2col"], row["col2im"] = t_im, t_col
            row["flop"] = 2.0 * cout * cin * 9 * hh * ww
            row["shape"] = f"{cin}->{cout} {ww}x{hh}"
        rows.append(row)

    full_f = median_time(lambda: net.forward(end=END), args.repeats)

    def full_b() -> None:
        net.blobs["conv5_1"].diff[...] = 1.0
        net.backward(start=END)

    full_b_t = median_time(full_b, args.repeats)
    info = build_info()
    print(f"VGG19 to {END}, {w}x{h} px (WxH), CPU, Caffe {info['variant']} ({Path(info['prefix']).parent.name}), "
          f"convolutions: {info['conv']}, "
          f"{os.cpu_count()} CPUs, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '-')}, "
          f"median of {args.repeats}; ms")
    print(f"{'layer':9s} {'shape':19s} {'fwd':>7s} {'im2col':>7s} {'GF/s':>6s} {'bwd':>7s} {'col2im':>7s} {'GF/s':>6s}")
    tot = {k: 0.0 for k in ("conv_f", "im2col", "conv_b", "col2im", "relu_f", "relu_b", "pool_f", "pool_b")}
    for r in rows:
        line = f"{r['name']:9s} {r.get('shape', r['type']):19s} {r['fwd'] * 1e3:7.1f}"
        if r["type"] == "Convolution":
            gf = r["flop"] / (r["fwd"] - r["im2col"]) / 1e9
            gb = r["flop"] / (r["bwd"] - r["col2im"]) / 1e9
            line += f" {r['im2col'] * 1e3:7.1f} {gf:6.0f} {r['bwd'] * 1e3:7.1f} {r['col2im'] * 1e3:7.1f} {gb:6.0f}"
            tot["conv_f"] += r["fwd"]
            tot["im2col"] += r["im2col"]
            tot["conv_b"] += r["bwd"]
            tot["col2im"] += r["col2im"]
        else:
            line += f" {'':7s} {'':6s} {r['bwd'] * 1e3:7.1f}"
            key = "relu" if r["type"] == "ReLU" else "pool"
            tot[key + "_f"] += r["fwd"]
            tot[key + "_b"] += r["bwd"]
        print(line)
    layer_sum = sum(r["fwd"] + r["bwd"] for r in rows)
    print(f"sum of layers {layer_sum * 1e3:.1f} ms; whole passes: forward {full_f * 1e3:.1f} + backward "
          f"{full_b_t * 1e3:.1f} = {(full_f + full_b_t) * 1e3:.1f} ms")
    print("share of the sum of layers:")
    engine = "oneDNN" if onednn else "sgemm"
    for label, t in ((f"conv forward: {engine} + bias", tot["conv_f"] - tot["im2col"]),
                     ("conv forward: im2col", tot["im2col"]),
                     (f"conv backward to data: {engine}" + (" (conv1_1: sgemm)" if onednn else ""),
                      tot["conv_b"] - tot["col2im"]),
                     ("conv backward to data: col2im", tot["col2im"]),
                     ("ReLU forward", tot["relu_f"]), ("ReLU backward", tot["relu_b"]),
                     ("pooling forward", tot["pool_f"]), ("pooling backward", tot["pool_b"])):
        print(f"  {label:46s} {t * 1e3:7.1f} ms  {100 * t / layer_sum:5.1f} %")


if __name__ == "__main__":
    main()
