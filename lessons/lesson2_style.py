"""Lesson 2 · Find style: Gram matrices of VGG19 features, and a painting's texture out of white noise.

Lesson 1 matched *where* things are: conv4_2's features, position by position. Style is what is left
when you forget where: which filters fire *together*, anywhere in the picture. Gatys, Ecker & Bethge
measure it with Gram matrices, the correlations between the filter responses of a layer, on five layers
(conv1_1 ... conv5_1), and make a texture by changing white noise until its Gram matrices match the
painting's.

Notation. F_l is the paper's N_l x M_l matrix: N_l filters, each seen at M_l = h*w positions. Caffe
stores it as (N, h, w) float32; `F.reshape(N, h * w)` is the paper's matrix (row i = filter i at every
position). A Gram matrix is (N, N); we keep Gram matrices in float64 (sums of many float32 products).
Images are Caffe blobs (1, 3, H, W) float32, BGR, mean subtracted, in grey levels.

The exercises, in order (each one is checked on its own):
    2.1  gram                G = F F^T
    2.2  style_layer_loss    E_l = 1/(4 N^2 M^2) sum (G - A)^2
    2.3  style_layer_grad    dE_l/dZ_l, with the ReLU mask
    2.4  style_loss          sum_l w_l E_l over several layers, with each layer's gradient
    2.5  backward_sweep      one backward pass that injects gradients at several depths
    2.6  synthesize          the loop: a texture from white noise
Check one with `brushstrokes check 2.3`, all of lesson 2 with
`brushstrokes check 2`. When all six pass, make The Scream's texture with your own code:
`brushstrokes style --use lessons` (pictures in output/).

The network. Lessons 2 and 3 use the paper's *normalised* VGG19 (`load_vgg19(normalised=True)`): the
same weights rescaled so that every filter's mean activation over natural photographs is 1. It computes
the same features up to one positive factor per filter, but it balances the five layers' losses; with
the raw weights conv4_1 alone is most of the style loss. The lesson page shows both.
"""

from __future__ import annotations

import numpy as np

from brushstrokes.lesson_support import STYLE_LAYERS, Adam, Reconstruction, progress, relu_name  # noqa: F401


def gram(F: np.ndarray) -> np.ndarray:
    """Exercise 2.1 · The Gram matrix of one layer's features.

        G_ij = sum_k F_ik F_jk        (the paper's equation 3: G = F F^T)

    with F the layer's N x M matrix: row i is filter i's response at each of the M = h*w positions.
    G_ij is large when filters i and j are strong at the same positions: which features go together.
    The sum runs over positions, so G does not know *where* anything is: permute the positions of the
    feature map (the same permutation for every filter) and G does not change.

    F: (N, h, w) float32, a layer's features after its ReLU.
    Returns: (N, N) float64, symmetric.

    Hints: reshape to (N, h*w) first: rows are filters. Which of `flat @ flat.T` and `flat.T @ flat` is
    (N, N)? Convert to float64 before multiplying: at conv1_1 each entry sums tens of thousands of products.
    Check: brushstrokes check 2.1
    """
    raise NotImplementedError("Exercise 2.1: write gram, then run `brushstrokes check 2.1`")


def style_layer_loss(F: np.ndarray, A: np.ndarray) -> float:
    """Exercise 2.2 · One layer's style loss: how far the image's Gram matrix is from the painting's.

        E_l = 1/(4 N^2 M^2) * sum_ij (G_ij - A_ij)^2        (the paper's equation 4)

    G = gram(F) is the image's Gram matrix, A the painting's at the same layer, N the number of filters,
    M = h*w the number of positions. Why 1/(4 N^2 M^2)? Each entry of G is a sum over M positions, so
    G / M is an average that does not grow with the image; E_l = 1/4 * the mean over the N^2 entries of
    ((G - A) / M)^2, comparable between image sizes (not between layers: that is what the normalised
    network is for). The 4 cancels the two 2s of the derivative (exercise 2.3): one from the square, one
    because F appears twice in G = F F^T.

    F: (N, h, w) float32, the image's features after the ReLU; A: (N, N) float64.
    Returns: a Python float >= 0.

    Hints: N = F.shape[0], M = h * w (F[0].size). Use your gram. Write 4.0 * N**2 * M**2 in floats:
    at conv1_1 of a 128 px image N^2 M^2 is about 5e11.
    Check: brushstrokes check 2.2
    """
    raise NotImplementedError("Exercise 2.2: write style_layer_loss, then run `brushstrokes check 2.2`")


