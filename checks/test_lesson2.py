"""Lesson 2 · Find style: the checks of exercises 2.1-2.6 (`pytest checks/ -k 2.3` runs one exercise).

Single-step inputs and outputs come from checks/references/lesson2.npz (tools/dev/references/lesson2.py made them
from solutions/ on the real normalised VGG19): The Scream and seeded white noise at 48x32 px, the features of
conv1_1 ... conv5_1. The painting's Gram matrices are computed here from its stored features with the reference
gram. The sweep (2.5) is also checked against finite differences, and the loop (2.6) against a live run of the
reference loop on the same net, inputs and settings.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from brushstrokes import course
from brushstrokes.base.i18n import Text, language
from brushstrokes.net.layers import STYLE_LAYERS, relu_name, set_input_shape
from checks.compare import (
    FLOAT32_TOL,
    LOSS_TOL,
    Mistake,
    describe,
    expect_array,
    expect_close,
    expect_scalar,
    fail,
    unchanged,
)
from checks.conftest import load_references
from checks.loops import (
    LoopRun,
    call_learner,
    check_image,
    check_losses,
    guard,
    owned,
    reference_run,
    run_loop,
    stop_mistake,
    weights_intact,
)
from checks.spy import SpyNet
from checks.target import Graded

LESSON = course.lesson("2")
SIZE = (32, 48)
DEFAULT_W = 1 / len(STYLE_LAYERS)
T = Text  # every learner-facing message in English and Chinese


def fresh(*arrays: np.ndarray) -> list[np.ndarray]:
    """Copies to hand to the learner: whatever their code does to them cannot reach the next call."""
    return [a.copy() for a in arrays]


def grad_error(x: Any, y: Any) -> float:
    """max |x - y| / max(|x|, |y|) over the whole array: gradients cross zero, where elementwise errors mislead."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y)) / max(1e-30, float(np.max(np.abs(x))), float(np.max(np.abs(y)))))


@pytest.fixture(scope="session")
def references_lesson2():
    return load_references("lesson2")


@pytest.fixture(scope="session")
def _normalised_net():
    from brushstrokes.net.vgg import load_vgg19

    net = load_vgg19(pooling="avg", shape=SIZE, normalised=True)
    guard(net)
    return net


@pytest.fixture
def vgg_n(_normalised_net):
    """The paper's normalised VGG19 (the lessons' default), loaded once; its weights restored after each check."""
    set_input_shape(_normalised_net, *SIZE)
    yield _normalised_net
    guard(_normalised_net).restore()


_targets: dict[str, np.ndarray] = {}


def targets(refs) -> dict[str, np.ndarray]:
    """The painting's Gram matrices A_l (N, N) float64, from its stored features with the reference gram."""
    if not _targets:
        for layer in STYLE_LAYERS:
            flat = refs[f"S_{layer}"].reshape(refs[f"S_{layer}"].shape[0], -1).astype(np.float64)
            _targets[layer] = flat @ flat.T
    return dict(_targets)


def feats(refs) -> dict[str, np.ndarray]:
    return {layer: refs[f"F_{layer}"] for layer in STYLE_LAYERS}


def shape_text(F: np.ndarray) -> str:
    return "x".join(map(str, F.shape))


# Exercise 2.1 ------------------------------------------------------------------------------------------------
TRANSPOSED = T("Gram of the transposed reshape", "对转置后的矩阵求 Gram")
TRANSPOSED_FIX = T("rows are filters: flat = F.reshape(N, h*w) and G = flat @ flat.T is (N, N); flat.T @ flat is "
                   "(M, M), the correlations between positions",
                   "行是滤波器：flat = F.reshape(N, h*w)，G = flat @ flat.T 是 (N, N)；flat.T @ flat 是 (M, M)，"
                   "是位置之间的相关")
MIXED = T("reshape(h*w, N) mixes filters and positions", "reshape(h*w, N) 把滤波器和位置混在了一起")
MIXED_FIX = T("F.reshape(N, -1) keeps each filter's responses in its own row; reshape(h*w, N) then .T does not",
              "F.reshape(N, -1) 让每个滤波器的响应各占一行；reshape(h*w, N) 再转置则不是")
DIVIDED_M = T("Gram divided by M", "Gram 除以了 M")
DIVIDED_NM = T("Gram divided by N*M", "Gram 除以了 N*M")
DIVIDED_FIX = T("the paper's G is the plain sum F F^T (some tutorials divide it; here the 1/(4 N^2 M^2) of "
                "exercise 2.2 does the scaling)",
                "论文的 G 就是 F F^T 这个和，不除任何数（有些教程会除；这里由练习 2.2 的 1/(4 N^2 M^2) 负责缩放）")
GRAM_DTYPE = T("(N, N) float64", "(N, N) float64")
GRAM_DTYPE_FIX = T("convert to float64 before multiplying: flat = F.reshape(N, -1).astype(np.float64)",
                   "相乘之前先转成 float64：flat = F.reshape(N, -1).astype(np.float64)")


def gram_mistakes(F: np.ndarray) -> list[Mistake]:
    N, M = F.shape[0], F[0].size
    flat = F.reshape(N, M).astype(np.float64)
    G = flat @ flat.T
    mixed = F.reshape(M, N).astype(np.float64)
    return [Mistake(DIVIDED_M, G / M, DIVIDED_FIX), Mistake(DIVIDED_NM, G / (N * M), DIVIDED_FIX),
            Mistake(MIXED, mixed.T @ mixed, MIXED_FIX)]


def check_gram(lesson: ModuleType, exercise: Graded, F: np.ndarray, expected: np.ndarray, call: str,
               strict_dtype: bool = False) -> np.ndarray:
    """gram(F) against `expected`; a float32 result passes unless strict_dtype (the real features need float64)."""
    (mine,) = fresh(F)
    got = lesson.gram(mine)
    unchanged(exercise, call, {"F": F}, {"F": mine})
    M = F[0].size
    if isinstance(got, np.ndarray) and got.shape == (M, M) and M != F.shape[0]:
        fail(exercise, call, describe(got), describe(expected), TRANSPOSED, TRANSPOSED_FIX)
    if isinstance(got, np.ndarray) and got.dtype == np.float32 and got.shape == expected.shape:
        expect_close(exercise, call, got, expected, FLOAT32_TOL, gram_mistakes(F))
        if strict_dtype:
            fail(exercise, call, describe(got), GRAM_DTYPE, T("wrong dtype", "dtype 不对"), GRAM_DTYPE_FIX)
        got = got.astype(np.float64)
    got = expect_array(exercise, call, got, expected)
    expect_close(exercise, call, got, expected, FLOAT32_TOL, gram_mistakes(F))
    return got


