"""Lesson 1 · Find content: the checks of exercises 1.1-1.4 (`pytest checks/ -k 1.2` runs one exercise).

Single-step inputs and outputs come from checks/references/lesson1.npz (tools/dev/references/lesson1.py made them
from solutions/ on the real VGG19): the cat at 48x32 px, seeded white noise, conv4_2 features (512, 4, 6).
The loop (1.4) is compared with a live run of the reference loop on the same net, inputs and settings.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest

from brushstrokes import course
from brushstrokes.base import paths
from brushstrokes.base.i18n import Text as T
from brushstrokes.base.i18n import language
from brushstrokes.net import images
from brushstrokes.net.layers import relu_name
from brushstrokes.net.vgg import features
from checks.compare import (
    FLOAT32_TOL,
    LOSS_TOL,
    Mistake,
    describe,
    expect_array,
    expect_close,
    expect_scalar,
    fail,
    rel_error,
    unchanged,
)
from checks.loops import (
    LoopRun,
    check_image,
    check_losses,
    picture_error,
    reference_run,
    run_loop,
    seen,
    stop_mistake,
)
from checks.spy import SpyNet
from checks.target import Graded

LESSON = course.lesson("1")
FEATURES = T("with F, P the conv4_2 features (512, 4, 6) of white noise and of the cat",
             "F、P 分别是白噪声和猫的 conv4_2 特征 (512, 4, 6)")


def fresh(*arrays: np.ndarray) -> list[np.ndarray]:
    """Copies to hand to the learner: whatever their code does to them cannot reach the next call."""
    return [a.copy() for a in arrays]


# Exercise 1.1 ------------------------------------------------------------------------------------------------
def loss_mistakes(F: np.ndarray, P: np.ndarray, loss: float) -> list[Mistake]:
    d = F.astype(np.float64) - P.astype(np.float64)
    norm = float(np.sqrt(np.sum(d**2)))
    mean_fix = T("sum over every entry (np.sum), not the mean: the paper's loss is a sum",
                 "对所有元素求和（np.sum），不是求平均：论文的损失是一个和")
    square_fix = T("square each difference before summing: (F - P) ** 2", "先把每个差平方再求和：(F - P) ** 2")
    return [
        Mistake(T("missing the 1/2", "漏了 1/2"), 2 * loss,
                T("L = 1/2 * sum (F - P)^2: multiply the sum by 0.5", "L = 1/2 * sum (F - P)^2：把和乘以 0.5")),
        Mistake(T("half the norm, not the squared error", "用了范数的一半，而不是平方误差"), 0.5 * norm,
                T("0.5 * norm(F - P) is what the original write-up logged; the paper's loss has no square root: "
                  "1/2 * sum (F - P)^2",
                  "0.5 * norm(F - P) 是原帖打印的数；论文的损失没有开平方：1/2 * sum (F - P)^2")),
        Mistake(T("the norm, not the squared error", "用了范数，而不是平方误差"), norm,
                T("no square root: L = 1/2 * sum (F - P)^2", "不要开平方：L = 1/2 * sum (F - P)^2")),
        Mistake(T("mean instead of sum", "用了平均而不是求和"), loss / d.size, mean_fix),
        Mistake(T("mean instead of sum, and missing the 1/2", "用了平均而不是求和，还漏了 1/2"), 2 * loss / d.size,
                mean_fix),
        Mistake(T("square of the sum", "和的平方"), 0.5 * float(np.sum(d)) ** 2,
                T("square each difference, then sum: np.sum((F - P) ** 2), not np.sum(F - P) ** 2",
                  "先把每个差平方，再求和：np.sum((F - P) ** 2)，不是 np.sum(F - P) ** 2")),
        Mistake(T("differences not squared", "差没有平方"), 0.5 * float(np.sum(d)), square_fix),
        Mistake(T("absolute differences, not squared", "用了差的绝对值，而不是平方"), 0.5 * float(np.sum(np.abs(d))),
                square_fix),
    ]


@pytest.mark.exercise("1.1")
def test_1_1_worked_example(lesson: ModuleType, exercise: Graded):
    F = np.array([[[1.0, 2.0, 0.0]]], dtype=np.float32)
    P = np.array([[[1.0, 0.0, 3.0]]], dtype=np.float32)
    call = T("content_loss(F, P) with F = [[[1, 2, 0]]] and P = [[[1, 0, 3]]]: 1/2 (0^2 + 2^2 + 3^2) = 6.5",
             "content_loss(F, P)，F = [[[1, 2, 0]]]，P = [[[1, 0, 3]]]：1/2 (0^2 + 2^2 + 3^2) = 6.5")(language())
    got = expect_scalar(exercise, call, lesson.content_loss(*fresh(F, P)))
    expect_close(exercise, call, got, 6.5, LOSS_TOL, loss_mistakes(F, P, 6.5))


@pytest.mark.exercise("1.1")
def test_1_1_conv4_2_features(lesson: ModuleType, exercise: Graded, references_lesson1):
    F, P, loss = references_lesson1["F"], references_lesson1["P"], float(references_lesson1["loss"])
    call = T("content_loss(F, P) {features}", "content_loss(F, P)，{features}")(language(),
                                                                            features=FEATURES(language()))
    inputs = dict(zip("FP", fresh(F, P), strict=True))
    got = expect_scalar(exercise, call, lesson.content_loss(inputs["F"], inputs["P"]))
    unchanged(exercise, call, {"F": F, "P": P}, inputs)
    expect_close(exercise, call, got, loss, LOSS_TOL, loss_mistakes(F, P, loss))


# Exercise 1.2 ------------------------------------------------------------------------------------------------
MASK_FIX = T("net.backward(start=layer) begins at the convolution and skips the in-place ReLU, so apply the "
             "ReLU's derivative yourself: (F - P) * (F > 0)",
             "net.backward(start=layer) 从卷积开始，跳过了原地 ReLU，所以要自己乘上 ReLU 的导数：(F - P) * (F > 0)")


def grad_mistakes(correct, unmasked, inverted=None, p_masked=None) -> list[Mistake]:
    """The classic wrong gradients, given the right one, the one without the mask, and variants of the mask."""
    sign = T("the gradient of 1/2 (F - P)^2 is F - P, not P - F (the step subtracts it later)",
             "1/2 (F - P)^2 的梯度是 F - P，不是 P - F（之后的那一步会减去它）")
    correct, unmasked = np.asarray(correct, dtype=np.float64), np.asarray(unmasked, dtype=np.float64)
    mistakes = [
        Mistake(T("missing ReLU mask", "漏了 ReLU 掩码"), unmasked, MASK_FIX),
        Mistake(T("wrong sign", "符号反了"), -correct, sign),
        Mistake(T("wrong sign and missing ReLU mask", "符号反了，还漏了 ReLU 掩码"), -unmasked, sign),
        Mistake(T("a factor of 2", "多了因子 2"), 2 * correct,
                T("d/dF of 1/2 (F - P)^2 is F - P: the 1/2 cancels the 2",
                  "1/2 (F - P)^2 对 F 的导数是 F - P：1/2 和 2 抵消")),
        Mistake(T("a factor of 1/2", "多了因子 1/2"), 0.5 * correct,
                T("d/dF of 1/2 (F - P)^2 is F - P, without the 1/2", "1/2 (F - P)^2 对 F 的导数是 F - P，没有 1/2")),
        Mistake(T("max(F - P, 0) instead of the mask", "用了 max(F - P, 0) 而不是掩码"), np.maximum(correct, 0),
                T("the mask keeps F - P where F > 0, negative values included: (F - P) * (F > 0), "
                  "not np.maximum(F - P, 0)",
                  "掩码在 F > 0 处保留 F - P，包括负值：(F - P) * (F > 0)，而不是 np.maximum(F - P, 0)")),
    ]
    if inverted is not None:
        mistakes.append(Mistake(T("inverted mask", "掩码反了"), inverted,
                                T("keep the gradient where the ReLU is on, F > 0, and zero it where F == 0 "
                                  "(not the other way round)",
                                  "在 ReLU 打开（F > 0）的地方保留梯度，在 F == 0 的地方置零（不是反过来）")))
    if p_masked is not None:
        mistakes.append(Mistake(T("mask on P instead of F", "掩码用在了 P 上而不是 F"), p_masked,
                                T("the ReLU that matters is the one on the image being optimised: mask where F > 0",
                                  "起作用的是被优化图像上的 ReLU：在 F > 0 处取掩码")))
    return mistakes


@pytest.mark.exercise("1.2")
def test_1_2_conv4_2_features(lesson: ModuleType, exercise: Graded, references_lesson1):
    F, P, expected = references_lesson1["F"], references_lesson1["P"], references_lesson1["grad"]
    call = T("content_grad(F, P) {features} (F has {zeros} zeros: relu4_2 is off there)",
             "content_grad(F, P)，{features}（F 有 {zeros} 个零：relu4_2 在那里关闭）")(
        language(), features=FEATURES(language()), zeros=int(np.sum(F == 0)))
    inputs = dict(zip("FP", fresh(F, P), strict=True))
    got = expect_array(exercise, call, lesson.content_grad(inputs["F"], inputs["P"]), expected)
    unchanged(exercise, call, {"F": F, "P": P}, inputs)
    expect_close(exercise, call, got, expected, FLOAT32_TOL,
                 grad_mistakes(expected, F - P, (F - P) * (F <= 0), (F - P) * (P > 0)))


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
    """The learner's own content_loss when it agrees with the reference's on a small probe to 1e-6 (then its
    differences are the reference's: a wrong 1.1 cannot fail 1.2), else the reference one."""
    Z, P = small_pre_activations(seed=2)
    F = np.maximum(Z, 0).astype(np.float64)
    try:
        own = float(lesson.content_loss(*fresh(F, P.astype(np.float64))))
    except (Exception, SystemExit):  # not started or broken: exercise 1.1 reports it
        own = None
    if own is not None and rel_error(own, reference.content_loss(F, P)) <= 1e-6:
        return lesson.content_loss, T("your content_loss", "你的 content_loss")(language())
    return reference.content_loss, T("the reference content_loss (yours gives another value on a small test "
                                     "input, or none: exercise 1.1 grades it)",
                                     "参考的 content_loss（你的在一个小测试输入上给出的值不同，或没有给出值："
                                     "由练习 1.1 给它评分）")(language())


@pytest.mark.exercise("1.2")
def test_1_2_finite_differences(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    """dL/dZ by central differences in float64, L(Z) = content_loss(max(0, Z), P), at entries on both sides of 0."""
    Z, P = small_pre_activations()
    loss, whose = loss_to_differentiate(lesson, reference)
    Z64, P64, h = Z.astype(np.float64), P.astype(np.float64), 0.1  # |Z| >= 0.3: no kink within h

    def at(z: np.ndarray) -> float:  # each call gets its own copies: a loss that changes its inputs cannot leak
        try:
            return float(loss(np.maximum(z, 0), P64.copy()))
        except (Exception, SystemExit):
            return float(reference.content_loss(np.maximum(z, 0), P64.copy()))

    picks = [tuple(i) for i in (*np.argwhere(Z < 0)[:4], *np.argwhere(Z > 0)[:4])]  # ReLU off, then on
    got = expect_array(exercise, "content_grad(max(0, Z), P)", lesson.content_grad(np.maximum(Z, 0), P.copy()), Z)
    numeric, analytic = [], []
    for idx in picks:
        plus, minus = Z64.copy(), Z64.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric.append((at(plus) - at(minus)) / (2 * h))
        analytic.append(float(got[idx]))
    off = np.array([Z[idx] < 0 for idx in picks])
    numeric = np.array(numeric)
    unmasked = np.where(off, [-float(P[idx]) for idx in picks], numeric)  # F - P with F = 0 where the ReLU is off
    inverted = np.where(off, unmasked, 0.0)
    call = T("content_grad(F, P) with F = max(0, Z) for a small Z (2, 3, 4), at Z = {at}, against central "
             "differences (L(Z + h) - L(Z - h)) / 2h of {whose}, h = {h}",
             "content_grad(F, P)，F = max(0, Z)，Z 是一个小数组 (2, 3, 4)，在 Z = {at} 处，与 {whose} 的中心差分 "
             "(L(Z + h) - L(Z - h)) / 2h 比较，h = {h}")(
        language(), at=", ".join(f"{Z[idx]:.2f}" for idx in picks), whose=whose, h=h)
    expect_close(exercise, call, analytic, list(numeric), FLOAT32_TOL, grad_mistakes(numeric, unmasked, inverted),
                 fix=T("the gradient is F - P where F > 0, else 0: compare with the docstring",
                       "梯度在 F > 0 处是 F - P，其余为 0：对照文档字符串"))


# Exercise 1.3 ------------------------------------------------------------------------------------------------
NO_ABS = T("normalised by mean(grad) without abs", "除以了没有取绝对值的 mean(grad)")
NO_ABS_FIX = T("positive and negative entries cancel in np.mean(grad): use np.mean(np.abs(grad))",
               "np.mean(grad) 里正负元素会相互抵消：用 np.mean(np.abs(grad))")


def step_mistakes(x: np.ndarray, g: np.ndarray, lr: float) -> list[Mistake]:
    g64 = g.astype(np.float64)
    mean = float(np.mean(np.abs(g64)))
    divide = T("divide by the mean absolute value of the gradient, np.mean(np.abs(grad)): then lr is a size in "
               "grey levels", "除以梯度的平均绝对值 np.mean(np.abs(grad))：这样 lr 就是以灰度级计的步长")
    return [
        Mistake(T("x returned unchanged", "原样返回了 x"), x,
                T("return the stepped image, x - lr * grad / np.mean(np.abs(grad))",
                  "返回走过一步的图像：x - lr * grad / np.mean(np.abs(grad))")),
        Mistake(T("step not normalised", "步长没有归一化"), x - lr * g64, divide),
        Mistake(T("wrong sign", "符号反了"), x + lr * g64 / mean,
                T("step against the gradient, downhill: x - lr * grad / ...",
                  "逆着梯度走，往下坡：x - lr * grad / ...")),
        Mistake(T("lr left out", "漏了 lr"), x - g64 / mean,
                T("multiply the normalised gradient by lr", "把归一化后的梯度乘以 lr")),
        Mistake(T("normalised by the largest entry", "除以了最大元素"), x - lr * g64 / np.max(np.abs(g64)), divide),
        Mistake(T("normalised by the norm", "除以了范数"), x - lr * g64 / np.linalg.norm(g64), divide),
        Mistake(T("normalised by the sum", "除以了总和"), x - lr * g64 / np.sum(np.abs(g64)), divide),
        *(Mistake(NO_ABS, x - lr * g64 / float(mean_g), NO_ABS_FIX)  # the mean in float64 or float32: it cancels
          for mean_g in (np.mean(g64), np.mean(g))),
    ]


def exact_step(x: np.ndarray, g: np.ndarray, lr: float) -> np.ndarray:
    """The step the docstring asks for, in float64, then float32."""
    g64 = g.astype(np.float64)
    return (x - lr * g64 / max(float(np.mean(np.abs(g64))), 1e-12)).astype(np.float32)


def check_step(lesson: ModuleType, exercise: Graded, x: np.ndarray, g: np.ndarray, lr: float, expected: np.ndarray,
               call: str, extra: tuple[Mistake, ...] = ()) -> None:
    inputs = dict(zip(("x", "grad"), fresh(x, g), strict=True))
    got = expect_array(exercise, call, lesson.normalized_step(inputs["x"], inputs["grad"], lr), expected)
    unchanged(exercise, call, {"x": x, "grad": g}, inputs)
    expect_close(exercise, call, got, expected, FLOAT32_TOL, (*extra, *step_mistakes(x, g, lr)),
                 measure=picture_error,
                 fix=T("x - lr * grad / np.mean(np.abs(grad)) moves the pixels by lr = {lr} grey levels on average; "
                       "yours moved them by {moved:.4g}",
                       "x - lr * grad / np.mean(np.abs(grad)) 让像素平均移动 lr = {lr} 个灰度级；"
                       "你的移动了 {moved:.4g}")(language(), lr=lr,
                                                 moved=float(np.mean(np.abs(got.astype(np.float64) - x)))))


@pytest.mark.exercise("1.3")
def test_1_3_first_step(lesson: ModuleType, exercise: Graded, references_lesson1):
    x, g = references_lesson1["x0"], references_lesson1["data_grad"]
    lr, expected = float(references_lesson1["step_lr"]), references_lesson1["stepped"]
    call = T("normalized_step(x, grad, lr={lr}) with x white noise (1, 3, 32, 48) and grad its gradient from "
             "conv4_2 (mean |grad| = {mean:.4g}); images compared in grey levels",
             "normalized_step(x, grad, lr={lr})，x 是白噪声 (1, 3, 32, 48)，grad 是它来自 conv4_2 的梯度"
             "（mean |grad| = {mean:.4g}）；图像按灰度级比较")(language(), lr=lr, mean=float(np.mean(np.abs(g))))
    check_step(lesson, exercise, x, g, lr, expected, call)


@pytest.mark.exercise("1.3")
def test_1_3_tiny_gradient_same_step(lesson: ModuleType, exercise: Graded, references_lesson1):
    x, g = references_lesson1["x0"], references_lesson1["data_grad"] * np.float32(1e-6)
    lr = float(references_lesson1["step_lr"])
    call = T("normalized_step(x, grad, lr={lr}) with the first step's gradient times 1e-6 (mean |grad| = "
             "{mean:.3g}): a normalised step does not depend on the gradient's size",
             "normalized_step(x, grad, lr={lr})，grad 是第一步的梯度乘以 1e-6（mean |grad| = {mean:.3g}）："
             "归一化的一步与梯度的大小无关")(language(), lr=lr, mean=float(np.mean(np.abs(g))))
    guard = Mistake(T("a guard that is too large", "防零的下限太大"), x - lr * g.astype(np.float64) / 1.0,
                    T("guard only against a zero mean: max(np.mean(np.abs(grad)), 1e-12); a larger floor such as "
                      "1.0 changes every step whose gradient is small",
                      "只防止平均值为零：max(np.mean(np.abs(grad)), 1e-12)；像 1.0 这样大的下限会改变所有梯度较小的步"))
    check_step(lesson, exercise, x, g, lr, exact_step(x, g, lr), call, (guard,))


@pytest.mark.exercise("1.3")
def test_1_3_large_step_not_clipped(lesson: ModuleType, exercise: Graded, references_lesson1):
    x, g = references_lesson1["x0"], references_lesson1["data_grad"]
    lr = 400.0
    expected = exact_step(x, g, lr)
    call = T("normalized_step(x, grad, lr={lr}): a huge step, far beyond the grey levels 0..255 "
             "(the step itself never clips; lesson 3 keeps pixels in range another way)",
             "normalized_step(x, grad, lr={lr})：很大的一步，远远超出灰度级 0..255"
             "（这一步本身从不裁剪；第 3 课用别的办法让像素留在范围内）")(language(), lr=lr)
    clipped = Mistake(T("the step is clipped", "这一步被裁剪了"), np.clip(expected, -128.0, 128.0),
                      T("return x - lr * grad / mean(|grad|) as it is: no np.clip in the step",
                        "原样返回 x - lr * grad / mean(|grad|)：这一步里不要 np.clip"))
    check_step(lesson, exercise, x, g, lr, expected, call, (clipped,))


@pytest.mark.exercise("1.3")
def test_1_3_zero_gradient(lesson: ModuleType, exercise: Graded, references_lesson1):
    x = references_lesson1["x0"]
    call = T("normalized_step(x, grad, lr=3.0) with an all-zero grad (it happens when F == P already)",
             "normalized_step(x, grad, lr=3.0)，grad 全为零（F == P 时就会这样）")(language())
    got = lesson.normalized_step(x.copy(), np.zeros_like(x), 3.0)
    if isinstance(got, np.ndarray) and not np.all(np.isfinite(got)):
        fail(exercise, call, describe(got), T("x unchanged", "x 不变"), T("division by zero", "除以零"),
             T("0 / mean(|0|) is 0 / 0 = NaN: divide by max(np.mean(np.abs(grad)), 1e-12)",
               "0 / mean(|0|) 是 0 / 0 = NaN：除以 max(np.mean(np.abs(grad)), 1e-12)"))
    got = expect_array(exercise, call, got, x)
    expect_close(exercise, call, got, x, FLOAT32_TOL, measure=picture_error,
                 fix=T("with a zero gradient there is nowhere to go: return x unchanged",
                       "梯度为零时无处可走：原样返回 x"))


# Exercise 1.4 ------------------------------------------------------------------------------------------------
SIZE = (32, 48)  # (H, W) of the references' images
LOOP = {"layer": "conv4_2", "iters": 5, "lr": 3.0, "tol": 0.0, "every": 2}  # not the defaults
PROBE = {"layer": "conv4_2", "iters": 8, "lr": 3.0, "tol": 0.0, "every": 8}  # where the early-stop tols come from
LOOP_STEPS = T("in each iteration: set data, forward, log the loss, set the diff, backward, snapshot, early stop, "
               "then step with normalized_step(x, net.blobs['data'].diff, lr)",
               "每次迭代：写入 data、前向、记录损失、写入 diff、反向、快照、提前停止，"
               "然后用 normalized_step(x, net.blobs['data'].diff, lr) 走一步")


def loop_call(settings: dict[str, object]) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    return T("reconstruct(net, P, x0, {args}) on the real VGG19, with P the cat's {layer} features and x0 white "
             "noise (1, 3, {h}, {w})",
             "在真实的 VGG19 上调用 reconstruct(net, P, x0, {args})，P 是猫的 {layer} 特征，x0 是白噪声 "
             "(1, 3, {h}, {w})")(language(), args=args, layer=settings["layer"], h=SIZE[0], w=SIZE[1])


SPY = {
    "no forward": (T("no forward pass", "没有前向传播"),
                   T("run net.forward(end=relu_name(layer)) ('{relu}') in every iteration",
                     "每次迭代都要运行 net.forward(end=relu_name(layer))（'{relu}'）")),
    "before relu": (T("forward stops before the ReLU", "前向停在了 ReLU 之前"),
                    T("net.forward(end='{layer}') stops before the in-place {relu}, so blob {layer} holds the raw "
                      "convolution, negative values included: use net.forward(end=relu_name(layer)) ('{relu}')",
                      "net.forward(end='{layer}') 停在原地 {relu} 之前，blob {layer} 里是未经 ReLU 的卷积结果"
                      "（含负值）：用 net.forward(end=relu_name(layer))（'{relu}'）")),
    "fixed layer": (T("a fixed layer name", "写死了层名"),
                    T("the loop ran forward to {ends} with layer={layer!r}: use the `layer` argument (and "
                      "relu_name(layer)) everywhere",
                      "layer={layer!r} 时循环却前向到 {ends}：处处使用参数 `layer`（以及 relu_name(layer)）")),
    "no backward": (T("no backward pass", "没有反向传播"),
                    T("after writing the gradient into net.blobs[layer].diff[0], run net.backward(start=layer) "
                      "('{layer}')",
                      "把梯度写进 net.blobs[layer].diff[0] 之后，运行 net.backward(start=layer)（'{layer}'）")),
    "wrong start": (T("backward from the wrong layer", "反向传播的起点不对"),
                    T("the loop ran {ran}: Caffe then begins at another layer, whose diff is not your gradient; "
                      "use net.backward(start=layer) ('{layer}')",
                      "循环运行了 {ran}：Caffe 会从另一层开始，那里的 diff 不是你的梯度；"
                      "用 net.backward(start=layer)（'{layer}'）")),
    "not injected": (T("gradient not injected", "没有注入梯度"),
                     T("write content_grad(F, P) into net.blobs['{layer}'].diff[0] before backward",
                       "在反向传播之前把 content_grad(F, P) 写进 net.blobs['{layer}'].diff[0]")),
    "wrong blob": (T("wrong blob", "用错了 blob"),
                   T("the step must use the image's gradient, net.blobs['data'].diff; the loop never read it",
                     "这一步要用图像的梯度 net.blobs['data'].diff；循环从没读过它")),
}


def spy_mistake(spy: SpyNet, layer: str) -> tuple[str, str] | None:
    """The likely mistake in how the loop drove pycaffe, from the spy's ordered log; None if nothing looks wrong."""
    relu = relu_name(layer)
    ends = {call.get("end") for kind, call in spy.calls if kind == "forward"}
    starts = {call.get("start") for kind, call in spy.calls if kind == "backward"}
    read = [call["blob"] for kind, call in spy.calls if kind == "diff_read"]
    wrong = starts - {layer, relu}
    if not ends:
        key = "no forward"
    elif layer in ends and relu not in ends:
        key = "before relu"
    elif ends - {relu, None}:
        key = "fixed layer"
    elif not starts:
        key = "no backward"
    elif wrong:
        key = "wrong start"
    elif layer not in read:
        key = "not injected"
    elif "data" not in read:
        key = "wrong blob"
    else:
        return None
    ran = "net.backward()" if None in wrong or not wrong else f"net.backward(start={sorted(map(str, wrong))[0]!r})"
    name, fix = SPY[key]
    lang = language()
    return name(lang), fix(lang, relu=relu, layer=layer, ends=sorted(map(str, ends)), ran=ran)


def diagnose(run: LoopRun) -> tuple[str, str] | None:
    return spy_mistake(run.spy, str(run.settings["layer"]))


_targets: dict[str, np.ndarray] = {}


def target_features(net, layer: str) -> np.ndarray:
    """P: the cat's features at `layer` (C, h, w), at the references' size (computed once per run)."""
    if layer not in _targets:
        cat = images.preprocess(images.load_image(paths.CAT, size=SIZE))
        _targets[layer] = features(net, cat, (layer,))[layer]
    return _targets[layer]


def loop_inputs(net, refs, layer: str) -> dict[str, np.ndarray]:
    P = refs["P"] if layer == "conv4_2" else target_features(net, layer)
    return {"P": P, "x0": refs["x0"]}


def learner_and_reference(isolated, reference, exercise, net, refs, settings) -> tuple[LoopRun, object]:
    inputs = loop_inputs(net, refs, str(settings["layer"]))
    run = run_loop(exercise, isolated.reconstruct, net, inputs, settings, loop_call(settings), like=refs["x0"])
    return run, reference_run(reference.reconstruct, net, inputs, settings, like=refs["x0"])


def returned_x0(run: LoopRun, x0: np.ndarray) -> Mistake:
    return Mistake(T("returned x0", "返回了 x0"), x0, T("return the image you optimised, not the start",
                                                        "返回优化后的图像，而不是起点"))


def check_run(exercise: Graded, run: LoopRun, expected, x0: np.ndarray, fix: T) -> None:
    check_losses(exercise, run, expected.losses, diagnose, fix=LOOP_STEPS)
    check_image(exercise, run, ".x", run.x, expected.x, expected.losses, returned_x0(run, x0), diagnose=diagnose,
                fix=fix)


@pytest.mark.exercise("1.4")
def test_1_4_matches_reference_run(isolated, reference, exercise: Graded, vgg, references_lesson1):
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, LOOP)
    check_losses(exercise, run, expected.losses, diagnose, fix=LOOP_STEPS)
    before_last = Mistake(T("x before the last step", "最后一步之前的 x"), expected.snapshots[max(expected.snapshots)],
                          T("take the step in every iteration, the last one too, and return that x",
                            "每次迭代都要走一步，最后一次也要，然后返回那个 x"))
    check_image(exercise, run, ".x", run.x, expected.x, expected.losses, returned_x0(run, references_lesson1["x0"]),
                before_last, diagnose=diagnose,
                fix=T("return x after the last step: x = normalized_step(x, net.blobs['data'].diff, lr)",
                      "返回最后一步之后的 x：x = normalized_step(x, net.blobs['data'].diff, lr)"))


@pytest.mark.exercise("1.4")
def test_1_4_snapshots(isolated, reference, exercise: Graded, vgg, references_lesson1):
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, LOOP)
    keys = sorted(expected.snapshots)
    if sorted(run.snapshots) != keys:
        at = T("snapshots at iterations {keys}", "在第 {keys} 次迭代的快照")
        fail(exercise, run.call + " -> .snapshots", at(language(), keys=sorted(run.snapshots)),
             at(language(), keys=keys), T("wrong snapshot iterations", "快照的迭代次数不对"),
             T("keep snapshots[i] = x.copy() when i % every == 0 (every={every}), before the step",
               "当 i % every == 0（every={every}）时，在走这一步之前保存 snapshots[i] = x.copy()")(
                 language(), every=run.settings["every"]))
    moved = not np.array_equal(run.x, references_lesson1["x0"])
    for key in keys:
        got = expect_array(exercise, f"{run.call} -> .snapshots[{key}]", run.snapshots[key], expected.snapshots[key])
        shared = [Mistake(T("snapshots share memory", "快照共享内存"), run.x,
                          T("store a copy, snapshots[i] = x.copy(): x changes later",
                            "保存一个副本 snapshots[i] = x.copy()：x 之后还会变"))]
        check_image(exercise, run, f".snapshots[{key}]", got, expected.snapshots[key], expected.losses,
                    *(shared if moved else []), diagnose=diagnose,
                    fix=T("snapshots[i] is the image at the start of iteration i (whose loss is losses[i]): "
                          "take it before the step",
                          "snapshots[i] 是第 i 次迭代开始时的图像（它的损失是 losses[i]）：在走这一步之前保存"))


