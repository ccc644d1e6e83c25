"""What `content`, `style` and `paint` check in the learner's lesson files under `--use lessons`, each as one line
naming the function, its exercise and what to do (the old pictures are never touched before these pass):

    require(module, path, {"gram": "2.1", ...})            # a deleted function: put it back
    with learner_code((path, ...), out): ...                # a stub, a crash, a call far slower than the reference
                                                            # or a sys.exit: the learner's line, the exercise
    x, losses, snaps = check_loop(result, x0, "synthesize", "2.6", path, out)    # what a loop returned
    check_array(value, (h, w, 3), "keep_colours", "3.5", path, out)              # what a function returned
    raise not_finite(losses, x, ...)                        # NaN at the end: the loop named only when it is the cause
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any

import numpy as np

from brushstrokes.base.errors import BrushstrokesError, Terminated, fail
from brushstrokes.base.i18n import Text, language
from brushstrokes.base.paths import ROOT
from brushstrokes.course import find
from brushstrokes.learner.guards import TookTooLong, time_limits
from brushstrokes.learner.loader import display

NOT_FINISHED = Text("{file} is not finished: {function} (exercise {id}) still raises NotImplementedError",
                    "{file} 还没有完成：{function}（练习 {id}）仍然抛出 NotImplementedError")
NOT_FINISHED_TODO = Text("fill it in, check it with `brushstrokes check {id}`, then run this again",
                         "完成它，用 `brushstrokes check {id}` 检查，然后再运行一次")
NO_FUNCTION = Text("{file} has no function {function} (exercise {id})", "{file} 中没有函数 {function}（练习 {id}）")
NO_FUNCTION_TODO = Text("put it back: `git show HEAD:lessons/{module}.py` prints the original stub",
                        "把它加回来：`git show HEAD:lessons/{module}.py` 会显示原来的练习桩")
ORIGINAL_TODO = Text("put it back: {original} holds the original stub", "把它加回来：{original} 中有原来的练习桩")
ORIGINAL_IN_GIT = Text("`git show HEAD:{file}` (prints it, without touching your file)",
                       "`git show HEAD:{file}`（只显示，不会改动你的文件）")
ORIGINAL_COPY = Text("the project's {file}", "项目中的 {file}")
RAISED = Text("{file} line {line}, in {function} (exercise {id}): {error}",
              "{file} 第 {line} 行，{function}（练习 {id}）：{error}")
RAISED_TODO = Text("fix that line (`brushstrokes check {id}` shows more), then run this again; "
                   "the old pictures in {out} are untouched",
                   "改正这一行（`brushstrokes check {id}` 会给出更多信息），然后再运行一次；{out} 中原来的图片没有改动")
BAD_RETURN = Text("{file}: {function} (exercise {id}) {problem}; it must return {expected}",
                  "{file}：{function}（练习 {id}）{problem}；它必须返回 {expected}")
BAD_RETURN_TODO = Text("fix it, check it with `brushstrokes check {id}`, then run this again; "
                       "the old pictures in {out} are untouched",
                       "改正它，用 `brushstrokes check {id}` 检查，然后再运行一次；{out} 中原来的图片没有改动")
RETURNED = Text("returned {what}", "返回了 {what}")
PAIR_ORDER = Text("returned (gradient, loss): the other way round", "返回了（梯度，损失）：顺序反了")
NO_LOSSES = Text("returned no losses (append the loss in every iteration)", "没有返回任何损失（每次迭代都要追加损失）")
RECONSTRUCTION = "Reconstruction(x, losses, snapshots)"
PROBLEMS = {
    "none": Text("returned None (is its `return` missing?)", "返回了 None（是不是少了 `return`？）"),
    "not3": Text("returned {what}, not three values", "返回了 {what}，而不是三个值"),
    "order": Text("returned its three values in another order", "返回的三个值顺序不对"),
    "x": Text("returned x as {what}, not as an array of x0's shape {shape}",
              "返回的 x 是 {what}，而不是与 x0 形状相同（{shape}）的数组"),
    "losses": Text("returned {what} as losses; they must be a list of numbers, one per iteration",
                   "返回的 losses 是 {what}；它必须是数字列表，每次迭代一个"),
    "snapshots": Text("returned {what} as snapshots; they must be a dict {{iteration: image shaped like x0}}",
                      "返回的 snapshots 是 {what}；它必须是字典 {{迭代: 与 x0 形状相同的图像}}"),
    "no_losses": NO_LOSSES,
}
TOO_LONG = Text("{file} line {line}, in {function} (exercise {id}): stopped after {seconds} s{reference}",
                "{file} 第 {line} 行，{function}（练习 {id}）：运行 {seconds} 秒后被停止{reference}")
REFERENCE_NEEDS = Text(", far longer than the reference solution needs here (about {seconds} s)",
                       "，远远超过参考答案在这里所需的时间（约 {seconds} 秒）")
TOO_LONG_TODO = Text("look for a loop that never ends (its condition, and whether each pass moves forward), then "
                     "run this again; the old pictures in {out} are untouched",
                     "检查是否有永不结束的循环（它的条件，以及每一轮是否向前推进），然后再运行一次；"
                     "{out} 中原来的图片没有改动")
ENDED = Text("{file} line {line}, in {function} (exercise {id}): {call} would end the whole run",
             "{file} 第 {line} 行，{function}（练习 {id}）：{call} 会结束整个运行")
ENDED_TODO = Text("a lesson function returns its result instead: remove that call, then run this again; "
                  "the old pictures in {out} are untouched",
                  "课程函数应当返回结果：删掉这个调用，然后再运行一次；{out} 中原来的图片没有改动")
NOT_FINITE_LOOP = Text("the run ended with NaN or inf at iteration {i}, though every function it calls returned "
                       "finite values from finite inputs: look at {function} (exercise {id}) in {file}",
                       "运行在第 {i} 次迭代出现了 NaN 或 inf，而它调用的每个函数对有限的输入都返回了有限的值："
                       "请检查 {file} 中的 {function}（练习 {id}）")
NOT_FINITE_LOOP_TODO = Text("`brushstrokes check {id}` shows what is off; the old pictures in {out} are untouched",
                            "`brushstrokes check {id}` 会指出问题所在；{out} 中原来的图片没有改动")
NOT_FINITE_CALLS = Text("the run ended with {what} at iteration {i}, though {calls} each returned finite values from "
                        "finite inputs: look at {function} (exercise {id}) in {file}",
                        "运行在第 {i} 次迭代以 {what} 结束，而 {calls} 对有限的输入都返回了有限的值："
                        "请检查 {file} 中的 {function}（练习 {id}）")
NOT_FINITE = Text("the run ended with NaN or inf at iteration {i}", "运行在第 {i} 次迭代出现了 NaN 或 inf")
NOT_FINITE_WHAT = Text("the run ended with {what} at iteration {i}", "运行在第 {i} 次迭代以 {what} 结束")
WHAT_NAN = Text("a NaN or inf loss", "NaN 或 inf 损失")
WHAT_IMAGE = Text("NaN or inf in the image", "图像中有 NaN 或 inf")
AND = Text("{first} and {last}", "{first} 和 {last}")
COMMA = {"en": ", ", "zh": "、"}
NOT_FINITE_TODO = Text("try a smaller {option} (this run: {value}) and run `brushstrokes doctor` to check the "
                       "weights; the old pictures in {out} are untouched",
                       "试试更小的 {option}（这次是 {value}），并运行 `brushstrokes doctor` 检查权重；"
                       "{out} 中原来的图片没有改动")


AN_ARRAY = Text("an array of shape {shape}", "形状为 {shape} 的数组")
A_COLLECTION = Text("a {kind} of {n}", "含 {n} 项的 {kind}")
A_VALUE = Text("a {kind}", "一个 {kind}")
LOSS_AND_GRADIENT = Text("(loss, gradient of shape {shape})", "（损失, 形状为 {shape} 的梯度）")


def describe(value: Any) -> str:
    """A short description of a value in the learner's language: 'an array of shape (1, 3, 8, 8)', 'a list of 2'."""
    lang = language()
    if isinstance(value, np.ndarray):
        return AN_ARRAY(lang, shape=value.shape)
    if isinstance(value, list | tuple | dict):
        return A_COLLECTION(lang, kind=type(value).__name__, n=len(value))
    return "None" if value is None else A_VALUE(lang, kind=type(value).__name__)


