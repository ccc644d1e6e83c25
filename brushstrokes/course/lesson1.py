"""Lesson 1 · Find content: the exercises of lessons/lesson1_content.py."""

from __future__ import annotations

from brushstrokes.course.model import Exercise, Lesson, Text

LESSON = Lesson(
    number="1",
    title=Text("Find content", "寻找内容"),
    module="lesson1_content",
    run="brushstrokes content --use lessons",
    page="lesson1.md",
    done=Text("all of lesson 1 passes: watch your own cat appear with `brushstrokes content --use lessons` "
              "(pictures in output/), then go on to lesson 2.",
              "第 1 课全部通过：用 `brushstrokes content --use lessons` 看你自己的代码让猫出现"
              "（图片在 output/），然后进入第 2 课。"),
    exercises=(
        Exercise("1.1", "content_loss", Text("The content loss", "内容损失"), 10, hints=(
            Text("The loss is one number: half the sum of the squared differences between F and P.",
                 "损失是一个数：F 与 P 之差的平方和的一半。"),
            Text("Sum over every entry, not the mean, and compute in float64: `d = F.astype(np.float64) - P`.",
                 "对所有元素求和（不是平均），并用 float64 计算：`d = F.astype(np.float64) - P`。"),
            Text("`return 0.5 * float(np.sum(d ** 2))`; no square root (that would be the write-up's 0.5*norm).",
                 "`return 0.5 * float(np.sum(d ** 2))`；不要开平方（那是原帖打印的 0.5*norm）。"),
        )),
        Exercise("1.2", "content_grad", Text("Its gradient, with the ReLU mask", "它的梯度，加上 ReLU 掩码"), 15,
                 uses=("1.1",), hints=(
            Text("The derivative of 1/2 (F - P)^2 with respect to F is F - P.",
                 "1/2 (F - P)^2 对 F 的导数是 F - P。"),
            Text("backward(start=layer) starts at the convolution and skips the in-place ReLU: multiply by the "
                 "ReLU's derivative, [F > 0], yourself.",
                 "backward(start=layer) 从卷积层开始，跳过了原地（in-place）ReLU：你要自己乘上 ReLU 的导数 [F > 0]。"),
            Text("`return ((F - P) * (F > 0)).astype(np.float32)`", "`return ((F - P) * (F > 0)).astype(np.float32)`"),
        )),
        Exercise("1.3", "normalized_step", Text("A normalised gradient step", "归一化的梯度步"), 10, hints=(
            Text("Step against the gradient, and divide it by its mean absolute value so lr is in grey levels.",
                 "沿梯度的反方向走一步，并除以梯度的平均绝对值，这样 lr 的单位就是灰度级。"),
            Text("Guard the division for an all-zero gradient: max(np.mean(np.abs(grad)), 1e-12). No clipping.",
                 "梯度全为零时要防止除以零：max(np.mean(np.abs(grad)), 1e-12)。不要裁剪。"),
            Text("`return (x - lr * grad / max(float(np.mean(np.abs(grad))), 1e-12)).astype(np.float32)`",
                 "`return (x - lr * grad / max(float(np.mean(np.abs(grad))), 1e-12)).astype(np.float32)`"),
        )),
        Exercise("1.4", "reconstruct", Text("The reconstruction loop", "重建循环"), 30,
                 uses=("1.1", "1.2", "1.3"), hints=(
            Text("Follow the eight numbered steps of the docstring, in that order, inside `for i in progress(iters):`.",
                 "在 `for i in progress(iters):` 里按文档字符串中编号的八步依次来做。"),
            Text("Forward to relu_name(layer), not to layer; inject content_grad into net.blobs[layer].diff[0]; "
                 "backward(start=layer); the image's gradient is net.blobs['data'].diff.",
                 "前向要到 relu_name(layer) 而不是 layer；把 content_grad 写进 net.blobs[layer].diff[0]；"
                 "backward(start=layer)；图像的梯度在 net.blobs['data'].diff。"),
            Text("Snapshot (x.copy()) when i % every == 0, before the step; break before the step when i > 0 and "
                 "|L_(i-1) - L_i| < tol * L_(i-1).",
                 "当 i % every == 0 时在走这一步之前保存快照（x.copy()）；当 i > 0 且 "
                 "|L_(i-1) - L_i| < tol * L_(i-1) 时，在走这一步之前 break。"),
        )),
    ),
)
