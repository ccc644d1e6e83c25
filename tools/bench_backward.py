"""Benchmark: VGG19 backward pass to the image with frozen layers vs. Caffe 1.0's behaviour.

Caffe 1.0's force_backward also computed every weight gradient. Brushstrokes' build skips
the weight gradients of frozen (lr_mult: 0) layers. The peer, measured in the same run on
the same build, is the same net without lr_mult: 0, which is what Caffe 1.0 did for every net.
Usage: .venv/bin/python tools/bench_backward.py [--size 256] [--repeats 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from brushstrokes.base import paths
from brushstrokes.net.build import net_from_text, prototxt_text
from brushstrokes.net.caffe_env import build_info, use_best_device
from brushstrokes.net.layers import set_input_shape

FROZEN = "param { lr_mult: 0 decay_mult: 0 }\n"


def make_net(text: str, size: int):
    """A size x size net from prototxt text with the real weights and a random input."""
    net = net_from_text(text, paths.weights_path())
    set_input_shape(net, size, size)
    net.blobs["data"].data[...] = np.random.default_rng(0).standard_normal(net.blobs["data"].data.shape) * 50
    return net


def time_pass(net, repeats: int) -> tuple[float, float]:
    """Median seconds of forward to relu5_1 and of backward from conv5_1 to the image."""
    fwd, bwd = [], []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        net.forward(end="relu5_1")
        t1 = time.perf_counter()
        net.blobs["conv5_1"].diff[...] = 1.0
        net.backward(start="conv5_1")
        t2 = time.perf_counter()
        fwd.append(t1 - t0)
        bwd.append(t2 - t1)
    return statistics.median(fwd[1:]), statistics.median(bwd[1:])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    device = use_best_device()
    info = build_info()
    print(f"VGG19 to relu5_1, {args.size}x{args.size} px, {device.upper()}, Caffe {info['variant']} build, "
          f"{os.cpu_count()} CPUs, median of {args.repeats}")
    variants = {"frozen": prototxt_text(), "all weights": prototxt_text().replace(FROZEN, "")}
    results = {label: [] for label in variants}
    for _ in range(2):  # interleave the two so that machine noise hits both alike
        for label, text in variants.items():
            results[label].append(time_pass(make_net(text, args.size), args.repeats))
    for label, runs in results.items():
        fwd = min(r[0] for r in runs)
        bwd = min(r[1] for r in runs)
        print(f"  {label:12s} forward {fwd * 1000:7.0f} ms   backward {bwd * 1000:7.0f} ms")
    speedup = min(r[1] for r in results["all weights"]) / min(r[1] for r in results["frozen"])
    print(f"backward speed-up from skipping frozen weight gradients: {speedup:.2f}x")


if __name__ == "__main__":
    main()
