"""Lesson 3 · Combine: the checks of exercises 3.1-3.6 (`pytest checks/ -k 3.1` runs one exercise).

Every expected value is computed live by the reference solution on the same net and inputs (an L-BFGS run is
too sensitive to store): the cat and The Scream at 48x32 px on the real VGG19, seeded white noise, and small
synthetic problems where the point is the plumbing (flattening, dtypes, bounds, the callback).
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from scipy.optimize import Bounds

from brushstrokes import course
from brushstrokes.base import paths
from brushstrokes.base.i18n import Text
from brushstrokes.net import images
from brushstrokes.net.layers import STYLE_LAYERS, relu_name, set_input_shape
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
from checks.loops import RAISED, picture_error, unpack
from checks.spy import SpyNet
from checks.target import Graded

LESSON = course.lesson("3")
SHAPE = (32, 48)  # H, W of the small painting problem
ALPHA, BETA = 3.0, 0.5  # unequal, so that swapping them shows; both terms about 1e9 at 48x32 px on the raw net


def scaled_error(x, y) -> float:
    """max |x - y| / max |y|: for gradients, whose tiny entries make an elementwise relative error meaningless."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y)) / max(float(np.max(np.abs(y))), 1e-12))


_problem: dict[str, object] = {}


def problem(net, gram) -> dict[str, object]:
    """The cat's conv4_2 features P, The Scream's Gram matrices A (all five style layers) and white noise x,
    at 48x32 px on `net` (computed once per run)."""
    if not _problem:
        h, w = SHAPE
        set_input_shape(net, h, w)
        cat = images.preprocess(images.load_image(paths.CAT, size=(h, w)))
        scream = images.preprocess(images.load_image(paths.SCREAM, size=(h, w)))
        P = features(net, cat, ("conv4_2",))["conv4_2"]
        A = {layer: gram(F) for layer, F in features(net, scream, STYLE_LAYERS).items()}
        _problem.update(P=P, A=A, x=images.white_noise((h, w), seed=3), cat=cat)
    set_input_shape(net, *SHAPE)
    return _problem


def l2_reference():
    from checks.target import Target

    return Target(package="solutions").load(course.lesson("2").module)


# Exercise 3.1 ------------------------------------------------------------------------------------------------
SWAPPED = Text("alpha and beta swapped", "alpha 和 beta 弄反了")
SWAPPED_FIX = Text("alpha weighs the content loss, beta the style loss: alpha * L_content + beta * L_style",
                   "alpha 乘内容损失，beta 乘风格损失：alpha * L_content + beta * L_style")
HALF_NORM = Text("the write-up's 0.5 * norm(F - P) as the content loss",
                 "把原帖的 0.5 * norm(F - P) 当作内容损失")
HALF_NORM_FIX = Text("that loss does not go with content_grad (the gradient of 1/2 sum (F - P)^2): L-BFGS can stop "
                     "at once with an ABNORMAL line search (lesson 3's page shows it). Use content_loss(F, P)",
                     "这个损失和 content_grad（1/2 sum (F - P)^2 的梯度）不配套：L-BFGS 可能立刻以 "
                     "ABNORMAL（线搜索失败）停下（第 3 课的页面上有演示）。请用 content_loss(F, P)")
NO_ALPHA = Text("alpha or beta left out", "漏了 alpha 或 beta")
WEIGHTS_FIX = Text("multiply the content term by alpha and the style term by beta, in the loss and in the gradient",
                   "内容项乘 alpha、风格项乘 beta，损失和梯度都要乘")
ONLY = Text("only the {what} term", "只有{what}项")
BOTH_FIX = Text("the total has both terms: alpha * L_content + beta * L_style, and its gradient both gradients",
                "总损失有两项：alpha * L_content + beta * L_style，梯度也是两者之和")
CONTENT, STYLE = Text("content", "内容"), Text("style", "风格")
REPLACED = Text("the content gradient replaces the style one", "内容梯度替换了风格梯度")
REPLACED_FIX = Text("here the content layer is also a style layer: add the two gradients, "
                    "grads[content_layer] = grads.get(content_layer, 0) + alpha * content_grad(F, P)",
                    "这里内容层同时也是风格层：两个梯度要相加，"
                    "grads[content_layer] = grads.get(content_layer, 0) + alpha * content_grad(F, P)")
FORWARDS = Text("{n} forward passes", "{n} 次前向传播")
ONE_FORWARD = Text("one forward pass, to {end}", "一次前向传播，到 {end}")
FORWARD_FIX = Text("forward once to relu_name of the deepest layer needed (the content layer and every layer of A)",
                   "只前向一次，到所需最深层（内容层和 A 的每一层）的 relu_name")
PAIR = Text("a tuple (loss, gradient)", "一个元组 (损失, 梯度)")
PAIR_FIX = Text("return loss, grad", "return loss, grad")
WRONG_RETURN = Text("wrong return value", "返回值不对")
NO_DATA = Text("x never reaches the net", "x 没有送进网络")
NO_DATA_FIX = Text("start with net.blobs['data'].data[...] = x, then forward",
                   "先 net.blobs['data'].data[...] = x，再前向")


def total_mistakes(ref, net, x, P, A, layer, weights, loss) -> tuple[list[Mistake], list[Mistake]]:
    """Classic wrong totals: (loss mistakes, gradient mistakes), each computed with the reference."""
    def run(a, b):
        return ref.total_loss_grad(net, x.copy(), P, A, a, b, layer, weights)

    swapped, content, style = run(BETA, ALPHA), run(ALPHA, 0.0), run(0.0, BETA)
    no_alpha, no_beta, plain = run(1.0, BETA), run(ALPHA, 1.0), run(1.0, 1.0)
    set_input_shape(net, *x.shape[2:])
    F = features(net, x, (layer,))[layer]
    d = F.astype(np.float64) - P
    half_norm = loss - ALPHA * 0.5 * float(np.sum(d**2)) + ALPHA * 0.5 * float(np.sqrt(np.sum(d**2)))
    losses = [Mistake(SWAPPED, swapped[0], SWAPPED_FIX), Mistake(HALF_NORM, half_norm, HALF_NORM_FIX),
              Mistake(NO_ALPHA, plain[0], WEIGHTS_FIX), Mistake(NO_ALPHA, no_alpha[0], WEIGHTS_FIX),
              Mistake(NO_ALPHA, no_beta[0], WEIGHTS_FIX),
              Mistake(ONLY(say_lang(), what=CONTENT(say_lang())), content[0], BOTH_FIX),
              Mistake(ONLY(say_lang(), what=STYLE(say_lang())), style[0], BOTH_FIX)]
    grads = [Mistake(SWAPPED, swapped[1], SWAPPED_FIX), Mistake(NO_ALPHA, plain[1], WEIGHTS_FIX),
             Mistake(NO_ALPHA, no_alpha[1], WEIGHTS_FIX), Mistake(NO_ALPHA, no_beta[1], WEIGHTS_FIX),
             Mistake(ONLY(say_lang(), what=CONTENT(say_lang())), content[1], BOTH_FIX),
             Mistake(ONLY(say_lang(), what=STYLE(say_lang())), style[1], BOTH_FIX)]
    if layer in A:  # the content layer is a style layer too: its two gradients must be added
        net.blobs["data"].data[...] = x
        net.forward(end=relu_name(max([layer, *A], key=list(net.blobs).index)))
        _, style_grads = ref.style_loss({name: net.blobs[name].data[0] for name in A}, A, weights)
        injected = {name: BETA * g for name, g in style_grads.items()}
        injected[layer] = ALPHA * ref.content_grad(net.blobs[layer].data[0], P)
        grads.append(Mistake(REPLACED, ref.backward_sweep(net, injected), REPLACED_FIX))
    return losses, grads


