"""Every import of the project's own code, in every file, names a module that exists (read with ast, nothing run):
a moved or renamed module breaks the scripts that are not run by the tests, e.g. the GPU bench, here and not there."""

from __future__ import annotations

import ast
import importlib.util

import pytest

from brushstrokes.base import paths

OWN = ("brushstrokes", "tools", "solutions", "lessons", "checks")
FOLDERS = ("brushstrokes", "tools", "tests", "checks", "lessons", "solutions")


def own_imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of every absolute import of the project's own packages."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return [(line, name) for line, name in found if name.split(".")[0] in OWN]


def missing(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is None
    except ModuleNotFoundError:
        return True


def test_the_check_sees_a_moved_module():
    assert missing("tools.bench") and not missing("tools.dev.bench")
    assert own_imports(ast.parse("from tools.bench import CONVS\nimport numpy\nimport brushstrokes.cli")) == [
        (1, "tools.bench"), (3, "brushstrokes.cli")]


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_import_of_the_projects_own_code_exists(folder):
    broken = [f"{path.relative_to(paths.ROOT)}:{line}: {name}"
              for path in sorted((paths.ROOT / folder).rglob("*.py"))
              for line, name in own_imports(ast.parse(path.read_text(encoding="utf-8")))
              if missing(name)]
    assert not broken, "these imports name modules that do not exist (moved or renamed?):\n" + "\n".join(broken)
