"""The format of a lesson's catalogue of classic mistakes (tools/dev/mutants/lessonN.py holds CATALOGUE and QUICK)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Classic:
    """A classic mistake: which exercise it breaks, its name, how to make it from the solution, what to expect.

    edits: (old, new) exact text replacements applied in order to solutions/<module>.py;
    expect: the note the score table must show for `exercise` (the mistake named by the checks, and no other),
    or its start followed by '...' (a note with a line number), or None to require only that the exercise fails.
    A mutant's id is "<exercise> <name>" (unique per lesson).
    """

    exercise: str
    name: str
    edits: tuple[tuple[str, str], ...]
    expect: str | None = None

    @property
    def id(self) -> str:
        return f"{self.exercise} {self.name}"
