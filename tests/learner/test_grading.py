"""The self-grading checks grade honestly: solutions score 4/4, stubs read "not started", and each classic
mistake gets its own hint and costs only its own exercise.

Each run is a real `pytest checks/` in a subprocess on the real VGG19, with lesson files made by editing
solutions/ (every edit is asserted, so a change in solutions/ shows up here instead of passing silently).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import signal
import subprocess
from pathlib import Path

import numpy as np
import pytest

from brushstrokes import course
from brushstrokes.base.paths import ROOT
from brushstrokes.learner.loader import load_lesson
from brushstrokes.learner.stubs import write_committed_lessons

SOLUTION = ROOT / "solutions" / "lesson1_content.py"


def edited(replacements: list[tuple[str, str]]) -> str:
    """solutions/lesson1_content.py with each (old, new) replaced; every old text must be there."""
    text = SOLUTION.read_text()
    for old, new in replacements:
        assert old in text, f"solutions/lesson1_content.py no longer contains {old!r}: update this test"
        text = text.replace(old, new)
    return text


def lesson_dir(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "lesson1_content.py").write_text(text)
    return folder


def grade(cli, tmp_path: Path, *options: str, timeout: float = 300) -> tuple[int, str, dict]:
    """Run `pytest checks/test_lesson1.py` with options; (exit code, output, {exercise id: exercise score})."""
    score = tmp_path / "score.json"
    done = cli("checks/test_lesson1.py", "-p", "no:cacheprovider", "--color=no", "--score-json", str(score), *options,
               program="pytest", timeout=timeout)
    output = done.stdout + done.stderr
    assert score.exists(), output
    lessons = json.loads(score.read_text())["lessons"]
    return done.returncode, output, {ex["id"]: ex for lesson in lessons for ex in lesson["exercises"]}


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    """A folder of the committed lesson files: the stubs as shipped, whatever the learner wrote into lessons/."""
    folder = tmp_path_factory.mktemp("committed") / "lessons"
    if "lesson1_content" not in write_committed_lessons(folder):
        pytest.skip("git cannot give the committed lessons/lesson1_content.py: the stubs as shipped are unknown")
    return folder


def test_lessons_and_solutions_share_names_and_signatures(shipped):
    lesson = load_lesson("lesson1_content", folder=shipped)
    solution = importlib.import_module("solutions.lesson1_content")

    def api(module):
        return {name: inspect.signature(fn) for name, fn in inspect.getmembers(module, inspect.isfunction)
                if fn.__module__ == module.__name__ and not name.startswith("_")}

    assert api(lesson) == api(solution)
    assert set(api(lesson)) == {"content_loss", "content_grad", "normalized_step", "reconstruct"}


@pytest.mark.parametrize(("function", "exercise"), [("content_loss", "1.1"), ("content_grad", "1.2"),
                                                    ("normalized_step", "1.3"), ("reconstruct", "1.4")])
def test_each_stub_raises_not_implemented_naming_its_exercise(function, exercise, shipped):
    stub = getattr(load_lesson("lesson1_content", folder=shipped), function)
    args = [None] * sum(p.default is inspect.Parameter.empty for p in inspect.signature(stub).parameters.values())
    with pytest.raises(NotImplementedError, match=f"Exercise {exercise}"):
        stub(*args)


def test_solutions_score_four_of_four(cli, tmp_path):
    code, output, score = grade(cli, tmp_path, "--solutions")
    assert code == 0, output
    assert {ex["status"] for ex in score.values()} == {"passed"}
    assert "Lesson 1 · Find content   4/4" in output


def test_untouched_lessons_read_not_started(cli):
    done = cli("tools/dev/check_untouched_lessons.py", program=None)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"OK: all \d+ exercises of \d+ lesson\(s\) in the committed lessons/", done.stdout)


def test_check_untouched_lessons_catches_a_pass_and_a_traceback(cli, tmp_path, shipped):
    """1.1 done, 1.2 something that is callable but raises outside the lesson file (a traceback), 1.3-1.4 stubs."""
    text = edited([("def content_grad(", "def _content_grad("),
                   ("import numpy as np\n", "import operator\n\nimport numpy as np\n")])
    for name in ("normalized_step", "reconstruct"):
        text = replace_function(text, (shipped / "lesson1_content.py").read_text(), name)
    text += "\n\ncontent_grad = operator.itemgetter(0)\n"
    folder = lesson_dir(tmp_path, text)
    done = cli("tools/dev/check_untouched_lessons.py", "--lessons-dir", str(folder), program=None)
    summary = done.stdout.strip().splitlines()[-1]
    assert done.returncode == 1, done.stdout
    assert "exercise 1.1 is 'passed'" in summary
    assert "a traceback in the output" in summary
    assert "exercise 1.3" not in summary and "exercise 1.4" not in summary  # those two are still stubs


def function_source(text: str, name: str) -> str:
    """The source of top-level function `name` in module text (up to the next top-level statement)."""
    start = text.index(f"\ndef {name}(") + 1
    following = [i for i in (text.find("\n\n\ndef ", start), text.find("\n\n\n", start)) if i > 0]
    return text[start: min(following)] if following else text[start:]


def replace_function(text: str, other: str, name: str) -> str:
    """text with function `name` taken from the module text `other`."""
    return text.replace(function_source(text, name), function_source(other, name))


def test_mistakes_in_1_1_to_1_3_get_their_hints_and_cost_only_their_exercise(cli, tmp_path):
    folder = lesson_dir(tmp_path, edited([
        ("return 0.5 * float(", "return float("),  # missing 1/2
        ("((F - P) * (F > 0))", "(F - P)"),  # missing mask
        ("(x - lr * grad / max(float(np.mean(np.abs(grad))), 1e-12))", "(x - lr * grad)"),  # not normalised
    ]))
    code, output, score = grade(cli, tmp_path, "--lessons-dir", str(folder))
    assert code == 1
    assert score["1.1"]["note"] == "missing the 1/2"
    assert score["1.2"]["note"] == "missing ReLU mask"
    assert score["1.3"]["note"] == "step not normalised"
    assert score["1.4"]["status"] == "passed", "1.4 must be graded with the reference 1.1-1.3"
    assert "Lesson 1 · Find content   1/4" in output
    assert "multiply the sum by 0.5" in output and "(F - P) * (F > 0)" in output
    assert "Traceback" not in output and "\nE  " not in output


def test_wrong_sign_half_norm_nan_and_a_loop_before_the_relu_get_their_hints(cli, tmp_path):
    folder = lesson_dir(tmp_path, edited([
        ("0.5 * float(np.sum((F.astype(np.float64) - P) ** 2))", "0.5 * float(np.linalg.norm(F - P))"),
        ("((F - P) * (F > 0))", "((P - F) * (F > 0))"),
        ("max(float(np.mean(np.abs(grad))), 1e-12)", "float(np.mean(np.abs(grad)))"),
        ("net.forward(end=relu_name(layer))", "net.forward(end=layer)"),
    ]))
    code, output, score = grade(cli, tmp_path, "--lessons-dir", str(folder))
    assert code == 1
    assert {ex: score[ex]["note"] for ex in score} == {
        "1.1": "half the norm, not the squared error", "1.2": "wrong sign", "1.3": "division by zero",
        "1.4": "forward stops before the ReLU"}
    assert "original write-up logged" in output and "relu_name(layer)" in output


# grading that cannot be fooled or hung -----------------------------------------------------------------------
def body(name: str, code: str) -> tuple[str, str]:
    """An edit that puts `code` (indented lines) at the start of function `name`'s body, after its docstring."""
    text = SOLUTION.read_text()
    start = text.index(f"\ndef {name}(")
    doc_end = text.index('"""', text.index('"""', start) + 3) + 3
    line_end = text.index("\n", doc_end) + 1
    return text[start:line_end], text[start:line_end] + code


