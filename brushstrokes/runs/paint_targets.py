"""What `brushstrokes paint` optimises towards at one size: the photo and paintings as VGG19 sees them (--colour),
the content features, the style targets (lesson 3's blended Gram matrices, or lesson 4's guided ones with
--content-mask) and the loss with its gradient. A coarse-to-fine run (--scales) builds them once per scale.

Sizes: (W, H) px; pictures (H, W, 3) float32 RGB 0..255; images (1, 3, H, W) float32 Caffe blobs; masks (h, w)
in 0..1; features F (N, h, w); Gram matrices (N, N).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from brushstrokes.net import images
from brushstrokes.runs import colour_control, fast_style, masks
from brushstrokes.runs.inputs import Picture
from brushstrokes.runs.paint_settings import PaintSettings

LossGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]
GUIDED_RESULT = "(loss, {layer: gradient})"


@dataclass
class Masks:
    """The decoded masks of a run: the content mask (None: no spatial control) and one style mask per painting
    (None: the whole painting)."""

    content: masks.Mask | None = None
    styles: list[masks.Mask | None] = field(default_factory=list)


@dataclass
class Targets:
    """A run's targets at one size: photo (H, W, 3) in its own colours, content (1, 3, H, W) the photo as VGG19
    sees it, paintings [(1, 3, H', W')] as VGG19 sees them, and loss_grad(x) -> (loss, dL/dx)."""

    photo: np.ndarray
    content: np.ndarray
    paintings: list[np.ndarray]
    loss_grad: LossGrad


def style_size(painting: tuple[int, int], photo: tuple[int, int], fit: str, scale: float) -> tuple[int, int]:
    """(W, H) of a painting: squashed onto the photo's (W, H) ('squash', the paper's), or its own aspect ratio
    kept with the longer side `scale` times the photo's ('keep')."""
    if fit == "squash":
        return max(16, round(photo[0] * scale)), max(16, round(photo[1] * scale))
    w, h = images.fit_size(painting, max(16, round(max(photo) * scale)))
    return max(16, w), max(16, h)


def painting_grams(net, painting: np.ndarray, layers: tuple[str, ...], picture_positions: dict[str, int],
                   gram: Callable[[np.ndarray], np.ndarray]) -> dict[str, np.ndarray]:
    """{layer: (N, N) target}: lesson 2's `gram` of the painting (1, 3, H', W') at each layer, scaled from the
    painting's positions to the picture's (`picture_positions`, from style_targets.layer_positions)."""
    from brushstrokes.net.vgg import features
    from brushstrokes.runs.style_targets import positions, sized_target

    return {layer: sized_target(gram(F), positions(F), picture_positions[layer])
            for layer, F in features(net, painting, layers).items()}


def targets_at(s: PaintSettings, lessons, net, content_picture: Picture, style_pictures: list[Picture],
               given: Masks, size: tuple[int, int]) -> Targets:
    """The targets and loss of a run at `size` (W, H); the net is left shaped for that size."""
    from brushstrokes.net.layers import set_input_shape
    from brushstrokes.net.vgg import features
    from brushstrokes.runs.style_targets import layer_positions

    w, h = size
    photo = content_picture.array((w, h))
    content = images.preprocess(colour_control.photo_seen(s.colour, photo))
    P = features(net, content, (s.content_layer,))[s.content_layer]
    M = layer_positions(net, s.style_layers)  # the picture's positions per layer (net shaped for the photo above)
    layer_shapes = {layer: tuple(net.blobs[layer].data.shape[2:]) for layer in s.style_layers}
    paintings = [images.preprocess(painting_seen(s, lessons, picture.array(
        style_size(picture.size, (w, h), s.style_fit, s.style_scale)), photo)) for picture in style_pictures]
    if given.content is None:
        style = blended_style(s, lessons, net, paintings, M)
    else:
        style = guided_style(s, lessons, net, paintings, given, size, layer_shapes)
    set_input_shape(net, h, w)
    return Targets(photo, content, paintings, loss_grad(s, lessons, net, P, style))


def painting_seen(s: PaintSettings, lessons, painting: np.ndarray, photo: np.ndarray) -> np.ndarray:
    """A painting (H', W', 3) under --colour, each exercise's result checked (colour_control.painting_seen)."""
    if s.colour == "keep":
        return painting

    def match_luminance(style_y: np.ndarray, content_y: np.ndarray) -> np.ndarray:
        return lessons.array(lessons.function("match_luminance")(style_y, content_y), style_y.shape,
                             "match_luminance")

    def match_colours(style: np.ndarray, content: np.ndarray) -> np.ndarray:
        matched = lessons.array(lessons.function("match_colours")(style, content), style.shape, "match_colours")
        return np.clip(matched, 0, 255).astype(np.float32)

    return colour_control.painting_seen(s.colour, painting, photo, match_luminance, match_colours)


def blended_style(s: PaintSettings, lessons, net, paintings: list[np.ndarray], M: dict[str, int]
                  ) -> dict[str, np.ndarray]:
    """Lesson 3's targets {layer: (N, N)}: each painting's Gram matrices sized to the picture, blended (3.6)."""
    gram = lessons.function("gram")
    grams = [painting_grams(net, painting, s.style_layers, M,
                            lambda F: lessons.array(gram(F), (F.shape[0],) * 2, "gram")) for painting in paintings]
    blend = s.style_blend_weights or (1.0,) * len(grams)
    A = lessons.function("blend_grams")(grams, list(blend)) if len(grams) > 1 else grams[0]
    if not isinstance(A, dict):
        A = {layer: A for layer in grams[0]}  # reported below as the wrong thing for each layer
    return {layer: lessons.array(A.get(layer), G.shape, "blend_grams") for layer, G in grams[0].items()}


