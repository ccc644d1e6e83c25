"""Every message of the learner's commands, in English and Chinese (call one: `MSG(language(), **fields)`).

Commands are written as the learner types them after `source .venv/bin/activate`: `brushstrokes check 1.2`.
"""

from __future__ import annotations

from brushstrokes.base.i18n import Text

# statuses, as the progress table and watch show them
STATUS = {
    "passed": Text("passed", "通过"),
    "failed": Text("failed", "未通过"),
    "not started": Text("not started", "未开始"),
    "never checked": Text("never checked", "尚未检查"),
    "not run": Text("not graded (see above)", "没有评分（见上文）"),
}

# finding exercises (check, hint, reset)
NO_MATCH = Text("no exercise matches {query!r}",
                "没有与 {query!r} 对应的练习")
NO_MATCH_TODO = Text("give an exercise id (1.2 or 1_2), a function name (content_grad) or a lesson number (1); "
                     "the exercises are: {ids}",
                     "请给出练习编号（1.2 或 1_2）、函数名（content_grad）或课号（1）；现有练习：{ids}")
ONE_EXERCISE = Text("{query!r} means {count} exercises; {command} works on one",
                    "{query!r} 对应 {count} 个练习；{command} 一次只处理一个")
ONE_EXERCISE_TODO = Text("name one of them, e.g. `brushstrokes {command} {first}`",
                         "请指定其中一个，例如 `brushstrokes {command} {first}`")

# the lessons folder
NO_FOLDER = Text("{folder} is not a folder", "{folder} 不是一个文件夹")
NO_FOLDER_TODO = Text("give the folder that holds your lesson files (--lessons-dir DIR or $BRUSHSTROKES_LESSONS_DIR); "
                      "lessons/ is the default, and `git checkout lessons/` brings it back if it was deleted",
                      "请给出存放你的课程文件的文件夹（--lessons-dir DIR 或 $BRUSHSTROKES_LESSONS_DIR）；默认是 "
                      "lessons/，如果它被删除了，`git checkout lessons/` 可以恢复")

# check
CHECKING = Text("Checking {what} in {folder} ...", "正在检查 {folder} 中的 {what} ……")
ALL_EXERCISES = Text("every exercise", "所有练习")
NO_SCORE = Text("the checks ended without a score (pytest exit code {code})",
                "检查结束了，但没有得到分数（pytest 退出码 {code}）")
NO_SCORE_TODO = Text("read the output above; `brushstrokes doctor` checks that everything is in place",
                     "请阅读上面的输出；`brushstrokes doctor` 会检查环境是否就绪")
CHECK_INTERRUPTED = Text("Ctrl-C: grading stopped before the checks could print a score; nothing was graded. "
                         "Run `brushstrokes check` again to grade.",
                         "Ctrl-C：评分在检查给出分数之前就停止了，没有给任何练习评分。"
                         "再运行一次 `brushstrokes check` 即可评分。")
SUMMARY_PASSED = Text("{passed} of {total} selected exercises pass.", "所选的 {total} 个练习中通过了 {passed} 个。")

# watch
WATCH_BANNER = Text("Watching {folder} for saved changes. Keys: h hint · c check now · q quit (or Ctrl-C).",
                    "正在监视 {folder} 中保存的修改。按键：h 提示 · c 立即检查 · q 退出（或 Ctrl-C）。")
WATCH_BANNER_PLAIN = Text("Watching {folder} for saved changes. Ctrl-C quits.",
                          "正在监视 {folder} 中保存的修改。Ctrl-C 退出。")
POSITION = Text("exercise {id} of {count} · lesson {lesson} · {title} · {function} in {file} (about {minutes} min)",
                "第 {lesson} 课 · 练习 {id}（共 {count} 个）· {title} · {file} 中的 {function}（约 {minutes} 分钟）")
OVERALL = Text("course: {passed}/{total} core exercises passed", "课程进度：{total} 个核心练习中已通过 {passed} 个")
COMING_NEXT = Text("after it: exercise {id} · {title} ({function})", "之后：练习 {id} · {title}（{function}）")
LAST_OF_COURSE = Text("after it: nothing, it is the last exercise of the course",
                      "之后：没有了，这是课程的最后一个练习")
SAVE_TO_CHECK = Text("Edit {file} and save it: the checks of {id} run on every save.",
                     "编辑 {file} 并保存：每次保存都会运行练习 {id} 的检查。")
EXERCISE_PASSED = Text("✔ exercise {id} ({function}) passes.", "✔ 练习 {id}（{function}）通过了。")
EXERCISE_NOT_YET = Text("✘ exercise {id} ({function}): {status}. Read the message above, edit {file} and save again "
                        "(h: a hint).",
                        "✘ 练习 {id}（{function}）：{status}。请阅读上面的信息，修改 {file} 后再保存（按 h 看提示）。")
