"""The tutorial site as a reader meets it.

Without a browser: it builds strictly (mkdocs' own `validation:` checks the Markdown's links and anchors), every
page has its Chinese twin, every link of the built HTML resolves, nothing comes from a CDN, and the search index
splits Chinese into words. In headless Chromium (Selenium and Debian's chromium-driver), each page in each language
is checked for one thing per test, so one failure hides none of the others: language, formulas, images, captions,
language switch, folded solutions, local-only requests, copy buttons clear of the text, no slanted Chinese, and the
search finding every page that uses a word. At 1280 px and at 390 px (a phone), what a reader sees: the page does not
scroll sideways and code blocks wrap; no content is cut off by a box that hides its overflow or by the screen's edge;
a formula or table wider than the screen scrolls in its own box, which shows a shadow on the side where content is
hidden; at 1280 px everything fits the column; and no figure's label is under 9 px on the screen.

Screenshots of home, lesson 1 and the gallery in both languages go to $BRUSHSTROKES_SCREENSHOTS (default: a pytest
temporary folder). `tools/site/screenshots.py` makes them into output/screenshots/ without running the tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from brushstrokes.base.paths import ROOT

DOCS = ROOT / "docs"


def _load_site_browser():
    spec = importlib.util.spec_from_file_location("site_browser", ROOT / "tools" / "site" / "browser.py")
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
SCREENSHOTS = {"": "home", "lesson1/": "lesson1", "gallery/": "gallery"}
# Words a reader searches for, and the language of the pages that must come back.
SEARCH_TERMS = [("梯度", "zh"), ("白噪声", "zh"), ("反向传播", "zh"), ("格拉姆", "zh"), ("Gram", "zh"),
                ("Gram", "en"), ("gradient", "en")]
HAN = re.compile(r"[\u4e00-\u9fff]")
VIEWPORTS = (sb.DESKTOP, sb.PHONE)
# The figures' labels: each figure script records the height in image px of the smallest text it drew on each figure,
# as {"lesson3/ratio_sweep.png": 21.7, "lesson3/ratio_sweep.zh.png": 21.7, ...} (keys relative to FIGURES).
FIGURES = DOCS / "assets" / "figures"
LABELS = FIGURES / "labels.json"
SMALLEST_LABEL = 9.0    # px on the screen
# A shot is not blank: the spread (standard deviation) of its grey levels, 0-255, and its distinct colours; a page
# all of one colour has 0 and 1. The heading's box must show its text: dark on light spreads far more than this.
MIN_PAGE_SPREAD, MIN_PAGE_COLOURS, MIN_HEADING_SPREAD = 10.0, 50, 20.0


def language_of(path: str) -> str:
    return "zh" if path.startswith("zh/") else "en"


def english_path(path: str) -> str:
    return path.removeprefix("zh/")


def page_id(path: str) -> str:
    return path.rstrip("/") or "home"


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
def browser():
    problem = sb.missing_browser()
    if problem:
        pytest.skip(f"the site's browser checks did not run: {problem}")
    with sb.Browser() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def visit(browser, served):
    """visit(path, viewport) -> what the reader sees there, looked at once per page and viewport."""
    seen: dict[tuple[str, tuple[int, int]], dict] = {}

    def look(path: str, viewport: tuple[int, int] = sb.DESKTOP) -> dict:
        if (path, viewport) not in seen:
            browser.resize(viewport)
            browser.goto(served + path)
            seen[path, viewport] = {"info": sb.inspect(browser), "network": browser.network_problems(served),
                                    "cut": sb.cut_content(browser), "copy": sb.covered_by_copy_button(browser)}
        return seen[path, viewport]

    return look


@pytest.fixture(scope="module")
def screenshot_dir(tmp_path_factory) -> Path:
    folder = os.environ.get("BRUSHSTROKES_SCREENSHOTS")
    return Path(folder) if folder else tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def search_index(site) -> dict:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))


def pages_using(index: dict, term: str, lang: str) -> set[str]:
    """Site paths ('/zh/math/') of the pages of one language whose indexed title or text contains term."""
    found = set()
    for doc in index["docs"]:
        page = "/" + doc["location"].split("#")[0]
        text = (doc["title"] + " " + doc["text"]).replace("\u200b", "")
        if language_of(page[1:]) == lang and term.lower() in text.lower():
            found.add(page)
    return found


# ---------------------------------------------------------------- without a browser

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


@pytest.mark.parametrize(("term", "lang"), SEARCH_TERMS, ids=lambda v: str(v))
def test_search_index_has_the_word(search_index, term, lang):
    """Each page that uses the word holds it as a word of its own (jieba's segmentation), so the search can find it."""
    separator = re.compile(search_index["config"]["separator"])
    using = pages_using(search_index, term, lang)
    assert using, f"no {lang} page uses {term!r}: the test has nothing to check (did the pages change?)"
    as_word = set()
    for doc in search_index["docs"]:
        page = "/" + doc["location"].split("#")[0]
        if page in using and any(t.lower().startswith(term.lower())
                                 for t in separator.split(doc["title"] + " " + doc["text"])):
            as_word.add(page)
    assert as_word == using, (f"{term!r} is glued to its neighbours on {sorted(using - as_word)}: is jieba installed "
                              "(requirements.txt) and does plugins.search.separator in mkdocs.yml include \\u200b?")


# ---------------------------------------------------------------- in the browser, one check per test

pages = pytest.mark.parametrize("path", PAGE_PATHS, ids=page_id)


@pages
def test_page_language(visit, path):
    info = visit(path)["info"]
    assert info["lang"] == language_of(path), (f"/{path} says lang={info['lang']!r}, expected "
                                               f"{language_of(path)!r} (check the i18n plugin in mkdocs.yml)")


@pages
def test_formulas_typeset(visit, path):
    info = visit(path)["info"]
    if english_path(path).rstrip("/") in MATH_PAGES:
        assert info["math"] > 0, f"/{path} should have formulas but has no .arithmatex element"
    assert info["typeset"] == info["math"], (f"/{path}: only {info['typeset']} of {info['math']} formulas typeset; "
                                             "is assets/vendor/katex loaded (see the network check)?")
    assert info["katexErrors"] == 0, f"/{path}: {info['katexErrors']} formulas KaTeX could not parse (shown in red)"
    assert not info["rawTex"], f"/{path} shows TeX source as text: {info['rawTex'][:3]}"


@pages
def test_images_load(visit, path):
    broken = [img["src"] for img in visit(path)["info"]["images"] if not img["complete"] or img["width"] == 0]
    assert not broken, f"/{path}: images that did not load: {broken}"


@pages
def test_figures_have_captions(visit, path):
    bare = [img["src"].rsplit("/", 1)[-1] for img in visit(path)["info"]["images"] if not img["caption"]]
    assert not bare, (f"/{path}: pictures without a visible caption: {bare}. Put each in "
                      '<figure markdown="span"> ... <figcaption>what, made with which settings</figcaption></figure>')


@pages
def test_language_switch(visit, served, path):
    want = {"en": served + english_path(path), "zh": served + "zh/" + english_path(path)}
    got = visit(path)["info"]["languages"]
    assert got == want, f"/{path}: the language switch links to {got}, expected {want}"


@pages
def test_solutions_folded(visit, path):
    solutions = visit(path)["info"]["solutions"]
    assert all(not s["open"] and s["code"] for s in solutions), \
        f"/{path}: a solution is shown unfolded or is empty: {solutions}"
    if english_path(path) == "lesson1/":
        assert solutions, f"/{path} should have a folded 'Show the solution' block"


@pages
def test_requests_stay_local(visit, path):
    problems = visit(path)["network"]
    assert not problems, f"/{path}: " + "; ".join(problems)


def test_network_check_sees_what_leaves_the_site(browser, served):
    """The request check above is not vacuous: a request off the site and a missing file are both reported."""
    browser.resize(sb.DESKTOP)
    browser.goto(served)
    browser.run_async("const done = arguments[arguments.length - 1];"
                      "fetch('missing-on-purpose.png').finally(() => done(true));"
                      "fetch('http://192.0.2.1/off-site.png', {mode: 'no-cors'}).catch(() => 0);")
    problems = browser.network_problems(served)
    assert any("external request: http://192.0.2.1/off-site.png" in p for p in problems), problems
    assert any(p.startswith("HTTP 404") and "missing-on-purpose.png" in p for p in problems), problems


viewports = pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v[0]}px")


