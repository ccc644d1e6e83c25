"""Grading optimisation loops (lesson 1's reconstruct, lesson 2's synthesize, lesson 3's paint).

A learner loop runs on a SpyNet of the real VGG19 with fresh copies of its inputs; the spy's ordered call log
tells how it drove pycaffe. Expected values come from a live run of the reference loop on the same net, inputs
and settings (stored trajectories are fragile across machines); stored arrays are kept for single steps.
After each learner call the net's weights are verified (and restored: the next check gets an intact net).

    run = run_loop(exercise, isolated.reconstruct, vgg, {"P": P, "x0": x0}, settings, call, like=x0)
    expected = reference_run(reference.reconstruct, vgg, {"P": P, "x0": x0}, settings)
    check_losses(exercise, run, expected.losses, diagnose)
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from brushstrokes.base.i18n import Text, language
from brushstrokes.learner.loader import learner_frame
from brushstrokes.net.layers import set_input_shape
from checks import messages as msg
from checks.compare import (
    LOSS_TOL,
    Message,
    Mistake,
    describe,
    expect_array,
    expect_close,
    expect_finite,
    fail,
    pixels,
    rel_error,
    say,
    unchanged,
)
from checks.spy import SpyNet
from checks.target import Graded

RAISED = Text("nothing: it raised {error} at line {line}: {source}", "没有返回：第 {line} 行抛出 {error}：{source}")
RAISED_ELSEWHERE = Text("nothing: it raised {error}", "没有返回：抛出了 {error}")
READ_LINE = Text("read the error on line {line} of {file}: that line is where the loop went wrong",
                 "看 {file} 第 {line} 行的错误：循环就是在这一行出的问题")
READ_ERROR = Text("read the error: it came from a function your loop called with wrong arguments",
                  "看这个错误：它来自你的循环以错误参数调用的某个函数")
A_RESULT = Text("a {what}", "一个 {what}")
WRONG_RETURN = Text("wrong return value", "返回值不对")
RETURN_FIX = Text("return {what}(x, losses, snapshots) (imported from brushstrokes.lesson_support)",
                  "返回 {what}(x, losses, snapshots)（从 brushstrokes.lesson_support 导入）")
LOSSES_TYPE = Text("a list of floats, one per iteration", "一个 float 列表，每次迭代一个")
LOSSES_FIX = Text("append float(loss) to a list in each iteration", "每次迭代把 float(损失) 追加到列表里")
SNAPSHOTS_TYPE = Text("a dict {iteration: image}", "一个字典 {迭代次数: 图像}")
SNAPSHOTS_FIX = Text("start with snapshots = {{}} and set snapshots[i] = x.copy()",
                     "先写 snapshots = {{}}，再设置 snapshots[i] = x.copy()")
SHARES = Text("shares memory with net.blobs[{blob!r}].{part}", "和 net.blobs[{blob!r}].{part} 共享内存")
SHARES_NAME = Text("{what} share memory with the net", "{what} 与网络共享内存")
SHARES_FIX = Text("the arrays in net.blobs are Caffe's memory and change at the next forward or backward: "
                  "keep a copy, x.copy()",
                  "net.blobs 里的数组是 Caffe 的内存，下一次前向或反向就会改变：保存一个副本，x.copy()")
A_COPY = Text("an array of its own", "一个独立的数组")
NEVER_CHANGES = Text("the image never changes", "图像一直没有变")
NEVER_CHANGES_FIX = Text("write x into net.blobs['data'].data[...] at the start of every iteration, and keep the "
                         "stepped x for the next one",
                         "每次迭代开始时把 x 写进 net.blobs['data'].data[...]，并把走过一步的 x 留给下一次迭代")
LAGS = Text("loss lagging one iteration", "损失落后了一次迭代")
LAGS_FIX = Text("losses[i] is the loss of the image of iteration i: log it right after this iteration's forward "
                "pass, before the step",
                "losses[i] 是第 i 次迭代的图像的损失：在本次迭代的前向传播之后、走这一步之前记录它")
ITERATIONS = Text("wrong number of iterations", "迭代次数不对")
ITERATIONS_FIX = Text("with tol={tol} run all iters iterations: `for i in progress(iters):`",
                      "tol={tol} 时要跑完全部 iters 次迭代：`for i in progress(iters):`")
STOP_LE = Text("<= instead of < in the stop test", "停止条件用了 <= 而不是 <")
STOP_LE_FIX = Text("break only when the change is strictly below tol * L_(i-1): "
                   "`abs(losses[-2] - losses[-1]) < tol * losses[-2]` (with tol=0 and a loss that stays the same, "
                   "<= stops and < does not)",
                   "只有变化严格小于 tol * L_(i-1) 时才 break：`abs(losses[-2] - losses[-1]) < tol * losses[-2]`"
                   "（tol=0 且损失不变时，<= 会停下，< 不会）")
STOP_NO_ABS = Text("no abs() in the stop test", "停止条件里没有 abs()")
STOP_NO_ABS_FIX = Text("a loss that rises has changed too: compare abs(losses[-2] - losses[-1]) with "
                       "tol * losses[-2]",
                       "损失上升也是变化：用 abs(losses[-2] - losses[-1]) 和 tol * losses[-2] 比较")
STOP_NEW_LOSS = Text("tol times the new loss", "tol 乘的是新的损失")
STOP_NEW_LOSS_FIX = Text("the change is relative to the loss before it: tol * losses[-2] (L_(i-1)), not "
                         "tol * losses[-1]",
                         "变化是相对于之前的损失而言的：tol * losses[-2]（L_(i-1)），不是 tol * losses[-1]")
STOP_LATE = Text("stop test starts at i > 1", "停止条件从 i > 1 才开始")
STOP_LATE_FIX = Text("test from the second iteration on, `if i > 0 and ...`: iteration 1 is the first with a "
                     "loss before it",
                     "从第二次迭代起就要判断，`if i > 0 and ...`：第 1 次迭代就已经有前一个损失了")
STOP_INVERTED = Text("inverted stop test", "停止条件反了")
STOP_INVERTED_FIX = Text("break when the change is small, abs(losses[-2] - losses[-1]) < tol * losses[-2]; yours "
                         "stops when it is large",
                         "变化很小时才 break：abs(losses[-2] - losses[-1]) < tol * losses[-2]；你的代码在变化大时停下")
NO_STOP = Text("no early stop", "没有提前停止")
NO_STOP_FIX = Text("after logging the loss, from i > 0 on: `if abs(losses[-2] - losses[-1]) < tol * losses[-2]: "
                   "break`, before the step",
                   "记录损失之后，从 i > 0 起：`if abs(losses[-2] - losses[-1]) < tol * losses[-2]: break`，"
                   "放在走这一步之前")
ONE_PER_ITERATION = Text("{expected} (one per iteration)", "{expected}（每次迭代一个）")
IN_GREY = Text("{call} -> {what} (compared in grey levels)", "{call} -> {what}（按灰度级比较）")


# the net's weights -------------------------------------------------------------------------------------------
class NetGuard:
    """A saved copy of a net's parameters: what changed, and putting it back."""

    def __init__(self, net: Any) -> None:
        self.net = net
        self.saved = {name: [blob.data.copy() for blob in blobs] for name, blobs in net.params.items()}

    def changed(self) -> list[str]:
        return [name for name, blobs in self.net.params.items()
                if any(not np.array_equal(b.data, c) for b, c in zip(blobs, self.saved[name], strict=True))]

    def restore(self) -> list[str]:
        """Put back every changed layer's parameters; returns their names."""
        layers = self.changed()
        for name in layers:
            for blob, copy in zip(self.net.params[name], self.saved[name], strict=True):
                blob.data[...] = copy
        return layers


