"""One error type for everything a learner can get wrong, with what to do next."""

from __future__ import annotations

from brushstrokes.base.i18n import Text, language

ERROR = Text("error: {message}\n  what to do: {todo}", "错误：{message}\n  怎么办：{todo}")  # how a command reports one


class BrushstrokesError(Exception):
    """A problem the learner can fix: `message` says what, `todo` says how."""

    def __init__(self, message: str, todo: str) -> None:
        super().__init__(message)
        self.message = message
        self.todo = todo

    def __str__(self) -> str:
        return f"{self.message} -> {self.todo}"


class Terminated(SystemExit):
    """A kill (SIGTERM): never mistaken for a learner's sys.exit, whatever code was running when it came."""


def fail(message: Text, todo: Text, **fields: object) -> BrushstrokesError:
    """The error for `message` and `todo`, filled with `fields`, in the learner's language (raise it)."""
    lang = language()
    return BrushstrokesError(message(lang, **fields), todo(lang, **fields))