@pytest.mark.exercise("2.1")
def test_2_1_worked_example(lesson: ModuleType, exercise: Graded):
    F = np.array([[[1.0, 2.0, 0.0]], [[0.0, 1.0, 3.0]]], dtype=np.float32)  # N = 2 filters, 1 x 3 positions
    expected = np.array([[5.0, 2.0], [2.0, 10.0]])
    call = T("gram(F) with F (2, 1, 3) = [[[1, 2, 0]], [[0, 1, 3]]]: G = [[1+4+0, 0+2+0], [0+2+0, 0+1+9]] "
             "= [[5, 2], [2, 10]]",
             "gram(F)，F (2, 1, 3) = [[[1, 2, 0]], [[0, 1, 3]]]：G = [[1+4+0, 0+2+0], [0+2+0, 0+1+9]] "
             "= [[5, 2], [2, 10]]")(language())
    check_gram(lesson, exercise, F, expected, call)


@pytest.mark.exercise("2.1")
@pytest.mark.parametrize("layer", ("conv1_1", "conv2_1"))
def test_2_1_real_features(lesson: ModuleType, exercise: Graded, references_lesson2, layer: str):
    F, expected = references_lesson2[f"F_{layer}"], references_lesson2[f"gram_{layer}"]
    call = T("gram(F) with F the {layer} features ({shape}) of white noise",
             "gram(F)，F 是白噪声的 {layer} 特征 ({shape})")(language(), layer=layer, shape=shape_text(F))
    check_gram(lesson, exercise, F, expected, call, strict_dtype=True)


@pytest.mark.exercise("2.1")
def test_2_1_blind_to_where(lesson: ModuleType, exercise: Graded, references_lesson2):
    """The same permutation of the feature map's positions for every filter leaves G unchanged."""
    F = references_lesson2["F_conv2_1"]
    perm = np.random.default_rng(0).permutation(F[0].size)
    shuffled = F.reshape(F.shape[0], -1)[:, perm].reshape(F.shape)
    call = T("gram(F) and gram(F') with F' the conv2_1 features ({shape}) with their positions shuffled, the same "
             "shuffle for every filter",
             "gram(F) 和 gram(F')，F' 是位置被打乱的 conv2_1 特征 ({shape})，每个滤波器的打乱方式相同")(
        language(), shape=shape_text(F))
    expected = check_gram(lesson, exercise, F, references_lesson2["gram_conv2_1"], call)
    expect_close(exercise, call, lesson.gram(shuffled), expected, FLOAT32_TOL,
                 fix=T("G sums over positions, so their order must not matter: sum products over the last axis of "
                       "the (N, h*w) matrix",
                       "G 对位置求和，位置的顺序不应有影响：在 (N, h*w) 矩阵的最后一个轴上对乘积求和"))


# Exercise 2.2 ------------------------------------------------------------------------------------------------
def loss_mistakes(F: np.ndarray, A: np.ndarray) -> list[Mistake]:
    N, M = F.shape[0], F[0].size
    flat = F.reshape(N, M).astype(np.float64)
    s = float(np.sum((flat @ flat.T - A) ** 2))
    scale = T("E = 1/(4 N^2 M^2) * sum (G - A)^2 with N = {N} filters and M = h*w = {M} positions",
              "E = 1/(4 N^2 M^2) * sum (G - A)^2，N = {N} 个滤波器，M = h*w = {M} 个位置")(language(), N=N, M=M)
    return [
        Mistake(T("normalised by N*M instead of 4 N^2 M^2", "用 N*M 归一化，而不是 4 N^2 M^2"), s / (N * M), scale),
        Mistake(T("normalised by 4 N M instead of 4 N^2 M^2", "用 4 N M 归一化，而不是 4 N^2 M^2"), s / (4 * N * M),
                scale),
        Mistake(T("missing the 4", "少了 4"), s / (N**2 * M**2), scale),
        Mistake(T("1/2 instead of 1/4", "用了 1/2 而不是 1/4"), s / (2 * N**2 * M**2), scale),
        Mistake(T("mean instead of sum, or M counted as N*h*w", "用了平均而不是求和，或把 M 当成了 N*h*w"),
                s / (4 * N**4 * M**2), T("both give 1/(4 N^4 M^2): sum with np.sum, and M = h*w (F[0].size), "
                                         "not F.size", "两者都会得到 1/(4 N^4 M^2)：用 np.sum 求和，"
                                         "M = h*w（F[0].size），不是 F.size")),
        Mistake(T("the norm, not the squared error", "用了范数而不是误差的平方"), np.sqrt(s) / (4 * N**2 * M**2),
                T("square each difference and sum: np.sum((G - A) ** 2)", "每个差先平方再求和：np.sum((G - A) ** 2)")),
        Mistake(T("no normalisation", "没有归一化"), s, scale),
    ]


@pytest.mark.exercise("2.2")
def test_2_2_worked_example(isolated: ModuleType, exercise: Graded):
    F = np.array([[[1.0, 2.0, 0.0]], [[0.0, 1.0, 3.0]]], dtype=np.float32)  # G = [[5, 2], [2, 10]]
    A = np.array([[4.0, 2.0], [2.0, 8.0]])
    expected = (1 + 4) / (4 * 2**2 * 3**2)
    call = T("style_layer_loss(F, A) with F (2, 1, 3) = [[[1, 2, 0]], [[0, 1, 3]]] (G = [[5, 2], [2, 10]]) and "
             "A = [[4, 2], [2, 8]]: (1^2 + 2^2) / (4 * 2^2 * 3^2) = 5/144",
             "style_layer_loss(F, A)，F (2, 1, 3) = [[[1, 2, 0]], [[0, 1, 3]]]（G = [[5, 2], [2, 10]]），"
             "A = [[4, 2], [2, 8]]：(1^2 + 2^2) / (4 * 2^2 * 3^2) = 5/144")(language())
    mine = fresh(F, A)
    got = expect_scalar(exercise, call, isolated.style_layer_loss(*mine))
    unchanged(exercise, call, {"F": F, "A": A}, dict(zip(("F", "A"), mine, strict=True)))
    expect_close(exercise, call, got, expected, LOSS_TOL, loss_mistakes(F, A))