def exercise_id(function: str, module: str) -> str | None:
    """The id of the exercise whose function this is in lesson module `module` ('lesson2_style'), or None."""
    from brushstrokes.course import LESSONS

    numbers = {lesson.number for lesson in LESSONS if lesson.module == module}
    return next((ex.id for ex in find(function) if ex.id.split(".")[0] in numbers), None)


def require(module: ModuleType, path: Path, functions: dict[str, str], point_to_original: bool = False) -> None:
    """Every function of `functions` ({name: exercise id}) exists in `module` (loaded from `path`).

    point_to_original: the fix names where the original stub is (`git show` for a file of the project, the
    project's lessons/ file for a copy elsewhere) instead of the `git show` command for lessons/.
    """
    for function, exercise in functions.items():
        if callable(getattr(module, function, None)):
            continue
        if not point_to_original:
            raise fail(NO_FUNCTION, NO_FUNCTION_TODO, file=display(path), function=function, id=exercise,
                        module=Path(path).stem)
        lang, path = language(), Path(path)
        original = (ORIGINAL_IN_GIT(lang, file=path.relative_to(ROOT)) if path.is_relative_to(ROOT)
                    else ORIGINAL_COPY(lang, file=f"lessons/{path.name}"))
        raise fail(NO_FUNCTION, ORIGINAL_TODO, file=display(path), function=function, id=exercise, original=original)


