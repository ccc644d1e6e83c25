"""`brushstrokes doctor`: is everything in place, and what to do about what is not.

Every check returns (good, one line), good None meaning "not checked" (from another Python); none can
crash the report: a check that fails unexpectedly is a FAIL line naming the error. Only the standard
library is imported at the top, so that another Python (not the project's .venv) still gets a report
that says to use .venv.
"""

from __future__ import annotations

import sys
import sysconfig
from collections.abc import Callable

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language

OK, BAD, SKIP = "ok  ", "FAIL", "--  "

TITLE = Text("Brushstrokes doctor", "Brushstrokes 检查")
PYTHON = Text("Python {version} ({python}), shared libpython: {shared}",
              "Python {version}（{python}），共享 libpython：{shared}")
YES, NO = Text("yes", "是"), Text("no", "否")
NOT_VENV = Text("{detail}: not the project's .venv -> run `.venv/bin/brushstrokes doctor` (or `make doctor`)",
                "{detail}：不是本项目的 .venv -> 运行 `.venv/bin/brushstrokes doctor`（或 `make doctor`）")
NO_VENV = Text("{detail}: the project's .venv does not exist yet -> run `make setup`, then `make doctor`",
               "{detail}：本项目的 .venv 还不存在 -> 运行 `make setup`，然后 `make doctor`")
BAD_VENV = Text("{detail}: pycaffe needs Python 3.11 with a shared libpython -> run `make setup`",
                "{detail}：pycaffe 需要带共享 libpython 的 Python 3.11 -> 运行 `make setup`")
SKIPPED = Text("not checked: it needs the project's Python (see the python line)",
               "未检查：需要本项目的 Python（见 python 一行）")
CAFFE = Text("Caffe {version} ({variant} build, BLAS {blas}, convolutions {conv}) at {path}",
             "Caffe {version}（{variant} 构建，BLAS {blas}，卷积 {conv}），位于 {path}")
GPU_YES = Text("GPU usable: {reason}", "GPU 可用：{reason}")
GPU_NO = Text("GPU not used: {reason}", "未使用 GPU：{reason}")
WEIGHTS = Text("VGG19 weights at {path} (md5 {md5}, {how}; 16 conv layers)",
               "VGG19 权重位于 {path}（md5 {md5}，{how}；16 个卷积层）")
BY_SIDECAR = Text("matches its .md5", "与其 .md5 一致")
BY_KNOWN = Text("no .md5 beside it, but it matches the known checksum of the {source} conversion (.md5 written again)",
                "旁边没有 .md5，但与 {source} 转换结果的已知校验和一致（已重新写入 .md5）")
NORMALISED = Text("the paper's normalised VGG19 at {path} (md5 {md5}, {how})",
                  "论文中的归一化 VGG19 位于 {path}（md5 {md5}，{how}）")
BY_RECORD = Text("its .md5 is missing or holds no md5, but it matches the checksum in its record {record} "
                 "(.md5 written again)",
                 "它的 .md5 缺失或没有 md5，但与其记录 {record} 中的校验和一致（已重新写入 .md5）")
NORMALISED_NOT_YET = Text("the paper's normalised VGG19 is not made yet (or was made from other weights): "
                          "`brushstrokes fetch-model` makes it; style and paint also do, on first use",
                          "论文中的归一化 VGG19 还没有生成（或由别的权重生成）：`brushstrokes fetch-model` 会生成它；"
                          "style 和 paint 第一次使用时也会生成")
AFTER_WEIGHTS = Text("not checked: the raw weights above come first", "未检查：先要解决上面的原始权重")
IMAGES = Text("images: {cat}, {scream} in {folder}", "图片：{cat}、{scream}，位于 {folder}")
RESTORE_DATA = Text("restore data/ with `git checkout data/`", "用 `git checkout data/` 恢复 data/")
CRASHED = Text("the check itself failed ({error}) -> run `make setup`, then `brushstrokes doctor` again",
               "检查本身出错（{error}）-> 运行 `make setup`，然后再运行 `brushstrokes doctor`")
ALL_GOOD = Text("All good: run `make demo`.", "一切正常：运行 `make demo`。")
PROBLEMS = Text("{n} problem(s): fix them as shown above, then run `brushstrokes doctor` again.",
                "{n} 个问题：按上面所示修复，然后再运行 `brushstrokes doctor`。")


def project_python() -> bool:
    """True when this interpreter is the project's .venv."""
    from brushstrokes.base.paths import in_project_env

    return in_project_env()


