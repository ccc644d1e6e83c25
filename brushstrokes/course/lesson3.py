"""Lesson 3 · Combine: the exercises of lessons/lesson3_paint.py."""

from __future__ import annotations

from brushstrokes.base.i18n import Text
from brushstrokes.course.model import Exercise, Lesson

LESSON = Lesson(
    number="3",
    title=Text("Combine", "合二为一"),
    module="lesson3_paint",
    run="brushstrokes paint data/chelsea.png data/scream.jpg --use lessons",
    page="lesson3.md",
    command="paint",
    loop="3.3",
    done=Text("all of lesson 3 passes: paint the cat with your own code, "
              "`brushstrokes paint data/chelsea.png data/scream.jpg --use lessons`.",
              "第 3 课全部通过：用你自己的代码给猫作画："
              "`brushstrokes paint data/chelsea.png data/scream.jpg --use lessons`。"),
    exercises=(
        Exercise("3.1", "total_loss_grad", Text("The total loss and its image gradient", "总损失及其图像梯度"),
                 25,
                 uses=("1.1", "1.2", "2.4", "2.5"), called_by=("paint",), hints=(
            Text("One forward pass to relu_name of the deepest layer you need (the content layer and every layer "
                 "of A), then one backward_sweep with the gradients of both losses in one dict.",
                 "一次前向传播到所需最深层（内容层和 A 的每一层）的 relu_name，然后用一个字典装下两种损失的梯度，"
                 "调用一次 backward_sweep。"),
            Text("style_loss(features, A, weights) gives (L_style, {{layer: gradient}}): multiply each gradient by "
                 "beta; add alpha * content_grad(F, P) at content_layer (grads.get(content_layer, 0) + ...).",
                 "style_loss(features, A, weights) 返回 (L_style, {{层: 梯度}})：每个梯度乘以 beta；"
                 "在 content_layer 加上 alpha * content_grad(F, P)（grads.get(content_layer, 0) + ...）。"),
            Text("`return alpha * content_loss(F, P) + beta * L_style, backward_sweep(net, grads)`: alpha goes "
                 "with the content, beta with the style, in the loss and in the gradient.",
                 "`return alpha * content_loss(F, P) + beta * L_style, backward_sweep(net, grads)`："
                 "alpha 属于内容，beta 属于风格，损失和梯度都一样。"),
        )),
        Exercise("3.2", "lbfgs_objective", Text("The objective for L-BFGS", "L-BFGS 的目标函数"), 20,
                 uses=("3.1",), hints=(
            Text("fun(z) reshapes the flat z to `shape` in float32, calls loss_grad, and returns (float(loss), "
                 "the gradient flattened in float64); the bounds keep each pixel in 0..255.",
                 "fun(z) 把一维的 z 变形为 `shape` 的 float32，调用 loss_grad，"
                 "返回 (float(loss), 展平的 float64 梯度)；"
                 "bounds 让每个像素保持在 0..255。"),
            Text("Use one order for both directions (z.reshape(shape) and grad.ravel() are both C order). "
                 "Channel c lies in [-MEAN_BGR[c], 255 - MEAN_BGR[c]].",
                 "两个方向用同一种顺序（z.reshape(shape) 和 grad.ravel() 都是 C 顺序）。"
                 "通道 c 的范围是 [-MEAN_BGR[c], 255 - MEAN_BGR[c]]。"),
            Text("`mean = MEAN_BGR.astype(np.float64)[None, :, None, None]`; `Bounds(np.broadcast_to(-mean, shape)"
                 ".ravel(), np.broadcast_to(255 - mean, shape).ravel())`.",
                 "`mean = MEAN_BGR.astype(np.float64)[None, :, None, None]`；`Bounds(np.broadcast_to(-mean, shape)"
                 ".ravel(), np.broadcast_to(255 - mean, shape).ravel())`。"),
        )),
        Exercise("3.3", "paint", Text("The painting run", "作画"), 25, uses=("3.2",), called_by=("paint",), hints=(
            Text("Follow the five numbered steps of the docstring: objective, first loss and snapshot, a step "
                 "callback, minimize, the result.",
                 "按文档字符串中编号的五步来做：目标函数、第一个损失和快照、每步回调、minimize、结果。"),
            Text("SciPy calls step(intermediate_result) after each iteration; name the parameter exactly that, "
                 "or SciPy passes the bare flat array and .x fails with AttributeError. k = len(losses) before you "
                 "append; raise StopIteration when callback(k, x, loss) returns True.",
                 "SciPy 在每次迭代后调用 step(intermediate_result)；参数名必须正是它，否则 SciPy 只传入展平的数组，"
                 ".x 会抛出 AttributeError。追加之前 k = len(losses)；callback(k, x, loss) 返回 True 时 "
                 "raise StopIteration。"),
            Text("`minimize(fun, z0, jac=True, method=\"L-BFGS-B\", bounds=bounds, callback=step, "
                 "options={{\"maxiter\": iters}})`, then "
                 "`Reconstruction(result.x.reshape(x0.shape).astype(np.float32), "
                 "losses, snapshots)`.",
                 "`minimize(fun, z0, jac=True, method=\"L-BFGS-B\", bounds=bounds, callback=step, "
                 "options={{\"maxiter\": iters}})`，然后 "
                 "`Reconstruction(result.x.reshape(x0.shape).astype(np.float32), "
                 "losses, snapshots)`。"),
        )),
        Exercise("3.4", "tv_loss_grad", Text("Total variation", "全变分"), 15, stretch=True,
                 called_by=("paint",), solution="exercise-3-6", hints=(
            Text("np.diff(x, axis=2) and np.diff(x, axis=3) are the differences down and right; the loss is the "
                 "sum of their squares.",
                 "np.diff(x, axis=2) 和 np.diff(x, axis=3) 是向下和向右的差；损失是它们的平方和。"),
            Text("A difference d = b - a adds 2d to b's gradient and -2d to a's: grad[:, :, 1:] += 2 * dy; "
                 "grad[:, :, :-1] -= 2 * dy; the same along axis 3.",
                 "差 d = b - a 给 b 的梯度加 2d，给 a 的梯度加 -2d：grad[:, :, 1:] += 2 * dy；"
                 "grad[:, :, :-1] -= 2 * dy；沿 axis 3 同理。"),
            Text("Work in float64 and return (float(loss), grad.astype(np.float32)).",
                 "用 float64 计算，返回 (float(loss), grad.astype(np.float32))。"),
        )),
        Exercise("3.5", "keep_colours", Text("Keep the photo's colours", "保留照片的颜色"), 15, stretch=True,
                 called_by=("paint",), solution="exercise-3-6", hints=(
            Text("Convert both pictures to YIQ, keep Y of the painted one and I, Q of the photo, convert back.",
                 "把两张图都转到 YIQ，保留作画结果的 Y 和照片的 I、Q，再转回 RGB。"),
            Text("`y = painted @ RGB_TO_YIQ[0]`, `iq = photo @ RGB_TO_YIQ[1:].T`; stack them on the last axis.",
                 "`y = painted @ RGB_TO_YIQ[0]`，`iq = photo @ RGB_TO_YIQ[1:].T`；在最后一个轴上拼起来。"),
            Text("`np.clip(yiq @ np.linalg.inv(RGB_TO_YIQ).T, 0, 255).astype(np.float32)`",
                 "`np.clip(yiq @ np.linalg.inv(RGB_TO_YIQ).T, 0, 255).astype(np.float32)`"),
        )),
        Exercise("3.6", "blend_grams", Text("Blend two styles", "混合两种风格"), 10, stretch=True,
                 called_by=("paint",), hints=(
            Text("For each layer, a weighted average of the paintings' Gram matrices.",
                 "对每一层，求各幅画 Gram 矩阵的加权平均。"),
            Text("Divide the weights by their sum first, so that weights (1, 3) and (0.25, 0.75) mean the same.",
                 "先把权重除以它们的和，这样 (1, 3) 和 (0.25, 0.75) 的意思相同。"),
            Text("`w = np.asarray(weights, dtype=np.float64) / np.sum(weights)`; "
                 "`{{layer: sum(wk * A[layer] for wk, A in zip(w, grams)) for layer in grams[0]}}`",
                 "`w = np.asarray(weights, dtype=np.float64) / np.sum(weights)`；"
                 "`{{layer: sum(wk * A[layer] for wk, A in zip(w, grams)) for layer in grams[0]}}`"),
        )),
    ),
)
