"""Importing pycaffe quietly, choosing CPU or GPU, and describing the build."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

from brushstrokes.errors import BrushstrokesError

SETUP_HINT = "run `make setup` in the project folder, then use `.venv/bin/python` (or `source .venv/bin/activate`)"


def import_caffe() -> ModuleType:
    """Import pycaffe with Caffe's INFO logging silenced; a clear error if it is missing."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    try:
        import caffe
    except ImportError as exc:
        raise BrushstrokesError(f"pycaffe cannot be imported ({exc})", SETUP_HINT) from exc
    return caffe


def build_info() -> dict[str, str]:
    """What tools/caffe/build.sh recorded about the active build: variant, versions, and how CPU
    convolutions run ("oneDNN" when built with it and CAFFE_DNNL is not 0, else "im2col + GEMM")."""
    caffe = import_caffe()
    # caffe lives in PREFIX/lib/python3/dist-packages/caffe/__init__.py
    prefix = Path(caffe.__file__).resolve().parents[4]
    info = {"path": str(Path(caffe.__file__).parent), "prefix": str(prefix),
            "version": getattr(caffe, "__version__", "unknown"), "variant": "unknown", "blas": "OpenBLAS",
            "conv": "im2col + GEMM"}
    record = prefix / "BUILD_INFO"
    if record.exists():
        for line in record.read_text().splitlines():
            if line.startswith("variant="):
                info["variant"] = line.split("=", 1)[1]
            if " dnnl=1" in line and os.environ.get("CAFFE_DNNL") != "0":
                info["conv"] = "oneDNN"
    return info


def gpu_status() -> tuple[bool, str]:
    """(usable, reason): a GPU is usable when the driver sees one and Caffe was built with CUDA."""
    if shutil.which("nvidia-smi") is None:
        return False, "no NVIDIA driver (nvidia-smi not found): Caffe runs on the CPU"
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"nvidia-smi failed ({exc}): Caffe runs on the CPU"
    if out.returncode != 0 or "GPU" not in out.stdout:
        return False, "the NVIDIA driver lists no GPU: Caffe runs on the CPU"
    try:
        variant = build_info()["variant"]
    except BrushstrokesError:
        variant = "none"
    if variant != "cuda":
        return False, "a GPU is present but the active Caffe build is CPU-only: run `make setup CUDA=1`"
    return True, out.stdout.strip().splitlines()[0]


def use_best_device() -> str:
    """Put Caffe on the GPU when one is usable (BRUSHSTROKES_DEVICE=cpu forces the CPU); return 'gpu' or 'cpu'."""
    caffe = import_caffe()
    want = os.environ.get("BRUSHSTROKES_DEVICE", "auto")
    if want != "cpu" and gpu_status()[0]:
        caffe.set_device(int(os.environ.get("BRUSHSTROKES_GPU_ID", "0")))
        caffe.set_mode_gpu()
        return "gpu"
    caffe.set_mode_cpu()
    return "cpu"
