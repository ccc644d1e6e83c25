"""Lesson 1 · Find content: the checks of exercises 1.1-1.4 (`pytest checks/ -k 1_2` runs one exercise).

Inputs and expected outputs come from checks/references/lesson1.npz (tools/make_references.py made them
from solutions/ on the real VGG19): the cat at 48x32 px, seeded white noise, conv4_2 features (512, 4, 6).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from brushstrokes.vgg import relu_name, set_input_shape
from checks.compare import (
    FLOAT32_TOL,
    LOSS_TOL,
    Mistake,
    describe,
    expect_array,
    expect_close,
    expect_finite,
    expect_scalar,
    fail,
    pixels,
    rel_error,
    unchanged,
)
from checks.spy import SpyNet
from checks.target import Exercise, Lesson, learner_frame

LESSON = Lesson("1", "Find content", "lesson1_content",
                {"1.1": "content_loss", "1.2": "content_grad", "1.3": "normalized_step", "1.4": "reconstruct"},
                done="all of lesson 1 passes: watch your own cat appear with `brushstrokes content --use lessons` "
                     "(pictures in output/), then go on to lesson 2.")
FEATURES = "with F, P the conv4_2 features (512, 4, 6) of white noise and of the cat"


def picture_error(x, y) -> float:
    """rel_error of two images compared as pictures (grey levels 0..255)."""
    return rel_error(pixels(x), pixels(y))


# Exercise 1.1 ------------------------------------------------------------------------------------------------
def loss_mistakes(F: np.ndarray, P: np.ndarray, loss: float) -> list[Mistake]:
    d = F.astype(np.float64) - P.astype(np.float64)
    norm = float(np.sqrt(np.sum(d**2)))
    mean_fix = "sum over every entry (np.sum), not the mean: the paper's loss is a sum"
    return [
        Mistake("missing the 1/2", 2 * loss, "L = 1/2 * sum (F - P)^2: multiply the sum by 0.5"),
        Mistake("half the norm, not the squared error", 0.5 * norm,
                "0.5 * norm(F - P) is what the original write-up logged; the paper's loss has no square root: "
                "1/2 * sum (F - P)^2"),
        Mistake("the norm, not the squared error", norm, "no square root: L = 1/2 * sum (F - P)^2"),
        Mistake("mean instead of sum", loss / d.size, mean_fix),
        Mistake("mean instead of sum, and missing the 1/2", 2 * loss / d.size, mean_fix + ", times 1/2"),
        Mistake("differences not squared", 0.5 * float(np.sum(d)), "square each difference before summing"),
        Mistake("absolute differences, not squared", 0.5 * float(np.sum(np.abs(d))),
                "square each difference before summing: (F - P) ** 2"),
    ]


@pytest.mark.exercise("1.1")
def test_1_1_worked_example(lesson: ModuleType, exercise: Exercise):
    F = np.array([[[1.0, 2.0, 0.0]]], dtype=np.float32)
    P = np.array([[[1.0, 0.0, 3.0]]], dtype=np.float32)
    call = "content_loss(F, P) with F = [[[1, 2, 0]]] and P = [[[1, 0, 3]]]: 1/2 (0^2 + 2^2 + 3^2) = 6.5"
    got = expect_scalar(exercise, call, lesson.content_loss(F, P))
    expect_close(exercise, call, got, 6.5, LOSS_TOL, loss_mistakes(F, P, 6.5))


@pytest.mark.exercise("1.1")
def test_1_1_conv4_2_features(lesson: ModuleType, exercise: Exercise, references_lesson1):
    F, P, loss = references_lesson1["F"], references_lesson1["P"], float(references_lesson1["loss"])
    call = f"content_loss(F, P) {FEATURES}"
    inputs = {"F": F.copy(), "P": P.copy()}
    got = expect_scalar(exercise, call, lesson.content_loss(inputs["F"], inputs["P"]))
    unchanged(exercise, call, {"F": F, "P": P}, inputs)
    expect_close(exercise, call, got, loss, LOSS_TOL, loss_mistakes(F, P, loss))


# Exercise 1.2 ------------------------------------------------------------------------------------------------
MASK_FIX = ("net.backward(start=layer) begins at the convolution and skips the in-place ReLU, so apply the "
            "ReLU's derivative yourself: (F - P) * (F > 0)")


def grad_mistakes(correct, unmasked, p_masked=None) -> list[Mistake]:
    """The classic wrong gradients, given the right one, the one without the mask, and one masked on P."""
    sign = "the gradient of 1/2 (F - P)^2 is F - P, not P - F (the step subtracts it later)"
    mistakes = [
        Mistake("missing ReLU mask", unmasked, MASK_FIX),
        Mistake("wrong sign", -correct, sign),
        Mistake("wrong sign and missing ReLU mask", -unmasked, sign + "; and " + MASK_FIX),
        Mistake("a factor of 2", 2 * correct, "d/dF of 1/2 (F - P)^2 is F - P: the 1/2 cancels the 2"),
        Mistake("a factor of 1/2", 0.5 * correct, "d/dF of 1/2 (F - P)^2 is F - P, without the 1/2"),
    ]
    if p_masked is not None:
        mistakes.append(Mistake("mask on P instead of F", p_masked,
                                "the ReLU that matters is the one on the image being optimised: mask where F > 0"))
    return mistakes


@pytest.mark.exercise("1.2")
def test_1_2_conv4_2_features(lesson: ModuleType, exercise: Exercise, references_lesson1):
    F, P, expected = references_lesson1["F"], references_lesson1["P"], references_lesson1["grad"]
    call = f"content_grad(F, P) {FEATURES} (F has {int(np.sum(F == 0))} zeros: relu4_2 is off there)"
    inputs = {"F": F.copy(), "P": P.copy()}
    got = expect_array(exercise, call, lesson.content_grad(inputs["F"], inputs["P"]), expected)
    unchanged(exercise, call, {"F": F, "P": P}, inputs)
    expect_close(exercise, call, got, expected, FLOAT32_TOL,
                 grad_mistakes(expected, F - P, ((F - P) * (P > 0)).astype(np.float32)))


def small_pre_activations(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Z (2, 3, 4): a convolution's output, every entry at least 0.3 away from the ReLU's kink; P > 0.

    P > 0 everywhere so that a missing mask shows: where the ReLU is off it would give -P instead of 0.
    """
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((2, 3, 4))
    Z = (np.sign(z) * (0.3 + np.abs(z))).astype(np.float32)
    P = (0.2 + np.abs(rng.standard_normal((2, 3, 4)))).astype(np.float32)
    return Z, P