_guards: dict[int, NetGuard] = {}


def guard(net: Any) -> NetGuard:
    """The NetGuard of `net`, made (and its weights saved) on first use."""
    if id(net) not in _guards:
        _guards[id(net)] = NetGuard(net)
    return _guards[id(net)]


def weights_intact(ex: Graded, call: Message, net: Any) -> None:
    """Fail (after restoring them) when the learner's call changed the net's weights."""
    layers = guard(net).restore()
    if layers:
        shown = ", ".join(layers[:4]) + (", ..." if len(layers) > 4 else "")
        fail(ex, call, msg.NET_DAMAGED(language(), layers=shown), msg.NET_INTACT, msg.NET_DAMAGED_NAME,
             msg.NET_DAMAGED_FIX)


# calling the learner's loop -----------------------------------------------------------------------------------
@dataclass
class LoopRun:
    """One call of a learner loop: its results and what the spy saw."""

    x: np.ndarray
    losses: list[float]
    snapshots: dict
    spy: SpyNet
    settings: dict[str, Any]
    call: str


def call_learner(ex: Graded, call: Message, fn: Callable, path, *args: Any, **kwargs: Any) -> Any:
    """fn(*args, **kwargs); an exception becomes a failure naming the learner's line ("read the error on line N").

    NotImplementedError (not started) and BaseExceptions (timeouts, Ctrl-C, exits) pass through to the plugin.
    """
    try:
        return fn(*args, **kwargs)
    except NotImplementedError as exc:
        if learner_frame(exc.__traceback__, path) is not None:
            raise
        problem = exc
    except Exception as exc:  # the learner's crash, reported with its line below
        problem = exc
    lang = language()
    frame = learner_frame(problem.__traceback__, path)
    error = f"{type(problem).__name__}: {str(problem).strip()}"
    error = error if len(error) <= 300 else error[:297] + "..."
    if frame is not None:
        from checks.target import display

        fail(ex, call, RAISED(lang, error=error, line=frame[1], source=frame[2]), A_RESULT(lang, what="result"),
             None, READ_LINE(lang, line=frame[1], file=display(path)),
             note=msg.RAISED_NOTE(lang, name=type(problem).__name__, line=frame[1]))
    fail(ex, call, RAISED_ELSEWHERE(lang, error=error), A_RESULT(lang, what="result"), None, READ_ERROR,
         note=msg.RAISED_NOTE(lang, name=type(problem).__name__, line="?"))


