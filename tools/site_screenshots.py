"""Screenshots of the tutorial site in headless Chromium, in English and Chinese.

Usage:
    .venv/bin/python tools/site_screenshots.py              # home page and lesson 1 -> output/screenshots/
    .venv/bin/python tools/site_screenshots.py --all        # every page
    .venv/bin/python tools/site_screenshots.py --out DIR --site SITE_DIR   # an existing build, another folder

It builds the site with `mkdocs build --strict` into a temporary folder (unless --site is given), serves it on
127.0.0.1, and writes one full-page PNG per page and language, named like en-lesson1.png and zh-lesson1.png.
It also prints, for each page, whether its formulas were typeset and its images loaded (tests/test_site.py asserts it).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import site_browser as sb

DEFAULT_PAGES = ("", "lesson1/")


def page_name(path: str) -> str:
    """'zh/lesson1/' -> 'zh-lesson1', '' -> 'en-home'."""
    lang, rest = ("zh", path[3:]) if path.startswith("zh/") else ("en", path)
    return f"{lang}-{rest.strip('/').replace('/', '-') or 'home'}"


def shoot(site: Path, out: Path, pages: list[str]) -> int:
    problems = 0
    with sb.Chromium() as browser, sb.serve(site) as base:
        tab = browser.open(base)
        for path in pages:
            tab.goto(base + path)
            info = sb.inspect(tab)
            shot = tab.screenshot(out / f"{page_name(path)}.png")
            bad_images = [i["src"] for i in info["images"] if not i["width"]]
            network = tab.network_problems(base)
            ok = info["typeset"] == info["math"] and not info["katexErrors"] and not bad_images and not network
            problems += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {shot}  formulas {info['typeset']}/{info['math']}, "
                  f"images {len(info['images']) - len(bad_images)}/{len(info['images'])}"
                  + (f", network: {'; '.join(network)}" if network else ""))
        tab.close()
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=sb.ROOT / "output" / "screenshots",
                        help="folder for the PNG files (default output/screenshots)")
    parser.add_argument("--site", type=Path, default=None,
                        help="an already built site (default: build one now with mkdocs build --strict)")
    parser.add_argument("--all", action="store_true", help="every page, not only the home page and lesson 1")
    args = parser.parse_args(argv)
    if sb.find_chromium() is None:
        print("Chromium not found: install it with `apt-get install chromium` (`make setup` does), "
              "or set BRUSHSTROKES_CHROMIUM to a Chrome/Chromium binary, then run this again.", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="brushstrokes-site-") as tmp:
            site = args.site
            if site is None:
                site = Path(tmp) / "site"
                print(f"built the site in {sb.build_site(site):.1f} s")
            relative = sb.html_pages(site) if args.all else [*DEFAULT_PAGES, *("zh/" + p for p in DEFAULT_PAGES)]
            problems = shoot(site, args.out, relative)
    except sb.SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if problems:
        print(f"{problems} page(s) with problems: run `.venv/bin/python -m pytest tests/test_site.py` for details.")
        return 1
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
