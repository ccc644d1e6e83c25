"""The `brushstrokes` command; each subcommand lives in its own module under brushstrokes/commands/."""

from __future__ import annotations

import argparse
import importlib
import sys

from brushstrokes.errors import BrushstrokesError

# brushstrokes/commands/<name>.py, in the order --help lists them
COMMANDS = ("doctor", "fetch_model", "content")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="brushstrokes", description="Neural style transfer, built by you, on pycaffe.")
    sub = p.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        importlib.import_module(f"brushstrokes.commands.{name}").add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except BrushstrokesError as exc:
        print(f"error: {exc.message}\n  what to do: {exc.todo}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: nothing was overwritten; run the command again to start over.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
