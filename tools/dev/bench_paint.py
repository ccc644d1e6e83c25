"""Benchmark (`make bench`'s last step): `brushstrokes paint` end to end against the same painting in PyTorch + SciPy.

Per size (longest side 128, 256, 512 px) both sides paint PAINT_ITERS L-BFGS iterations from the same seeded noise:
pycaffe runs `brushstrokes paint`'s reference path at its defaults (The Scream at its own aspect ratio); PyTorch runs
the same optimisation as a PyTorch user writes it (VGG19 with the same normalised weights and average pooling,
autograd for the loss and gradient, scipy.optimize.minimize(method="L-BFGS-B") with the same pixel bounds and its
default settings). The sides alternate in their own processes, round after round, so that the machine's load hits
both alike. Round r starts both from the noise of seed r: twenty L-BFGS iterations amplify the last bits of float32
sums, so one start can end a percent or two apart even on one side alone (`--nudge EPS` shows how far: each side
paints once more, untimed, from the start moved by EPS grey levels), and the final losses are compared over as many
starts as rounds. PyTorch's loss also scores pycaffe's final picture, which shows that both sides minimise the same
function. `--busy N` keeps N processes spinning on the CPUs while the bench runs (a busy machine).

Prints s per iteration (min over rounds), the shares of Caffe, numpy and SciPy's own routine in the pycaffe loop and
SciPy's share in PyTorch's, the final losses per start and their mean, how far the two final pictures differ, and
last `ratio paint pycaffe/pytorch @256: X.XX`. The last pictures are kept in ~/.cache/brushstrokes/bench/.
Usage: .venv/bin/python tools/dev/bench_paint.py [--rounds 3] [--sizes 128 256 512] [--nudge 0.001] [--busy 2]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import (  # noqa: E402
    ROOT,
    cache_dir,
    export_weights,
    peak_rss_mb,
    torch_params,
    torch_python,
    torch_vgg,
    worker_result,
)

SIZES = (128, 256, 512)
ITERS = 20
STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")
BENCH = cache_dir() / "bench"


def inputs_path(size: int, seed: int) -> Path:
    return BENCH / f"paint_{size}_s{seed}.npz"


def picture_path(side: str, size: int, seed: int, nudged: bool = False) -> Path:
    return BENCH / f"paint_{side}_{size}_s{seed}{'_nudged' if nudged else ''}.npy"


def paint_inputs(size: int, seed: int) -> None:
    """The painting's inputs at `size` (longest side) as `brushstrokes paint` prepares them at its defaults: the
    photo, the painting at its own aspect ratio, the noise start of `seed`, alpha, beta (written whole)."""
    sys.path.insert(0, str(ROOT))
    from brushstrokes.net import images
    from brushstrokes.runs.paint import PaintSettings, working_size
    from brushstrokes.runs.paint_targets import style_size

    s = PaintSettings(size=size, iters=ITERS, seed=seed)
    w, h = working_size(images.open_image(s.content).size, s.size)
    sw, sh = style_size(images.open_image(s.styles[0]).size, (w, h), s.style_fit, s.style_scale)
    alpha, beta = s.alpha_beta
    arrays = {"content": images.preprocess(images.load_image(s.content, size=(h, w))),
              "painting": images.preprocess(images.load_image(s.styles[0], size=(sh, sw))),
              "x0": images.white_noise((h, w), seed=seed), "alpha": np.float64(alpha), "beta": np.float64(beta),
              "mean_bgr": images.MEAN_BGR.astype(np.float64)}
    path = inputs_path(size, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.rename(path)


def timing_net(net, clock: dict) -> None:
    """Adds the seconds of every net.forward and net.backward call to clock['caffe']."""
    for name in ("forward", "backward"):
        method = getattr(net, name)

        def timed_call(*a, _method=method, **k):
            t0 = time.perf_counter()
            try:
                return _method(*a, **k)
            finally:
                clock["caffe"] += time.perf_counter() - t0

        setattr(net, name, timed_call)


def caffe_worker(sizes: list[int], seed: int, nudge: float) -> dict:
    """`brushstrokes paint`'s run (reference path, ITERS L-BFGS iterations from the noise of `seed`) per size:
    seconds of the loop, of Caffe's passes and of SciPy's compiled routine; iterations, evaluations, final loss;
    with nudge > 0 also the final loss of a run (untimed) from the start moved by `nudge` grey levels."""
    sys.path.insert(0, str(ROOT))
    from brushstrokes.net.vgg import load_vgg19
    from brushstrokes.runs import lbfgsb, paint
    from brushstrokes.runs.paint import PaintSettings, paint_picture

    clock = {"caffe": 0.0, "scipy": 0.0, "evals": 0}
    routine = lbfgsb._routine()

    class Timed:
        @staticmethod
        def setulb(*a):
            t0 = time.perf_counter()
            routine.setulb(*a)
            clock["scipy"] += time.perf_counter() - t0
            clock["evals"] += int(a[11][0] == 3)

    lbfgsb._routine = lambda: Timed
    run, start = paint.reference_lbfgs, paint.initial_image

    def timed_run(*args, **kwargs):  # the shares count the optimisation only, as done.seconds does
        clock.update(caffe=0.0, scipy=0.0, evals=0)
        return run(*args, **kwargs)

    paint.reference_lbfgs = timed_run
    net, out = load_vgg19(normalised=True, shape=(64, 64)), {}
    timing_net(net, clock)
    for size in sizes:
        paint_picture(PaintSettings(size=size, iters=2, seed=seed), net=net, quiet=True)  # shapes, oneDNN primitives
        s = PaintSettings(size=size, iters=ITERS, seed=seed)
        done = paint_picture(s, net=net, quiet=True)
        np.save(picture_path("pycaffe", size, seed), done.x)
        out[str(size)] = {"seconds": done.seconds, "iters": len(done.losses) - 1, "evals": clock["evals"],
                          "caffe": clock["caffe"], "scipy": clock["scipy"], "loss": done.losses[-1],
                          "shape": list(done.picture.shape[:2])}
        if nudge:
            paint.initial_image = lambda *a: start(*a) + np.float32(nudge)
            out[str(size)]["nudged"] = paint_picture(s, net=net, quiet=True).losses[-1]
            paint.initial_image = start
    return {"paint": out, "rss": peak_rss_mb()}


def recorder(losses: list[float]):
    """A SciPy callback appending each iteration's loss (its one parameter must be named intermediate_result)."""

    def progress(intermediate_result) -> None:
        losses.append(intermediate_result.fun)

    return progress