def innermost_frame(tb: TracebackType | None, paths: Iterable[Path]) -> tuple[Path, str, int] | None:
    """(file, function, line) of the innermost traceback frame inside any of the lesson files `paths`: where the
    learner's code failed, whichever lesson it lies in (lesson 3 calling a stub of lesson 2 names lesson 2)."""
    files = {Path(path).resolve(): Path(path) for path in paths}
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        path = files.get(Path(code.co_filename).resolve())
        if path is not None:
            found = (path, code.co_name, tb.tb_lineno)
        tb = tb.tb_next
    return found


def learner_error(exc: BaseException, paths: Iterable[Path], out: str, loop: str) -> BrushstrokesError | None:
    """The one-line error for `exc` raised inside one of the lesson files `paths`: a stub or a crash, naming the
    innermost learner function it came from, its exercise (`loop`'s for a helper) and the line; None when no
    frame lies in those files."""
    found = innermost_frame(exc.__traceback__, paths)
    if found is None:
        return None
    path, function, line = found
    exercise = exercise_id(function, Path(path).stem) or loop
    if isinstance(exc, NotImplementedError):
        return fail(NOT_FINISHED, NOT_FINISHED_TODO, file=display(path), function=function, id=exercise)
    error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    return fail(RAISED, RAISED_TODO, file=display(path), line=line, function=function, id=exercise, error=error,
                 out=out)


def too_long(stopped: TookTooLong, paths: Iterable[Path], out: str, loop: str) -> BrushstrokesError:
    """The one-line error for a learner's call stopped by its time limit (learner.guards), naming it and the
    line it was running."""
    lang, call = language(), stopped.call
    code = getattr(call.fn, "__code__", None)
    line, tb = "?", stopped.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code is code:
            line = tb.tb_lineno
        tb = tb.tb_next
    path = Path(code.co_filename) if code is not None else Path(next(iter(paths), "?"))
    exercise = exercise_id(call.name, path.stem) or loop
    reference = REFERENCE_NEEDS(lang, seconds=f"{stopped.reference:.2g}") if stopped.reference > 0 else ""
    return fail(TOO_LONG, TOO_LONG_TODO, file=display(path), line=line, function=call.name, id=exercise,
                 seconds=f"{stopped.seconds:.0f}", reference=reference, out=out)


