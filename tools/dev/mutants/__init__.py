"""Mutation testing of the self-grading checks: `make mutants` (all lessons) or `make mutants LESSON=1`.

Each mutant is a copy of solutions/ with one change in the graded lesson's module; it is graded with
`pytest checks/test_lessonN.py --lessons-dir <temp folder>` (the other lessons' modules are the solutions)
and counts as killed when any check fails (or the run times out). The score is over the mutants that are not
listed as equivalent (they behave exactly like the solution, so no check could tell them apart).

Per lesson N, this folder holds:
  - lessonN.py: CATALOGUE, the classic mistakes a learner makes, each a Classic(exercise id, name, edits,
    expect), where edits are (old, new) exact text replacements in solutions/<module>.py (every old text must
    be there, or the run stops and says which) and expect is the note the score table must show for that
    exercise (the mistake's name as the checks give it), or None; QUICK, the names of the few that
    `make test` grades (tests/course/test_mutants.py);
  - equivalent_lessonN.txt: one line per equivalent automatic mutant, `<mutant id>  # <why it is equivalent>`
    (ids as printed by `python -m tools.dev.mutants --list`).
The automatic mutants come from tools/dev/mutants/auto.py.
"""