def torch_worker(sizes: list[int], seed: int, nudge: float, weights: str) -> dict:
    """The same painting as a PyTorch user writes it: VGG19 (normalised weights, average pooling), autograd for the
    loss and gradient, scipy.optimize.minimize(method="L-BFGS-B") with the pixel bounds and its default settings.
    Also scores pycaffe's final picture of this round with the same loss; with nudge > 0 paints once more (untimed)."""
    import torch
    from scipy.optimize import Bounds, minimize

    torch.set_num_threads(os.cpu_count() or 1)
    params = torch_params(weights)

    def vgg(x: torch.Tensor) -> dict[str, torch.Tensor]:
        return torch_vgg(x, params)

    def gram(f: torch.Tensor) -> torch.Tensor:
        flat = f[0].reshape(f.shape[1], -1)
        return flat @ flat.T

    out = {}
    for size in sizes:
        d = np.load(inputs_path(size, seed))
        alpha, beta = float(d["alpha"]), float(d["beta"])
        with torch.no_grad():
            P = vgg(torch.from_numpy(d["content"]))["conv4_2"]
            target = vgg(torch.from_numpy(d["painting"]))
            picture = vgg(torch.from_numpy(d["x0"]))  # only its sizes: the targets are scaled to its positions
            A = {k: gram(target[k]) * (picture[k][0, 0].numel() / target[k][0, 0].numel()) for k in STYLE_LAYERS}
        shape = d["x0"].shape
        clock = {"fun": 0.0, "evals": 0}

        def fun(z: np.ndarray, shape=shape, P=P, A=A, alpha=alpha, beta=beta, clock=clock):
            t0 = time.perf_counter()
            x = torch.from_numpy(z.reshape(shape).astype(np.float32)).requires_grad_(True)
            feats = vgg(x)
            loss = alpha * 0.5 * ((feats["conv4_2"] - P) ** 2).sum()
            for k in STYLE_LAYERS:
                n, m = feats[k].shape[1], feats[k][0, 0].numel()
                loss = loss + beta / len(STYLE_LAYERS) * ((gram(feats[k]) - A[k]) ** 2).sum() / (4 * n**2 * m**2)
            loss.backward()
            clock["fun"] += time.perf_counter() - t0
            clock["evals"] += 1
            return loss.item(), x.grad.numpy().astype(np.float64).ravel()

        lo = np.broadcast_to(-d["mean_bgr"][None, :, None, None], shape).ravel()

        def paint(x0: np.ndarray, lo=lo):
            return minimize(fun, x0.astype(np.float64).ravel(), jac=True, method="L-BFGS-B",
                            bounds=Bounds(lo, lo + 255), options={"maxiter": ITERS}, callback=recorder([]))

        t0 = time.perf_counter()
        res = paint(d["x0"])
        seconds = time.perf_counter() - t0
        np.save(picture_path("pytorch", size, seed), res.x.reshape(shape))
        out[str(size)] = {"seconds": seconds, "iters": int(res.nit), "evals": clock["evals"], "fun": clock["fun"],
                          "loss": float(res.fun)}
        theirs = picture_path("pycaffe", size, seed)
        if theirs.exists():
            out[str(size)]["scores_pycaffe"] = fun(np.load(theirs).astype(np.float64).ravel())[0]
        if nudge:
            out[str(size)]["nudged"] = float(paint(d["x0"] + np.float32(nudge)).fun)
    return {"paint": out, "rss": peak_rss_mb()}


