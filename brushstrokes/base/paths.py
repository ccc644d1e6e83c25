"""Where things live: the repository's folders and the cache outside it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
DATA = ROOT / "data"
OUTPUT = ROOT / "output"


def models_dir(root: Path = ROOT, package: Path = PACKAGE) -> Path:
    """The folder of vgg19.prototxt and checksums.txt: models/ in the repository, or brushstrokes/models (the
    wheel's package data) in an installed package."""
    in_repo = root / "models"
    return in_repo if (in_repo / "vgg19.prototxt").is_file() else package / "models"


MODELS = models_dir()

CAT = DATA / "chelsea.png"
SCREAM = DATA / "scream.jpg"
PROTOTXT = MODELS / "vgg19.prototxt"


def cache_dir() -> Path:
    """The per-user cache for the caffe build and the weights (outside the repo)."""
    base = os.environ.get("BRUSHSTROKES_CACHE")
    if base:
        return Path(base)
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg) / "brushstrokes"


def weights_path() -> Path:
    """The VGG19 caffemodel the project uses (BRUSHSTROKES_WEIGHTS overrides)."""
    override = os.environ.get("BRUSHSTROKES_WEIGHTS")
    if override:
        return Path(override)
    return cache_dir() / "models" / "vgg19_conv.caffemodel"


def in_project_env() -> bool:
    """True when this interpreter is the project's .venv."""
    return Path(sys.prefix).resolve() == (ROOT / ".venv").resolve()
