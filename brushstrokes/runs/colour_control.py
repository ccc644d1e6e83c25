"""`paint --colour`: the pictures VGG19 sees under each colour control (lesson 4, exercises 4.1 and 4.2).

keep: the photo and the paintings as they are (the transfer gives the painting's colours);
luminance: the photo's luminance Y and the painting's, matched to the photo's mean and spread (4.1), each as a grey
picture (Y in all three channels); the run's result then takes the photo's I, Q back (lesson 3's keep_colours);
match: the painting's colours moved to the photo's mean and covariance (4.2) before its Gram matrices are taken.
--original-colors (lesson 3) instead recolours a full colour transfer after the fact: the texture was matched on
colour, only its colours are replaced.
Pictures: (H, W, 3) float32 RGB in 0..255; luminance: (H, W) float64 in 0..255.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from brushstrokes.net.images import RGB_TO_YIQ


def luminance(picture: np.ndarray) -> np.ndarray:
    """Y of an (H, W, 3) RGB picture: (H, W) float64 (RGB_TO_YIQ's first row)."""
    return picture.astype(np.float64) @ RGB_TO_YIQ[0]


def grey(y: np.ndarray) -> np.ndarray:
    """A luminance (H, W) as a grey picture (H, W, 3) float32, clipped to 0..255."""
    return np.repeat(np.clip(y, 0, 255)[..., None], 3, axis=-1).astype(np.float32)


def photo_seen(colour: str, photo: np.ndarray) -> np.ndarray:
    """The photo (H, W, 3) as VGG19 sees it under `colour`: itself, or its luminance as a grey picture."""
    return grey(luminance(photo)) if colour == "luminance" else photo


def painting_seen(colour: str, painting: np.ndarray, photo: np.ndarray,
                  match_luminance: Callable[[np.ndarray, np.ndarray], np.ndarray],
                  match_colours: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """A painting (H', W', 3) as VGG19 sees it under `colour`, with the photo (H, W, 3) at the picture's size:
    itself (keep), grey with the photo's luminance mean and spread (luminance: 4.1 `match_luminance`), or with the
    photo's colour mean and covariance (match: 4.2 `match_colours`). The exercises' results as they returned them
    (the caller checks them)."""
    if colour == "luminance":
        return grey(match_luminance(luminance(painting), luminance(photo)))
    if colour == "match":
        return match_colours(painting, photo)
    return painting