@dataclass
class Guided:
    """Lesson 4's spatial targets: masks[layer][r] (h, w) float32 of region r in the picture, targets[layer][r]
    (N, N)."""

    masks: dict[str, list[np.ndarray]]
    targets: dict[str, list[np.ndarray]]


def guided_style(s: PaintSettings, lessons, net, paintings: list[np.ndarray], given: Masks, size: tuple[int, int],
                 layer_shapes: dict[str, tuple[int, int]]) -> Guided:
    """Region r = 0 (white in the content mask, the first painting) and r = 1 (black, the second): the mask at each
    layer's size (4.5), and A_r = guided_gram (4.6) of painting r's features under its style mask at that layer,
    scaled by the region's area in the picture over its area in the painting (the masks' sums, as
    style_targets.sized_target scales by positions)."""
    from brushstrokes.net.vgg import features
    from brushstrokes.runs.style_targets import sized_target

    mask_at, guided_gram = lessons.function("mask_at"), lessons.function("guided_gram")

    def at(T: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        return lessons.array(mask_at(T, shape), shape, "mask_at")

    T = given.content.at(size)
    regions = {}
    for layer, shape in layer_shapes.items():
        small = at(T, shape).astype(np.float32)  # float32 once here, not in each evaluation
        regions[layer] = [small, 1 - small]
    targets: dict[str, list[np.ndarray]] = {layer: [] for layer in s.style_layers}
    for r, (painting, style_mask) in enumerate(zip(paintings, given.styles or [None, None], strict=True)):
        painting_size = (painting.shape[3], painting.shape[2])
        S = style_mask.at(painting_size) if style_mask is not None else masks.whole(painting_size)
        for layer, F in features(net, painting, s.style_layers).items():
            S_l = at(S, F.shape[1:])
            G = lessons.array(guided_gram(F, S_l), (F.shape[0],) * 2, "guided_gram")
            targets[layer].append(sized_target(G, float(S_l.sum()), float(regions[layer][r].sum(dtype=np.float64))))
    return Guided(regions, targets)


def loss_grad(s: PaintSettings, lessons, net, P: np.ndarray, style: dict[str, np.ndarray] | Guided) -> LossGrad:
    """x -> (alpha L_content + beta L_style [+ tv_weight L_tv], its gradient (1, 3, H, W)): the reference path's
    fast style loss (runs/fast_style.py) or the learner's functions (3.1, or with masks 4.7 in lesson 3's total)."""
    alpha, beta = s.alpha_beta
    weights = s.layer_weights
    lesson1, lesson2 = lessons.module_of("normalized_step"), lessons.module_of("gram")
    total_loss_grad, tv_loss_grad = lessons.function("total_loss_grad"), lessons.function("tv_loss_grad")
    reference = lessons.use == "solutions"
    checked = "total_loss_grad"

    if isinstance(style, Guided):
        guided = fast_style.guided_style_loss if reference else learners_guided_loss(lessons)
        checked = "guided_style_loss"

        def total(x: np.ndarray) -> tuple[float, np.ndarray]:
            return fast_style.total_with(net, x, P, s.style_layers,
                                         lambda F: guided(F, style.masks, style.targets, weights), alpha, beta,
                                         s.content_layer, lesson1, lesson2)
    elif reference:  # the reference path: each Gram matrix once per evaluation (runs/fast_style.py)
        def total(x: np.ndarray) -> tuple[float, np.ndarray]:
            return fast_style.total_loss_grad(net, x, P, style, alpha, beta, s.content_layer, weights, lesson1,
                                              lesson2)
    else:
        def total(x: np.ndarray) -> tuple[float, np.ndarray]:
            return total_loss_grad(net, x, P, style, alpha, beta, s.content_layer, weights)

    def loss_grad(x: np.ndarray) -> tuple[float, np.ndarray]:
        loss, grad = lessons.loss_grad(total(x), x.shape, checked)
        if s.tv_weight:
            tv, tv_grad = lessons.loss_grad(tv_loss_grad(x), x.shape, "tv_loss_grad")
            loss, grad = loss + s.tv_weight * tv, grad + np.float32(s.tv_weight) * tv_grad
        return loss, grad

    return loss_grad


def learners_guided_loss(lessons) -> Callable:
    """The learner's guided_style_loss (4.7), what it returns checked: (a loss, {layer: gradient of F's shape})."""
    guided = lessons.function("guided_style_loss")

    def checked(features, region_masks, targets, weights) -> tuple[float, dict[str, np.ndarray]]:
        result = guided(features, region_masks, targets, weights)
        if not (isinstance(result, tuple | list) and len(result) == 2 and isinstance(result[1], dict)):
            raise lessons.wrong(result, GUIDED_RESULT, "guided_style_loss")
        loss, grads = result
        try:
            loss = float(loss)
        except (TypeError, ValueError):
            raise lessons.wrong(result, GUIDED_RESULT, "guided_style_loss") from None
        return loss, {layer: np.array(lessons.array(grads.get(layer), F.shape, "guided_style_loss"), np.float32)
                      for layer, F in features.items()}

    return checked