def loss_to_differentiate(lesson: ModuleType, reference: ModuleType) -> tuple[object, str]:
    """The learner's own content_loss when it works (on a small probe), else the reference one."""
    Z, P = small_pre_activations(seed=2)
    F = np.maximum(Z, 0).astype(np.float64)
    try:
        own = float(lesson.content_loss(F, P.astype(np.float64)))
    except Exception:  # not started or broken: exercise 1.1 reports it
        own = None
    if own is not None and rel_error(own, reference.content_loss(F, P)) <= LOSS_TOL:
        return lesson.content_loss, "your content_loss"
    return reference.content_loss, "the reference content_loss (yours does not pass exercise 1.1 yet)"


@pytest.mark.exercise("1.2")
def test_1_2_finite_differences(lesson: ModuleType, reference: ModuleType, exercise: Exercise):
    """dL/dZ by central differences in float64, L(Z) = content_loss(max(0, Z), P), at entries on both sides of 0."""
    Z, P = small_pre_activations()
    loss, whose = loss_to_differentiate(lesson, reference)
    Z64, P64, h = Z.astype(np.float64), P.astype(np.float64), 0.1  # |Z| >= 0.3: no kink within h
    picks = [tuple(i) for i in (*np.argwhere(Z < 0)[:4], *np.argwhere(Z > 0)[:4])]  # ReLU off, then on
    got = expect_array(exercise, "content_grad(max(0, Z), P)", lesson.content_grad(np.maximum(Z, 0), P.copy()), Z)
    numeric, analytic = [], []
    for idx in picks:
        plus, minus = Z64.copy(), Z64.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric.append((loss(np.maximum(plus, 0), P64) - loss(np.maximum(minus, 0), P64)) / (2 * h))
        analytic.append(float(got[idx]))
    off = np.array([Z[idx] < 0 for idx in picks])
    numeric = np.array(numeric)
    unmasked = np.where(off, [-float(P[idx]) for idx in picks], numeric)  # F - P with F = 0 where the ReLU is off
    call = ("content_grad(F, P) with F = max(0, Z) for a small Z (2, 3, 4), at Z = "
            + ", ".join(f"{Z[idx]:.2f}" for idx in picks)
            + f", against central differences (L(Z + h) - L(Z - h)) / 2h of {whose}, h = {h}")
    expect_close(exercise, call, analytic, list(numeric), FLOAT32_TOL, grad_mistakes(numeric, unmasked),
                 fix="the gradient is F - P where F > 0, else 0: compare with the docstring")


