"""Build the tutorial site, serve it locally, and look at it with headless Chromium.

Used by tests/test_site.py and tools/site_screenshots.py. No extra packages: Chromium is driven through the
Chrome DevTools protocol over a pipe (--remote-debugging-pipe), so no driver, websocket client or download is needed.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import functools
import http.server
import json
import os
import posixpath
import select
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
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio")
VIEWPORT = (1280, 900)


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


# ---------------------------------------------------------------- links

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


def _parse(path: Path) -> _LinkParser:
    parser = _LinkParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


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
            parsed[path] = _parse(path)
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


# ---------------------------------------------------------------- Chromium over the DevTools protocol

def find_chromium() -> str | None:
    """Path of a Chromium/Chrome binary (BRUSHSTROKES_CHROMIUM overrides), or None."""
    override = os.environ.get("BRUSHSTROKES_CHROMIUM")
    if override:
        return override if Path(override).exists() else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


_TRAMPOLINE = ("import os, sys; r, w = int(sys.argv[1]), int(sys.argv[2]); os.dup2(r, 3); os.dup2(w, 4); "
               "os.close(r); os.close(w); os.execv(sys.argv[3], sys.argv[3:])")


def _high_fd(fd: int) -> int:
    """fd moved to a number of 10 or more (close-on-exec), the original closed."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Chromium:
    """Headless Chromium driven through the DevTools protocol on file descriptors 3 and 4.

    with Chromium() as browser:
        page = browser.open("http://127.0.0.1:8000/")
        page.evaluate("document.title")
    """

    def __init__(self, binary: str | None = None, timeout: float = 30.0) -> None:
        self.binary = binary or find_chromium()
        if self.binary is None:
            raise SiteError("Chromium not found: install it (`apt-get install chromium`, done by `make setup`) "
                            "or set BRUSHSTROKES_CHROMIUM to a Chrome/Chromium binary")
        self.timeout = timeout
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict] = []

    def __enter__(self) -> Chromium:
        self.profile = tempfile.mkdtemp(prefix="brushstrokes-chromium-")
        # Two pipes, moved above fd 9 so that placing them at 3 and 4 in the child cannot overwrite one another.
        commands_r, commands_w = (_high_fd(fd) for fd in os.pipe())
        replies_r, replies_w = (_high_fd(fd) for fd in os.pipe())
        self._to_browser, self._from_browser = commands_w, replies_r
        args = [self.binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe",
                f"--window-size={VIEWPORT[0]},{VIEWPORT[1]}", "about:blank"]
        self.log = tempfile.TemporaryFile()
        # The protocol runs on the browser's fds 3 (commands in) and 4 (replies out); a Python trampoline puts
        # them there (no preexec_fn, which is unsafe while the server thread runs).
        self.proc = subprocess.Popen([sys.executable, "-c", _TRAMPOLINE, str(commands_r), str(replies_w), *args],
                                     stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log,
                                     pass_fds=(commands_r, replies_w))
        os.close(commands_r)
        os.close(replies_w)
        try:
            self.call("Browser.getVersion")
        except SiteError:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(Exception):
            self._send({"id": self._new_id(), "method": "Browser.close"})
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)

    # -- protocol
    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _send(self, message: dict) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_browser, data):]

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(0.0, left))
            if not ready:
                raise SiteError(f"Chromium did not answer within {self.timeout:.0f} s" + self._log_tail())
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise SiteError("Chromium exited" + self._log_tail())
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _log_tail(self) -> str:
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace")[-2000:]
        return f"; its output ends with:\n{tail}" if tail.strip() else ""

    def call(self, method: str, session: str | None = None, **params) -> dict:
        """Send one command and wait for its reply (events arriving meanwhile are kept in self.events)."""
        message = {"id": self._new_id(), "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self._send(message)
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == message["id"]:
                if "error" in reply:
                    raise SiteError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, session: str, timeout: float | None = None) -> dict:
        """Wait for an event of this session (looking at those already received first)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method and event.get("sessionId") == session:
                    return self.events.pop(i)
            self.events.append(self._read(deadline))

    def open(self, url: str) -> Page:
        """A new tab with the site's viewport, network logging on, loaded with url."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        page = Page(self, session, target)
        for method in ("Page.enable", "Network.enable", "Runtime.enable"):
            self.call(method, session)
        self.call("Emulation.setDeviceMetricsOverride", session, width=VIEWPORT[0], height=VIEWPORT[1],
                  deviceScaleFactor=1, mobile=False)
        page.goto(url)
        return page


