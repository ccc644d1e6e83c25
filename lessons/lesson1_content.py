"""Lesson 1 · Find content: recover the cat from its VGG19 features, starting from white noise.

Gatys, Ecker & Bethge describe the *content* of an image by what a deep layer of VGG19 responds to:
the feature maps of conv4_2. Two images with the same conv4_2 features have the same content. So take
the cat's features P, start from white noise x, and change x, bit by bit, until its features F match P.

Notation. In the paper, the features of layer l are a matrix F_l of size N_l x M_l: N_l filters, each
seen at M_l = h*w positions. Caffe stores them as an array of shape (C, h, w) = (N_l, h, w), float32;
every formula below is a sum over all entries, so the shape does not change the maths.
Images are Caffe blobs: (1, 3, H, W) float32, BGR, ImageNet mean subtracted, in grey levels (0..255
units). `brushstrokes.net.images` converts pictures to and from this layout.

The exercises, in order (each one is checked on its own):
    1.1  content_loss      L = 1/2 sum (F - P)^2
    1.2  content_grad      dL/dF, with the ReLU mask that pycaffe makes you apply by hand
    1.3  normalized_step   one step downhill, of a fixed average size
    1.4  reconstruct       the loop: forward, loss, gradient, backward, step
Check one with `brushstrokes check 1.2`, all of lesson 1 with `brushstrokes check 1`. When all four pass, watch your
own cat appear out of the noise: `brushstrokes content --use lessons` (pictures in output/).

A note on the loss. The write-up this tutorial follows logged `0.5 * norm(F - P)`, the norm and not its
square, as its loss. That is a different number from the paper's loss, but its gradient,
0.5 * (F - P) / norm(F - P), points the same way as the paper's F - P, and a normalised step
(exercise 1.3) keeps only the direction: its pictures were right, only the printed number was another
quantity. We implement the paper: 1/2 sum (F - P)^2 (check 1.1 recognises half a norm).
"""

from __future__ import annotations

import numpy as np

from brushstrokes.lesson_support import Reconstruction, progress, relu_name  # noqa: F401


def content_loss(F: np.ndarray, P: np.ndarray) -> float:
    """Exercise 1.1 · The content loss: how far the features F are from the target features P.

        L_content = 1/2 * sum_ij (F_ij - P_ij)^2          (the paper's equation 1)

    F: (C, h, w) float32, the features of the image being optimised, after the layer's ReLU.
    P: (C, h, w) float32, the features of the photo at the same layer.
    Returns: a Python float (not an array), >= 0, and 0 exactly when F equals P.

    Hints: sum over every entry. Compute in float64 (`F.astype(np.float64)`): at conv4_2 the sum has
    tens of thousands of terms and float32 keeps only about 7 digits. Do not change F or P in place:
    F may be Caffe's own blob memory.
    Check: brushstrokes check 1.1
    """
    raise NotImplementedError("Exercise 1.1: write content_loss, then run `brushstrokes check 1.1`")


def content_grad(F: np.ndarray, P: np.ndarray) -> np.ndarray:
    """Exercise 1.2 · The gradient that pycaffe's backward pass needs at the content layer.

        dL/dF_ij = (F - P)_ij   if F_ij > 0,   else 0          (the paper's equation 2)

    The derivative of 1/2 (F - P)^2 is just F - P. So where does "if F > 0" come from, and why must
    *you* apply it? Because VGG19's ReLUs work in place in Caffe:
      - convolution conv4_2 writes its output Z into blob "conv4_2"; then layer relu4_2 overwrites
        that same blob with F = max(0, Z) (Caffe saves memory this way);
      - after net.forward(end="relu4_2"), blob "conv4_2" holds F: that is what you compare with P;
      - net.backward(start="conv4_2") starts at the *convolution*: it reads the blob's diff as dL/dZ
        and never runs relu4_2's backward.
    By the chain rule  dL/dZ = dL/dF * dF/dZ = (F - P) * [Z > 0],  and Z > 0 exactly where F > 0.
    The mask is the ReLU's derivative, applied by hand. Without it, every position where the ReLU is
    off (F = 0) would still push Z with -P, a gradient that does not exist.

    F, P: (C, h, w) float32, as in content_loss.
    Returns: (C, h, w) float32 (Caffe's diff blobs are float32), the gradient with respect to Z.

    Hints: `F > 0` is an array of booleans; multiply by it, or use np.where. Finish with
    `.astype(np.float32)`.
    Check: brushstrokes check 1.2   (also compares with finite differences of your content_loss)
    """
    raise NotImplementedError("Exercise 1.2: write content_grad, then run `brushstrokes check 1.2`")


