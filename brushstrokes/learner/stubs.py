"""`brushstrokes reset ID`: put ONE function of a lesson file back to its original stub, and nothing else.

Where the original stub comes from, in order:
  1. the committed lesson file, `git show HEAD:lessons/<module>.py`: exactly what the course shipped, docstring
     included, with no second copy in the repository that could drift from it;
  2. without git (a downloaded archive, or the file not committed): the function is rebuilt from the signature
     in solutions/<module>.py (which the checks already rely on), the docstring in the learner's own function
     (else the solution's) and `raise NotImplementedError` naming the exercise.
The file is parsed first (never rewritten when it does not parse); only the lines of that one function
(decorators included) are replaced, in the file's own line endings; the replaced lines are saved to
.brushstrokes/backups/<module>.<function>.<timestamp>.py before the file is rewritten, whole or not at all.
A backup or a file that cannot be written is one error saying so; the lesson file is then unchanged.
"""

from __future__ import annotations

import ast
import datetime
import subprocess
from dataclasses import dataclass
from pathlib import Path

from brushstrokes import course
from brushstrokes.base.errors import BrushstrokesError
from brushstrokes.base.i18n import language
from brushstrokes.base.outputs import write_bytes, write_text
from brushstrokes.base.paths import ROOT
from brushstrokes.course import Exercise
from brushstrokes.learner import messages as M
from brushstrokes.learner import places
from brushstrokes.learner.loader import display


@dataclass
class Reset:
    """What a reset did: the file, the function's new line span (1-based), the backup (None if nothing changed)."""

    file: Path
    start: int
    end: int
    backup: Path | None
    source: str  # "git" or "solutions"


def function_span(tree: ast.Module, name: str, file: str, ex: Exercise) -> tuple[int, int]:
    """(first line, last line), 1-based, of the one top-level function `name`, decorators included."""
    found = [node for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
             and node.name == name]
    lang = language()
    if not found:
        raise BrushstrokesError(M.RESET_MISSING_FUNCTION(lang, file=file, function=name),
                                M.RESET_MISSING_FUNCTION_TODO(lang, function=name, id=ex.id,
                                                              solution=solution_file(ex)))
    if len(found) > 1:
        raise BrushstrokesError(M.RESET_TWICE(lang, file=file, function=name, count=len(found),
                                              lines=", ".join(str(n.lineno) for n in found)),
                                M.RESET_TWICE_TODO(lang, id=ex.id))
    node = found[0]
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return start, node.end_lineno


def solution_file(ex: Exercise) -> str:
    return f"solutions/{course.owner(ex).module}.py"


def committed_lesson(module: str, root: Path = ROOT) -> str | None:
    """The committed lessons/<module>.py of the repository at `root`: the stubs as shipped (git show HEAD:...),
    whatever the learner has written into the working file since; None when git cannot give it (no git, or the
    file is not committed)."""
    try:
        done = subprocess.run(["git", "show", f"HEAD:lessons/{module}.py"], cwd=root, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8")


def committed_stub(ex: Exercise) -> str | None:
    """The committed lesson file that holds `ex`'s stub, or None when git cannot give it."""
    return committed_lesson(course.owner(ex).module)


def write_committed_lessons(folder: Path, root: Path = ROOT) -> list[str]:
    """Write every committed lesson file into `folder` (made if missing); the modules written. Loaded from there
    (learner.loader.load_lesson(module, folder=folder)), the lessons import each other from that folder too,
    so the shipped stubs can be tested however far the learner has got in lessons/."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for lesson in course.LESSONS:
        text = committed_lesson(lesson.module, root)
        if text is not None:
            (folder / f"{lesson.module}.py").write_text(text, encoding="utf-8")
            written.append(lesson.module)
    return written


def rebuilt_stub(ex: Exercise, learner_text: str | None) -> str:
    """The stub rebuilt from the solution's signature, a docstring (the learner's, else the solution's) and a raise."""
    solution = ROOT / solution_file(ex)
    try:
        source = solution.read_text(encoding="utf-8")
        tree = ast.parse(source)
    except (OSError, SyntaxError) as exc:
        raise BrushstrokesError(M.RESET_NO_STUB(language(), function=ex.function, why=f"no git, {exc}"),
                                M.RESET_NO_STUB_TODO(language(), path=f"lessons/{course.owner(ex).module}.py")) from exc
    node = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == ex.function)
    lines = source.splitlines()
    header = lines[node.lineno - 1:node.body[0].lineno - 1]  # the def line(s), up to the first statement
    docstring = ast.get_docstring(node, clean=False)
    if learner_text is not None:
        try:
            mine = next(n for n in ast.parse(learner_text).body
                        if isinstance(n, ast.FunctionDef) and n.name == ex.function)
            docstring = ast.get_docstring(mine, clean=False) or docstring
        except (SyntaxError, StopIteration):
            pass
    body = []
    if docstring:
        body.append(f'    """{docstring}"""')
    body.append(f'    raise NotImplementedError("Exercise {ex.id}: write {ex.function}, '
                f'then run `brushstrokes check {ex.id}`")')
    return "\n".join(header + body) + "\n"