def relative_changes(losses: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """(r1, r2): |L_i - L_(i-1)| divided by L_(i-1) and by L_i, for i = 1, 2, ... (index i - 1)."""
    L = np.asarray(losses, dtype=np.float64)
    return np.abs(np.diff(L)) / L[:-1], np.abs(np.diff(L)) / L[1:]


RULE = T("at iteration i > 0, after logging L_i, break when |L_(i-1) - L_i| < tol * L_(i-1)",
         "在第 i > 0 次迭代记录 L_i 之后，当 |L_(i-1) - L_i| < tol * L_(i-1) 时 break")


STOPPED = T("{n} losses (stopped at iteration {at})", "{n} 个损失（停在第 {at} 次迭代）")
STOP_EXPECTED = T("{n} losses ({why})", "{n} 个损失（{why}）")
STOP_WRONG = T("stops at the wrong iteration", "停在了错误的迭代")


def check_stop(exercise: Graded, run: LoopRun, expected, x0: np.ndarray, why: T, **fields: object) -> None:
    """The run must stop exactly where the reference stopped; a mismatch before that is the loop's, not the rule's.

    why: the reason the reference stops where it does, in both languages, with `fields` filled in.
    """
    lang = language()
    reason = why(lang, **fields)
    n = min(len(run.losses), len(expected.losses))
    if n and rel_error(run.losses[:n], expected.losses[:n]) > LOSS_TOL:
        check_losses(exercise, run, expected.losses, diagnose, fix=LOOP_STEPS)  # wrong before any stop: not the rule
    if len(run.losses) != len(expected.losses):
        found = seen(run, expected.losses, diagnose) or stop_mistake(run, expected.losses) or \
            (STOP_WRONG, f"{RULE(lang)} (tol={run.settings['tol']:.4g}): {reason}")
        fail(exercise, run.call, STOPPED(lang, n=len(run.losses), at=len(run.losses) - 1),
             STOP_EXPECTED(lang, n=len(expected.losses), why=reason), *found)
    check_run(exercise, run, expected, x0,
              fix=T("on an early stop, break before the step: x is the image whose loss came last ({rule})",
                    "提前停止时，在走这一步之前 break：x 是最后记录了损失的那张图像（{rule}）")(lang, rule=RULE(lang)))


def probe(reference, vgg, refs):
    """The reference loop's losses without early stop: the early-stop settings are chosen from them."""
    return reference_run(reference.reconstruct, vgg, loop_inputs(vgg, refs, "conv4_2"), PROBE, like=refs["x0"])


@pytest.mark.exercise("1.4")
def test_1_4_early_stop(isolated, reference, exercise: Graded, vgg, references_lesson1):
    """A tol that stops the loop at an iteration k >= 2 with the widest margin on both sides."""
    r1, _ = relative_changes(probe(reference, vgg, references_lesson1).losses)
    k = max(range(2, len(r1) + 1), key=lambda i: r1[: i - 1].min() / r1[i - 1])
    settings = dict(PROBE, tol=float(np.sqrt(r1[: k - 1].min() * r1[k - 1])), every=4)
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, settings)
    check_stop(exercise, run, expected, references_lesson1["x0"],
               T("the relative change first falls below tol at iteration {k}",
                 "相对变化在第 {k} 次迭代首次低于 tol"), k=k)


