"""Writing outputs so that no work is lost: every file whole or not at all, a run's pictures together.

    out = prepare_folder(args.out)            # before any work: exists (made if missing) and writable
    with OutputSet(out) as files:             # pictures go to temporary files in the same folder...
        save_image(files.path("result.png"), picture)
        plot_losses(losses, files.path("result_loss.png"))
    # ...and replace the old ones together when the block ends without an error; on an error none do.

Together: before the first rename, the list of renames is written to a journal in the folder (.brushstrokes-commit-*,
locked while the renames run); Ctrl-C and SIGTERM wait for the renames. A run killed outright (kill -9, a power
cut) in the middle of them leaves the journal, and the next command that writes into that folder first finishes
those renames: the folder holds one run's whole set again before anything else happens there. The only files a
run replaces are those its own names give (a regular file, or nothing); a folder, a link, a FIFO or a device
under such a name is refused before any work.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language

PARTIAL = ".partial-"
JOURNAL = ".brushstrokes-commit-"  # + random + .json: the renames of a set being put in place
WRITTEN: list[Path] = []  # every file an OutputSet put in place in this process (main() reports them on Ctrl-C)

IS_FILE = Text("{option} {folder} is a file, not a folder", "{option} {folder} 是一个文件，不是文件夹")
UNDER_FILE = Text("{option} {folder} cannot be made: {parent} is a file, not a folder",
                  "无法创建 {option} {folder}：{parent} 是一个文件，不是文件夹")
GIVE_FOLDER = Text("give a folder, e.g. {option} output/", "请给出一个文件夹，例如 {option} output/")
READ_ONLY = Text("{option} {folder} is read-only", "{option} {folder} 是只读的")
READ_ONLY_TODO = Text("choose another folder with {option}, or make it writable: chmod u+w {folder}",
                      "用 {option} 换一个文件夹，或让它可写：chmod u+w {folder}")
CANNOT_WRITE = Text("cannot write into {option} {folder} ({error})", "无法写入 {option} {folder}（{error}）")
CANNOT_WRITE_TODO = Text("choose another folder with {option}, or fix its permissions or free some space",
                         "用 {option} 换一个文件夹，或修正它的权限、腾出磁盘空间")
TARGET_READ_ONLY = Text("{path} is read-only, and this run would replace it",
                        "{path} 是只读的，而这次运行需要替换它")
TARGET_READ_ONLY_TODO = Text("make it writable (chmod u+w {path}), move it away, or choose another {option}",
                             "让它可写（chmod u+w {path}）、把它移走，或换一个 {option}")
TARGET_FOLDER = Text("{path} is a folder, where this run writes a file",
                     "{path} 是一个文件夹，而这次运行要在那里写文件")
TARGET_FOLDER_TODO = Text("move it away, or choose another {option}", "把它移走，或换一个 {option}")
TARGET_NOT_FILE = Text("{path} is {kind}, where this run writes a file: it is not replaced",
                       "{path} 是{kind}，而这次运行要在那里写文件：它不会被替换")
KIND_LINK = Text("a symbolic link", "符号链接")
KIND_FIFO = Text("a named pipe (FIFO)", "命名管道（FIFO）")
KIND_DEVICE = Text("a device", "设备文件")
KIND_OTHER = Text("not a regular file", "不是普通文件")
FOLDER_GONE = Text("{folder} is no longer a folder (it was replaced while the run was going): nothing was written "
                   "into it and nothing there was touched",
                   "{folder} 已经不是文件夹了（运行期间被替换了）：没有写入任何东西，那里的内容也没有被改动")
FOLDER_GONE_TODO = Text("leave the output folder in place while a run is going; move that away or choose another "
                        "folder, then run again",
                        "运行期间不要动输出文件夹；把那个移走或换一个文件夹，然后再运行一次")
FINISHED = Text("finished putting in place the pictures of a run that was killed while saving them: {files}",
                "已完成一次在保存时被终止的运行的图片替换：{files}")
COMMIT_FAILED = Text("could not write {path} ({error}); already replaced: {done}; every other file is as before",
                     "无法写入 {path}（{error}）；已替换：{done}；其余文件保持原样")
WRITE_FAILED = Text("could not write into {folder} ({error}); nothing was replaced",
                    "无法写入 {folder}（{error}）；没有替换任何文件")
COMMIT_FAILED_TODO = Text("free some space or fix the folder's permissions, then run again",
                          "腾出磁盘空间或修正文件夹权限，然后再运行一次")
NONE = Text("none", "无")


def read_only(path: Path) -> bool:
    """True when `path` may not be written: no permission, or (even for root) no write bit at all."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not os.access(path, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)


