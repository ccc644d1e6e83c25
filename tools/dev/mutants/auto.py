"""Automatic mutants of a solutions/ module: small AST changes, each spliced into the file's text.

Kinds: an arithmetic operator swapped (+ -, * /, ** *), a comparison changed (< <=, > >=, == !=, flipped),
a number changed (0 -> 1, n -> n + 1, x -> 2x, and in defaults too), `and`/`or` swapped, a unary minus or `not`
dropped, abs()/max()/min() dropped, `.copy()` or `.astype(...)` dropped, a statement deleted (replaced by
`pass`). Only code inside top-level functions is mutated (docstrings excluded).

A mutant's id names its function, the change and, when the same change occurs more than once in that
function, its occurrence: "normalized_step: 1e-12 -> 2e-12", "reconstruct: `<` -> `<=` #2". Ids stay the same
as long as the function's code does (tools/dev/mutants/equivalent_lessonN.txt refers to them).
"""

from __future__ import annotations

import ast
import copy
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

OPERATORS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.Pow: ast.Mult,
             ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv}
COMPARISONS = {ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt,), ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt,),
               ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,)}
SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//", ast.Mod: "%",
          ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=", ast.Is: "is",
          ast.IsNot: "is not", ast.And: "and", ast.Or: "or"}
DROPPED_CALLS = ("abs", "max", "min")
DROPPED_METHODS = ("copy", "astype")


@dataclass(frozen=True)
class Mutant:
    """One mutated version of a lesson module's source."""

    id: str
    function: str
    description: str
    source: str
    origin: str = "auto"  # "auto" or "catalogue"
    expect: str | None = None  # catalogue only: the table note the checks should give


def splice(text: str, node: ast.AST, replacement: str) -> str:
    """text with `node`'s source segment replaced."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    begin = starts[node.lineno - 1] + len(lines[node.lineno - 1].encode()[: node.col_offset].decode())
    end = starts[node.end_lineno - 1] + len(lines[node.end_lineno - 1].encode()[: node.end_col_offset].decode())
    return text[:begin] + replacement + text[end:]


def number_changes(value: object) -> list[object]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return []
    if value == 0:
        return [1] if isinstance(value, int) else [1.0]
    if isinstance(value, int):
        return [value + 1, 0] if value != 1 else [2, 0]
    return [value * 2, 0.0]


def changes(node: ast.AST, text: str) -> Iterator[tuple[ast.AST, str, str]]:
    """(node to replace, replacement source, description) for each mutation of `node` itself."""
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        new = copy.copy(node)
        new.op = OPERATORS[type(node.op)]()
        yield node, ast.unparse(new), f"`{SYMBOL[type(node.op)]}` -> `{SYMBOL[type(new.op)]}`"
    elif isinstance(node, ast.AugAssign) and type(node.op) in OPERATORS:
        new = copy.copy(node)
        new.op = OPERATORS[type(node.op)]()
        yield node, ast.unparse(new), f"`{SYMBOL[type(node.op)]}=` -> `{SYMBOL[type(new.op)]}=`"
    elif isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARISONS:
        for other in COMPARISONS[type(node.ops[0])]:
            new = copy.copy(node)
            new.ops = [other()]
            yield node, ast.unparse(new), f"`{SYMBOL[type(node.ops[0])]}` -> `{SYMBOL[other]}`"
    elif isinstance(node, ast.BoolOp):
        new = copy.copy(node)
        new.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield node, ast.unparse(new), f"`{SYMBOL[type(node.op)]}` -> `{SYMBOL[type(new.op)]}`"
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        yield node, ast.unparse(node.operand), "dropped `-`" if isinstance(node.op, ast.USub) else "dropped `not`"
    elif isinstance(node, ast.Constant):
        for value in number_changes(node.value):
            yield node, repr(value), f"{node.value!r} -> {value!r}"
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in DROPPED_CALLS and node.args and not node.keywords:
            yield node, ast.unparse(node.args[0]), f"dropped {func.id}()"
        if isinstance(func, ast.Attribute) and func.attr in DROPPED_METHODS:
            yield node, ast.unparse(func.value), f"dropped .{func.attr}()"


def is_docstring(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def mutants(text: str) -> list[Mutant]:
    """Every automatic mutant of module source `text`, in source order."""
    tree = ast.parse(text)
    found: list[Mutant] = []
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        seen: Counter[str] = Counter()
        candidates: list[tuple[ast.AST, str, str]] = []
        for default in [*fn.args.defaults, *(d for d in fn.args.kw_defaults if d is not None)]:
            for node, new, description in changes(default, text):
                candidates.append((node, new, f"default {description}"))
        body = [stmt for stmt in fn.body if not is_docstring(stmt)]
        for stmt in body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    continue
                candidates.extend(changes(node, text))
                if isinstance(node, ast.stmt) and not isinstance(node, ast.Return):
                    candidates.append((node, "pass", f"deleted `{ast.unparse(node).splitlines()[0][:60]}`"))
        for node, new, description in sorted(candidates, key=lambda c: (c[0].lineno, c[0].col_offset)):
            seen[description] += 1
            suffix = f" #{seen[description]}" if seen[description] > 1 else ""
            found.append(Mutant(f"{fn.name}: {description}{suffix}", fn.name, description,
                                splice(text, node, new)))
    return found
