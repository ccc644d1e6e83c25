"""The network: Caffe, VGG19, its weights and their normalisation, and pictures in and out of it."""
