"""The old path of tools/dev/check_untouched_lessons.py (tests/test_grading.py and checks/grading.py still name it):
runs that script with the same arguments."""

import runpy
from pathlib import Path

if __name__ == "__main__":
    runpy.run_path(str(Path(__file__).resolve().parent / "dev" / "check_untouched_lessons.py"), run_name="__main__")
