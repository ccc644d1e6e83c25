"""Benchmark: wall time of the learner's check suite, `pytest checks/`, on solutions/ and on the stubs.

The target is under 30 s on a 2-core machine. The bench stops with an error instead of timing a broken
suite: on solutions/ every check must pass (pytest exit 0); on the stubs the checks must run and fail as
learners see them (exit 1, not a collection, usage or internal error).
Usage: .venv/bin/python tools/dev/bench_checks.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from brushstrokes.base import paths


def wall_time(args: list[str], expect: int) -> float:
    """Seconds one `pytest checks/ ARGS` run takes, start to finish (a fresh process each time).

    Exits with pytest's output when its exit status is not `expect`.
    """
    cmd = [sys.executable, "-m", "pytest", "checks/", "-q", "-p", "no:cacheprovider", *args]
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=paths.ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if out.returncode != expect:
        sys.exit(f"{' '.join(cmd[1:])} exited with {out.returncode}, expected {expect}: the suite is broken, "
                 f"not timed.\n{(out.stdout + out.stderr)[-3000:]}")
    return elapsed


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    for label, extra, expect in (("on solutions/ (all pass)", ["--solutions"], 0),
                                 ("on the untouched lessons/", [], 1)):
        times = [wall_time(extra, expect) for _ in range(args.repeats)]
        print(f"pytest checks/ {label:28s} median {statistics.median(times):5.1f} s  "
              f"(min {min(times):.1f}, max {max(times):.1f}, {args.repeats} runs; target < 30 s)")


if __name__ == "__main__":
    main()