@pytest.mark.exercise("1.4")
def test_1_4_early_stop_at_the_boundary(isolated, reference, exercise: Graded, vgg, references_lesson1):
    """A tol between |dL|/L_(i-1) and |dL|/L_i at an iteration k >= 2, below every earlier change: the rule stops
    exactly there, and only with tol * L_(i-1)."""
    r1, r2 = relative_changes(probe(reference, vgg, references_lesson1).losses)
    k = next((i for i in range(2, len(r1) + 1) if r2[i - 1] < 0.8 * r1[: i - 1].min()), None)
    assert k is not None, "the probe run has no iteration to test the boundary at: change PROBE"
    settings = dict(PROBE, tol=float(np.sqrt(r1[k - 1] * r2[k - 1])), every=4)
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, settings)
    check_stop(exercise, run, expected, references_lesson1["x0"],
               T("at iteration {k} |dL| / L_(i-1) = {r1:.4g} < tol = {tol:.4g} < |dL| / L_i = {r2:.4g}: compare "
                 "with tol * L_(i-1), the loss before",
                 "在第 {k} 次迭代 |dL| / L_(i-1) = {r1:.4g} < tol = {tol:.4g} < |dL| / L_i = {r2:.4g}："
                 "要和 tol * L_(i-1)（之前的损失）比较"), k=k, r1=r1[k - 1], r2=r2[k - 1], tol=settings["tol"])