HANDED = Text(": the losses handed to the callback", "：传给 callback 的损失")
AGAINST_FD = Text(" -> gradient against central differences", " -> 梯度，与中心差分比较")


def say_lang() -> str:
    from brushstrokes.base.i18n import language

    return language()


CASES = {  # (content layer, style layers in the order A and weights list them, weights)
    "paper": ("conv4_2", STYLE_LAYERS, None),
    "shallow": ("conv2_1", ("conv1_1", "conv2_1"), {"conv1_1": 0.25, "conv2_1": 0.75}),
    # `--content-layer conv4_2 --style-layers conv1_1,conv2_1,conv3_1`: the content layer is the deepest
    "content_deepest": ("conv4_2", ("conv1_1", "conv2_1", "conv3_1"), {"conv1_1": 0.4, "conv2_1": 0.3,
                                                                        "conv3_1": 0.3}),
    # A and weights not in depth order: the deepest layer comes first, and the last is deeper than the content layer
    "unordered": ("conv2_1", ("conv5_1", "conv1_1", "conv3_1"), {"conv5_1": 0.5, "conv1_1": 0.2, "conv3_1": 0.3}),
}
NO_FORWARD = Text("no forward pass", "没有前向传播")
SEVERAL_FORWARDS = Text("several forward passes", "多次前向传播")
BEFORE_RELU = Text("forward stops before the ReLU", "前向停在了 ReLU 之前")
BEFORE_RELU_FIX = Text("net.forward(end='{end}') stops before the in-place ReLU, so the blob holds the raw "
                       "convolution: forward to relu_name(...) of the deepest layer, here '{relu}'",
                       "net.forward(end='{end}') 停在原地 ReLU 之前，blob 里是未经 ReLU 的卷积结果："
                       "前向到最深层的 relu_name(...)，这里是 '{relu}'")
CONTENT_ONLY = Text("forward to the content layer only", "只前向到了内容层")
CONTENT_ONLY_FIX = Text("the style layers count too: {deepest} is deeper than the content layer {layer}; forward to "
                        "relu_name(max([content_layer, *A], key=list(net.blobs).index))",
                        "风格层也要算：{deepest} 比内容层 {layer} 更深；前向到 "
                        "relu_name(max([content_layer, *A], key=list(net.blobs).index))")
CONTENT_LEFT_OUT = Text("the content layer left out of the deepest", "找最深层时漏了内容层")
CONTENT_LEFT_OUT_FIX = Text("here the content layer {layer} is deeper than every style layer (as with `--content-layer "
                            "conv4_2 --style-layers conv1_1,conv2_1,conv3_1`): take the deepest of the content layer "
                            "and A's layers, max([content_layer, *A], key=list(net.blobs).index)",
                            "这里内容层 {layer} 比所有风格层都深（比如 `--content-layer conv4_2 --style-layers "
                            "conv1_1,conv2_1,conv3_1`）：要在内容层和 A 的各层中取最深的，"
                            "max([content_layer, *A], key=list(net.blobs).index)")
LAST_KEY = Text("A's last layer taken as the deepest", "把 A 的最后一层当成了最深层")
LAST_KEY_FIX = Text("a dict keeps the caller's order, not the net's: here A lists {keys}, and the deepest is "
                    "{deepest}; take max([content_layer, *A], key=list(net.blobs).index)",
                    "字典保留的是调用者给的顺序，不是网络的顺序：这里 A 依次是 {keys}，最深的是 {deepest}；"
                    "用 max([content_layer, *A], key=list(net.blobs).index)")
SHORT = Text("forward stops before the deepest layer needed", "前向没有到所需的最深层")
PAST = Text("forward past the deepest layer needed", "前向超过了所需的最深层")
DEPTH_FIX = Text("forward once to relu_name of the deepest layer needed, here '{relu}' ({deepest}), whatever the "
                 "layers are: relu_name(max([content_layer, *A], key=list(net.blobs).index))",
                 "只前向一次，到所需最深层的 relu_name，这里是 '{relu}'（{deepest}），无论给的是哪些层："
                 "relu_name(max([content_layer, *A], key=list(net.blobs).index))")


def forward_mistake(ends: list, layer: str, A: dict, net) -> tuple[Text | str, str]:
    """The likely mistake of a forward pass that did not end at the deepest layer's ReLU: (name, fix)."""
    lang, order = say_lang(), list(net.blobs)
    deepest = max([layer, *A], key=order.index)
    relu = relu_name(deepest)
    fields = {"layer": layer, "deepest": deepest, "relu": relu, "keys": ", ".join(A)}
    if not ends:
        return NO_FORWARD, FORWARD_FIX(lang)
    if len(ends) > 1:
        return SEVERAL_FORWARDS, FORWARD_FIX(lang)
    end = ends[0]
    if end in [layer, *A]:
        return BEFORE_RELU, BEFORE_RELU_FIX(lang, end=end, relu=relu_name(end))
    deepest_style = max(A, key=order.index)
    if end == relu_name(layer) and layer != deepest:
        return CONTENT_ONLY, CONTENT_ONLY_FIX(lang, **fields)
    if end == relu_name(deepest_style) and layer == deepest:
        return CONTENT_LEFT_OUT, CONTENT_LEFT_OUT_FIX(lang, **fields)
    if end == relu_name(list(A)[-1]) and list(A)[-1] != deepest_style:
        return LAST_KEY, LAST_KEY_FIX(lang, **fields)
    conv = str(end).replace("relu", "conv", 1)  # VGG's ReLUs are in place: their blob is the convolution's
    if conv in order and order.index(conv) < order.index(deepest):
        return SHORT, DEPTH_FIX(lang, **fields)
    return PAST, DEPTH_FIX(lang, **fields)


