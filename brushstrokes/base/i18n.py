"""The learner's language (English or Chinese: --lang, BRUSHSTROKES_LANG or the locale) and Text, a message in both."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

LANGUAGES = ("en", "zh")
_chosen: str | None = None


@dataclass(frozen=True)
class Text:
    """One learner-facing message in English and Chinese (`str.format` fields allowed in both)."""

    en: str
    zh: str

    def __call__(self, lang: str = "en", **fields: object) -> str:
        return (self.zh if lang == "zh" else self.en).format(**fields)


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


@contextlib.contextmanager
def speaking(lang: str) -> Iterator[None]:
    """Within the block, language() is `lang`; the language chosen before comes back afterwards."""
    global _chosen
    previous = _chosen
    set_language(lang)
    try:
        yield
    finally:
        _chosen = previous


def in_every_language(say: Callable[[], str]) -> dict[str, str]:
    """{language: what `say()` returns while language() is that language}: a message kept for later, to be shown
    in whichever language is asked for then (e.g. a failure's note, read back by `brushstrokes progress`)."""
    said = {}
    for lang in LANGUAGES:
        with speaking(lang):
            said[lang] = say()
    return said


def in_language(said: str | dict[str, str] | None, lang: str) -> str:
    """A message kept with in_every_language (or a plain string, shown as it is) in `lang`."""
    if isinstance(said, dict):
        return str(said.get(lang) or next((v for v in said.values() if v), ""))
    return "" if said is None else str(said)
