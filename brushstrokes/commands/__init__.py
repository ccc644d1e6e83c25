"""The `brushstrokes` subcommands, one module each; each module defines `add(subparsers)`.

A command module adds its parser and sets `func` (args -> exit code). cli.COMMANDS lists them in the
order `brushstrokes --help` shows.
"""
