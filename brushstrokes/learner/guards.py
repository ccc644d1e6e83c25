"""Catching NaN and inf in a learner's functions at the moment they appear, and only blaming the cause; and
stopping a learner's function that runs far longer than the reference solution would.

A function is named when it returns NaN or inf from finite inputs; given NaN or inf, it passes them on
(the run's end check reports them without blaming a function that only received them).

Time: while a Watchdog is on (brushstrokes.learner.result_checks.learner_code turns one on around the learner's code),
every guarded call has a limit of TIMES_REFERENCE times what the reference solution needs for it, and at least
MIN_SECONDS; past it the call is stopped (SIGALRM, as the checks' --check-timeout does) with TookTooLong, which
learner_code reports as one line naming the function. What the reference needs is estimated from this run's own
VGG19 passes (the longest forward and backward pass timed so far, whoever made them): one loss and gradient
evaluation for a function, REFERENCE_PASSES_PER_ITERATION of them per iteration for a loop (a function with an
`iters` parameter).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

from brushstrokes import course
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import Text, language

RETURNED_NAN = Text("{file}: {name} returned NaN or inf from finite inputs{exercise}",
                    "{file}：{name} 对有限的输入返回了 NaN 或 inf{exercise}")
RETURNED_NAN_TODO = Text("look for a division by zero, a wrong sign or a step too large; "
                         "{check} shows which part is off",
                         "检查是否有除以零、符号错误或步长过大；{check} 会指出哪里不对")
EXERCISE = Text(" (exercise {id})", "（练习 {id}）")


def finite(value: object) -> bool:
    """True when every number in value (array, float, or a tuple/list/dict of them) is finite."""
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, tuple | list):
        return all(finite(v) for v in value)
    if isinstance(value, np.ndarray):
        return not np.issubdtype(value.dtype, np.number) or bool(np.all(np.isfinite(value)))
    if isinstance(value, float | np.floating):
        return bool(np.isfinite(value))
    return True


def _file_and_exercise(fn, name: str) -> tuple[str, str | None]:
    """The file fn is defined in, as shown to the learner, and the exercise id of `name` in it ('1.2'), if any."""
    from brushstrokes.learner.loader import display

    path = Path(getattr(getattr(fn, "__code__", None), "co_filename", "") or "?")
    ex = course.by_function(path.stem, name)
    return display(path), ex.id if ex is not None else None


MIN_SECONDS = 30.0  # no learner call is stopped sooner
TIMES_REFERENCE = 20  # ... nor before it took this many times what the reference solution needs
NUMPY_SHARE = 1.6  # one evaluation of the reference, over its VGG19 passes alone (numpy: 37 % at 512 px)
BACKWARD_PER_FORWARD = 1.2  # a backward pass over a forward pass, until a backward pass has been timed
REFERENCE_PASSES_PER_ITERATION = 2  # evaluations per iteration of a loop (L-BFGS's line search: 1 to 2)
LONG_CALL = 1.0  # s: a call running this long inside one past its limit is given its own limit first


class TookTooLong(BaseException):  # noqa: N818 -- a BaseException: `except Exception` in learner code cannot keep it
    """A learner's call ran past its limit; `call` is the one stopped."""

    def __init__(self, call: Call, seconds: float, reference: float) -> None:
        super().__init__(f"{call.name} stopped after {seconds:.0f} s")
        self.call, self.seconds, self.reference = call, seconds, reference


@dataclass
class Call:
    """A learner's call in progress: the function, its name, when it started, how many evaluations it is worth."""

    fn: Callable
    name: str
    start: float
    evaluations: int


