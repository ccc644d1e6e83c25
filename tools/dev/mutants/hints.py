"""Every mistake the checks can name, read from their source: `python -m tools.dev.mutants.hints` lists them.

A check names a mistake in three ways: Mistake(name, value, fix) in a list handed to expect_close,
fail(ex, call, got, expected, name, fix), or a diagnosis that returns (name, fix) (spy log, stop rule, ...),
written as a tuple literal whose first two items are a name and its fix. Each name is read as its English text
(a Text/T literal, a constant bound to one, or a call of such a constant with format fields), and belongs to the
exercise whose section of checks/test_lessonN.py ("# Exercise 1.2 ---") it is used in; names used in the shared
modules (checks/loops.py, checks/compare.py) belong to every exercise ("*").

tests/course/test_mutants.py requires each (exercise, name) to be the `expect` of a classic mistake in
tools/dev/mutants/lessonN.py: a mutant of the solution that makes that mistake and must be named by it.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from brushstrokes.base.paths import ROOT

CHECKS = ROOT / "checks"
SHARED = ("loops.py", "compare.py", "messages.py")
SECTION = re.compile(r"^# Exercise (\d+\.\d+) ")


@dataclass(frozen=True)
class Hint:
    """A mistake name the checks can give: the exercise it is given in ('*': any), its English and Chinese texts
    (format fields such as {what} left in; zh is '' for a plain string), and where it is used."""

    exercise: str
    text: str
    zh: str
    where: str

    def matches(self, note: str) -> bool:
        """True when a score-table note is this name (its format fields filled in any way)."""
        parts = re.split(r"\{[^{}]*\}", self.text.replace("{{", "{").replace("}}", "}"))
        return re.fullmatch(".+?".join(re.escape(p) for p in parts), note) is not None


class Module:
    """One source file: its tree, its module-level bindings and its exercise sections."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.text = path.read_text()
        self.tree = ast.parse(self.text)
        self.bindings: dict[str, ast.AST] = {}
        self.imports: dict[str, str] = {}  # name -> module file (checks/<x>.py) it comes from
        self.modules: dict[str, str] = {}  # `from checks import messages as msg`: msg -> messages
        for node in self.tree.body:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    self.bind(target, node.value)
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                self.bind(node.target, node.value)
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("checks."):
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = node.module.split(".")[1]
            elif isinstance(node, ast.ImportFrom) and node.module == "checks":
                for alias in node.names:
                    self.modules[alias.asname or alias.name] = alias.name
        self.sections: list[tuple[int, str]] = [(i + 1, m.group(1)) for i, line in enumerate(self.text.splitlines())
                                                if (m := SECTION.match(line))]

    def bind(self, target: ast.AST, value: ast.AST) -> None:
        if isinstance(target, ast.Name):
            self.bindings[target.id] = value
        elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
            for t, v in zip(target.elts, value.elts, strict=True):
                self.bind(t, v)

    def exercise_at(self, line: int) -> str:
        if self.path.name in SHARED:
            return "*"
        found = "*"
        for start, exercise in self.sections:
            if start <= line:
                found = exercise
        return found


_modules: dict[str, Module] = {}


def module(name: str) -> Module:
    """checks/<name>.py, parsed once."""
    if name not in _modules:
        _modules[name] = Module(CHECKS / f"{name}.py")
    return _modules[name]


TEXT_TYPES = ("T", "Text")


def local_bindings(function: ast.AST | None) -> dict[str, list[ast.AST]]:
    """Assignments inside a function: name -> the values it is given."""
    found: dict[str, list[ast.AST]] = {}
    if function is None:
        return found
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
    return found


class Unresolved(Exception):  # noqa: N818 -- a name whose text cannot be read from the source
    pass


