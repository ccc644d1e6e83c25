"""`brushstrokes watch`: re-check the current exercise whenever a lesson file is saved, and move on when it passes.

The current exercise is the first one (in course order) whose last grade is not "passed". On every save of a
.py file in the lessons folder (watched with the watchfiles library) its checks run again; when it passes, the
watcher announces it and moves to the next exercise, as `rustlings watch` does. Keys (in a terminal):
h a hint, c check now, q quit; Ctrl-C quits too. `Watcher.on_save` handles one save and is what the tests drive.
"""

from __future__ import annotations

import contextlib
import queue
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from brushstrokes import course
from brushstrokes.base.i18n import language
from brushstrokes.course import Exercise
from brushstrokes.learner import hints, places, standing
from brushstrokes.learner import messages as M
from brushstrokes.learner.loader import display
from brushstrokes.learner.runner import CheckRun, run_checks

Say = Callable[[str], None]
# the grading plugin's separator line above its score table ("==== Brushstrokes score: lessons/ ===="), any language
TABLE_START = re.compile(r"^(\x1b\[[0-9;]*m)*=+ Brushstrokes\b")


class WithoutTable:
    """Passes the checks' output on, up to the score table: watch says the one line that matters instead."""

    def __init__(self, say: Say) -> None:
        self.say = say
        self.in_table = False

    def __call__(self, line: str) -> None:
        self.in_table = self.in_table or bool(TABLE_START.match(line))
        if not self.in_table:
            self.say(line)


def lesson_file_changed(folder: Path, paths: Iterable[str | Path]) -> list[Path]:
    """The saved files that matter: .py files directly in the lessons folder (not temporary or hidden files)."""
    folder = Path(folder).resolve()
    found = []
    for p in paths:
        path = Path(p).resolve()
        if path.suffix == ".py" and path.parent == folder and not path.name.startswith((".", "#", "~")):
            found.append(path)
    return sorted(set(found))


class Watcher:
    """The state of one `brushstrokes watch`: the lessons folder and the exercise being worked on."""

    def __init__(self, folder: Path | None = None, say: Say | None = None,
                 run: Callable[..., CheckRun] = run_checks, keys: bool = False) -> None:
        self.folder = places.existing_lessons_dir(folder)
        self.say = say or (lambda line: print(line, flush=True))
        self.run = run
        self.keys = keys  # whether the h/c/q keys work (a terminal), for the messages
        self.current: Exercise | None = standing.current()

    # what the learner sees -----------------------------------------------------------------------------------
    def show_position(self) -> None:
        lang = language()
        if self.current is None:
            self.say(M.ALL_DONE(lang))
            return
        self.say("")
        for line in standing.position(self.current, lang):
            self.say("  " + line)
        self.say(M.SAVE_TO_CHECK(lang, file=standing.lesson_file(self.current), id=self.current.id))

    def show_hint(self) -> None:
        if self.current is not None:
            for line in hints.next_hint(self.current, language()):
                self.say(line)

    # what happens ----------------------------------------------------------------------------------------------
    def check(self) -> bool:
        """Run the current exercise's checks; on a pass, move on (and show where). True when it passed."""
        ex = self.current
        if ex is None:
            return True
        lang = language()
        result = self.run([ex], self.folder, echo=WithoutTable(self.say))
        if result.status(ex.id) != "passed":
            status = result.status(ex.id)
            label = M.STATUS.get(status, M.STATUS["not run"])(lang)
            message = M.EXERCISE_NOT_YET if self.keys else M.EXERCISE_NOT_YET_PLAIN
            self.say(message(lang, id=ex.id, function=ex.function, status=label, file=standing.lesson_file(ex)))
            return False
        self.say(M.EXERCISE_PASSED(lang, id=ex.id, function=ex.function))
        lesson = course.owner(ex)
        known = standing.grades()
        if lesson.done(lang) and all(standing.status(e, known) == "passed" for e in lesson.exercises if not e.stretch):
            self.say(lesson.done(lang))
        nxt = standing.current()
        self.current = standing.following(ex) if nxt == ex else nxt  # the same one: its grade could not be saved
        if self.current is not None:
            self.say(M.MOVING_ON(lang, id=self.current.id))
        self.show_position()
        return True

    def on_save(self, paths: Iterable[str | Path]) -> bool | None:
        """Handle one batch of saved files: re-check when a lesson file changed. None when nothing was checked."""
        changed = lesson_file_changed(self.folder, paths)
        if not changed or self.current is None:
            return None
        self.say("")
        self.say(M.SAVED(language(), files=", ".join(display(p) for p in changed)))
        return self.check()

    def stopped(self) -> None:
        lang = language()
        self.say(M.WATCH_STOPPED(lang, id=self.current.id) if self.current else M.WATCH_STOPPED_DONE(lang))


@contextlib.contextmanager
def keypresses() -> Iterator[queue.Queue[str] | None]:
    """Single keys typed in the terminal (no Enter needed), or None when stdin is not a terminal."""
    if not sys.stdin.isatty():
        yield None
        return
    import termios
    import tty

    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    keys: queue.Queue[str] = queue.Queue()

    def read() -> None:
        while True:
            ch = sys.stdin.read(1)
            if not ch:
                return
            keys.put(ch)

    tty.setcbreak(fd)
    threading.Thread(target=read, daemon=True).start()
    try:
        yield keys
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def watch(folder: Path | None = None, once: bool = False) -> int:
    """`brushstrokes watch`: check the current exercise, then again on every save; exit 0 on q, Ctrl-C or all done.

    once: check the current exercise a single time and return (0 if it passes), without watching.
    """
    lang = language()
    with keypresses() as keys:
        watcher = Watcher(folder, keys=keys is not None)
        if once:
            watcher.show_position()
            return 0 if watcher.check() else 1
        import watchfiles

        watcher.say((M.WATCH_BANNER if keys is not None else M.WATCH_BANNER_PLAIN)(lang,
                                                                                   folder=display(watcher.folder)))
        watcher.show_position()
        try:
            if watcher.current is not None:
                watcher.check()
            stop = threading.Event()
            for changes in watchfiles.watch(watcher.folder, stop_event=stop, debounce=400, rust_timeout=300,
                                            yield_on_timeout=True, recursive=False):
                if changes:
                    watcher.on_save(path for _, path in changes)
                while keys is not None and not keys.empty():
                    key = keys.get().lower()
                    if key == "q":
                        stop.set()
                    elif key == "h":
                        watcher.show_hint()
                    elif key == "c":
                        watcher.check()
                if watcher.current is None or stop.is_set():
                    break
        except KeyboardInterrupt:
            watcher.say("")
        watcher.stopped()
    return 0
