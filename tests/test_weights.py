"""fetch-model: failing over, checksums, atomic writes, and refusing bad model files."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest

from brushstrokes import weights
from brushstrokes.errors import BrushstrokesError
from brushstrokes.weights import Source, check_caffemodel, fetch_model

UNREACHABLE = (
    Source("closed port", "http://127.0.0.1:9/VGG_ILSVRC_19_layers.caffemodel", "caffemodel", None),
    Source("unresolvable host", "http://brushstrokes.invalid/vgg19.h5", "h5", "md5:" + weights.H5_MD5),
)


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    """An empty cache folder, so nothing already downloaded is reused."""
    monkeypatch.setenv("BRUSHSTROKES_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def server(tmp_path):
    """A loopback HTTP server over tmp_path/www; yields its base URL."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.shutdown()


def test_every_source_unreachable_fails_cleanly(cache, tmp_path):
    dest = tmp_path / "models" / "vgg19.caffemodel"
    said = []
    with pytest.raises(BrushstrokesError) as err:
        fetch_model(dest=dest, sources=UNREACHABLE, timeout=2, say=said.append)
    text = str(err.value)
    assert "closed port: host unreachable" in text and "unresolvable host: host unreachable" in text
    assert "fetch-model --from" in err.value.todo
    assert len(said) == 2 and all("trying the next source" in line for line in said)
    assert not dest.exists()


def test_checksum_mismatch_is_refused_and_nothing_is_kept(cache, tmp_path, server):
    base, root = server
    (root / "vgg19.h5").write_bytes(b"not the weights" * 1000)
    dest = tmp_path / "models" / "vgg19.caffemodel"
    bad = (Source("tampered mirror", f"{base}/vgg19.h5", "h5", "md5:" + weights.H5_MD5),)
    with pytest.raises(BrushstrokesError) as err:
        fetch_model(dest=dest, sources=bad, timeout=2, say=lambda line: None)
    assert "checksum does not match" in str(err.value)
    assert not dest.exists()
    assert not list((cache / "downloads").glob("vgg19.h5*")), "a file that failed its checksum was kept"


def test_http_error_then_next_source(cache, tmp_path, server):
    base, root = server
    sources = (Source("missing file", f"{base}/nothing-here.caffemodel", "caffemodel", None), *UNREACHABLE[:1])
    with pytest.raises(BrushstrokesError) as err:
        fetch_model(dest=tmp_path / "m.caffemodel", sources=sources, timeout=2, say=lambda line: None)
    assert "missing file: HTTP error 404" in str(err.value)


def record_md5(path: Path) -> None:
    """Write path.md5 as fetch-model does, so that checks beyond the checksum are reached."""
    Path(str(path) + ".md5").write_text(weights.md5sum(path) + "\n")


def small_weights(scale: float = 1.0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """VGG19-shaped random conv weights (a test stand-in, never used as the real model)."""
    rng = np.random.default_rng(0)
    return {name: ((rng.standard_normal(weights.expected_shape(name)) * scale).astype(np.float32),
                   np.zeros(weights.expected_shape(name)[0], np.float32)) for name in weights.CONV_LAYERS}


def test_write_is_atomic_and_checksummed(tmp_path):
    dest = tmp_path / "w.caffemodel"
    weights.write_caffemodel(small_weights(), dest)
    assert dest.exists() and Path(str(dest) + ".md5").read_text().strip() == weights.md5sum(dest)
    assert not list(tmp_path.glob(".partial-*"))
    check_caffemodel(dest)


def test_corrupt_model_file_is_detected(tmp_path):
    dest = tmp_path / "w.caffemodel"
    weights.write_caffemodel(small_weights(), dest)
    data = bytearray(dest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dest.write_bytes(bytes(data))
    with pytest.raises(BrushstrokesError, match="corrupt"):
        check_caffemodel(dest)


@pytest.mark.parametrize("content,expected", [
    (b"", "empty or truncated"),
    (b"\x00\x01garbage" * 500, "not a Caffe model file"),
])
def test_broken_model_file_gives_one_clear_error(tmp_path, content, expected):
    bad = tmp_path / "bad.caffemodel"
    bad.write_bytes(content)
    record_md5(bad)  # its checksum holds: the parse must still refuse it
    with pytest.raises(BrushstrokesError, match=expected) as err:
        check_caffemodel(bad)
    assert "fetch-model" in err.value.todo


def test_wrong_model_is_refused(tmp_path):
    """A valid caffemodel of another net (here: VGG19 without conv5_4) is named as such."""
    w = small_weights()
    del w["conv5_4"]
    from caffe.proto import caffe_pb2

    param = caffe_pb2.NetParameter(name="NotVGG")
    for name, (k, b) in w.items():
        layer = param.layer.add(name=name, type="Convolution")
        for arr in (k, b):
            blob = layer.blobs.add()
            blob.shape.dim.extend(arr.shape)
            blob.data.extend(arr.ravel())
    path = tmp_path / "other.caffemodel"
    path.write_bytes(param.SerializeToString())
    record_md5(path)
    with pytest.raises(BrushstrokesError, match="conv5_4"):
        check_caffemodel(path)


def test_load_vgg19_refuses_a_missing_model(tmp_path):
    from brushstrokes.vgg import load_vgg19

    with pytest.raises(BrushstrokesError, match="missing") as err:
        load_vgg19(weights=tmp_path / "nope.caffemodel")
    assert "fetch-model" in err.value.todo


def test_local_file_of_the_wrong_kind_is_refused(tmp_path, cache):
    h5 = tmp_path / "vgg19.h5"
    h5.write_bytes(b"x" * 100)
    with pytest.raises(BrushstrokesError, match="md5"):
        fetch_model(dest=tmp_path / "m.caffemodel", local=h5, say=lambda line: None)


def test_known_hashes_are_well_formed():
    for source in weights.SOURCES:
        if source.known_hash:
            algo, digest = source.known_hash.split(":")
            assert len(digest) == hashlib.new(algo).digest_size * 2
