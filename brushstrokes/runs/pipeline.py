"""One run of `content`, `style` or `paint`, from the options to the pictures, the same way for each command.

A command describes its run as a RunSpec (its options' own checks, input pictures, output names, how it prepares
the net, targets and loop, which pictures it writes and what its summary says) and hands it to run(), which owns
everything else, in this order:

    1. the checks, before any work: the command's own options, each input picture (its header, once), the working
       size of the first (--size), the checks that need that size, the --out folder and the files it will hold;
    2. leftovers of a killed run removed from --out;
    3. the lesson modules the command calls (course.called_by), each function present, NaN-guarded for a learner;
       an exercise with an `option` is needed only by a run given that option (RunSpec.options);
    4. each picture decoded once (inputs.Picture), then the command's preparation and start lines;
    5. the loop, timed, inside learner_code (a learner's crash, hang or exit is one line) and one StopRequest (the
       first Ctrl-C keeps the result, a second aborts);
    6. what the loop returned checked, and a run ending with NaN or inf refused with the learner's or the
       reference's message (the old pictures untouched);
    7. the pictures written whole or not at all (base/outputs.OutputSet), then the summary and the "wrote" line.

The registry says which lesson, loop and functions a command has: course.for_command(command), course.called_by.
Sizes are (W, H) in px; images are (1, 3, H, W) float32 Caffe blobs.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from brushstrokes import course
from brushstrokes.base.i18n import Text, language
from brushstrokes.net import images
from brushstrokes.runs import validate
from brushstrokes.runs.inputs import Input, Picture, checked_size, decode
from brushstrokes.runs.stop import KEEP_RESULT, StopRequest

LEFTOVER_AGE = 600  # s: temporary pictures older than this were left by a killed run
WROTE = Text("wrote {files}", "已写入 {files}")


class Lessons:
    """The lesson modules a command calls, loaded once from `use` ('solutions' or 'lessons', the learner's) or
    from `folder` (--lessons-dir), each function the command calls present, NaN-guarded when they are the learner's.
    options: the options the run was given that some exercise needs (course.Exercise.option); a module whose
    functions no run given these options calls is not loaded at all.

    It answers what the messages need: the exercise id and file of each function, the loop's (course.for_command),
    and checks what the learner's functions return (learner.result_checks).
    """

    def __init__(self, command: str, use: str, folder: Path | None, out: str, point_to_original: bool = False,
                 options: Iterable[str] = ()) -> None:
        from brushstrokes.learner.guards import guarded
        from brushstrokes.learner.loader import lesson_path, load_lesson
        from brushstrokes.learner.result_checks import require

        self.command, self.use, self.out = command, use, out
        self.lesson = course.for_command(command)
        self.functions = course.called_by(command, options)  # {module: {function: exercise id}}
        self.modules = {name: load_lesson(name, use, folder) for name in self.functions}
        self.files = {name: lesson_path(name, use, folder) for name in self.functions}
        for name, functions in self.functions.items():
            require(self.modules[name], self.files[name], functions, point_to_original=point_to_original)
        if use == "lessons":
            for module in self.modules.values():
                guarded(module)

    def __getitem__(self, module: str) -> ModuleType:
        return self.modules[module]

    @property
    def loop(self) -> course.Exercise:
        """The exercise whose function is the command's optimisation loop."""
        return course.exercise(self.lesson.loop)

    @property
    def loop_file(self) -> Path:
        return self.files[self.lesson.module]

    def loop_function(self) -> Callable:
        """The learner's (or reference) loop, unguarded: a loop is checked by what it returns."""
        loop = getattr(self.modules[self.lesson.module], self.loop.function)
        return getattr(loop, "__wrapped__", loop)

    def module_of(self, function: str) -> ModuleType:
        """The loaded module holding a function the command calls ('gram': lesson 2's)."""
        return next(self.modules[name] for name, functions in self.functions.items() if function in functions)

    def function(self, name: str) -> Callable:
        """A function the command calls, as loaded (NaN-guarded when it is the learner's)."""
        return getattr(self.module_of(name), name)

    def where(self, function: str) -> tuple[str, Path]:
        """(exercise id, file) of a function the command calls."""
        for name, functions in self.functions.items():
            if function in functions:
                return functions[function], self.files[name]
        raise KeyError(function)

    def array(self, value: Any, shape: tuple[int, ...], function: str) -> np.ndarray:
        """What `function` returned, when it is an array of `shape`; else the one-line error naming it."""
        from brushstrokes.learner.result_checks import check_array

        return check_array(value, shape, function, *self.where(function), self.out)

    def loss_grad(self, result: Any, shape: tuple[int, ...], function: str) -> tuple[float, np.ndarray]:
        """(loss, gradient of `shape`) as `function` returned them, or the one-line error naming it."""
        from brushstrokes.learner.result_checks import check_loss_grad

        return check_loss_grad(result, shape, function, *self.where(function), self.out)

    def wrong(self, value: Any, expected: str, function: str) -> Exception:
        """The error (to raise) for `function` having returned `value` where `expected` (in words) was due."""
        from brushstrokes.learner.result_checks import RETURNED, bad_return, describe

        problem = RETURNED(language(), what=describe(value))
        return bad_return(function, *self.where(function), self.out, problem, expected)

    def code(self):
        """The context in which the lesson code runs: its errors, hangs and exits are one line (learner_code)."""
        from brushstrokes.learner.result_checks import learner_code

        return learner_code(tuple(self.files.values()), self.out, self.lesson.loop)


@dataclass
class Prepared:
    """What a command prepared for its loop.

    x0: (1, 3, H, W) start; loop(x0, stop): the optimisation, returning (x, losses, snapshots), ending early
    when stop.requested; step: (option, value) of the step size a run
    ending with NaN should be retried with a smaller one of; blame_loop: under --use lessons, a NaN is the
    loop's fault (every function it calls is NaN-guarded); named_calls: the NaN message names the functions the
    loop calls (course: the loop's `uses`) and whether the loss or the image went NaN; picture(x): the picture
    (H, W, 3) the run keeps, from the final x (default: images.deprocess), computed in the lessons' context;
    shape: the shape of the x the loop returns when it is not x0's (a run that ends at another size).
    """

    x0: np.ndarray
    loop: Callable[[np.ndarray, StopRequest], Any]
    step: tuple[str, object]
    blame_loop: bool = True
    named_calls: bool = False
    picture: Callable[[np.ndarray], np.ndarray] | None = None
    shape: tuple[int, ...] | None = None


@dataclass
class Optimised:
    """What a loop gave: x (1, 3, H, W), losses and snapshots (by iteration), the seconds it took, whether the
    first Ctrl-C stopped it, and the picture (H, W, 3) RGB from x (Prepared.picture)."""

    x: np.ndarray
    losses: list[float]
    snapshots: dict[int, np.ndarray]
    seconds: float
    stopped: bool
    picture: np.ndarray


@dataclass
class RunSpec:
    """A command's run: what is its own. The pipeline (run, optimise) does the rest.

    inputs: the pictures, the first one sized by `longest` (--size); names: the files written into `out`;
    check_options(): the command's own options, checked first; check_sized((W, H)): the checks that need the
    working size; prepare(lessons, pictures, (W, H), say): the net, targets and loop, saying the start line(s);
    write(result, files): the pictures, into the OutputSet `files`; summary(result): the lines printed after
    writing; shown(path): a written path as the "wrote" line shows it, at most `listed` of them (the rest counted);
    options: the options given to this run that some exercise needs (course.Exercise.option: '--colour').
    """

    command: str
    use: str
    lessons_dir: Path | None
    out: Path
    names: Sequence[str]
    inputs: Sequence[Input]
    longest: int
    prepare: Callable[[Lessons, list[Picture], tuple[int, int], Callable[..., None]], Prepared]
    write: Callable[[Optimised, Any], None]
    summary: Callable[[Optimised], list[str]]
    check_options: Callable[[], None] = lambda: None
    check_sized: Callable[[tuple[int, int]], None] = lambda size: None
    stop_message: Text = KEEP_RESULT
    point_to_original: bool = False
    shown: Callable[[Path], str] | None = None
    listed: int | None = None
    options: Sequence[str] = ()

    @property
    def lessons_use(self) -> str:
        """'lessons' with --lessons-dir, else --use."""
        return "lessons" if self.lessons_dir is not None else self.use


def check(spec: RunSpec) -> tuple[tuple[int, int], Path]:
    """Every check before any work, in the pipeline's order: ((W, H) working size, the checked --out folder)."""
    spec.check_options()
    first, *others = spec.inputs
    size = validate.fitted_size(checked_size(first), spec.longest, first.path)
    for given in others:
        checked_size(given)
    spec.check_sized(size)
    return size, validate.out_folder(spec.out, names=spec.names)


def optimise(spec: RunSpec, out: Path, size: tuple[int, int], say: Callable[..., None] = print
             ) -> tuple[Optimised, Prepared, Lessons]:
    """Steps 3 to 6: load the lessons, decode the pictures, prepare, run the loop, check what it returned.
    say: print, or nothing (a run for a figure)."""
    from brushstrokes.learner.guards import finite
    from brushstrokes.learner.loader import display
    from brushstrokes.learner.result_checks import check_loop, not_finite

    shown_out = display(out)
    lessons = Lessons(spec.command, spec.lessons_use, spec.lessons_dir, shown_out, spec.point_to_original,
                      spec.options)
    pictures = [decode(given.path) for given in spec.inputs]
    with lessons.code():
        prepared = spec.prepare(lessons, pictures, size, say)
        start = time.perf_counter()
        with StopRequest(spec.stop_message) as stop:
            result = prepared.loop(prepared.x0, stop)
        seconds = time.perf_counter() - start
        loop = lessons.loop
        like = prepared.x0 if prepared.shape is None else np.broadcast_to(np.float32(0), prepared.shape)
        x, losses, snapshots = check_loop(result, like, loop.function, loop.id, lessons.loop_file, shown_out)
        if not (finite(losses) and finite(x)):
            blamed = (loop.function, loop.id, lessons.loop_file) if lessons.use == "lessons" and prepared.blame_loop \
                else None
            calls = tuple(course.exercise(i).function for i in loop.uses) if prepared.named_calls else None
            raise not_finite(losses, shown_out, *prepared.step, blamed, calls)
        picture = prepared.picture(x) if prepared.picture is not None else images.deprocess(x)
    return Optimised(x, losses, dict(snapshots), seconds, stop.requested, picture), prepared, lessons


def run(spec: RunSpec) -> list[Path]:
    """A command's whole run (steps 1 to 7); the files written. Raises BrushstrokesError for a bad option or
    picture (before any work), a learner's mistake, or a run ending with NaN (the old pictures untouched)."""
    from brushstrokes.base.outputs import OutputSet, remove_leftovers

    size, out = check(spec)
    remove_leftovers(out, older_than=LEFTOVER_AGE)
    result, _, _ = optimise(spec, out, size)
    with OutputSet(out) as files:
        spec.write(result, files)
    for line in spec.summary(result):
        print(line)
    print(wrote_line(files.written, spec.shown, spec.listed))
    return files.written


def default_lr(loop: Any) -> object:
    """The step size a lesson's loop uses when --lr is not given (its default argument), or '?'."""
    try:
        return inspect.signature(loop).parameters["lr"].default
    except (KeyError, TypeError, ValueError):
        return "?"


def summary(result: Optimised, text: Text) -> list[str]:
    """The line after a content or style run, in `text`: n (the losses recorded), s (seconds), each, first and
    last loss, and share (of the start left)."""
    losses, seconds, n = result.losses, result.seconds, len(result.losses)
    share = f"{losses[-1] / losses[0]:.1%}" if losses[0] else "-"
    return [text(language(), n=n, s=seconds, each=seconds / n, first=losses[0], last=losses[-1], share=share)]


def wrote_line(written: Iterable[Path], shown: Callable[[Path], str] | None = None, listed: int | None = None) -> str:
    """'wrote a.png, b.png, c.png (+2)': the paths as `shown` gives them (default: learner.loader.display), at
    most `listed` of them."""
    from brushstrokes.learner.loader import display

    written, shown = list(written), shown or display
    files = ", ".join(shown(p) for p in written[:listed])
    if listed is not None and len(written) > listed:
        files += f" (+{len(written) - listed})"
    return WROTE(language(), files=files)
