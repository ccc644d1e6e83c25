"""Lesson 1 end to end: the cat's conv4_2 features, white noise, gradient descent, pictures."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from brushstrokes import images, plotting
from brushstrokes.errors import BrushstrokesError
from brushstrokes.guards import guarded
from brushstrokes.vgg import CONV_LAYERS, features, load_vgg19


def lesson_module(use: str, name: str):
    """solutions.<name> or lessons.<name> (the learner's own), functions checked for NaN."""
    try:
        module = importlib.import_module(f"{use}.{name}")
    except ModuleNotFoundError as exc:
        raise BrushstrokesError(f"{use}/{name}.py is missing ({exc})",
                                f"restore it with `git checkout {use}/{name}.py`") from exc
    return guarded(module) if use == "lessons" else module


def run_content(image: Path, longest: int = 128, layer: str = "conv4_2", iters: int = 200, lr: float | None = None,
                seed: int = 0, use: str = "solutions", out: Path = Path("output")) -> Path:
    """Reconstruct `image` from its `layer` features starting from white noise; write pictures to `out`."""
    if layer not in CONV_LAYERS:
        raise BrushstrokesError(f"unknown layer {layer!r}", "use one of " + ", ".join(CONV_LAYERS))
    lesson = lesson_module(use, "lesson1_content")
    picture = images.load_image(image, longest=longest)
    target = images.preprocess(picture)
    h, w = target.shape[2:]
    net = load_vgg19(shape=(h, w))
    P = features(net, target, (layer,))[layer]
    x0 = images.white_noise((h, w), seed=seed)
    print(f"Finding the content of {image} ({w}x{h} px) from white noise through VGG19 {layer}, "
          f"up to {iters} iterations ({use}/lesson1_content.py)")
    start = time.perf_counter()
    kwargs = {} if lr is None else {"lr": lr}
    try:
        x, losses, snapshots = lesson.reconstruct(net, P, x0, layer=layer, iters=iters, **kwargs)
    except NotImplementedError as exc:
        raise BrushstrokesError(f"lessons/lesson1_content.py is not finished ({exc})",
                                "fill in the exercises, check them with `pytest checks/`, then run this again") from exc
    seconds = time.perf_counter() - start
    out = Path(out)
    stem = f"content_{layer}"
    result = images.save_image(out / f"{stem}.png", images.deprocess(x))
    plotting.plot_losses(losses, out / f"{stem}_loss.png", title=f"content loss at {layer}")
    frames = plotting.progress_frames(snapshots, x, len(losses), target)
    plotting.plot_frames(frames, out / f"{stem}_frames.png", columns=min(4, len(frames)))
    print(f"{len(losses)} iterations in {seconds:.0f} s ({seconds / max(1, len(losses)):.2f} s each); "
          f"loss {losses[0]:.4g} -> {losses[-1]:.4g} ({losses[-1] / losses[0]:.1%} of the start)")
    print(f"wrote {result}, {out / (stem + '_loss.png')} and {out / (stem + '_frames.png')}")
    return result
