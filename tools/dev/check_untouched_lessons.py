"""Prove that the untouched lessons fail cleanly: every exercise reads "not started", with no traceback.

Usage: .venv/bin/python tools/dev/check_untouched_lessons.py [--lessons-dir DIR]

Grades the *committed* stubs (`git show HEAD:lessons/<module>.py` of every lesson module of the course registry
that HEAD has, copied into a temporary folder), so the learner's work in lessons/ does not matter; or the
lesson files in DIR. Runs `pytest checks/ --lessons-dir` in a subprocess and fails (exit 1) if pytest passed,
if any check passed, if any exercise of those lessons is not "not started" (in the JSON score and in the
printed table), or if the output holds a Python or pytest traceback. Prints a one-line summary.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from brushstrokes import course
from brushstrokes.base.paths import ROOT

TRACEBACK = [
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r"^E\s", re.MULTILINE),  # pytest's error lines
    re.compile(r"^\S+\.py:\d+: \w+", re.MULTILINE),  # pytest's "file.py:42: AssertionError" location lines
    re.compile(r"^\s*raise NotImplementedError", re.MULTILINE),  # the stub's source shown in a traceback
    re.compile(r"^>\s", re.MULTILINE),  # pytest's marker of the failing source line
]
ROW = re.compile(r"^\s+(\d+\.\d+)\s+(\w+)\s+(passed|failed|not started|not run)\b", re.MULTILINE)


def committed_stubs(folder: Path) -> list[str]:
    """Write HEAD's lessons/<module>.py of every registry lesson that HEAD has into `folder`; their numbers."""
    numbers = []
    for lesson in course.LESSONS:
        done = subprocess.run(["git", "show", f"HEAD:lessons/{lesson.module}.py"], cwd=ROOT, capture_output=True)
        if done.returncode == 0:
            (folder / f"{lesson.module}.py").write_bytes(done.stdout)
            numbers.append(lesson.number)
    return numbers


def run_checks(lessons_dir: Path, score: Path) -> tuple[int, str]:
    command = [sys.executable, "-m", "pytest", "checks/", "-p", "no:cacheprovider", "--color=no",
               "--score-json", str(score), "--lessons-dir", str(lessons_dir)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def problems(returncode: int, output: str, score: dict | None, numbers: list[str]) -> list[str]:
    """Everything that shows the stubs of lessons `numbers` were not all reported as 'not started', cleanly."""
    found = []
    if returncode != 1:
        found.append(f"pytest exited with {returncode}, expected 1 (checks failed)")
    if score is None or not score.get("lessons"):
        return [*found, "no score was written: did the grading plugin load?"]
    graded = [lesson for lesson in score["lessons"] if lesson["lesson"] in numbers]
    if sorted(lesson["lesson"] for lesson in graded) != sorted(numbers):
        found.append(f"lessons {numbers} have stubs but the score has only "
                     f"{[lesson['lesson'] for lesson in graded]}: is a checks/test_lessonN.py missing?")
    exercises = [ex for lesson in graded for ex in lesson["exercises"]]
    for ex in exercises:
        if ex["status"] != "not started":
            note = f" ({ex['note']})" if ex["note"] else ""
            found.append(f"exercise {ex['id']} is '{ex['status']}', expected 'not started'{note}")
        passed = [nodeid.split("::")[-1] for nodeid, outcome in ex["checks"].items() if outcome == "passed"]
        if passed:
            found.append(f"checks of {ex['function']} passed: {', '.join(passed)}")
        if not ex["checks"]:
            found.append(f"exercise {ex['id']} has no checks")
    printed = dict((m.group(1), m.group(3)) for m in ROW.finditer(output))
    for ex in exercises:
        if printed.get(ex["id"]) != "not started":
            found.append(f"the printed score table shows exercise {ex['id']} as {printed.get(ex['id'])!r}")
    for pattern in TRACEBACK:
        match = pattern.search(output)
        if match:
            line = output[output.rfind("\n", 0, match.start()) + 1:].splitlines()[0]
            found.append(f"a traceback in the output: {line.strip()!r}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons-dir", type=Path, default=None, help="check these lesson files instead of lessons/")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.lessons_dir
        if folder is None:
            folder = Path(tmp) / "lessons"
            folder.mkdir()
            numbers = committed_stubs(folder)
        else:
            numbers = [lesson.number for lesson in course.LESSONS if (folder / f"{lesson.module}.py").exists()]
        score_path = Path(tmp) / "score.json"
        returncode, output = run_checks(folder, score_path)
        score = json.loads(score_path.read_text()) if score_path.exists() else None
    found = problems(returncode, output, score, numbers)
    seconds = time.perf_counter() - start
    where = args.lessons_dir or "the committed lessons/ (HEAD)"
    if found:
        print(output)
        print(f"check_untouched_lessons: FAILED on {where} ({seconds:.0f} s): " + "; ".join(found))
        return 1
    count = sum(len(lesson["exercises"]) for lesson in score["lessons"] if lesson["lesson"] in numbers)
    print(f"check_untouched_lessons: OK: all {count} exercises of {len(numbers)} lesson(s) in {where} "
          f"read 'not started'; pytest failed cleanly (exit 1, no traceback) in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
