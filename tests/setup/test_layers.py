"""brushstrokes/ is built in layers that import one way: nothing imports a layer above its own, and no modules
import each other in a circle (imports inside functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "brushstrokes"

# bottom to top; a module may import its own layer and the ones before it
LAYERS = ("base", "course", "net", "learner", "runs", "lesson_support", "commands", "cli")
TOP = {"__init__": "base", "__main__": "cli", "cli": "cli", "lesson_support": "lesson_support"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    """'brushstrokes.net.vgg' -> 'net'; 'brushstrokes.cli' -> 'cli'."""
    parts = module.split(".")
    if len(parts) == 1:
        return "base"
    return parts[1] if parts[1] in LAYERS else TOP[parts[1]]


def imports(path: Path) -> set[str]:
    """The brushstrokes modules a file imports, at the top or inside functions ('from a import b' counts b when
    b is a module)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "brushstrokes"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "brushstrokes":
                continue
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


FILES = sorted(PACKAGE.rglob("*.py"))
MODULES = {module_name(f) for f in FILES}
GRAPH = {module_name(f): imports(f) - {module_name(f)} for f in FILES}


def test_every_module_has_a_layer():
    unknown = sorted(m for m in MODULES if len(m.split(".")) > 1 and m.split(".")[1] not in LAYERS
                     and m.split(".")[1] not in TOP)
    assert not unknown, f"modules outside the layers {LAYERS}: {unknown}; put each in one of them"


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_import_from_a_layer_above(module):
    mine = LAYERS.index(layer(module))
    upward = sorted(m for m in GRAPH[module] if LAYERS.index(layer(m)) > mine)
    assert not upward, f"{module} ({layer(module)}) imports from a layer above it: {upward}"


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    # a package imports its own __init__ when a submodule is imported; that edge is not a cycle of ours
    graph = {m: {w for w in ws if not m.startswith(w + ".")} for m, ws in GRAPH.items()}
    assert not cycles(graph), f"modules that import each other in a circle: {cycles(graph)}"


def test_the_checker_sees_a_cycle_and_an_upward_import():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert LAYERS.index(layer("brushstrokes.commands.paint")) > LAYERS.index(layer("brushstrokes.net.vgg"))