def texts(node: ast.AST, mod: Module, local: dict[str, list[ast.AST]], depth: int = 0) -> list[tuple[str, str]]:
    """The (English, Chinese) texts a name expression can have; [] for None; Unresolved when it cannot be read."""
    if depth > 8:
        raise Unresolved(ast.unparse(node))
    if isinstance(node, ast.Constant):
        if node.value is None:
            return []
        if isinstance(node.value, str):
            return [(node.value, "")]
    if isinstance(node, ast.IfExp):
        return texts(node.body, mod, local, depth + 1) + texts(node.orelse, mod, local, depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in TEXT_TYPES and len(node.args) == 2 and \
                all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args):
            return [(node.args[0].value, node.args[1].value)]
        if node.func.id == "say" and node.args:
            return texts(node.args[0], mod, local, depth + 1)
        return texts(node.func, mod, local, depth + 1)  # a Text called with its format fields
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in mod.modules:
        return texts(ast.Name(node.attr), module(mod.modules[node.value.id]), {}, depth + 1)
    if isinstance(node, ast.Name):
        if node.id in local:
            return [t for value in local[node.id] for t in texts(value, mod, local, depth + 1)]
        if node.id in mod.bindings:
            return texts(mod.bindings[node.id], mod, {}, depth + 1)
        if node.id in mod.imports:
            return texts(ast.Name(node.id), module(mod.imports[node.id]), {}, depth + 1)
    raise Unresolved(ast.unparse(node))


def is_text(node: ast.AST, mod: Module, local: dict[str, list[ast.AST]]) -> bool:
    """True when the expression is a Text/T (a literal, or a name bound to one), not a plain value."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id in TEXT_TYPES:
            return True
        return is_text(node.func, mod, local)
    if isinstance(node, ast.Name):
        if node.id in local:
            return any(is_text(v, mod, local) for v in local[node.id])
        if node.id in mod.bindings:
            return is_text(mod.bindings[node.id], mod, {})
        if node.id in mod.imports:
            return is_text(ast.Name(node.id), module(mod.imports[node.id]), {})
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in mod.modules:
        return is_text(ast.Name(node.attr), module(mod.modules[node.value.id]), {})
    if isinstance(node, ast.IfExp):
        return is_text(node.body, mod, local) or is_text(node.orelse, mod, local)
    return False


def forwarded(node: ast.AST, mod: Module) -> bool:
    """A name handed on from elsewhere (found[0], known.name): it is read where it is made."""
    return isinstance(node, ast.Subscript) or (isinstance(node, ast.Attribute) and not (
        isinstance(node.value, ast.Name) and node.value.id in mod.modules))


def name_sites(mod: Module) -> list[tuple[ast.AST, ast.AST | None]]:
    """(name expression, enclosing function) of every place a mistake is named in the module."""
    sites: list[tuple[ast.AST, ast.AST | None]] = []
    unpacked = {id(node.value) for node in ast.walk(mod.tree)  # `CONTENT, STYLE = Text(...), Text(...)`
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple)}

    def visit(node: ast.AST, function: ast.AST | None) -> None:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            function = node
        local = local_bindings(function)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            if node.func.id == "Mistake" and node.args:
                sites.append((node.args[0], function))
            elif node.func.id == "fail":
                plain = [a for a in node.args if not isinstance(a, ast.Starred)]
                if len(plain) >= 5 and len(plain) == len(node.args[:len(plain)]):
                    sites.append((plain[4], function))
                sites.extend((k.value, function) for k in node.keywords if k.arg == "mistake")
        if isinstance(node, ast.Tuple) and len(node.elts) in (2, 3) and isinstance(node.ctx, ast.Load) and \
                id(node) not in unpacked and is_text(node.elts[0], mod, local):  # (name, fix[, ...])
            sites.append((node.elts[0], function))
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(mod.tree, None)
    return sites


def hints(names: tuple[str, ...] | None = None) -> tuple[list[Hint], list[str]]:
    """(every hint of the checks, the name expressions that could not be read: each one is a problem)."""
    names = names or tuple(p.stem for p in sorted(CHECKS.glob("test_lesson*.py"))) + tuple(
        n.removesuffix(".py") for n in SHARED)
    found: dict[tuple[str, str], Hint] = {}
    problems: list[str] = []
    for name in names:
        mod = module(name)
        for node, function in name_sites(mod):
            if forwarded(node, mod):
                continue
            where = f"checks/{mod.path.name}:{node.lineno}"
            try:
                for text, zh in texts(node, mod, local_bindings(function)):
                    key = (mod.exercise_at(node.lineno), text)
                    found.setdefault(key, Hint(key[0], text, zh, where))
            except Unresolved as exc:
                problems.append(f"{where}: cannot read the mistake's name from `{exc}`: bind it to a Text constant")
    return sorted(found.values(), key=lambda h: (h.exercise, h.text)), problems


def main() -> int:
    found, problems = hints()
    for hint in found:
        print(f"{hint.exercise:4} {hint.text:60} {hint.where}")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
