"""The painting's Gram matrices as targets for a picture of another size.

A Gram matrix G = F F^T is a sum over positions, so it grows with the number of positions M = h * w of the image it
was taken from. E_l divides by the picture's M_l^2, so a painting used at another size than the picture (its aspect
ratio kept, or --style-scale) must have each layer's Gram matrix scaled by M_picture / M_painting: the target is then
what the painting's statistics would give at the picture's size (as neural-style divides each Gram by its own size).
"""

from __future__ import annotations

from typing import Any

import numpy as np


def positions(F: np.ndarray) -> int:
    """M = h * w of features F: (N, h, w)."""
    return int(F.shape[1] * F.shape[2])


def layer_positions(net: Any, layers: tuple[str, ...] | list[str]) -> dict[str, int]:
    """{layer: h * w} of each layer's blob for the net's current input shape (no forward pass needed)."""
    return {layer: int(np.prod(net.blobs[layer].data.shape[2:])) for layer in layers}


def sized_target(G: np.ndarray, painting_positions: int, picture_positions: int) -> np.ndarray:
    """G: (N, N) Gram matrix of the painting at M' positions -> the same statistics summed over the picture's M."""
    if painting_positions == picture_positions:
        return G
    return G * (picture_positions / painting_positions)
