"""The paper's normalised VGG19: every filter's mean activation over natural images scaled to 1.

Gatys, Ecker & Bethge "normalized the network by scaling the weights such that the mean activation of each
convolutional filter over images and positions is equal to one". For filter c of layer l with mean activation
m_l[c] (after its ReLU, average pooling, over the images below):

    W_l'[c, k] = W_l[c, k] * m_(l-1)[k] / m_l[c]        b_l'[c] = b_l[c] / m_l[c]

(m_0 = 1 for the image's three channels). Each layer's output channel c is divided by m_l[c], and the next
layer multiplies its input channel c back by m_l[c], so the normalised net computes the raw net's features
divided per channel by m_l: the same function up to per-channel scale (ReLU and pooling commute with a
positive per-channel scale). One forward pass of the raw net per image gives every m_l.

One guard: a filter that is almost never on in photographs (mean below FLOOR = 1/10 of its layer's median
mean; one filter in each of conv1_1, conv2_1, conv4_1 and conv5_1) is scaled as if its mean were that floor.
Seven images estimate such a filter's mean poorly, and dividing by it blows the filter up: conv2_1's rarest
filter has mean 2e-5 over the photographs, and scaled by 1/2e-5 it alone made conv2_1's style loss for noise
against The Scream 3.7e14, the whole of the style loss. Its mean activation over the photographs
is then below 1 (m / floor).

The images: scikit-image's sample photographs (they ship with a package the project installs; CC0 or public
domain), not the lessons' own cat and painting, so that the network is not tuned to the pictures it is
tested on. Each is resized so its shorter side is 224 px (VGG's training size) and centre-cropped square.

The result is cached next to the raw model as <raw>_normalised.caffemodel, with its .md5 and a
<raw>_normalised.json record of the raw model's md5, the images, the per-layer means and the result's md5; it
is remade when the raw model changes. `brushstrokes fetch-model` makes it (setup runs it), and so do
`python -m brushstrokes.net.normalise` and load_vgg19(normalised=True), on first use.

It is verified like the raw model (brushstrokes.net.weights.check_caffemodel): size, md5 and layers on every load,
the md5 against its .md5, or, where that is missing or holds no md5, against the md5 in the record. A broken
one (empty, truncated, flipped bytes) is made again wherever it is found (`brushstrokes fetch-model`, setup,
first use), from the raw model and the record's means when the record is up to date (no images, no forward
passes: the same bytes, checked against the record's md5), else from the images; `brushstrokes doctor` names it.
A folder, a link, a FIFO or a device in its place is never replaced: it is refused with one line.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from brushstrokes.base import paths
from brushstrokes.base.errors import ERROR, BrushstrokesError
from brushstrokes.base.i18n import Text, language
from brushstrokes.net.weights import SUFFIX

# scikit-image sample photographs (skimage/data), none of them the lessons' chelsea.png
IMAGES = ("astronaut.png", "coffee.png", "rocket.jpg", "motorcycle_left.png", "hubble_deep_field.jpg",
          "camera.png", "grass.png")
SIZE = 224
POOLING = "avg"
FLOOR = 0.1  # a filter's scale is at most 1 / (FLOOR * its layer's median mean)
VERSION = 2

MAKING = Text("making the paper's normalised VGG19 from {raw} over {n} scikit-image photographs ({size} px); "
              "this happens once and takes about 10 seconds",
              "正在用 {n} 张 scikit-image 示例照片（{size} 像素）从 {raw} 生成论文中的归一化 VGG19；只需一次，约 10 秒")
READY = Text("normalised VGG19 ready: {path}", "归一化 VGG19 已就绪：{path}")
INTACT = Text("normalised VGG19 already in place and intact: {path}", "归一化 VGG19 已就位且完好：{path}")
CANNOT_WRITE = Text("cannot write the normalised VGG19 next to {raw} ({error})",
                    "无法在 {raw} 旁边写入归一化 VGG19（{error}）")
CANNOT_WRITE_TODO = Text("make that folder writable, or use the raw weights (--weights raw)",
                         "让该文件夹可写，或改用原始权重（--weights raw）")
REMAKING = Text("making the normalised VGG19 again: {problem}", "重新生成归一化 VGG19：{problem}")
FROM_RECORD = Text("normalised VGG19 made again from {raw} and the means in {record} (md5 {md5}, as recorded)",
                   "已根据 {raw} 和 {record} 中的均值重新生成归一化 VGG19（md5 {md5}，与记录一致）")
REPAIR = Text("run `brushstrokes fetch-model`: it makes the normalised VGG19 again from the raw weights",
              "运行 `brushstrokes fetch-model`：它会根据原始权重重新生成归一化 VGG19")
MOVE_AWAY = Text("move it away yourself (nothing that is not a regular file is replaced), then run "
                 "`brushstrokes fetch-model`",
                 "自己把它移走（不是普通文件的东西不会被替换），然后运行 `brushstrokes fetch-model`")
REMOVE_FOLDER = Text("remove that folder (rm -r {path}), then run `brushstrokes fetch-model`",
                     "删除这个文件夹（rm -r {path}），然后运行 `brushstrokes fetch-model`")


def image_folder() -> Path:
    """scikit-image's folder of sample images (installed with the package, no download)."""
    import skimage

    return Path(skimage.__file__).resolve().parent / "data"


