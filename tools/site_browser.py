"""Build the tutorial site, serve it locally, and look at it in headless Chromium through Selenium.

Used by tests/test_site.py and tools/site_screenshots.py. The browser is Debian's `chromium`, driven by Debian's
`chromium-driver` (the same version; both installed by `make setup`). The driver's path is given to Selenium, so
Selenium Manager never runs and nothing is downloaded.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import http.server
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

from brushstrokes.paths import ROOT

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

    def screenshot(self, path: Path, max_height: int = 12000) -> Path:
        """The whole page (up to max_height CSS px) at the current viewport's width, as a PNG."""
        height = self.run("return document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": self.viewport[0], "height": min(max_height, max(self.viewport[1], height)),
                "scale": 1}
        data = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
            "format": "png", "clip": clip, "captureBeyondViewport": True})["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path


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

# Runs in the page: what scrolls sideways: the page itself, and each code block or formula wider than its box.
OVERFLOW_JS = r"""
const root = document.scrollingElement;
const wide = [...document.querySelectorAll('article pre > code, article .katex-display, article table')]
  .filter(el => el.scrollWidth > el.clientWidth + 1)
  .map(el => `${el.tagName.toLowerCase()}.${el.className.split(' ')[0] || ''}: ${el.scrollWidth} > `
             + `${el.clientWidth} px: ${el.textContent.trim().split('\n')[0].slice(0, 60)}`);
return {page: root.scrollWidth, viewport: root.clientWidth, wide: wide};
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


def overflow(browser: Browser) -> dict:
    """Sideways scrolling on the loaded page: {'page': px, 'viewport': px, 'wide': [blocks wider than their box]}."""
    return browser.run(OVERFLOW_JS)


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
