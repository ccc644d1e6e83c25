"""One error type for everything a learner can get wrong, with what to do next."""

from __future__ import annotations


class BrushstrokesError(Exception):
    """A problem the learner can fix: `message` says what, `todo` says how."""

    def __init__(self, message: str, todo: str) -> None:
        super().__init__(message)
        self.message = message
        self.todo = todo

    def __str__(self) -> str:
        return f"{self.message} -> {self.todo}"
