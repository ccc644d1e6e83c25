"""The `brushstrokes` command; each subcommand lives in its own module under brushstrokes/commands/."""

from __future__ import annotations

import argparse
import importlib
import sys

from brushstrokes.i18n import LANGUAGES, set_language

# brushstrokes/commands/<name>.py, in the order --help lists them
COMMANDS = ("check", "watch", "hint", "reset", "progress", "doctor", "fetch_model", "content", "style", "paint")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brushstrokes", description="Neural style transfer, built by you, on pycaffe.")
    p.add_argument("--lang", choices=LANGUAGES, default=None,
                   help="language of the messages (default: $BRUSHSTROKES_LANG, else the locale)")
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"brushstrokes.commands.{name}").add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    """Run one command; an error, Ctrl-C, a kill, a closed pipe or the wrong Python ends it cleanly (see exits.py)."""
    from brushstrokes.exits import run

    argv = sys.argv[1:] if argv is None else list(argv)

    def command() -> int:
        args = parser().parse_args(argv)
        set_language(args.lang)  # None: $BRUSHSTROKES_LANG, else the locale
        return args.func(args)

    return run(command, argv)


if __name__ == "__main__":
    sys.exit(main())
