"""Checking lesson 4's paint options before any work (--colour, --scales, --scale-iters, --content-mask,
--style-masks): one error each, echoing the value given and saying what to do, like brushstrokes/runs/validate.py.

Light (no numpy or PIL): the command line is built and checked with it. The mask files themselves are checked
with the other pictures, by the run (brushstrokes/runs/masks.py). Sizes: longest sides in px.
"""

from __future__ import annotations

from pathlib import Path

from brushstrokes.base.errors import fail
from brushstrokes.base.i18n import Text
from brushstrokes.runs import validate

COLOURS = ("keep", "luminance", "match")  # --colour: runs/colour_control.py says what each does
LEAST_SCALE = 64  # px: below this VGG19's deeper layers see a few positions only (validate.TYPICAL_SIZE)

BOTH_COLOURS = Text("--colour luminance and --original-colors both put the photo's colours back: luminance paints "
                    "the luminance only and takes I, Q from the photo; --original-colors does the same to a full "
                    "colour transfer, after the fact",
                    "--colour luminance 和 --original-colors 都会换回照片的颜色：luminance 只画亮度，再取照片的 "
                    "I、Q；--original-colors 在完整的彩色迁移之后才这样做")
BOTH_COLOURS_TODO = Text("give one of them: --colour luminance (the painting's texture matched on luminance) or "
                         "--original-colors (the colour transfer, then the photo's colours)",
                         "二者选一：--colour luminance（只按亮度匹配画的纹理）或 --original-colors"
                         "（先彩色迁移，再换回照片的颜色）")
NOT_SIZES = Text("{option} {value}: not a list of whole numbers of px", "{option} {value}：不是一串整数像素")
SCALES_TODO = Text("use e.g. {option} 128,256,512 (longest sides, increasing; the last one is the picture's)",
                   "例如使用 {option} 128,256,512（最长边，逐个增大；最后一个是图片的大小）")
SCALE_SMALL = Text("{option} {value}: {scale} px is less than {least} px",
                   "{option} {value}：{scale} px 小于 {least} px")
SCALE_HUGE = Text("{option} {value}: {scale} px is more than the {high} px allowed on a side",
                  "{option} {value}：{scale} px 超过了每边允许的 {high} px")
NOT_INCREASING = Text("{option} {value}: each size must be larger than the one before",
                      "{option} {value}：每个大小都必须比前一个大")
SIZE_AND_SCALES = Text("--size {size} and --scales {value} end at different sizes",
                       "--size {size} 和 --scales {value} 的最终大小不同")
SIZE_AND_SCALES_TODO = Text("--scales replaces --size (its last scale is the picture's size): leave --size out",
                            "--scales 取代 --size（最后一个尺度就是图片的大小）：去掉 --size")
NOT_COUNTS = Text("--scale-iters {value}: not a list of whole numbers", "--scale-iters {value}：不是一串整数")
ITERS_TODO = Text("use e.g. --scale-iters 200,100,50 (iterations at each scale)",
                  "例如使用 --scale-iters 200,100,50（每个尺度的迭代次数）")
NEEDS = Text("{option} needs {other}", "{option} 需要 {other}")
NEEDS_TODO = Text("give {other} too, e.g. {example}", "同时给出 {other}，例如 {example}")
COUNT = Text("{option} gives {n} {what} for {m} {of}", "{option} 给了 {n} 个{what}，但有 {m} 个{of}")
COUNT_TODO = Text("give one per {of}, separated by commas", "每个{of}给一个，用逗号分隔")
NUMBERS = Text("numbers", "数")
FILES = Text("files", "文件")
SCALES = Text("scales", "尺度")
PAINTINGS = Text("paintings", "画")
MASK_PAINTINGS = Text("--content-mask needs exactly two paintings (white: the first, black: the second); "
                      "{n} given", "--content-mask 正好需要两幅画（白色：第一幅，黑色：第二幅）；给了 {n} 幅")
MASK_PAINTINGS_TODO = Text("give two paintings, e.g. brushstrokes paint data/chelsea.png data/scream.jpg "
                           "data/starry_night.jpg --content-mask MASK", "给出两幅画，例如 brushstrokes paint "
                           "data/chelsea.png data/scream.jpg data/starry_night.jpg --content-mask MASK")