# Exercise 1.3 ------------------------------------------------------------------------------------------------
def step_mistakes(x: np.ndarray, g: np.ndarray, lr: float) -> list[Mistake]:
    g64 = g.astype(np.float64)
    mean = float(np.mean(np.abs(g64)))
    divide = "divide by the mean absolute value of the gradient, np.mean(np.abs(grad))"
    return [
        Mistake("step not normalised", x - lr * g64, divide + ": then lr is a size in grey levels"),
        Mistake("wrong sign", x + lr * g64 / mean, "step against the gradient, downhill: x - lr * grad / ..."),
        Mistake("lr left out", x - g64 / mean, "multiply the normalised gradient by lr"),
        Mistake("normalised by the largest entry", x - lr * g64 / np.max(np.abs(g64)), divide + ", not the max"),
        Mistake("normalised by the norm", x - lr * g64 / np.linalg.norm(g64), divide + ", not the norm"),
        Mistake("normalised by the sum", x - lr * g64 / np.sum(np.abs(g64)), divide + ", not the sum"),
        Mistake("normalised by mean(grad) without abs", x - lr * g64 / np.mean(g64),
                "positive and negative entries cancel in np.mean(grad): use np.mean(np.abs(grad))"),
    ]


@pytest.mark.exercise("1.3")
def test_1_3_first_step(lesson: ModuleType, exercise: Exercise, references_lesson1):
    x, g = references_lesson1["x0"], references_lesson1["data_grad"]
    lr, expected = float(references_lesson1["step_lr"]), references_lesson1["stepped"]
    call = (f"normalized_step(x, grad, lr={lr}) with x white noise (1, 3, 32, 48) and grad its gradient from "
            f"conv4_2 (mean |grad| = {float(np.mean(np.abs(g))):.4g}); images compared in grey levels")
    inputs = {"x": x.copy(), "grad": g.copy()}
    got = expect_array(exercise, call, lesson.normalized_step(inputs["x"], inputs["grad"], lr), expected)
    unchanged(exercise, call, {"x": x, "grad": g}, inputs)
    expect_close(exercise, call, got, expected, FLOAT32_TOL, step_mistakes(x, g, lr), measure=picture_error,
                 fix=f"x - lr * grad / np.mean(np.abs(grad)) moves the pixels by lr = {lr} grey levels on average; "
                     f"yours moved them by {float(np.mean(np.abs(got.astype(np.float64) - x))):.4g}")