def _error(message: Text, todo: Text, **fields: object) -> BrushstrokesError:
    lang = language()
    return BrushstrokesError(message(lang, **fields), todo(lang, **fields))


def prepare_folder(folder: str | Path, option: str = "--out", names: Iterable[str] = ()) -> Path:
    """Make sure `folder` exists (created if missing) and a file can be written in it; its resolved path.

    option: the command-line option that named it (for the message); names: the files the run will put
    there: each must not be a folder or a read-only file. Call it before any work.
    """
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise _error(IS_FILE, GIVE_FOLDER, option=option, folder=folder)
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise _error(UNDER_FILE, GIVE_FOLDER, option=option, folder=folder, parent=parent)
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _error(CANNOT_WRITE, CANNOT_WRITE_TODO, option=option, folder=folder,
                     error=exc.strerror or exc) from exc
    if read_only(folder):
        raise _error(READ_ONLY, READ_ONLY_TODO, option=option, folder=folder)
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=PARTIAL)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise _error(CANNOT_WRITE, CANNOT_WRITE_TODO, option=option, folder=folder,
                     error=exc.strerror or exc) from exc
    finished = finish_commits(folder)
    if finished:
        print(FINISHED(language(), files=", ".join(str(folder / name) for name in finished)))
    for name in names:
        target = folder / name
        if target.is_dir() and not target.is_symlink():
            raise _error(TARGET_FOLDER, TARGET_FOLDER_TODO, option=option, path=target)
        kind = not_a_file(target)
        if kind is not None:
            raise _error(TARGET_NOT_FILE, TARGET_FOLDER_TODO, option=option, path=target, kind=kind)
        if target.exists() and read_only(target):
            raise _error(TARGET_READ_ONLY, TARGET_READ_ONLY_TODO, option=option, path=target)
    return folder.resolve()


def not_a_file(path: Path) -> str | None:
    """What `path` is when something other than a regular file is there (a link, a FIFO, a device...), in the
    learner's language; None when it is a regular file or nothing."""
    try:
        mode = path.lstat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    lang = language()
    if stat.S_ISLNK(mode):
        return KIND_LINK(lang)
    if stat.S_ISFIFO(mode):
        return KIND_FIFO(lang)
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return KIND_DEVICE(lang)
    return KIND_OTHER(lang)


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


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and a kill (SIGTERM) back until the block ends (a few renames), then deliver them."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {sig: signal.signal(sig, lambda signum, frame: received.append(signum)) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    for sig in dict.fromkeys(received):
        signal.raise_signal(sig)  # now handled as it would have been: KeyboardInterrupt, exit, ...