@pytest.mark.exercise("2.2")
@pytest.mark.parametrize("layer", STYLE_LAYERS)
def test_2_2_real_features(isolated: ModuleType, exercise: Graded, references_lesson2, layer: str):
    F, A = references_lesson2[f"F_{layer}"], targets(references_lesson2)[layer]
    call = T("style_layer_loss(F, A) with F the {layer} features ({shape}) of white noise and A the Gram matrix of "
             "The Scream's, both at {w}x{h} px",
             "style_layer_loss(F, A)，F 是白噪声的 {layer} 特征 ({shape})，A 是《呐喊》的 Gram 矩阵，"
             "两者都是 {w}x{h} 像素")(language(), layer=layer, shape=shape_text(F), w=SIZE[1], h=SIZE[0])
    mine = fresh(F, A)
    got = expect_scalar(exercise, call, isolated.style_layer_loss(*mine))
    unchanged(exercise, call, {"F": F, "A": A}, dict(zip(("F", "A"), mine, strict=True)))
    expect_close(exercise, call, got, float(references_lesson2[f"E_{layer}"]), LOSS_TOL, loss_mistakes(F, A))


# Exercise 2.3 ------------------------------------------------------------------------------------------------
MASK = T("forgetting the ReLU mask", "忘了 ReLU 掩码")
MASK_FIX = T("net.backward(start=layer) starts at the convolution and skips the in-place ReLU: multiply by "
             "(F > 0) yourself",
             "net.backward(start=layer) 从卷积开始，跳过了原地 ReLU：自己乘上 (F > 0)")
SCALE_FIX = T("dE/dF = 1/(N^2 M^2) * (F^T (G - A))^T: the 4 of the loss cancels the two 2s of the derivative",
              "dE/dF = 1/(N^2 M^2) * (F^T (G - A))^T：损失里的 4 抵消了求导得到的两个 2")


M_SIZE = T("M counted as N*h*w", "把 M 当成了 N*h*w")
M_SIZE_FIX = T("M is the number of positions of the feature map, h*w = F[0].size, not F.size = N*h*w: it is what "
               "makes E_l comparable between image sizes",
               "M 是特征图的位置数 h*w = F[0].size，不是 F.size = N*h*w：正是它让 E_l 在不同图像尺寸之间可比")


UNTURNED = T("missing the final transpose", "少了最后的转置")
UNTURNED_FIX = T("(flat.T @ (G - A)) is (M, N): transpose it back to (N, M), then reshape to F.shape",
                 "(flat.T @ (G - A)) 是 (M, N)：先转置回 (N, M)，再 reshape 成 F.shape")


def grad_mistakes(F: np.ndarray, A: np.ndarray, correct: np.ndarray) -> list[Mistake]:
    N, M = F.shape[0], F[0].size
    flat = F.reshape(N, M).astype(np.float64)
    raw = ((flat @ flat.T - A) @ flat / (N**2 * M**2)).reshape(F.shape)
    unturned = ((flat.T @ (flat @ flat.T - A)).reshape(F.shape) * (F > 0) / (N**2 * M**2))
    return [
        Mistake(MASK, raw, MASK_FIX),
        Mistake(UNTURNED, unturned, UNTURNED_FIX),
        Mistake(T("wrong sign", "符号反了"), -correct, T("G - A, not A - G: the step subtracts the gradient later",
                                                         "是 G - A，而不是 A - G：之后的步会减去梯度")),
        Mistake(T("kept the 1/4 of the loss", "保留了损失里的 1/4"), correct / 4, SCALE_FIX),
        Mistake(T("a factor of 2", "多了因子 2"), 2 * correct, SCALE_FIX),
        Mistake(T("a factor of 1/2", "少了因子 2"), correct / 2, SCALE_FIX),
        Mistake(T("a factor of 4", "多了因子 4"), 4 * correct, SCALE_FIX),
        Mistake(T("normalised by N*M instead of N^2 M^2", "用 N*M 归一化，而不是 N^2 M^2"), correct * (N * M),
                SCALE_FIX),
        Mistake(M_SIZE, correct / N**2, M_SIZE_FIX),
    ]


@pytest.mark.exercise("2.3")
@pytest.mark.parametrize("layer", STYLE_LAYERS)
def test_2_3_real_features(isolated: ModuleType, exercise: Graded, references_lesson2, layer: str):
    F, A, expected = references_lesson2[f"F_{layer}"], targets(references_lesson2)[layer], \
        references_lesson2[f"grad_{layer}"]
    call = T("style_layer_grad(F, A) with F the {layer} features ({shape}) of white noise ({zeros} zeros: the ReLU "
             "is off there) and A The Scream's Gram matrix",
             "style_layer_grad(F, A)，F 是白噪声的 {layer} 特征 ({shape})（{zeros} 个零：ReLU 在那里关闭），"
             "A 是《呐喊》的 Gram 矩阵")(language(), layer=layer, shape=shape_text(F), zeros=int(np.sum(F == 0)))
    mine = fresh(F, A)
    got = isolated.style_layer_grad(*mine)
    unchanged(exercise, call, {"F": F, "A": A}, dict(zip(("F", "A"), mine, strict=True)))
    M = F[0].size
    if isinstance(got, np.ndarray) and got.shape == (M, F.shape[0]) and M != F.shape[0]:
        fail(exercise, call, describe(got), describe(expected), UNTURNED, UNTURNED_FIX)
    got = expect_array(exercise, call, got, expected)
    expect_close(exercise, call, got, expected, FLOAT32_TOL, grad_mistakes(F, A, expected), measure=grad_error)