@viewports
@pages
def test_no_sideways_scrolling(visit, path, viewport):
    seen = visit(path, viewport)["cut"]
    assert seen["page"] <= seen["viewport"], (f"/{path} at {viewport[0]} px is {seen['page']} px wide: something "
                                              "does not fit the column (see the screenshots)")
    assert not seen["code"], (f"/{path} at {viewport[0]} px: these code blocks scroll sideways instead of wrapping "
                              "(extra.css wraps them; shorten the lines):\n" + "\n".join(seen["code"]))


@viewports
@pages
def test_nothing_is_cut_off(visit, path, viewport):
    """Every element and every run of text lies inside the box that shows it, or in one that scrolls to it."""
    cut = visit(path, viewport)["cut"]["cut"]
    assert not cut, (f"/{path} at {viewport[0]} px: the reader cannot see all of these (a box with overflow hidden or "
                     "clip cuts them, or they run past the screen's edge):\n" + "\n".join(cut[:20])
                     + (f"\n... and {len(cut) - 20} more" if len(cut) > 20 else ""))


@viewports
@pages
def test_wide_boxes_show_that_they_scroll(visit, path, viewport):
    """A formula or table wider than its box scrolls there, and the box shows it on each side that hides content."""
    unmarked = [f"{box['what']}: {box['scrollWidth']} px of content in {box['clientWidth']} px; no visible sign on "
                f"its {' or '.join(sb.unmarked(box))} (change of the edge's pixels: {box['affordance']}, at least "
                f"{sb.VISIBLE_EDGE} wanted)"
                for box in visit(path, viewport)["cut"]["boxes"] if sb.unmarked(box)]
    assert not unmarked, (f"/{path} at {viewport[0]} px: these boxes hide part of their content with nothing to say "
                          "it scrolls (assets/javascripts/scroll-shadows.js and extra.css draw a shadow on the side "
                          "where content is hidden):\n" + "\n".join(unmarked))


