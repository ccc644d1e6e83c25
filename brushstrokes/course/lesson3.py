"""Lesson 3 · Combine: the exercises of lessons/lesson3_paint.py."""

from __future__ import annotations

from brushstrokes.course.model import Exercise, Lesson, Text

TODO = Text("(hint to be written)", "（提示待写）")

LESSON = Lesson(
    number="3",
    title=Text("Combine", "合二为一"),
    module="lesson3_paint",
    run="brushstrokes paint data/chelsea.png data/scream.jpg --use lessons",
    page="lesson3.md",
    done=Text("all of lesson 3 passes: paint the cat with your own code, "
              "`brushstrokes paint data/chelsea.png data/scream.jpg --use lessons`.",
              "第 3 课全部通过：用你自己的代码给猫作画："
              "`brushstrokes paint data/chelsea.png data/scream.jpg --use lessons`。"),
    exercises=(
        Exercise("3.1", "total_loss_grad", Text("Total loss and its image gradient", "总损失及其图像梯度"), 25,
                 uses=("1.1", "1.2", "2.4", "2.5"), hints=(TODO,)),
        Exercise("3.2", "lbfgs_objective", Text("The objective for L-BFGS", "L-BFGS 的目标函数"), 20,
                 uses=("3.1",), hints=(TODO,)),
        Exercise("3.3", "paint", Text("The painting run", "作画"), 25, uses=("3.2",), hints=(TODO,)),
        Exercise("3.4", "tv_loss_grad", Text("Total variation", "全变分"), 15, hints=(TODO,), stretch=True),
        Exercise("3.5", "keep_colours", Text("Keep the photo's colours", "保留照片的颜色"), 15, hints=(TODO,),
                 stretch=True),
        Exercise("3.6", "blend_grams", Text("Blend two styles", "混合两种风格"), 10, hints=(TODO,),
                 stretch=True),
    ),
)
