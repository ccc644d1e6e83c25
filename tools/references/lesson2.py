"""Make checks/references/lesson2.npz: lesson 2's reference arrays, from solutions/ on the real normalised VGG19.

Usage: nice .venv/bin/python tools/references/lesson2.py [--out PATH]

Small and deterministic: The Scream and seeded white noise at 48x32 px, the five style layers. Stored: the
inputs (noise x0 and its features F_<layer>, the painting's features S_<layer>), the expected Gram matrices of
the two shallow layers, every E_l and gradient, the weighted loss and the image gradient of one backward sweep.
The painting's Gram matrices A_<layer> are not stored: the checks compute them from S_<layer> with the
reference gram (they are inputs, and the deep ones are large). The loop (2.6) is graded against a live run of
the reference. String arrays record the device, Caffe build, numpy, date and the normalised weights' md5, so
that `np.load(..., allow_pickle=False)` reads everything.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import numpy as np

from brushstrokes import images, normalise, paths
from brushstrokes.caffe_env import build_info, use_best_device
from brushstrokes.vgg import STYLE_LAYERS, features, load_vgg19, relu_name
from brushstrokes.weights import md5sum
from solutions import lesson2_style as solution

OUT = paths.ROOT / "checks" / "references" / "lesson2.npz"
SIZE = (32, 48)  # (H, W) px: conv1_1 is 64 x 32 x 48, conv5_1 512 x 2 x 3
SEED = 0
GRAMS = ("conv1_1", "conv2_1")  # expected Gram matrices stored for these (the deep ones are 512 x 512)
WEIGHTS = {"conv1_1": 0.5, "conv3_1": 0.25, "conv5_1": 0.125}  # not the defaults: ignoring weights is caught


def metadata(device: str) -> dict[str, np.ndarray]:
    """Where and with what the references were made, as string arrays."""
    info = build_info()
    return {"meta_device": np.array(device.upper()),
            "meta_caffe": np.array(f"caffe {info['version']} ({info['variant']} build, {info['blas']})"),
            "meta_numpy": np.array(np.__version__),
            "meta_date": np.array(datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")),
            "meta_made_by": np.array("tools/references/lesson2.py from solutions/lesson2_style.py"),
            "meta_weights": np.array(f"normalised VGG19, md5 {md5sum(normalise.normalised_path())}"),
            "meta_inputs": np.array(f"data/scream.jpg resized to {SIZE[1]}x{SIZE[0]} px; white noise seed {SEED}")}


def lesson2(net) -> dict[str, np.ndarray]:
    painting = images.preprocess(images.load_image(paths.SCREAM, size=SIZE))
    x0 = images.white_noise(SIZE, seed=SEED)
    S = features(net, painting, STYLE_LAYERS)
    F = features(net, x0, STYLE_LAYERS)
    A = {layer: solution.gram(S[layer]) for layer in STYLE_LAYERS}
    arrays: dict[str, np.ndarray] = {"x0": x0, "painting": painting}
    for layer in STYLE_LAYERS:
        arrays[f"F_{layer}"], arrays[f"S_{layer}"] = F[layer], S[layer]
        arrays[f"E_{layer}"] = np.float64(solution.style_layer_loss(F[layer], A[layer]))
        arrays[f"grad_{layer}"] = solution.style_layer_grad(F[layer], A[layer])
    for layer in GRAMS:
        arrays[f"gram_{layer}"] = solution.gram(F[layer])
    loss, grads = solution.style_loss(F, A)
    arrays["loss"] = np.float64(loss)
    arrays["weights_layers"] = np.array(list(WEIGHTS))
    arrays["weights_values"] = np.array(list(WEIGHTS.values()), dtype=np.float64)
    arrays["weighted_loss"] = np.float64(solution.style_loss(F, A, WEIGHTS)[0])
    net.blobs["data"].data[...] = x0
    net.forward(end=relu_name(STYLE_LAYERS[-1]))
    arrays["data_grad"] = solution.backward_sweep(net, grads)
    return arrays


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="where to write (default checks/references/lesson2.npz)")
    out = parser.parse_args(argv).out
    net = load_vgg19(pooling="avg", shape=SIZE, normalised=True)
    device = use_best_device()
    arrays = {**metadata(device), **lesson2(net)}
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **arrays)
    shares = ", ".join(f"{layer} {float(arrays[f'E_{layer}']):.3g}" for layer in STYLE_LAYERS)
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB) on {device.upper()}: E_l {shares}; "
          f"style loss {float(arrays['loss']):.4g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
