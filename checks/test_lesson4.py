"""Lesson 4 · Control: the checks of exercises 4.1-4.8 (`pytest checks/ -k 4.1` runs one exercise).

Every expected value is computed live by the reference solution on small synthetic inputs (seeded random
pictures, features and masks, a stand-in painter for the coarse-to-fine loop): none needs VGG19. Where several
answers are right, the check tests the property instead of one answer: any colour map A with A Sigma_s A^T =
Sigma_c passes 4.2.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import pytest
from PIL import Image
from scipy.ndimage import zoom

from brushstrokes import course
from brushstrokes.base.i18n import Text, language
from brushstrokes.lesson_support import Reconstruction
from checks.compare import (
    ARRAY_FIX,
    FLOAT32_TOL,
    LOSS_TOL,
    SHAPE_FIX,
    WRONG_SHAPE,
    WRONG_TYPE,
    Mistake,
    closest,
    describe,
    expect_array,
    expect_close,
    expect_finite,
    expect_scalar,
    fail,
    unchanged,
)
from checks.loops import WRONG_RETURN
from checks.target import Graded

LESSON = course.lesson("4")


def say_lang() -> str:
    return language()


def scaled_error(x, y) -> float:
    """max |x - y| / max |y|: for arrays whose small entries make an elementwise relative error meaningless."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y)) / max(float(np.max(np.abs(y))), 1e-12))


def abs_error(x, y) -> float:
    """max |x - y|: for masks, whose values lie in 0..1."""
    return float(np.max(np.abs(np.asarray(x, dtype=np.float64) - np.asarray(y, dtype=np.float64))))


LAYERS = Text("the layers {layers}", "这些层：{layers}")
ARRAY_SHAPED = Text("an array of shape {shape}", "形状为 {shape} 的数组")
ORDER_SWAPPED = Text("(H, W) read as (W, H)", "把 (H, W) 当成了 (W, H)")
ORDER_SWAPPED_FIX = Text("shapes here are (H, W) = (rows, columns), as numpy gives them; PIL's resize takes "
                         "(width, height): resize((shape[1], shape[0]), ...)",
                         "这里的尺寸是 (H, W) = (行, 列)，和 numpy 一致；PIL 的 resize 要的是 (宽, 高)："
                         "resize((shape[1], shape[0]), ...)")


def expect_shaped(ex: Graded, call: str, got, shape: tuple[int, ...]) -> np.ndarray:
    """The result must be a finite array of `shape` (any float or integer dtype); returned in float64.
    An array of the shape with its last two axes swapped is named: PIL's sizes are (width, height)."""
    if not isinstance(got, np.ndarray):
        fail(ex, call, describe(got), ARRAY_SHAPED(say_lang(), shape=shape), WRONG_TYPE, ARRAY_FIX)
    if got.shape != shape:
        if len(shape) >= 2 and shape[-1] != shape[-2] and got.shape == (*shape[:-2], shape[-1], shape[-2]):
            fail(ex, call, describe(got), ARRAY_SHAPED(say_lang(), shape=shape), ORDER_SWAPPED, ORDER_SWAPPED_FIX)
        fail(ex, call, describe(got), ARRAY_SHAPED(say_lang(), shape=shape), WRONG_SHAPE, SHAPE_FIX)
    expect_finite(ex, call, got)
    return got.astype(np.float64)


# Exercise 4.1 ------------------------------------------------------------------------------------------------
LUMINANCE_FIX = Text("(L_s - mean(L_s)) * (std(L_c) / std(L_s)) + mean(L_c): the painting standardised, then given "
                     "the photo's spread and mean",
                     "(L_s - mean(L_s)) * (std(L_c) / std(L_s)) + mean(L_c)：先把画标准化，再给它照片的标准差和均值")
PHOTO_MATCHED = Text("the photo matched to the painting", "把照片匹配到了画上")
PHOTO_MATCHED_FIX = Text("only the painting changes: match style_y (the first argument) to content_y's mean and "
                         "std; the result has the painting's shape",
                         "只改变画：把 style_y（第一个参数）匹配到 content_y 的均值和标准差；结果是画的形状")
MEAN_STD_SWAPPED = Text("mean and std swapped", "均值和标准差弄反了")
VARIANCE = Text("variance instead of standard deviation", "用了方差而不是标准差")
VARIANCE_FIX = Text("the spread is the standard deviation, np.std (the square root of np.var): the ratio is "
                    "std(L_c) / std(L_s)",
                    "离散程度用标准差 np.std（np.var 的平方根）：比例是 std(L_c) / std(L_s)")
RATIO_INVERTED = Text("the ratio of the spreads inverted", "标准差之比颠倒了")
RATIO_INVERTED_FIX = Text("multiply by std(L_c) / std(L_s): the photo's spread on top, the painting's below",
                          "乘以 std(L_c) / std(L_s)：照片的标准差在上，画的在下")
ONLY_MEAN = Text("only the mean matched", "只匹配了均值")
ONLY_MEAN_FIX = Text("the spread too: after subtracting the painting's mean, multiply by std(L_c) / std(L_s), then "
                     "add the photo's mean",
                     "标准差也要匹配：减去画的均值后，乘以 std(L_c) / std(L_s)，再加上照片的均值")
ABOUT_ZERO = Text("scaled around 0, not around the mean", "围绕 0 缩放，而不是围绕均值")
ABOUT_ZERO_FIX = Text("subtract the painting's mean before you scale: (L_s - mean(L_s)) * ratio + mean(L_c)",
                      "缩放前先减去画的均值：(L_s - mean(L_s)) * ratio + mean(L_c)")


def luminance_mistakes(style: np.ndarray, content: np.ndarray) -> list[Mistake]:
    s, c = style.astype(np.float64), content.astype(np.float64)
    mu_s, sd_s, mu_c, sd_c = s.mean(), s.std(), c.mean(), c.std()
    return [Mistake(MEAN_STD_SWAPPED, (s - mu_s) * (mu_c / sd_s) + sd_c, LUMINANCE_FIX),
            Mistake(MEAN_STD_SWAPPED, (s - sd_s) * (sd_c / mu_s) + mu_c, LUMINANCE_FIX),
            Mistake(VARIANCE, (s - mu_s) * (c.var() / s.var()) + mu_c, VARIANCE_FIX),
            Mistake(RATIO_INVERTED, (s - mu_s) * (sd_s / sd_c) + mu_c, RATIO_INVERTED_FIX),
            Mistake(ONLY_MEAN, s - mu_s + mu_c, ONLY_MEAN_FIX),
            Mistake(ABOUT_ZERO, s * (sd_c / sd_s) + mu_c, ABOUT_ZERO_FIX),
            Mistake(ABOUT_ZERO, s * (sd_c / sd_s) + mu_c - mu_s, ABOUT_ZERO_FIX),
            Mistake(PHOTO_MATCHED, (c - mu_c) * (sd_s / sd_c) + mu_s, PHOTO_MATCHED_FIX)]


