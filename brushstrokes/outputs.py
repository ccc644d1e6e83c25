"""Writing outputs so that no work is lost: every file whole or not at all, a run's pictures together.

    out = prepare_folder(args.out)            # before any work: exists (made if missing) and writable
    with OutputSet(out) as files:             # pictures go to temporary files in the same folder...
        save_image(files.path("result.png"), picture)
        plot_losses(losses, files.path("result_loss.png"))
    # ...and replace the old ones together when the block ends without an error; on an error none do.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from brushstrokes.errors import BrushstrokesError

PARTIAL = ".partial-"


def prepare_folder(folder: str | Path) -> Path:
    """Make sure `folder` exists (created if missing) and a file can be written in it; its resolved path."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BrushstrokesError(f"--out {folder} is a file, not a folder", "give a folder, e.g. --out output/")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=PARTIAL)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise BrushstrokesError(f"cannot write into {folder} ({exc.strerror or exc})",
                                "choose another folder with --out, or fix its permissions") from exc
    return folder.resolve()


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary path beside `path`; renamed onto `path` when the block succeeds, removed when it fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=PARTIAL + path.stem + "-", suffix=path.suffix)
    os.close(fd)
    tmp = Path(tmp)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to `path` whole or not at all."""
    return write_bytes(path, text.encode("utf-8"))


class OutputSet:
    """A run's output files, written to temporary files and renamed into place together at the end.

    If the block raises (Ctrl-C included), no old file is touched and the temporary files are removed.
    `written` lists the final paths once they are in place.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._pending: list[tuple[Path, Path]] = []
        self.written: list[Path] = []

    def path(self, name: str) -> Path:
        """A temporary path to write `name` (a file name in the folder) to."""
        final = self.folder / name
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=PARTIAL + final.stem + "-", suffix=final.suffix)
        os.close(fd)
        self._pending.append((Path(tmp), final))
        return Path(tmp)

    def __enter__(self) -> OutputSet:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            for tmp, _ in self._pending:
                tmp.unlink(missing_ok=True)

    def commit(self) -> None:
        """Rename every temporary file onto its final name; a failure says which were already replaced."""
        for tmp, final in self._pending:
            try:
                os.chmod(tmp, 0o644)
                os.replace(tmp, final)
            except OSError as exc:
                done = ", ".join(p.name for p in self.written) or "none"
                raise BrushstrokesError(f"could not write {final} ({exc.strerror or exc}); already replaced: {done}",
                                        "free some space or fix the folder's permissions, then run again") from exc
            self.written.append(final)
        self._pending.clear()


def remove_leftovers(folder: str | Path) -> int:
    """Delete temporary files an interrupted earlier run left in `folder`; how many were removed."""
    count = 0
    for leftover in Path(folder).glob(PARTIAL + "*"):
        with contextlib.suppress(OSError):
            leftover.unlink()
            count += 1
    return count
