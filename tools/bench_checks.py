"""Benchmark: wall time of the learner's check suite, `pytest checks/`, on solutions/ and on the stubs.

The target is under 30 s on a 2-core machine. Usage: .venv/bin/python tools/bench_checks.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from brushstrokes import paths


def wall_time(args: list[str]) -> float:
    """Seconds one `pytest checks/ ARGS` run takes, start to finish (a fresh process each time)."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "checks/", "-q", "-p", "no:cacheprovider", *args],
                   cwd=paths.ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    for label, extra in (("on solutions/ (all pass)", ["--solutions"]), ("on the untouched lessons/", [])):
        times = [wall_time(extra) for _ in range(args.repeats)]
        print(f"pytest checks/ {label:28s} median {statistics.median(times):5.1f} s  "
              f"(min {min(times):.1f}, max {max(times):.1f}, {args.repeats} runs; target < 30 s)")


if __name__ == "__main__":
    main()