def natural_images(size: int = SIZE) -> Iterator[tuple[str, np.ndarray]]:
    """(name, (1, 3, size, size) float32 Caffe blob) of each image in IMAGES: shorter side `size`, centre crop."""
    from PIL import Image

    from brushstrokes.net.images import open_image, preprocess, to_rgb

    for name in IMAGES:
        img = to_rgb(open_image(image_folder() / name))
        w, h = img.size
        scale = size / min(w, h)
        img = img.resize((max(size, round(w * scale)), max(size, round(h * scale))), Image.LANCZOS)
        left, top = (img.size[0] - size) // 2, (img.size[1] - size) // 2
        img = img.crop((left, top, left + size, top + size))
        yield name, preprocess(np.asarray(img, dtype=np.float32))


def mean_activations(net: Any, size: int = SIZE, progress: bool = True) -> dict[str, np.ndarray]:
    """{conv layer: (C,) float64 mean of its ReLU output over IMAGES and positions} on a raw VGG19 net."""
    from tqdm import tqdm

    from brushstrokes.net.layers import CONV_LAYERS, set_input_shape

    set_input_shape(net, size, size)
    sums = {name: np.zeros(net.blobs[name].data.shape[1]) for name in CONV_LAYERS}
    batch = list(natural_images(size))
    for _, x in tqdm(batch, desc="normalising VGG19", unit="image", disable=None if progress else True):
        net.blobs["data"].data[...] = x
        net.forward(end="relu5_4")
        for name in CONV_LAYERS:
            sums[name] += net.blobs[name].data[0].astype(np.float64).mean(axis=(1, 2))
    return {name: total / len(batch) for name, total in sums.items()}


