"""The quick subset of `make mutants`: a few classic mistakes per lesson (QUICK in tools/mutants/lessonN.py),
each graded by the real checks and required to fail its exercise with the mistake's name.

The whole run (every automatic and catalogue mutant) is `make mutants`.
"""

from __future__ import annotations

import pytest

from brushstrokes import course
from tools.mutants.__main__ import catalogue, grade, quick, solution_file
from tools.mutants.auto import mutants

QUICK = [pytest.param(lesson, mutant, id=mutant.id) for lesson in course.LESSONS if solution_file(lesson).exists()
         for mutant in quick(lesson)]


@pytest.mark.parametrize(("lesson", "mutant"), QUICK)
def test_classic_mistake_is_caught_and_named(lesson, mutant):
    verdict = grade(lesson, mutant)
    assert verdict.killed, f"{mutant.id}: every check passed"
    assert verdict.named, f"{mutant.id}: named {verdict.note!r}, expected {mutant.expect!r}"


def test_lesson1_has_quick_mutants_and_a_valid_catalogue():
    lesson = course.lesson("1")
    assert len(quick(lesson)) >= 5
    assert len({m.id for m in catalogue(lesson)}) == len(catalogue(lesson)), "catalogue ids must be unique"


def test_automatic_mutants_change_the_code_and_keep_it_valid():
    import ast

    text = solution_file(course.lesson("1")).read_text()
    found = mutants(text)
    assert len({m.id for m in found}) == len(found), "automatic mutant ids must be unique"
    kinds = {m.description.split(" ")[0] for m in found}
    assert {"deleted", "dropped", "default"} <= kinds
    for m in found:
        assert m.source != text, m.id
        ast.parse(m.source)