@pytest.mark.exercise("3.1")
@pytest.mark.parametrize("case", CASES)
def test_3_1_matches_reference(isolated: ModuleType, reference: ModuleType, exercise: Graded, vgg, case: str):
    layer, style_layers, weights = CASES[case]
    p = problem(vgg, l2_reference().gram)
    A = {k: p["A"][k] for k in style_layers}  # in the case's order, which need not be the net's
    P = p["P"] if layer == "conv4_2" else features(vgg, p["cat"], (layer,))[layer]
    x = p["x"]
    set_input_shape(vgg, *SHAPE)
    loss, grad = reference.total_loss_grad(vgg, x.copy(), P, A, ALPHA, BETA, layer, weights)
    call = Text("{head} with x white noise (1, 3, 32, 48), P the cat's {layer} features, A The Scream's Gram "
                "matrices at {layers}",
                "{head}，x 是白噪声 (1, 3, 32, 48)，P 是猫的 {layer} 特征，A 是《呐喊》在 {layers} 的 Gram 矩阵")(
        say_lang(), layer=layer, layers=", ".join(style_layers),
        head=f"total_loss_grad(net, x, P, A, alpha={ALPHA}, beta={BETA}, content_layer={layer!r}, weights={weights})")
    stale = reference.total_loss_grad(vgg, np.zeros_like(x), P, A, ALPHA, BETA, layer, weights)  # data is 0 now
    spy = SpyNet(vgg)
    inputs = {"x": x.copy(), "P": P.copy()}
    result = isolated.total_loss_grad(spy, inputs["x"], inputs["P"], dict(A),
                                      ALPHA, BETA, layer, None if weights is None else dict(weights))
    if not isinstance(result, tuple) or len(result) != 2:
        fail(exercise, call, describe(result), PAIR, WRONG_RETURN, PAIR_FIX)
    unchanged(exercise, call, {"x": x, "P": P}, inputs)
    deepest = relu_name(max([layer, *A], key=list(vgg.blobs).index))
    ends = [kw.get("end") for kind, kw in spy.calls if kind == "forward"]
    if ends != [deepest]:
        fail(exercise, call, FORWARDS(say_lang(), n=len(ends)) + f": end={ends}", ONE_FORWARD(say_lang(), end=deepest),
             *forward_mistake(ends, layer, A, vgg))
    got_loss = expect_scalar(exercise, call + " -> loss", result[0])
    got_grad = expect_array(exercise, call + " -> gradient", result[1], grad)
    loss_m, grad_m = total_mistakes(reference, vgg, x, P, A, layer, weights, loss)
    loss_m.insert(0, Mistake(NO_DATA, stale[0], NO_DATA_FIX))
    grad_m.insert(0, Mistake(NO_DATA, stale[1], NO_DATA_FIX))
    expect_close(exercise, call + " -> loss", got_loss, loss, LOSS_TOL, loss_m)
    expect_close(exercise, call + " -> gradient", got_grad, grad, FLOAT32_TOL, grad_m, measure=scaled_error)


# Exercise 3.2 ------------------------------------------------------------------------------------------------
class Quadratic:
    """loss(x) = 1/2 sum c (x - t)^2 on (1, 3, 4, 5) images, with every entry's c and t different, so that a
    scrambled order shows; records the dtype and shape it was called with."""

    def __init__(self, seed: int = 0, shape=(1, 3, 4, 5), outside: bool = False) -> None:
        rng = np.random.default_rng(seed)
        self.shape = shape
        self.c = (0.5 + rng.random(shape)).astype(np.float32)
        self.t = (rng.standard_normal(shape) * 40).astype(np.float32)
        if outside:  # some targets beyond the valid grey levels: only bounds keep the pixels valid
            self.t.reshape(-1)[::7] = 300.0
        self.seen: list[tuple] = []

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        self.seen.append((x.dtype, x.shape))
        d = x.astype(np.float64) - self.t
        return 0.5 * float(np.sum(self.c * d**2)), (self.c * d).astype(np.float32)


NOT_A_PAIR = Text("loss without its gradient", "只有损失，没有梯度")
NOT_A_PAIR_FIX = Text("minimize(..., jac=True) needs fun to return both: (float(loss), flat float64 gradient)",
                      "minimize(..., jac=True) 需要 fun 同时返回两者：(float(loss), 展平的 float64 梯度)")
OBJECTIVE = Text("a tuple (fun, bounds)", "一个元组 (fun, bounds)")
OBJECTIVE_FIX = Text("return fun, Bounds(lower, upper)", "return fun, Bounds(lower, upper)")
FLOAT32 = Text("float32 handed to L-BFGS", "把 float32 交给了 L-BFGS")
FLOAT32_FIX = Text("SciPy's line search compares losses to many digits: return float(loss) and "
                   "grad.astype(np.float64).ravel()",
                   "SciPy 的线搜索要比较很多位有效数字：返回 float(loss) 和 grad.astype(np.float64).ravel()")
LOSS_ARRAY = Text("the loss returned as an array", "损失以数组形式返回")
LOSS_ARRAY_FIX = Text("fun(z) returns the loss as one number, float(loss), and only the gradient as an array: a loss "
                      "of shape {shape} is not a float (numpy no longer turns such arrays into numbers quietly, and "
                      "every sum with it is an array again)",
                      "fun(z) 把损失作为一个数 float(loss) 返回，只有梯度是数组：形状为 {shape} 的损失不是 float"
                      "（numpy 不再默默地把这样的数组变成数，和它相加的结果也都是数组）")
ONE_LOSS = Text("the loss as one number (a Python float)", "损失是一个数（Python float）")
FLAT64 = Text("a float64 array of shape ({n},)", "形状为 ({n},) 的 float64 数组")
CAFFE_INPUT = Text("loss_grad called with {got}", "调用 loss_grad 时传入了 {got}")
CAFFE_EXPECTED = Text("float32 images of shape {shape} (Caffe's blobs)",
                      "形状为 {shape} 的 float32 图像（Caffe 的 blob）")
