"""`make bench` on a GPU machine: pycaffe (GPU mode) vs PyTorch fp32 with cuDNN, interleaved.

The same net, weights and seeded input as tools/dev/bench.py (VGG19 with average pooling, forward to the
deepest layer and backward to the image, gradient on the input only). pycaffe runs in this Python
(the bundle's); PyTorch in --torch-python (e.g. the machine's python3) when it imports torch with CUDA,
TF32 off (true fp32) and cudnn.benchmark on. Each side runs in its own process; they alternate per round.
pycaffe's time includes what its Python API copies between host and device for each pass (the net's
output blobs and the input gradient); PyTorch's ends with torch.cuda.synchronize().
--cpu times pycaffe on the CPU instead (a dry run of the script on a machine without a GPU).
Usage: python tools/gpu/device_bench.py [--cpu] [--torch-python PY] [--rounds 3] [--reps 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tools.dev.bench import (  # noqa: E402
    ENDS,
    SIZES,
    export_weights,
    peak_rss_mb,
    shape,
    the_input,
    torch_params,
    torch_vgg,
    worker_result,
)


def timed(run, reps: int, sync=lambda: None) -> list[float]:
    run()
    sync()
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        run()
        sync()
        out.append(time.perf_counter() - t0)
    return out


def caffe_worker(args: argparse.Namespace) -> dict:
    from brushstrokes.net.caffe_env import build_info, import_caffe
    from brushstrokes.net.layers import set_input_shape
    from brushstrokes.net.vgg import load_vgg19

    caffe = import_caffe()
    net = load_vgg19()  # puts Caffe on the GPU when one is usable (brushstrokes.net.caffe_env.use_best_device)
    if args.cpu:
        caffe.set_mode_cpu()
    else:
        caffe.set_device(0)
        caffe.set_mode_gpu()
    times, grads = {}, {}
    for size in args.sizes:
        set_input_shape(net, *shape(size))
        net.blobs["data"].data[...] = the_input(size)
        for end in args.ends:
            top = "conv" + end[4:]

            def run(end: str = end, top: str = top) -> None:
                net.forward(end=end)
                net.blobs[top].diff[...] = 1.0
                net.backward(start=end)
                net.blobs["data"].diff  # noqa: B018 - the gradient back on the host, as a lesson reads it

            times[f"{size}/{end}"] = timed(run, args.reps)
            grads[f"{size}/{end}"] = float(abs(net.blobs["data"].diff.astype("float64")).sum())
    info = build_info()
    device = "CPU" if args.cpu else "GPU"
    return {"times": times, "grad": grads, "rss": peak_rss_mb(),
            "build": f"pycaffe {device}, Caffe {info['variant']} build ({Path(info['prefix']).parent.name})"}


def torch_worker(args: argparse.Namespace) -> dict:
    import torch

    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    dev = torch.device("cuda")
    params = torch_params(args.weights, dev)

    def net(x, end):
        last = "conv" + end[4:]
        return torch_vgg(x, params, last)[last]

    times, grads = {}, {}
    for size in args.sizes:
        x = torch.from_numpy(the_input(size)).to(dev).requires_grad_(True)
        for end in args.ends:
            def run(x=x, end=end) -> None:
                x.grad = None
                y = net(x, end)
                y.backward(torch.ones_like(y))

            times[f"{size}/{end}"] = timed(run, args.reps, torch.cuda.synchronize)
            grads[f"{size}/{end}"] = float(x.grad.abs().double().sum())
    build = (f"PyTorch {torch.__version__} {torch.cuda.get_device_name(0)}, cuDNN {torch.backends.cudnn.version()}, "
             "fp32 (TF32 off), cudnn.benchmark")
    return {"times": times, "grad": grads, "rss": peak_rss_mb(), "build": build}


def torch_ok(python: str) -> bool:
    probe = "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH", "LD_LIBRARY_PATH")}
    try:
        return subprocess.run([python, "-c", probe], env=env, capture_output=True, timeout=120).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def run_worker(python: str, side: str, args: argparse.Namespace, env: dict) -> dict:
    cmd = [python, str(Path(__file__).resolve()), "--worker", side, "--reps", str(args.reps),
           "--sizes", *map(str, args.sizes), "--ends", *args.ends, "--weights", str(args.weights)]
    if args.cpu:
        cmd.append("--cpu")
    return worker_result(cmd, env, side)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cpu", action="store_true", help="pycaffe on the CPU, no PyTorch (dry run)")
    p.add_argument("--torch-python", default="python3")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--ends", nargs="+", default=list(ENDS))
    p.add_argument("--weights", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "vgg19_conv_weights.npz")
    p.add_argument("--worker", choices=("caffe", "torch"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        print(json.dumps((caffe_worker if args.worker == "caffe" else torch_worker)(args)))
        return

    sides = [("pycaffe", sys.executable, dict(os.environ))]
    if not args.cpu and torch_ok(args.torch_python):
        if not args.weights.exists():
            export_weights(args.weights)
        tenv = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "PYTHONPATH", "LD_LIBRARY_PATH")}
        sides.append(("pytorch", args.torch_python, tenv))
    elif not args.cpu:
        print(f"no PyTorch with CUDA in {args.torch_python}: timing pycaffe alone", file=sys.stderr)
    results: dict[str, list[dict]] = {label: [] for label, _, _ in sides}
    for r in range(args.rounds):
        for label, python, env in sides:
            results[label].append(run_worker(python, "torch" if label == "pytorch" else "caffe", args, env))
        print(f"round {r + 1}/{args.rounds} done", file=sys.stderr)
    for label, runs in results.items():
        print(f"{label:8s} {runs[0]['build']}; peak RSS {max(x['rss'] for x in runs):.0f} MB")
    print(f"{args.rounds} rounds x {args.reps} passes (interleaved); ms per forward + backward to the image")
    has_torch = "pytorch" in results
    head = "size (WxH), deepest   " + "".join(f"{lab + ' min':>13s}{lab + ' med':>13s}" for lab in results)
    print(head + ("       ratio  grad diff" if has_torch else ""))
    ratio512 = None
    for size in args.sizes:
        h, w = shape(size)
        for end in args.ends:
            key, line, mins = f"{size}/{end}", f"{w:4d}x{h:<4d} {end:12s}", {}
            for lab, runs in results.items():
                all_t = [t for res in runs for t in res["times"][key]]
                mins[lab] = min(all_t)
                line += f"{min(all_t) * 1000:13.2f}{statistics.median(all_t) * 1000:13.2f}"
            if has_torch:
                g_c, g_t = results["pycaffe"][0]["grad"][key], results["pytorch"][0]["grad"][key]
                line += f"{mins['pycaffe'] / mins['pytorch']:12.2f}  {abs(g_c - g_t) / g_t:9.1e}"
                if size == 512 and end == "relu5_1":
                    ratio512 = mins["pycaffe"] / mins["pytorch"]
            print(line)
    label = "CPU" if args.cpu else "GPU"
    print(f"ratio pycaffe/pytorch {label} @512: " + (f"{ratio512:.2f}" if ratio512 is not None else "n/a"))


if __name__ == "__main__":
    main()
