"""The tutorial site: it builds strictly, every link resolves, and in headless Chromium every page, in English and
in Chinese, shows typeset formulas and loaded images, switches language, hides the solutions, and fetches nothing
from outside the site; its search finds pages in both languages.

Screenshots of the home page and lesson 1 in both languages go to $BRUSHSTROKES_SCREENSHOTS (default: a pytest
temporary folder). `tools/site_screenshots.py` makes them into output/screenshots/ without running the tests.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from brushstrokes.paths import ROOT

DOCS = ROOT / "docs"


def _load_site_browser():
    spec = importlib.util.spec_from_file_location("site_browser", ROOT / "tools" / "site_browser.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["site_browser"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


sb = _load_site_browser()

LANGUAGES = ("en", "zh")
ENGLISH_PAGES = sorted(p for p in DOCS.glob("*.md") if not p.name.endswith(".zh.md"))
# Site paths of every page: '' and 'zh/' for the home page, 'lesson1/' and 'zh/lesson1/' for lesson 1, ...
PAGE_PATHS = [("" if lang == "en" else "zh/") + ("" if p.stem == "index" else p.stem + "/")
              for lang in LANGUAGES for p in ENGLISH_PAGES]
MATH_PAGES = {"lesson1", "lesson2", "lesson3", "math"}
SCREENSHOTS = {"": "home", "lesson1/": "lesson1"}


def language_of(path: str) -> str:
    return "zh" if path.startswith("zh/") else "en"


def english_path(path: str) -> str:
    return path.removeprefix("zh/")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    dest = tmp_path_factory.mktemp("site")
    sb.build_site(dest)
    return dest


@pytest.fixture(scope="module")
def served(site):
    with sb.serve(site) as base:
        yield base


@pytest.fixture(scope="module")
def tab(served):
    if sb.find_chromium() is None:
        pytest.skip("Chromium not found, so the site's browser checks did not run: install it with "
                    "`apt-get install chromium` (`make setup` does), or set BRUSHSTROKES_CHROMIUM to a Chrome binary")
    with sb.Chromium() as browser:
        page = browser.open(served)
        yield page
        page.close()


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("BRUSHSTROKES_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


def test_every_page_has_a_chinese_translation():
    assert len(ENGLISH_PAGES) >= 10, f"expected the site's pages in {DOCS}, found {ENGLISH_PAGES}"
    missing = [p.name for p in ENGLISH_PAGES if not p.with_suffix(".zh.md").exists()]
    assert not missing, (f"these pages have no Chinese version: {missing}. Add docs/NAME.zh.md for each "
                         "(mkdocs would silently show the English page on the Chinese site)")
    orphans = [p.name for p in DOCS.glob("*.zh.md") if not p.with_name(p.name.replace(".zh.md", ".md")).exists()]
    assert not orphans, f"Chinese pages without an English original: {orphans}; add the English page or remove them"


def test_every_internal_link_resolves(site):
    report = sb.check_links(site)
    assert report.pages >= 2 * len(ENGLISH_PAGES), f"only {report.pages} pages built in {site}"
    assert report.links > 100, f"only {report.links} internal links found: is the link crawler broken?"
    assert not report.broken, ("broken links in the built site (fix the Markdown link or the #anchor it names):\n"
                               + "\n".join(report.broken))
    assert not report.external_resources, ("the site must work offline, but these scripts, styles or images come "
                                           "from the internet; bundle them under docs/assets/vendor:\n"
                                           + "\n".join(report.external_resources))


def test_no_web_fonts_or_cdn_in_styles(site):
    offenders = []
    for path in list(site.rglob("*.css")) + list(site.rglob("*.html")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for needle in ("fonts.googleapis.com", "fonts.gstatic.com", "cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
            if needle in text:
                offenders.append(f"{path.relative_to(site)}: {needle}")
    assert not offenders, ("the built site refers to web fonts or CDNs; keep `theme.font: false` in mkdocs.yml "
                           "and bundle assets locally:\n" + "\n".join(offenders))


@pytest.mark.parametrize("path", PAGE_PATHS, ids=lambda p: p or "home")
def test_page_in_browser(tab, served, path, screenshot_dir):
    tab.goto(served + path)
    info = sb.inspect(tab)
    where = f"page /{path}"
    lang = language_of(path)

    assert info["lang"] == lang, f"{where} says lang={info['lang']!r}, expected {lang!r} (check the i18n plugin)"

    # formulas: every one typeset by KaTeX, none left as TeX source or shown as a KaTeX error
    if english_path(path).rstrip("/") in MATH_PAGES:
        assert info["math"] > 0, f"{where} should have formulas but has no .arithmatex element"
    assert info["typeset"] == info["math"], (f"{where}: only {info['typeset']} of {info['math']} formulas typeset; "
                                             "is assets/vendor/katex loaded (see the network check)?")
    assert info["katexErrors"] == 0, f"{where}: {info['katexErrors']} formulas KaTeX could not parse (shown in red)"
    assert not info["rawTex"], f"{where} shows TeX source as text: {info['rawTex'][:3]}"

    # images: all decoded
    broken = [img["src"] for img in info["images"] if not img["complete"] or img["width"] == 0]
    assert not broken, f"{where}: images that did not load: {broken}"

    # language switch: to the same page in the other language
    want = {"en": served + english_path(path), "zh": served + "zh/" + english_path(path)}
    assert info["languages"] == want, f"{where}: the language switch links to {info['languages']}, expected {want}"

    # solutions: present but folded
    assert all(not s["open"] and s["code"] for s in info["solutions"]), \
        f"{where}: a solution is shown unfolded or is empty: {info['solutions']}"
    if english_path(path) == "lesson1/":
        assert info["solutions"], f"{where} should have a folded 'Show the solution' block"

    # network: nothing failed, nothing left the local server
    problems = tab.network_problems(served)
    assert not problems, f"{where}: " + "; ".join(problems)

    if english_path(path) in SCREENSHOTS:
        shot = tab.screenshot(screenshot_dir / f"{lang}-{SCREENSHOTS[english_path(path)]}.png")
        assert shot.stat().st_size > 10_000, f"{where}: the screenshot {shot} is suspiciously small"


@pytest.mark.parametrize(("path", "query"), [("", "Gram"), ("zh/", "梯度")], ids=["en", "zh"])
def test_search_finds_pages(tab, served, path, query):
    tab.goto(served + path)
    hits = sb.search(tab, query)
    assert hits, f"searching /{path} for {query!r} found nothing: is the search plugin in mkdocs.yml?"
    if path == "zh/":
        assert any("/zh/" in hit for hit in hits), f"a Chinese search found no Chinese page: {hits}"
