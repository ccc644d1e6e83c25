"""Screenshots of the tutorial site in headless Chromium, in English and Chinese.

Usage:
    .venv/bin/python tools/site/screenshots.py              # home, lesson 1, gallery at 1280 px -> output/screenshots/
    .venv/bin/python tools/site/screenshots.py --all        # every page
    .venv/bin/python tools/site/screenshots.py --phone      # at 390 px, as on a phone
    .venv/bin/python tools/site/screenshots.py --page math --page lesson3   # these pages (both languages)
    .venv/bin/python tools/site/screenshots.py --out DIR --site SITE_DIR   # an existing build, another folder

It builds the site with `mkdocs build --strict` into a temporary folder (unless --site is given), serves it on
127.0.0.1, and writes one full-page PNG per page and language, named like en-lesson1.png and zh-lesson1.png
(en-lesson1-390px.png with --phone; a page taller than 12000 px goes on in en-lesson1-390px-2.png, ...). It also
prints, for each page, whether its formulas were typeset, its images loaded, the page scrolls sideways, anything is
cut off, and which formulas and tables scroll in their own box (and whether each shows it with a shadow);
tests/site/test_site.py asserts all of it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import browser as sb

DEFAULT_PAGES = ("", "lesson1/", "gallery/")


def page_name(path: str) -> str:
    """'zh/lesson1/' -> 'zh-lesson1', '' -> 'en-home'."""
    lang, rest = ("zh", path[3:]) if path.startswith("zh/") else ("en", path)
    return f"{lang}-{rest.strip('/').replace('/', '-') or 'home'}"


def shoot(site: Path, out: Path, pages: list[str], viewport: tuple[int, int] = sb.DESKTOP) -> int:
    """A full-page PNG of each page at this viewport; prints what it saw and returns how many pages had problems."""
    problems = 0
    suffix = "" if viewport == sb.DESKTOP else f"-{viewport[0]}px"
    with sb.serve(site) as base, sb.Browser(viewport) as browser:
        for path in pages:
            browser.goto(base + path)
            info = sb.inspect(browser)
            network = browser.network_problems(base)
            seen = sb.cut_content(browser)
            shots = browser.screenshots(out / f"{page_name(path)}{suffix}.png")
            bad_images = [i["src"] for i in info["images"] if not i["width"]]
            sideways = seen["page"] > seen["viewport"] or seen["code"]
            unmarked = [box for box in seen["boxes"] if sb.unmarked(box)]
            ok = (info["typeset"] == info["math"] and not info["katexErrors"] and not bad_images and not network
                  and not sideways and not seen["cut"] and not unmarked)
            problems += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {', '.join(map(str, shots))}  "
                  f"formulas {info['typeset']}/{info['math']}, "
                  f"images {len(info['images']) - len(bad_images)}/{len(info['images'])}"
                  + (f", scrolls sideways: {seen['page']} px page, {len(seen['code'])} code blocks" if sideways else "")
                  + (f", {len(seen['cut'])} things cut off" if seen["cut"] else "")
                  + (f", network: {'; '.join(network)}" if network else ""))
            for box in seen["boxes"]:
                sign = f"NO SHADOW on the {' or '.join(sb.unmarked(box))}" if sb.unmarked(box) else "with its shadow"
                print(f"       scrolls in its box, {sign}: {box['scrollWidth']} px in {box['clientWidth']} px, "
                      f"{box['what']}")
            for what in seen["cut"][:5]:
                print(f"       cut off: {what}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=sb.ROOT / "output" / "screenshots",
                        help="folder for the PNG files (default output/screenshots)")
    parser.add_argument("--site", type=Path, default=None,
                        help="an already built site (default: build one now with mkdocs build --strict)")
    parser.add_argument("--all", action="store_true", help="every page, not only home, lesson 1 and the gallery")
    parser.add_argument("--phone", action="store_true", help=f"{sb.PHONE[0]} px wide instead of {sb.DESKTOP[0]} px")
    parser.add_argument("--page", action="append", default=[], metavar="NAME",
                        help="this page (math, lesson3, home, ...) in both languages; may be given several times")
    args = parser.parse_args(argv)
    missing = sb.missing_browser()
    if missing:
        print(f"{missing}; then run this again.", file=sys.stderr)
        return 2
    try:
        with tempfile.TemporaryDirectory(prefix="brushstrokes-site-") as tmp:
            site = args.site
            if site is None:
                site = Path(tmp) / "site"
                print(f"built the site in {sb.build_site(site):.1f} s")
            chosen = [("" if name == "home" else name.strip("/") + "/") for name in args.page] or list(DEFAULT_PAGES)
            relative = sb.html_pages(site) if args.all else [*chosen, *("zh/" + p for p in chosen)]
            problems = shoot(site, args.out, relative, sb.PHONE if args.phone else sb.DESKTOP)
    except sb.SiteError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if problems:
        print(f"{problems} page(s) with problems: run `.venv/bin/python -m pytest tests/site/test_site.py` for details.")
        return 1
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