def ended_the_program(exc: BaseException, paths: Iterable[Path], out: str, loop: str) -> BrushstrokesError | None:
    """The one-line error for a learner's sys.exit (or os._exit) in lesson code; None when it came from elsewhere."""
    found = innermost_frame(exc.__traceback__, paths)
    if found is None:
        return None
    path, function, line = found
    how = exc.how if isinstance(exc, LearnerExit) else f"sys.exit({'' if exc.code is None else repr(exc.code)})"
    return fail(ENDED, ENDED_TODO, file=display(path), line=line, function=function,
                 id=exercise_id(function, Path(path).stem) or loop, call=how, out=out)


class LearnerExit(BaseException):  # noqa: N818 -- what os._exit becomes while the learner's code runs
    def __init__(self, how: str) -> None:
        super().__init__(how)
        self.how = how


def _no_exit(status: int = 0) -> None:
    raise LearnerExit(f"os._exit({status})")


@contextlib.contextmanager
def _exit_guarded() -> Iterator[None]:
    """os._exit raises LearnerExit while the block runs (nothing else in a run calls it)."""
    exit_ = os._exit
    os._exit = _no_exit
    try:
        yield
    finally:
        os._exit = exit_


def is_reference(paths: Iterable[Path]) -> bool:
    """True when every file is one of the project's reference solutions (trusted: neither timed nor guarded)."""
    solutions = (ROOT / "solutions").resolve()
    return all(Path(path).resolve().parent == solutions for path in paths)


@contextlib.contextmanager
def learner_code(paths: Iterable[Path], out: str, loop: str) -> Iterator[None]:
    """Run the block; an exception raised in the learner's lesson files becomes learner_error's one line, a call
    of theirs that runs far longer than the reference is stopped (brushstrokes.learner.guards.time_limits), and a
    sys.exit or os._exit in their code is one line too (the run does not end silently)."""
    paths = tuple(paths)
    learners = not is_reference(paths)
    with (time_limits() if learners else contextlib.nullcontext()) as watchdog, \
            (_exit_guarded() if learners else contextlib.nullcontext()):
        try:
            yield
        except TookTooLong as exc:
            if watchdog is not None:
                watchdog.disarm()
            raise too_long(exc, paths, out, loop) from None
        except (BrushstrokesError, KeyboardInterrupt, Terminated):
            raise
        except (SystemExit, LearnerExit) as exc:
            error = ended_the_program(exc, paths, out, loop)
            if error is None:
                raise
            raise error from None
        except Exception as exc:
            error = learner_error(exc, paths, out, loop)
            if error is None:
                raise
            raise error from exc


def bad_return(function: str, exercise: str, path: Path, out: str, problem: str, expected: str
               ) -> BrushstrokesError:
    """The error for a learner function that returned the wrong thing (`problem`: what it returned)."""
    return fail(BAD_RETURN, BAD_RETURN_TODO, file=display(path), function=function, id=exercise, problem=problem,
                 expected=expected, out=out)


def check_array(value: Any, shape: tuple[int, ...], function: str, exercise: str, path: Path, out: str
                ) -> np.ndarray:
    """`value` when it is an array of `shape`; else an error naming the function."""
    if isinstance(value, np.ndarray) and value.shape == tuple(shape):
        return value
    problem = RETURNED(language(), what=describe(value))
    raise bad_return(function, exercise, path, out, problem, AN_ARRAY(language(), shape=tuple(shape)))