def style_layer_grad(F: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Exercise 2.3 · Its gradient, ready to inject into the layer's blob.

        dE_l/dF = 1/(N^2 M^2) * (F^T (G - A))^T   where F > 0,  else 0      (the paper's equation 5)

    with F the N x M matrix. The "where F > 0" is the same ReLU mask as in exercise 1.2: after
    net.forward(end=relu_name(layer)) the blob holds F = max(0, Z), and net.backward(start=layer) starts
    at the convolution and skips the in-place ReLU, so the diff you write must be dE/dZ = dE/dF * [F > 0].

    F: (N, h, w) float32 after the ReLU; A: (N, N) float64, the painting's Gram matrix at this layer.
    Returns: (N, h, w) float32 (a diff blob's layout and dtype).

    Hints: work with flat = F.reshape(N, M) in float64. (flat.T @ (G - A)).T is (N, M); reshape it back to
    F.shape. Then mask with (F > 0) and finish with .astype(np.float32).
    Check: brushstrokes check 2.3   (also against finite differences of your style_layer_loss)
    """
    raise NotImplementedError("Exercise 2.3: write style_layer_grad, then run `brushstrokes check 2.3`")


def style_loss(features: dict[str, np.ndarray], targets: dict[str, np.ndarray],
               weights: dict[str, float] | None = None) -> tuple[float, dict[str, np.ndarray]]:
    """Exercise 2.4 · The style loss over several layers, and each layer's gradient.

        L_style = sum_l w_l E_l        dL_style/dZ_l = w_l dE_l/dZ_l        (the paper's equations 5-6)

    features: {layer: F (N, h, w) float32} of the image; targets: {layer: A (N, N) float64} of the
    painting; weights: {layer: w_l}, or None for the paper's choice, w_l = 1/5 on each of STYLE_LAYERS
    (conv1_1, conv2_1, conv3_1, conv4_1, conv5_1). Only the layers in weights count.
    Returns: (L_style as a Python float, {layer: w_l * style_layer_grad(F_l, A_l) as (N, h, w) float32}),
    one gradient per layer of weights.

    Hints: loop over weights.items(). Use your style_layer_loss and style_layer_grad.
    Check: brushstrokes check 2.4
    """
    raise NotImplementedError("Exercise 2.4: write style_loss, then run `brushstrokes check 2.4`")


def backward_sweep(net, grads: dict[str, np.ndarray]) -> np.ndarray:
    """Exercise 2.5 · One backward pass through VGG19 with gradients injected at several depths.

    The style loss depends on the image through five layers at once, so the image's gradient is the sum of
    what each layer sends back. One pass does it, if you know how pycaffe's backward works:
      - net.backward(start=a, end=b) runs the layers from a back *toward the input* down to b (both
        included); each layer *writes* (does not add to) the diff of the blob below it;
      - so a gradient written into a shallower blob before a backward from a deeper layer gets overwritten.
    Go deepest first. Write the deepest layer's gradient into its blob's diff; run backward from it down to
    the next injected layer's ReLU, end=relu_name(layer): that blob's diff now holds what came from deeper
    (the ReLU's backward has masked it); *add* the layer's own gradient to it (+=); continue from that
    layer; the last segment runs from the shallowest layer to the input: net.backward(start=layer).

    net: a caffe.Net after a forward pass to the deepest layer's ReLU (the blobs hold that image's
    features). grads: {conv layer name: dL/dZ (N, h, w) float32}, any set of conv layers (lesson 3 adds
    conv4_2's content gradient to the five style layers).
    Returns: a copy of net.blobs["data"].diff, (1, 3, H, W) float32: dL/dx.

    Hints: sort the layers deepest first: `sorted(grads, key=list(net.blobs).index, reverse=True)`.
    Write into net.blobs[name].diff[0] (with = for the first, += for the others). One backward call per
    injected layer.
    Check: brushstrokes check 2.5   (the image gradient is also checked against finite differences)
    """
    raise NotImplementedError("Exercise 2.5: write backward_sweep, then run `brushstrokes check 2.5`")


def synthesize(net, targets: dict[str, np.ndarray], x0: np.ndarray, weights: dict[str, float] | None = None,
               iters: int = 200, lr: float = 5.0, tol: float = 1e-4, every: int = 25) -> Reconstruction:
    """Exercise 2.6 · Texture from white noise: change x until its Gram matrices match the painting's.

    net: a caffe.Net (load_vgg19(normalised=True)) whose input blob has x0's shape.
    targets: {layer: A (N, N) float64}, the painting's Gram matrices; x0: (1, 3, H, W) float32 noise;
    weights: {layer: w_l} or None (1/5 on each of STYLE_LAYERS); iters: the most iterations;
    lr: Adam's step size in grey levels; tol: stop early once the loss changes by less than this fraction of
    itself; every: snapshot period.

    The step. Lesson 1's normalised step moves every pixel by lr on average at every iteration, so near the
    end it keeps jittering around the minimum. Here we use Adam (brushstrokes.runs.adam): each pixel's step is
    its gradient's running average divided by the root of its running mean square, so pixels whose gradient
    keeps flipping sign slow down. Make it once before the loop, adam = Adam(lr), and step with
    x = adam.step(x, grad). (Lesson 3 uses L-BFGS, the paper's optimiser.)

    layers = the keys of weights (STYLE_LAYERS when None). Start from a float32 copy of x0. In each
    iteration i = 0, 1, 2, ...:
      1. write x into net.blobs["data"].data[...];
      2. net.forward(end=relu_name(deepest layer)): one forward pass fills every style layer's blob;
      3. loss, grads = style_loss({layer: net.blobs[layer].data[0] for each layer}, targets, weights);
         append the loss;
      4. grad = backward_sweep(net, grads): the image's gradient;
      5. when i % every == 0, keep a snapshot of x;
      6. stop early (break, keeping x) when i > 0 and |L_(i-1) - L_i| < tol * L_(i-1);
      7. step: x = adam.step(x, grad).
    Returns: Reconstruction(x, losses, snapshots), as in lesson 1.

    Hints: the deepest layer: max(layers, key=list(net.blobs).index). It is lesson 1's loop with
    style_loss and backward_sweep in place of content_loss, content_grad and one backward.
    Check: brushstrokes check 2.6   (it uses the reference 2.4 and 2.5, so a mistake there costs only that
    exercise)
    """
    raise NotImplementedError("Exercise 2.6: write synthesize, then run `brushstrokes check 2.6`")