@contextmanager
def busy(n: int) -> Iterator[list[subprocess.Popen]]:
    """n processes spinning on the CPUs (pure Python loops) while the block runs; none outlives it."""
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield spinners
    finally:
        for p in spinners:
            p.kill()
            p.wait()


def run_rounds(args: argparse.Namespace, tpy: Path | None) -> dict[str, list[dict]]:
    """{side: [per round: {size: figures}]}, the sides alternating in their own processes, round r from seed r."""
    env = {**os.environ, "GLOG_minloglevel": "2"}
    weights = BENCH / "vgg19_conv_normalised_weights.npz"
    if tpy is not None and not weights.exists():
        export_weights(weights, normalised=True)
    sides = [("pycaffe", sys.executable, "caffe")] + ([("pytorch", str(tpy), "torch")] if tpy else [])
    runs: dict[str, list[dict]] = {label: [] for label, _, _ in sides}
    for seed in range(args.rounds):
        for size in args.sizes:
            paint_inputs(size, seed)
        for label, python, worker in sides:
            cmd = [python, str(Path(__file__).resolve()), "--worker", worker, "--sizes", *map(str, args.sizes),
                   "--seed", str(seed), "--nudge", str(args.nudge), "--weights", str(weights)]
            runs[label].append(worker_result(cmd, env, f"{label} paint")["paint"])
        print(f"paint round {seed + 1}/{args.rounds} done", file=sys.stderr)
    return runs


def gap(ours: float, theirs: float) -> str:
    return f"{100 * (ours / theirs - 1):+.2f} %"


def report_times(args: argparse.Namespace, runs: dict[str, list[dict]]) -> float | None:
    """The timing table; returns the ratio at 256 px (None without PyTorch or 256 px)."""
    print("size (WxH)   pycaffe s/it  pytorch s/it  ratio   caffe  numpy  scipy | pt scipy  "
          "evaluations pycaffe/pytorch")
    ratio256 = None
    for size in args.sizes:
        key = str(size)
        best = {label: min((r[key] for r in rounds), key=lambda r: r["seconds"] / r["iters"])
                for label, rounds in runs.items()}
        c = best["pycaffe"]
        per_c = c["seconds"] / c["iters"]
        h, w = c["shape"]
        line = f"{w:4d}x{h:<4d}  {per_c:12.3f}"
        t = best.get("pytorch")
        if t is not None:
            per_t = t["seconds"] / t["iters"]
            ratio256 = per_c / per_t if size == 256 else ratio256
            line += f"  {per_t:12.3f}  {per_c / per_t:5.2f}"
        else:
            line += f"  {'-':>12s}  {'-':>5s}"
        numpy_part = c["seconds"] - c["caffe"] - c["scipy"]
        line += "".join(f"  {100 * v / c['seconds']:4.1f}%" for v in (c["caffe"], numpy_part, c["scipy"]))
        if t is not None:
            line += f" | {100 * (t['seconds'] - t['fun']) / t['seconds']:6.1f}%  {c['evals']} / {t['evals']}"
        print(line)
    return ratio256


