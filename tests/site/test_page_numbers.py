"""The numbers of the figure runs on the pages, and the size of the figures' labels.

The pages write a number a figure run measured as a placeholder, `{{ lesson3.runs.defaults.seconds:.0f }}`, which
tools/site/hooks.py fills in from docs/assets/figures/lesson3/numbers.json at build time; a name no record has stops
the build. Code is taken the same way, by name: `--8<-- "solutions/lesson1_content.py:content_grad"` becomes that
function's source, and a name the file does not define stops the build. The figure scripts record each figure's
smallest label in docs/assets/figures/labels.json; on a phone (a 350 px column) none may be under 9 px.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from tools.site import hooks as site_hooks

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
FIGURES = DOCS / "assets" / "figures"
PHONE_COLUMN, SMALLEST = 350, 9.0

RECORDS = {"lesson9": {"runs": {"defaults": {"seconds": 83.46, "iterations": 100, "message": "STOP: done"}},
                       "loss_scales": {"128x85": {"content": 284398.01}}, "sizes": [85, 128],
                       "ratio_1e-4": {"share": 0.372}}}


@pytest.mark.parametrize(("text", "filled"), [
    ("took {{ lesson9.runs.defaults.seconds:.0f }} s", "took 83 s"),
    ("{{lesson9.runs.defaults.iterations}} iterations", "100 iterations"),
    ("`{{ lesson9.runs.defaults.message }}`", "`STOP: done`"),
    ("{{ lesson9.loss_scales.128x85.content:,.0f }}", "284,398"),
    ("{{ lesson9.loss_scales.128x85.content:.3g }}", "2.84e+05"),
    ("{{ lesson9.sizes.1 }} px", "128 px"),
    ("{{ lesson9.ratio_1e-4.share:.0% }} of it", "37% of it"),
    ("no placeholder at all", "no placeholder at all"),
])
def test_placeholders_are_filled_from_the_records(text, filled):
    assert site_hooks.fill(text, RECORDS) == filled


@pytest.mark.parametrize(("text", "says"), [
    ("{{ lesson8.runs.defaults.seconds }}", "no record"),
    ("{{ lesson9.runs.default.seconds }}", "has no 'default'"),
    ("{{ lesson9.runs.defaults.secs:.0f }}", "has no 'secs'"),
    ("{{ lesson9.sizes.2 }}", "has no '2'"),
    ("{{ lesson9.runs.defaults }}", "not a number or a string"),
    ("{{ lesson9.runs.defaults.message:.2f }}", "cannot be formatted"),
    ("{{ lesson9 }}", "not a placeholder"),
    ("{{ lesson9.runs.defaults.seconds:.0f }", "not a placeholder"),
])
def test_an_unknown_or_unshowable_number_stops_the_build(text, says):
    with pytest.raises(site_hooks.UnknownNumber, match=re.escape(says)):
        site_hooks.fill(f"page text\n{text}\n", RECORDS, "page.md: ")


def test_the_hook_turns_an_unknown_number_into_a_build_error(tmp_path):
    from mkdocs.exceptions import PluginError

    (tmp_path / "assets" / "figures" / "lesson9").mkdir(parents=True)
    (tmp_path / "assets" / "figures" / "lesson9" / "numbers.json").write_text(json.dumps(RECORDS["lesson9"]))
    config = {"docs_dir": str(tmp_path)}
    page = type("Page", (), {"file": type("File", (), {"src_uri": "lesson9.md"})()})()
    site_hooks.on_pre_build(config)
    try:
        assert site_hooks.on_page_markdown("{{ lesson9.runs.defaults.iterations }}", page, config, None) == "100"
        with pytest.raises(PluginError, match=r"lesson9\.md: .*has no 'nope'"):
            site_hooks.on_page_markdown("{{ lesson9.runs.nope }}", page, config, None)
    finally:
        site_hooks._records.clear()


def page_files() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


@pytest.mark.parametrize("page", page_files(), ids=lambda p: p.name)
def test_every_placeholder_of_the_pages_has_its_number(page):
    records = site_hooks.load_records(FIGURES)
    site_hooks.fill(page.read_text(encoding="utf-8"), records, f"{page.name}: ")


def test_both_languages_use_the_same_numbers():
    """A page and its translation show the same recorded numbers (each placeholder of one is in the other)."""
    for page in page_files():
        if page.name.endswith(".zh.md"):
            continue
        zh = page.with_name(page.stem + ".zh.md")
        keys = [set(m["key"] for m in site_hooks.PLACEHOLDER.finditer(p.read_text(encoding="utf-8")))
                for p in (page, zh)]
        assert keys[0] == keys[1], f"{page.name} and {zh.name} differ: {sorted(keys[0] ^ keys[1])}"


def labels() -> dict[str, float]:
    return json.loads((FIGURES / "labels.json").read_text(encoding="utf-8"))


def test_every_figure_with_text_has_its_smallest_label_recorded():
    """A figure with text comes in both languages (x.png, x.zh.png): both are in labels.json, and every entry
    names a figure that exists."""
    recorded = labels()
    for key in recorded:
        assert (FIGURES / key).is_file(), f"labels.json names {key}, which is not in docs/assets/figures"
    for zh in sorted(FIGURES.glob("*/*.zh.png")):
        for path in (zh, zh.with_name(zh.name.replace(".zh.png", ".png"))):
            key = path.relative_to(FIGURES).as_posix()
            assert key in recorded, f"{key} has text (it comes in two languages) but no entry in labels.json"


@pytest.mark.parametrize("column", [PHONE_COLUMN, 700])
def test_no_label_is_under_9_px_on_the_screen(column):
    """At a 390 px viewport the column is about 350 px wide and a wider figure is shrunk to it."""
    small = {}
    for key, px in labels().items():
        width = Image.open(FIGURES / key).width
        shown = px * min(1.0, column / width)
        if shown < SMALLEST:
            small[key] = f"{px} px in a {width} px picture: {shown:.1f} px"
    assert not small, small


# functions taken by name ---------------------------------------------------------------------------------------
def test_a_function_is_taken_by_name_with_the_directives_indent():
    text = '??? success "Solution"\n    ```python\n    --8<-- "solutions/lesson1_content.py:content_grad"\n    ```\n'
    shown = site_hooks.functions_named(text, ROOT).splitlines()
    assert shown[2] == "    def content_grad(F: np.ndarray, P: np.ndarray) -> np.ndarray:"
    assert shown[-2] == "        return ((F - P) * (F > 0)).astype(np.float32)" and shown[-1] == "    ```"


def test_a_whole_file_is_left_to_the_snippets_extension():
    text = '    --8<-- "solutions/lesson1_content.py"\n'
    assert site_hooks.functions_named(text, ROOT) == text


@pytest.mark.parametrize(("directive", "says"), [
    ('--8<-- "solutions/lesson1_content.py:content_gradient"', "has no function 'content_gradient'"),
    ('--8<-- "solutions/lesson9_nothing.py:gram"', "no file"),
    ('--8<-- "solutions/../solutions/lesson1_content.py:content_grad"', "without '..'"),
])
def test_an_unknown_function_stops_the_build(directive, says):
    from mkdocs.exceptions import PluginError

    page = type("Page", (), {"file": type("File", (), {"src_uri": "lesson9.md"})()})()
    config = {"docs_dir": str(DOCS), "config_file_path": str(ROOT / "mkdocs.yml")}
    site_hooks._records.update(site_hooks.load_records(FIGURES))
    try:
        with pytest.raises(PluginError, match=r"lesson9\.md: line 2: .*" + re.escape(says)):
            site_hooks.on_page_markdown(f"text\n    {directive}\n", page, config, None)
    finally:
        site_hooks._records.clear()
