"""Make the reference outputs of the self-grading checks from solutions/ on the real VGG19.

Usage: .venv/bin/python tools/make_references.py      (writes checks/references/lesson1.npz)

Small and deterministic: the cat resized to 48x32 px, seeded white noise, a few iterations. The file
records the device (CPU/GPU), the Caffe build, numpy's version and the date, as string arrays, so that
`np.load(..., allow_pickle=False)` reads everything.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import numpy as np

from brushstrokes import images, paths
from brushstrokes.caffe_env import build_info, use_best_device
from brushstrokes.vgg import CONTENT_LAYER, features, load_vgg19, relu_name, set_input_shape
from solutions import lesson1_content as solution

OUT = paths.ROOT / "checks" / "references" / "lesson1.npz"
SIZE = (32, 48)  # (H, W) px: conv4_2 is then 512 x 4 x 6
SEED = 0
LOOP = {"iters": 5, "lr": 3.0, "tol": 0.0, "every": 2}  # not the defaults: a loop that ignores them is caught
EARLY_ITERS = 8  # the early-stop run: at most this many iterations, with a tol chosen to stop before
SHALLOW = {"layer": "conv2_2", "iters": 3, "lr": 3.0, "tol": 0.0, "every": 1}  # does the loop follow `layer`?


def metadata(device: str) -> dict[str, np.ndarray]:
    """Where and with what the references were made, as string arrays."""
    info = build_info()
    return {"meta_device": np.array(device.upper()),
            "meta_caffe": np.array(f"caffe {info['version']} ({info['variant']} build, {info['blas']})"),
            "meta_numpy": np.array(np.__version__),
            "meta_date": np.array(datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")),
            "meta_made_by": np.array("tools/make_references.py from solutions/lesson1_content.py"),
            "meta_inputs": np.array(f"data/chelsea.png resized to {SIZE[1]}x{SIZE[0]} px; "
                                    f"white noise seed {SEED}")}


def first_gradient(net, x0: np.ndarray, P: np.ndarray) -> dict[str, np.ndarray]:
    """Exercises 1.1-1.3 on real data: F of the noise, the loss, the injected gradient, the image gradient, a step."""
    net.blobs["data"].data[...] = x0
    net.forward(end=relu_name(CONTENT_LAYER))
    F = net.blobs[CONTENT_LAYER].data[0].copy()
    grad = solution.content_grad(F, P)
    net.blobs[CONTENT_LAYER].diff[0] = grad
    net.backward(start=CONTENT_LAYER)
    data_grad = net.blobs["data"].diff.copy()
    return {"F": F, "loss": np.float64(solution.content_loss(F, P)), "grad": grad, "data_grad": data_grad,
            "step_lr": np.float64(LOOP["lr"]), "stepped": solution.normalized_step(x0, data_grad, LOOP["lr"])}


def run(net, P: np.ndarray, x0: np.ndarray, prefix: str, **kwargs) -> dict[str, np.ndarray]:
    """One reference run of the loop, its settings and results stored under `prefix`."""
    result = solution.reconstruct(net, P, x0, **kwargs)
    out = {f"{prefix}_{k}": np.array(v) for k, v in kwargs.items()}
    out.update({f"{prefix}_losses": np.array(result.losses, dtype=np.float64), f"{prefix}_x": result.x,
                f"{prefix}_snap_keys": np.array(sorted(result.snapshots), dtype=np.int64),
                f"{prefix}_snaps": np.stack([result.snapshots[k] for k in sorted(result.snapshots)])})
    return out


def early_tol(losses: np.ndarray) -> tuple[float, int]:
    """A tol that stops the loop at iteration k >= 2 with the widest margin on both sides: (tol, k)."""
    changes = np.abs(np.diff(losses)) / losses[:-1]  # changes[i - 1]: relative change at iteration i
    best = max(range(2, len(changes) + 1), key=lambda k: changes[: k - 1].min() / changes[k - 1])
    margin = changes[: best - 1].min() / changes[best - 1]
    if margin < 1.5:
        raise SystemExit(f"no iteration stops the loop with a clear margin (best {margin:.2f}); change LOOP or SEED")
    return float(np.sqrt(changes[: best - 1].min() * changes[best - 1])), best


def lesson1(net) -> dict[str, np.ndarray]:
    target = images.preprocess(images.load_image(paths.CAT, size=SIZE))
    x0 = images.white_noise(SIZE, seed=SEED)
    set_input_shape(net, *SIZE)
    P = features(net, target, (CONTENT_LAYER,))[CONTENT_LAYER]
    arrays = {"x0": x0, "P": P, "layer": np.array(CONTENT_LAYER)}
    arrays.update(first_gradient(net, x0, P))
    arrays.update(run(net, P, x0, "loop", **LOOP))
    probe = solution.reconstruct(net, P, x0, iters=EARLY_ITERS, lr=LOOP["lr"], tol=0.0, every=EARLY_ITERS)
    tol, _ = early_tol(np.array(probe.losses))
    arrays.update(run(net, P, x0, "early", iters=EARLY_ITERS, lr=LOOP["lr"], tol=tol, every=EARLY_ITERS))
    shallow_P = features(net, target, (SHALLOW["layer"],))[SHALLOW["layer"]]
    arrays["shallow_P"] = shallow_P
    arrays.update(run(net, shallow_P, x0, "shallow", **SHALLOW))
    return arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (default checks/references/lesson1.npz)")
    out = parser.parse_args(argv).out
    net = load_vgg19(pooling="avg", shape=SIZE)
    device = use_best_device()
    arrays = {**metadata(device), **lesson1(net)}
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    stop = len(arrays["early_losses"]) - 1
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) on {device.upper()}: "
          f"loop losses {arrays['loop_losses'][0]:.4g} -> {arrays['loop_losses'][-1]:.4g}; "
          f"early stop at iteration {stop} with tol {float(arrays['early_tol']):.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
