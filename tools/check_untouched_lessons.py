"""Prove that the untouched lessons/ fail cleanly: every exercise reads "not started", with no traceback.

Usage: .venv/bin/python tools/check_untouched_lessons.py [--lessons-dir DIR]

Runs `pytest checks/` in a subprocess on lessons/ (or DIR) and fails (exit 1) if pytest passed, if any
check passed, if any exercise is not "not started" (in the JSON score and in the printed table), or if
the output holds a Python or pytest traceback. Prints a one-line summary.
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

from brushstrokes.paths import ROOT

TRACEBACK = [
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r"^E\s", re.MULTILINE),  # pytest's error lines
    re.compile(r"^\S+\.py:\d+: \w+", re.MULTILINE),  # pytest's "file.py:42: AssertionError" location lines
    re.compile(r"^\s*raise NotImplementedError", re.MULTILINE),  # the stub's source shown in a traceback
    re.compile(r"^>\s", re.MULTILINE),  # pytest's marker of the failing source line
]
ROW = re.compile(r"^\s+(\d+\.\d+)\s+(\w+)\s+(passed|failed|not started|not run)\b", re.MULTILINE)


def run_checks(lessons_dir: Path | None, score: Path) -> tuple[int, str]:
    command = [sys.executable, "-m", "pytest", "checks/", "-p", "no:cacheprovider", "--color=no",
               "--score-json", str(score)]
    if lessons_dir is not None:
        command += ["--lessons-dir", str(lessons_dir)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout + done.stderr


def problems(returncode: int, output: str, score: dict | None) -> list[str]:
    """Everything that shows the stubs were not all reported as 'not started', cleanly."""
    found = []
    if returncode != 1:
        found.append(f"pytest exited with {returncode}, expected 1 (checks failed)")
    if score is None or not score.get("lessons"):
        return [*found, "no score was written: did the grading plugin load?"]
    exercises = [ex for lesson in score["lessons"] for ex in lesson["exercises"]]
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
        score_path = Path(tmp) / "score.json"
        returncode, output = run_checks(args.lessons_dir, score_path)
        score = json.loads(score_path.read_text()) if score_path.exists() else None
    found = problems(returncode, output, score)
    seconds = time.perf_counter() - start
    where = args.lessons_dir or "lessons/"
    if found:
        print(output)
        print(f"check_untouched_lessons: FAILED on {where} ({seconds:.0f} s): " + "; ".join(found))
        return 1
    count = sum(len(lesson["exercises"]) for lesson in score["lessons"])
    print(f"check_untouched_lessons: OK: all {count} exercises of {len(score['lessons'])} lesson(s) in {where} "
          f"read 'not started'; pytest failed cleanly (exit 1, no traceback) in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
