"""`brushstrokes doctor`: is everything in place, and what to do about what is not."""

from __future__ import annotations

import sys
import sysconfig
from pathlib import Path

from brushstrokes import paths
from brushstrokes.errors import BrushstrokesError

OK, BAD = "ok  ", "FAIL"


def check_python() -> tuple[bool, str]:
    """Python 3.11 with a shared libpython (what pycaffe's boost-python needs)."""
    version = ".".join(map(str, sys.version_info[:3]))
    shared = bool(sysconfig.get_config_var("Py_ENABLE_SHARED"))
    good = sys.version_info[:2] == (3, 11) and shared
    detail = f"Python {version} ({sys.executable}), shared libpython: {'yes' if shared else 'no'}"
    return good, detail if good else detail + " -> use the project's .venv: run `make setup`"


def check_caffe() -> tuple[bool, str]:
    """Which Caffe build is active (variant, BLAS, version, path)."""
    from brushstrokes.caffe_env import build_info

    try:
        info = build_info()
    except BrushstrokesError as exc:
        return False, f"{exc.message} -> {exc.todo}"
    return True, (f"Caffe {info['version']} ({info['variant'].upper()} build, BLAS {info['blas']}) "
                  f"at {info['path']}")


def check_gpu() -> tuple[bool, str]:
    """Whether a GPU is usable; never a failure, since the CPU works too."""
    from brushstrokes.caffe_env import gpu_status

    usable, reason = gpu_status()
    return True, ("GPU usable: " + reason) if usable else ("GPU not used: " + reason)


def check_weights() -> tuple[bool, str]:
    """The VGG19 caffemodel exists, matches its checksum and has VGG19's layers."""
    from brushstrokes.weights import check_caffemodel

    path = paths.weights_path()
    try:
        check_caffemodel(path)
    except BrushstrokesError as exc:
        return False, f"{exc.message} -> {exc.todo}"
    sidecar = Path(str(path) + ".md5")
    digest = sidecar.read_text().strip() if sidecar.exists() else "no .md5 recorded"
    return True, f"VGG19 weights at {path} (md5 {digest}, checksum holds, 16 conv layers)"


def check_images() -> tuple[bool, str]:
    """The lesson images are in data/ and readable."""
    from brushstrokes.images import load_image

    try:
        for path in (paths.CAT, paths.SCREAM):
            load_image(path)
    except BrushstrokesError as exc:
        return False, f"{exc.message} -> restore data/ with `git checkout data/`"
    return True, f"images: {paths.CAT.name}, {paths.SCREAM.name} in {paths.DATA}"


CHECKS = (("python", check_python), ("caffe", check_caffe), ("gpu", check_gpu),
          ("weights", check_weights), ("images", check_images))


def report() -> tuple[list[str], int]:
    """Lines to print, and the number of problems found."""
    lines, problems = ["Brushstrokes doctor"], 0
    for name, check in CHECKS:
        good, detail = check()
        problems += not good
        lines.append(f"  [{OK if good else BAD}] {name:8s} {detail}")
    lines.append("All good: run `make demo`." if not problems
                 else f"{problems} problem(s): fix them as shown above, then run `brushstrokes doctor` again.")
    return lines, problems