def test_an_endless_loop_is_stopped_within_the_time_limit_and_named(cli, tmp_path):
    folder = lesson_dir(tmp_path, edited([body("content_loss", "    while True:\n        pass\n")]))
    code, output, score = grade(cli, tmp_path, "--lessons-dir", str(folder), "-k", "1.1", "--check-timeout", "2",
                                timeout=60)
    assert code == 1
    assert score["1.1"]["status"] == "failed" and score["1.1"]["note"] == "did not finish within 2 s"
    assert "content_loss did not finish within 2 s" in output and "lesson1_content.py line" in output


def test_ctrl_c_stops_the_run_and_grades_nothing_wrong(spawn_cli, tmp_path):
    started = tmp_path / "started"
    folder = lesson_dir(tmp_path, edited([
        ("        net.blobs[\"data\"].data[...] = x\n",
         f"        open({str(started)!r}, 'w').close()\n        time.sleep(0.5)\n"
         "        net.blobs[\"data\"].data[...] = x\n"),
        ("import numpy as np\n", "import time\n\nimport numpy as np\n")]))
    score = tmp_path / "score.json"
    process = spawn_cli("checks/test_lesson1.py", "-p", "no:cacheprovider", "--color=no", "--score-json", str(score),
                        "--lessons-dir", str(folder), "-k", "1.4", program="pytest")
    process.wait_until(started.exists, timeout=60, what="the check of 1.4 started")
    process.send_signal(signal.SIGINT)
    output = "".join(process.communicate(timeout=60))
    assert process.returncode != 0, output
    assert "Ctrl-C: the run was stopped during the check of exercise 1.4" in output
    assert "KeyboardInterrupt" not in output and "Traceback" not in output, output  # no pytest banner
    data = json.loads(score.read_text())
    row = next(ex for lesson in data["lessons"] for ex in lesson["exercises"] if ex["id"] == "1.4")
    assert data["interrupted"] and row["status"] == "not run", row
    assert "failed" not in row["checks"].values()