Inputs = dict[str, "np.ndarray | dict[str, np.ndarray]"]


def fresh(value: np.ndarray | dict[str, np.ndarray]) -> np.ndarray | dict[str, np.ndarray]:
    """A copy to hand to the learner: an array, or a dict of arrays (lesson 2's targets) copied entry by entry."""
    return {key: v.copy() for key, v in value.items()} if isinstance(value, dict) else value.copy()


def entries(inputs: Inputs, given: Inputs | None = None) -> dict[str, Any]:
    """Every array of `inputs` by the name the learner knows it by: 'x0', "targets['conv1_1']"; with `given`,
    the learner's copies of those arrays (None where the learner's dict lost the key)."""
    given = inputs if given is None else given
    named: dict[str, Any] = {}
    for name, value in inputs.items():
        if isinstance(value, dict):
            named.update({f"{name}[{key!r}]": given[name].get(key) for key in value})
        else:
            named[name] = given[name]
    return named


def run_loop(ex: Graded, fn: Callable, net: Any, inputs: Inputs, settings: dict[str, Any],
             call: str, like: np.ndarray, result_name: str = "Reconstruction") -> LoopRun:
    """Call the learner's loop fn(spy, *inputs, **settings) on a spy of `net` reshaped to `like`.

    inputs: the positional arguments in order, arrays or dicts of arrays (handed over as fresh copies and
    verified unchanged afterwards).
    """
    from pathlib import Path

    guard(net)
    set_input_shape(net, like.shape[2], like.shape[3])
    spy = SpyNet(net)
    copies = {name: fresh(value) for name, value in inputs.items()}
    path = Path(fn.__code__.co_filename).resolve() if hasattr(fn, "__code__") else Path("?")
    result = call_learner(ex, call, fn, path, spy, *copies.values(), **settings)
    weights_intact(ex, call, net)
    unchanged(ex, call, entries(inputs), entries(inputs, copies))
    x, losses, snapshots = unpack(ex, call, result, like, result_name)
    owned(ex, call, net, x, ".x")
    for key, snap in snapshots.items():
        owned(ex, call, net, snap, f".snapshots[{key}]")
    return LoopRun(x, losses, snapshots, spy, settings, call)