@pytest.mark.exercise("1.3")
def test_1_3_zero_gradient(lesson: ModuleType, exercise: Exercise, references_lesson1):
    x = references_lesson1["x0"]
    call = "normalized_step(x, grad, lr=3.0) with an all-zero grad (it happens when F == P already)"
    got = lesson.normalized_step(x.copy(), np.zeros_like(x), 3.0)
    if isinstance(got, np.ndarray) and not np.all(np.isfinite(got)):
        fail(exercise, call, describe(got), "x unchanged", "division by zero",
             "0 / mean(|0|) is 0 / 0 = NaN: divide by max(np.mean(np.abs(grad)), 1e-12)")
    got = expect_array(exercise, call, got, x)
    expect_close(exercise, call, got, x, FLOAT32_TOL, measure=picture_error,
                 fix="with a zero gradient there is nowhere to go: return x unchanged")


# Exercise 1.4 ------------------------------------------------------------------------------------------------
def loop_settings(refs: dict[str, np.ndarray], prefix: str) -> dict[str, object]:
    settings = {"layer": str(refs.get(f"{prefix}_layer", refs["layer"])), "iters": int(refs[f"{prefix}_iters"]),
                "lr": float(refs[f"{prefix}_lr"]), "tol": float(refs[f"{prefix}_tol"]),
                "every": int(refs[f"{prefix}_every"])}
    return settings


def loop_call(settings: dict[str, object]) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    return (f"reconstruct(net, P, x0, {args}) on the real VGG19, with P the cat's {settings['layer']} features "
            "and x0 white noise (1, 3, 32, 48)")


def spy_mistake(spy: SpyNet, layer: str) -> tuple[str, str] | None:
    """The likely mistake in how the loop drove pycaffe, from what the spy saw; None if nothing looks wrong."""
    relu = relu_name(layer)
    if not spy.forward_calls:
        return "no forward pass", f"run net.forward(end=relu_name(layer)) ('{relu}') in every iteration"
    if layer in spy.forward_ends() and relu not in spy.forward_ends():
        return ("forward stops before the ReLU",
                f"net.forward(end='{layer}') stops before the in-place {relu}, so blob {layer} holds the raw "
                f"convolution, negative values included: use net.forward(end=relu_name(layer)) ('{relu}')")
    if spy.forward_ends() - {relu, None}:
        return "a fixed layer name", (f"the loop ran forward to {sorted(map(str, spy.forward_ends()))} with "
                                      f"layer={layer!r}: use the `layer` argument (and relu_name(layer))")
    if not spy.backward_calls:
        return "no backward pass", f"after writing the gradient into net.blobs[layer].diff[0], run " \
                                   f"net.backward(start=layer) ('{layer}')"
    wrong = spy.backward_starts() - {layer, relu}
    if wrong:
        ran = "net.backward() without start" if None in wrong else f"net.backward(start={sorted(wrong)[0]!r})"
        return "backward from the wrong layer", (
            f"the loop ran {ran}: Caffe then begins at another layer, whose diff is not your gradient; "
            f"use net.backward(start=layer) ('{layer}')")
    if layer not in spy.diff_reads:
        return "gradient not injected", f"write content_grad(F, P) into net.blobs['{layer}'].diff[0] before backward"
    if "data" not in spy.diff_reads:
        return "wrong blob", ("the step must use the image's gradient, net.blobs['data'].diff; "
                              "the loop never read it")
    return None


@dataclass
class LoopRun:
    """One call of the learner's reconstruct: its results, what the spy saw, and the reference run."""

    x: np.ndarray
    losses: list[float]
    snapshots: dict
    spy: SpyNet
    settings: dict[str, object]
    call: str
    refs: dict[str, np.ndarray]
    prefix: str

    def ref(self, name: str) -> np.ndarray:
        return self.refs[f"{self.prefix}_{name}"]