@pages
def test_everything_fits_the_column_at_1280px(visit, path):
    boxes = visit(path, sb.DESKTOP)["cut"]["boxes"]
    wide = [f"{box['what']}: {box['scrollWidth']} px of content in {box['clientWidth']} px" for box in boxes]
    assert not wide, (f"/{path} at {sb.DESKTOP[0]} px: these scroll sideways; at this width everything should fit "
                      "its column (break the formula into aligned lines, narrow the table):\n" + "\n".join(wide))


def test_cut_check_sees_what_a_reader_cannot(browser, served):
    """The checks above are not vacuous: text cut by a box with overflow hidden, text past the screen's edge, and a
    box that scrolls without its shadow are all reported."""
    browser.resize(sb.PHONE)
    browser.goto(served + "lesson3/")
    browser.run("""
      const article = document.querySelector('article');
      const cut = document.createElement('div');
      cut.style.cssText = 'width: 100px; overflow: hidden; white-space: nowrap';
      cut.textContent = 'Cut-off-on-purpose: a line far longer than the hundred pixels of its box';
      const wide = document.createElement('p');
      wide.style.cssText = 'width: 900px';
      wide.textContent = 'Past-the-edge-on-purpose';
      article.prepend(cut, wide);
      const style = document.createElement('style');   // the shadows off: the boxes scroll with no sign of it
      style.textContent = '.md-typeset .scrolls-left, .md-typeset .scrolls-right { background: none !important }';
      document.head.append(style);
    """)
    seen = sb.cut_content(browser)
    assert any("Cut-off-on-purpose" in c and "overflow-x: hidden" in c for c in seen["cut"]), seen["cut"]
    assert any("Past-the-edge-on-purpose" in c and "screen" in c for c in seen["cut"]), seen["cut"]
    assert seen["boxes"], "lesson 3 at 390 px should have a table wider than the screen: the check has nothing to see"
    assert all(sb.unmarked(box) for box in seen["boxes"]), seen["boxes"]


def figure_file(src: str, lang: str) -> str | None:
    """The figure a page in `lang` shows at `src`, relative to FIGURES ('lesson3/ratio_sweep.zh.png' on a Chinese
    page where the Chinese version exists, as mkdocs-static-i18n serves it); None for a picture outside FIGURES."""
    path = unquote(urlsplit(src).path).lstrip("/").removeprefix("zh/")
    if not path.startswith("assets/figures/"):
        return None
    name = Path(path.removeprefix("assets/figures/"))
    localised = name.with_name(f"{name.stem}.{lang}{name.suffix}")
    return (localised if lang != "en" and (FIGURES / localised).exists() else name).as_posix()


def has_text(figure: str) -> bool:
    """Whether a figure carries text: by this site's rule, a figure with text comes in each language (x.zh.png)."""
    name = Path(figure)
    return name.stem.endswith(".zh") or (FIGURES / name.with_name(f"{name.stem}.zh{name.suffix}")).exists()