def small_pre_activations(seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Z (3, 2, 3): a convolution's output, every entry at least 0.3 away from the ReLU's kink; A a Gram matrix."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((3, 2, 3))
    Z = np.sign(z) * (0.3 + np.abs(z))
    S = np.abs(rng.standard_normal((3, 6))) + 0.2
    return Z, S @ S.T


@pytest.mark.exercise("2.3")
def test_2_3_finite_differences(isolated: ModuleType, reference: ModuleType, exercise: Graded):
    """dE/dZ by central differences in float64 of the reference style_layer_loss, E(Z) = E(max(0, Z), A)."""
    Z, A = small_pre_activations()
    h = 1e-4
    F32 = np.maximum(Z, 0).astype(np.float32)
    got = expect_array(exercise, "style_layer_grad(max(0, Z), A)", isolated.style_layer_grad(F32.copy(), A.copy()),
                       F32)
    numeric = np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        plus, minus = Z.copy(), Z.copy()
        plus[idx] += h
        minus[idx] -= h
        numeric[idx] = (reference.style_layer_loss(np.maximum(plus, 0), A) -
                        reference.style_layer_loss(np.maximum(minus, 0), A)) / (2 * h)
    call = T("style_layer_grad(F, A) with F = max(0, Z) for a small Z (3, 2, 3) (entries on both sides of 0) and A "
             "(3, 3), against central differences (E(Z + h) - E(Z - h)) / 2h in float64, h = 1e-4",
             "style_layer_grad(F, A)，F = max(0, Z)，Z 是一个小数组 (3, 2, 3)（元素在 0 的两侧），A 是 (3, 3)，"
             "与 float64 的中心差分 (E(Z + h) - E(Z - h)) / 2h 比较，h = 1e-4")(language())
    expect_close(exercise, call, got, numeric, FLOAT32_TOL,
                 grad_mistakes(np.maximum(Z, 0), A, numeric), measure=grad_error)


# Exercise 2.4 ------------------------------------------------------------------------------------------------
WEIGHTS_IGNORED = T("weights ignored", "忽略了 weights")
WEIGHTS_FIX = T("loop over weights.items(): L = sum of w * E_l; use the default 1/5 only when weights is None",
                "遍历 weights.items()：L = sum w * E_l；只有 weights 为 None 时才用默认的 1/5")
GRAD_UNWEIGHTED = T("gradients not weighted", "梯度没有乘权重")
GRAD_UNWEIGHTED_FIX = T("each layer's gradient is w_l * dE_l/dZ_l, like its loss",
                        "每层的梯度是 w_l * dE_l/dZ_l，和它的损失一样")
WRONG_LAYER = T("the painting's Gram matrix from the wrong layer", "用了错误层的画作 Gram 矩阵")
WRONG_LAYER_FIX = T("pair each layer's features with the painting's Gram matrix *of the same layer*: "
                    "features[layer] with targets[layer]",
                    "每层的特征要和*同一层*的画作 Gram 矩阵配对：features[layer] 配 targets[layer]")


GRADIENTS_FOR = T("gradients for {layers}", "{layers} 的梯度")


def call_style_loss(exercise: Graded, fn, F: dict, A: dict, weights: dict | None, call: str) -> tuple[float, dict]:
    mine_F, mine_A = {k: v.copy() for k, v in F.items()}, {k: v.copy() for k, v in A.items()}
    result = fn(mine_F, mine_A, None if weights is None else dict(weights))
    for name, before, after in (("features", F, mine_F), ("targets", A, mine_A)):
        unchanged(exercise, call, {f"{name}[{k!r}]": v for k, v in before.items()},
                  {f"{name}[{k!r}]": after[k] for k in before})
    if not isinstance(result, tuple) or len(result) != 2 or not isinstance(result[1], dict):
        fail(exercise, call, describe(result), T("(loss, {{layer: gradient}})", "(损失, {{层: 梯度}})"),
             T("wrong return value", "返回值不对"), T("return loss, grads", "return loss, grads"))
    return result


def swapped(A: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """conv4_1 and conv5_1 both have 512 filters: their Gram matrices can be mixed up without an error."""
    return {**A, "conv4_1": A["conv5_1"], "conv5_1": A["conv4_1"]}


@pytest.mark.exercise("2.4")
def test_2_4_default_weights(isolated: ModuleType, reference: ModuleType, exercise: Graded, references_lesson2):
    F, A = feats(references_lesson2), targets(references_lesson2)
    call = T("style_loss(features, targets, None) with the conv1_1 ... conv5_1 features of white noise and The "
             "Scream's Gram matrices: the paper's weights, 1/5 on each layer",
             "style_loss(features, targets, None)，用白噪声的 conv1_1 ... conv5_1 特征和《呐喊》的 Gram 矩阵："
             "论文的权重，每层 1/5")(language())
    loss, grads = call_style_loss(exercise, isolated.style_loss, F, A, None, call)
    total = sum(float(references_lesson2[f"E_{layer}"]) for layer in STYLE_LAYERS)
    expect_close(exercise, call + " -> loss", expect_scalar(exercise, call + " -> loss", loss),
                 float(references_lesson2["loss"]), LOSS_TOL, [
                     Mistake(WEIGHTS_IGNORED, total, T("when weights is None, each layer weighs 1/5",
                                                      "weights 为 None 时，每层权重为 1/5")),
                     Mistake(WRONG_LAYER, reference.style_loss(F, swapped(A))[0], WRONG_LAYER_FIX)])
    if sorted(grads) != sorted(STYLE_LAYERS):
        fail(exercise, call + " -> grads", GRADIENTS_FOR(language(), layers=sorted(grads)),
             GRADIENTS_FOR(language(), layers=list(STYLE_LAYERS)),
             T("missing layers", "缺少层"), WEIGHTS_FIX)
    for layer in STYLE_LAYERS:
        expected = (DEFAULT_W * references_lesson2[f"grad_{layer}"]).astype(np.float32)
        got = expect_array(exercise, f"{call} -> grads[{layer!r}]", grads[layer], expected)
        expect_close(exercise, f"{call} -> grads[{layer!r}]", got, expected, FLOAT32_TOL,
                     [Mistake(GRAD_UNWEIGHTED, references_lesson2[f"grad_{layer}"], GRAD_UNWEIGHTED_FIX)],
                     measure=grad_error)


@pytest.mark.exercise("2.4")
def test_2_4_given_weights(isolated: ModuleType, exercise: Graded, references_lesson2):
    F, A = feats(references_lesson2), targets(references_lesson2)
    weights = dict(zip((str(s) for s in references_lesson2["weights_layers"]),
                       (float(v) for v in references_lesson2["weights_values"]), strict=True))
    call = T("style_loss(features, targets, weights={weights}) (only these layers count)",
             "style_loss(features, targets, weights={weights})（只有这些层计入）")(language(), weights=weights)
    loss, grads = call_style_loss(exercise, isolated.style_loss, F, A, weights, call)
    ignored = Mistake(WEIGHTS_IGNORED, float(references_lesson2["loss"]), WEIGHTS_FIX)
    unweighted = Mistake(WEIGHTS_IGNORED, sum(float(references_lesson2[f"E_{k}"]) for k in weights), WEIGHTS_FIX)
    expect_close(exercise, call + " -> loss", expect_scalar(exercise, call + " -> loss", loss),
                 float(references_lesson2["weighted_loss"]), LOSS_TOL, [ignored, unweighted])
    if sorted(grads) != sorted(weights):
        fail(exercise, call + " -> grads", GRADIENTS_FOR(language(), layers=sorted(grads)),
             GRADIENTS_FOR(language(), layers=sorted(weights)),
             WEIGHTS_IGNORED, WEIGHTS_FIX)
    for layer, w in weights.items():
        expected = (w * references_lesson2[f"grad_{layer}"]).astype(np.float32)
        got = expect_array(exercise, f"{call} -> grads[{layer!r}]", grads[layer], expected)
        expect_close(exercise, f"{call} -> grads[{layer!r}]", got, expected, FLOAT32_TOL,
                     [Mistake(GRAD_UNWEIGHTED, references_lesson2[f"grad_{layer}"], GRAD_UNWEIGHTED_FIX)],
                     measure=grad_error)


# Exercise 2.5 ------------------------------------------------------------------------------------------------
SHALLOW_FIRST = T("shallow-first order", "从浅到深的顺序")
SHALLOW_FIRST_FIX = T("go deepest first: each backward writes the diffs below it, so start at the deepest layer, "
                      "sorted(grads, key=list(net.blobs).index, reverse=True)",
                      "从最深的层开始：每次反向传播都会写它下方的 diff，所以先从最深层开始，"
                      "sorted(grads, key=list(net.blobs).index, reverse=True)")
OVERWRITTEN = T("a diff the next segment overwrites", "diff 被下一段覆盖了")
OVERWRITTEN_FIX = T("a gradient written into a shallow blob before a backward from deeper is overwritten by it: "
                    "run backward from the deeper layer down to relu_name(layer) first, then add the layer's gradient",
                    "在从更深层反向传播之前写进浅层 blob 的梯度会被覆盖：先从更深层反向传播到 relu_name(layer)，"
                    "再加上该层的梯度")
DICT_ORDER = T("layers taken in the dict's order", "按字典里的顺序处理各层")
DICT_ORDER_FIX = T("a dict keeps the order its keys were added in (here {keys}), not the net's: sort by depth, "
                   "deepest first, sorted(grads, key=list(net.blobs).index, reverse=True)",
                   "字典保留的是键加入的顺序（这里是 {keys}），不是网络的顺序：按深度排序，从最深的开始，"
                   "sorted(grads, key=list(net.blobs).index, reverse=True)")
NOT_ADDED = T("not adding to the existing diff", "没有加到已有的 diff 上")
NOT_ADDED_FIX = T("after the backward from deeper, the blob's diff holds what came from the deeper layers: add to it, "
                  "net.blobs[layer].diff[0] += grads[layer], instead of replacing it",
                  "从更深层反向传播之后，blob 的 diff 里已经有来自更深层的梯度：要加上去，"
                  "net.blobs[layer].diff[0] += grads[layer]，而不是替换它")
SEVERAL_PASSES = T("several backward passes instead of one sweep", "多次反向传播而不是一次")
SEVERAL_PASSES_FIX = T("the result is right, but this ran {count} backward calls for {n} layers over the same layers "
                       "again and again: one call per injected layer, each from the previous one down to the next",
                       "结果是对的，但 {n} 个层用了 {count} 次 backward 调用，反复经过同样的层："
                       "每个注入层一次调用，从上一层一直到下一层")
NO_COPY = T("returns the blob itself", "直接返回了 blob 本身")
NO_COPY_FIX = T("net.blobs['data'].diff is Caffe's memory and changes at the next backward: return "
                "net.blobs['data'].diff.copy()",
                "net.blobs['data'].diff 是 Caffe 的内存，下一次反向传播就会改变：返回 net.blobs['data'].diff.copy()")
NO_BACKWARD = T("no backward pass", "没有反向传播")
NO_BACKWARD_FIX = T("write each gradient into its blob's diff and run net.backward(start=..., end=...) deepest first",
                    "把每个梯度写进它的 blob 的 diff，然后从最深层开始运行 net.backward(start=..., end=...)")
RIGHT_BUT = T("the right gradient, with {count} backward calls", "梯度正确，但调用了 {count} 次 backward")
ONE_PER_LAYER = T("one backward call per injected layer ({n})", "每个注入层一次 backward 调用（{n} 次）")
SWEEP_FIX = T("deepest first: set its diff, backward(start=deeper, end=relu_name(layer)), diff += the layer's "
              "gradient, ... and backward(start=shallowest) to the input",
              "从最深层开始：设置它的 diff，backward(start=更深层, end=relu_name(layer))，diff += 该层的梯度，……"
              "最后 backward(start=最浅层) 一直到输入")


def depth(net, layer: str) -> int:
    return list(net.blobs).index(layer)


def backward_starts(spy: SpyNet) -> list[str | None]:
    return [kwargs.get("start") for kind, kwargs in spy.calls if kind == "backward"]


def sweep_diagnosis(spy: SpyNet, net, layers: list[str], given: list[str]) -> tuple[Text | str, Text | str] | None:
    """The likely mistake in how the sweep drove pycaffe, from the ordered call log; None if nothing looks wrong.

    layers: the gradients' layers, shallowest first; given: the same layers in the order of the dict handed over.
    """
    starts = backward_starts(spy)
    if not starts:
        return NO_BACKWARD, NO_BACKWARD_FIX
    known = [s for s in starts if s in layers]
    if len(known) > 1 and given not in (layers, layers[::-1]) and \
            known in (given[: len(known)], given[::-1][: len(known)]):
        return DICT_ORDER, DICT_ORDER_FIX(language(), keys=", ".join(given))
    if len(known) > 1 and depth(net, known[0]) < depth(net, known[1]):
        return SHALLOW_FIRST, SHALLOW_FIRST_FIX
    deepest = max(layers, key=lambda name: depth(net, name))
    first_backward = next(i for i, (kind, _) in enumerate(spy.calls) if kind == "backward")
    early = {kwargs["blob"] for kind, kwargs in spy.calls[:first_backward] if kind == "diff_read"}
    if len(layers) > 1 and early - {deepest, "data"}:
        return OVERWRITTEN, OVERWRITTEN_FIX
    return None


def only(reference: ModuleType, net, x: np.ndarray, grads: dict[str, np.ndarray], keep: str) -> np.ndarray:
    """The image gradient of the one layer `keep`: what a sweep returns when the other layers' gradients are lost."""
    net.blobs["data"].data[...] = x
    net.forward(end=relu_name(max(grads, key=lambda name: depth(net, name))))
    return reference.backward_sweep(net, {keep: grads[keep]})


def check_sweep(lesson: ModuleType, reference: ModuleType, exercise: Graded, net, x: np.ndarray,
                grads: dict[str, np.ndarray], expected: np.ndarray | None, call: str) -> np.ndarray:
    """Run the learner's backward_sweep on a spy after a forward of x; compare, naming the likely mistake."""
    layers = sorted(grads, key=lambda name: depth(net, name))
    net.blobs["data"].data[...] = x
    net.forward(end=relu_name(layers[-1]))
    if expected is None:
        expected = reference.backward_sweep(net, {k: v.copy() for k, v in grads.items()})
        net.forward(end=relu_name(layers[-1]))
    spy = SpyNet(net)
    mine = {k: v.copy() for k, v in grads.items()}
    path = Path(lesson.backward_sweep.__code__.co_filename).resolve() \
        if hasattr(lesson.backward_sweep, "__code__") else Path("?")
    got = call_learner(exercise, call, lesson.backward_sweep, path, spy, mine)
    weights_intact(exercise, call, net)
    unchanged(exercise, call, {f"grads[{k!r}]": v for k, v in grads.items()}, {f"grads[{k!r}]": mine[k] for k in grads})
    if isinstance(got, np.ndarray) and np.shares_memory(got, net.blobs["data"].diff):
        fail(exercise, call, describe(got), T("a copy of net.blobs['data'].diff", "net.blobs['data'].diff 的副本"),
             NO_COPY, NO_COPY_FIX)
    got = expect_array(exercise, call, got, expected)
    owned(exercise, call, net, got, "result")
    if grad_error(got, expected) > FLOAT32_TOL:
        seen = sweep_diagnosis(spy, net, layers, list(grads))
        if seen is not None:
            fail(exercise, call, describe(got), describe(expected), *seen)
    variants = []
    if len(layers) > 1 and grad_error(got, expected) > FLOAT32_TOL:  # only a wrong result pays for these
        variants = [Mistake(OVERWRITTEN, only(reference, net, x, grads, layers[-1]), OVERWRITTEN_FIX),
                    Mistake(NOT_ADDED, only(reference, net, x, grads, layers[0]), NOT_ADDED_FIX)]
    expect_close(exercise, call, got, expected, FLOAT32_TOL, variants, fix=SWEEP_FIX, measure=grad_error)
    count = len(backward_starts(spy))
    to_input = sum(1 for kind, kwargs in spy.calls if kind == "backward" and kwargs.get("end") is None)
    if count > len(layers) or to_input > 1:
        lang = language()
        fail(exercise, call, RIGHT_BUT(lang, count=count), ONE_PER_LAYER(lang, n=len(layers)), SEVERAL_PASSES,
             SEVERAL_PASSES_FIX(lang, count=count, n=len(layers)))
    return got


def style_grads(refs, weights: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    weights = weights or dict.fromkeys(STYLE_LAYERS, DEFAULT_W)
    return {layer: (w * refs[f"grad_{layer}"]).astype(np.float32) for layer, w in weights.items()}


@pytest.mark.exercise("2.5")
def test_2_5_five_style_layers(lesson: ModuleType, reference: ModuleType, exercise: Graded, vgg_n,
                               references_lesson2):
    call = T("backward_sweep(net, grads) after net.forward(end='relu5_1') of white noise (1, 3, 32, 48), with grads "
             "the style gradients of conv1_1 ... conv5_1 (weights 1/5)",
             "对白噪声 (1, 3, 32, 48) 运行 net.forward(end='relu5_1') 之后调用 backward_sweep(net, grads)，"
             "grads 是 conv1_1 ... conv5_1 的风格梯度（权重 1/5）")(language())
    check_sweep(lesson, reference, exercise, vgg_n, references_lesson2["x0"], style_grads(references_lesson2),
                references_lesson2["data_grad"], call)


@pytest.mark.exercise("2.5")
def test_2_5_any_set_of_layers(lesson: ModuleType, reference: ModuleType, exercise: Graded, vgg_n,
                               references_lesson2):
    """Lesson 3 adds conv4_2's content gradient: the sweep must take any conv layers, in any dict order."""
    rng = np.random.default_rng(5)
    net, x = vgg_n, references_lesson2["x0"]
    net.blobs["data"].data[...] = x
    net.forward(end="relu5_1")
    grads = {}
    for layer in ("conv2_1", "conv4_2", "conv5_1", "conv1_1"):  # not in depth order
        F = net.blobs[layer].data[0]
        grads[layer] = (rng.standard_normal(F.shape) * (F > 0) * float(F.mean())).astype(np.float32)
    call = T("backward_sweep(net, grads) with grads on conv2_1, conv4_2, conv5_1, conv1_1 (given in this order; "
             "conv4_2 is lesson 3's content layer)",
             "backward_sweep(net, grads)，grads 在 conv2_1、conv4_2、conv5_1、conv1_1 上（按这个顺序给出；"
             "conv4_2 是第 3 课的内容层）")(language())
    check_sweep(lesson, reference, exercise, net, x, grads, None, call)
    one = {"conv3_1": grads.get("conv3_1", (rng.standard_normal(net.blobs["conv3_1"].data[0].shape) *
                                            (net.blobs["conv3_1"].data[0] > 0)).astype(np.float32))}
    check_sweep(lesson, reference, exercise, net, x, one, None, "backward_sweep(net, grads) with grads on conv3_1 only")


@pytest.mark.exercise("2.5")
def test_2_5_finite_differences(lesson: ModuleType, reference: ModuleType, exercise: Graded, vgg_n,
                                references_lesson2):
    """The whole image gradient g: d/dt L(x + t d) by central differences against <g, d>, d along g itself and g on
    one half of the image (random directions are nearly orthogonal to g: float32 noise would swamp them)."""
    net, x, A = vgg_n, references_lesson2["x0"], targets(references_lesson2)

    def loss(image: np.ndarray) -> float:
        net.blobs["data"].data[...] = image
        net.forward(end="relu5_1")
        return reference.style_loss({k: net.blobs[k].data[0] for k in STYLE_LAYERS}, A)[0]

    loss(x)
    _, grads = reference.style_loss({k: net.blobs[k].data[0].copy() for k in STYLE_LAYERS}, A)
    h = 0.05
    call = T("backward_sweep(net, grads) with the reference style gradients of white noise (1, 3, 32, 48): <g, d> "
             "against central differences (L(x + h d) - L(x - h d)) / 2h, h = {h}, for d = g, g on the top half, g "
             "on the left half (g scaled to a mean of 1 grey level)",
             "backward_sweep(net, grads)，grads 是白噪声 (1, 3, 32, 48) 的参考风格梯度：<g, d> 与中心差分 "
             "(L(x + h d) - L(x - h d)) / 2h 比较，h = {h}，d 取 g、上半部分的 g、左半部分的 g"
             "（g 缩放到平均 1 个灰度级）")(language(), h=h)
    got = check_sweep(lesson, reference, exercise, net, x, grads, None, call).astype(np.float64)
    H, W = x.shape[2:]
    top, left = np.zeros(x.shape), np.zeros(x.shape)
    top[..., : H // 2, :], left[..., : W // 2] = 1, 1
    numeric, analytic = [], []
    for mask in (np.ones(x.shape), top, left):
        d = (got / max(float(np.mean(np.abs(got))), 1e-30) * mask).astype(np.float32)
        numeric.append((loss(x + h * d) - loss(x - h * d)) / (2 * h))
        analytic.append(float(np.sum(got * d)))
    expect_close(exercise, call, analytic, numeric, 1e-2, fix=SWEEP_FIX)


# Exercise 2.6 ------------------------------------------------------------------------------------------------
FORWARD_SHORT = T("forward stops before the deepest layer's ReLU", "前向传播没有到最深层的 ReLU")
FORWARD_SHORT_FIX = T("one forward pass to the deepest layer's ReLU fills every style layer's blob: "
                      "net.forward(end=relu_name(deepest)) ('{relu}')",
                      "一次前向传播到最深层的 ReLU 就能填满每个风格层的 blob："
                      "net.forward(end=relu_name(最深层))（'{relu}'）")
LAST_KEY = T("the dict's last layer taken as the deepest", "把字典的最后一层当成了最深层")
LAST_KEY_FIX = T("weights keeps the caller's order (here {keys}), not the net's: the deepest is {deepest}, "
                 "max(layers, key=list(net.blobs).index); forward to its ReLU, '{relu}'",
                 "weights 保留的是调用者给的顺序（这里是 {keys}），不是网络的顺序：最深的是 {deepest}，"
                 "max(layers, key=list(net.blobs).index)；前向到它的 ReLU，'{relu}'")
NO_SWEEP = T("backward_sweep not used", "没有用 backward_sweep")
NO_SWEEP_FIX = T("the image's gradient is grad = backward_sweep(net, grads), with grads from style_loss",
                 "图像的梯度是 grad = backward_sweep(net, grads)，grads 来自 style_loss")
LAYERS_FIX = T("layers are the keys of weights (STYLE_LAYERS when weights is None): pass weights to style_loss",
               "层就是 weights 的键（weights 为 None 时是 STYLE_LAYERS）：把 weights 传给 style_loss")


def loop_diagnosis(run: LoopRun, layers: tuple[str, ...], given: tuple[str, ...]) -> tuple[Text | str, Text] | None:
    """The likely mistake in how the loop drove pycaffe. layers: the style layers, shallowest first; given: the
    same layers in the order the weights dict lists them."""
    spy = run.spy
    relu = relu_name(layers[-1])
    ends = [kwargs.get("end") for kind, kwargs in spy.calls if kind == "forward"]
    if not ends:
        return (T("no forward pass", "没有前向传播"),
                T("run net.forward(end=relu_name(deepest layer)) in every iteration",
                  "每次迭代都运行 net.forward(end=relu_name(最深层))"))
    if given[-1] != layers[-1] and relu_name(given[-1]) in ends and relu not in ends:
        return LAST_KEY, LAST_KEY_FIX(language(), keys=", ".join(given), deepest=layers[-1], relu=relu)
    if relu not in ends and None not in ends:
        return FORWARD_SHORT, FORWARD_SHORT_FIX(language(), relu=relu)
    if not any(kind == "backward" for kind, _ in spy.calls):
        return NO_SWEEP, NO_SWEEP_FIX
    return None


SNAPSHOTS_AT = T("snapshots at iterations {keys}", "在第 {keys} 次迭代的快照")


def loop_call(settings: dict[str, Any]) -> str:
    shown = ", ".join(f"{k}={v!r}" for k, v in settings.items())
    return T("synthesize(net, targets, x0, {shown}) on the normalised VGG19, with targets The Scream's Gram "
             "matrices and x0 white noise (1, 3, 32, 48)",
             "在归一化的 VGG19 上调用 synthesize(net, targets, x0, {shown})，targets 是《呐喊》的 Gram 矩阵，"
             "x0 是白噪声 (1, 3, 32, 48)")(language(), shown=shown)


def reference_loop(reference: ModuleType, net, refs, settings: dict[str, Any]):
    """The reference synthesize on the same net, inputs and settings (once per run)."""
    return reference_run(reference.synthesize, net, {"targets": targets(refs), "x0": refs["x0"]}, settings,
                         like=refs["x0"])


def learner_loop(isolated: ModuleType, exercise: Graded, net, refs, settings: dict[str, Any]) -> LoopRun:
    """The learner's synthesize on a spy of the net, with fresh copies of the inputs (verified unchanged)."""
    return run_loop(exercise, isolated.synthesize, net, {"targets": targets(refs), "x0": refs["x0"]}, settings,
                    loop_call(settings), like=refs["x0"])


def check_loop(isolated, reference, exercise, net, refs, settings: dict[str, Any],
               stop_rule: Text | None = None) -> tuple[LoopRun, Any]:
    """The learner's loop against the reference's: the number of iterations (with stop_rule), losses, final image."""
    weights = settings.get("weights")
    given = tuple(weights or STYLE_LAYERS)
    layers = tuple(sorted(given, key=lambda name: depth(net, name)))
    run = learner_loop(isolated, exercise, net, refs, settings)
    expected = reference_loop(reference, net, refs, settings)

    def diagnose(r: LoopRun):
        return loop_diagnosis(r, layers, given)

    if stop_rule is not None and len(run.losses) != len(expected.losses):
        found = diagnose(run) or stop_mistake(run, expected.losses) or \
            (T("stops at the wrong iteration", "停在了错误的迭代"), stop_rule)
        fail(exercise, run.call, T("{n} losses", "{n} 个损失")(language(), n=len(run.losses)),
             T("{n} losses: the relative change first falls below tol at iteration {i}",
               "{n} 个损失：相对变化在第 {i} 次迭代首次低于 tol")(language(), n=len(expected.losses),
                                                                  i=len(expected.losses) - 1), *found)
    check_losses(exercise, run, expected.losses, diagnose,
                 fix=LAYERS_FIX if weights else T("follow the seven numbered steps of the docstring, in order",
                                                  "按文档字符串中编号的七步依次来做"))
    check_image(exercise, run, ".x", run.x, expected.x, expected.losses,
                Mistake(T("returned x0", "返回了 x0"), refs["x0"],
                        T("return the image you optimised, not the start", "返回优化后的图像，而不是起点")),
                diagnose=diagnose)
    return run, expected


LOOP = {"iters": 7, "lr": 8.0, "tol": 0.0, "every": 2}  # not the defaults: a loop that ignores them is caught
STOP_RULE = T("at iteration i > 0, after logging L_i, break (before the step) when |L_(i-1) - L_i| < tol * L_(i-1)",
              "在第 i > 0 次迭代记录 L_i 之后，当 |L_(i-1) - L_i| < tol * L_(i-1) 时（在走这一步之前）break")


@pytest.mark.exercise("2.6")
def test_2_6_matches_reference_run(isolated, reference, exercise: Graded, vgg_n, references_lesson2):
    settings = dict(LOOP)
    run, expected = check_loop(isolated, reference, exercise, vgg_n, references_lesson2, settings)
    if sorted(run.snapshots) != sorted(expected.snapshots):
        fail(exercise, run.call + " -> .snapshots", SNAPSHOTS_AT(language(), keys=sorted(run.snapshots)),
             SNAPSHOTS_AT(language(), keys=sorted(expected.snapshots)),
             T("wrong snapshot iterations", "快照的迭代次数不对"),
             T("keep snapshots[i] = x.copy() when i % every == 0, before the step",
               "当 i % every == 0 时，在走这一步之前保存 snapshots[i] = x.copy()"))
    for key, snap in expected.snapshots.items():
        got = expect_array(exercise, f"{run.call} -> .snapshots[{key}]", run.snapshots[key], snap)
        check_image(exercise, run, f".snapshots[{key}]", got, snap, expected.losses)


@pytest.mark.exercise("2.6")
def test_2_6_follows_weights(isolated, reference, exercise: Graded, vgg_n, references_lesson2):
    settings = {"weights": {"conv1_1": 0.5, "conv2_1": 0.5}, "iters": 3, "lr": 2.0, "tol": 0.0, "every": 1}
    check_loop(isolated, reference, exercise, vgg_n, references_lesson2, settings)


@pytest.mark.exercise("2.6")
def test_2_6_follows_weights_out_of_depth_order(isolated, reference, exercise: Graded, vgg_n, references_lesson2):
    """The deepest layer is the first key of weights: the forward pass must reach it all the same."""
    settings = {"weights": {"conv3_1": 0.6, "conv1_1": 0.4}, "iters": 3, "lr": 2.0, "tol": 0.0, "every": 1}
    check_loop(isolated, reference, exercise, vgg_n, references_lesson2, settings)


@pytest.mark.exercise("2.6")
def test_2_6_early_stop(isolated, reference, exercise: Graded, vgg_n, references_lesson2):
    """tol between the relative change where the reference stops and every earlier one, with a clear margin."""
    losses = np.array(reference_loop(reference, vgg_n, references_lesson2, LOOP).losses)
    changes = np.abs(np.diff(losses)) / losses[:-1]  # changes[i - 1]: relative change at iteration i
    stop = max(range(2, len(changes) + 1), key=lambda k: changes[: k - 1].min() / changes[k - 1])
    if changes[: stop - 1].min() / changes[stop - 1] < 1.3:
        pytest.skip("no iteration stops the reference loop with a clear margin on this machine")
    tol = float(f"{np.sqrt(changes[: stop - 1].min() * changes[stop - 1]):.3g}")
    settings = {**LOOP, "iters": LOOP["iters"] + 3, "tol": tol}  # room after the stop: no early stop shows
    check_loop(isolated, reference, exercise, vgg_n, references_lesson2, settings, stop_rule=STOP_RULE)


@pytest.mark.exercise("2.6")
def test_2_6_early_stop_from_the_second_iteration(isolated, reference, exercise: Graded, vgg_n, references_lesson2):
    """With tol = 10 any change is small enough: the loop stops at iteration 1, after two losses."""
    settings = {"iters": 4, "lr": 8.0, "tol": 10.0, "every": 2}
    check_loop(isolated, reference, exercise, vgg_n, references_lesson2, settings, stop_rule=STOP_RULE)


@pytest.mark.exercise("2.6")
def test_2_6_no_stop_when_tol_is_zero(isolated, reference, exercise: Graded, vgg_n, references_lesson2):
    """A step too small to change x keeps the loss equal; with tol = 0, |change| < 0 is never true: no stop."""
    settings = {"iters": 3, "lr": 1e-30, "tol": 0.0, "every": 1}
    check_loop(isolated, reference, exercise, vgg_n, references_lesson2, settings,
               stop_rule=T("with tol=0 the loop never stops early: |L_(i-1) - L_i| < 0 * L_(i-1) is never true "
                           "(use <, not <=)",
                           "tol=0 时循环永远不会提前停止：|L_(i-1) - L_i| < 0 * L_(i-1) 永远不成立（用 <，不是 <=）"))


@pytest.mark.exercise("2.6")
def test_2_6_no_stop_on_a_rising_loss(isolated, reference, exercise: Graded, vgg_n, references_lesson2):
    """lr = 40 makes the loss jump up at first: a rise is a large change, not a reason to stop."""
    settings = {"iters": 4, "lr": 40.0, "tol": 1e-3, "every": 2}
    check_loop(isolated, reference, exercise, vgg_n, references_lesson2, settings,
               stop_rule=T("the stop rule takes the size of the change, abs(L_(i-1) - L_i): a loss that rises has "
                           "changed a lot",
                           "停止规则看变化的大小 abs(L_(i-1) - L_i)：损失上升也是很大的变化"))
