"""The grading plugin's learner-facing messages, in English and Chinese (shown in brushstrokes.base.i18n.language()).

CHECK is the one command form the messages give for grading one exercise (the same as the site's and the CLI's;
`brushstrokes check` runs `pytest checks/` with the exercise's -k expression).
"""

from __future__ import annotations

from brushstrokes.base.i18n import Text

CHECK = "brushstrokes check {id}"
CHECK_ALL = "brushstrokes check"

HEADER = Text("brushstrokes: grading {label} (check {other})", "brushstrokes：评分 {label}（另见 {other}）")
OTHER_LESSONS = Text("lessons/", "lessons/")
OTHER_SOLUTIONS = Text("solutions/ with --solutions", "用 --solutions 评分 solutions/")

STATUS = {
    "passed": Text("passed", "通过"),
    "failed": Text("failed", "未通过"),
    "not started": Text("not started", "未开始"),
    "not run": Text("not run", "未运行"),
}
SCORE = Text("Brushstrokes score: {label}", "Brushstrokes 得分：{label}")
STRETCH = Text("  stretch exercises (not counted in the score):", "  拓展练习（不计入得分）：")

NOT_STARTED = Text("not started: fill in {file}::{function} (exercise {id}; its docstring explains it), "
                   "then run `" + CHECK + "`",
                   "未开始：请完成 {file}::{function}（练习 {id}，文档字符串里有说明），然后运行 `" + CHECK + "`")
NOT_STARTED_NOTE = Text("fill in {file}::{function}", "请完成 {file}::{function}")
RAISED = Text("{function} raised {error}\n  at {file} line {line}: {source}\n  next: {step}",
              "{function} 抛出了 {error}\n  位置：{file} 第 {line} 行：{source}\n  下一步：{step}")
RAISED_NOTE = Text("raised {name} at line {line}", "第 {line} 行抛出 {name}")
COULD_NOT_RUN = Text("could not run this check: {message}\n  next: {todo}",
                     "无法运行这项检查：{message}\n  下一步：{todo}")
COULD_NOT_RUN_NOTE = Text("could not run: {message}", "无法运行：{message}")
TIMEOUT = Text("{function} did not finish within {seconds:g} s{where}: an endless loop?\n"
               "  next: check the loop's condition and that it advances (or raise the limit with "
               "--check-timeout SECONDS); {step}",
               "{function} 在 {seconds:g} 秒内没有结束{where}：是死循环吗？\n"
               "  下一步：检查循环条件以及循环是否向前推进（或用 --check-timeout 秒数 放宽限制）；{step}")
TIMEOUT_WHERE = Text(" (it was at {file} line {line}: {source})", "（当时在 {file} 第 {line} 行：{source}）")
TIMEOUT_NOTE = Text("did not finish within {seconds:g} s", "{seconds:g} 秒内没有结束")
EXITED = Text("{function} called {how}{where}: the whole check run would have stopped there\n"
              "  next: a function returns its result; remove that call, then run `" + CHECK + "`",
              "{function} 调用了 {how}{where}：整个评分会在那里中止\n"
              "  下一步：函数应该返回结果；删掉这个调用，然后运行 `" + CHECK + "`")
EXITED_WHERE = Text(" at {file} line {line}: {source}", "（{file} 第 {line} 行：{source}）")
EXITED_NOTE = Text("called {how}", "调用了 {how}")
SIGNATURE = Text("{file} defines {got}\n  expected {expected} (the checks call it this way, defaults included)\n"
                 "  next: put back the original first line of the function, then run `" + CHECK + "`",
                 "{file} 定义的是 {got}\n  应该是 {expected}（检查按这个方式调用它，默认值也要一致）\n"
                 "  下一步：恢复函数原来的第一行，然后运行 `" + CHECK + "`")
SIGNATURE_NOTE = Text("expected {expected}", "应该是 {expected}")
NO_FUNCTION = Text("{file} has no function {function}\n  next: put back `def {function}(...)` with the signature "
                   "of the original (the checks call it by name), then run `" + CHECK + "`",
                   "{file} 里没有函数 {function}\n  下一步：按原来的签名恢复 `def {function}(...)`"
                   "（检查按名字调用它），然后运行 `" + CHECK + "`")
SAME_EXERCISE = Text("(exercise {id}: see the failure above)", "（练习 {id}：见上面的失败信息）")
OUTPUT_CUT = Text("... {count} more lines of output cut", "……另有 {count} 行输出被省略")
WRONG_RESULT = Text("wrong result (see its failure above)", "结果不对（见上面的失败信息）")