CAFFE_NAME = Text("image not unflattened for Caffe", "没有把图像还原成 Caffe 的形状")
CAFFE_FIX = Text("z.reshape(shape).astype(np.float32) before calling loss_grad", "调用 loss_grad 前先 "
                 "z.reshape(shape).astype(np.float32)")
ORDER = Text("flatten order differs from unflatten", "展平和还原的顺序不一致")
ORDER_FIX = Text("use one order both ways: z.reshape(shape) and grad.ravel() (both C order, the default)",
                 "两个方向用同一种顺序：z.reshape(shape) 和 grad.ravel()（默认都是 C 顺序）")
NO_BOUNDS = Text("no bounds", "没有 bounds")
NO_BOUNDS_FIX = Text("return Bounds(lower, upper) with one pair per pixel: channel c in [-MEAN_BGR[c], "
                     "255 - MEAN_BGR[c]] keeps every pixel a valid grey level",
                     "返回 Bounds(lower, upper)，每个像素一对：通道 c 在 [-MEAN_BGR[c], 255 - MEAN_BGR[c]] 内，"
                     "每个像素才是有效的灰度级")
BOUNDS_NO_MEAN = Text("bounds 0..255 without the mean", "bounds 为 0..255，没减均值")
BOUNDS_NO_MEAN_FIX = Text("Caffe's images have the mean subtracted: channel c lies in [-MEAN_BGR[c], "
                          "255 - MEAN_BGR[c]]", "Caffe 的图像减去了均值：通道 c 在 [-MEAN_BGR[c], 255 - MEAN_BGR[c]]")
BOUNDS_RGB = Text("means in RGB order", "均值用了 RGB 顺序")
BOUNDS_RGB_FIX = Text("Caffe's channels are B, G, R, and so is MEAN_BGR: no [::-1]", "Caffe 的通道是 B、G、R，"
                      "MEAN_BGR 也是：不要 [::-1]")
BOUNDS_SHAPE = Text("bounds for {n} entries", "{n} 个元素的 bounds")
BOUNDS_WANTED = Text("one (lower, upper) pair for each of the {n} entries of z", "z 的 {n} 个元素各一对 (lower, upper)")