def test_figure_labels_are_readable(visit):
    """At 1280 and 390 px, every figure's smallest label is at least 9 px on the screen: its height in the picture
    (recorded by the figure script in labels.json) times the width the picture is shown at over its own width."""
    assert LABELS.exists(), (f"{LABELS.relative_to(ROOT)} is missing: each figure script (tools/site/figures/*.py) "
                             "must record there the height in "
                             "image px of the smallest text it drew on each figure it wrote, as "
                             '{"lesson3/ratio_sweep.png": 21.7, "lesson3/ratio_sweep.zh.png": 21.7, ...}')
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    missing, small = set(), []
    for viewport in VIEWPORTS:
        for path in PAGE_PATHS:
            for img in visit(path, viewport)["info"]["images"]:
                figure = figure_file(img["src"], language_of(path))
                if figure is None or not img["width"] or not img["shown"]:
                    continue   # not a figure of the site, not loaded (test_images_load), or not on the screen
                if figure not in labels:
                    if has_text(figure):
                        missing.add(figure)
                    continue
                on_screen = labels[figure] * img["shown"] / img["width"]
                if on_screen < SMALLEST_LABEL:
                    small.append(f"/{path} at {viewport[0]} px: {figure}, {img['width']} px wide, is shown "
                                 f"{img['shown']:.0f} px wide, so its smallest label ({labels[figure]} px in the "
                                 f"picture) is {on_screen:.1f} px on the screen")
    problems = small
    if missing:
        problems = [f"{LABELS.relative_to(ROOT)} has no entry for these figures with text (the script that draws each "
                    "must record the height in image px of its smallest label): " + ", ".join(sorted(missing)),
                    *small]
    assert not problems, (f"figure labels must be at least {SMALLEST_LABEL:g} px on the screen (fewer panels a row, "
                          "or larger fonts, in the figure scripts):\n" + "\n".join(problems))


@pages
def test_copy_buttons_cover_no_text(visit, path):
    covered = visit(path)["copy"]
    assert not covered, f"/{path}: the copy button sits on the text of the code blocks starting {covered}"


@pages
def test_chinese_is_never_slanted(visit, path):
    slanted = visit(path)["info"]["italicChinese"]
    assert not slanted, (f"/{path}: Chinese in italics (a browser fakes the slant): {slanted}; use **bold** for "
                         "emphasis in Chinese")


@pages
def test_theme_toggle_in_the_page_language(visit, path):
    toggles = visit(path)["info"]["toggles"]
    assert toggles, f"/{path}: no light/dark toggle found in the header"
    in_chinese = [bool(HAN.search(t)) for t in toggles]
    want = language_of(path) == "zh"
    assert all(c == want for c in in_chinese), (f"/{path}: the light/dark toggle reads {toggles}; set its names per "
                                                "language (plugins.i18n.languages[].theme.palette in mkdocs.yml)")


@pytest.mark.parametrize(("term", "lang"), SEARCH_TERMS, ids=lambda v: str(v))
def test_search_finds_every_page_using_the_word(browser, served, search_index, term, lang):
    browser.resize(sb.DESKTOP)
    browser.goto(served + ("zh/" if lang == "zh" else ""))
    found = sb.search(browser, term)
    want = pages_using(search_index, term, lang)
    mine = {page for page in found if language_of(page[1:]) == lang}
    assert mine == want, (f"searching for {term!r} on the {lang} site found {sorted(mine)}, but {sorted(want)} use "
                          "it; check the jieba segmentation (plugins.search in mkdocs.yml)")
    others = [page for page in found if language_of(page[1:]) != lang]
    assert not others, f"searching for {term!r} on the {lang} site also lists pages of the other language: {others}"


@viewports
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("page", list(SCREENSHOTS))
def test_screenshot(browser, served, screenshot_dir, page, lang, viewport):
    """The page as shot: not blank, its main heading (the page's title) drawn on the first screen with nothing over
    it, and no sideways scrolling."""
    path = ("zh/" if lang == "zh" else "") + page
    browser.resize(viewport)
    browser.goto(served + path)
    seen = sb.first_screen(browser)
    phone = "" if viewport == sb.DESKTOP else "-phone"
    shot = browser.screenshot(screenshot_dir / f"{lang}-{SCREENSHOTS[page]}{phone}.png")
    where = f"/{path} at {viewport[0]} px ({shot})"
    whole = sb.ink(shot)
    assert whole["size"][0] == viewport[0] and whole["size"][1] >= viewport[1], f"{where}: shot at {whole['size']}"
    assert whole["spread"] >= MIN_PAGE_SPREAD and whole["colours"] >= MIN_PAGE_COLOURS, (
        f"{where}: the page looks blank ({whole['colours']} colours, grey levels spread {whole['spread']})")
    assert seen["heading"], f"{where}: the page has no main heading (h1)"
    assert seen["heading"] in seen["title"], f"{where}: heading {seen['heading']!r}, title {seen['title']!r}"
    assert seen["onScreen"], f"{where}: the heading {seen['heading']!r} is not on the first screen: {seen['box']}"
    assert seen["uncovered"], f"{where}: something lies over the heading {seen['heading']!r} at {seen['box']}"
    heading = sb.ink(shot, seen["box"])
    assert heading["spread"] >= MIN_HEADING_SPREAD, (
        f"{where}: the heading {seen['heading']!r} is not drawn where it stands, {seen['box']} (grey levels spread "
        f"{heading['spread']}; its colour {seen['colour']}, visibility {seen['visibility']})")
    assert seen["scrollWidth"] <= seen["clientWidth"], (
        f"{where}: the page is {seen['scrollWidth']} px wide on a {seen['clientWidth']} px screen")
