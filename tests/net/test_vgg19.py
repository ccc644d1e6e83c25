"""VGG19 in pycaffe: gradients, pooling, frozen weights, and the real weights themselves."""

from __future__ import annotations

import numpy as np
import pytest

from brushstrokes.base import paths
from brushstrokes.net.build import net_from_text, prototxt_text
from brushstrokes.net.layers import CONV_LAYERS, relu_name, set_input_shape
from brushstrokes.net.vgg import features

LAYER = "conv2_1"


def loss_and_pattern(net, x: np.ndarray, R: np.ndarray) -> tuple[float, bytes]:
    """L = sum(R * F_conv2_1) in float64, and the on/off pattern of every ReLU on the way."""
    net.blobs["data"].data[...] = x
    net.forward(end=relu_name(LAYER))
    upto = CONV_LAYERS[: CONV_LAYERS.index(LAYER) + 1]
    pattern = np.concatenate([(net.blobs[name].data > 0).ravel() for name in upto])
    return float(np.sum(R * net.blobs[LAYER].data[0].astype(np.float64))), np.packbits(pattern).tobytes()


def analytic_grad(net, x: np.ndarray, R: np.ndarray) -> np.ndarray:
    """dL/dx by pycaffe: the ReLU after conv2_1 is in place, so its mask is applied by hand."""
    net.blobs["data"].data[...] = x
    net.forward(end=relu_name(LAYER))
    F = net.blobs[LAYER].data[0]
    net.blobs[LAYER].diff[0] = R * (F > 0)
    net.backward(start=LAYER)
    return net.blobs["data"].diff[0].astype(np.float64).copy()


def central_difference(net, x, R, index, base_pattern, steps=(1.0, 0.5, 0.25)) -> float | None:
    """(L(x + h e) - L(x - h e)) / 2h in float64 for the largest h that flips no ReLU; None if all do."""
    for h in steps:
        xp, xm = x.copy(), x.copy()
        xp[(0, *index)] += h
        xm[(0, *index)] -= h
        (lp, pp), (lm, pm) = loss_and_pattern(net, xp, R), loss_and_pattern(net, xm, R)
        if pp == base_pattern and pm == base_pattern:
            return (lp - lm) / (2 * h)
    return None


def test_backward_matches_central_differences(vgg, cat32):
    """With average pooling the net is affine wherever no ReLU flips, so central differences are exact there."""
    set_input_shape(vgg, 32, 32)
    rng = np.random.default_rng(0)
    R = rng.standard_normal(vgg.blobs[LAYER].data.shape[1:])
    grad = analytic_grad(vgg, cat32, R)
    _, base_pattern = loss_and_pattern(vgg, cat32, R)
    checked = 0
    for _ in range(100):
        c, i, j = rng.integers(3), rng.integers(32), rng.integers(32)
        numeric = central_difference(vgg, cat32, R, (c, i, j), base_pattern)
        if numeric is None:
            continue  # a ReLU kink lies next to this pixel: not comparable
        rel = abs(numeric - grad[c, i, j]) / max(1e-8, abs(numeric) + abs(grad[c, i, j]))
        assert rel < 1e-3, f"pixel {(c, i, j)}: numeric {numeric:.6g} vs pycaffe {grad[c, i, j]:.6g}"
        checked += 1
        if checked == 8:
            break
    assert checked >= 4, "too few pixels away from ReLU kinks"


def test_missing_relu_mask_would_be_caught(vgg, cat32):
    """The same comparison fails without the mask: backward(start=conv2_1) skips relu2_1."""
    set_input_shape(vgg, 32, 32)
    R = np.random.default_rng(1).standard_normal(vgg.blobs[LAYER].data.shape[1:])
    masked = analytic_grad(vgg, cat32, R)
    vgg.blobs["data"].data[...] = cat32
    vgg.forward(end=relu_name(LAYER))
    vgg.blobs[LAYER].diff[0] = R
    vgg.backward(start=LAYER)
    assert np.max(np.abs(vgg.blobs["data"].diff[0] - masked)) > 1e-3 * np.max(np.abs(masked))


