"""Self-grading checks for the lessons: run `pytest checks/` (add `-k 1_2` for one exercise)."""