class Page:
    """One tab: navigation, JavaScript evaluation, screenshots, and what the network did."""

    def __init__(self, browser: Chromium, session: str, target: str) -> None:
        self.browser, self.session, self.target = browser, session, target
        self.loader: str | None = None

    def goto(self, url: str) -> None:
        """Load url and wait until it is loaded, its fonts are ready and it has been painted."""
        self.browser.events = [e for e in self.browser.events if e.get("sessionId") != self.session]
        reply = self.browser.call("Page.navigate", self.session, url=url)
        if reply.get("errorText"):
            raise SiteError(f"cannot load {url}: {reply['errorText']}")
        self.loader = reply.get("loaderId")
        self.browser.wait_event("Page.loadEventFired", self.session)
        # fonts (KaTeX's included) and a last animation frame, so that what we measure is what a reader sees
        self.evaluate("document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => r(true))))")

    def evaluate(self, expression: str):
        """The value of a JavaScript expression (promises awaited), as JSON."""
        reply = self.browser.call("Runtime.evaluate", self.session, expression=expression, awaitPromise=True,
                                  returnByValue=True)
        if "exceptionDetails" in reply:
            raise SiteError(f"JavaScript error in {expression[:60]!r}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def network_problems(self, base_url: str) -> list[str]:
        """Requests of the current page that failed, got an HTTP error, or left the local server."""
        problems, mine = [], {}
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            params = event.get("params", {})
            method = event.get("method")
            if method == "Network.requestWillBeSent" and params.get("loaderId") == self.loader:
                url = params["request"]["url"]
                mine[params["requestId"]] = url
                if not url.startswith((base_url, "data:", "blob:", "about:")):
                    problems.append(f"external request: {url}")
            elif method == "Network.responseReceived" and params["requestId"] in mine:
                status, url = params["response"]["status"], params["response"]["url"]
                # Material probes for a sitemap.xml beside each language's version of the page, to map pages
                # between languages; mkdocs writes one at the site's root only, and Material handles the miss.
                if status >= 400 and not url.endswith("/sitemap.xml"):
                    problems.append(f"HTTP {status}: {url}")
            elif method == "Network.loadingFailed" and params["requestId"] in mine and not params.get("canceled"):
                problems.append(f"failed ({params.get('errorText')}): {mine[params['requestId']]}")
        return problems

    def screenshot(self, path: Path, max_height: int = 12000) -> Path:
        """The whole page (up to max_height CSS px) as a PNG."""
        size = self.browser.call("Page.getLayoutMetrics", self.session)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": VIEWPORT[0], "height": min(max_height, max(VIEWPORT[1], size["height"])),
                "scale": 1}
        data = self.browser.call("Page.captureScreenshot", self.session, format="png", clip=clip,
                                 captureBeyondViewport=True)["data"]
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        self.browser.call("Target.closeTarget", targetId=self.target)


# ---------------------------------------------------------------- what a reader sees

# Runs in the page: formulas typeset, no TeX source left in the text, every image decoded.
INSPECT_JS = r"""
(() => {
  const math = [...document.querySelectorAll('.arithmatex')];
  const walker = document.createTreeWalker(document.querySelector('article') || document.body,
                                           NodeFilter.SHOW_TEXT);
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
    images: [...document.images].map(img => ({src: img.currentSrc || img.src, complete: img.complete,
                                               width: img.naturalWidth})),
    languages: Object.fromEntries([...document.querySelectorAll('.md-select a[hreflang]')]
                                  .map(a => [a.hreflang, a.href])),
    solutions: [...document.querySelectorAll('details.success')].map(d => ({open: d.open,
                                                                          code: d.querySelector('pre code') !== null})),
  };
})()
"""


SEARCH_JS = r"""
(async (query) => {
  const input = document.querySelector('input.md-search__input');
  input.focus();
  input.value = query;
  input.dispatchEvent(new Event('input', {bubbles: true}));
  input.dispatchEvent(new KeyboardEvent('keyup', {bubbles: true}));
  for (let i = 0; i < 100; i++) {
    await new Promise(r => setTimeout(r, 100));
    const hits = [...document.querySelectorAll('.md-search-result__item > a')].map(a => a.href);
    if (hits.length) return hits;
  }
  return [];
})
"""


def search(page: Page, query: str) -> list[str]:
    """Type query into the site's search box; the URLs of the results (empty after 10 s without any)."""
    return page.evaluate(f"{SEARCH_JS}({json.dumps(query)})")


def inspect(page: Page) -> dict:
    """What the reader sees on the loaded page: see INSPECT_JS."""
    return page.evaluate(INSPECT_JS)


def html_pages(site: Path) -> list[str]:
    """The site's pages as paths relative to its root ('', 'lesson1/', 'zh/lesson1/', ...), without the 404 page."""
    pages = []
    for html in sorted(site.rglob("index.html")):
        rel = html.parent.relative_to(site).as_posix()
        if not rel.startswith(("assets", "search")):
            pages.append("" if rel == "." else rel + "/")
    return pages
