"""Run the mutation testing of the checks: `python -m tools.dev.mutants [--lesson N] [--jobs J] [--list]`.

`--catalogue` grades only the classic mistakes (tools/dev/mutants/lessonN.py), each of which must be named by its
hint: the test of every hint the checks give. `--only ID` grades the mutants whose id starts with ID.

Prints one line per mutant (killed, SURVIVED, equivalent), the survivors again at the end, and as its last
line `mutation score: NN.N% (killed K of N non-equivalent)`. Exit status 1 when a lesson scores below 95 %,
when a catalogue mutant is not named as expected, or when an equivalent-list entry matches no mutant.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from brushstrokes import course
from brushstrokes.base.paths import ROOT
from tools.dev.mutants.auto import Mutant, mutants

HERE = Path(__file__).resolve().parent
TARGET = 95.0
MUTANT_TIMEOUT = 240  # seconds for one mutant's whole pytest run
CHECK_TIMEOUT = 30  # seconds for one check (an endless loop mutant is killed by the checks' own time limit)


@dataclass
class Verdict:
    mutant: Mutant
    killed: bool
    note: str  # the mutated exercise's note in the score table, or why it was killed
    seconds: float
    named: bool = True  # catalogue: the checks named the expected mistake


def solution_file(lesson: course.Lesson) -> Path:
    return ROOT / "solutions" / f"{lesson.module}.py"


def catalogue(lesson: course.Lesson) -> list[Mutant]:
    """The lesson's classic mistakes (tools/dev/mutants/lessonN.py) as mutants; a stale edit stops the run."""
    try:
        module = importlib.import_module(f"tools.dev.mutants.lesson{lesson.number}")
    except ModuleNotFoundError:
        return []
    text = solution_file(lesson).read_text()
    found = []
    for classic in module.CATALOGUE:
        source = text
        for old, new in classic.edits:
            if old not in source:
                raise SystemExit(f"tools/dev/mutants/lesson{lesson.number}.py: {classic.id!r}: solutions/"
                                 f"{lesson.module}.py no longer contains {old!r}: update the catalogue")
            source = source.replace(old, new, 1)
        function = course.exercise(classic.exercise).function
        found.append(Mutant(classic.id, function, classic.name, source, "catalogue", classic.expect))
    return found


def quick(lesson: course.Lesson) -> list[Mutant]:
    """The catalogue mutants that `make test` grades (QUICK in tools/dev/mutants/lessonN.py)."""
    try:
        names = importlib.import_module(f"tools.dev.mutants.lesson{lesson.number}").QUICK
    except ModuleNotFoundError:
        return []
    return [m for m in catalogue(lesson) if m.id in names]


def equivalent(lesson: course.Lesson) -> dict[str, str]:
    """{mutant id: why it is equivalent} from tools/dev/mutants/equivalent_lessonN.txt."""
    path = HERE / f"equivalent_lesson{lesson.number}.txt"
    if not path.exists():
        return {}
    listed = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            mutant_id, _, why = line.partition("  # ")
            listed[mutant_id.strip()] = why.strip()
    return listed


def exercise_of(lesson: course.Lesson, function: str) -> course.Exercise | None:
    """The lesson's exercise whose function `function` is (None: not an exercise's function)."""
    return course.by_function(lesson.module, function)


def grade(lesson: course.Lesson, mutant: Mutant, check_timeout: float = CHECK_TIMEOUT) -> Verdict:
    """Run the lesson's checks on the mutant (the other lessons' modules: the solutions)."""
    start = time.perf_counter()
    ex = exercise_of(lesson, mutant.function)
    with tempfile.TemporaryDirectory(prefix="brushstrokes-mutant-") as tmp:
        folder = Path(tmp) / "lessons"
        folder.mkdir()
        for other in course.LESSONS:
            if solution_file(other).exists():
                shutil.copy(solution_file(other), folder / solution_file(other).name)
        (folder / solution_file(lesson).name).write_text(mutant.source)
        score = Path(tmp) / "score.json"
        command = [sys.executable, "-m", "pytest", f"checks/test_lesson{lesson.number}.py", "-q", "-x",
                   "-p", "no:cacheprovider", "--color=no", "--lessons-dir", str(folder), "--score-json", str(score),
                   "--check-timeout", str(check_timeout)]
        if ex is not None:
            command += ["-k", ex.id]  # a mutant of one exercise's function can only fail that exercise's checks
        env = dict(os.environ, BRUSHSTROKES_LANG="en", PYTHONDONTWRITEBYTECODE="1")
        try:
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=MUTANT_TIMEOUT, env=env)
        except subprocess.TimeoutExpired:
            return Verdict(mutant, True, f"timed out after {MUTANT_TIMEOUT} s", time.perf_counter() - start)
        note = ""
        if score.exists() and ex is not None:
            rows = [row for entry in json.loads(score.read_text())["lessons"] for row in entry["exercises"]]
            note = next((row["note"] for row in rows if row["id"] == ex.id), "")
        killed = done.returncode != 0
        if killed and not note:
            note = f"pytest exit {done.returncode}"
    named = mutant.expect is None or expected_note(mutant.expect, note)
    return Verdict(mutant, killed, note, time.perf_counter() - start, named)