NEXT_NOT_STARTED = Text("Next: exercise {id}: fill in {function} in {file} (its docstring explains it), "
                        "then run `" + CHECK + "`.",
                        "下一步：练习 {id}：完成 {file} 里的 {function}（文档字符串里有说明），"
                        "然后运行 `" + CHECK + "`。")
NEXT_FAILED = Text("Next: exercise {id}: read its failure above, {step}.",
                   "下一步：练习 {id}：看上面的失败信息，{step}。")
NEXT_UNGRADED = Text("Next: exercise {id} was not graded ({note}): run `" + CHECK_ALL + "` to grade every exercise.",
                     "下一步：练习 {id} 没有评分（{note}）：运行 `" + CHECK_ALL + "` 给所有练习评分。")
NEXT_SOLUTIONS = Text("Next: these are the reference solutions; grade your own code in lessons/ with `"
                      + CHECK_ALL + "`.",
                      "下一步：这些是参考答案；用 `" + CHECK_ALL + "` 给你自己在 lessons/ 里的代码评分。")
NEXT_LESSON = Text("Next: on to the next lesson.", "下一步：进入下一课。")
DONE = Text("Next: {done}", "下一步：{done}")

INTERRUPTED = Text("Ctrl-C: the run was stopped{during}; exercises without a grade read 'not run' "
                   "(nothing was graded wrong). Run `" + CHECK_ALL + "` again to grade them.",
                   "Ctrl-C：评分已中止{during}；没有评分的练习显示“未运行”（没有给出错误的评分）。"
                   "再运行一次 `" + CHECK_ALL + "` 即可评分。")
INTERRUPTED_DURING = Text(" during the check of exercise {id}", "（正在检查练习 {id}）")
INTERRUPTED_NOTE = Text("interrupted (Ctrl-C)", "已中断（Ctrl-C）")
DESELECTED = Text("deselected", "未选中")
DID_NOT_RUN = Text("did not run", "没有运行")
LESSONS_LEFT_OUT = Text("Not checked this time: {lessons} (`" + CHECK_ALL + "` grades every lesson).",
                        "这次没有检查：{lessons}（`" + CHECK_ALL + "` 会给每一课评分）。")
LESSON_NUMBERS = Text("lesson {numbers}", "第 {numbers} 课")
LESSONS_NUMBERS = Text("lessons {numbers}", "第 {numbers} 课")
NEXT_AFTER_SELECTION = Text("Next: what you checked passes; check exercise {id} next: `" + CHECK + "`.",
                            "下一步：你检查的练习都通过了；接下来检查练习 {id}：`" + CHECK + "`。")
SKIPPED = Text("skipped", "已跳过")
NO_CHECKS = Text("no checks", "没有检查")
NOTHING_SELECTED = Text("no check matches -k {expr!r}: grade an exercise by its id (`" + CHECK.format(id="1.2") + "`), "
                        "its function (`" + CHECK.format(id="content_grad") + "`) or a lesson by its number (`"
                        + CHECK.format(id="1") + "`); exercises: {ids}",
                        "-k {expr!r} 没有匹配任何检查：按练习编号（`" + CHECK.format(id="1.2") + "`）、函数名（`"
                        + CHECK.format(id="content_grad") + "`）给练习评分，或按课号（`" + CHECK.format(id="1")
                        + "`）给一课评分；练习有：{ids}")
REFERENCES_DAMAGED = Text("checks/references is damaged ({problem}): this is not your code's fault",
                          "checks/references 已损坏（{problem}）：这不是你的代码的问题")
REFERENCES_TODO = Text("restore it: `git checkout checks/references` (or make it again: `make references`)",
                       "恢复它：`git checkout checks/references`（或重新生成：`make references`）")
NET_DAMAGED = Text("the right results, but VGG19's weights were changed: {layers}",
                   "结果正确，但 VGG19 的权重被改动了：{layers}")
NET_INTACT = Text("net.params left as they were", "net.params 保持不变")
NET_DAMAGED_NAME = Text("changes the net's weights", "改动了网络的权重")
NET_DAMAGED_FIX = Text("never write into net.params (or a layer's blobs): the image is what you optimise; "
                       "the checks restored the weights",
                       "不要写入 net.params（或某层的 blobs）：要优化的是图像；检查已经恢复了权重")