def owned(ex: Graded, call: str, net: Any, value: Any, what: str) -> None:
    """A returned image must not be a view of a blob (it would change with the net)."""
    if not isinstance(value, np.ndarray):
        return
    lang = language()
    for name, blob in net.blobs.items():
        for part in ("data", "diff"):
            if np.shares_memory(value, getattr(blob, part)):
                fail(ex, f"{call} -> {what}", SHARES(lang, blob=name, part=part), A_COPY,
                     SHARES_NAME(lang, what=what), SHARES_FIX)


def unpack(ex: Graded, call: str, result: Any, like: np.ndarray, name: str) -> tuple[np.ndarray, list[float], dict]:
    """The result must be (x, losses, snapshots) with the right types."""
    lang = language()
    if not isinstance(result, tuple) or len(result) != 3:
        fail(ex, call, describe(result), f"{name}(x, losses, snapshots)", WRONG_RETURN,
             RETURN_FIX(lang, what=name))
    x, losses, snapshots = result
    x = expect_array(ex, call + " -> .x", x, like)
    if not isinstance(losses, list | tuple | np.ndarray) or not all(np.ndim(v) == 0 for v in losses):
        fail(ex, call + " -> .losses", describe(losses), LOSSES_TYPE, WRONG_RETURN, LOSSES_FIX)
    expect_finite(ex, call + " -> .losses", losses)
    if not isinstance(snapshots, dict):
        fail(ex, call + " -> .snapshots", describe(snapshots), SNAPSHOTS_TYPE, WRONG_RETURN, SNAPSHOTS_FIX)
    return x, [float(v) for v in losses], snapshots


# the expected values, live ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Expected:
    x: np.ndarray
    losses: list[float]
    snapshots: dict


_expected: dict[str, Expected] = {}


def reference_run(fn: Callable, net: Any, inputs: Inputs, settings: dict[str, Any],
                  like: np.ndarray) -> Expected:
    """The reference loop's results on the same net, inputs and settings (cached per run)."""
    digest = hashlib.sha1(repr((fn.__module__, fn.__name__, sorted(settings.items()), like.shape)).encode())
    for name, value in entries(inputs).items():
        digest.update(name.encode() + np.ascontiguousarray(value).tobytes())
    key = digest.hexdigest()
    if key not in _expected:
        set_input_shape(net, like.shape[2], like.shape[3])
        x, losses, snapshots = fn(net, *(fresh(v) for v in inputs.values()), **settings)
        _expected[key] = Expected(np.array(x), [float(v) for v in losses], {k: np.array(v) for k, v in
                                                                             snapshots.items()})
    return _expected[key]


# comparing --------------------------------------------------------------------------------------------------
def picture_error(x: Any, y: Any) -> float:
    """rel_error of two images compared as pictures (grey levels 0..255)."""
    return rel_error(pixels(x), pixels(y))


Diagnose = Callable[[LoopRun], tuple[Message, Message] | None]


def trajectory_mistake(run: LoopRun, expected: list[float]) -> tuple[Message, Message] | None:
    """Mistakes visible in the losses alone: an image that never moves, a loss logged one iteration late."""
    got = run.losses
    if len(got) > 1 and max(got) == min(got) and not max(expected) == min(expected):
        return NEVER_CHANGES, NEVER_CHANGES_FIX
    n = min(len(got), len(expected))
    if n > 1 and rel_error(got[:n], expected[:n]) > LOSS_TOL and \
            LOSS_TOL >= min(rel_error(got[: n - 1], expected[1:n]), rel_error(got[1:n], expected[: n - 1])):
        return LAGS, LAGS_FIX
    return None