EXERCISE_NOT_YET_PLAIN = Text("✘ exercise {id} ({function}): {status}. Read the message above, edit {file} and "
                              "save again (`brushstrokes hint {id}` gives a hint).",
                              "✘ 练习 {id}（{function}）：{status}。请阅读上面的信息，修改 {file} 后再保存"
                              "（`brushstrokes hint {id}` 给出提示）。")
MOVING_ON = Text("On to exercise {id}.", "进入练习 {id}。")
ALL_DONE = Text("Every exercise of the course passes. Well done!", "课程的所有练习都通过了，干得好！")
WATCH_STOPPED = Text("Stopped watching. Your progress is kept: `brushstrokes watch` carries on at exercise {id}.",
                     "已停止监视。你的进度已保存：`brushstrokes watch` 会从练习 {id} 继续。")
WATCH_STOPPED_DONE = Text("Stopped watching.", "已停止监视。")
SAVED = Text("saved: {files}", "已保存：{files}")

# hint
HINT_HEADER = Text("Hint {step} of {count} for exercise {id} · {title} ({function}):",
                   "练习 {id} · {title}（{function}）的提示，第 {step} 步，共 {count} 步：")
HINT_MORE = Text("Still stuck? `brushstrokes hint {id}` again gives the next, more specific step.",
                 "还是卡住了？再运行 `brushstrokes hint {id}` 会给出下一步更具体的提示。")
HINT_LAST = Text("That was the last hint: the code itself. The whole solution, to compare with yours, is "
                 "folded on the lesson page under \"Exercise {id}\": {page}#{anchor} (`make serve`, then {url}).",
                 "这是最后一条提示：就是代码本身。完整答案（可以和你的对照）折叠在课程页面的“练习 {id}”下："
                 "{page}#{anchor}（运行 `make serve` 后打开 {url}）。")
HINT_AGAIN = Text("(`brushstrokes hint {id} --restart` starts this ladder again from the first step.)",
                  "（`brushstrokes hint {id} --restart` 会从第一步重新开始这组提示。）")
HINT_NONE = Text("exercise {id} has no hints yet", "练习 {id} 还没有提示")
HINT_NONE_TODO = Text("read its docstring in {file} and the lesson page {page}",
                      "请阅读 {file} 中它的文档字符串和课程页面 {page}")
NO_CURRENT = Text("every exercise passes, so there is no current exercise", "所有练习都已通过，没有当前练习")
NO_CURRENT_TODO = Text("name one: `brushstrokes {command} 1.2`", "请指定一个：`brushstrokes {command} 1.2`")

# reset
RESET_DONE = Text("{function} in {file} is back to its original stub (lines {start}-{end}); the rest of the file is "
                  "unchanged.",
                  "{file} 中的 {function} 已恢复为原始的练习桩（第 {start}-{end} 行）；文件的其他部分没有改变。")
RESET_BACKUP = Text("What it replaced is saved in {backup}: copy it back from there if you need it.",
                    "被替换的内容保存在 {backup}：需要时可以从那里复制回来。")
RESET_SOURCE_GIT = Text("(the stub comes from the committed file: git show HEAD:{path})",
                        "（练习桩来自已提交的文件：git show HEAD:{path}）")
RESET_SOURCE_SOLUTION = Text("(git could not give the committed file, so the stub was rebuilt from the signature "
                             "in {solution}, your docstring, and `raise NotImplementedError`)",
                             "（无法从 git 取得已提交的文件，所以练习桩由 {solution} 中的函数签名、你的文档字符串"
                             "和 `raise NotImplementedError` 重建）")
RESET_UNCHANGED = Text("{function} in {file} already is the original stub: nothing to do.",
                       "{file} 中的 {function} 已经是原始的练习桩：无需操作。")
RESET_NEXT = Text("Next: `brushstrokes check {id}` says \"not started\"; start it again from its docstring.",
                  "下一步：`brushstrokes check {id}` 会显示“未开始”；请照着文档字符串重新开始。")
RESET_UNPARSABLE = Text("{file} does not parse (line {line}: {error}), so reset will not touch it",
                        "{file} 无法解析（第 {line} 行：{error}），所以 reset 不会改动它")
RESET_UNPARSABLE_TODO = Text("fix that line first (`python {file}` shows it), then run `brushstrokes reset {id}` again",
                             "请先改正这一行（`python {file}` 会显示它），然后再运行 `brushstrokes reset {id}`")
RESET_MISSING_FILE = Text("{file} does not exist", "{file} 不存在")
RESET_MISSING_FILE_TODO = Text("`git checkout {file}` brings back the whole original file",
                               "`git checkout {file}` 可以恢复整个原始文件")
