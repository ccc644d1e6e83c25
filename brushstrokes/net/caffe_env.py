"""Importing pycaffe quietly, choosing CPU or GPU, and describing the build."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language

CANNOT_IMPORT = Text("pycaffe cannot be imported ({error})", "无法导入 pycaffe（{error}）")
SETUP_HINT = Text("run `make setup` in the project folder, then use `.venv/bin/python` (or `source "
                  ".venv/bin/activate`); `brushstrokes doctor` says what else is missing",
                  "在项目文件夹里运行 `make setup`，然后使用 `.venv/bin/python`（或 `source .venv/bin/activate`）；"
                  "`brushstrokes doctor` 会说明还缺什么")
NO_DRIVER = Text("no NVIDIA driver (nvidia-smi not found): Caffe runs on the CPU",
                 "没有 NVIDIA 驱动（找不到 nvidia-smi）：Caffe 在 CPU 上运行")
SMI_FAILED = Text("nvidia-smi failed ({error}): Caffe runs on the CPU; `nvidia-smi -L` shows the driver's own error",
                  "nvidia-smi 运行失败（{error}）：Caffe 在 CPU 上运行；`nvidia-smi -L` 会显示驱动自己的错误")
NO_GPU_LISTED = Text("the NVIDIA driver lists no GPU: Caffe runs on the CPU",
                     "NVIDIA 驱动没有列出任何 GPU：Caffe 在 CPU 上运行")
CPU_BUILD = Text("a GPU is present but the active Caffe build is CPU-only: run `make setup CUDA=1`",
                 "有 GPU，但当前的 Caffe 只支持 CPU：运行 `make setup CUDA=1`")


def import_caffe() -> ModuleType:
    """Import pycaffe with Caffe's INFO logging silenced; a clear error if it is missing."""
    os.environ.setdefault("GLOG_minloglevel", "2")
    try:
        import caffe
    except ImportError as exc:
        lang = language()
        raise BrushstrokesError(CANNOT_IMPORT(lang, error=exc), SETUP_HINT(lang)) from exc
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
    """(usable, reason): a GPU is usable when the driver sees one and Caffe was built with CUDA (the reason in the
    learner's language)."""
    lang = language()
    if shutil.which("nvidia-smi") is None:
        return False, NO_DRIVER(lang)
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, SMI_FAILED(lang, error=exc)
    if out.returncode != 0 or "GPU" not in out.stdout:
        return False, NO_GPU_LISTED(lang)
    try:
        variant = build_info()["variant"]
    except BrushstrokesError:
        variant = "none"
    if variant != "cuda":
        return False, CPU_BUILD(lang)
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