def run_loop(lesson: ModuleType, net, refs: dict[str, np.ndarray], prefix: str, exercise: Exercise) -> LoopRun:
    """Call the learner's reconstruct on a spy of the real VGG19 with the settings of reference run `prefix`."""
    settings = loop_settings(refs, prefix)
    P = refs["shallow_P"] if prefix == "shallow" else refs["P"]
    x0 = refs["x0"]
    set_input_shape(net, x0.shape[2], x0.shape[3])
    spy = SpyNet(net)
    call = loop_call(settings)
    inputs = {"x0": x0.copy(), "P": P.copy()}
    raised = None
    try:
        result = lesson.reconstruct(spy, inputs["P"], inputs["x0"], **settings)
    except NotImplementedError:
        raise
    except Exception as exc:  # reported below with the line in the learner's file, and what the spy saw
        frame = learner_frame(exc.__traceback__, Path(lesson.__file__).resolve())
        raised = f"nothing: it raised {type(exc).__name__}: {str(exc).strip()}"
        raised += f" at line {frame[1]}: {frame[2]}" if frame else ""
    if raised is not None:
        mistake = spy_mistake(spy, str(settings["layer"])) or (None, "read the error and the line it names")
        fail(exercise, call, raised, "a Reconstruction", *mistake)
    unchanged(exercise, call, {"x0": x0, "P": P}, inputs)
    return LoopRun(*unpack(exercise, call, result, refs[f"{prefix}_x"]), spy, settings, call, refs, prefix)


def unpack(exercise: Exercise, call: str, result, like: np.ndarray) -> tuple[np.ndarray, list[float], dict]:
    """The result must be Reconstruction(x, losses, snapshots) with the right types."""
    if not isinstance(result, tuple) or len(result) != 3:
        fail(exercise, call, describe(result), "Reconstruction(x, losses, snapshots)", "wrong return value",
             "return Reconstruction(x, losses, snapshots) (imported from brushstrokes.lesson_support)")
    x, losses, snapshots = result
    x = expect_array(exercise, call + " -> .x", x, like)
    if not isinstance(losses, list | tuple | np.ndarray) or not all(np.ndim(v) == 0 for v in losses):
        fail(exercise, call + " -> .losses", describe(losses), "a list of floats, one per iteration", "wrong type",
             "append float(content_loss(F, P)) to a list in each iteration")
    expect_finite(exercise, call + " -> .losses", losses)
    if not isinstance(snapshots, dict):
        fail(exercise, call + " -> .snapshots", describe(snapshots), "a dict {iteration: image}", "wrong type",
             "start with snapshots = {} and set snapshots[i] = x.copy()")
    return x, [float(v) for v in losses], snapshots


def loop_mistake(run: LoopRun) -> tuple[str, str] | None:
    """The likely mistake of a loop whose results differ from the reference: from the spy, then the losses."""
    seen = spy_mistake(run.spy, str(run.settings["layer"]))
    if seen is not None:
        return seen
    got, expected = run.losses, run.ref("losses")
    if len(got) > 1 and max(got) == min(got):
        return ("the image never changes", "write x into net.blobs['data'].data[...] at the start of every "
                "iteration, and keep the stepped x for the next one")
    n = min(len(got), len(expected))
    if n > 1 and rel_error(got[: n - 1], expected[1:n]) <= LOSS_TOL:
        return "loss logged after the step", "append the loss of the image before you step it"
    return None


def likely(run: LoopRun, got, *variants: Mistake) -> list[Mistake]:
    """Candidate mistakes for a mismatch: what the loop visibly did wrong first, then the given variants."""
    seen = loop_mistake(run)
    return [Mistake(seen[0], got, seen[1])] if seen else list(variants)


LOOP_STEPS = ("in each iteration: set data, forward, log the loss, set the diff, backward, snapshot, "
              "early stop, then step with normalized_step(x, net.blobs['data'].diff, lr)")


def check_losses(exercise: Exercise, run: LoopRun) -> None:
    """The loss trajectory must match the reference run's."""
    expected = run.ref("losses")
    if len(run.losses) != len(expected):
        seen = loop_mistake(run) or ("wrong number of iterations", f"with tol={run.settings['tol']} run all "
                                     "iters iterations: `for i in progress(iters):`")
        fail(exercise, run.call + " -> .losses", describe(run.losses), f"{describe(list(expected))} "
             f"(one per iteration)", *seen)
    expect_close(exercise, run.call + " -> .losses", run.losses, list(expected), LOSS_TOL,
                 likely(run, run.losses), fix=LOOP_STEPS)


