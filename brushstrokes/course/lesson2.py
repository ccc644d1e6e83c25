"""Lesson 2 · Find style: the exercises of lessons/lesson2_style.py."""

from __future__ import annotations

from brushstrokes.base.i18n import Text
from brushstrokes.course.model import Exercise, Lesson

LESSON = Lesson(
    number="2",
    title=Text("Find style", "寻找风格"),
    module="lesson2_style",
    run="brushstrokes style --use lessons",
    page="lesson2.md",
    command="style",
    loop="2.6",
    done=Text("all of lesson 2 passes: synthesise The Scream's texture with `brushstrokes style --use lessons`, "
              "then go on to lesson 3.",
              "第 2 课全部通过：用 `brushstrokes style --use lessons` 合成《呐喊》的纹理，然后进入第 3 课。"),
    exercises=(
        Exercise("2.1", "gram", Text("The Gram matrix", "Gram 矩阵"), 10, called_by=("style", "paint"), hints=(
            Text("Reshape F (N, h, w) to the paper's N x M matrix first: one row per filter, M = h*w positions.",
                 "先把 F (N, h, w) 变形为论文中的 N x M 矩阵：每个滤波器一行，M = h*w 个位置。"),
            Text("G is (N, N): the product of the matrix with its transpose, flat @ flat.T, not flat.T @ flat "
                 "(that one is (M, M)). Convert to float64 first.",
                 "G 是 (N, N)：矩阵乘以它的转置，flat @ flat.T，而不是 flat.T @ flat（那是 (M, M)）。先转成 float64。"),
            Text("`flat = F.reshape(F.shape[0], -1).astype(np.float64)`, then `return flat @ flat.T`",
                 "`flat = F.reshape(F.shape[0], -1).astype(np.float64)`，然后 `return flat @ flat.T`"),
        )),
        Exercise("2.2", "style_layer_loss", Text("One layer's style loss", "单层风格损失"), 10, uses=("2.1",),
                 called_by=("style",), hints=(
            Text("E_l is one number: the sum of (G - A)^2 over all N x N entries, divided by 4 N^2 M^2.",
                 "E_l 是一个数：(G - A)^2 在全部 N x N 个元素上求和，再除以 4 N^2 M^2。"),
            Text("N = F.shape[0] filters, M = h * w positions (F[0].size): not N*M, and not 2 N M; squared, "
                 "times 4.",
                 "N = F.shape[0] 个滤波器，M = h * w 个位置（F[0].size）：不是 N*M，也不是 2 N M；要平方，再乘 4。"),
            Text("`return float(np.sum((gram(F) - A) ** 2)) / (4.0 * N**2 * M**2)`",
                 "`return float(np.sum((gram(F) - A) ** 2)) / (4.0 * N**2 * M**2)`"),
        )),
        Exercise("2.3", "style_layer_grad", Text("Its gradient, with the ReLU mask", "它的梯度，加上 ReLU 掩码"), 20,
                 uses=("2.1",), called_by=("style",), hints=(
            Text("Work with flat = F.reshape(N, M) in float64; (flat.T @ (G - A)).T is (N, M), like flat.",
                 "用 float64 的 flat = F.reshape(N, M) 计算；(flat.T @ (G - A)).T 是 (N, M)，和 flat 一样。"),
            Text("Divide by N^2 M^2 (the 4 of the loss cancelled the two 2s of the derivative), reshape to F.shape, "
                 "and multiply by the ReLU mask (F > 0): backward(start=layer) skips the in-place ReLU.",
                 "除以 N^2 M^2（损失里的 4 抵消了求导得到的两个 2），变形回 F.shape，再乘上 ReLU 掩码 (F > 0)："
                 "backward(start=layer) 会跳过原地 ReLU。"),
            Text("`g = (flat.T @ (gram(F) - A)).T / (N**2 * M**2)`, then "
                 "`return (g.reshape(F.shape) * (F > 0)).astype(np.float32)`",
                 "`g = (flat.T @ (gram(F) - A)).T / (N**2 * M**2)`，然后 "
                 "`return (g.reshape(F.shape) * (F > 0)).astype(np.float32)`"),
        )),
        Exercise("2.4", "style_loss", Text("The weighted style loss over layers", "多层加权风格损失"), 15,
                 uses=("2.1", "2.2", "2.3"), called_by=("style",), hints=(
            Text("When weights is None, use 1/5 on each of STYLE_LAYERS; then only the layers in weights count.",
                 "weights 为 None 时，对 STYLE_LAYERS 中每一层用 1/5；之后只计算 weights 里的层。"),
            Text("For each (layer, w) in weights.items(): add w * style_layer_loss(features[layer], targets[layer]) "
                 "to the loss and keep w * style_layer_grad(...) as that layer's gradient.",
                 "对 weights.items() 中的每个 (layer, w)：把 w * style_layer_loss(features[layer], targets[layer]) "
                 "加到损失上，并把 w * style_layer_grad(...) 作为该层的梯度。"),
            Text("`loss += w * style_layer_loss(F, A)`; `grads[layer] = (w * style_layer_grad(F, A))"
                 ".astype(np.float32)`; `return loss, grads`",
                 "`loss += w * style_layer_loss(F, A)`；`grads[layer] = (w * style_layer_grad(F, A))"
                 ".astype(np.float32)`；`return loss, grads`"),
        )),
        Exercise("2.5", "backward_sweep", Text("One backward sweep, gradients at several depths",
                                               "一次反向传播，在多个深度注入梯度"), 25, called_by=("style",), hints=(
            Text("Each layer's backward *writes* the diff of the blob below it: a gradient written into a "
                 "shallow blob before a backward from deeper is overwritten. Go deepest first.",
                 "每一层的反向传播都会*覆盖写入*它下方 blob 的 diff：在从更深的层反向传播之前写进浅层 blob 的梯度"
                 "会被覆盖。所以从最深的层开始。"),
            Text("order = sorted(grads, key=list(net.blobs).index, reverse=True). Set the deepest diff; then for "
                 "each next layer: net.backward(start=deeper, end=relu_name(layer)), and *add* its gradient with +=.",
                 "order = sorted(grads, key=list(net.blobs).index, reverse=True)。先设置最深层的 diff；然后对"
                 "下一层：net.backward(start=更深的层, end=relu_name(layer))，再用 += *加上*它自己的梯度。"),
            Text("After the loop, net.backward(start=order[-1]) runs the last segment to the input; "
                 "`return net.blobs['data'].diff.copy()`",
                 "循环之后，net.backward(start=order[-1]) 把最后一段一直传到输入；"
                 "`return net.blobs['data'].diff.copy()`"),
        )),
        Exercise("2.6", "synthesize", Text("Texture from white noise", "从白噪声合成纹理"), 25,
                 uses=("2.4", "2.5"), called_by=("style",), hints=(
            Text("It is lesson 1's loop (exercise 1.4) with style_loss and backward_sweep in place of content_loss, "
                 "content_grad and one backward.",
                 "这就是第 1 课的循环（练习 1.4），只是把 content_loss、content_grad 和一次反向传播换成 "
                 "style_loss 和 backward_sweep。"),
            Text("layers = tuple(weights) if weights is not None else STYLE_LAYERS; forward once to the deepest "
                 "layer's ReLU: net.forward(end=relu_name(max(layers, key=list(net.blobs).index))).",
                 "layers = tuple(weights) if weights is not None else STYLE_LAYERS；只前向一次，到最深层的 ReLU："
                 "net.forward(end=relu_name(max(layers, key=list(net.blobs).index)))。"),
            Text("Per iteration: data = x; forward; loss, grads = style_loss({{l: net.blobs[l].data[0] ...}}, "
                 "targets, weights); grad = backward_sweep(net, grads); snapshot; early stop; "
                 "x = adam.step(x, grad), with adam = Adam(lr) made once before the loop.",
                 "每次迭代：data = x；前向；loss, grads = style_loss({{l: net.blobs[l].data[0] ...}}, targets, "
                 "weights)；grad = backward_sweep(net, grads)；快照；提前停止；x = adam.step(x, grad)，"
                 "其中 adam = Adam(lr) 在循环之前创建一次。"),
        )),
    ),
)
