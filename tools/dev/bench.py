"""Benchmark (`make bench`): VGG19 forward + backward to the image, pycaffe vs. PyTorch CPU, interleaved.

Per size (longest side 128, 256, 512 px at 3:2) and per deepest layer (relu5_1, relu4_2): ms per
forward + backward to the input (gradient on the input only, weights frozen), min and median over
rounds, peak RSS, and the build. Each side runs in its own process; the processes alternate
(caffe, torch, caffe, torch, ...) so that the machine's load hits both alike.

PyTorch runs from its own environment (default ~/.cache/brushstrokes/bench-venv, made on first use
with `python3.11 -m venv` and `pip install torch numpy` from PyPI; never .venv). Without it the bench
times pycaffe alone. Both sides read the same weights (exported once from the caffemodel to .npz) and
the same seeded input, and the bench prints how far their input gradients differ.

`--build PYTHONPATH[::VAR=VALUE...]` (repeatable) times other Caffe builds, or the same one with other
environment settings, in the same alternation, e.g. a new build against the current one.
`tools/dev/bench_paint.py` times `brushstrokes paint` end to end the same way.
Usage: .venv/bin/python tools/dev/bench.py [--rounds 3] [--reps 3] [--no-torch]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
SIZES = (128, 256, 512)
ENDS = ("relu5_1", "relu4_2")
CONVS = ("conv1_1", "conv1_2", "conv2_1", "conv2_2", "conv3_1", "conv3_2", "conv3_3", "conv3_4",
         "conv4_1", "conv4_2", "conv4_3", "conv4_4", "conv5_1")
SEED = 0


def shape(size: int) -> tuple[int, int]:
    """(H, W) in px: longest side `size`, 3:2 landscape."""
    return round(size * 2 / 3), size


def the_input(size: int) -> np.ndarray:
    """(1, 3, H, W) float32 seeded input, the same on both sides (about the range of a mean-subtracted image)."""
    h, w = shape(size)
    return (np.random.default_rng(SEED).standard_normal((1, 3, h, w)) * 50).astype(np.float32)


def cache_dir() -> Path:
    root = os.environ.get("BRUSHSTROKES_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "brushstrokes")
    return Path(root)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def openblas_info() -> str:
    """OpenBLAS's kernel and thread count as the Caffe library loaded it (empty when it is not OpenBLAS)."""
    import ctypes

    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return f"OpenBLAS {lib.openblas_get_corename().decode()} x{lib.openblas_get_num_threads()}"
    except (OSError, AttributeError):
        return "BLAS unknown"


def timed(run, reps: int) -> list[float]:
    """Seconds of each of `reps` calls of run(), after one warm-up call."""
    run()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        out.append(time.perf_counter() - t0)
    return out


def caffe_worker(reps: int, sizes: list[int], ends: list[str]) -> dict:
    """Times pycaffe in this process: {"times": {"size/end": [s, ...]}, "grad": {...}, "rss": MB, "build": str}."""
    sys.path.insert(0, str(ROOT))
    from brushstrokes.net.caffe_env import build_info, import_caffe
    from brushstrokes.net.layers import set_input_shape
    from brushstrokes.net.vgg import load_vgg19

    caffe = import_caffe()
    caffe.set_mode_cpu()
    net = load_vgg19()
    times, grads = {}, {}
    for size in sizes:
        set_input_shape(net, *shape(size))
        net.blobs["data"].data[...] = the_input(size)
        for end in ends:
            top = "conv" + end[4:]

            def run(end: str = end, top: str = top) -> None:
                net.forward(end=end)
                net.blobs[top].diff[...] = 1.0
                net.backward(start=end)

            times[f"{size}/{end}"] = timed(run, reps)
            grads[f"{size}/{end}"] = float(np.abs(net.blobs["data"].diff).astype(np.float64).sum())
    info = build_info()
    entry = Path(info["prefix"]).parent.name
    build = f"Caffe {info['variant']} ({entry}), convolutions {info['conv']}, {openblas_info()}"
    return {"times": times, "grad": grads, "rss": peak_rss_mb(), "build": build}


