"""Ctrl-C during a run: the first press asks the loop to stop and keep its result, a second one aborts at once.

One handler for every loop: the run pipeline (brushstrokes/runs/pipeline.py) holds one StopRequest around the
optimisation, and lesson_support.progress, the loop helper of the lessons, joins it (or holds its own when a
learner calls their loop directly):

    with StopRequest(KEEP_RESULT) as stop:
        for i in range(iters):
            if stop.requested:
                break
"""

from __future__ import annotations

import signal
import threading

from brushstrokes.base.i18n import Text, language

KEEP_RESULT = Text("\nCtrl-C: finishing this iteration and keeping the result (press Ctrl-C again to stop at once, "
                   "without a result)",
                   "\nCtrl-C：完成这一次迭代后停止，并保留结果（再按一次 Ctrl-C 会立即停止，不保留结果）")
KEEP_PICTURE = Text("\nCtrl-C: keeping the picture as it is now (press again to abort)",
                    "\nCtrl-C：保留当前的图片（再按一次则放弃）")

_held: list[StopRequest] = []  # the requests whose handler is installed, innermost last


class StopRequest:
    """The first Ctrl-C sets `requested` and prints `message`; a second raises KeyboardInterrupt.

    The handler is installed on entering (from the main thread only: signals reach no other) and the previous one
    put back on leaving.
    """

    def __init__(self, message: Text = KEEP_RESULT) -> None:
        self.message = message
        self.requested = False
        self._previous = None
        self._installed = False

    def __enter__(self) -> StopRequest:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
            _held.append(self)
        return self

    def _handle(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print(self.message(language()), flush=True)

    def __exit__(self, *exc) -> None:
        if self._installed:
            _held.remove(self)
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False


class _Joined:
    """The run's StopRequest, entered by an inner loop without installing another handler."""

    def __init__(self, request: StopRequest) -> None:
        self.request = request

    def __enter__(self) -> StopRequest:
        return self.request

    def __exit__(self, *exc) -> None:
        return None


def held() -> StopRequest | None:
    """The StopRequest whose handler is installed now (the run's), or None."""
    return _held[-1] if _held else None


def joined(message: Text = KEEP_RESULT) -> StopRequest | _Joined:
    """A context manager giving the run's StopRequest when one is held (its message is the run's), else a new one
    with `message`."""
    request = held()
    return _Joined(request) if request is not None else StopRequest(message)
