"""Both sides' final pictures of `bench.py --paint`, measured with one loss: the PyTorch side's, in float32 and float64.

Usage (after `make bench` or `tools/dev/bench.py --paint`, in the bench environment, which has torch):
    ~/.cache/brushstrokes/bench-venv/bin/python tools/dev/paint_loss_check.py [--sizes 128 256 512]

Prints the loss of the seeded start and of each side's final picture (kept in ~/.cache/brushstrokes/bench/).
When both dtypes agree and the start matches `brushstrokes paint`'s first loss, a gap between the two final
pictures comes from the optimisers' paths, not from how either side computes the loss.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import CONVS  # noqa: E402

BENCH = Path.home() / ".cache" / "brushstrokes" / "bench"
STYLE_LAYERS = ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")


def loss_function(dtype: torch.dtype, size: int):
    """The bench's total loss at `size` (its kept inputs and normalised weights) in `dtype`: x (1, 3, H, W) -> float."""
    w = np.load(BENCH / "vgg19_conv_normalised_weights.npz")
    params = {n: (torch.from_numpy(w[n + "_w"]).to(dtype), torch.from_numpy(w[n + "_b"]).to(dtype)) for n in CONVS}
    d = np.load(BENCH / f"paint_{size}.npz")
    alpha, beta = float(d["alpha"]), float(d["beta"])

    def vgg(x: torch.Tensor) -> dict[str, torch.Tensor]:
        feats = {}
        for name in CONVS:
            if name.endswith("_1") and name != "conv1_1":
                x = F.avg_pool2d(x, 2, 2, ceil_mode=True)
            x = F.relu(F.conv2d(x, *params[name], padding=1))
            feats[name] = x
        return feats

    def gram(f: torch.Tensor) -> torch.Tensor:
        flat = f[0].reshape(f.shape[1], -1)
        return flat @ flat.T

    with torch.no_grad():
        P = vgg(torch.from_numpy(d["content"]).to(dtype))["conv4_2"]
        painting = vgg(torch.from_numpy(d["painting"]).to(dtype))

    def loss(x: np.ndarray) -> float:
        with torch.no_grad():
            feats = vgg(torch.from_numpy(x).to(dtype))
            total = alpha * 0.5 * ((feats["conv4_2"] - P) ** 2).sum()
            for k in STYLE_LAYERS:
                n, m = feats[k].shape[1], feats[k][0, 0].numel()
                A = gram(painting[k]) * (m / painting[k][0, 0].numel())
                total = total + beta / len(STYLE_LAYERS) * ((gram(feats[k]) - A) ** 2).sum() / (4 * n**2 * m**2)
        return float(total)

    return loss, d["x0"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256, 512])
    args = parser.parse_args(argv)
    torch.set_num_threads(2)
    for size in args.sizes:
        pictures = {side: BENCH / f"paint_{side}_{size}.npy" for side in ("pycaffe", "pytorch")}
        if not all(p.exists() for p in pictures.values()):
            print(f"{size} px: run `tools/dev/bench.py --paint` first (no kept pictures)")
            continue
        for dtype in (torch.float32, torch.float64):
            loss, x0 = loss_function(dtype, size)
            finals = {side: loss(np.load(p).astype(np.float32)) for side, p in pictures.items()}
            gap = 100 * (finals["pycaffe"] / finals["pytorch"] - 1)
            print(f"{size} px, {str(dtype).removeprefix('torch.')}: start {loss(x0):.6g}; final pycaffe "
                  f"{finals['pycaffe']:.6g}, pytorch {finals['pytorch']:.6g} ({gap:+.2f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
