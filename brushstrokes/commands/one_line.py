"""argparse's errors for a subcommand as every other error: one line and what to do, no usage dump.

    p = sub.add_parser("style", ...)
    one_line_errors(p, "style")            # a bad value, a missing argument and an unknown option alike
"""

from __future__ import annotations

import argparse
import sys

from brushstrokes.course.model import Text
from brushstrokes.i18n import language

HELP_TODO = Text("see `brushstrokes {command} --help` for every option and its default",
                 "`brushstrokes {command} --help` 列出了所有选项及其默认值")


def say_error(message: str, todo: str) -> None:
    """Print one error and its fix the way `brushstrokes` does, and exit with status 2."""
    from brushstrokes.exits import ERROR

    print(ERROR(language(), message=message, todo=todo), file=sys.stderr)
    sys.exit(2)


def one_line_errors(parser: argparse.ArgumentParser, command: str, stray: Text | None = None) -> None:
    """Make `parser`'s errors one line and what to do (argparse's main parser would print the usage for an
    unknown option). stray: the fix for a stray positional argument (default: see --help)."""

    def error(message: str) -> None:
        say_error(message, HELP_TODO(language(), command=command))

    parse_known = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        namespace, extras = parse_known(args, namespace)
        if extras:
            todo = stray if stray is not None and any(not e.startswith("-") for e in extras) else None
            message = f"unrecognized arguments: {' '.join(extras)}"
            say_error(message, todo(language()) if todo else HELP_TODO(language(), command=command))
        return namespace, extras

    parser.error = error
    parser.parse_known_args = parse_known_args
