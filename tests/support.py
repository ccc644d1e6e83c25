"""Assertions and helpers that several test files share (tests/ is on sys.path through tests/conftest.py)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from brushstrokes.base import paths

INSTALLED = paths.weights_path()  # read before any test points the cache elsewhere


def one_error(out: subprocess.CompletedProcess, status: int = 2) -> str:
    """The error of a failed command: the expected status, 'error: ... what to do: ...', no traceback."""
    assert out.returncode == status, out.stdout + out.stderr
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout, out.stderr
    assert out.stderr.count("error: ") == 1 and "what to do: " in out.stderr, out.stderr
    return out.stderr


def digests(folder: Path) -> dict[str, str]:
    """{file name: md5} of every file in folder (hidden ones included)."""
    return {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
