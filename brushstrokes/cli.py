"""The `brushstrokes` command; each subcommand lives in its own module under brushstrokes/commands/."""

from __future__ import annotations

import argparse
import importlib
import sys

from brushstrokes.base.i18n import LANGUAGES, Text, language, set_language
from brushstrokes.commands.one_line import argparse_in_learners_language, one_line_errors, say_error

# brushstrokes/commands/<name>.py, in the order --help lists them
COMMANDS = ("check", "watch", "hint", "reset", "progress", "doctor", "fetch_model", "content", "style", "paint")
COMMANDS_TODO = Text("see `brushstrokes --help` for the commands, and `brushstrokes COMMAND --help` for their options",
                     "`brushstrokes --help` 列出了所有命令，`brushstrokes 命令 --help` 列出了命令的选项")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brushstrokes", description="Neural style transfer, built by you, on pycaffe.")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="language of the messages (default: $BRUSHSTROKES_LANG, else the locale)")
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"brushstrokes.commands.{name}").add(sub)
    for name, command in sub.choices.items():
        if not getattr(command, "one_line_errors", False):
            one_line_errors(command, name)
    p.error = lambda message: say_error(message, COMMANDS_TODO(language()))
    return p


def language_asked_for(argv: list[str]) -> str | None:
    """The value of --lang in argv when it is a known language (so that argparse's errors use it too)."""
    for i, arg in enumerate(argv):
        if arg.startswith("--lang="):
            value = arg.removeprefix("--lang=")
        elif arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        if value in LANGUAGES:
            return value
    return None


def main(argv: list[str] | None = None) -> int:
    """Run one command; an error, Ctrl-C, a kill, a closed pipe or the wrong Python ends it cleanly (see exits.py)."""
    from brushstrokes.commands.exits import run

    argv = sys.argv[1:] if argv is None else list(argv)

    def command() -> int:
        set_language(language_asked_for(argv))
        argparse_in_learners_language()
        args = parser().parse_args(argv)
        set_language(args.lang)  # None: $BRUSHSTROKES_LANG, else the locale
        return args.func(args)

    return run(command, argv)


if __name__ == "__main__":
    sys.exit(main())