def bound_arrays(bounds, n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(lower, upper) as (n,) float64 arrays from a Bounds or a sequence of pairs; None when there are none."""
    if bounds is None:
        return None
    if isinstance(bounds, Bounds):
        lo = np.broadcast_to(np.asarray(bounds.lb, float), (n,))
        hi = np.broadcast_to(np.asarray(bounds.ub, float), (n,))
    else:
        pairs = np.asarray(bounds, dtype=np.float64)
        if pairs.ndim != 2 or pairs.shape[1] != 2:
            return np.full(1, np.nan), np.full(1, np.nan)
        lo, hi = pairs[:, 0], pairs[:, 1]
    return np.nan_to_num(lo, nan=-np.inf), np.nan_to_num(hi, nan=np.inf)


def loss_number(ex: Graded, call: str, loss) -> None:
    """fun's loss must be a number: a (1,) array (np.array([loss]), np.atleast_1d) is named as such."""
    if isinstance(loss, list | tuple) or (isinstance(loss, np.ndarray) and loss.ndim > 0):
        fail(ex, call + " -> loss", describe(loss), ONE_LOSS, LOSS_ARRAY,
             LOSS_ARRAY_FIX(say_lang(), shape=np.shape(loss)))


def objective(ex: Graded, call: str, result) -> tuple:
    if not isinstance(result, tuple) or len(result) != 2 or not callable(result[0]):
        fail(ex, call, describe(result), OBJECTIVE, WRONG_RETURN, OBJECTIVE_FIX)
    return result


@pytest.mark.exercise("3.2")
def test_3_2_fun_flattens_and_converts(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    q = Quadratic()
    n = int(np.prod(q.shape))
    z = np.random.default_rng(5).standard_normal(n) * 30
    call = Text("fun, bounds = lbfgs_objective(loss_grad, {shape}); fun(z) with z random (float64, ({n},)) and "
                "loss_grad(x) = (1/2 sum c (x - t)^2, c (x - t)) on (1, 3, 4, 5) images",
                "fun, bounds = lbfgs_objective(loss_grad, {shape})；fun(z)，z 是随机数 (float64, ({n},))，"
                "loss_grad(x) = (1/2 sum c (x - t)^2, c (x - t))，作用在 (1, 3, 4, 5) 的图像上")(
        say_lang(), shape=q.shape, n=n)
    fun, _ = objective(exercise, call, lesson.lbfgs_objective(q, q.shape))
    got = fun(z.copy())
    if not isinstance(got, tuple) or len(got) != 2:
        fail(exercise, call, describe(got), PAIR, NOT_A_PAIR, NOT_A_PAIR_FIX)
    if q.seen and q.seen[-1] != (np.float32, q.shape):
        fail(exercise, call, CAFFE_INPUT(say_lang(), got=f"{q.seen[-1][0]} {q.seen[-1][1]}"),
             CAFFE_EXPECTED(say_lang(), shape=q.shape), CAFFE_NAME, CAFFE_FIX)
    loss, grad = got
    loss_number(exercise, call, loss)
    if isinstance(loss, np.float32) or (isinstance(grad, np.ndarray) and grad.dtype != np.float64):
        dtype = grad.dtype if isinstance(grad, np.ndarray) else type(loss).__name__
        fail(exercise, call, f"{type(loss).__name__} loss, {dtype} gradient", FLAT64(say_lang(), n=n), FLOAT32,
             FLOAT32_FIX)
    ref_fun, _ = reference.lbfgs_objective(Quadratic(), q.shape)
    want_loss, want_grad = ref_fun(z.copy())
    got_loss = expect_scalar(exercise, call + " -> loss", loss)
    got_grad = expect_array(exercise, call + " -> gradient", grad, want_grad)
    q2 = Quadratic()
    expect_close(exercise, call + " -> loss", got_loss, want_loss, LOSS_TOL,
                 [Mistake(ORDER, q2(z.reshape(q.shape, order="F").astype(np.float32))[0], ORDER_FIX)])
    scrambled = [q2(z.reshape(q.shape).astype(np.float32))[1].ravel(order="F"),
                 q2(z.reshape(q.shape, order="F").astype(np.float32))[1].ravel()]
    expect_close(exercise, call + " -> gradient", got_grad, want_grad, FLOAT32_TOL,
                 [Mistake(ORDER, s, ORDER_FIX) for s in scrambled], measure=scaled_error)


@pytest.mark.exercise("3.2")
def test_3_2_bounds_keep_pixels_valid(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    shape = (1, 3, 4, 5)
    n = int(np.prod(shape))
    call = f"fun, bounds = lbfgs_objective(loss_grad, {shape}) -> bounds"  # code only: the same in both languages
    _, bounds = objective(exercise, call, lesson.lbfgs_objective(Quadratic(), shape))
    _, want = reference.lbfgs_objective(Quadratic(), shape)
    want_lo, want_hi = bound_arrays(want, n)
    got = bound_arrays(bounds, n)
    if got is None or (np.all(np.isinf(got[0])) and np.all(np.isinf(got[1]))):
        fail(exercise, call, describe(bounds), BOUNDS_WANTED(say_lang(), n=n), NO_BOUNDS, NO_BOUNDS_FIX)
    lo, hi = got
    if lo.shape != (n,) or hi.shape != (n,):
        fail(exercise, call, BOUNDS_SHAPE(say_lang(), n=lo.size), BOUNDS_WANTED(say_lang(), n=n), None,
             NO_BOUNDS_FIX)
    rgb = images.MEAN_BGR[::-1].astype(np.float64)[None, :, None, None]
    mistakes_lo = [Mistake(BOUNDS_NO_MEAN, np.zeros(n), BOUNDS_NO_MEAN_FIX),
                   Mistake(BOUNDS_RGB, np.broadcast_to(-rgb, shape).ravel(), BOUNDS_RGB_FIX),
                   Mistake(ORDER, np.broadcast_to(want_lo.reshape(shape), shape).ravel(order="F"), ORDER_FIX)]
    mistakes_hi = [Mistake(BOUNDS_NO_MEAN, np.full(n, 255.0), BOUNDS_NO_MEAN_FIX),
                   Mistake(BOUNDS_RGB, np.broadcast_to(255 - rgb, shape).ravel(), BOUNDS_RGB_FIX),
                   Mistake(ORDER, np.broadcast_to(want_hi.reshape(shape), shape).ravel(order="F"), ORDER_FIX)]
    lower, upper = Text(" (lower bounds)", "（下界）")(say_lang()), Text(" (upper bounds)", "（上界）")(say_lang())
    expect_close(exercise, call + lower, lo, want_lo, FLOAT32_TOL, mistakes_lo, measure=scaled_error)
    expect_close(exercise, call + upper, hi, want_hi, FLOAT32_TOL, mistakes_hi, measure=scaled_error)


FD_NAME = Text("fun's gradient does not belong to its loss", "fun 的梯度和它的损失对不上")
FD_FIX = Text("fun must return the loss of the image z stands for and that loss's gradient, flattened in the same "
              "order as z", "fun 必须返回 z 所代表图像的损失，以及按 z 的顺序展平的该损失的梯度")


@pytest.mark.exercise("3.2")
def test_3_2_gradient_matches_finite_differences(isolated: ModuleType, reference: ModuleType, exercise: Graded,
                                                 vgg):
    """Directional derivatives of fun on the real net (the reference total loss, 48x32 px) against fun's gradient."""
    p = problem(vgg, l2_reference().gram)
    shape = p["x"].shape

    def loss_grad(x):
        return reference.total_loss_grad(vgg, x, p["P"], p["A"], ALPHA, BETA)

    fun, _ = objective(exercise, "lbfgs_objective(loss_grad, (1, 3, 32, 48))",
                       isolated.lbfgs_objective(loss_grad, shape))
    z = p["x"].astype(np.float64).ravel()
    got = fun(z.copy())
    if not isinstance(got, tuple) or len(got) != 2:
        fail(exercise, "fun(z)", describe(got), PAIR, NOT_A_PAIR, NOT_A_PAIR_FIX)
    loss_number(exercise, "fun(z)", got[0])
    grad = np.asarray(got[1], dtype=np.float64).ravel()
    rng = np.random.default_rng(11)
    h = 0.5
    numeric, analytic = [], []
    for _ in range(3):
        d = rng.standard_normal(z.size)
        d /= np.linalg.norm(d)
        numeric.append((fun(z + h * d)[0] - fun(z - h * d)[0]) / (2 * h))
        analytic.append(float(grad @ d))
    call = Text("fun, bounds = lbfgs_objective(loss_grad, {shape}) on the total loss of lesson 3 (the reference), "
                "at white noise: fun's gradient along 3 random unit directions d, against (fun(z + h d) - "
                "fun(z - h d)) / 2h, h = {h}",
                "fun, bounds = lbfgs_objective(loss_grad, {shape})，作用在第 3 课的总损失（参考实现）上，在白噪声处："
                "fun 的梯度沿 3 个随机单位方向 d，与 (fun(z + h d) - fun(z - h d)) / 2h 比较，h = {h}")(
        say_lang(), shape=shape, h=h)
    expect_close(exercise, call, analytic, numeric, 1e-2, [], fix=FD_FIX, measure=scaled_error)


# Exercise 3.3 ------------------------------------------------------------------------------------------------
RESULT = "Reconstruction"
OUT_OF_BOUNDS = Text("pixels outside 0..255: {n} of them", "有 {n} 个像素超出 0..255")
IN_BOUNDS = Text("every pixel within 0..255 (the bounds)", "每个像素都在 0..255 之内（bounds）")
NO_BOUNDS_RUN_FIX = Text("pass bounds=bounds (from lbfgs_objective) to minimize", "把 lbfgs_objective 给的 bounds "
                         "传给 minimize：bounds=bounds")
LOSSES_CONV = Text("losses[k] is the loss after k iterations and losses[0] that of x0: start with [fun(z0)[0]] and "
                   "append intermediate_result.fun in step", "losses[k] 是 k 次迭代后的损失，losses[0] 是 x0 的损失："
                   "先放 [fun(z0)[0]]，再在 step 里追加 intermediate_result.fun")
SNAP_KEYS = Text("snapshots at iterations {keys}", "快照在第 {keys} 次迭代")
SNAP_FIX = Text("snapshots[0] = x0 (a float32 copy), then snapshots[k] = x whenever k % every == 0",
                "snapshots[0] = x0（float32 副本），之后每当 k % every == 0 时 snapshots[k] = x")
CALLBACK_SEEN = Text("callback called with {got}", "callback 收到的参数是 {got}")
CALLBACK_WANTED = Text("callback(k, x, loss) for k = 1, 2, ... with x (1, 3, H, W) float32 and the loss a float",
                       "callback(k, x, loss)，k = 1, 2, ...，x 为 (1, 3, H, W) float32，loss 为 float")
CALLBACK_NAME = Text("callback not called as documented", "没有按文档调用 callback")
CALLBACK_FIX = Text("in step: callback(k, x, losses[-1]) with x = intermediate_result.x.reshape(x0.shape)"
                    ".astype(np.float32)", "在 step 里：callback(k, x, losses[-1])，其中 x = "
                    "intermediate_result.x.reshape(x0.shape).astype(np.float32)")
STOP_NAME = Text("does not stop when the callback says so", "callback 要求停止时没有停")
STOP_FIX = Text("when callback(...) returns True, raise StopIteration inside step: SciPy then stops and returns "
                "the current image (Ctrl-C keeps the picture this way)",
                "callback(...) 返回 True 时在 step 里 raise StopIteration：SciPy 就会停下并返回当前图像"
                "（Ctrl-C 就是这样保留图片的）")
LOSSES_N = Text("{n} losses", "{n} 个损失")
NO_FIRST_LOSS = Text("the loss of x0 missing", "缺少 x0 的损失")
NO_FIRST_LOSS_FIX = Text("losses[0] is the loss of x0, before any iteration: start with losses = [fun(z0)[0]], then "
                         "k = len(losses) in step is the iteration just done",
                         "losses[0] 是 x0 的损失，在任何迭代之前：先写 losses = [fun(z0)[0]]，"
                         "这样 step 里的 k = len(losses) 就是刚做完的那次迭代")
TOO_MANY = Text("more iterations than iters", "迭代次数超过了 iters")
TOO_MANY_FIX = Text("options={{\"maxiter\": iters}} stops minimize after iters iterations: pass iters itself",
                    "options={{\"maxiter\": iters}} 让 minimize 在 iters 次迭代后停止：直接传 iters")
RETURNED_X0 = Text("returned x0", "返回了 x0")
RETURNED_X0_FIX = Text("return the optimised image, result.x reshaped to x0.shape in float32, not the start",
                       "返回优化后的图像，即变形为 x0.shape 的 float32 result.x，而不是起点")
GREY = Text("(grey levels)", "（按灰度级比较）")
CALLBACK_PARAM = Text("step's parameter not named intermediate_result", "step 的参数名不是 intermediate_result")
CALLBACK_PARAM_FIX = Text("SciPy hands the callback the result object (with .x and .fun) only when its parameter is "
                          "named intermediate_result; `def {function}({param})` gets the bare image array instead, "
                          "hence \"{error}\". Rename it: `def {function}(intermediate_result)`",
                          "只有当回调函数的参数名为 intermediate_result 时，SciPy 才把结果对象（带 .x 和 .fun）传给它；"
                          "`def {function}({param})` 收到的只是图像数组本身，所以才有 \"{error}\"。"
                          "改名为：`def {function}(intermediate_result)`")
PAINT_RESULT = Text("Reconstruction(x, losses, snapshots)", "Reconstruction(x, losses, snapshots)")


def bare_array_callback(exc: BaseException, path: str) -> tuple[str, str, int, str] | None:
    """(function, parameter, line, source) when `exc` is the AttributeError of a callback that SciPy called with a
    bare array because its parameter is not named intermediate_result; None otherwise."""
    if not isinstance(exc, AttributeError) or "'numpy.ndarray' object has no attribute" not in str(exc):
        return None
    import linecache

    found, tb = None, exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == path:
            found = (code, tb.tb_lineno)
        tb = tb.tb_next
    if found is None or found[0].co_argcount != 1 or found[0].co_varnames[0] == "intermediate_result":
        return None
    code, line = found
    return code.co_name, code.co_varnames[0], line, linecache.getline(path, line).strip()


def call_paint(ex: Graded, call: str, fn, *args, **kwargs):
    """fn(*args, **kwargs) (the learner's paint); a callback that got SciPy's bare array is named as such."""
    try:
        return fn(*args, **kwargs)
    except AttributeError as exc:
        path = getattr(getattr(fn, "__code__", None), "co_filename", "")
        where = bare_array_callback(exc, path)
        if where is None:
            raise
        function, param, line, source = where
        error = f"AttributeError: {exc}"
    fail(ex, call, RAISED(say_lang(), error=error, line=line, source=source), PAINT_RESULT, CALLBACK_PARAM,
         CALLBACK_PARAM_FIX(say_lang(), function=function, param=param, error=error))


def paint_run(fn, loss_grad, x0, **settings):
    return fn(loss_grad, x0.copy(), **settings)


def check_run(ex: Graded, call: str, got, want, x0) -> tuple:
    x, losses, snaps = unpack(ex, call, got, x0, RESULT)
    n, m = len(losses), len(want.losses)
    if n != m:
        found: tuple = (None, LOSSES_CONV)
        if n == m - 1 and rel_error(losses, list(want.losses[1:])) <= LOSS_TOL:
            found = (NO_FIRST_LOSS, NO_FIRST_LOSS_FIX)
        elif n > m and rel_error(losses[:m], list(want.losses)) <= LOSS_TOL:
            found = (TOO_MANY, TOO_MANY_FIX)
        fail(ex, call + " -> .losses", describe(losses), describe(list(want.losses)), *found)
    expect_close(ex, call + " -> .losses", losses, list(want.losses), LOSS_TOL, fix=LOSSES_CONV)
    if sorted(snaps) != sorted(want.snapshots):
        fail(ex, call + " -> .snapshots", SNAP_KEYS(say_lang(), keys=sorted(snaps)),
             SNAP_KEYS(say_lang(), keys=sorted(want.snapshots)), None, SNAP_FIX)
    grey = GREY(say_lang())
    for k, snap in want.snapshots.items():
        got_snap = expect_array(ex, f"{call} -> .snapshots[{k}]", snaps[k], snap)
        expect_close(ex, f"{call} -> .snapshots[{k}] {grey}", got_snap, snap, LOSS_TOL, fix=SNAP_FIX,
                     measure=picture_error)
    expect_close(ex, f"{call} -> .x {grey}", x, want.x, LOSS_TOL, [Mistake(RETURNED_X0, x0, RETURNED_X0_FIX)],
                 measure=picture_error, fix=Text("return result.x reshaped to x0.shape, in float32",
                                                 "返回变形为 x0.shape 的 float32 result.x"))
    return x, losses, snaps


@pytest.mark.exercise("3.3")
def test_3_3_matches_reference_run(isolated: ModuleType, reference: ModuleType, exercise: Graded):
    shape = (1, 3, 4, 5)
    x0 = (np.random.default_rng(2).standard_normal(shape) * 20).astype(np.float32)
    settings = {"iters": 6, "every": 2}
    want = reference.paint(Quadratic(seed=4, outside=True), x0.copy(), **settings)
    call = Text("paint(loss_grad, x0, iters=6, every=2) with loss_grad(x) = (1/2 sum c (x - t)^2, c (x - t)) on "
                "(1, 3, 4, 5) images, some targets t above 255 grey levels",
                "paint(loss_grad, x0, iters=6, every=2)，loss_grad(x) = (1/2 sum c (x - t)^2, c (x - t))，"
                "作用在 (1, 3, 4, 5) 的图像上，有些目标 t 高于 255 灰度级")(say_lang())
    got = call_paint(exercise, call, isolated.paint, Quadratic(seed=4, outside=True), x0.copy(), **settings)
    x = unpack(exercise, call, got, x0, RESULT)[0]
    lo = (-images.MEAN_BGR)[None, :, None, None]
    outside = int(np.sum((x < lo - 1e-3) | (x > lo + 255 + 1e-3)))
    if outside:
        fail(exercise, call + " -> .x", OUT_OF_BOUNDS(say_lang(), n=outside), IN_BOUNDS, NO_BOUNDS, NO_BOUNDS_RUN_FIX)
    check_run(exercise, call, got, type(want)(*want), x0)


@pytest.mark.exercise("3.3")
def test_3_3_callback_and_stop(isolated: ModuleType, reference: ModuleType, exercise: Graded):
    shape = (1, 3, 4, 5)
    x0 = (np.random.default_rng(3).standard_normal(shape) * 20).astype(np.float32)
    seen: list[tuple] = []
    losses_seen: list = []

    def stop_at_3(k, x, loss):
        seen.append((k, type(x).__name__, getattr(x, "dtype", None), getattr(x, "shape", None), type(loss).__name__))
        losses_seen.append(loss)
        return k >= 3

    want = reference.paint(Quadratic(seed=6), x0.copy(), iters=10, every=1, callback=lambda k, x, loss: k >= 3)
    call = Text("paint(loss_grad, x0, iters=10, every=1, callback=stop_at_3) where stop_at_3(k, x, loss) returns "
                "k >= 3",
                "paint(loss_grad, x0, iters=10, every=1, callback=stop_at_3)，其中 stop_at_3(k, x, loss) 返回 "
                "k >= 3")(say_lang())
    got = call_paint(exercise, call, isolated.paint, Quadratic(seed=6), x0.copy(), iters=10, every=1,
                     callback=stop_at_3)
    wanted = [(k, "ndarray", np.float32, shape, "float") for k in (1, 2, 3)]
    if [(k, t, d, s, "float" if lt in ("float", "float64") else lt) for k, t, d, s, lt in seen[:3]] != wanted:
        fail(exercise, call, CALLBACK_SEEN(say_lang(), got=seen[:4]), CALLBACK_WANTED, CALLBACK_NAME, CALLBACK_FIX)
    expect_close(exercise, call + HANDED(say_lang()), [float(v) for v in losses_seen[:3]],
                 list(want.losses[1:4]), LOSS_TOL, fix=CALLBACK_FIX)
    x, losses, _ = unpack(exercise, call, got, x0, RESULT)
    if len(losses) != len(want.losses):
        fail(exercise, call + " -> .losses", LOSSES_N(say_lang(), n=len(losses)), LOSSES_N(say_lang(), n=4),
             STOP_NAME, STOP_FIX)
    check_run(exercise, call, got, want, x0)


@pytest.mark.exercise("3.3")
def test_3_3_paints_on_vgg(isolated: ModuleType, reference: ModuleType, exercise: Graded, vgg):
    p = problem(vgg, l2_reference().gram)

    def loss_grad(x):
        return reference.total_loss_grad(vgg, x, p["P"], p["A"], ALPHA, BETA)

    want = reference.paint(loss_grad, p["x"].copy(), iters=3, every=1)
    call = Text("paint(loss_grad, x0, iters=3, every=1) with the total loss of the cat and The Scream at 48x32 px "
                "(the reference total_loss_grad) from white noise",
                "paint(loss_grad, x0, iters=3, every=1)，用猫和《呐喊》在 48x32 像素的总损失"
                "（参考的 total_loss_grad），从白噪声开始")(say_lang())
    got = call_paint(exercise, call, isolated.paint, loss_grad, p["x"].copy(), iters=3, every=1)
    check_run(exercise, call, got, want, p["x"])


# Exercise 3.4 ------------------------------------------------------------------------------------------------
TV_FIX = Text("L = sum of squared differences down (axis 2) and right (axis 3); each difference d = b - a adds 2d "
              "to b's gradient and -2d to a's", "L = 向下（axis 2）和向右（axis 3）差的平方和；每个差 d = b - a "
              "给 b 的梯度加 2d，给 a 的梯度加 -2d")
TV_ONE_AXIS = Text("only one direction", "只算了一个方向")
TV_HALF = Text("a factor of 2 in the gradient", "梯度差了 2 倍")
TV_SIGN = Text("wrong sign", "符号反了")


@pytest.mark.exercise("3.4")
def test_3_4_tv_worked_and_random(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    x = np.array([[[[0, 1, 3], [2, 2, 0]]] * 3], dtype=np.float32)  # (1, 3, 2, 3)
    call = Text("tv_loss_grad(x) with every channel [[0, 1, 3], [2, 2, 0]]: 3 * ((1 + 4 + 0 + 4) + (4 + 1 + 9)) "
                "= 69",
                "tv_loss_grad(x)，每个通道都是 [[0, 1, 3], [2, 2, 0]]：3 * ((1 + 4 + 0 + 4) + (4 + 1 + 9)) "
                "= 69")(say_lang())
    got = lesson.tv_loss_grad(x.copy())
    if not isinstance(got, tuple) or len(got) != 2:
        fail(exercise, call, describe(got), PAIR, WRONG_RETURN, PAIR_FIX)
    expect_close(exercise, call + " -> loss", expect_scalar(exercise, call, got[0]), 69.0, LOSS_TOL,
                 [Mistake(TV_ONE_AXIS, 42.0, TV_FIX), Mistake(TV_ONE_AXIS, 27.0, TV_FIX)], fix=TV_FIX)
    x = (np.random.default_rng(7).standard_normal((1, 3, 6, 7)) * 30).astype(np.float32)
    call = Text("tv_loss_grad(x) with x random (1, 3, 6, 7)", "tv_loss_grad(x)，x 是随机数 (1, 3, 6, 7)")(say_lang())
    inputs = {"x": x.copy()}
    got = lesson.tv_loss_grad(inputs["x"])
    unchanged(exercise, call, {"x": x}, inputs)
    loss, grad = reference.tv_loss_grad(x.copy())
    dy = np.diff(x.astype(np.float64), axis=2)
    expect_close(exercise, call + " -> loss", expect_scalar(exercise, call, got[0]), loss, LOSS_TOL,
                 [Mistake(TV_ONE_AXIS, float(np.sum(dy**2)), TV_FIX)], fix=TV_FIX)
    g = expect_array(exercise, call + " -> gradient", got[1], grad)
    expect_close(exercise, call + " -> gradient", g, grad, FLOAT32_TOL,
                 [Mistake(TV_HALF, grad / 2, TV_FIX), Mistake(TV_SIGN, -grad, TV_FIX)], fix=TV_FIX,
                 measure=scaled_error)
    # the gradient belongs to the loss: central differences at a few pixels
    numeric, analytic = [], []
    for idx in ((0, 0, 0, 0), (0, 1, 3, 4), (0, 2, 5, 6)):
        plus, minus = x.astype(np.float64), x.astype(np.float64)
        plus[idx] += 0.5
        minus[idx] -= 0.5
        numeric.append((reference.tv_loss_grad(plus)[0] - reference.tv_loss_grad(minus)[0]) / 1.0)
        analytic.append(float(g[idx]))
    expect_close(exercise, call + AGAINST_FD(say_lang()), analytic, numeric, FLOAT32_TOL,
                 fix=TV_FIX, measure=scaled_error)


# Exercise 3.5 ------------------------------------------------------------------------------------------------
COLOURS_FIX = Text("Y from the painted picture, I and Q from the photo, back to RGB with np.linalg.inv(RGB_TO_YIQ), "
                   "clipped to 0..255", "Y 取自作画结果，I、Q 取自照片，用 np.linalg.inv(RGB_TO_YIQ) 转回 RGB，"
                   "裁剪到 0..255")
COLOURS_SWAPPED = Text("pictures swapped", "两张图弄反了")
NOT_CLIPPED = Text("not clipped to 0..255", "没有裁剪到 0..255")


@pytest.mark.exercise("3.5")
def test_3_5_keep_colours(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(8)
    painted = rng.uniform(0, 255, (5, 6, 3)).astype(np.float32)
    photo = rng.uniform(0, 255, (5, 6, 3)).astype(np.float32)
    call = Text("keep_colours(painted, photo) with random (5, 6, 3) RGB pictures",
                "keep_colours(painted, photo)，两张随机的 (5, 6, 3) RGB 图片")(say_lang())
    inputs = {"painted": painted.copy(), "photo": photo.copy()}
    got = lesson.keep_colours(inputs["painted"], inputs["photo"])
    unchanged(exercise, call, {"painted": painted, "photo": photo}, inputs)
    want = reference.keep_colours(painted, photo)
    from brushstrokes.net.images import RGB_TO_YIQ

    y = painted.astype(np.float64) @ RGB_TO_YIQ[0]
    unclipped = np.concatenate([y[..., None], photo @ RGB_TO_YIQ[1:].T], -1) @ np.linalg.inv(RGB_TO_YIQ).T
    got = expect_array(exercise, call, got, want)
    expect_close(exercise, call, got + 1, want + 1, FLOAT32_TOL,
                 [Mistake(COLOURS_SWAPPED, reference.keep_colours(photo, painted) + 1, COLOURS_FIX),
                  Mistake(NOT_CLIPPED, unclipped.astype(np.float32) + 1, COLOURS_FIX)], fix=COLOURS_FIX,
                 measure=scaled_error)
    grey = np.full((2, 2, 3), 100, np.float32)
    call = Text("keep_colours(painted, photo) with painted grey 100 and photo grey 100: the same grey",
                "keep_colours(painted, photo)，painted 是灰度 100，photo 也是灰度 100：同一种灰")(say_lang())
    expect_close(exercise, call, lesson.keep_colours(grey, grey.copy()), grey, FLOAT32_TOL, fix=COLOURS_FIX)


# Exercise 3.6 ------------------------------------------------------------------------------------------------
BLEND_FIX = Text("A_l = sum_k w_k A_l^(k) / sum_k w_k, for every layer",
                 "对每一层，A_l = sum_k w_k A_l^(k) / sum_k w_k")
NOT_NORMALISED = Text("weights not divided by their sum", "权重没有除以它们的和")


@pytest.mark.exercise("3.6")
def test_3_6_blend_grams(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(9)
    grams = [{"conv1_1": rng.random((4, 4)), "conv2_1": rng.random((3, 3))} for _ in range(2)]
    weights = [1.0, 3.0]
    call = Text("blend_grams([A1, A2], [1, 3]) with A1, A2 {{conv1_1: (4, 4), conv2_1: (3, 3)}}",
                "blend_grams([A1, A2], [1, 3])，A1、A2 为 {{conv1_1: (4, 4), conv2_1: (3, 3)}}")(say_lang())
    copies = [{k: v.copy() for k, v in g.items()} for g in grams]
    got = lesson.blend_grams(copies, list(weights))
    want = reference.blend_grams(grams, weights)
    if not isinstance(got, dict) or sorted(got) != sorted(want):
        fail(exercise, call, describe(got), "{conv1_1: (4, 4), conv2_1: (3, 3)}", WRONG_RETURN, BLEND_FIX)
    for layer in want:
        unchanged(exercise, call, grams[0] | {"A2 " + k: v for k, v in grams[1].items()},
                  copies[0] | {"A2 " + k: v for k, v in copies[1].items()})
        raw = sum(w * g[layer] for w, g in zip(weights, grams, strict=True))
        expect_close(exercise, f"{call} -> [{layer!r}]", np.asarray(got[layer], dtype=np.float64), want[layer],
                     FLOAT32_TOL, [Mistake(NOT_NORMALISED, raw, BLEND_FIX)], fix=BLEND_FIX)
