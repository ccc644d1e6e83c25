"""Build the tutorial site, serve it locally, and look at it in headless Chromium through Selenium.

Used by tests/site/test_site.py and tools/site/screenshots.py. The browser is Debian's `chromium`, driven by Debian's
`chromium-driver` (the same version; both installed by `make setup`). The driver's path is given to Selenium, so
Selenium Manager never runs and nothing is downloaded.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
import io
import json
import os
import posixpath
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from brushstrokes.base.paths import ROOT

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRIVER_NAMES = ("chromedriver",)
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                  "--lang=en-US")
DESKTOP = (1280, 900)   # CSS px: both sidebars of the theme are shown from 1220 px
PHONE = (390, 844)      # CSS px: a current phone held upright


class SiteError(RuntimeError):
    """The site could not be built, served or looked at; the message says what to do."""


# ---------------------------------------------------------------- build and serve

def build_site(dest: Path) -> float:
    """`mkdocs build --strict` into dest; returns the seconds it took."""
    start = time.perf_counter()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    # No --quiet: it hides warnings from mkdocs' own count, and --strict then passes a site with broken links.
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(dest)],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        output = (proc.stderr + proc.stdout).splitlines()
        problems = [line for line in output if line.strip() and not line.startswith("INFO")]
        raise SiteError("mkdocs build --strict failed; fix what it reports below, then run `make docs` again:\n"
                        + "\n".join(problems[-60:]))
    return time.perf_counter() - start


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def handle(self):
        with contextlib.suppress(ConnectionError):  # the browser may drop a request it no longer needs
            super().handle()


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 at a free port, in a thread; yields the base URL (ending in /)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------- links of the built HTML
# mkdocs' `validation:` (mkdocs.yml) checks the links and #anchors written in the Markdown; this checks what the
# theme and the language plugin add around them (navigation, language switch, 404 page) and the offline rule.

class _LinkParser(HTMLParser):
    """Collects (tag, attribute, value) of every link and every id/name defined in a page."""

    LINK_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "source": "src", "iframe": "src"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name"):
            if attrs.get(key):
                self.ids.add(attrs[key])
        want = self.LINK_ATTRS.get(tag)
        if want and attrs.get(want):
            self.links.append((tag, attrs[want]))


@dataclass
class LinkReport:
    pages: int = 0
    links: int = 0
    broken: list[str] = field(default_factory=list)
    external_resources: list[str] = field(default_factory=list)


def check_links(site: Path) -> LinkReport:
    """Every internal link of every page of the built site must reach a file, and its #anchor an id there.

    External links (<a href="https://...">) are allowed; external scripts, styles, images or frames are reported
    in external_resources, since the site must work offline.
    """
    site = site.resolve()
    report = LinkReport()
    parsed: dict[Path, _LinkParser] = {}

    def page(path: Path) -> _LinkParser:
        if path not in parsed:
            parsed[path] = _LinkParser()
            parsed[path].feed(path.read_text(encoding="utf-8"))
        return parsed[path]

    for html in sorted(site.rglob("*.html")):
        report.pages += 1
        rel = html.relative_to(site).as_posix()
        for tag, link in page(html).links:
            parts = urlsplit(link)
            if parts.scheme in ("mailto", "tel", "javascript", "data"):
                continue
            if parts.scheme or parts.netloc:
                if tag != "a":
                    report.external_resources.append(f"{rel}: <{tag}> {link}")
                continue
            report.links += 1
            if parts.path.startswith("/"):  # the 404 page uses site-absolute links
                target = site / unquote(parts.path).lstrip("/")
            else:
                target = (html.parent / unquote(parts.path)) if parts.path else html
            target = Path(posixpath.normpath(target.as_posix()))
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or site not in target.parents:
                report.broken.append(f"{rel}: {link} -> {target} does not exist")
                continue
            if parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in page(target).ids:
                report.broken.append(f"{rel}: {link} -> no id {parts.fragment!r} in {target.relative_to(site)}")
    return report


def html_pages(site: Path) -> list[str]:
    """The site's pages as paths relative to its root ('', 'lesson1/', 'zh/lesson1/', ...), without the 404 page."""
    pages = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if not rel.startswith(("assets", "search")):
            pages.append("" if rel == "." else rel + "/")
    return pages


# ---------------------------------------------------------------- Chromium through Selenium