def test_exits_and_a_stray_keyboard_interrupt_fail_only_their_exercise(cli, tmp_path):
    folder = lesson_dir(tmp_path, edited([
        body("content_loss", "    import sys\n    sys.exit(0)\n"),
        body("content_grad", "    import os\n    os._exit(0)\n"),
        body("normalized_step", "    raise KeyboardInterrupt\n"),
    ]))
    code, output, score = grade(cli, tmp_path, "--lessons-dir", str(folder), "-k", "not 1.4")
    assert code == 1
    assert score["1.1"]["note"] == "called sys.exit(0)"
    assert score["1.2"]["note"] == "called os._exit(0)"
    assert score["1.3"]["note"] == "called KeyboardInterrupt"
    assert "Brushstrokes score" in output and "a function returns its result" in output


def test_a_loss_that_changes_its_input_does_not_fail_the_gradient(cli, tmp_path):
    folder = lesson_dir(tmp_path, edited([("    return 0.5 * float(np.sum((F.astype(np.float64) - P) ** 2))",
                                           "    P -= F\n    return 0.5 * float(np.sum(P.astype(np.float64) ** 2))")]))
    code, output, score = grade(cli, tmp_path, "--lessons-dir", str(folder), "-k", "1.1 or 1.2")
    assert score["1.1"]["note"] == "changes its input in place"
    assert score["1.2"]["status"] == "passed", output


def test_weight_damage_is_the_learners_mistake_and_the_next_check_gets_an_intact_net(cli, tmp_path):
    """The loop damages the weights in its first call only: that check fails, every later one passes."""
    folder = lesson_dir(tmp_path, edited([
        ("        net.backward(start=layer)",
         "        if not DAMAGED:\n            DAMAGED.append(1)\n"
         "            net.params['conv3_1'][0].data[...] *= 1.5\n        net.backward(start=layer)"),
        ("import numpy as np\n", "import numpy as np\n\nDAMAGED = []\n")]))
    code, output, score = grade(cli, tmp_path, "--lessons-dir", str(folder), "-k", "1.4")
    row = score["1.4"]
    assert row["note"] == "changes the net's weights", output
    assert list(row["checks"].values()).count("failed") == 1 and "conv3_1" in output


def test_a_wrong_signature_says_what_is_expected(cli, tmp_path):
    folder = lesson_dir(tmp_path, edited([("def content_loss(F: np.ndarray, P: np.ndarray)",
                                           "def content_loss(F: np.ndarray, P: np.ndarray, scale)"),
                                          ("lr: float = 2.0,", "lr: float = 3.0,")]))
    code, output, score = grade(cli, tmp_path, "--lessons-dir", str(folder), "-k", "1.1 or 1.4")
    assert score["1.1"]["note"] == "expected content_loss(F, P)"
    assert score["1.4"]["note"].startswith("expected reconstruct(net, P, x0, layer='conv4_2', iters=200, lr=2.0")
    assert "defines content_loss(F, P, scale)" in output and "Traceback" not in output