class OutputSet:
    """A run's output files, written to temporary files and renamed into place together at the end.

    If the block raises (Ctrl-C included), no old file is touched and the temporary files are removed; an
    OSError (a full disk) comes out as a BrushstrokesError saying so. `written` lists the final paths once
    they are in place; a failed rename says which ones were.
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
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._failed(exc) from exc
        return self

    def _failed(self, exc: OSError) -> BrushstrokesError:
        """The one line for an OSError while writing: the folder replaced under the run, or a full disk."""
        lang = language()
        if self.folder.exists() and not self.folder.is_dir():
            return BrushstrokesError(FOLDER_GONE(lang, folder=self.folder), FOLDER_GONE_TODO(lang))
        return BrushstrokesError(WRITE_FAILED(lang, folder=self.folder, error=exc.strerror or exc),
                                 COMMIT_FAILED_TODO(lang))

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            for tmp, _ in self._pending:
                with contextlib.suppress(OSError):
                    tmp.unlink(missing_ok=True)
        if exc_type is not None and issubclass(exc_type, OSError):  # a full disk while writing: one line
            raise self._failed(exc) from exc

    def commit(self) -> None:
        """Rename each temporary file onto its final name (Ctrl-C and kills wait), with the renames in a journal
        until they are all done; a failure says which were done."""
        with _signals_deferred():
            try:
                journal = _journal(self.folder, self._pending)
            except OSError as exc:
                raise self._failed(exc) from exc
            with journal:
                for tmp, final in self._pending:
                    try:
                        os.chmod(tmp, 0o644)
                        os.replace(tmp, final)
                    except OSError as exc:
                        lang = language()
                        done = ", ".join(str(p) for p in self.written) or NONE(lang)
                        if self.folder.exists() and not self.folder.is_dir():
                            raise self._failed(exc) from exc
                        raise BrushstrokesError(COMMIT_FAILED(lang, path=final, error=exc.strerror or exc,
                                                              done=done), COMMIT_FAILED_TODO(lang)) from exc
                    self.written.append(final)
                    WRITTEN.append(final)
            self._pending.clear()


@contextlib.contextmanager
def _journal(folder: Path, renames: list[tuple[Path, Path]]) -> Iterator[None]:
    """A locked journal of `renames` (temporary name, final name) in `folder` while the block runs; removed after
    the block whether it succeeded or not (a failed rename is reported, and the other temporary files removed)."""
    prefix = PARTIAL + "journal-"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".json")
    handle = os.fdopen(fd, "w")
    path = Path(folder) / (JOURNAL + Path(tmp).name.removeprefix(prefix))  # as unique as the temporary name
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # held until the renames are done: finish_commits leaves it alone
        json.dump([[t.name, f.name] for t, f in renames], handle)
        handle.flush()
        os.fsync(handle.fileno())
        os.rename(tmp, path)  # the lock stays with the file
    except BaseException:
        handle.close()
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        yield
    finally:
        path.unlink(missing_ok=True)
        handle.close()


def finish_commits(folder: str | Path) -> list[str]:
    """Finish the renames of every journal a killed run left in `folder` (not those of a run renaming now);
    the names put in place."""
    done = []
    for journal in sorted(Path(folder).glob(JOURNAL + "*.json")):
        try:
            handle = open(journal)  # noqa: SIM115 -- held for the lock
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its run is renaming right now
            try:
                renames = json.load(handle)
            except ValueError:
                renames = []
            for pair in renames if isinstance(renames, list) else ():
                if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, str) for n in pair)):
                    continue
                tmp, final = (Path(folder) / Path(name).name for name in pair)
                if not tmp.name.startswith(PARTIAL) or not_a_file(tmp) is not None or not tmp.is_file():
                    continue
                if not_a_file(final) is not None or final.is_dir():
                    continue  # something else took that name since: it is not replaced
                with contextlib.suppress(OSError):
                    os.replace(tmp, final)
                    done.append(final.name)
            with contextlib.suppress(OSError):
                journal.unlink()
    return done


def remove_leftovers(folder: str | Path, older_than: float = 0.0) -> int:
    """Delete temporary files an interrupted earlier run left in `folder` (those older than `older_than` s).

    A positive `older_than` spares the temporary files of a run still writing there now. The renames a killed
    run left in a journal are finished first (finish_commits): their temporary files are its pictures.
    """
    finish_commits(folder)
    count, now = 0, time.time()
    for leftover in Path(folder).glob(PARTIAL + "*"):
        with contextlib.suppress(OSError):
            if older_than and now - leftover.lstat().st_mtime < older_than:
                continue
            if leftover.is_file() or leftover.is_symlink():
                leftover.unlink()
                count += 1
    return count
