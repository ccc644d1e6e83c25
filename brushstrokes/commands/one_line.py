"""argparse's errors for a subcommand as every other error: one line and what to do, no usage dump, in the
learner's language.

    p = sub.add_parser("style", ...)
    one_line_errors(p, "style")            # a bad value, a missing argument and an unknown option alike

Numeric options are checked right after parsing, each by the check brushstrokes.runs.validate.bounded gave it.
"""

from __future__ import annotations

import argparse
import sys

from brushstrokes.base.i18n import Text, language

HELP_TODO = Text("see `brushstrokes {command} --help` for every option and its default",
                 "`brushstrokes {command} --help` 列出了所有选项及其默认值")

# argparse's own words (Python 3.11's msgids, which it passes through gettext) in Chinese.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示此帮助信息并退出",
    "unrecognized arguments: %s": "不认识的参数：%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "不是有效的 %(type)s 值：%(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多只能有一个值",
    "ambiguous option: %(option)s could match %(matches)s": "有歧义的选项：%(option)s 可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "ignored explicit argument %r": "忽略了显式给出的值 %r",
}


def argparse_in_learners_language() -> None:
    """Make argparse's messages (errors, usage and --help headings) follow brushstrokes.base.i18n.language()."""
    argparse._ = lambda text: ARGPARSE_ZH.get(text, text) if language() == "zh" else text


def say_error(message: str, todo: str) -> None:
    """Print one error and its fix the way `brushstrokes` does, and exit with status 2."""
    from brushstrokes.base.errors import ERROR

    print(ERROR(language(), message=message, todo=todo), file=sys.stderr)
    sys.exit(2)


def one_line_errors(parser: argparse.ArgumentParser, command: str, stray: Text | None = None) -> None:
    """Make `parser`'s errors one line and what to do (argparse's main parser would print the usage for an
    unknown option). stray: the fix for a stray positional argument (default: see --help)."""

    def error(message: str) -> None:
        say_error(message, HELP_TODO(language(), command=command))

    parse_known = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        from brushstrokes.runs.validate import check_options

        namespace, extras = parse_known(args, namespace)
        if extras:
            todo = stray if stray is not None and any(not e.startswith("-") for e in extras) else None
            message = argparse._("unrecognized arguments: %s") % " ".join(extras)
            say_error(message, todo(language()) if todo else HELP_TODO(language(), command=command))
        check_options(parser, namespace)  # every number in range, before any work (brushstrokes.runs.validate)
        return namespace, extras

    parser.error = error
    parser.parse_known_args = parse_known_args
    parser.one_line_errors = True