def normalized_step(x: np.ndarray, grad: np.ndarray, lr: float) -> np.ndarray:
    """Exercise 1.3 · One step of gradient descent, of a fixed average size.

        x_new = x - lr * grad / mean(|grad|)

    The raw gradient dL/dx has no useful scale: on a small noise image at conv4_2 its entries are in
    the thousands, and its size changes with the layer, the image size, and as the loss shrinks.
    Dividing by its mean absolute value makes lr a size in grey levels: each step moves the pixels by
    lr on average. This plain, normalised step is the one the write-up we follow used; the paper
    itself optimises with L-BFGS.

    x: (1, 3, H, W) float32, the image; grad: dL/dx, the same shape (net.blobs["data"].diff);
    lr: the step size in grey levels (e.g. 2.0).
    Returns: a new (1, 3, H, W) float32 array; leave x itself unchanged.

    Hints: mind the sign: step against the gradient, downhill. An all-zero gradient (F == P already)
    must not give NaN: guard the division, e.g. with max(mean, 1e-12), and return x unchanged.
    Check: brushstrokes check 1.3
    """
    raise NotImplementedError("Exercise 1.3: write normalized_step, then run `brushstrokes check 1.3`")


def reconstruct(net, P: np.ndarray, x0: np.ndarray, layer: str = "conv4_2", iters: int = 200, lr: float = 2.0,
                tol: float = 1e-4, every: int = 20) -> Reconstruction:
    """Exercise 1.4 · Find content: gradient descent on the image, through VGG19 in pycaffe.

    net: a caffe.Net (brushstrokes.net.vgg.load_vgg19) whose input blob "data" has x0's shape.
    P: (C, h, w) float32, the photo's features at `layer`. x0: (1, 3, H, W) float32, the start (noise).
    layer: the content layer; iters: the most iterations to run; lr: the step size in grey levels;
    tol: stop early once the loss changes by less than this fraction of itself; every: snapshot period.

    Start from a float32 copy of x0. In each iteration i = 0, 1, 2, ...:
      1. put x in the net's input blob: write into net.blobs["data"].data (with [...] = x);
      2. run the net forward up to the layer *and its ReLU*: net.forward(end=relu_name(layer)).
         end=layer would stop before the in-place relu4_2 and leave the raw convolution in the blob;
      3. F = net.blobs[layer].data[0]; append content_loss(F, P) to the losses;
      4. inject your gradient: write content_grad(F, P) into net.blobs[layer].diff[0];
      5. net.backward(start=layer): Caffe carries the gradient back to the image, into
         net.blobs["data"].diff;
      6. when i % every == 0, keep a snapshot of x (the image whose loss you just logged);
      7. stop early (break, keeping x as it is) when i > 0 and |L_(i-1) - L_i| < tol * L_(i-1);
      8. step: x = normalized_step(x, <the image's gradient>, lr).

    Returns: Reconstruction(x, losses, snapshots): x, (1, 3, H, W) float32, the image after the last
    step (or, on an early stop, the image whose loss came last); losses, a list with one float per
    iteration; snapshots, {i: (1, 3, H, W) float32 image at the start of iteration i}.

    Hints: loop with `for i in progress(iters):` (a progress bar; Ctrl-C ends the loop and keeps the
    result). The arrays in net.blobs are views of Caffe's memory and change at the next forward or
    backward: `.copy()` what you keep.
    Check: brushstrokes check 1.4   (it uses the reference content_loss, content_grad and normalized_step,
    so a mistake in those costs only their own exercise)
    """
    raise NotImplementedError("Exercise 1.4: write reconstruct, then run `brushstrokes check 1.4`")