def report_losses(args: argparse.Namespace, runs: dict[str, list[dict]]) -> None:
    """Final losses per start (seed) and their means; the nudged runs; PyTorch's score of pycaffe's picture."""
    if "pytorch" not in runs:
        return
    print(f"final loss after {ITERS} iterations, pycaffe / pytorch, per start (seed 0..{args.rounds - 1}) and mean")
    for size in args.sizes:
        key = str(size)
        ours = [r[key]["loss"] for r in runs["pycaffe"]]
        theirs = [r[key]["loss"] for r in runs["pytorch"]]
        pairs = zip(ours, theirs, strict=True)
        line = f"{size:4d} px  " + "; ".join(f"{a:.6g} / {b:.6g} ({gap(a, b)})" for a, b in pairs)
        line += f"; mean {statistics.mean(ours):.6g} / {statistics.mean(theirs):.6g}"
        line += f" ({gap(statistics.mean(ours), statistics.mean(theirs))})"
        if len(ours) > 1:
            gaps = [100 * (a / b - 1) for a, b in zip(ours, theirs, strict=True)]
            line += f"; per-start gap {statistics.mean(gaps):+.2f} ± {statistics.stdev(gaps) / len(gaps) ** 0.5:.2f} %"
            line += " (mean ± standard error)"
        print(line)
        last = args.rounds - 1
        c, t = runs["pycaffe"][last][key], runs["pytorch"][last][key]
        pictures = [np.load(picture_path(side, size, last)) for side in ("pycaffe", "pytorch")]
        detail = (f"          seed {last}: PyTorch's loss scores pycaffe's final picture {t['scores_pycaffe']:.6g} "
                  f"(pycaffe: {c['loss']:.6g}); the pictures differ by {np.abs(pictures[0] - pictures[1]).mean():.1f} "
                  "grey levels on average")
        if args.nudge:
            detail += (f"; from the start + {args.nudge:g} grey levels: pycaffe {c['nudged']:.6g} "
                       f"({gap(c['nudged'], c['loss'])} of its own), pytorch {t['nudged']:.6g} "
                       f"({gap(t['nudged'], t['loss'])} of its own)")
        print(detail)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=3, help="rounds, each from its own seeded start (seed 0, 1, ...)")
    p.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    p.add_argument("--nudge", type=float, default=0.0,
                   help="also paint (untimed) from the start moved by this many grey levels, e.g. 0.001")
    p.add_argument("--busy", type=int, default=0, help="processes spinning on the CPUs while the bench runs")
    p.add_argument("--no-torch", action="store_true")
    p.add_argument("--venv", type=Path, default=cache_dir() / "bench-venv")
    p.add_argument("--worker", choices=("caffe", "torch"), help=argparse.SUPPRESS)
    p.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument("--weights", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker == "caffe":
        print(json.dumps(caffe_worker(args.sizes, args.seed, args.nudge)))
        return
    if args.worker == "torch":
        print(json.dumps(torch_worker(args.sizes, args.seed, args.nudge, args.weights)))
        return
    tpy = None if args.no_torch else torch_python(args.venv)
    load = os.getloadavg()[0]
    with busy(args.busy):
        runs = run_rounds(args, tpy)
    print(f"brushstrokes paint (defaults, reference path) vs PyTorch + SciPy L-BFGS-B, {ITERS} iterations, "
          f"{args.rounds} rounds interleaved; {os.cpu_count()} CPUs, {args.busy} spinning processes, load average "
          f"{load:.1f} at the start and {os.getloadavg()[0]:.1f} at the end; s per iteration (min over rounds); "
          "shares of the pycaffe loop")
    ratio256 = report_times(args, runs)
    report_losses(args, runs)
    why = "PyTorch not available" if tpy is None else "256 px not benched"
    print(f"ratio paint pycaffe/pytorch @256: {ratio256:.2f}" if ratio256 is not None
          else f"ratio paint pycaffe/pytorch @256: n/a ({why})")


if __name__ == "__main__":
    main()