MASK_AND_BLEND = Text("--content-mask and --style-blend-weights: the mask already says where each painting goes",
                      "--content-mask 和 --style-blend-weights：掩码已经决定了每幅画用在哪里")
MASK_AND_BLEND_TODO = Text("leave out --style-blend-weights (grey values in the mask mix the two paintings)",
                           "去掉 --style-blend-weights（掩码中的灰色会混合两幅画）")


def colour(value: str, original_colors: bool) -> str:
    """--colour (keep, luminance or match; argparse checks the choice), refused with --original-colors when it is
    luminance: both put the photo's colours back."""
    if value == "luminance" and original_colors:
        raise fail(BOTH_COLOURS, BOTH_COLOURS_TODO)
    return value


def sizes(text: str, option: str = "--scales") -> tuple[int, ...]:
    """'128,256,512' -> (128, 256, 512): whole numbers, each at least LEAST_SCALE and at most images.MAX_SIDE px,
    increasing."""
    from brushstrokes.net.images import MAX_SIDE

    fields = {"option": option, "value": text}
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise fail(NOT_SIZES, SCALES_TODO, **fields) from None
    for scale in values:
        if scale < LEAST_SCALE:
            raise fail(SCALE_SMALL, SCALES_TODO, scale=scale, least=LEAST_SCALE, **fields)
        if scale > MAX_SIDE:
            raise fail(SCALE_HUGE, SCALES_TODO, scale=scale, high=MAX_SIDE, **fields)
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise fail(NOT_INCREASING, SCALES_TODO, **fields)
    return values


def scales(text: str | None, size: int | None) -> tuple[int, ...]:
    """--scales as a tuple (empty when not given); with --size given too, both must end at the same size."""
    if text is None:
        return ()
    values = sizes(text)
    if size is not None and size != values[-1]:
        raise fail(SIZE_AND_SCALES, SIZE_AND_SCALES_TODO, size=size, value=text)
    return values


def scale_iters(text: str | None, given_scales: tuple[int, ...]) -> tuple[int, ...]:
    """--scale-iters: one iteration count per scale, each a whole number from 1 to validate.MAX_ITERS (empty when
    not given: --iters at every scale)."""
    if text is None:
        return ()
    if not given_scales:
        raise fail(NEEDS, NEEDS_TODO, option="--scale-iters", other="--scales",
                   example="--scales 128,256 --scale-iters 200,100")
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise fail(NOT_COUNTS, ITERS_TODO, value=text) from None
    if len(values) != len(given_scales):
        raise count_error("--scale-iters", len(values), len(given_scales), NUMBERS, SCALES)
    return tuple(validate.iterations(value, "--scale-iters") for value in values)


def masks(content_mask: Path | None, style_masks: str | None, paintings: int, blend: str | None
          ) -> tuple[Path, ...]:
    """--content-mask with exactly two paintings and no --style-blend-weights; --style-masks (one file per painting,
    only with --content-mask) as a tuple of paths (empty when not given). The files are checked by the run."""
    if content_mask is None:
        if style_masks is not None:
            raise fail(NEEDS, NEEDS_TODO, option="--style-masks", other="--content-mask",
                       example="--content-mask data/chelsea_mask.png")
        return ()
    if paintings != 2:
        raise fail(MASK_PAINTINGS, MASK_PAINTINGS_TODO, n=paintings)
    if blend is not None:
        raise fail(MASK_AND_BLEND, MASK_AND_BLEND_TODO)
    if style_masks is None:
        return ()
    files = tuple(Path(part.strip()) for part in style_masks.split(","))
    if len(files) != paintings:
        raise count_error("--style-masks", len(files), paintings, FILES, PAINTINGS)
    return files


def count_error(option: str, n: int, m: int, what: Text, of: Text):
    """'--scale-iters gives 2 numbers for 3 scales' and what to do."""
    from brushstrokes.base.i18n import language

    lang = language()
    return fail(COUNT, COUNT_TODO, option=option, n=n, m=m, what=what(lang), of=of(lang))