@pytest.mark.exercise("1.4")
def test_1_4_early_stop_from_the_second_iteration(isolated, reference, exercise: Graded, vgg, references_lesson1):
    """tol = 1: every change is below it, so the loop stops at iteration 1, the first that has a previous loss."""
    settings = dict(PROBE, iters=4, tol=1.0, every=1)
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, settings)
    check_stop(exercise, run, expected, references_lesson1["x0"],
               T("with tol=1.0 the rule holds at iteration 1 already: the test starts at i > 0, i.e. i = 1",
                 "tol=1.0 时规则在第 1 次迭代就成立：判断从 i > 0 即 i = 1 开始"))


@pytest.mark.exercise("1.4")
def test_1_4_no_stop_with_tol_zero(isolated, reference, exercise: Graded, vgg, references_lesson1):
    """lr = 0: the loss stays the same; with tol = 0 the strict rule |dL| < 0 never holds."""
    settings = dict(PROBE, iters=3, lr=0.0, tol=0.0, every=1)
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, settings)
    check_stop(exercise, run, expected, references_lesson1["x0"],
               T("lr=0 keeps the loss constant, and with tol=0 `|dL| < 0` is never true: use <, not <=",
                 "lr=0 让损失保持不变，tol=0 时 `|dL| < 0` 永远不成立：用 <，不是 <="))