def scales(means: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """{conv layer: (C,) float64 divisor of each filter}: its mean, or FLOOR times its layer's median if larger."""
    return {name: np.maximum(m, FLOOR * float(np.median(m))) for name, m in means.items()}


def normalised_weights(weights: dict[str, tuple[np.ndarray, np.ndarray]],
                       means: dict[str, np.ndarray]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{conv: (W (out, in, 3, 3), b (out,))} scaled so that each filter's mean activation becomes 1."""
    from brushstrokes.net.layers import CONV_LAYERS

    out, previous, divisors = {}, np.ones(3), scales(means)
    for name in CONV_LAYERS:
        w, b = (a.astype(np.float64) for a in weights[name])
        m = divisors[name]
        out[name] = ((w * previous[None, :, None, None] / m[:, None, None, None]).astype(np.float32),
                     (b / m).astype(np.float32))
        previous = m
    return out


def normalised_path(raw: Path | None = None) -> Path:
    """Where the normalised copy of the raw caffemodel `raw` (default: the project's) is cached."""
    raw = Path(raw) if raw is not None else paths.weights_path()
    return raw.with_name(raw.stem + SUFFIX)


def record_path(raw: Path | None = None) -> Path:
    """The JSON record beside the normalised model: which raw model, images and means it came from."""
    return normalised_path(raw).with_suffix(".json")


def read_record(raw: Path, raw_md5: str) -> dict | None:
    """The record beside the normalised model when it is this code's, made from these raw bytes, with the
    result's md5 and every layer's means; else None (missing, unreadable, stale)."""
    from brushstrokes.net.layers import CONV_LAYERS
    from brushstrokes.net.weights import MD5_RE, ours

    record = record_path(raw)
    if not (record.is_file() and ours(record)):
        return None
    try:
        info = json.loads(record.read_text())
    except (OSError, ValueError):
        return None
    if not (isinstance(info, dict) and info.get("raw_md5") == raw_md5 and info.get("version") == VERSION
            and info.get("images") == list(IMAGES) and isinstance(info.get("md5"), str)
            and MD5_RE.fullmatch(info["md5"]) and isinstance(info.get("means"), dict)
            and all(isinstance(info["means"].get(name), list) for name in CONV_LAYERS)):
        return None
    return info


def up_to_date(raw: Path, raw_md5: str) -> bool:
    """True when the cached normalised model exists and its record says it was made from these raw bytes by this
    code (whether its bytes are still intact is check_normalised's question)."""
    return normalised_path(raw).exists() and read_record(raw, raw_md5) is not None


def check_normalised(raw: Path | None = None, raw_md5: str | None = None) -> Any:
    """The normalised model beside `raw`, verified: its brushstrokes.net.weights.Verified (its md5 checked against its
    .md5, else against its record's), or None when there is none yet or it was made from other raw bytes (made
    again on first use). A broken one is a BrushstrokesError whose todo is the one command that repairs it."""
    from brushstrokes.base.outputs import not_a_file
    from brushstrokes.net.weights import check_caffemodel, md5sum

    raw = Path(raw) if raw is not None else paths.weights_path()
    target = normalised_path(raw)
    lang = language()
    if target.is_dir() and not target.is_symlink():
        from brushstrokes.net.weights import IS_FOLDER

        raise BrushstrokesError(IS_FOLDER(lang, path=target), REMOVE_FOLDER(lang, path=target))
    kind = not_a_file(target)
    if kind is not None:
        from brushstrokes.net.weights import NOT_OURS_KIND

        raise BrushstrokesError(NOT_OURS_KIND(lang, path=target, kind=kind), MOVE_AWAY(lang))
    if not target.exists():
        return None
    info = read_record(raw, raw_md5 or md5sum(raw))
    if info is None:
        return None
    try:
        return check_caffemodel(target, also_known={info["md5"]: (None, record_path(raw).name)})
    except BrushstrokesError as exc:
        raise BrushstrokesError(exc.message, REPAIR(lang)) from exc


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path`.lock, so that two runs do not normalise at the same time."""
    from brushstrokes.net.weights import lock_file

    with lock_file(path.with_name(path.name + ".lock")):
        yield


def _intact(raw: Path, raw_md5: str) -> tuple[bool, BrushstrokesError | None]:
    """(the normalised model is intact and up to date, what is wrong with it when it is there but broken)."""
    try:
        return check_normalised(raw, raw_md5) is not None, None
    except BrushstrokesError as exc:
        return False, exc


def ensure_normalised(raw: Path | None = None, say=print) -> Path:
    """The normalised caffemodel for the raw one (default: the project's), verified; made first if missing or
    stale, and made again if broken (a folder, link, FIFO or device in its place is refused)."""
    from brushstrokes.net.weights import check_caffemodel, refuse_unless_ours

    raw = Path(raw) if raw is not None else paths.weights_path()
    raw_md5 = check_caffemodel(raw).md5
    target = normalised_path(raw)
    good, problem = _intact(raw, raw_md5)
    if good:
        return target
    refuse_unless_ours(target, problem=problem.message if problem else None)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with locked(target):
            good, problem = _intact(raw, raw_md5)
            if good:  # another run made it while this one waited
                return target
            refuse_unless_ours(target, problem=problem.message if problem else None)
            if problem is not None:
                say(REMAKING(language(), problem=problem.message))
            info = read_record(raw, raw_md5)
            if info is None or not _from_record(raw, info, target, say):
                _from_images(raw, raw_md5, target, say)
    except OSError as exc:
        lang = language()
        raise BrushstrokesError(CANNOT_WRITE(lang, raw=raw, error=exc.strerror or exc),
                                CANNOT_WRITE_TODO(lang)) from exc
    return target


def _from_record(raw: Path, info: dict, target: Path, say) -> bool:
    """Make the normalised model from the raw weights and the record's means (exact float64 values: the same
    bytes as recorded); False when its md5 is not the record's (then it is made from the images)."""
    from brushstrokes.net.weights import md5sum, read_caffemodel, write_caffemodel

    means = {name: np.asarray(values, dtype=np.float64) for name, values in info["means"].items()}
    write_caffemodel(normalised_weights(read_caffemodel(raw), means), target)
    md5 = md5sum(target)
    if md5 != info["md5"]:
        return False
    say(FROM_RECORD(language(), raw=raw.name, record=record_path(raw).name, md5=md5))
    return True


def _from_images(raw: Path, raw_md5: str, target: Path, say) -> None:
    """Make the normalised model from the raw one over IMAGES, and its record (written last: it marks it done)."""
    from brushstrokes.base.outputs import write_text
    from brushstrokes.net.build import open_vgg19
    from brushstrokes.net.weights import md5sum, write_caffemodel

    say(MAKING(language(), raw=raw.name, n=len(IMAGES), size=SIZE))
    net = open_vgg19(POOLING, raw)
    means = mean_activations(net)
    weights = {name: (net.params[name][0].data.copy(), net.params[name][1].data.copy()) for name in means}
    write_caffemodel(normalised_weights(weights, means), target)
    write_text(record_path(raw), json.dumps({
        "version": VERSION, "raw": raw.name, "raw_md5": raw_md5, "md5": md5sum(target),
        "images": list(IMAGES), "image_source": "scikit-image " + _skimage_version() + " skimage/data",
        "size": SIZE, "pooling": POOLING, "floor": FLOOR,
        "means": {name: [float(v) for v in m] for name, m in means.items()},
        "scales": {name: [float(v) for v in m] for name, m in scales(means).items()},
    }, indent=1) + "\n")
    say(READY(language(), path=target))


def _skimage_version() -> str:
    import skimage

    return skimage.__version__


def main() -> int:
    """`python -m brushstrokes.net.normalise`: make (or confirm) the normalised VGG19."""
    said: list[str] = []
    try:
        path = ensure_normalised(say=lambda line: (said.append(line), print(line)))
    except BrushstrokesError as exc:
        print(ERROR(language(), message=exc.message, todo=exc.todo), file=sys.stderr)
        return 2
    if not said:
        print(READY(language(), path=path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