@dataclass
class Watchdog:
    """Time limits for the learner's calls of one run (main thread only; see the module's docstring)."""

    calls: list[Call] = field(default_factory=list)
    forward: float = 0.0  # the longest VGG19 forward pass timed in this run, in s
    backward: float = 0.0  # ... and backward pass
    stopped: TookTooLong | None = None  # once a call is stopped, raised again every second until it ends
    _net: tuple | None = None  # (caffe.Net, its forward, its backward) while they are timed
    _previous_alarm: object = None
    _deadline: float | None = None  # when the pending alarm fires (time.monotonic()); None: none pending

    def evaluation(self) -> float:
        """Seconds the reference solution needs for one loss and gradient evaluation in this run (0: not known)."""
        backward = self.backward or BACKWARD_PER_FORWARD * self.forward
        return NUMPY_SHARE * (self.forward + backward)

    def limit(self, call: Call) -> float:
        return max(MIN_SECONDS, TIMES_REFERENCE * call.evaluations * self.evaluation())

    def start(self) -> None:
        self._previous_alarm = signal.signal(signal.SIGALRM, self._on_alarm)

    def disarm(self) -> None:
        """No more alarms (the stopped call is being reported)."""
        signal.setitimer(signal.ITIMER_REAL, 0)
        self._deadline = None

    def stop(self) -> None:
        self.disarm()
        signal.signal(signal.SIGALRM, self._previous_alarm or signal.SIG_DFL)
        if self._net is not None:
            net, forward, backward = self._net
            net.forward, net.backward = forward, backward
            self._net = None

    def _time_passes(self) -> None:
        """Time every VGG19 forward and backward pass from now on (once caffe is imported)."""
        caffe = sys.modules.get("caffe")
        net = getattr(caffe, "Net", None)
        if self._net is not None or net is None:
            return
        forward, backward = net.forward, net.backward
        self._net = (net, forward, backward)

        def timed_forward(this, *args, **kwargs):
            begin = time.perf_counter()
            try:
                return forward(this, *args, **kwargs)
            finally:
                self.forward = max(self.forward, time.perf_counter() - begin)

        def timed_backward(this, *args, **kwargs):
            begin = time.perf_counter()
            try:
                return backward(this, *args, **kwargs)
            finally:
                self.backward = max(self.backward, time.perf_counter() - begin)

        net.forward, net.backward = timed_forward, timed_backward

    @contextlib.contextmanager
    def call(self, fn: Callable, name: str, evaluations: int) -> Iterator[None]:
        self._time_passes()
        self.calls.append(Call(fn, name, time.monotonic(), evaluations))
        self._schedule()
        try:
            yield
        finally:
            self.calls.pop()
            self._schedule()

    def _overdue(self, now: float) -> tuple[Call | None, float]:
        """(the call to stop, 0) or (None, the seconds until the next limit). The call to stop is the innermost
        one past its limit; but while a call inside it has been running for LONG_CALL s or more, that inner call
        may be the one that hangs (a loop waits on its function), so its own limit decides first."""
        culprit, wait = None, None
        for depth, call in enumerate(self.calls):
            left = call.start + self.limit(call) - now
            if left <= 0:
                culprit = depth
            else:
                wait = left if wait is None else min(wait, left)
        if culprit is None:
            return None, wait if wait is not None else 0.0
        inner = [call for call in self.calls[culprit + 1:] if now - call.start >= LONG_CALL]
        if inner:
            return None, min(call.start + self.limit(call) - now for call in inner)
        return self.calls[culprit], 0.0

    def _schedule(self) -> None:
        """Arm the alarm for the next limit. A pending alarm that fires no later is left alone: re-arming it on
        every call would keep postponing it while a loop calls a quick function over and over past its limit."""
        if self.stopped is not None:
            return
        now = time.monotonic()
        call, wait = self._overdue(now)
        if call is None and not self.calls:
            self.disarm()
            return
        deadline = now + max(wait, 0.01)
        if self._deadline is not None and self._deadline <= deadline:
            return
        signal.setitimer(signal.ITIMER_REAL, deadline - now, 1.0)  # again every second if it is swallowed
        self._deadline = deadline

    def _on_alarm(self, signum, frame) -> None:
        self._deadline = None
        if self.stopped is not None:  # the learner's code caught it: again, until it lets it through
            raise self.stopped
        now = time.monotonic()
        call, _ = self._overdue(now)
        if call is None:  # the estimate grew since the alarm was set (a slower pass timed): wait on
            self._schedule()
            return
        self.stopped = TookTooLong(call, now - call.start, call.evaluations * self.evaluation())
        signal.setitimer(signal.ITIMER_REAL, 1.0, 1.0)
        raise self.stopped


_watchdog: Watchdog | None = None


@contextlib.contextmanager
def time_limits() -> Iterator[Watchdog | None]:
    """Limit the time of every guarded call made in the block (main thread only; nested blocks share one)."""
    global _watchdog
    if _watchdog is not None or threading.current_thread() is not threading.main_thread():
        yield _watchdog
        return
    _watchdog = Watchdog()
    _watchdog.start()
    try:
        yield _watchdog
    finally:
        _watchdog.stop()
        _watchdog = None


def evaluations(fn: Callable, args: tuple, kwargs: dict) -> int:
    """How many loss and gradient evaluations the reference needs for this call: a loop (a function with an
    `iters` parameter) REFERENCE_PASSES_PER_ITERATION per iteration, any other function one."""
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        return 1
    bound.apply_defaults()
    iters = bound.arguments.get("iters")
    if isinstance(iters, int) and not isinstance(iters, bool) and iters > 0:
        return REFERENCE_PASSES_PER_ITERATION * iters + 1
    return 1


def time_limited(fn: Callable, name: str | None = None) -> Callable:
    """fn, stopped by TookTooLong when a Watchdog is on and the call runs past its limit."""
    name = name or fn.__name__

    @functools.wraps(fn)
    def timed(*args, **kwargs):
        watchdog = _watchdog
        if watchdog is None:
            return fn(*args, **kwargs)
        with watchdog.call(fn, name, evaluations(fn, args, kwargs)):
            return fn(*args, **kwargs)

    return timed


def check_finite(fn, where: str, name: str | None = None):
    """Wrap fn so that a NaN or inf in its result, from finite arguments, raises a BrushstrokesError naming it,
    and so that its time is limited (time_limited). Its __wrapped__ is fn with the time limit alone: a loop
    called for its result alone (the runners check what it returns) keeps its limit."""

    name = name or fn.__name__
    timed = time_limited(fn, name)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        result = timed(*args, **kwargs)
        if not finite(result) and finite(list(args)) and finite(kwargs):
            lang = language()
            file, exercise = _file_and_exercise(fn, name)
            check = f"`brushstrokes check {exercise}`" if exercise else "`pytest checks/`"
            raise BrushstrokesError(
                RETURNED_NAN(lang, file=file, name=name, exercise=EXERCISE(lang, id=exercise) if exercise else ""),
                RETURNED_NAN_TODO(lang, check=check))
        return result

    wrapper.__wrapped__ = timed
    wrapper.finite_checked = True
    return wrapper


def guarded(module: ModuleType) -> ModuleType:
    """Wrap every function defined in `module` (in place, once) with check_finite; returns the module."""
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ == module.__name__ and not getattr(fn, "finite_checked", False):
            setattr(module, name, check_finite(fn, module.__name__, name))
    return module