RESET_MISSING_FUNCTION = Text("{file} has no function {function} at the top level, so there is nothing to reset",
                              "{file} 的顶层没有函数 {function}，所以没有可以恢复的内容")
RESET_MISSING_FUNCTION_TODO = Text("put back `def {function}(...):` as a top-level function (its signature is in "
                                   "{solution}), then run `brushstrokes reset {id}` again",
                                   "请把 `def {function}(...):` 作为顶层函数加回去（签名见 {solution}），"
                                   "然后再运行 `brushstrokes reset {id}`")
RESET_TWICE = Text("{file} defines {function} {count} times (lines {lines}); reset cannot tell which one to restore",
                   "{file} 定义了 {count} 次 {function}（第 {lines} 行）；reset 无法确定要恢复哪一个")
RESET_TWICE_TODO = Text("delete the extra definitions, then run `brushstrokes reset {id}` again",
                        "请删除多余的定义，然后再运行 `brushstrokes reset {id}`")
RESET_NO_BACKUP = Text("cannot keep a backup of {function} in {folder} ({error}): {file} is unchanged",
                       "无法在 {folder} 中保存 {function} 的备份（{error}）：{file} 没有改动")
RESET_NO_BACKUP_TODO = Text("make that folder writable (or set BRUSHSTROKES_STATE_DIR to a writable folder), then "
                            "run `brushstrokes reset {id}` again",
                            "让这个文件夹可写（或把 BRUSHSTROKES_STATE_DIR 设为一个可写的文件夹），然后再运行 "
                            "`brushstrokes reset {id}`")
RESET_NOT_A_FOLDER = Text("it is a file, not a folder", "它是文件，不是文件夹")
RESET_CANNOT_WRITE = Text("cannot write {file} ({error}): it is unchanged (a copy of your {function} is in {backup})",
                          "无法写入 {file}（{error}）：它没有改动（你的 {function} 另有一份副本在 {backup}）")
RESET_CANNOT_WRITE_TODO = Text("make it and its folder writable (chmod u+w), then run `brushstrokes reset {id}` again",
                               "让它和它所在的文件夹可写（chmod u+w），然后再运行 `brushstrokes reset {id}`")
RESET_NO_STUB = Text("the original stub of {function} cannot be found ({why})",
                     "找不到 {function} 的原始练习桩（{why}）")
RESET_NO_STUB_TODO = Text("restore the file with `git checkout {path}` (this replaces the whole file), or copy the "
                          "stub from the lesson page",
                          "用 `git checkout {path}` 恢复文件（会替换整个文件），或从课程页面复制练习桩")

# progress
PROGRESS_LESSON = Text("{heading}   {passed}/{total} passed · about {minutes} min left",
                       "{heading}   已通过 {passed}/{total} · 约剩 {minutes} 分钟")
MINUTES = Text("{n} min", "{n} 分钟")
PROGRESS_STRETCH = Text("stretch", "拓展")
PROGRESS_WHEN = Text("last checked {when}", "上次检查 {when}")
PROGRESS_NEXT = {  # by the exercise's last grade
    "never checked": Text("Next: exercise {id} · {title} (never checked): fill in {function} in {file}, then "
                          "`brushstrokes check {id}` (or keep `brushstrokes watch` running).",
                          "下一步：练习 {id} · {title}（尚未检查）：完成 {file} 中的 {function}，然后运行 "
                          "`brushstrokes check {id}`（或者一直开着 `brushstrokes watch`）。"),
    "not started": Text("Next: exercise {id} · {title} is not started: fill in {function} in {file}, then "
                        "`brushstrokes check {id}` (or keep `brushstrokes watch` running).",
                        "下一步：练习 {id} · {title} 还没有开始：完成 {file} 中的 {function}，然后运行 "
                        "`brushstrokes check {id}`（或者一直开着 `brushstrokes watch`）。"),
    "failed": Text("Next: exercise {id} · {title} failed its last check ({note}): fix {function} in {file}, then "
                   "`brushstrokes check {id}` shows the whole failure (`brushstrokes hint {id}` gives a hint).",
                   "下一步：练习 {id} · {title} 上次检查没有通过（{note}）：改正 {file} 中的 {function}，然后运行 "
                   "`brushstrokes check {id}` 查看完整的失败信息（`brushstrokes hint {id}` 给出提示）。"),
}
PROGRESS_TOTAL = Text("Course: {passed}/{total} exercises passed · about {minutes} min of core exercises left",
                      "课程：已通过 {passed}/{total} 个练习 · 核心练习约剩 {minutes} 分钟")
PROGRESS_FILE = Text("(grades from {path}; every `brushstrokes check` and `watch` updates them)",
                     "（成绩来自 {path}；每次 `brushstrokes check` 和 `watch` 都会更新）")

