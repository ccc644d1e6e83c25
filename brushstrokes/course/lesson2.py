"""Lesson 2 · Find style: the exercises of lessons/lesson2_style.py."""

from __future__ import annotations

from brushstrokes.course.model import Exercise, Lesson, Text

TODO = Text("(hint to be written)", "（提示待写）")

LESSON = Lesson(
    number="2",
    title=Text("Find style", "寻找风格"),
    module="lesson2_style",
    run="brushstrokes style --use lessons",
    page="lesson2.md",
    done=Text("all of lesson 2 passes: synthesise The Scream's texture with `brushstrokes style --use lessons`, "
              "then go on to lesson 3.",
              "第 2 课全部通过：用 `brushstrokes style --use lessons` 合成《呐喊》的纹理，然后进入第 3 课。"),
    exercises=(
        Exercise("2.1", "gram", Text("The Gram matrix", "Gram 矩阵"), 10, hints=(TODO,)),
        Exercise("2.2", "style_layer_loss", Text("One layer's style loss", "单层风格损失"), 10, uses=("2.1",),
                 hints=(TODO,)),
        Exercise("2.3", "style_layer_grad", Text("Its gradient, with the ReLU mask", "它的梯度，加上 ReLU 掩码"), 20,
                 uses=("2.1",), hints=(TODO,)),
        Exercise("2.4", "style_loss", Text("The weighted style loss over layers", "多层加权风格损失"), 15,
                 uses=("2.1", "2.2", "2.3"), hints=(TODO,)),
        Exercise("2.5", "backward_sweep", Text("One backward sweep, gradients at several depths",
                                               "一次反向传播，在多个深度注入梯度"), 25, hints=(TODO,)),
        Exercise("2.6", "synthesize", Text("Texture from white noise", "从白噪声合成纹理"), 25,
                 uses=("2.1", "2.4", "2.5", "1.3"), hints=(TODO,)),
    ),
)