def _find(override: str, names: tuple[str, ...]) -> str | None:
    path = os.environ.get(override)
    if path:
        return path if Path(path).is_file() else None
    return next((found for found in map(shutil.which, names) if found), None)


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary (BRUSHSTROKES_CHROMIUM overrides), or None."""
    return _find("BRUSHSTROKES_CHROMIUM", CHROMIUM_NAMES)


def find_driver() -> str | None:
    """Path of chromedriver (BRUSHSTROKES_CHROMEDRIVER overrides), or None."""
    return _find("BRUSHSTROKES_CHROMEDRIVER", DRIVER_NAMES)


def missing_browser() -> str | None:
    """What to install before the browser checks can run, or None when Chromium, its driver and Selenium are here."""
    try:
        import selenium  # noqa: F401 - only its presence is checked
    except ImportError:
        return "Selenium is missing: run `make setup` (it installs requirements.txt into .venv)"
    if find_chromium() is None or find_driver() is None:
        return ("Chromium or its driver is missing: install them with `apt-get install chromium chromium-driver` "
                "(`make setup` does), or set BRUSHSTROKES_CHROMIUM and BRUSHSTROKES_CHROMEDRIVER")
    return None


class Browser:
    """Headless Chromium in one tab, with a viewport in CSS px and a log of the network requests.

    with Browser() as browser:
        browser.goto("http://127.0.0.1:8000/")
        browser.run("return document.title")
    """

    def __init__(self, viewport: tuple[int, int] = DESKTOP, timeout: float = 30.0) -> None:
        problem = missing_browser()
        if problem:
            raise SiteError(problem)
        self.viewport, self.timeout = viewport, timeout
        self._requests: dict[str, str] = {}

    def __enter__(self) -> Browser:
        from selenium import webdriver
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="brushstrokes-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = find_chromium()
        for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={self.profile}"):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # the network events, read by requests()
        try:
            # An explicit driver path: Selenium Manager (which would look for a driver online) is not run.
            self.driver = webdriver.Chrome(service=Service(executable_path=find_driver()), options=options)
        except WebDriverException as exc:
            shutil.rmtree(self.profile, ignore_errors=True)
            raise SiteError(f"Chromium did not start through chromedriver: {exc.msg}. Check that `chromium "
                            "--version` and `chromedriver --version` print the same version") from exc
        self.driver.set_page_load_timeout(self.timeout)
        self.driver.set_script_timeout(self.timeout)
        self.resize(self.viewport)
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    def resize(self, viewport: tuple[int, int]) -> None:
        """Emulate a viewport of (width, height) CSS px; below 600 px as a phone (touch, mobile layout)."""
        self.viewport = viewport
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": viewport[0], "height": viewport[1], "deviceScaleFactor": 1, "mobile": viewport[0] < 600})

    def goto(self, url: str) -> None:
        """Load url and wait until it is loaded, its fonts are ready and it has been painted."""
        self.driver.get_log("performance")  # forget the previous page's requests
        self._requests = {}
        self.driver.get(url)
        # fonts (KaTeX's included) and a last animation frame, so that what we measure is what a reader sees
        self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "document.fonts.ready.then(() => requestAnimationFrame(() => done(true)));")

    def run(self, script: str, *args):
        """The value a JavaScript function body returns (`return ...`), with args as arguments[0...]."""
        return self.driver.execute_script(script, *args)

    def run_async(self, script: str, *args):
        """Like run, for a body that calls its last argument, arguments[arguments.length - 1], with the value."""
        return self.driver.execute_async_script(script, *args)

    def network_problems(self, base_url: str) -> list[str]:
        """Requests since the last goto that failed, got an HTTP error, or left the local server."""
        problems = []
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            method, params = message.get("method"), message.get("params", {})
            if method == "Network.requestWillBeSent":
                url = params["request"]["url"]
                self._requests[params["requestId"]] = url
                if not url.startswith((base_url, "data:", "blob:", "about:")):
                    problems.append(f"external request: {url}")
            elif method == "Network.responseReceived" and params["requestId"] in self._requests:
                status, url = params["response"]["status"], params["response"]["url"]
                # Material probes for a sitemap.xml beside each language's version of the page, to map pages
                # between languages; mkdocs writes one at the site's root only, and Material handles the miss.
                if status >= 400 and not url.endswith("/sitemap.xml"):
                    problems.append(f"HTTP {status}: {url}")
            elif (method == "Network.loadingFailed" and params["requestId"] in self._requests
                  and not params.get("canceled")):
                problems.append(f"failed ({params.get('errorText')}): {self._requests[params['requestId']]}")
        return problems

    def screenshot(self, path: Path, max_height: int = 12000, top: int = 0) -> Path:
        """The page from `top` down, up to max_height CSS px, at the current viewport's width, as a PNG."""
        height = self.run("return document.documentElement.scrollHeight")
        clip = {"x": 0, "y": top, "width": self.viewport[0],
                "height": max(1, min(max_height, max(self.viewport[1], height) - top)), "scale": 1}
        data = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "clip": clip, "captureBeyondViewport": True})["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def screenshots(self, path: Path, max_height: int = 12000) -> list[Path]:
        """The whole page as PNGs of at most max_height CSS px each: path, then path-2.png, path-3.png, ..."""
        height = self.run("return document.documentElement.scrollHeight")
        path = Path(path)
        return [self.screenshot(path if part == 0 else path.with_name(f"{path.stem}-{part + 1}{path.suffix}"),
                                max_height, part * max_height)
                for part in range(max(1, -(-height // max_height)))]


# ---------------------------------------------------------------- what a reader sees

# Runs in the page: formulas typeset, no TeX source left in the text, every image decoded, figures captioned.
INSPECT_JS = r"""
const math = [...document.querySelectorAll('.arithmatex')];
const article = document.querySelector('article') || document.body;
const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
const rawTex = [];
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (n.parentElement.closest('.katex, pre, code, script, style')) continue;
  const t = n.textContent;
  if (/\$\$|\\\(|\\\[|\\(frac|mathcal|sum|partial|alpha|beta|text|left|right)\b/.test(t)) {
    rawTex.push(t.trim().slice(0, 80));
  }
}
return {
  lang: document.documentElement.lang,
  title: document.title,
  math: math.length,
  typeset: math.filter(el => el.querySelector('.katex')).length,
  katexErrors: document.querySelectorAll('.katex-error').length,
  rawTex: rawTex,
  images: [...article.querySelectorAll('img')].map(img => ({
    src: img.currentSrc || img.src, complete: img.complete, width: img.naturalWidth,
    shown: img.getBoundingClientRect().width,   // CSS px on the screen
    caption: (img.closest('figure')?.querySelector('figcaption')?.innerText || '').trim()})),
  languages: Object.fromEntries([...document.querySelectorAll('.md-select a[hreflang]')]
                                .map(a => [a.hreflang, a.href])),
  solutions: [...document.querySelectorAll('details.success')].map(d => ({
    open: d.open, code: d.querySelector('pre code') !== null})),
  toggles: [...document.querySelectorAll('.md-header__button[for^="__palette"]')].map(l => l.title),
  italicChinese: [...article.querySelectorAll('em, i')].filter(e => /\p{Script=Han}/u.test(e.textContent))
                 .map(e => e.textContent.slice(0, 40)),
};
"""

# Runs in the page: content a reader cannot see. The article is looked at with its solutions (<details>) opened, as a
# reader opens them. Every element and every run of text must lie inside the visible box of its nearest ancestor that
# clips on that axis (overflow other than visible) or, where none does, inside the screen's width. An ancestor that
# scrolls (overflow auto or scroll) is the exception: what lies past its edge is reached by scrolling it, and it is
# returned in `boxes`, to be checked for a visible sign that it scrolls (scroll_affordance). `page` and `viewport` say
# whether the page itself scrolls sideways; `code` lists code blocks that scroll instead of wrapping.
CUT_JS = r"""
const article = document.querySelector('article') || document.body;
const viewport = document.documentElement.clientWidth;
const TOLERANCE = 1;   // px, for the rounding of fractional layout
article.querySelectorAll('details:not([open])').forEach(d => { d.open = true; d.dataset.openedToLook = ''; });

const describe = el => {
  const tex = el.closest('.arithmatex')?.querySelector('annotation')?.textContent;
  const table = el.closest('table') || el.querySelector('table');
  const name = el.tagName.toLowerCase() + (typeof el.className === 'string' && el.className.trim()
                                           ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  let what;
  if (tex) what = 'formula ' + tex.trim().replace(/\s+/g, ' ');
  else if (table) {
    const header = th => {   // its text as read, without KaTeX's copy for screen readers
      const copy = th.cloneNode(true);
      copy.querySelectorAll('.katex-mathml').forEach(m => m.remove());
      return copy.textContent.replace(/\s+/g, ' ').trim();
    };
    what = 'table | ' + [...table.querySelectorAll('th')].map(header).join(' | ');
  }
  else what = '"' + (el.innerText || el.textContent || '').trim().split('\n')[0] + '"';
  return `${name}: ${what.slice(0, 100)}`;
};
const scrolls = value => value === 'auto' || value === 'scroll';
const clipper = (from, axis) => {   // from `from` up, the first box that keeps its content from showing past its edges
  for (let a = from; a; a = a.parentElement) {
    const style = getComputedStyle(a);
    const value = axis === 'x' ? style.overflowX : style.overflowY;
    if (value !== 'visible') return {box: a, value: value};
  }
  return null;
};
// KaTeX's MathML copy, for screen readers only, is clipped to 1 px on purpose
const unseen = el => el.closest('.katex-mathml') !== null;

const cut = [];
const said = new Set();
const report = (key, message) => { if (!said.has(key)) { said.add(key); cut.push(message); } };
const check = (from, rect, label) => {   // rect: an element's box or a line of text; from: its parent element
  if (rect.width < 0.5 || rect.height < 0.5) return;
  for (const axis of ['x', 'y']) {
    const [lo, hi] = axis === 'x' ? [rect.left, rect.right] : [rect.top, rect.bottom];
    const clip = clipper(from, axis);
    if (!clip || clip.box === document.documentElement || clip.box === document.body) {
      // the page (the theme hides its sideways overflow): nothing may leave the screen sideways; up and down, the
      // page scrolls
      const out = Math.max(-lo, hi - viewport);
      if (axis === 'x' && out > TOLERANCE) {
        report('screen ' + label, `${label}: ${Math.round(out)} px of it lie past the edge of the ${viewport} px `
                                  + 'screen');
      }
      continue;
    }
    if (scrolls(clip.value)) continue;   // reached by scrolling that box; see `boxes`
    const box = clip.box.getBoundingClientRect();
    const start = axis === 'x' ? box.left + clip.box.clientLeft : box.top + clip.box.clientTop;
    const end = start + (axis === 'x' ? clip.box.clientWidth : clip.box.clientHeight);
    const out = Math.max(start - lo, hi - end);
    if (out > TOLERANCE) {
      const by = describe(clip.box);
      report(label + ' ' + by, `${label}: ${Math.round(out)} px of it are cut off ${axis === 'x' ? 'sideways' : 'at '
             + 'the top or bottom'} by ${by} (overflow-${axis}: ${clip.value})`);
    }
  }
};

const elements = [article, ...article.querySelectorAll('*')].filter(el => {
  if (unseen(el)) return false;
  const style = getComputedStyle(el);
  return style.display !== 'none' && style.visibility !== 'hidden';
});
for (const el of elements) check(el.parentElement, el.getBoundingClientRect(), describe(el));
const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (!n.textContent.trim() || unseen(n.parentElement)) continue;
  const range = document.createRange();
  range.selectNodeContents(n);
  for (const rect of range.getClientRects()) check(n.parentElement, rect, 'text in ' + describe(n.parentElement));
}

const boxes = [];
for (const el of elements) {
  const style = getComputedStyle(el);
  if (scrolls(style.overflowY) && el.scrollHeight > el.clientHeight + TOLERANCE) {
    report('vertical ' + describe(el), `${describe(el)}: scrolls up and down inside the page `
                                       + `(${el.scrollHeight} px of content in ${el.clientHeight} px)`);
  }
  if (scrolls(style.overflowX) && el.scrollWidth > el.clientWidth + TOLERANCE) {
    boxes.push({element: el, what: describe(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth});
  }
}
const code = [...article.querySelectorAll('pre > code')].filter(el => el.scrollWidth > el.clientWidth + TOLERANCE)
  .map(el => `${el.scrollWidth} > ${el.clientWidth} px: ${el.textContent.trim().split('\n')[0].slice(0, 60)}`);
return {page: document.scrollingElement.scrollWidth, viewport: viewport, cut: cut, boxes: boxes, code: code};
"""

# Runs in the page: the box arguments[0] scrolled to its start or end (arguments[1]); where it is in the page (CSS px)
# and how much of its content is hidden to its left and right.
PLACE_BOX_JS = r"""
const [box, end] = arguments;
box.scrollIntoView({block: 'center'});
box.scrollLeft = end ? box.scrollWidth : 0;
const rect = box.getBoundingClientRect();
return {x: rect.left + window.scrollX + box.clientLeft, y: rect.top + window.scrollY + box.clientTop,
        width: box.clientWidth, height: box.clientHeight,
        hiddenLeft: box.scrollLeft, hiddenRight: box.scrollWidth - box.clientWidth - box.scrollLeft};
"""

# Turns the box's own decoration off (arguments[1] true) or on again: its backgrounds, shadows and ::before/::after.
BARE_BOX_JS = r"""
const [box, bare, done] = arguments;
if (!document.getElementById('bare-box-style')) {
  const style = document.createElement('style');
  style.id = 'bare-box-style';
  style.textContent = '[data-bare-box] { background-image: none !important; box-shadow: none !important; }'
                      + ' [data-bare-box]::before, [data-bare-box]::after { display: none !important; }';
  document.head.append(style);
}
if (bare) box.setAttribute('data-bare-box', ''); else box.removeAttribute('data-bare-box');
requestAnimationFrame(() => requestAnimationFrame(() => done(true)));   // painted before the next shot
"""

# Runs in the page: the copy buttons of code blocks that sit on top of text. The theme adds a block's button when
# the block first scrolls into view, so each block is scrolled to first.
COPY_BUTTON_JS = r"""
const done = arguments[arguments.length - 1];
(async () => {
  const hits = [];
  for (const pre of document.querySelectorAll('article pre')) {
    pre.scrollIntoView();
    await new Promise(r => setTimeout(r, 150));
    const button = pre.querySelector('.md-code__nav, .md-clipboard');
    const code = pre.querySelector('code');
    if (!button || !code) continue;
    const box = button.getBoundingClientRect();
    // the boxes of the text itself (a range over elements would also give their full-width block boxes)
    const walker = document.createTreeWalker(code, NodeFilter.SHOW_TEXT);
    const boxes = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      boxes.push(...range.getClientRects());
    }
    if (boxes.some(r => r.width > 0 && r.right > box.left && r.left < box.right
                        && r.bottom > box.top && r.top < box.bottom)) {
      hits.push(code.textContent.trim().split('\n')[0].slice(0, 60));
    }
  }
  window.scrollTo(0, 0);
  return hits;
})().then(done);
"""

SEARCH_JS = r"""
const [query, done] = [arguments[0], arguments[arguments.length - 1]];
document.querySelector('label.md-header__button[for="__search"]')?.click();
const input = document.querySelector('input.md-search__input');
input.focus();
input.value = query;
input.dispatchEvent(new Event('input', {bubbles: true}));
input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));
const meta = document.querySelector('.md-search-result__meta');
let tries = 0;
const poll = () => {
  const links = [...document.querySelectorAll('.md-search-result__item > a')].map(a => a.href);
  if (links.length || ++tries > 100) done({meta: meta ? meta.innerText : '', links: links});
  else setTimeout(poll, 100);
};
poll();
"""


def inspect(browser: Browser) -> dict:
    """What the reader sees on the loaded page: see INSPECT_JS."""
    return browser.run(INSPECT_JS)


EDGE = 6            # CSS px: the strip along a box's edge where the sign that it scrolls is looked for
VISIBLE_EDGE = 12   # mean change of the strip's pixels (0-255 a channel) that a reader can see


def scroll_affordance(browser: Browser, box) -> dict:
    """How visibly the scrolling box (a WebElement) shows that part of its content is hidden.

    The box is shot as it first appears (scrolled to its start: content hidden on the right) and scrolled to its
    end (hidden on the left), each time with and without the box's own decoration (backgrounds, shadows, ::before
    and ::after). Returns {'right': change, 'left': change}: the mean change, 0-255 per channel, that the
    decoration makes to the pixels of the EDGE px strip along that side, on the side where content is hidden.
    """
    from PIL import Image, ImageChops, ImageStat

    change = {}
    for end, side in ((False, "right"), (True, "left")):
        place = browser.run(PLACE_BOX_JS, box, end)
        if place[f"hidden{side.title()}"] < 1 or place["width"] <= 2 * EDGE:
            continue
        left = place["x"] if side == "left" else place["x"] + place["width"] - EDGE
        clip = {"x": left, "y": place["y"], "width": EDGE, "height": max(1, place["height"]), "scale": 1}
        shots = []
        for bare in (False, True):
            browser.run_async(BARE_BOX_JS, box, bare)
            data = browser.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "clip": clip, "captureBeyondViewport": True})["data"]
            shots.append(Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB"))
        browser.run_async(BARE_BOX_JS, box, False)
        change[side] = round(sum(ImageStat.Stat(ImageChops.difference(*shots)).mean) / 3, 1)
    browser.run(PLACE_BOX_JS, box, False)
    return change


def cut_content(browser: Browser) -> dict:
    """What a reader of the loaded page cannot see (see CUT_JS), with each box that scrolls sideways measured.

    {'page': px, 'viewport': px, 'cut': [what is cut off, by what], 'code': [code blocks that scroll],
     'boxes': [{'what', 'scrollWidth', 'clientWidth', 'affordance': {'right': change, 'left': change}}]}
    A box shows that it scrolls when the change on each side where content is hidden is at least VISIBLE_EDGE.
    """
    seen = browser.run(CUT_JS)
    for box in seen["boxes"]:
        box["affordance"] = scroll_affordance(browser, box.pop("element"))
    browser.run("document.querySelectorAll('[data-opened-to-look]').forEach(d => {"
                " d.open = false; delete d.dataset.openedToLook; }); window.scrollTo(0, 0);")
    return seen


def unmarked(box: dict) -> list[str]:
    """The sides of a scrolling box (from cut_content) where content is hidden but no visible sign says so."""
    return [side for side, change in box["affordance"].items() if change < VISIBLE_EDGE]


def covered_by_copy_button(browser: Browser) -> list[str]:
    """First lines of the code blocks whose text runs under their copy button."""
    return browser.run_async(COPY_BUTTON_JS)


def search(browser: Browser, query: str) -> list[str]:
    """Type query into the site's search box; the pages of the results (paths, without ?h= or #), empty after 10 s.

    Material renders the first ten results and the rest as the reader scrolls; this site has ten pages a language,
    so the first ten are the pages a reader sees.
    """
    found = browser.run_async(SEARCH_JS, query)
    pages = []
    for link in found["links"]:
        path = urlsplit(link).path
        if path not in pages:
            pages.append(path)
    return pages


# ---------------------------------------------------------------- the first screen, and what a screenshot shows

# Runs in the page, scrolled to the top: the article's main heading (without its ¶ link) and the box of its text in
# CSS px, whether that text is on the first screen and not covered (the element at its centre is the heading), the
# page's title, and how wide the page is against the screen (scrollWidth > clientWidth: it scrolls sideways).
FIRST_SCREEN_JS = r"""
window.scrollTo(0, 0);
const root = document.documentElement;
const h1 = (document.querySelector('article') || document.body).querySelector('h1');
const page = {title: document.title, screen: [root.clientWidth, window.innerHeight],
              scrollWidth: root.scrollWidth, clientWidth: root.clientWidth};
if (!h1) return {...page, heading: null};
const copy = h1.cloneNode(true);
copy.querySelectorAll('.headerlink').forEach(a => a.remove());
const range = document.createRange();
range.selectNodeContents(h1);
const link = h1.querySelector('.headerlink');
if (link) range.setEndBefore(link);
const r = range.getBoundingClientRect();
const atCentre = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
return {...page, heading: copy.textContent.trim(), box: [r.left, r.top, r.width, r.height],
        onScreen: r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 && r.right <= root.clientWidth
                  && r.bottom <= window.innerHeight,
        uncovered: atCentre !== null && h1.contains(atCentre),
        colour: getComputedStyle(h1).color, visibility: getComputedStyle(h1).visibility};
"""


def first_screen(browser: Browser) -> dict:
    """The loaded page's main heading as a reader first sees it, and its width: see FIRST_SCREEN_JS."""
    return browser.run(FIRST_SCREEN_JS)


def ink(path: Path, box: tuple[float, float, float, float] | None = None) -> dict:
    """How much a PNG (or the part in `box`, (left, top, width, height) in its px) shows: {'size': (w, h),
    'spread': the standard deviation of its grey levels (0-255; 0 for one flat colour), 'colours': distinct
    colours (at most 4096 counted)}."""
    from PIL import Image, ImageStat

    with Image.open(path) as picture:
        shown = picture.convert("RGB")
    size = shown.size
    if box is not None:
        left, top, width, height = box
        shown = shown.crop((int(left), int(top), int(left + width + 0.999), int(top + height + 0.999)))
    colours = shown.getcolors(4096)
    return {"size": size, "spread": round(ImageStat.Stat(shown.convert("L")).stddev[0], 1),
            "colours": len(colours) if colours is not None else 4097}