def expected_note(expect: str, note: str) -> bool:
    """The note is the expected mistake's name: exactly, or, when expect ends with '...', starting with the rest."""
    return note.startswith(expect[:-3]) if expect.endswith("...") else note == expect


def run_lesson(lesson: course.Lesson, jobs: int, only_listing: bool, only_catalogue: bool = False,
               only: tuple[str, ...] = ()) -> tuple[int, int, list[str]]:
    """Grade every mutant of one lesson (or its catalogue, or the mutants whose ids start with one of `only`);
    (killed, non-equivalent, problems)."""
    text = solution_file(lesson).read_text()
    every = catalogue(lesson) + mutants(text)
    listed = equivalent(lesson)
    ids = {m.id for m in every}
    problems = [f"lesson {lesson.number}: equivalent_lesson{lesson.number}.txt lists {i!r}, which is no mutant"
                for i in listed if i not in ids]
    if only_catalogue:
        every = [m for m in every if m.origin == "catalogue"]
    if only:
        every = [m for m in every if m.id.startswith(only)]
    if only_listing:
        for m in every:
            print(f"{m.origin:9} {m.id}" + ("   (equivalent)" if m.id in listed else ""))
        return 0, 0, problems
    graded = [m for m in every if m.id not in listed]
    print(f"lesson {lesson.number}: {len(every)} mutants ({sum(m.origin == 'catalogue' for m in every)} from the "
          f"catalogue), "
          f"{len(every) - len(graded)} listed as equivalent; grading {len(graded)} with {jobs} processes",
          flush=True)
    survivors, killed = [], 0
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        for verdict in pool.map(lambda m: grade(lesson, m), graded):
            m = verdict.mutant
            state = "killed  " if verdict.killed else "SURVIVED"
            extra = ""
            if verdict.killed and not verdict.named:
                extra = f"  NOT NAMED: expected {m.expect!r}"
                problems.append(f"lesson {lesson.number}: {m.id!r} killed but named {verdict.note!r}, "
                                f"expected {m.expect!r}")
            print(f"  {state} {m.id:<60} {verdict.note[:70]}{extra} ({verdict.seconds:.0f} s)", flush=True)
            killed += verdict.killed
            if not verdict.killed:
                survivors.append(m.id)
    for i in survivors:
        print(f"  survivor: {i}")
    percent = 100.0 * killed / len(graded) if graded else 100.0
    print(f"lesson {lesson.number}: {percent:.1f}% (killed {killed} of {len(graded)} non-equivalent)", flush=True)
    if percent < TARGET:
        problems.append(f"lesson {lesson.number} scores {percent:.1f}%, below {TARGET:.0f}%")
    return killed, len(graded), problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lesson", help="one lesson's number (default: every lesson whose solution exists)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="processes in parallel")
    parser.add_argument("--list", action="store_true", help="list the mutants' ids and stop")
    parser.add_argument("--catalogue", action="store_true",
                        help="grade only the classic mistakes (each must be named by its hint), not the automatic "
                             "mutants; the score is then over those alone")
    parser.add_argument("--only", action="append", default=[], metavar="ID",
                        help="grade only the mutants whose id starts with ID (repeatable), e.g. --only '1.3 '")
    args = parser.parse_args(argv)
    lessons = [course.lesson(args.lesson)] if args.lesson else list(course.LESSONS)
    lessons = [lesson for lesson in lessons if solution_file(lesson).exists()]
    if not lessons:
        print("no lesson to mutate: solutions/ has none of the registry's lesson modules")
        return 1
    start = time.perf_counter()
    killed = total = 0
    problems: list[str] = []
    for lesson in lessons:
        k, n, found = run_lesson(lesson, args.jobs, args.list, args.catalogue, tuple(args.only))
        killed, total = killed + k, total + n
        problems += found
    if args.list:
        return 1 if problems else 0
    for problem in problems:
        print(f"problem: {problem}")
    print(f"({time.perf_counter() - start:.0f} s)")
    percent = 100.0 * killed / total if total else 100.0
    print(f"mutation score: {percent:.1f}% (killed {killed} of {total} non-equivalent)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