# a stop rule: (loss before, loss now, tol) -> stop?; the first iteration it is tested at
StopRule = tuple[Callable[[float, float, float], bool], int]
RIGHT_RULE: StopRule = (lambda a, b, tol: abs(a - b) < tol * a, 1)
STOP_MISTAKES: tuple[tuple[Text, Text, StopRule], ...] = (  # the closest to the right rule first
    (STOP_LE, STOP_LE_FIX, (lambda a, b, tol: abs(a - b) <= tol * a, 1)),
    (STOP_NO_ABS, STOP_NO_ABS_FIX, (lambda a, b, tol: a - b < tol * a, 1)),
    (STOP_NEW_LOSS, STOP_NEW_LOSS_FIX, (lambda a, b, tol: abs(a - b) < tol * b, 1)),
    (STOP_LATE, STOP_LATE_FIX, (lambda a, b, tol: abs(a - b) < tol * a, 2)),
    (STOP_INVERTED, STOP_INVERTED_FIX, (lambda a, b, tol: abs(a - b) >= tol * a, 1)),
    (NO_STOP, NO_STOP_FIX, (lambda a, b, tol: False, 1)),
)


def explains(rule: StopRule, losses: list[float], n: int, tol: float, iters: int) -> bool:
    """True when a loop with this stop rule, on the trajectory `losses` (at least n long), logs exactly n losses."""
    test, start = rule
    for i in range(start, n):
        if test(losses[i - 1], losses[i], tol):
            return i == n - 1
    return n == iters


def stop_mistake(run: LoopRun, expected: list[float]) -> tuple[Message, Message] | None:
    """The stop rule that explains where the learner's loop stopped, when the losses agree up to there.

    Both runs follow the same trajectory until the first stops, so the longer one shows every loss either rule
    looks at. None when the losses differ before the stop (that is another mistake) or no variant explains it.
    """
    got, n = run.losses, len(run.losses)
    tol, iters = run.settings.get("tol"), run.settings.get("iters")
    common = min(n, len(expected))
    if tol is None or iters is None or n == len(expected) or not common or \
            rel_error(got[:common], expected[:common]) > LOSS_TOL:
        return None
    trajectory = got if n >= len(expected) else list(expected)
    if explains(RIGHT_RULE, trajectory, n, float(tol), int(iters)):
        return None
    return next(((name, fix) for name, fix, rule in STOP_MISTAKES
                 if explains(rule, trajectory, n, float(tol), int(iters))), None)


def seen(run: LoopRun, expected: list[float], diagnose: Diagnose | None) -> tuple[Message, Message] | None:
    """The likely mistake of a loop whose results differ from the reference: from the spy, then the losses."""
    found = diagnose(run) if diagnose is not None else None
    return found or trajectory_mistake(run, expected)


def likely(run: LoopRun, expected: list[float], got: Any, diagnose: Diagnose | None,
           variants: Iterable[Mistake] = ()) -> list[Mistake]:
    found = seen(run, expected, diagnose)
    return [Mistake(found[0], got, found[1])] if found else list(variants)


def check_losses(ex: Graded, run: LoopRun, expected: list[float], diagnose: Diagnose | None = None,
                 fix: Message = "") -> None:
    """The loss trajectory must match the reference run's, one loss per iteration."""
    lang = language()
    if len(run.losses) != len(expected):
        found = seen(run, expected, diagnose) or stop_mistake(run, expected) or \
            (ITERATIONS, ITERATIONS_FIX(lang, tol=run.settings.get("tol")))
        fail(ex, run.call + " -> .losses", describe(run.losses),
             ONE_PER_ITERATION(lang, expected=describe(list(expected))), *found)
    expect_close(ex, run.call + " -> .losses", run.losses, list(expected), LOSS_TOL,
                 likely(run, expected, run.losses, diagnose), fix=fix or msg.WRONG_RESULT)


def check_image(ex: Graded, run: LoopRun, what: str, got: np.ndarray, expected: np.ndarray,
                expected_losses: list[float], *variants: Mistake, diagnose: Diagnose | None = None,
                fix: Message = "") -> None:
    """An image of the run must match the reference run's, compared as a picture (grey levels)."""
    expect_close(ex, IN_GREY(language(), call=run.call, what=what), got, expected, LOSS_TOL,
                 likely(run, expected_losses, got, diagnose, variants), fix=fix or msg.WRONG_RESULT,
                 measure=picture_error)


__all__ = ["NetGuard", "guard", "weights_intact", "LoopRun", "call_learner", "fresh", "entries", "run_loop", "owned",
           "unpack",
           "Expected", "reference_run", "picture_error", "trajectory_mistake", "stop_mistake", "check_losses",
           "check_image",
           "say"]
