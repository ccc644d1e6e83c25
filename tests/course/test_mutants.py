"""The quick subset of `make mutants`: a few classic mistakes per lesson (QUICK in tools/dev/mutants/lessonN.py),
each graded by the real checks and required to fail its exercise with the mistake's name; and the catalogue's
coverage: every mistake the checks can name has a classic mistake that must be named by it.

The whole run (every automatic and catalogue mutant) is `make mutants`; the catalogue alone, which tests every
hint against the mistake it names, is `python -m tools.dev.mutants --catalogue`.
"""

from __future__ import annotations

import pytest

from brushstrokes import course
from tools.dev.mutants.__main__ import catalogue, expected_note, grade, quick, solution_file
from tools.dev.mutants.auto import mutants
from tools.dev.mutants.hints import Hint, hints

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


def classics() -> list:
    """Every lesson's catalogue of classic mistakes."""
    import importlib

    return [c for lesson in course.LESSONS for c in importlib.import_module(f"tools.dev.mutants.lesson{lesson.number}")
            .CATALOGUE]


def catalogue_file(exercise: str) -> str:
    """The catalogue that holds the classic mistakes of `exercise` ('*', a shared mistake: any lesson's)."""
    return "tools/dev/mutants/lessonN.py" if exercise == "*" else (
        f"tools/dev/mutants/lesson{course.owner(course.exercise(exercise)).number}.py")


def test_every_hint_the_checks_give_is_read_from_their_source():
    found, problems = hints()
    assert not problems, "\n".join(problems)
    texts = {(h.exercise, h.text) for h in found}
    # one of each way a check names a mistake: a Mistake in a list, fail(...), a (name, fix) diagnosis, a shared one
    assert {("1.3", "normalised by the sum"), ("2.1", "Gram of the transposed reshape"),
            ("1.4", "no forward pass"), ("*", "inverted stop test"), ("*", "changes its input in place"),
            ("3.3", "step's parameter not named intermediate_result")} <= texts
    assert len(found) > 100


def test_every_hint_is_the_expected_note_of_a_classic_mistake_of_its_exercise():
    """For each mistake the checks can name, a mutant of the solution that makes it (graded by
    `python -m tools.dev.mutants --catalogue`, which fails unless the checks give exactly that name)."""
    found, _ = hints()
    mistakes = classics()
    uncovered = [f"{catalogue_file(h.exercise)}: add a Classic({h.exercise!r}, ..., expect={h.text!r}) "
                 f"(the checks name it at {h.where})" for h in found
                 if not any(c.expect and not c.expect.endswith("...") and h.matches(c.expect) and
                            h.exercise in ("*", c.exercise) for c in mistakes)]
    assert not uncovered, "mistakes the checks name that no classic mistake expects:\n" + "\n".join(uncovered)


def test_every_expected_note_is_a_hint_the_checks_can_give():
    """A catalogue entry cannot expect a name the checks never give (a typo would make it fail forever)."""
    found, _ = hints()
    stray = [f"{c.id}: {c.expect!r}" for c in classics() if c.expect and not c.expect.endswith("...") and
             not any(h.matches(c.expect) and h.exercise in ("*", c.exercise) for h in found)]
    assert not stray, "\n".join(stray)


def test_every_hint_is_given_in_english_and_chinese():
    found, _ = hints()
    untranslated = [f"{h.exercise} {h.text!r} ({h.where})" for h in found
                    if not h.zh or not any("\u4e00" <= ch <= "\u9fff" for ch in h.zh)]
    assert not untranslated, "\n".join(untranslated)


def test_a_hint_matches_its_notes_and_no_longer_ones():
    hint = Hint("1.4", "{what} share memory with the net", "{what} 与网络共享内存", "checks/loops.py:1")
    assert hint.matches(".snapshots[0] share memory with the net")
    assert not hint.matches(".snapshots[0] share memory with the net, twice")
    assert Hint("1.2", "wrong sign", "符号反了", "").matches("wrong sign")
    assert not Hint("1.2", "wrong sign", "符号反了", "").matches("wrong sign and missing ReLU mask")
    assert expected_note("raised AttributeError at line ...", "raised AttributeError at line 41")
    assert not expected_note("wrong sign", "wrong sign and missing ReLU mask")


def test_every_classic_mistake_breaks_an_exercise_of_its_lesson():
    import importlib

    for lesson in course.LESSONS:
        ids = {ex.id for ex in lesson.exercises}
        stray = [c.id for c in importlib.import_module(f"tools.dev.mutants.lesson{lesson.number}").CATALOGUE
                 if c.exercise not in ids]
        assert not stray, (f"tools/dev/mutants/lesson{lesson.number}.py: exercises that "
                           f"brushstrokes/course/lesson{lesson.number}.py does not register: {stray}")
