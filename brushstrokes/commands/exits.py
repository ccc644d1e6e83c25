"""How a `brushstrokes` command ends: an error and its fix, Ctrl-C, a kill, a closed pipe, the wrong Python.

Only the standard library and the project's pure-Python modules are imported here, so that even a Python
without numpy (not the project's .venv) gets a useful line instead of a traceback.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

from brushstrokes.base.errors import ERROR, BrushstrokesError, Terminated
from brushstrokes.base.i18n import Text, language
from brushstrokes.base.paths import in_project_env

INTERRUPTED = Text("interrupted: nothing was overwritten; run the command again to start over.",
                   "已中断：没有覆盖任何文件；再运行一次命令即可重新开始。")
INTERRUPTED_AFTER = Text("interrupted after writing {files}; nothing else was overwritten.",
                         "在写入 {files} 之后中断；没有覆盖其他文件。")
WRONG_PYTHON = Text("this Python ({python}) cannot import {module}: the project's commands run in its .venv",
                    "这个 Python（{python}）无法导入 {module}：本项目的命令在它的 .venv 中运行")
WRONG_PYTHON_TODO = Text("use `.venv/bin/brushstrokes {command}` (or `source .venv/bin/activate`); "
                         "`make setup` creates .venv if it is missing",
                         "使用 `.venv/bin/brushstrokes {command}`（或 `source .venv/bin/activate`）；"
                         "如果没有 .venv，`make setup` 会创建它")
SIGPIPE_STATUS = 141  # what a shell reports for a command killed by SIGPIPE
SIGTERM_STATUS = 143


def wrong_python(missing: str, argv: list[str]) -> BrushstrokesError:
    """The error for a module this interpreter lacks (numpy, PIL, caffe...): use the project's .venv."""
    lang = language()
    return BrushstrokesError(WRONG_PYTHON(lang, python=sys.executable, module=missing),
                             WRONG_PYTHON_TODO(lang, command=" ".join(argv) or "doctor"))


def _terminate(signum: int, frame: object) -> None:
    raise Terminated(SIGTERM_STATUS)  # unwinds: temporary files are removed, old outputs stay whole


def _quiet_stdout() -> None:
    """After the reader of our output went away (`| head -1`): send the rest to /dev/null, no traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _say(text: str) -> None:
    try:
        print(text, file=sys.stderr)
    except (BrokenPipeError, OSError):
        pass


def run(command: Callable[[], int], argv: list[str]) -> int:
    """Run a command; return its exit status, printing one error with its fix where it failed.

    2: an error the learner can fix; 130: Ctrl-C; 141: the reader of stdout closed it; 143: killed (SIGTERM).
    """
    from brushstrokes.base import outputs

    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    try:
        status = command()
        sys.stdout.flush()
        return status
    except BrushstrokesError as exc:
        _say(ERROR(language(), message=exc.message, todo=exc.todo))
        return 2
    except KeyboardInterrupt:
        lang = language()
        written = ", ".join(str(p) for p in outputs.WRITTEN)
        _say("\n" + (INTERRUPTED_AFTER(lang, files=written) if written else INTERRUPTED(lang)))
        return 130
    except BrokenPipeError:
        _quiet_stdout()
        return SIGPIPE_STATUS
    except ModuleNotFoundError as exc:
        if in_project_env() or not exc.name:
            raise
        if "doctor" in argv:  # the doctor needs only the standard library: its report says what to do
            from brushstrokes.base.i18n import LANGUAGES, set_language
            from brushstrokes.commands.doctor_report import report

            if "--lang" in argv[:-1] and argv[argv.index("--lang") + 1] in LANGUAGES:
                set_language(argv[argv.index("--lang") + 1])

            lines, _ = report()
            print("\n".join(lines))
            return 1
        error = wrong_python(exc.name.split(".")[0], argv)
        _say(ERROR(language(), message=error.message, todo=error.todo))
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
