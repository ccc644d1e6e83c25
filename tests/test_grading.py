"""The self-grading checks grade honestly: solutions score 4/4, stubs read "not started", and each classic
mistake gets its own hint and costs only its own exercise.

Each run is a real `pytest checks/` in a subprocess on the real VGG19, with lesson files made by editing
solutions/ (every edit is asserted, so a change in solutions/ shows up here instead of passing silently).
"""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from brushstrokes.paths import ROOT

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


def grade(tmp_path: Path, *options: str) -> tuple[int, str, dict]:
    """Run `pytest checks/` with options; (exit code, output, {exercise id: exercise score})."""
    score = tmp_path / "score.json"
    done = subprocess.run([sys.executable, "-m", "pytest", "checks/", "-p", "no:cacheprovider", "--color=no",
                           "--score-json", str(score), *options], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    output = done.stdout + done.stderr
    assert score.exists(), output
    lessons = json.loads(score.read_text())["lessons"]
    return done.returncode, output, {ex["id"]: ex for lesson in lessons for ex in lesson["exercises"]}


def test_lessons_and_solutions_share_names_and_signatures():
    lesson = importlib.import_module("lessons.lesson1_content")
    solution = importlib.import_module("solutions.lesson1_content")

    def api(module):
        return {name: inspect.signature(fn) for name, fn in inspect.getmembers(module, inspect.isfunction)
                if fn.__module__ == module.__name__ and not name.startswith("_")}

    assert api(lesson) == api(solution)
    assert set(api(lesson)) == {"content_loss", "content_grad", "normalized_step", "reconstruct"}


@pytest.mark.parametrize(("function", "exercise"), [("content_loss", "1.1"), ("content_grad", "1.2"),
                                                    ("normalized_step", "1.3"), ("reconstruct", "1.4")])
def test_each_stub_raises_not_implemented_naming_its_exercise(function, exercise):
    stub = getattr(importlib.import_module("lessons.lesson1_content"), function)
    args = [None] * sum(p.default is inspect.Parameter.empty for p in inspect.signature(stub).parameters.values())
    with pytest.raises(NotImplementedError, match=f"Exercise {exercise}"):
        stub(*args)


def test_solutions_score_four_of_four(tmp_path):
    code, output, score = grade(tmp_path, "--solutions")
    assert code == 0, output
    assert {ex["status"] for ex in score.values()} == {"passed"}
    assert "Lesson 1 · Find content   4/4" in output


def test_untouched_lessons_read_not_started():
    done = subprocess.run([sys.executable, "tools/check_untouched_lessons.py"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: all 4 exercises" in done.stdout


def test_check_untouched_lessons_catches_a_pass_and_a_traceback(tmp_path):
    """1.1 done, 1.2 something that is callable but raises outside the lesson file (a traceback), 1.3-1.4 stubs."""
    text = edited([("def content_grad(", "def _content_grad("),
                   ("import numpy as np\n", "import operator\n\nimport numpy as np\n")])
    for name in ("normalized_step", "reconstruct"):
        text = replace_function(text, (ROOT / "lessons" / "lesson1_content.py").read_text(), name)
    text += "\n\ncontent_grad = operator.itemgetter(0)\n"
    folder = lesson_dir(tmp_path, text)
    done = subprocess.run([sys.executable, "tools/check_untouched_lessons.py", "--lessons-dir", str(folder)],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
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


def test_mistakes_in_1_1_to_1_3_get_their_hints_and_cost_only_their_exercise(tmp_path):
    folder = lesson_dir(tmp_path, edited([
        ("return 0.5 * float(", "return float("),  # missing 1/2
        ("((F - P) * (F > 0))", "(F - P)"),  # missing mask
        ("(x - lr * grad / max(float(np.mean(np.abs(grad))), 1e-12))", "(x - lr * grad)"),  # not normalised
    ]))
    code, output, score = grade(tmp_path, "--lessons-dir", str(folder))
    assert code == 1
    assert score["1.1"]["note"] == "missing the 1/2"
    assert score["1.2"]["note"] == "missing ReLU mask"
    assert score["1.3"]["note"] == "step not normalised"
    assert score["1.4"]["status"] == "passed", "1.4 must be graded with the reference 1.1-1.3"
    assert "Lesson 1 · Find content   1/4" in output
    assert "multiply the sum by 0.5" in output and "(F - P) * (F > 0)" in output
    assert "Traceback" not in output and "\nE  " not in output


def test_wrong_sign_half_norm_nan_and_a_loop_before_the_relu_get_their_hints(tmp_path):
    folder = lesson_dir(tmp_path, edited([
        ("0.5 * float(np.sum((F.astype(np.float64) - P) ** 2))", "0.5 * float(np.linalg.norm(F - P))"),
        ("((F - P) * (F > 0))", "((P - F) * (F > 0))"),
        ("max(float(np.mean(np.abs(grad))), 1e-12)", "float(np.mean(np.abs(grad)))"),
        ("net.forward(end=relu_name(layer))", "net.forward(end=layer)"),
    ]))
    code, output, score = grade(tmp_path, "--lessons-dir", str(folder))
    assert code == 1
    assert {ex: score[ex]["note"] for ex in score} == {
        "1.1": "half the norm, not the squared error", "1.2": "wrong sign", "1.3": "division by zero",
        "1.4": "forward stops before the ReLU"}
    assert "original write-up logged" in output and "relu_name(layer)" in output
