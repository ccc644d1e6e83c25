"""Shared fixtures: the real VGG19 (loaded once) and small inputs."""

from __future__ import annotations

import numpy as np
import pytest

from brushstrokes.base import paths
from brushstrokes.net import images


@pytest.fixture(scope="session")
def vgg():
    """The real VGG19 with average pooling, input 32x32 (reshape as needed)."""
    from brushstrokes.net.vgg import load_vgg19

    return load_vgg19(pooling="avg", shape=(32, 32))


@pytest.fixture(scope="session")
def vgg_max():
    """The real VGG19 with max pooling, input 32x32."""
    from brushstrokes.net.vgg import load_vgg19

    return load_vgg19(pooling="max", shape=(32, 32))


@pytest.fixture
def cat32() -> np.ndarray:
    """The cat at 32x32 px in Caffe layout (1, 3, 32, 32)."""
    return images.preprocess(images.load_image(paths.CAT, size=(32, 32)))
