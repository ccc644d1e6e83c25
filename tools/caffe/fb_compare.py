"""One VGG19 forward (to relu5_1) and backward (to the image) through pycaffe, saved or compared.

Needs only pycaffe and numpy (no brushstrokes, no HOME), so that it runs in a bundle started with
`env -i`. The input is seeded, 256x171 px (WxH) like `make bench`; the gradient injected at conv5_1
is all ones. The .npz holds every conv layer's output and the input gradient.

  python tools/caffe/fb_compare.py run PROTOTXT CAFFEMODEL OUT.npz [--gpu]
  python tools/caffe/fb_compare.py compare A.npz B.npz [--tol 1e-6]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

END, TOP = "relu5_1", "conv5_1"


def run(prototxt: str, weights: str, out: str, gpu: bool) -> None:
    os.environ.setdefault("GLOG_minloglevel", "2")
    import caffe

    if gpu:
        caffe.set_device(0)
        caffe.set_mode_gpu()
    else:
        caffe.set_mode_cpu()
    net = caffe.Net(prototxt, weights, caffe.TEST)
    h, w = 171, 256
    net.blobs["data"].reshape(1, 3, h, w)
    net.reshape()
    net.blobs["data"].data[...] = (np.random.default_rng(0).standard_normal((1, 3, h, w)) * 50).astype(np.float32)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        net.forward(end=END)
        net.blobs[TOP].diff[...] = 1.0
        net.backward(start=END)
        times.append(time.perf_counter() - t0)
    arrays = {name: net.blobs[name].data.copy() for name in net.blobs if name.startswith("conv")
              and list(net.blobs).index(name) <= list(net.blobs).index(TOP)}
    arrays["data_grad"] = net.blobs["data"].diff.copy()
    np.savez(out, **arrays)
    print(f"{'GPU' if gpu else 'CPU'} forward+backward {min(times) * 1000:.1f} ms (min of 3), "
          f"caffe {caffe.__file__}, python {sys.version.split()[0]} -> {out}")


def compare(a: str, b: str, tol: float) -> int:
    x, y = np.load(a), np.load(b)
    worst = 0.0
    for name in x.files:
        u, v = x[name].astype(np.float64), y[name].astype(np.float64)
        rel = float(np.abs(u - v).max() / max(np.abs(v).max(), 1e-30))
        worst = max(worst, rel)
        print(f"  {name:10s} max |diff| / max |value| = {rel:.2e}")
    verdict = "same" if worst <= tol else "DIFFERENT"
    print(f"{verdict}: largest relative difference {worst:.2e} (tolerance {tol:g})")
    return 0 if worst <= tol else 1


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("prototxt")
    r.add_argument("weights")
    r.add_argument("out")
    r.add_argument("--gpu", action="store_true")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    c.add_argument("--tol", type=float, default=1e-6)
    args = p.parse_args()
    if args.cmd == "run":
        run(args.prototxt, args.weights, args.out, args.gpu)
    else:
        sys.exit(compare(args.a, args.b, args.tol))


if __name__ == "__main__":
    main()
