"""The learner's progress, kept between runs: each exercise's last grade, in .brushstrokes/progress.json.

The grading plugin records every graded exercise of lessons/ (a check run of one exercise leaves the
others' grades as they were); `brushstrokes progress` and `brushstrokes watch` read it.
File: {"exercises": {"1.2": {"status": "passed", "note": "", "when": "2026-11-28T18:00:00+00:00"}}}
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from brushstrokes.outputs import write_text
from brushstrokes.paths import ROOT

PATH = ROOT / ".brushstrokes" / "progress.json"
GRADED = ("passed", "failed", "not started")  # "not run" keeps the last grade


def load(path: Path = PATH) -> dict[str, dict[str, str]]:
    """{exercise id: {"status", "note", "when"}}; empty when nothing was recorded or the file is unreadable."""
    try:
        data = json.loads(Path(path).read_text())
        return {str(k): dict(v) for k, v in data.get("exercises", {}).items()}
    except (OSError, ValueError, AttributeError):
        return {}


def record(grades: dict[str, tuple[str, str]], path: Path = PATH) -> None:
    """Store {exercise id: (status, note)}; 'not run' entries are skipped. Never raises on a read-only disk."""
    now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    known = load(path)
    for ex_id, (status, note) in grades.items():
        if status in GRADED:
            known[ex_id] = {"status": status, "note": note, "when": now}
    try:
        write_text(path, json.dumps({"exercises": known}, indent=2, ensure_ascii=False))
    except OSError:
        pass  # progress is a convenience: a read-only checkout still grades
