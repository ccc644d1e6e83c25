"""mkdocs hooks of the tutorial site (mkdocs.yml `hooks:`).

on_config quiets jieba, which would announce on every build that it loaded its dictionary.
on_post_build splits the search index, which holds both languages, into one index per language:
site/search/search_index.en.json and search_index.zh.json. overrides/main.html makes each page load its own
language's, so a search on the Chinese site lists Chinese pages and one on the English site English pages.
"""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path

from mkdocs.plugins import event_priority

LANGUAGES = ("en", "zh")


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
