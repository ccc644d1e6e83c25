"""The paper's normalised VGG19 (brushstrokes/net/normalise.py): means of 1, the same function up to scale."""

from __future__ import annotations

import json

import numpy as np
import pytest

from brushstrokes.base import paths
from brushstrokes.net import normalise
from brushstrokes.net.layers import CONV_LAYERS, set_input_shape
from brushstrokes.net.vgg import features, load_vgg19

MEAN_TOL = 1e-5  # |mean activation - 1|: float32 features averaged over 7 images of 224x224 px
SCALE_TOL = 1e-5  # |normalised * mean - raw| relative to the layer's largest value (float32 rounding)


@pytest.fixture(scope="module")
def normalised_net():
    return load_vgg19(normalised=True, shape=(32, 32))


@pytest.fixture(scope="module")
def record() -> dict:
    normalise.ensure_normalised()
    return json.loads(normalise.record_path().read_text())


@pytest.mark.slow
def test_every_filter_has_mean_activation_one(normalised_net, record):
    """Over the chosen photographs each filter's mean ReLU output is 1; the few floored ones have m / floor < 1."""
    means = normalise.mean_activations(normalised_net, progress=False)
    for name in CONV_LAYERS:
        m, raw, scale = means[name], np.asarray(record["means"][name]), np.asarray(record["scales"][name])
        floored = raw < scale
        assert np.max(np.abs(m[~floored] - 1)) < MEAN_TOL, f"{name}: mean activations {m[~floored].min()}..{m.max()}"
        assert np.allclose(m[floored], raw[floored] / scale[floored], rtol=1e-4, atol=1e-9), name
        assert np.all(m[floored] < 1)
    style_floored = [int(np.sum(np.asarray(record["means"][k]) < np.asarray(record["scales"][k])))
                     for k in ("conv1_1", "conv2_1", "conv3_1", "conv4_1", "conv5_1")]
    assert max(style_floored) <= 2, f"floored filters per style layer: {style_floored}"


def test_conv5_1_equals_raw_up_to_per_channel_scale(normalised_net, vgg, record):
    """On an image it was not fitted on (the painting), conv5_1's output is the raw one divided by its mean."""
    from brushstrokes.net import images

    x = images.preprocess(images.load_image(paths.SCREAM, size=(64, 48)))
    raw = features(vgg, x, ("conv5_1",))["conv5_1"].astype(np.float64)
    norm = features(normalised_net, x, ("conv5_1",))["conv5_1"].astype(np.float64)
    set_input_shape(normalised_net, 32, 32)
    scale = np.asarray(record["scales"]["conv5_1"])[:, None, None]
    assert np.count_nonzero(raw.max(axis=(1, 2))) > 100, "too few active channels to compare"
    # float32 features: compare each value with the layer's largest, the rounding error's scale
    assert np.max(np.abs(norm * scale - raw)) <= SCALE_TOL * raw.max()
    assert np.max(np.abs(norm - raw / scale)) <= SCALE_TOL * norm.max()


@pytest.mark.slow
def test_record_names_the_raw_model_and_images(record):
    from brushstrokes.net.weights import md5sum

    assert record["raw_md5"] == md5sum(paths.weights_path())
    assert record["md5"] == md5sum(normalise.normalised_path())
    assert record["images"] == list(normalise.IMAGES) and "chelsea.png" not in record["images"]
    assert all((normalise.image_folder() / name).exists() for name in record["images"])


def test_weights_scaled_by_the_means(record, normalised_net, vgg):
    """W' = W * m_prev / m on conv1_2, checked on the stored weights and the recorded scales."""
    m1, m2 = (np.asarray(record["scales"][name]) for name in ("conv1_1", "conv1_2"))
    w_raw, w_norm = vgg.params["conv1_2"][0].data, normalised_net.params["conv1_2"][0].data
    expected = w_raw * m1[None, :, None, None] / m2[:, None, None, None]
    assert np.allclose(w_norm, expected, rtol=1e-4, atol=1e-7)


def test_stale_record_is_remade(tmp_path, monkeypatch):
    """A normalised model made from other raw bytes is not used: up_to_date says no; nor is one whose record
    lacks the md5 or the means it is verified and repaired with."""
    raw = tmp_path / "vgg19_conv.caffemodel"
    raw.write_bytes(b"x")
    normalise.normalised_path(raw).write_bytes(b"y")
    record = {"raw_md5": "0" * 32, "version": normalise.VERSION, "images": list(normalise.IMAGES),
              "md5": "2" * 32, "means": {name: [1.0] for name in CONV_LAYERS}}
    normalise.record_path(raw).write_text(json.dumps(record))
    assert not normalise.up_to_date(raw, "1" * 32)
    assert normalise.up_to_date(raw, "0" * 32)
    for field in ("md5", "means"):
        normalise.record_path(raw).write_text(json.dumps({k: v for k, v in record.items() if k != field}))
        assert not normalise.up_to_date(raw, "0" * 32), field