@pytest.mark.exercise("1.4")
def test_1_4_no_stop_on_a_rising_loss(isolated, reference, exercise: Graded, vgg, references_lesson1):
    """lr = 20 grey levels overshoots: the loss rises at iteration 1; a stop rule without abs() would stop there."""
    rising = dict(PROBE, iters=4, lr=20.0, every=1)
    r1, _ = relative_changes(reference_run(reference.reconstruct, vgg, loop_inputs(vgg, references_lesson1,
                                                                                    "conv4_2"), rising,
                                           like=references_lesson1["x0"]).losses)
    settings = dict(rising, tol=float(0.5 * r1.min()))
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, settings)
    check_stop(exercise, run, expected, references_lesson1["x0"],
               T("every change is larger than tol, rises included: compare abs(L_(i-1) - L_i) with tol * L_(i-1)",
                 "每次变化都大于 tol，上升也算：用 abs(L_(i-1) - L_i) 和 tol * L_(i-1) 比较"))


@pytest.mark.exercise("1.4")
def test_1_4_follows_layer(isolated, reference, exercise: Graded, vgg, references_lesson1):
    settings = {"layer": "conv2_2", "iters": 3, "lr": 3.0, "tol": 0.0, "every": 1}
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, settings)
    check_run(exercise, run, expected, references_lesson1["x0"],
              fix=T("use the `layer` argument everywhere: forward, blobs[layer], backward",
                    "处处使用参数 `layer`：前向、blobs[layer]、反向"))


@pytest.mark.exercise("1.4")
def test_1_4_follows_a_deeper_layer(isolated, reference, exercise: Graded, vgg, references_lesson1):
    settings = {"layer": "conv5_1", "iters": 3, "lr": 3.0, "tol": 0.0, "every": 1}
    run, expected = learner_and_reference(isolated, reference, exercise, vgg, references_lesson1, settings)
    check_run(exercise, run, expected, references_lesson1["x0"],
              fix=T("use the `layer` argument everywhere: forward to relu_name(layer), blobs[layer], backward",
                    "处处使用参数 `layer`：前向到 relu_name(layer)、blobs[layer]、反向"))