def check_loss_grad(result: Any, shape: tuple[int, ...], function: str, exercise: str, path: Path, out: str
                    ) -> tuple[float, np.ndarray]:
    """(loss, gradient) as (a float, an array of `shape`), or an error naming the function."""
    lang, shape = language(), tuple(shape)
    problem = None
    if not isinstance(result, tuple | list) or len(result) != 2:
        problem = RETURNED(lang, what=describe(result))
    elif isinstance(result[0], np.ndarray) and result[0].shape == shape and np.ndim(result[1]) == 0:
        problem = PAIR_ORDER(lang)
    elif not (isinstance(result[1], np.ndarray) and result[1].shape == shape) or np.ndim(result[0]) != 0:
        problem = RETURNED(lang, what=f"({describe(result[0])}, {describe(result[1])})")
    if problem is not None:
        raise bad_return(function, exercise, path, out, problem, LOSS_AND_GRADIENT(lang, shape=shape))
    return float(result[0]), result[1]


def check_loop(result: Any, x0: np.ndarray, function: str, exercise: str, path: Path, out: str
               ) -> tuple[np.ndarray, list[float], dict]:
    """A loop's result as (x shaped like x0, losses, snapshots), or an error naming the loop's function."""
    lang = language()

    def bad(problem: str, **fields: object) -> BrushstrokesError:
        return bad_return(function, exercise, path, out, PROBLEMS[problem](lang, **fields), RECONSTRUCTION)

    if result is None:
        raise bad("none")
    if not isinstance(result, tuple | list) or len(result) != 3:
        raise bad("not3", what=describe(result))
    x, losses, snapshots = result
    if not (isinstance(x, np.ndarray) and x.shape == x0.shape):
        if isinstance(losses, np.ndarray) and losses.shape == x0.shape or isinstance(x, list | dict):
            raise bad("order")
        raise bad("x", what=describe(x), shape=x0.shape)
    try:
        losses = [float(v) for v in losses] if np.ndim(losses) == 1 else None
    except (TypeError, ValueError):
        losses = None
    if losses is None:
        raise bad("losses", what=describe(result[1]))
    if not losses:
        raise bad("no_losses")
    if not isinstance(snapshots, dict) or not all(
            isinstance(s, np.ndarray) and s.shape == x0.shape for s in snapshots.values()):
        raise bad("snapshots", what=describe(snapshots))
    return x, losses, snapshots


def first_not_finite(losses: list[float]) -> int:
    """The iteration of the first NaN or inf loss (the last one when only the image has them)."""
    return next((i for i, v in enumerate(losses) if not np.isfinite(v)), len(losses) - 1)


def listed(names: Iterable[str]) -> str:
    """'a, b and c' in the learner's language."""
    lang, names = language(), list(names)
    if len(names) < 2:
        return "".join(names)
    return AND(lang, first=COMMA[lang].join(names[:-1]), last=names[-1])


def not_finite(losses: list[float], out: str, option: str, value: object, loop: tuple[str, str, Path] | None,
               calls: tuple[str, ...] | None = None) -> BrushstrokesError:
    """The error for a run that ended with NaN or inf. loop: (function, exercise, file) of the learner's loop when
    it is the cause (every function it calls was checked for NaN from finite inputs); else the step size is.
    calls: the functions the loop calls, named in the message, which then also says whether a loss or only the
    image went NaN (lesson 1's run)."""
    i = first_not_finite(losses)
    if calls is None:
        if loop is not None:
            function, exercise, path = loop
            return fail(NOT_FINITE_LOOP, NOT_FINITE_LOOP_TODO, i=i, function=function, id=exercise,
                         file=display(path), out=out)
        return fail(NOT_FINITE, NOT_FINITE_TODO, i=i, option=option, value=value, out=out)
    what = (WHAT_NAN if not all(np.isfinite(v) for v in losses) else WHAT_IMAGE)(language())
    if loop is not None:
        function, exercise, path = loop
        return fail(NOT_FINITE_CALLS, NOT_FINITE_LOOP_TODO, what=what, i=i, calls=listed(calls), function=function,
                     id=exercise, file=display(path), out=out)
    return fail(NOT_FINITE_WHAT, NOT_FINITE_TODO, what=what, i=i, option=option, value=value, out=out)