def export_weights(path: Path, normalised: bool = False) -> None:
    """The caffemodel's (or its normalised copy's) conv weights and biases as an .npz for PyTorch (written whole)."""
    sys.path.insert(0, str(ROOT))
    from brushstrokes.net.vgg import load_vgg19

    net = load_vgg19(normalised=normalised)
    arrays = {}
    for name in CONVS:
        arrays[name + "_w"] = net.params[name][0].data
        arrays[name + "_b"] = net.params[name][1].data
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.rename(path)


def torch_params(weights: str, device: str = "cpu") -> dict:
    """The exported .npz's conv weights and biases as PyTorch tensors on `device`: {conv name: (W, b)}."""
    import torch

    w = np.load(weights)
    return {name: (torch.from_numpy(w[name + "_w"]).to(device), torch.from_numpy(w[name + "_b"]).to(device))
            for name in CONVS}


def torch_vgg(x, params: dict, last: str = CONVS[-1]) -> dict:
    """VGG19's convolutions in PyTorch as Caffe runs them (average pooling, ceil mode) up to `last`.
    x: (1, 3, H, W) tensor; returns {conv name: its features after ReLU}."""
    import torch.nn.functional as F

    feats = {}
    for name in CONVS:
        if name.endswith("_1") and name != "conv1_1":
            x = F.avg_pool2d(x, 2, 2, ceil_mode=True)
        x = feats[name] = F.relu(F.conv2d(x, *params[name], padding=1))
        if name == last:
            break
    return feats


def torch_worker(reps: int, sizes: list[int], ends: list[str], weights: str) -> dict:
    """Times the same VGG19 (average pooling, ceil mode like Caffe) in PyTorch on the CPU."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    params = torch_params(weights)

    def net(x: torch.Tensor, end: str) -> torch.Tensor:
        last = "conv" + end[4:]
        return torch_vgg(x, params, last)[last]

    times, grads = {}, {}
    for size in sizes:
        x = torch.from_numpy(the_input(size)).requires_grad_(True)
        for end in ends:
            def run(x: torch.Tensor = x, end: str = end) -> None:
                x.grad = None
                y = net(x, end)
                y.backward(torch.ones_like(y))

            times[f"{size}/{end}"] = timed(run, reps)
            grads[f"{size}/{end}"] = float(x.grad.abs().double().sum())
    build = f"PyTorch {torch.__version__} CPU x{torch.get_num_threads()}, oneDNN {torch.backends.mkldnn.is_available()}"
    return {"times": times, "grad": grads, "rss": peak_rss_mb(), "build": build}


def scipy_version() -> str:
    import scipy

    return scipy.__version__


def torch_python(venv: Path) -> Path | None:
    """The bench environment's python with torch, made on first use; None when it cannot be made."""
    python = venv / "bin" / "python"
    ok = venv / "OK"
    if ok.exists() and subprocess.run([str(python), "-c", "import scipy"], capture_output=True).returncode == 0:
        return python
    print(f"making {venv} with PyTorch (CPU) from PyPI, once", file=sys.stderr)
    base = "python3.11" if subprocess.run(["which", "python3.11"], capture_output=True).returncode == 0 \
        else "python3"
    try:
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "torch", "numpy", f"scipy=={scipy_version()}"],
                       check=True)
        subprocess.run([str(python), "-c", "import torch"], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"PyTorch unavailable ({exc}): timing pycaffe alone", file=sys.stderr)
        return None
    ok.touch()
    return python