def test_a_huge_print_is_cut_to_a_few_lines(cli, tmp_path):
    folder = lesson_dir(tmp_path, edited([body("content_loss", "    print('x' * 100 + '\\n' * 100000)\n"
                                                               "    print('y' * 10_000_000)\n"),
                                          ("return 0.5 * float(", "return float(")]))
    code, output, score = grade(cli, tmp_path, "--lessons-dir", str(folder), "-k", "1.1")
    assert score["1.1"]["note"] == "missing the 1/2"
    assert len(output) < 20_000 and "more lines of output cut" in output


def test_damaged_references_are_not_blamed_on_anyone(cli, tmp_path):
    refs = tmp_path / "references"
    refs.mkdir()
    data = (ROOT / "checks" / "references" / "lesson1.npz").read_bytes()
    (refs / "lesson1.npz").write_bytes(data[: len(data) // 2])
    code, output, score = grade(cli, tmp_path, "--solutions", "--references-dir", str(refs), "-k", "1.1 or 1.3")
    assert code == 1
    assert score["1.1"]["status"] == "not run" and "checks/references is damaged" in score["1.1"]["note"]
    assert "git checkout checks/references" in output
    assert "fix content_loss" not in output and "likely mistake" not in output


@pytest.mark.parametrize("keyword", ["1.2", "content_grad", "1_2"])
def test_k_selects_one_exercise(cli, tmp_path, keyword):
    code, output, score = grade(cli, tmp_path, "--solutions", "-k", keyword)
    assert code == 0, output
    assert score["1.2"]["status"] == "passed"
    assert {score[i]["status"] for i in ("1.1", "1.3", "1.4")} == {"not run"}


def test_k_that_selects_nothing_says_what_to_type(cli, tmp_path):
    done = cli("checks/", "-p", "no:cacheprovider", "-k", "9.9", program="pytest", timeout=120)
    assert "no check matches -k '9.9'" in done.stdout and "`brushstrokes check 1.2`" in done.stdout
    assert "pytest" not in done.stdout.split("no check matches")[1]


def learner_texts() -> dict[str, str]:
    """Everything a learner reads about how to check: the checks' and the CLI's messages (both languages), the
    committed stubs and the pages."""
    from brushstrokes.base.i18n import Text
    from brushstrokes.learner import messages as cli_messages
    from checks import loops, target
    from checks import messages as check_messages

    texts = {}
    for module in (check_messages, cli_messages, target, loops):
        for name, value in vars(module).items():
            if isinstance(value, Text):
                texts[f"{module.__name__}.{name}"] = value.en + "\n" + value.zh
    for path in sorted((ROOT / "lessons").glob("*.py")):
        done = subprocess.run(["git", "show", f"HEAD:lessons/{path.name}"], cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
        texts[f"lessons/{path.name}"] = done.stdout
    pages = ["README.md", *(f"docs/{p}" for p in ("faq", "index", "gallery", "lesson1", "lesson2", "lesson3"))]
    for page in pages:
        for path in sorted(ROOT.glob(page if page.endswith(".md") else f"{page}*.md")):
            texts[str(path.relative_to(ROOT))] = path.read_text()
    return texts


def test_learners_read_one_command_form():
    """`brushstrokes check ID` everywhere; `pytest checks/` only for maintainers' --solutions runs."""
    forms = re.compile(r"pytest checks/(?! --solutions)|\.venv/bin/pytest|python -m pytest checks")
    found = {where: forms.findall(text) for where, text in learner_texts().items()}
    assert not {where: hits for where, hits in found.items() if hits}


def test_an_import_error_caused_by_another_lesson_names_that_file(tmp_path):
    from brushstrokes.learner.loader import LessonImportError
    from checks.target import Target

    (tmp_path / "lesson2_style.py").write_text("import numpy as np\n\ndef gram(F)\n    return F\n")
    (tmp_path / "lesson3_paint.py").write_text(
        "from pathlib import Path\n\nexec(compile((Path(__file__).parent / 'lesson2_style.py').read_text(), "
        "str(Path(__file__).parent / 'lesson2_style.py'), 'exec'))\n")
    with pytest.raises(LessonImportError) as info:
        Target(folder=tmp_path).load("lesson3_paint")
    assert "lesson2_style.py line 3" in info.value.message and "lesson3_paint.py cannot be imported" in \
        info.value.message


def test_one_exercise_shows_only_its_lesson_and_says_what_comes_next(cli):
    done = cli("checks/", "-p", "no:cacheprovider", "--color=no", "--solutions", "-k", "1.2", program="pytest",
               timeout=120)
    assert done.returncode == 0, done.stdout
    assert "Lesson 1 · Find content" in done.stdout
    others = [lesson.number for lesson in course.LESSONS[1:]]
    assert not any(f"Lesson {n}" in done.stdout for n in others)
    assert f"Not checked this time: lessons {', '.join(others)} (`brushstrokes check` grades every lesson)." \
        in done.stdout
    assert "Next: what you checked passes; check exercise 1.1 next: `brushstrokes check 1.1`." in done.stdout


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lesson_2_names_positions_counted_with_the_filters_in_the_gradient(cli, tmp_path, lang):
    """E_l compares across image sizes through M = h*w; a gradient normalised with M = N*h*w is named."""
    text = (ROOT / "solutions" / "lesson2_style.py").read_text()
    old = "    grad = (flat.T @ (gram(F) - A)).T / (N**2 * M**2)\n"
    assert old in text, "solutions/lesson2_style.py changed: update this test"
    folder = tmp_path / "lessons"
    folder.mkdir()
    (folder / "lesson2_style.py").write_text(text.replace(old, old.replace("M**2", "F.size**2")))
    score = tmp_path / "score.json"
    done = cli("checks/test_lesson2.py", "-p", "no:cacheprovider", "--color=no", "--score-json", str(score),
               "--lessons-dir", str(folder), "-k", "2.3", program="pytest", env={"BRUSHSTROKES_LANG": lang})
    rows = {ex["id"]: ex for lesson in json.loads(score.read_text())["lessons"] for ex in lesson["exercises"]}
    assert rows["2.3"]["note"] == ("M counted as N*h*w" if lang == "en" else "把 M 当成了 N*h*w"), done.stdout
    assert ("F[0].size, not F.size" if lang == "en" else "不是 F.size") in done.stdout
    if lang == "zh":  # what was called is said in the learner's language too
        assert "style_layer_grad(F, A)，F 是白噪声的 conv1_1 特征" in done.stdout, done.stdout
        assert " with F the " not in done.stdout


def test_loops_take_dicts_of_arrays_as_inputs():
    """run_loop hands the learner fresh copies of dict inputs (lesson 2's targets) and names each entry."""
    import numpy as np

    from checks.loops import entries, fresh

    inputs = {"targets": {"conv1_1": np.ones((2, 2)), "conv2_1": np.zeros((3, 3))}, "x0": np.ones((1, 3, 2, 2))}
    copies = {name: fresh(value) for name, value in inputs.items()}
    assert not np.shares_memory(copies["targets"]["conv1_1"], inputs["targets"]["conv1_1"])
    copies["targets"]["conv1_1"] += 1
    del copies["targets"]["conv2_1"]
    before, after = entries(inputs), entries(inputs, copies)
    assert list(before) == ["targets['conv1_1']", "targets['conv2_1']", "x0"]
    assert not np.array_equal(before["targets['conv1_1']"], after["targets['conv1_1']"])
    assert after["targets['conv2_1']"] is None and after["x0"] is copies["x0"]


@pytest.mark.parametrize("value, en, zh", [
    (None, "None (did you forget `return`?)", "None（是不是忘了写 `return`？）"),
    (np.array([1.5, np.nan], np.float32),
     "float32 array of shape (2,), values in [1.5, 1.5], 1 of 2 NaN or inf",
     "形状为 (2,) 的 float32 数组，取值范围 [1.5, 1.5]，2 个中有 1 个是 NaN 或 inf"),
    ([1, 2.5], "list of 2: [1, 2.5]", "含 2 项的 list：[1, 2.5]"),
    ({}, "a dict", "一个 dict"),
])
def test_returned_values_are_described_in_the_learners_language(value, en, zh):
    """What a check says came back reads in the learner's language, like the rest of the failure."""
    from brushstrokes.base import i18n
    from checks.compare import describe

    try:
        for lang, text in (("en", en), ("zh", zh)):
            i18n.set_language(lang)
            assert describe(value) == text
    finally:
        i18n.set_language(None)


# each exercise graded in isolation, and the most specific hint --------------------------------------------------
def grade_lesson(cli, tmp_path: Path, module: str, text: str, *options: str, lang: str = "en") -> tuple[str, dict]:
    """Grade a lesson file made from `text` (checks/test_lessonN.py of its lesson, with options); (output, rows)."""
    folder = tmp_path / "lessons"
    folder.mkdir(exist_ok=True)
    (folder / f"{module}.py").write_text(text)
    score = tmp_path / "score.json"
    number = module.removeprefix("lesson")[0]
    done = cli(f"checks/test_lesson{number}.py", "-p", "no:cacheprovider", "--color=no", "--score-json", str(score),
               "--lessons-dir", str(folder), *options, program="pytest", env={"BRUSHSTROKES_LANG": lang})
    output = done.stdout + done.stderr
    assert score.exists(), output
    rows = {ex["id"]: ex for lesson in json.loads(score.read_text())["lessons"] for ex in lesson["exercises"]}
    return output, rows


def solution_text(module: str, replacements: list[tuple[str, str]] = ()) -> str:
    text = (ROOT / "solutions" / f"{module}.py").read_text()
    for old, new in replacements:
        assert old in text, f"solutions/{module}.py no longer contains {old!r}: update this test"
        text = text.replace(old, new)
    return text


def test_a_wrong_gram_costs_only_exercise_2_1(cli, tmp_path):
    """style_layer_loss and style_layer_grad call gram: their checks use the reference one."""
    text = solution_text("lesson2_style", [("    return flat @ flat.T\n", "    return flat @ flat.T / F[0].size\n")])
    output, rows = grade_lesson(cli, tmp_path, "lesson2_style", text, "-k", "2.1 or 2.2 or 2.3")
    assert rows["2.1"]["note"] == "Gram divided by M", output
    assert rows["2.2"]["status"] == "passed", output
    assert rows["2.3"]["status"] == "passed", output
    assert "fix style_layer_loss" not in output and "fix style_layer_grad" not in output


def test_wrong_lesson_1_and_2_functions_cost_nothing_in_lesson_3(cli, tmp_path):
    """Lesson 3's core exercises call lessons 1 and 2 (and 3.2): wrong versions of all of them, defined in the
    lesson 3 file itself, do not fail 3.1-3.3."""
    wrong = ("\n\ndef content_loss(F, P):\n    return 0.0\n\n\ndef content_grad(F, P):\n    return 2 * (F - P)\n\n\n"
             "def style_loss(features, targets, weights=None):\n    return 1.0, {}\n\n\n"
             "def backward_sweep(net, grads):\n    return None\n\n\n"
             "def lbfgs_objective(loss_grad, shape):\n    return None, None\n")
    text = solution_text("lesson3_paint") + wrong  # the later definitions replace the imported and the right ones
    output, rows = grade_lesson(cli, tmp_path, "lesson3_paint", text, "-k", "3.1 or 3.2 or 3.3")
    assert rows["3.2"]["status"] == "failed", output  # the wrong 3.2 is graded where it belongs
    assert rows["3.1"]["status"] == "passed", output
    assert rows["3.3"]["status"] == "passed", output


def test_another_lessons_function_imported_by_lesson_3_is_the_reference_in_its_checks(cli, tmp_path):
    """A learner's lesson 3 may call lesson 2's gram itself (not in 3.1's `uses`): a wrong gram found in the lesson 3
    module is swapped for the reference too, so it costs 3.1 nothing."""
    text = solution_text("lesson3_paint", [
        ("    F = net.blobs[content_layer].data[0]\n",
         "    F = net.blobs[content_layer].data[0]\n    gram(F)  # a learner's own use of lesson 2's function\n")])
    wrong = "\n\ndef gram(F):\n    raise ValueError('a wrong gram')\n"
    output, rows = grade_lesson(cli, tmp_path, "lesson3_paint", text + wrong, "-k", "3.1")
    assert rows["3.1"]["status"] == "passed", output


def calls_of_exercises(tree: ast.AST, functions: set[str]) -> set[str]:
    return {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in functions}


def test_checks_of_an_exercise_that_calls_others_go_through_isolated():
    """If a solution's function calls another exercise's function, every check calls the learner's function
    through the `isolated` fixture (the others replaced by the reference), never through `lesson`; and the
    registry's `uses` names the other lessons' exercises it calls."""
    from brushstrokes import course

    functions = {ex.function: ex for ex in course.exercises()}
    needs_isolation = set()
    for lesson in course.LESSONS:
        tree = ast.parse((ROOT / "solutions" / f"{lesson.module}.py").read_text())
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and node.name in functions:
                called = calls_of_exercises(node, set(functions) - {node.name})
                if called:
                    needs_isolation.add(node.name)
                ex = functions[node.name]
                other_lessons = {functions[f].id for f in called if course.owner(functions[f]) is not lesson}
                assert other_lessons <= set(ex.uses), f"{ex.id} calls {sorted(other_lessons)}: list them in uses"
    assert {"style_layer_loss", "style_layer_grad", "reconstruct", "total_loss_grad", "paint"} <= needs_isolation
    wrong = []
    for path in sorted((ROOT / "checks").glob("test_lesson*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in needs_isolation and \
                    isinstance(node.value, ast.Name) and node.value.id not in ("isolated", "reference", "ref"):
                wrong.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    assert not wrong, "call these through `isolated`:\n" + "\n".join(wrong)


def test_the_closest_of_several_matching_mistakes_is_named():
    """A step divided by sum |grad| is tiny, so it is also within tolerance of x itself: the exact match wins."""
    from checks.compare import Mistake, closest, rel_error

    x = np.linspace(10.0, 200.0, 10_000)
    g = np.sin(np.arange(10_000.0))
    unchanged_x = Mistake("x returned unchanged", x, "")
    by_sum = Mistake("normalised by the sum", x - 2.0 * g / np.sum(np.abs(g)), "")
    got = by_sum.value.copy()
    assert rel_error(got, x) <= 1e-4  # both lie within tolerance
    assert closest(got, [unchanged_x, by_sum], 1e-4) is by_sum
    assert closest(x.copy(), [unchanged_x, by_sum], 1e-4) is unchanged_x
    assert closest(x + 100.0, [unchanged_x, by_sum], 1e-4) is None
    twin = Mistake("listed second", x.copy(), "")
    assert closest(x.copy(), [unchanged_x, twin], 1e-4) is unchanged_x  # a tie goes to the first listed


@pytest.mark.parametrize(("losses", "expected", "settings", "name"), [
    ([10.0, 8.0], [10.0, 8.0, 6.5, 5.5, 5.0], {"tol": 0.0, "iters": 5}, "inverted stop test"),
    ([10.0, 10.0], [10.0, 10.0, 10.0], {"tol": 0.0, "iters": 3}, "<= instead of < in the stop test"),
    ([10.0, 12.0], [10.0, 12.0, 11.0, 10.5], {"tol": 0.1, "iters": 4}, "no abs() in the stop test"),
    ([10.0, 8.0, 6.5, 5.5, 5.0], [10.0, 8.0, 6.5], {"tol": 0.19, "iters": 5}, "no early stop"),
    ([10.0, 8.0, 6.5, 5.5], [10.0, 8.0, 6.5, 5.5, 5.0], {"tol": 0.0, "iters": 5}, None),
    ([10.0, 9.0], [10.0, 8.0, 6.5], {"tol": 0.0, "iters": 3}, None),  # the losses differ: not the stop rule
])
def test_the_stop_rule_that_explains_a_stop_is_named(losses, expected, settings, name):
    from checks.loops import LoopRun, stop_mistake

    run = LoopRun(np.zeros(1), losses, {}, None, settings, "loop(...)")
    found = stop_mistake(run, expected)
    assert (found[0].en if found else None) == name


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_callback_parameter_not_named_intermediate_result_is_named(cli, tmp_path, lang):
    """SciPy hands a callback with another parameter name the bare array: the check says so, in both languages."""
    text = solution_text("lesson3_paint", [("    def step(intermediate_result) -> None:", "    def step(res) -> None:"),
                                           ("intermediate_result.x.reshape", "res.x.reshape"),
                                           ("float(intermediate_result.fun)", "float(res.fun)")])
    output, rows = grade_lesson(cli, tmp_path, "lesson3_paint", text, "-k", "3.3", lang=lang)
    assert rows["3.3"]["note"] == ("step's parameter not named intermediate_result" if lang == "en" else
                                   "step 的参数名不是 intermediate_result"), output
    assert "def step(intermediate_result)" in output and "'numpy.ndarray' object has no attribute 'x'" in output
    assert ("Rename it" if lang == "en" else "改名为") in output
    assert "Traceback" not in output