def check_luminance(ex: Graded, lesson: ModuleType, reference: ModuleType, call: str, style, content) -> None:
    inputs = {"style_y": style.copy(), "content_y": content.copy()}
    got = lesson.match_luminance(inputs["style_y"], inputs["content_y"])
    unchanged(ex, call, {"style_y": style, "content_y": content}, inputs)
    want = reference.match_luminance(style, content)
    if isinstance(got, np.ndarray) and got.shape == content.shape != style.shape:
        fail(ex, call, describe(got), ARRAY_SHAPED(say_lang(), shape=style.shape), PHOTO_MATCHED, PHOTO_MATCHED_FIX)
    got = expect_shaped(ex, call, got, style.shape)
    expect_close(ex, call, got, want, FLOAT32_TOL, luminance_mistakes(style, content), fix=LUMINANCE_FIX,
                 measure=scaled_error)


@pytest.mark.exercise("4.1")
def test_4_1_worked_example(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    y = np.array([[10, 20, 30], [60, 90, 150]], dtype=np.float64)
    call = Text("match_luminance(2 * y + 10, y) with y = [[10, 20, 30], [60, 90, 150]]: the painting is the photo "
                "stretched, so matching it gives y back",
                "match_luminance(2 * y + 10, y)，y = [[10, 20, 30], [60, 90, 150]]：画是拉伸过的照片，"
                "匹配后应得到 y 本身")(say_lang())
    check_luminance(exercise, lesson, reference, call, 2 * y + 10, y)


@pytest.mark.exercise("4.1")
def test_4_1_dark_painting_bright_photo(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(41)
    style = rng.uniform(20, 90, (6, 9)).astype(np.float32)
    content = rng.integers(90, 250, (8, 7)).astype(np.uint8)
    call = Text("match_luminance(style_y, content_y) with style_y a dark (6, 9) float32 luminance and content_y a "
                "bright (8, 7) uint8 one",
                "match_luminance(style_y, content_y)，style_y 是较暗的 (6, 9) float32 亮度，"
                "content_y 是较亮的 (8, 7) uint8 亮度")(say_lang())
    check_luminance(exercise, lesson, reference, call, style, content)


# Exercise 4.2 ------------------------------------------------------------------------------------------------
COLOUR_FIX = Text("x' = A (x - mu_s) + mu_c for every pixel of the painting, with A Sigma_s A^T = Sigma_c "
                  "(A = Sigma_c^(1/2) Sigma_s^(-1/2)), then clipped to 0..255",
                  "对画的每个像素 x' = A (x - mu_s) + mu_c，A 满足 A Sigma_s A^T = Sigma_c"
                  "（A = Sigma_c^(1/2) Sigma_s^(-1/2)），再裁剪到 0..255")
PICTURES_SWAPPED = Text("the photo's colours moved to the painting's", "把照片的颜色移到了画上")
PICTURES_SWAPPED_FIX = Text("the painting (style, the first argument) changes, towards the photo's statistics; the "
                            "result has the painting's shape",
                            "要改变的是画（style，第一个参数），让它接近照片的统计量；结果是画的形状")
COLOURS_NOT_CLIPPED = Text("not clipped to 0..255", "没有裁剪到 0..255")
COLOURS_NOT_CLIPPED_FIX = Text("a few pixels of the matched painting fall outside the grey levels: "
                               "np.clip(..., 0, 255) at the end",
                               "匹配后画上有少数像素超出了灰度范围：最后 np.clip(..., 0, 255)")
NOT_LINEAR = Text("not one linear map of the painting's colours", "不是对画的颜色的同一个线性变换")
NOT_LINEAR_FIX = Text("every pixel x of the painting becomes A (x - mu_s) + mu_c with one 3 x 3 matrix A for the "
                      "whole picture (pixels = style.reshape(-1, 3); pixels @ A.T)",
                      "画的每个像素 x 都变成 A (x - mu_s) + mu_c，整张图用同一个 3 x 3 矩阵 A"
                      "（pixels = style.reshape(-1, 3)；pixels @ A.T）")
STATS = Text("the photo's mean colour and colour covariance", "照片的平均颜色和颜色协方差")
STATS_GOT = Text("mean colour off by {mean:.3g} grey levels, covariance off by {cov:.1e} (relative)",
                 "平均颜色差 {mean:.3g} 个灰度级，协方差差 {cov:.1e}（相对）")
MEAN_ONLY = Text("only the mean matched", "只匹配了均值")
MEAN_ONLY_FIX = Text("the covariance too: multiply (x - mu_s) by A = Sigma_c^(1/2) Sigma_s^(-1/2) before adding mu_c",
                     "协方差也要匹配：在加 mu_c 之前，先用 A = Sigma_c^(1/2) Sigma_s^(-1/2) 乘 (x - mu_s)")
PER_CHANNEL = Text("each channel's spread alone, not the covariance", "只匹配了各通道的标准差，没有匹配协方差")
PER_CHANNEL_FIX = Text("scaling R, G and B apart keeps the painting's correlations between channels: use the 3 x 3 "
                       "covariances, A = Sigma_c^(1/2) Sigma_s^(-1/2)",
                       "分别缩放 R、G、B 会保留画的通道间相关性：要用 3 x 3 协方差，A = Sigma_c^(1/2) Sigma_s^(-1/2)")
MAP_INVERTED = Text("the map inverted", "变换矩阵颠倒了")
MAP_INVERTED_FIX = Text("A = Sigma_c^(1/2) Sigma_s^(-1/2): whiten with the painting's covariance, colour with the "
                        "photo's", "A = Sigma_c^(1/2) Sigma_s^(-1/2)：用画的协方差去白化，再用照片的协方差上色")
NO_ROOTS = Text("covariances instead of their square roots", "用了协方差本身而不是它的平方根")
NO_ROOTS_FIX = Text("A Sigma_s A^T = Sigma_c needs square roots: A = Sigma_c^(1/2) Sigma_s^(-1/2), with "
                    "S^(1/2) = (V * np.sqrt(l)) @ V.T from l, V = np.linalg.eigh(S)",
                    "A Sigma_s A^T = Sigma_c 需要平方根：A = Sigma_c^(1/2) Sigma_s^(-1/2)，"
                    "S^(1/2) = (V * np.sqrt(l)) @ V.T，其中 l, V = np.linalg.eigh(S)")
TRANSPOSED_MAP = Text("A applied as its transpose", "把 A 当成它的转置来用了")
TRANSPOSED_MAP_FIX = Text("for pixels stored as rows, `pixels @ A.T` applies A to each; `pixels @ A` applies A^T, "
                          "which is another map (A = Sigma_c^(1/2) Sigma_s^(-1/2) is not symmetric)",
                          "像素按行存放时，`pixels @ A.T` 才是对每个像素用 A；`pixels @ A` 用的是 A^T，"
                          "是另一个变换（A = Sigma_c^(1/2) Sigma_s^(-1/2) 不是对称的）")
MEAN_KEPT = Text("the painting's mean kept", "保留了画的均值")
MEAN_KEPT_FIX = Text("add the photo's mean colour mu_c at the end, not the painting's mu_s",
                     "最后加上照片的平均颜色 mu_c，而不是画的 mu_s")


def roots(cov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(S^(1/2), S^(-1/2)) of a symmetric positive definite matrix."""
    values, vectors = np.linalg.eigh(cov)
    return (vectors * np.sqrt(values)) @ vectors.T, (vectors / np.sqrt(values)) @ vectors.T


def colour_mistakes(style: np.ndarray, content: np.ndarray) -> list[Mistake]:
    s, c = style.reshape(-1, 3).astype(np.float64), content.reshape(-1, 3).astype(np.float64)
    mu_s, mu_c = s.mean(axis=0), c.mean(axis=0)
    cov_s, cov_c = np.cov(s, rowvar=False), np.cov(c, rowvar=False)
    (root_s, inv_root_s), (root_c, inv_root_c) = roots(cov_s), roots(cov_c)
    A = root_c @ inv_root_s

    def out(values: np.ndarray) -> np.ndarray:
        return np.clip(values, 0, 255).reshape(style.shape)

    d = s - mu_s
    return [Mistake(MEAN_ONLY, out(d + mu_c), MEAN_ONLY_FIX),
            *[Mistake(PER_CHANNEL, out(d * (c.std(axis=0, ddof=k) / s.std(axis=0, ddof=k)) + mu_c), PER_CHANNEL_FIX)
              for k in (0, 1)],  # np.std's default, or the ddof of np.cov
            Mistake(MAP_INVERTED, out(d @ (root_s @ inv_root_c).T + mu_c), MAP_INVERTED_FIX),
            Mistake(MAP_INVERTED, out(d @ (inv_root_c @ root_s).T + mu_c), MAP_INVERTED_FIX),
            Mistake(NO_ROOTS, out(d @ (cov_c @ np.linalg.inv(cov_s)).T + mu_c), NO_ROOTS_FIX),
            Mistake(TRANSPOSED_MAP, out(d @ A + mu_c), TRANSPOSED_MAP_FIX),
            Mistake(MEAN_KEPT, out(d @ A.T + mu_s), MEAN_KEPT_FIX)]


def affine_fit(style: np.ndarray, got: np.ndarray) -> tuple[np.ndarray, float]:
    """The affine map of the painting's pixels that gives `got` where got is not clipped: (every pixel through it,
    (n, 3) unclipped, the largest misfit on those pixels in grey levels)."""
    s = np.hstack([style.reshape(-1, 3).astype(np.float64), np.ones((style[..., 0].size, 1))])
    g = got.reshape(-1, 3)
    inside = np.all((g > 0.5) & (g < 254.5), axis=1)
    M = np.linalg.lstsq(s[inside], g[inside], rcond=None)[0]
    return s @ M, float(np.max(np.abs(s[inside] @ M - g[inside])))


def check_colours(ex: Graded, lesson: ModuleType, reference: ModuleType, call: str, style, content) -> None:
    inputs = {"style": style.copy(), "content": content.copy()}
    got = lesson.match_colours(inputs["style"], inputs["content"])
    unchanged(ex, call, {"style": style, "content": content}, inputs)
    if isinstance(got, np.ndarray) and got.shape == content.shape != style.shape:
        fail(ex, call, describe(got), ARRAY_SHAPED(say_lang(), shape=style.shape), PICTURES_SWAPPED,
             PICTURES_SWAPPED_FIX)
    got = expect_shaped(ex, call, got, style.shape)
    lo, hi = float(got.min()), float(got.max())
    if lo < -1e-3 or hi > 255 + 1e-3:
        fail(ex, call, describe(got), Text("values in 0..255", "取值在 0..255 之内")(say_lang()), COLOURS_NOT_CLIPPED,
             COLOURS_NOT_CLIPPED_FIX)
    mistakes = colour_mistakes(style, content)
    unclipped, misfit = affine_fit(style, got)
    if misfit > 0.05 or abs_error(np.clip(unclipped, 0, 255).reshape(style.shape), got) > 0.05:
        known = closest(got, mistakes, FLOAT32_TOL, scaled_error)
        if known is not None:
            fail(ex, call, describe(got), STATS, known.name, known.fix)
        fail(ex, call, describe(got), STATS, NOT_LINEAR, NOT_LINEAR_FIX)
    c = content.reshape(-1, 3).astype(np.float64)
    mean_off = float(np.max(np.abs(unclipped.mean(axis=0) - c.mean(axis=0))))
    cov_off = min(scaled_error(np.cov(unclipped, rowvar=False, ddof=d), np.cov(c, rowvar=False, ddof=d))
                  for d in (0, 1))  # either convention, used for both pictures
    if mean_off > 1e-2 or cov_off > FLOAT32_TOL:
        known = closest(got, mistakes, FLOAT32_TOL, scaled_error)
        got_text = STATS_GOT(say_lang(), mean=mean_off, cov=cov_off)
        if known is not None:
            fail(ex, call, got_text, STATS, known.name, known.fix)
        fail(ex, call, got_text, STATS, None, COLOUR_FIX)


def correlated(rng: np.random.Generator, shape: tuple[int, int], mean, mix, spread: float) -> np.ndarray:
    """A random RGB picture whose channels are correlated: mean + spread * (noise @ mix)."""
    noise = rng.standard_normal((*shape, 3))
    return (np.asarray(mean, np.float64) + spread * noise @ np.asarray(mix, np.float64)).astype(np.float32)


@pytest.mark.exercise("4.2")
def test_4_2_colours_within_range(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(42)
    style = correlated(rng, (14, 12), (90, 110, 150), [[1.0, 0.6, 0.1], [0.0, 0.8, 0.5], [0.2, 0.0, 0.6]], 12)
    content = correlated(rng, (11, 13), (140, 120, 80), [[0.7, 0.1, 0.4], [0.3, 1.0, 0.0], [0.0, 0.5, 0.9]], 14)
    call = Text("match_colours(style, content) with a bluish (14, 12, 3) painting and a warm (11, 13, 3) photo, "
                "channels correlated differently, no pixel outside 0..255 after the map",
                "match_colours(style, content)，偏蓝的 (14, 12, 3) 画和偏暖的 (11, 13, 3) 照片，"
                "通道相关性不同，变换后没有像素超出 0..255")(say_lang())
    check_colours(exercise, lesson, reference, call, style, content)


@pytest.mark.exercise("4.2")
def test_4_2_colours_clipped(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(7)
    style = correlated(rng, (12, 15), (120, 120, 120), [[1.0, 0.2, 0.0], [0.1, 0.3, 0.2], [0.0, 0.1, 0.4]], 10)
    style[0, :4] = [[250, 20, 10], [5, 240, 30], [10, 10, 250], [250, 250, 5]]  # a few saturated strokes
    content = correlated(rng, (10, 9), (128, 100, 110), [[1.0, 0.5, 0.2], [0.4, 1.0, 0.3], [0.1, 0.3, 1.0]], 25)
    call = Text("match_colours(style, content) with a (12, 15, 3) painting with a few saturated strokes and a "
                "(10, 9, 3) photo: some matched pixels fall outside 0..255",
                "match_colours(style, content)，(12, 15, 3) 的画上有几笔饱和的颜色，照片是 (10, 9, 3)："
                "匹配后有些像素超出 0..255")(say_lang())
    check_colours(exercise, lesson, reference, call, style, content)


GREY_FIX = Text("a grey painting (R = G = B everywhere) has a singular colour covariance: its eigenvalues are 0, or "
                "a hair below; keep them above a floor, np.maximum(l, 1e-8), before 1 / np.sqrt(l) (Cholesky cannot "
                "factor such a matrix)",
                "灰色的画（处处 R = G = B）的颜色协方差是奇异的：特征值为 0 或略小于 0；在 1 / np.sqrt(l) 之前"
                "给它们设一个下限，np.maximum(l, 1e-8)（Cholesky 分解不了这样的矩阵）")


@pytest.mark.exercise("4.2")
def test_4_2_grey_painting(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(0)
    style = np.repeat(rng.uniform(30, 220, (10, 12, 1)), 3, axis=2).astype(np.float32)
    content = rng.uniform(0, 255, (9, 8, 3)).astype(np.float32)
    call = Text("match_colours(style, content) with a grey (10, 12, 3) painting (R = G = B, as in a pencil drawing) "
                "and a random (9, 8, 3) photo",
                "match_colours(style, content)，灰色的 (10, 12, 3) 画（R = G = B，像铅笔画）和随机的 (9, 8, 3) 照片")(
        say_lang())
    inputs = {"style": style.copy(), "content": content.copy()}
    got = expect_shaped(exercise, call, lesson.match_colours(inputs["style"], inputs["content"]), style.shape)
    unchanged(exercise, call, {"style": style, "content": content}, inputs)
    expect_close(exercise, call, got, reference.match_colours(style, content), 1e-3, fix=GREY_FIX,
                 measure=scaled_error)


# Exercise 4.3 ------------------------------------------------------------------------------------------------
UPSAMPLE_FIX = Text("bilinear, pixel centres aligned, edges repeated: zoom(x, (1, 1, H / h, W / w), order=1, "
                    "grid_mode=True, mode=\"nearest\"), as float32",
                    "双线性、像素中心对齐、边缘重复：zoom(x, (1, 1, H / h, W / w), order=1, grid_mode=True, "
                    "mode=\"nearest\")，float32")
OVERSHOOTS = Text("values outside the image's range", "取值超出了图像的范围")
OVERSHOOTS_FIX = Text("bilinear interpolation (order=1) stays between its neighbours; zoom's default order=3 (a cubic "
                      "spline) and bicubic overshoot at edges: pass order=1",
                      "双线性插值（order=1）的结果总在相邻像素之间；zoom 默认的 order=3（三次样条）和双三次插值"
                      "会在边缘处越界：请传 order=1")
NEAREST = Text("nearest neighbour instead of bilinear", "用了最近邻而不是双线性")
NEAREST_FIX = Text("order=1 (bilinear): nearest neighbour makes blocks, whose edges the next scale then paints over "
                   "as if they were strokes",
                   "用 order=1（双线性）：最近邻会产生方块，下一个尺度会把方块的边缘当成笔触来画")
CORNERS = Text("corners aligned instead of pixel centres", "对齐了角点而不是像素中心")
CORNERS_FIX = Text("grid_mode=True: pixel i covers [i, i + 1), so the picture's edges (not its corner pixels' "
                   "centres) line up, as PIL and the pooling layers see it",
                   "grid_mode=True：像素 i 覆盖 [i, i + 1)，对齐的是图像的边缘（而不是角上像素的中心），"
                   "和 PIL 及池化层的看法一致")
ZEROS_OUTSIDE = Text("zeros past the edges", "边缘之外取了零")
ZEROS_OUTSIDE_FIX = Text("mode=\"nearest\": past the edges the edge pixels repeat; zeros darken the border",
                         "mode=\"nearest\"：边缘之外重复边缘像素；取零会让边框变暗")


def upsample_mistakes(x: np.ndarray, shape: tuple[int, int]) -> list[Mistake]:
    factors = (1, 1, shape[0] / x.shape[2], shape[1] / x.shape[3])
    x = x.astype(np.float32)
    return [Mistake(NEAREST, zoom(x, factors, order=0, grid_mode=True, mode="nearest"), NEAREST_FIX),
            Mistake(NEAREST, np.stack([np.asarray(Image.fromarray(c, mode="F").resize(
                (shape[1], shape[0]), Image.Resampling.NEAREST)) for c in x[0]])[None], NEAREST_FIX),
            Mistake(CORNERS, zoom(x, factors, order=1, grid_mode=False, mode="nearest"), CORNERS_FIX),
            Mistake(ZEROS_OUTSIDE, zoom(x, factors, order=1, grid_mode=True, mode="grid-constant"), ZEROS_OUTSIDE_FIX)]


def check_upsample(ex: Graded, lesson: ModuleType, reference: ModuleType, call: str, x: np.ndarray,
                   shape: tuple[int, int]) -> None:
    inputs = {"x": x.copy()}
    got = lesson.upsample(inputs["x"], shape)
    unchanged(ex, call, {"x": x}, inputs)
    want = reference.upsample(x, shape)
    expect_shaped(ex, call, got, want.shape)
    got = expect_array(ex, call, got, want)
    if got.min() < x.min() - 1e-3 or got.max() > x.max() + 1e-3:
        fail(ex, call, describe(got), Text("values within x's range [{lo:.4g}, {hi:.4g}]",
                                           "取值在 x 的范围 [{lo:.4g}, {hi:.4g}] 之内")(
            say_lang(), lo=float(x.min()), hi=float(x.max())), OVERSHOOTS, OVERSHOOTS_FIX)
    expect_close(ex, call, got, want, FLOAT32_TOL, upsample_mistakes(x, shape), fix=UPSAMPLE_FIX,
                 measure=scaled_error)


@pytest.mark.exercise("4.3")
def test_4_3_upsample_by_odd_factors(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    x = (np.random.default_rng(43).standard_normal((1, 3, 4, 5)) * 60).astype(np.float32)
    call = Text("upsample(x, (7, 9)) with x random (1, 3, 4, 5) float32: 4 rows to 7, 5 columns to 9",
                "upsample(x, (7, 9))，x 是随机的 (1, 3, 4, 5) float32：4 行变 7 行，5 列变 9 列")(say_lang())
    check_upsample(exercise, lesson, reference, call, x, (7, 9))


@pytest.mark.exercise("4.3")
def test_4_3_upsample_twice_the_size_and_the_same(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    x = (np.random.default_rng(44).uniform(-120, 130, (1, 3, 3, 6))).astype(np.float32)
    call = Text("upsample(x, (6, 12)) with x random (1, 3, 3, 6) float32: twice the size",
                "upsample(x, (6, 12))，x 是随机的 (1, 3, 3, 6) float32：放大两倍")(say_lang())
    check_upsample(exercise, lesson, reference, call, x, (6, 12))
    call = Text("upsample(x, (3, 6)) with x (1, 3, 3, 6): the same size gives x back",
                "upsample(x, (3, 6))，x 是 (1, 3, 3, 6)：尺寸不变时应返回 x 本身")(say_lang())
    check_upsample(exercise, lesson, reference, call, x, (3, 6))


# Exercise 4.4 ------------------------------------------------------------------------------------------------
C2F_FIX = Text("paint at shapes[0] from x0; at each next shape start from the previous result's .x, upsampled to "
               "that shape; return every scale's Reconstruction, in order",
               "先在 shapes[0] 上从 x0 作画；之后每个尺寸都从上一个结果的 .x 出发，先放大到该尺寸；"
               "按顺序返回每个尺度的 Reconstruction")
LIST_OF = Text("a list of {n} Reconstructions, one per shape", "一个含 {n} 个 Reconstruction 的列表，每个尺寸一个")
LIST_FIX = Text("collect paint_at's results in a list, results.append(paint_at(shape, x)), and return the whole "
                "list (the last one is the final painting)",
                "把 paint_at 的结果收集到列表里，results.append(paint_at(shape, x))，并返回整个列表"
                "（最后一个是最终的画）")
SIZES_CALLED = Text("paint_at called at {shapes}", "paint_at 的调用尺寸是 {shapes}")
SIZES_WANTED = Text("paint_at called at {shapes}, in that order", "按顺序在 {shapes} 调用 paint_at")
LARGEST_FIRST = Text("the sizes in the wrong order", "尺寸的顺序不对")
LARGEST_FIRST_FIX = Text("go through shapes as given, smallest first: the coarse scales find the composition, the "
                         "large ones refine it",
                         "按给定的顺序遍历 shapes，从小到大：粗尺度确定构图，大尺度细化")
NOT_UPSAMPLED = Text("the start not upsampled", "起点没有放大")
NOT_UPSAMPLED_FIX = Text("the previous result has the previous size: upsample(x, shape) before painting at the next "
                         "shape",
                         "上一个结果是上一个尺寸：在下一个尺寸作画前先 upsample(x, shape)")
START_SHAPE = Text("a start of shape {shape} at {at}", "在 {at} 处的起点形状为 {shape}")
NOT_PREVIOUS = Text("not started from the previous result", "没有从上一个结果出发")
NOT_PREVIOUS_FIX = Text("each scale starts from what the previous scale painted: x = results[-1].x after each "
                        "paint_at, then upsample(x, shape) at the next",
                        "每个尺度都从上一个尺度画出的结果出发：每次 paint_at 之后 x = results[-1].x，"
                        "下一个尺寸再 upsample(x, shape)")
FROM_NOISE = Text("a new start at every scale", "每个尺度都重新起步")
FROM_NOISE_FIX = Text("do not start over (from noise or anything new) at the next scale: upsample the previous "
                      "result, x = upsample(results[-1].x, shape)",
                      "下一个尺度不要重新起步（无论是噪声还是别的）：放大上一个结果，"
                      "x = upsample(results[-1].x, shape)")
FIRST_START_FIX = Text("paint at shapes[0] from x0 itself (it has that size already)",
                       "在 shapes[0] 上直接从 x0 出发（它已经是这个尺寸）")
RESULTS_KEPT = Text("the results are not paint_at's", "结果不是 paint_at 返回的")
RESULTS_KEPT_FIX = Text("return the Reconstructions paint_at returned, as they are, one per shape",
                        "原样返回 paint_at 返回的 Reconstruction，每个尺寸一个")


class Painter:
    """A stand-in for paint_at(shape, start): records each call and returns a Reconstruction whose x is
    0.5 * start + a pattern of the shape (so a result differs from its start and from every other scale's)."""

    def __init__(self) -> None:
        self.calls: list[tuple[tuple[int, int], np.ndarray]] = []

    def __call__(self, shape, start):
        start = np.array(start, dtype=np.float32, copy=True)
        self.calls.append((tuple(shape), start))
        h, w = start.shape[2:]
        pattern = np.sin(np.arange(3 * h * w, dtype=np.float32) * (0.3 + 0.01 * len(self.calls))).reshape(1, 3, h, w)
        x = (0.5 * start + 40 * pattern).astype(np.float32)
        return Reconstruction(x, [float(np.sum(x**2)), float(np.sum(x**2)) / 2], {0: start})


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(np.corrcoef(a, b)[0, 1]) if a.std() > 0 and b.std() > 0 else 0.0


def previous_mistakes(reference: ModuleType, x0: np.ndarray, shapes) -> list[list[Mistake]]:
    """For each scale k: the starts a loop that does not carry the previous result would hand paint_at."""
    chained, found = x0, []
    for k, shape in enumerate(shapes):
        chained = reference.upsample(chained, shape)
        found.append([Mistake(NOT_PREVIOUS, reference.upsample(x0, shape), NOT_PREVIOUS_FIX),
                      Mistake(NOT_PREVIOUS, chained, NOT_PREVIOUS_FIX)] if k else [])
    return found


def check_coarse_to_fine(ex: Graded, isolated: ModuleType, reference: ModuleType, call: str, shapes,
                         x0: np.ndarray) -> None:
    want_painter, painter = Painter(), Painter()
    want = reference.coarse_to_fine(want_painter, list(shapes), x0.copy())
    inputs = {"x0": x0.copy()}
    got = isolated.coarse_to_fine(painter, list(shapes), inputs["x0"])
    unchanged(ex, call, {"x0": x0}, inputs)
    lang = say_lang()
    called = [shape for shape, _ in painter.calls]
    if called != list(shapes):
        name = LARGEST_FIRST if sorted(called) == sorted(shapes) else None
        fail(ex, call, SIZES_CALLED(lang, shapes=called), SIZES_WANTED(lang, shapes=list(shapes)), name,
             LARGEST_FIRST_FIX if name else C2F_FIX)
    for k, ((shape, start), (_, wanted)) in enumerate(zip(painter.calls, want_painter.calls, strict=True)):
        at = f"paint_at({shape}, start) #{k + 1}"
        if start.shape != wanted.shape:
            fail(ex, call, START_SHAPE(lang, shape=start.shape, at=at), START_SHAPE(lang, shape=wanted.shape, at=at),
                 NOT_UPSAMPLED, NOT_UPSAMPLED_FIX)
        if k == 0:
            expect_close(ex, f"{call} -> {at}", start, wanted, FLOAT32_TOL, fix=FIRST_START_FIX, measure=scaled_error)
            continue
        mistakes = previous_mistakes(reference, x0, shapes)[k]
        if scaled_error(start, wanted) > FLOAT32_TOL and closest(start, mistakes, FLOAT32_TOL, scaled_error) is None \
                and abs(correlation(start, wanted)) < 0.5:
            mistakes.append(Mistake(FROM_NOISE, start, FROM_NOISE_FIX))
        expect_close(ex, f"{call} -> {at}", start, wanted, FLOAT32_TOL, mistakes, fix=C2F_FIX, measure=scaled_error)
    if isinstance(got, Reconstruction) or not isinstance(got, list | tuple) or len(got) != len(want):
        fail(ex, call, describe(got), LIST_OF(lang, n=len(want)), WRONG_RETURN, LIST_FIX)
    for k, (item, wanted) in enumerate(zip(got, want, strict=True)):
        if not isinstance(item, tuple) or len(item) != 3 or not isinstance(item[0], np.ndarray) or \
                item[0].shape != wanted.x.shape or scaled_error(item[0], wanted.x) > FLOAT32_TOL:
            fail(ex, f"{call} -> [{k}]", describe(item), Text("paint_at's Reconstruction at {shape}",
                                                              "paint_at 在 {shape} 返回的 Reconstruction")(
                lang, shape=shapes[k]), RESULTS_KEPT, RESULTS_KEPT_FIX)


@pytest.mark.exercise("4.4")
def test_4_4_three_scales(isolated: ModuleType, reference: ModuleType, exercise: Graded):
    shapes = [(3, 4), (5, 7), (9, 13)]
    x0 = (np.random.default_rng(45).standard_normal((1, 3, 3, 4)) * 50).astype(np.float32)
    call = Text("coarse_to_fine(paint_at, [(3, 4), (5, 7), (9, 13)], x0) with x0 random (1, 3, 3, 4) and a "
                "stand-in paint_at whose result is 0.5 * start + a pattern",
                "coarse_to_fine(paint_at, [(3, 4), (5, 7), (9, 13)], x0)，x0 是随机的 (1, 3, 3, 4)，"
                "paint_at 是替身，结果为 0.5 * start + 一个图案")(say_lang())
    check_coarse_to_fine(exercise, isolated, reference, call, shapes, x0)


@pytest.mark.exercise("4.4")
def test_4_4_one_scale(isolated: ModuleType, reference: ModuleType, exercise: Graded):
    shapes = [(4, 6)]
    x0 = (np.random.default_rng(46).standard_normal((1, 3, 4, 6)) * 50).astype(np.float32)
    call = Text("coarse_to_fine(paint_at, [(4, 6)], x0) with x0 random (1, 3, 4, 6): one scale is lesson 3's run",
                "coarse_to_fine(paint_at, [(4, 6)], x0)，x0 是随机的 (1, 3, 4, 6)：只有一个尺度时就是第 3 课的作画")(
        say_lang())
    check_coarse_to_fine(exercise, isolated, reference, call, shapes, x0)


# Exercise 4.5 ------------------------------------------------------------------------------------------------
MASK_FIX = Text("each small pixel is the average of the pixels of T it covers: Image.fromarray(T.astype(np.float32), "
                "mode=\"F\").resize((w, h), Image.Resampling.BOX), as float64",
                "每个小像素是它覆盖的 T 中像素的平均值：Image.fromarray(T.astype(np.float32), mode=\"F\")"
                ".resize((w, h), Image.Resampling.BOX)，转成 float64")
MASK_RANGE = Text("values outside 0..1", "取值超出了 0..1")
MASK_RANGE_FIX = Text("an average of values in 0..1 stays in 0..1: use the BOX filter (bicubic and Lanczos "
                      "overshoot at a region's edge), or np.clip(..., 0, 1)",
                      "0..1 之间的值求平均仍在 0..1：用 BOX 滤波（双三次和 Lanczos 会在区域边缘越界），"
                      "或者 np.clip(..., 0, 1)")
PICKED = Text("pixels picked, not averaged", "取了像素而不是求平均")
PICKED_FIX = Text("T[::2, ::2] and NEAREST keep one pixel in each block and drop the rest: a thin region can "
                  "vanish; average them with the BOX filter",
                  "T[::2, ::2] 和 NEAREST 在每块里只取一个像素、丢掉其余：细的区域可能消失；"
                  "请用 BOX 滤波求平均")
BILINEAR = Text("a bilinear filter, not the area average", "用了双线性滤波，而不是面积平均")
BILINEAR_FIX = Text("PIL's BILINEAR weighs the pixels by their distance and reaches past the small pixel's area; the "
                    "mask is the fraction of the area inside the region: Image.Resampling.BOX",
                    "PIL 的 BILINEAR 按距离加权，还会超出小像素的面积；掩码应是区域所占的面积比例："
                    "Image.Resampling.BOX")
VALUES_01 = Text("values in 0..1", "取值在 0..1 之内")


def disc(shape: tuple[int, int], centre: tuple[float, float], radius: float) -> np.ndarray:
    rows, cols = np.mgrid[:shape[0], :shape[1]]
    return (((rows - centre[0]) ** 2 + (cols - centre[1]) ** 2) <= radius**2).astype(np.float64)


def resized(T: np.ndarray, shape: tuple[int, int], method) -> np.ndarray:
    small = Image.fromarray(T.astype(np.float32), mode="F").resize((shape[1], shape[0]), method)
    return np.asarray(small, dtype=np.float64)


def check_mask(ex: Graded, lesson: ModuleType, reference: ModuleType, call: str, T: np.ndarray, shape) -> None:
    inputs = {"T": T.copy()}
    got = lesson.mask_at(inputs["T"], shape)
    unchanged(ex, call, {"T": T}, inputs)
    got = expect_shaped(ex, call, got, tuple(shape))
    if got.min() < -1e-6 or got.max() > 1 + 1e-6:
        fail(ex, call, describe(got), VALUES_01, MASK_RANGE, MASK_RANGE_FIX)
    mistakes = [Mistake(PICKED, resized(T, shape, Image.Resampling.NEAREST), PICKED_FIX),
                Mistake(BILINEAR, resized(T, shape, Image.Resampling.BILINEAR), BILINEAR_FIX)]
    step = (max(1, round(T.shape[0] / shape[0])), max(1, round(T.shape[1] / shape[1])))
    for r in range(step[0]):
        for c in range(step[1]):
            picked = T[r::step[0], c::step[1]][:shape[0], :shape[1]]
            if picked.shape == tuple(shape):
                mistakes.append(Mistake(PICKED, picked, PICKED_FIX))
    expect_close(ex, call, got, reference.mask_at(T, shape), FLOAT32_TOL, mistakes, fix=MASK_FIX, measure=abs_error)


@pytest.mark.exercise("4.5")
def test_4_5_a_disc_at_each_layer(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    T = disc((11, 15), (5.0, 6.5), 3.6)
    for shape in ((6, 8), (3, 4)):
        call = Text("mask_at(T, {shape}) with T a disc of ones in an (11, 15) mask of zeros",
                    "mask_at(T, {shape})，T 是 (11, 15) 的零掩码里的一个全 1 圆盘")(say_lang(), shape=shape)
        check_mask(exercise, lesson, reference, call, T, shape)


@pytest.mark.exercise("4.5")
def test_4_5_a_thin_line_does_not_vanish(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    T = np.zeros((12, 9))
    T[:, 3] = 1.0  # a one-pixel line on an odd column: picking even columns drops it
    call = Text("mask_at(T, (6, 5)) with T a (12, 9) mask that is 1 on column 3 only",
                "mask_at(T, (6, 5))，T 是 (12, 9) 的掩码，只有第 3 列为 1")(say_lang())
    check_mask(exercise, lesson, reference, call, T, (6, 5))


# Exercise 4.6 ------------------------------------------------------------------------------------------------
GUIDED_FIX = Text("G_r = (F * T)_flat (F * T)_flat^T: multiply each channel by T once, flatten to (N, h*w), then "
                  "flat @ flat.T",
                  "G_r = (F * T)_flat (F * T)_flat^T：每个通道乘一次 T，展平成 (N, h*w)，再 flat @ flat.T")
MASK_TWICE = Text("the mask applied twice", "掩码乘了两次")
MASK_TWICE_FIX = Text("multiply F by T once: (F T)(F T)^T already holds T twice in each entry; F * T**2 makes it T^4",
                      "F 只乘一次 T：(F T)(F T)^T 的每个元素里已经有两次 T；F * T**2 会变成 T^4")
NO_MASK = Text("the mask left out", "漏了掩码")
NO_MASK_FIX = Text("multiply every channel of F by T before the Gram matrix: (F * T).reshape(N, -1)",
                   "求 Gram 矩阵之前把 F 的每个通道乘以 T：(F * T).reshape(N, -1)")
MASK_TRANSPOSED = Text("the mask transposed", "掩码转置了")
MASK_TRANSPOSED_FIX = Text("T is (h, w) like each channel of F: F * T, without .T",
                           "T 和 F 的每个通道一样是 (h, w)：直接 F * T，不要 .T")
AREA = Text("normalised by the region's area", "除以了区域的面积")
AREA_FIX = Text("no normalisation here, as in lesson 2's gram: the layer's loss divides by N^2 M^2",
                "这里不做归一化，和第 2 课的 gram 一样：这一层的损失会除以 N^2 M^2")


def guided_mistakes(F: np.ndarray, T: np.ndarray) -> list[Mistake]:
    def gram(G: np.ndarray) -> np.ndarray:
        flat = G.reshape(G.shape[0], -1).astype(np.float64)
        return flat @ flat.T

    found = [Mistake(MASK_TWICE, gram(F * T**2), MASK_TWICE_FIX), Mistake(NO_MASK, gram(F), NO_MASK_FIX),
             Mistake(AREA, gram(F * T) / T.sum(), AREA_FIX), Mistake(AREA, gram(F * T) / T.size, AREA_FIX)]
    if T.shape[0] == T.shape[1]:
        found.append(Mistake(MASK_TRANSPOSED, gram(F * T.T), MASK_TRANSPOSED_FIX))
    return found


def check_guided(ex: Graded, lesson: ModuleType, reference: ModuleType, call: str, F, T) -> None:
    inputs = {"F": F.copy(), "T": T.copy()}
    got = lesson.guided_gram(inputs["F"], inputs["T"])
    unchanged(ex, call, {"F": F, "T": T}, inputs)
    got = expect_shaped(ex, call, got, (F.shape[0], F.shape[0]))
    expect_close(ex, call, got, reference.guided_gram(F, T), FLOAT32_TOL, guided_mistakes(F, T), fix=GUIDED_FIX,
                 measure=scaled_error)


def relu_features(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Features after a ReLU: about half of them 0."""
    return np.maximum(rng.standard_normal(shape) * 2, 0).astype(np.float32)


@pytest.mark.exercise("4.6")
def test_4_6_soft_mask(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(46)
    F, T = relu_features(rng, (4, 5, 5)), rng.uniform(0, 1, (5, 5))
    call = Text("guided_gram(F, T) with F (4, 5, 5) ReLU features and T a soft (5, 5) mask of values in 0..1",
                "guided_gram(F, T)，F 是 (4, 5, 5) 的 ReLU 特征，T 是取值在 0..1 的 (5, 5) 软掩码")(say_lang())
    check_guided(exercise, lesson, reference, call, F, T)


@pytest.mark.exercise("4.6")
def test_4_6_region_and_ones(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(47)
    F = relu_features(rng, (3, 4, 6))
    T = np.zeros((4, 6))
    T[1:3, 2:] = 1.0
    T[0, 1] = 0.25
    call = Text("guided_gram(F, T) with F (3, 4, 6) and T a (4, 6) region of ones with one pixel at 0.25",
                "guided_gram(F, T)，F 是 (3, 4, 6)，T 是 (4, 6) 的全 1 区域，另有一个像素为 0.25")(say_lang())
    check_guided(exercise, lesson, reference, call, F, T)
    call = Text("guided_gram(F, T) with T all ones: lesson 2's gram(F)",
                "guided_gram(F, T)，T 全为 1：就是第 2 课的 gram(F)")(say_lang())
    check_guided(exercise, lesson, reference, call, F, np.ones((4, 6)))


# Exercise 4.7 ------------------------------------------------------------------------------------------------
REGIONS_FIX = Text("L = sum_l w_l sum_r E_l(F * T_r, A_r); dL/dZ_l = w_l sum_r T_r * style_layer_grad(F * T_r, A_r)",
                   "L = sum_l w_l sum_r E_l(F * T_r, A_r)；dL/dZ_l = w_l sum_r T_r * style_layer_grad(F * T_r, A_r)")
AVERAGED = Text("the regions averaged, not summed", "对区域求了平均而不是求和")
AVERAGED_FIX = Text("each region is a loss of its own: add them up (the masks already share the picture out "
                    "between the regions)",
                    "每个区域都是一个独立的损失：把它们加起来（掩码已经把画面分给了各个区域）")
NO_WEIGHTS = Text("the layer weights ignored", "忽略了层权重")
NO_WEIGHTS_FIX = Text("multiply layer l's loss and its gradient by weights[layer]",
                      "第 l 层的损失和梯度都要乘以 weights[layer]")
UNMASKED = Text("the features not masked", "特征没有乘掩码")
UNMASKED_FIX = Text("region r's loss compares the masked features F * T_r with its target: "
                    "style_layer_loss(F * T, A) and style_layer_grad(F * T, A)",
                    "区域 r 的损失比较的是加了掩码的特征 F * T_r 与它的目标：style_layer_loss(F * T, A) 和 "
                    "style_layer_grad(F * T, A)")
NO_MASK_FACTOR = Text("the gradient without the mask factor", "梯度少乘了掩码")
NO_MASK_FACTOR_FIX = Text("the chain rule through F * T multiplies by T: grad += w * style_layer_grad(F * T, A) * T",
                          "经过 F * T 的链式法则要乘以 T：grad += w * style_layer_grad(F * T, A) * T")
LAST_REGION = Text("only the last region's gradient kept", "只保留了最后一个区域的梯度")
LAST_REGION_FIX = Text("add each region's gradient to the layer's (grad += ...), starting from zeros",
                       "从零开始，把每个区域的梯度加到这一层的梯度上（grad += ...）")
PAIR = Text("a tuple (loss, {{layer: gradient}})", "一个元组 (损失, {{层: 梯度}})")
PAIR_FIX = Text("return loss, grads: grads a dict with one (N, h, w) gradient per layer of weights",
                "return loss, grads：grads 是字典，weights 的每一层一个 (N, h, w) 梯度")


def regions_problem(seed: int, regions: int = 2) -> tuple[dict, dict, dict, dict]:
    """(features, masks, targets, weights) on two layers, plus a layer of features that weights leaves out."""
    rng = np.random.default_rng(seed)
    shapes = {"conv1_1": (3, 6, 5), "conv2_1": (4, 3, 3), "conv3_1": (2, 2, 2)}
    features = {layer: relu_features(rng, shape) for layer, shape in shapes.items()}
    masks, targets = {}, {}
    for layer, (n, h, w) in shapes.items():
        first = rng.uniform(0, 1, (h, w))
        masks[layer] = [first, 1 - first][:regions] if regions > 1 else [np.ones((h, w))]
        targets[layer] = []
        for _ in masks[layer]:
            flat = (relu_features(rng, (n, h, w)) * rng.uniform(0, 1, (h, w))).reshape(n, -1).astype(np.float64)
            targets[layer].append(flat @ flat.T)
    return features, masks, targets, {"conv1_1": 0.3, "conv2_1": 0.7}


def region_mistakes(ref: ModuleType, features, masks, targets, weights) -> tuple[list[Mistake], dict[str, list]]:
    """(loss mistakes, {layer: gradient mistakes}), each computed with lesson 2's reference."""
    def total(weigh, average, mask_loss) -> float:
        loss = 0.0
        for layer, w in weights.items():
            F = features[layer]
            terms = [ref.style_layer_loss(F * T if mask_loss else F, A)
                     for T, A in zip(masks[layer], targets[layer], strict=True)]
            loss += (w if weigh else 1.0) * (np.mean(terms) if average else np.sum(terms))
        return loss

    def grads(layer: str, weigh, average, factor, last) -> np.ndarray:
        F, w = features[layer], weights[layer] if weigh else 1.0
        terms = [w * ref.style_layer_grad(F * T, A).astype(np.float64) * (T if factor else 1.0)
                 for T, A in zip(masks[layer], targets[layer], strict=True)]
        return terms[-1] if last else (np.mean(terms, axis=0) if average else np.sum(terms, axis=0))

    losses = [Mistake(AVERAGED, total(True, True, True), AVERAGED_FIX),
              Mistake(NO_WEIGHTS, total(False, False, True), NO_WEIGHTS_FIX),
              Mistake(UNMASKED, total(True, False, False), UNMASKED_FIX)]
    per_layer = {layer: [Mistake(NO_MASK_FACTOR, grads(layer, True, False, False, False), NO_MASK_FACTOR_FIX),
                         Mistake(AVERAGED, grads(layer, True, True, True, False), AVERAGED_FIX),
                         Mistake(NO_WEIGHTS, grads(layer, False, False, True, False), NO_WEIGHTS_FIX),
                         Mistake(LAST_REGION, grads(layer, True, False, True, True), LAST_REGION_FIX)]
                 for layer in weights}
    return losses, per_layer


def l2_reference() -> ModuleType:
    from checks.target import Target

    return Target(package="solutions").load(course.lesson("2").module)


def check_regions(ex: Graded, isolated: ModuleType, call: str, problem, want) -> None:
    features, masks, targets, weights = problem
    fresh = ({k: v.copy() for k, v in features.items()}, {k: [T.copy() for T in v] for k, v in masks.items()},
             {k: [A.copy() for A in v] for k, v in targets.items()}, dict(weights))
    got = isolated.guided_style_loss(*fresh)
    unchanged(ex, call, features, fresh[0])
    if not isinstance(got, tuple) or len(got) != 2 or not isinstance(got[1], dict):
        fail(ex, call, describe(got), PAIR, WRONG_RETURN, PAIR_FIX)
    if sorted(got[1]) != sorted(weights):
        fail(ex, call + " -> gradients", LAYERS(say_lang(), layers=sorted(got[1])),
             LAYERS(say_lang(), layers=sorted(weights)), WRONG_RETURN, PAIR_FIX)
    loss_mistakes, grad_mistakes = region_mistakes(l2_reference(), features, masks, targets, weights)
    expect_close(ex, call + " -> loss", expect_scalar(ex, call + " -> loss", got[0]), want[0], LOSS_TOL,
                 loss_mistakes, fix=REGIONS_FIX)
    for layer, grad in want[1].items():
        got_grad = expect_shaped(ex, f"{call} -> gradients[{layer!r}]", got[1][layer], grad.shape)
        expect_close(ex, f"{call} -> gradients[{layer!r}]", got_grad, grad, FLOAT32_TOL, grad_mistakes[layer],
                     fix=REGIONS_FIX, measure=scaled_error)


@pytest.mark.exercise("4.7")
def test_4_7_two_regions(isolated: ModuleType, reference: ModuleType, exercise: Graded):
    problem = regions_problem(47)
    call = Text("guided_style_loss(features, masks, targets, weights) with two layers (conv1_1 (3, 6, 5), "
                "conv2_1 (4, 3, 3)) of weights 0.3 and 0.7, two regions of soft masks T and 1 - T, a target each",
                "guided_style_loss(features, masks, targets, weights)，两层（conv1_1 (3, 6, 5)、conv2_1 (4, 3, 3)），"
                "权重 0.3 和 0.7，两个区域的软掩码 T 和 1 - T，各有一个目标")(say_lang())
    check_regions(exercise, isolated, call, problem, reference.guided_style_loss(*problem))


@pytest.mark.exercise("4.7")
def test_4_7_one_region_of_ones_is_lesson_2(isolated: ModuleType, exercise: Graded):
    features, masks, targets, weights = regions_problem(48, regions=1)
    want = l2_reference().style_loss(features, {layer: A[0] for layer, A in targets.items()}, weights)
    call = Text("guided_style_loss(features, masks, targets, weights) with one region whose masks are all ones: "
                "lesson 2's style_loss(features, targets, weights)",
                "guided_style_loss(features, masks, targets, weights)，只有一个区域，掩码全为 1："
                "就是第 2 课的 style_loss(features, targets, weights)")(say_lang())
    check_regions(exercise, isolated, call, (features, masks, targets, weights), want)


# Exercise 4.8 ------------------------------------------------------------------------------------------------
MIX_FIX = Text("fine[layer] for the layers of fine_layers, coarse[layer] for every other layer of coarse",
               "fine_layers 里的层取 fine[layer]，coarse 的其他层取 coarse[layer]")
MIX_SWAPPED = Text("fine and coarse swapped", "fine 和 coarse 弄反了")
MIX_SWAPPED_FIX = Text("the layers of fine_layers take their target from `fine` (the first argument), the others "
                       "from `coarse`", "fine_layers 里的层从 `fine`（第一个参数）取目标，其他层从 `coarse` 取")
ONLY_FINE = Text("only the fine layers returned", "只返回了细尺度的层")
ONLY_FINE_FIX = Text("return a target for every layer of coarse: the fine layers from fine, the rest from coarse",
                     "coarse 的每一层都要有目标：细尺度的层取自 fine，其余取自 coarse")


@pytest.mark.exercise("4.8")
def test_4_8_mix_scales(lesson: ModuleType, reference: ModuleType, exercise: Graded):
    rng = np.random.default_rng(48)
    layers = ("conv1_1", "conv2_1", "conv3_1", "conv4_1")
    fine = {layer: rng.random((k + 2, k + 2)) for k, layer in enumerate(layers)}
    coarse = {layer: rng.random((k + 2, k + 2)) + 2 for k, layer in enumerate(layers)}
    fine_layers = ("conv1_1", "conv2_1")
    call = Text("mix_scales(fine, coarse, ('conv1_1', 'conv2_1')) with two paintings' Gram matrices at conv1_1 ... "
                "conv4_1", "mix_scales(fine, coarse, ('conv1_1', 'conv2_1'))，两幅画在 conv1_1 ... conv4_1 的 "
                "Gram 矩阵")(say_lang())
    copies = ({k: v.copy() for k, v in fine.items()}, {k: v.copy() for k, v in coarse.items()})
    got = lesson.mix_scales(copies[0], copies[1], fine_layers)
    unchanged(exercise, call, fine | {"coarse " + k: v for k, v in coarse.items()},
              copies[0] | {"coarse " + k: v for k, v in copies[1].items()})
    want = reference.mix_scales(fine, coarse, fine_layers)
    lang = say_lang()
    if not isinstance(got, dict) or sorted(got) != sorted(want):
        keys = sorted(got) if isinstance(got, dict) else None
        shown, wanted = describe(got) if keys is None else LAYERS(lang, layers=keys), LAYERS(lang, layers=sorted(want))
        if keys == sorted(fine_layers):
            fail(exercise, call, shown, wanted, ONLY_FINE, ONLY_FINE_FIX)
        fail(exercise, call, shown, wanted, WRONG_RETURN, MIX_FIX)
    for layer in layers:
        other = coarse[layer] if layer in fine_layers else fine[layer]
        value = expect_shaped(exercise, f"{call} -> [{layer!r}]", got[layer], want[layer].shape)
        expect_close(exercise, f"{call} -> [{layer!r}]", value, want[layer], FLOAT32_TOL,
                     [Mistake(MIX_SWAPPED, other, MIX_SWAPPED_FIX)], fix=MIX_FIX)