def check_image(exercise: Exercise, run: LoopRun, what: str, got: np.ndarray, expected: np.ndarray,
                *variants: Mistake, fix: str = LOOP_STEPS) -> None:
    """An image of the run must match the reference run's, compared as a picture (grey levels)."""
    expect_close(exercise, f"{run.call} -> {what} (compared in grey levels)", got, expected, LOSS_TOL,
                 likely(run, got, *variants), fix=fix, measure=picture_error)


def returned_x0(run: LoopRun) -> Mistake:
    return Mistake("returned x0", run.refs["x0"], "return the image you optimised, not the start")


@pytest.mark.exercise("1.4")
def test_1_4_matches_reference_run(isolated: ModuleType, exercise: Exercise, vgg, references_lesson1):
    run = run_loop(isolated, vgg, references_lesson1, "loop", exercise)
    check_losses(exercise, run)
    before_last = Mistake("x before the last step", run.ref("snaps")[-1],
                          "take the step in every iteration, the last one too, and return that x")
    check_image(exercise, run, ".x", run.x, run.ref("x"), returned_x0(run), before_last,
                fix="return x after the last step: x = normalized_step(x, net.blobs['data'].diff, lr)")


@pytest.mark.exercise("1.4")
def test_1_4_snapshots(isolated: ModuleType, exercise: Exercise, vgg, references_lesson1):
    run = run_loop(isolated, vgg, references_lesson1, "loop", exercise)
    keys = [int(k) for k in run.ref("snap_keys")]
    if sorted(run.snapshots) != keys:
        fail(exercise, run.call + " -> .snapshots", f"snapshots at iterations {sorted(run.snapshots)}",
             f"snapshots at iterations {keys}", "wrong snapshot iterations",
             f"keep snapshots[i] = x.copy() when i % every == 0 (every={run.settings['every']}), before the step")
    moved = not np.array_equal(run.x, run.refs["x0"])
    for key, expected in zip(keys, run.ref("snaps"), strict=True):
        got = expect_array(exercise, f"{run.call} -> .snapshots[{key}]", run.snapshots[key], expected)
        shared = [Mistake("snapshots share memory", run.x, "store a copy, snapshots[i] = x.copy(): x changes later")]
        check_image(exercise, run, f".snapshots[{key}]", got, expected, *(shared if moved else []),
                    fix="snapshots[i] is the image at the start of iteration i (whose loss is losses[i]): "
                        "take it before the step")


@pytest.mark.exercise("1.4")
def test_1_4_early_stop(isolated: ModuleType, exercise: Exercise, vgg, references_lesson1):
    run = run_loop(isolated, vgg, references_lesson1, "early", exercise)
    expected = run.ref("losses")
    stop, iters, tol = len(expected) - 1, int(run.settings["iters"]), float(run.settings["tol"])
    rule = f"at iteration i > 0, after logging L_i, break when |L_(i-1) - L_i| < tol * L_(i-1) (tol={tol:.3g})"
    if len(run.losses) != len(expected):
        seen = loop_mistake(run) or ("no early stop" if len(run.losses) == iters else "stops at the wrong iteration",
                                     rule)
        fail(exercise, run.call, f"{len(run.losses)} losses (stopped at iteration {len(run.losses) - 1})",
             f"{len(expected)} losses: the relative change first falls below tol at iteration {stop}", *seen)
    check_losses(exercise, run)
    check_image(exercise, run, ".x", run.x, run.ref("x"), returned_x0(run),
                fix=f"on an early stop, break before the step: x is the image whose loss came last ({rule})")


@pytest.mark.exercise("1.4")
def test_1_4_follows_layer(isolated: ModuleType, exercise: Exercise, vgg, references_lesson1):
    run = run_loop(isolated, vgg, references_lesson1, "shallow", exercise)
    check_losses(exercise, run)
    check_image(exercise, run, ".x", run.x, run.ref("x"), returned_x0(run),
                fix="use the `layer` argument everywhere: forward, blobs[layer], backward")