def check_python() -> tuple[bool, str]:
    """The project's .venv, on Python 3.11 with a shared libpython (what pycaffe's boost-python needs)."""
    lang = language()
    version = ".".join(map(str, sys.version_info[:3]))
    shared = bool(sysconfig.get_config_var("Py_ENABLE_SHARED"))
    detail = PYTHON(lang, version=version, python=sys.executable, shared=(YES if shared else NO)(lang))
    if not project_python():
        venv = paths.ROOT / ".venv" / "bin" / "python"
        return False, (NOT_VENV if venv.exists() else NO_VENV)(lang, detail=detail)
    if sys.version_info[:2] != (3, 11) or not shared:
        return False, BAD_VENV(lang, detail=detail)
    return True, detail


def check_caffe() -> tuple[bool | None, str]:
    """Which Caffe build is active (variant, BLAS, convolutions, version, path); not checked from another Python."""
    from brushstrokes.net.caffe_env import build_info

    try:
        info = build_info()
    except BrushstrokesError as exc:
        if not project_python():
            return None, SKIPPED(language())
        return False, f"{exc.message} -> {exc.todo}"
    return True, CAFFE(language(), version=info["version"], variant=info["variant"].upper(), blas=info["blas"],
                       conv=info["conv"], path=info["path"])


def check_gpu() -> tuple[bool, str]:
    """Whether a GPU is usable; never a failure, since the CPU works too."""
    from brushstrokes.net.caffe_env import gpu_status

    usable, reason = gpu_status()
    return True, (GPU_YES if usable else GPU_NO)(language(), reason=reason)


def check_weights() -> tuple[bool, str]:
    """The VGG19 caffemodel exists, matches its checksum (its .md5 or the known one) and has VGG19's layers."""
    from brushstrokes.net.weights import check_caffemodel

    lang = language()
    path = paths.weights_path()
    try:
        verified = check_caffemodel(path)
    except BrushstrokesError as exc:
        return False, f"{exc.message} -> {exc.todo}"
    how = BY_SIDECAR(lang) if verified.by == "sidecar" else BY_KNOWN(lang, source=verified.by)
    return True, WEIGHTS(lang, path=path, md5=verified.md5, how=how)


def check_normalised() -> tuple[bool | None, str]:
    """The paper's normalised VGG19 beside the weights, verified like them (its .md5, else its record's md5; its
    layers); not made yet is not a problem (fetch-model, style and paint make it)."""
    from brushstrokes.net.normalise import check_normalised as verify
    from brushstrokes.net.normalise import normalised_path, record_path
    from brushstrokes.net.weights import check_caffemodel

    lang = language()
    raw = paths.weights_path()
    try:
        raw_md5 = check_caffemodel(raw).md5
    except BrushstrokesError:
        return None, AFTER_WEIGHTS(lang)
    try:
        verified = verify(raw, raw_md5)
    except BrushstrokesError as exc:
        return False, f"{exc.message} -> {exc.todo}"
    if verified is None:
        return True, NORMALISED_NOT_YET(lang)
    path = normalised_path(raw)
    how = BY_SIDECAR(lang) if verified.by == "sidecar" else BY_RECORD(lang, record=record_path(raw).name)
    return True, NORMALISED(lang, path=path, md5=verified.md5, how=how)


def check_images() -> tuple[bool, str]:
    """The lesson images are in data/ and readable."""
    from brushstrokes.net.images import load_image

    lang = language()
    try:
        for path in (paths.CAT, paths.SCREAM):
            load_image(path)
    except BrushstrokesError as exc:
        return False, f"{exc.message} -> {RESTORE_DATA(lang)}"
    return True, IMAGES(lang, cat=paths.CAT.name, scream=paths.SCREAM.name, folder=paths.DATA)


CHECKS: tuple[tuple[str, Callable[[], tuple[bool | None, str]]], ...] = (
    ("python", check_python), ("caffe", check_caffe), ("gpu", check_gpu),
    ("weights", check_weights), ("normalised", check_normalised), ("images", check_images))


def run_check(check: Callable[[], tuple[bool | None, str]]) -> tuple[bool | None, str]:
    """A check's (good, line); None for good when another Python cannot run it; never a crash."""
    try:
        return check()
    except ModuleNotFoundError as exc:
        if not project_python():
            return None, SKIPPED(language())
        error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # noqa: BLE001 - the doctor reports every failure as one line
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
    return False, CRASHED(language(), error=error)


def report() -> tuple[list[str], int]:
    """Lines to print, and the number of problems found."""
    lang = language()
    lines, problems = [TITLE(lang)], 0
    for name, check in CHECKS:
        good, detail = run_check(check)
        problems += good is False
        mark = SKIP if good is None else OK if good else BAD
        lines.append(f"  [{mark}] {name:10s} {detail}")
    lines.append(ALL_GOOD(lang) if not problems else PROBLEMS(lang, n=problems))
    return lines, problems
