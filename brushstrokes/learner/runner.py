"""Run the checks of some exercises (`python -m pytest checks/ -k ...`) in a subprocess and read their grades.

The subprocess uses this interpreter (the project's .venv), prints the checks' own output and score table
(passed through line by line, so a caller can also capture it), and writes its score with --score-json.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from brushstrokes.base.i18n import language
from brushstrokes.base.paths import ROOT
from brushstrokes.course import Exercise
from brushstrokes.learner import places, progress


@dataclass
class CheckRun:
    """One run of the checks: pytest's exit code and each graded exercise's (status, note) from its score."""

    returncode: int
    grades: dict[str, tuple[str, progress.Note]] = field(default_factory=dict)  # note: in every language
    selected: tuple[str, ...] = ()

    @property
    def scored(self) -> bool:
        """False when pytest ended without writing a score (crashed, or no checks were collected)."""
        return bool(self.grades)

    def status(self, exercise_id: str) -> str:
        return self.grades.get(exercise_id, ("not run", ""))[0]

    @property
    def passed(self) -> bool:
        """True when every selected exercise passed."""
        return self.scored and all(self.status(i) == "passed" for i in self.selected)


def keyword_expression(exercises: Sequence[Exercise]) -> str:
    """pytest's -k expression selecting these exercises' checks: '1.2 or 1.3'.

    The dotted id, which the grading plugin adds to each check's keywords: '1_1' would also match a check
    named after layer conv1_1 (-k matches substrings), and a function name can be part of another's.
    """
    return " or ".join(ex.id for ex in exercises)


def command(exercises: Sequence[Exercise] | None, folder: Path, score: Path, color: bool = False,
            timeout: float | None = None) -> list[str]:
    """The pytest command line; exercises=None runs every check; timeout: each check's limit in s (None: default)."""
    cmd = [sys.executable, "-m", "pytest", "checks/", "-q", "--no-header", "-p", "no:cacheprovider",
           f"--color={'yes' if color else 'no'}", "--score-json", str(score)]
    if exercises:
        cmd += ["-k", keyword_expression(exercises)]
    if not places.is_default(folder):
        cmd += ["--lessons-dir", str(folder)]
    if timeout is not None:
        cmd += ["--check-timeout", f"{timeout:g}"]
    return cmd


def read_score(path: Path) -> dict[str, tuple[str, progress.Note]]:
    """{exercise id: (status, note)} from a --score-json file (the note in every language when the file has it);
    {} if it is missing or unreadable."""
    try:
        data = json.loads(Path(path).read_text())
        return {ex["id"]: (ex["status"], ex.get("notes") or ex.get("note", ""))
                for lesson in data["lessons"] for ex in lesson["exercises"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


# pytest's KeyboardInterrupt banner: "!!!! KeyboardInterrupt !!!!", "path.py:12: KeyboardInterrupt", "(to show ...)"
PYTEST_INTERRUPT = re.compile(r"!+ KeyboardInterrupt !+|\S+:\d+: KeyboardInterrupt"
                              r"|\(to show a full traceback on KeyboardInterrupt use --full-trace\)")


# pytest's last line, in English whatever the learner's language: "2 failed, 15 passed, 38 deselected in 5.93s"
# counts checks, not exercises; `brushstrokes check` ends with its own count of exercises instead
PYTEST_STATS = re.compile(r"=*\s*\d+ [a-z]+(, \d+ [a-z]+)* in [\d.]+s( \([\d:]+\))?\s*=*")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def relay(proc: subprocess.Popen, echo: Callable[[str], None]) -> None:
    """Pass pytest's output lines to echo, without its KeyboardInterrupt banner (the score says what happened)
    and its count of checks (the caller counts exercises)."""
    for line in proc.stdout:
        line = line.rstrip("\n")
        plain = ANSI.sub("", line).strip()
        if not PYTEST_INTERRUPT.fullmatch(plain) and not PYTEST_STATS.fullmatch(plain):
            echo(line)


class ChecksInterrupted(KeyboardInterrupt):
    """Ctrl-C during the checks; `reported`: they printed the score so far and what the Ctrl-C stopped."""

    def __init__(self, reported: bool) -> None:
        super().__init__()
        self.reported = reported


def run_checks(exercises: Sequence[Exercise] | None, folder: Path | None = None,
               echo: Callable[[str], None] | None = None, timeout: float | None = None) -> CheckRun:
    """Grade `exercises` (None: all) of the lesson files in `folder` (default: places.lessons_dir()).

    Every output line goes to `echo` (default: print). `folder` is the learner's for this run
    ($BRUSHSTROKES_LESSONS_DIR in pytest's environment): the grading plugin records the grades in the learner's
    state folder (places.state_dir()) and reads the earlier ones from there. Ctrl-C stops pytest and raises
    ChecksInterrupted.
    """
    folder = places.existing_lessons_dir(folder)
    echo = echo or (lambda line: print(line, flush=True))
    env = dict(os.environ, BRUSHSTROKES_LANG=language(), PYTHONUNBUFFERED="1", **{places.LESSONS_ENV: str(folder)})
    with tempfile.TemporaryDirectory(prefix="brushstrokes-score-") as tmp:
        score = Path(tmp) / "score.json"
        cmd = command(exercises, folder, score, color=sys.stdout.isatty(), timeout=timeout)
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, encoding="utf-8", errors="replace")
        try:
            relay(proc, echo)
            returncode = proc.wait()
        except KeyboardInterrupt:  # pytest got the same Ctrl-C: show its score so far, then pass the Ctrl-C on
            killer = threading.Timer(10, proc.kill)
            killer.start()
            try:
                relay(proc, echo)
            finally:
                killer.cancel()
                proc.wait()
            raise ChecksInterrupted(reported=bool(read_score(score))) from None
        grades = read_score(score)
    ids = tuple(ex.id for ex in exercises) if exercises else tuple(grades)
    return CheckRun(returncode, grades, ids)