def windows(a: np.ndarray) -> np.ndarray:
    """(C, H, W) -> (C, H/2, W/2, 4) non-overlapping 2x2 windows."""
    c, h, w = a.shape
    return a.reshape(c, h // 2, 2, w // 2, 2).transpose(0, 1, 3, 2, 4).reshape(c, h // 2, w // 2, 4)


def test_pooling_switch(vgg, vgg_max, cat32):
    avg = features(vgg, cat32, ("conv1_2", "pool1"))
    mx = features(vgg_max, cat32, ("conv1_2", "pool1"))
    np.testing.assert_allclose(avg["pool1"], windows(avg["conv1_2"]).mean(-1), rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(mx["pool1"], windows(mx["conv1_2"]).max(-1), rtol=1e-6, atol=1e-5)
    assert not np.allclose(avg["pool1"], mx["pool1"])


def test_unknown_pooling_is_refused():
    from brushstrokes.base.errors import BrushstrokesError

    with pytest.raises(BrushstrokesError, match="avg"):
        prototxt_text("median")


def small_net(text: str):
    """A 32x32 net from prototxt text with the real weights."""
    net = net_from_text(text, paths.weights_path())
    set_input_shape(net, 32, 32)
    return net


def weight_diffs_after_backward(net, x: np.ndarray) -> list[np.ndarray]:
    """Fill every parameter diff with a sentinel, run forward+backward, return the diffs."""
    for blobs in net.params.values():
        for blob in blobs:
            blob.diff[...] = 7.0
    net.blobs["data"].data[...] = x
    net.forward(end="conv2_1")
    net.blobs["conv2_1"].diff[...] = 1.0
    net.backward(start="conv2_1")
    return [net.params[name][0].diff.copy() for name in ("conv1_1", "conv1_2", "conv2_1")]


def test_frozen_layers_compute_no_weight_gradients(cat32):
    frozen = small_net(prototxt_text())
    for diff in weight_diffs_after_backward(frozen, cat32):
        assert np.all(diff == 7.0), "a frozen (lr_mult: 0) layer computed a weight gradient"
    assert np.abs(frozen.blobs["data"].diff).max() > 0, "force_backward must still give a gradient on data"


def test_unfrozen_layers_still_compute_weight_gradients(cat32):
    """The fix only skips frozen parameters: without lr_mult: 0 the weight gradients are computed."""
    unfrozen = small_net(prototxt_text().replace("param { lr_mult: 0 decay_mult: 0 }\n", ""))
    for diff in weight_diffs_after_backward(unfrozen, cat32):
        assert not np.all(diff == 7.0)


def test_conv1_1_statistics_of_the_real_weights(vgg):
    """The ImageNet VGG19 conv1_1: 64 filters on BGR input, known mean/std (random weights would differ)."""
    w, b = vgg.params["conv1_1"][0].data, vgg.params["conv1_1"][1].data
    assert w.shape == (64, 3, 3, 3) and b.shape == (64,)
    assert abs(float(w.mean()) - (-0.0020493)) < 1e-6
    assert abs(float(w.std()) - 0.1913786) < 1e-6
    assert abs(float(b.mean()) - 0.4678207) < 1e-6


def test_every_layer_loaded(vgg):
    from brushstrokes.net.weights import expected_shape

    for name in CONV_LAYERS:
        assert vgg.params[name][0].data.shape == expected_shape(name)
        assert np.abs(vgg.params[name][0].data).max() > 0


def test_caffemodel_equals_the_h5_exactly(vgg):
    from brushstrokes.net.weights import H5_MD5, H5_NAME, md5sum, read_h5

    h5 = paths.cache_dir() / "downloads" / H5_NAME
    if not h5.exists():
        pytest.skip("the weights came from the official caffemodel: no Keras h5 to compare with")
    assert md5sum(h5) == H5_MD5
    for name, (w, b) in read_h5(h5).items():
        assert np.array_equal(vgg.params[name][0].data, w), name
        assert np.array_equal(vgg.params[name][1].data, b), name
