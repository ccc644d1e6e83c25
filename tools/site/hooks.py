"""mkdocs hooks of the tutorial site (mkdocs.yml `hooks:`).

on_config quiets jieba, which would announce on every build that it loaded its dictionary.
on_page_markdown puts the numbers of the figure runs into the pages: `{{ lesson3.runs.defaults.seconds:.0f }}` is
the value at runs -> defaults -> seconds of docs/assets/figures/lesson3/numbers.json, formatted with Python's format
spec after the colon (none: str(value)). A name that is not in the record, a value that is not a number or a
string, or a `{{` that is not a placeholder stops the build, so a page never shows a number no run wrote.
Then it puts functions into the pages by name: a line `--8<-- "solutions/lesson1_content.py:content_grad"` becomes
that top-level function's source (decorators, signature, docstring and body, each line indented like the directive),
found with `ast`; a file or function that does not exist stops the build. The snippets extension, which runs after
this hook, still includes whole files (`--8<-- "solutions/lesson1_content.py"`).
on_post_build splits the search index, which holds both languages, into one index per language:
site/search/search_index.en.json and search_index.zh.json. overrides/main.html makes each page load its own
language's, so a search on the Chinese site lists Chinese pages and one on the English site English pages.
"""

from __future__ import annotations

import ast
import contextlib
import json
import logging
import re
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

LANGUAGES = ("en", "zh")
FIGURES = Path("assets") / "figures"  # under docs_dir: one folder per figure script, each with its numbers.json
RECORD = "numbers.json"
FUNCTION = re.compile(r'^(?P<indent>[ \t]*)--8<-- "(?P<path>[\w./-]+\.py):(?P<name>[A-Za-z_]\w*)"[ \t]*$', re.M)
PLACEHOLDER = re.compile(r"\{\{\s*(?P<key>[A-Za-z0-9_]+(?:\.[A-Za-z0-9_+\-]+)+)\s*(?::(?P<spec>[^{}]*?))?\s*\}\}")


def language_of(location: str) -> str:
    """'zh/math/#style' -> 'zh'; every other location belongs to the English (default) site."""
    return "zh" if location.startswith("zh/") else "en"


@event_priority(100)  # before the search plugin loads jieba's dictionaries in its own on_config
def on_config(config, **kwargs):
    with contextlib.suppress(ImportError):  # without jieba the search plugin does not segment Chinese either
        import jieba

        jieba.setLogLevel(logging.WARNING)
    return config


@event_priority(-200)  # after the i18n plugin (-100) has written the index of both languages
def on_post_build(config, **kwargs) -> None:
    folder = Path(config["site_dir"]) / "search"
    index = json.loads((folder / "search_index.json").read_text(encoding="utf-8"))
    for lang in LANGUAGES:
        part = dict(index, docs=[doc for doc in index["docs"] if language_of(doc["location"]) == lang])
        (folder / f"search_index.{lang}.json").write_text(json.dumps(part, ensure_ascii=False, separators=(",", ":")),
                                                        encoding="utf-8")


class UnknownNumber(KeyError):
    """A placeholder whose record or key does not exist, or whose value cannot be shown."""


def load_records(figures: Path) -> dict[str, dict]:
    """{folder name: its numbers.json} for every folder of `figures` that has one."""
    return {path.parent.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(Path(figures).glob(f"*/{RECORD}"))}


def lookup(records: dict[str, dict], key: str):
    """The value at 'lesson3.runs.defaults.seconds': record lesson3, then each key in turn (list indices too)."""
    name, *path = key.split(".")
    if name not in records:
        raise UnknownNumber(f"no record {FIGURES / name / RECORD}")
    value = records[name]
    for i, part in enumerate(path):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            where = ".".join([name, *path[:i]])
            known = ", ".join(sorted(value)) if isinstance(value, dict) else type(value).__name__
            raise UnknownNumber(f"{where} has no {part!r} (it has: {known})")
    if isinstance(value, (dict, list)) or value is None:
        raise UnknownNumber(f"{key} is a {type(value).__name__}, not a number or a string")
    return value


def fill(markdown: str, records: dict[str, dict], where: str = "") -> str:
    """`markdown` with every {{ name.key:spec }} replaced by its formatted value; UnknownNumber for a missing or
    unshowable one, or for a '{{' left that is not a placeholder."""
    def replace(match: re.Match) -> str:
        value = lookup(records, match["key"])
        spec = (match["spec"] or "").strip()
        try:
            return format(value, spec) if spec else str(value)
        except (TypeError, ValueError) as exc:
            raise UnknownNumber(f"{match['key']} = {value!r} cannot be formatted with {spec!r}: {exc}") from exc

    try:
        filled = PLACEHOLDER.sub(replace, markdown)
    except UnknownNumber as exc:
        raise UnknownNumber(f"{where}{exc.args[0]}") from None
    if "{{" in filled:
        line = filled[:filled.index("{{")].count("\n") + 1
        raise UnknownNumber(f"{where}line {line}: '{{{{' that is not a placeholder {{{{ record.key:spec }}}}")
    return filled


class UnknownFunction(KeyError):
    """A `--8<-- "file.py:name"` whose file does not exist or has no top-level function or class `name`."""


def function_source(path: Path, name: str) -> str:
    """The source of the top-level function (or class) `name` of the Python file `path`, decorators included."""
    if not path.is_file():
        raise UnknownFunction(f"no file {path}")
    if ".." in path.parts:
        raise UnknownFunction(f"{path}: a path under the project folder, without '..'")
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name == name:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            return "".join(text.splitlines(keepends=True)[first - 1:node.end_lineno])
    defined = [n.name for n in ast.parse(text).body
               if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)]
    raise UnknownFunction(f"{path.name} has no function {name!r} (it has: {', '.join(defined)})")


def functions_named(markdown: str, root: Path, where: str = "") -> str:
    """`markdown` with every `--8<-- "path.py:name"` line replaced by that function's source (path relative to
    `root`); UnknownFunction for a file or function that does not exist."""
    def replace(match: re.Match) -> str:
        try:
            source = function_source(root / match["path"], match["name"])
        except UnknownFunction as exc:
            line = markdown[:match.start()].count("\n") + 1
            raise UnknownFunction(f"{where}line {line}: {exc.args[0]}") from None
        return "\n".join(match["indent"] + line for line in source.rstrip("\n").split("\n"))

    return FUNCTION.sub(replace, markdown)


_records: dict[str, dict] = {}


def on_pre_build(config, **kwargs) -> None:
    """Read the records afresh for every build (`make serve` rebuilds after a figure run)."""
    _records.clear()
    _records.update(load_records(Path(config["docs_dir"]) / FIGURES))


def project_folder(config) -> Path:
    """The folder of mkdocs.yml, which the snippets' paths are relative to (`base_path`)."""
    path = config.get("config_file_path")
    return Path(path).parent if path else Path(config["docs_dir"]).parent


def on_page_markdown(markdown: str, page, config, files, **kwargs) -> str:
    if not _records:
        on_pre_build(config)
    try:
        markdown = fill(markdown, _records, f"{page.file.src_uri}: ")
    except UnknownNumber as exc:
        raise PluginError(f"a number of the figure runs: {exc.args[0]}") from None
    try:
        return functions_named(markdown, project_folder(config), f"{page.file.src_uri}: ")
    except UnknownFunction as exc:
        raise PluginError(f"a function shown by name: {exc.args[0]}") from None
