"""Lesson 1 · Find content: the exercises of lessons/lesson1_content.py."""

from __future__ import annotations

from brushstrokes.base.i18n import Text
from brushstrokes.course.model import Exercise, Lesson

LOOP = """x, losses, snapshots = x0.astype(np.float32).copy(), [], {{}}
for i in progress(iters):
    net.blobs["data"].data[...] = x
    net.forward(end=relu_name(layer))
    F = net.blobs[layer].data[0]
    losses.append(content_loss(F, P))
    net.blobs[layer].diff[0] = content_grad(F, P)
    net.backward(start=layer)
    if i % every == 0:
        snapshots[i] = x.copy()
    if i > 0 and abs(losses[-2] - losses[-1]) < tol * losses[-2]:
        break
    x = normalized_step(x, net.blobs["data"].diff.copy(), lr)
return Reconstruction(x, losses, snapshots)"""  # 1.4's last hint: the loop itself

LESSON = Lesson(
    number="1",
    title=Text("Find content", "寻找内容"),
    module="lesson1_content",
    run="brushstrokes content --use lessons",
    page="lesson1.md",
    command="content",
    loop="1.4",
    done=Text("all of lesson 1 passes: watch your own cat appear with `brushstrokes content --use lessons` "
              "(pictures in output/), then go on to lesson 2.",
              "第 1 课全部通过：用 `brushstrokes content --use lessons` 看你自己的代码让猫出现"
              "（图片在 output/），然后进入第 2 课。"),
    exercises=(
        # Each ladder goes from a nudge to the line of code; `brushstrokes hint ID` shows one step per call, then
        # points to the folded solution on docs/lesson1.md. Braces in the texts are doubled (str.format).
        Exercise("1.1", "content_loss", Text("The content loss", "内容损失"), 10, hints=(
            Text("The loss is one number: half the sum, over every entry, of (F - P) squared. Not the mean, and not "
                 "a norm (no square root).",
                 "损失是一个数：对所有元素求 (F - P) 的平方之和，再乘 1/2。不是平均值，也不是范数（不开平方）。"),
            Text("Compute in float64, so that a sum of tens of thousands of terms keeps its digits, and leave F and P "
                 "as they are: `d = F.astype(np.float64) - P` makes a new array.",
                 "用 float64 计算，几万项相加才不会丢失精度；不要改动 F 和 P：`d = F.astype(np.float64) - P` "
                 "会生成一个新数组。"),
            Text("`return 0.5 * float(np.sum((F.astype(np.float64) - P) ** 2))`",
                 "`return 0.5 * float(np.sum((F.astype(np.float64) - P) ** 2))`"),
        )),
        Exercise("1.2", "content_grad", Text("Its gradient, with the ReLU mask", "它的梯度，加上 ReLU 掩码"), 15,
                 uses=("1.1",), hints=(
            Text("Start from the derivative of 1/2 (F - P)^2 with respect to F: it is F - P.",
                 "先求 1/2 (F - P)^2 对 F 的导数：就是 F - P。"),
            Text("The loop's backward(start=layer) begins at the convolution and skips the in-place ReLU, so multiply "
                 "by the ReLU's derivative yourself: 1 where F > 0, 0 where F = 0. `F > 0` is that mask.",
                 "循环里的 backward(start=layer) 从卷积层开始，跳过了原地（in-place）ReLU，所以要你自己乘上 ReLU 的"
                 "导数：F > 0 处为 1，F = 0 处为 0。`F > 0` 就是这个掩码。"),
            Text("`return ((F - P) * (F > 0)).astype(np.float32)`", "`return ((F - P) * (F > 0)).astype(np.float32)`"),
        )),
        Exercise("1.3", "normalized_step", Text("A normalised gradient step", "归一化的梯度步"), 10,
                 called_by=("paint",), hints=(
            Text("Step downhill: subtract lr * grad / mean(|grad|) from x. The division makes the pixels move by lr "
                 "grey levels on average, whatever the gradient's scale.",
                 "往下坡走：从 x 中减去 lr * grad / mean(|grad|)。除以它之后，不管梯度的尺度如何，像素平均移动 lr "
                 "个灰度级。"),
            Text("Guard the division with max(np.mean(np.abs(grad)), 1e-12) so that an all-zero gradient gives x back "
                 "unchanged, not NaN. No clipping; return a new float32 array and leave x itself alone.",
                 "用 max(np.mean(np.abs(grad)), 1e-12) 保护除法，这样全零的梯度会原样返回 x，而不是 NaN。不要裁剪；"
                 "返回一个新的 float32 数组，不要改动 x 本身。"),
            Text("`return (x - lr * grad / max(float(np.mean(np.abs(grad))), 1e-12)).astype(np.float32)`",
                 "`return (x - lr * grad / max(float(np.mean(np.abs(grad))), 1e-12)).astype(np.float32)`"),
        )),
        Exercise("1.4", "reconstruct", Text("The reconstruction loop", "重建循环"), 30,
                 uses=("1.1", "1.2", "1.3"), called_by=("content",), hints=(
            Text("Start from `x = x0.astype(np.float32).copy()`, then follow the eight numbered steps of the "
                 "docstring, in that order, inside `for i in progress(iters):`.",
                 "从 `x = x0.astype(np.float32).copy()` 开始，然后在 `for i in progress(iters):` 里按文档字符串中"
                 "编号的八步依次来做。"),
            Text("Forward to relu_name(layer), not to layer; F = net.blobs[layer].data[0]; write content_grad(F, P) "
                 "into net.blobs[layer].diff[0]; backward(start=layer); the image's gradient is then "
                 "net.blobs['data'].diff.",
                 "前向要到 relu_name(layer) 而不是 layer；F = net.blobs[layer].data[0]；把 content_grad(F, P) 写进 "
                 "net.blobs[layer].diff[0]；backward(start=layer)；图像的梯度就在 net.blobs['data'].diff。"),
            Text("Snapshot with x.copy() when i % every == 0, before the step. From the second iteration on (i > 0), "
                 "break before the step when abs(losses[-2] - losses[-1]) < tol * losses[-2].",
                 "当 i % every == 0 时，在走这一步之前用 x.copy() 保存快照。从第二次迭代起（i > 0），当 "
                 "abs(losses[-2] - losses[-1]) < tol * losses[-2] 时，在走这一步之前 break。"),
            Text(LOOP, LOOP),
        )),
    ),
)
