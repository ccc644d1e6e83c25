"""Brushstrokes: neural style transfer, built by you, on a real pycaffe VGG19."""

__version__ = "0.1.0"
