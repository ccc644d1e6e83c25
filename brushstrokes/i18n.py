"""The learner's language: English or Chinese, from --lang, BRUSHSTROKES_LANG or the locale."""

from __future__ import annotations

import os

LANGUAGES = ("en", "zh")
_chosen: str | None = None


def set_language(lang: str | None) -> None:
    """Fix the language for this process (what `--lang` does); None goes back to the environment."""
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
    _chosen = lang


def language() -> str:
    """'zh' or 'en': set_language(), else BRUSHSTROKES_LANG, else a zh_* locale (LC_ALL, LC_MESSAGES, LANG)."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get("BRUSHSTROKES_LANG", "").strip().lower()
    if env[:2] in LANGUAGES:
        return env[:2]
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"