def stub_lines(ex: Exercise, learner_text: str) -> tuple[list[str], str]:
    """The original stub function's lines (with '\\n' endings) and where they came from ('git' or 'solutions')."""
    committed = committed_stub(ex)
    if committed is not None:
        try:
            tree = ast.parse(committed)
            start, end = function_span(tree, ex.function, "HEAD", ex)
            return committed.splitlines(keepends=True)[start - 1:end], "git"
        except (SyntaxError, BrushstrokesError):
            pass  # the committed file lacks the function: rebuild it
    text = rebuilt_stub(ex, learner_text)
    return text.splitlines(keepends=True), "solutions"


def newline_of(text: str) -> str:
    """The file's line ending: '\\r\\n' when its first line ends so, else '\\n'."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def reset_function(ex: Exercise, folder: Path | None = None, now: datetime.datetime | None = None) -> Reset:
    """Restore `ex`'s function in <folder>/<module>.py to its original stub; every other line stays byte-identical.

    Raises BrushstrokesError (nothing written) when the file is missing, does not parse, lacks the function,
    or defines it twice.
    """
    lang = language()
    folder = places.lessons_dir(folder)
    module = course.owner(ex).module
    path = folder / f"{module}.py"
    file = display(path)
    if not path.is_file():
        raise BrushstrokesError(M.RESET_MISSING_FILE(lang, file=file), M.RESET_MISSING_FILE_TODO(lang, file=file))
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
        tree = ast.parse(text, filename=str(path))
    except (UnicodeDecodeError, SyntaxError) as exc:
        line = getattr(exc, "lineno", None) or "?"
        error = getattr(exc, "msg", None) or str(exc)
        raise BrushstrokesError(M.RESET_UNPARSABLE(lang, file=file, line=line, error=error),
                                M.RESET_UNPARSABLE_TODO(lang, file=file, id=ex.id)) from None
    start, end = function_span(tree, ex.function, file, ex)
    lines = text.splitlines(keepends=True)
    old = lines[start - 1:end]
    stub, source = stub_lines(ex, text)
    newline = newline_of(text)
    stub = [line.rstrip("\r\n") + newline for line in stub]
    if old and not old[-1].endswith(("\n", "\r")):  # the function ends the file without a final newline
        stub[-1] = stub[-1].rstrip("\r\n")
    if stub == old:
        return Reset(path, start, end, None, source)
    new_text = "".join(lines[:start - 1] + stub + lines[end:])
    ast.parse(new_text)  # the stub is plain Python: a failure here is a bug, and nothing has been written
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    backup = places.backups_dir() / f"{module}.{ex.function}.{stamp}.py"
    n = 1
    while backup.exists():
        n += 1
        backup = places.backups_dir() / f"{module}.{ex.function}.{stamp}-{n}.py"
    try:
        write_text(backup, "".join(old))
    except OSError as exc:
        folder = backup.parent
        error = M.RESET_NOT_A_FOLDER(lang) if folder.exists() and not folder.is_dir() else exc.strerror or exc
        raise BrushstrokesError(M.RESET_NO_BACKUP(lang, function=ex.function, folder=display(folder), error=error,
                                                  file=file),
                                M.RESET_NO_BACKUP_TODO(lang, id=ex.id)) from None
    try:
        write_bytes(path.resolve(), new_text.encode("utf-8"))  # through a link: the link stays, its file changes
    except OSError as exc:
        raise BrushstrokesError(M.RESET_CANNOT_WRITE(lang, file=file, error=exc.strerror or exc, function=ex.function,
                                                     backup=display(backup)),
                                M.RESET_CANNOT_WRITE_TODO(lang, id=ex.id)) from None
    return Reset(path, start, start + len(stub) - 1, backup, source)