def worker_result(cmd: list[str], env: dict, label: str) -> dict:
    """Runs a bench worker process and returns the JSON of its last line; stops the bench with the worker's
    error output when it fails."""
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{label} worker failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_worker(python: str, side: str, args: argparse.Namespace, env: dict, weights: str = "") -> dict:
    cmd = [python, str(Path(__file__).resolve()), "--worker", side, "--reps", str(args.reps),
           "--sizes", *map(str, args.sizes), "--ends", *args.ends]
    if weights:
        cmd += ["--weights", weights]
    return worker_result(cmd, env, side)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--reps", type=int, default=3, help="timed passes per worker and setting (after a warm-up)")
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--ends", nargs="+", default=list(ENDS))
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--build", action="append", default=[],
                   help="PYTHONPATH of another Caffe build to time too, optionally with ::VAR=VALUE settings")
    p.add_argument("--venv", type=Path, default=cache_dir() / "bench-venv")
    p.add_argument("--worker", choices=("caffe", "torch"), help=argparse.SUPPRESS)
    p.add_argument("--weights", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker == "caffe":
        print(json.dumps(caffe_worker(args.reps, args.sizes, args.ends)))
        return
    if args.worker == "torch":
        print(json.dumps(torch_worker(args.reps, args.sizes, args.ends, args.weights)))
        return

    env = {**os.environ, "GLOG_minloglevel": "2"}
    sides = [("pycaffe", sys.executable, env)]
    for i, spec in enumerate(args.build, 1):
        path, *settings = spec.split("::")  # e.g. PATH::OMP_WAIT_POLICY=passive
        extra = dict(item.split("=", 1) for item in settings)
        sides.append((f"build{i}", sys.executable, {**env, "PYTHONPATH": f"{path}:{ROOT}", **extra}))
    weights = cache_dir() / "bench" / "vgg19_conv_weights.npz"
    tpy = None if args.no_torch else torch_python(args.venv)
    if tpy is not None:
        if not weights.exists():
            export_weights(weights)
        sides.append(("pytorch", str(tpy), env))
    results: dict[str, list[dict]] = {label: [] for label, _, _ in sides}
    for r in range(args.rounds):
        for label, python, side_env in sides:
            side = "torch" if label == "pytorch" else "caffe"
            results[label].append(run_worker(python, side, args, side_env, str(weights)))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)

    first = {label: runs[0] for label, runs in results.items()}
    for label, res in first.items():
        print(f"{label:8s} {res['build']}; peak RSS {max(x['rss'] for x in results[label]):.0f} MB")
    print(f"{os.cpu_count()} CPUs; OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '-')}; "
          f"{args.rounds} rounds x {args.reps} passes (interleaved); ms per forward + backward to the image")
    labels = list(results)
    header = "size (WxH), deepest   " + "".join(f"{lab + ' min':>13s}{lab + ' med':>13s}" for lab in labels)
    has_torch = "pytorch" in results
    if has_torch:
        header += "".join(f"{lab + '/pt':>12s}" for lab in labels if lab != "pytorch") + "  grad diff"
    print(header)
    ratio256 = None
    for size in args.sizes:
        h, w = shape(size)
        for end in args.ends:
            key = f"{size}/{end}"
            line = f"{w:4d}x{h:<4d} {end:12s}"
            mins = {}
            for lab in labels:
                all_t = [t for res in results[lab] for t in res["times"][key]]
                mins[lab] = min(all_t)
                line += f"{min(all_t) * 1000:13.1f}{statistics.median(all_t) * 1000:13.1f}"
            if has_torch:
                for lab in labels:
                    if lab != "pytorch":
                        line += f"{mins[lab] / mins['pytorch']:12.2f}"
                g_c, g_t = first["pycaffe"]["grad"][key], first["pytorch"]["grad"][key]
                line += f"  {abs(g_c - g_t) / g_t:9.1e}"
                if size == 256 and end == "relu5_1":
                    ratio256 = mins["pycaffe"] / mins["pytorch"]
            print(line)
    if ratio256 is not None:
        print(f"ratio pycaffe/pytorch @256: {ratio256:.2f}")
    else:
        why = "256 px to relu5_1 not benched" if has_torch else "PyTorch not available"
        print(f"ratio pycaffe/pytorch @256: n/a ({why})")


if __name__ == "__main__":
    main()
