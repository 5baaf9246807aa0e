"""Person names: as written, NFC, each syllable capitalised; keys for matching."""

from __future__ import annotations

import re

from normalize.result import Normalized
from normalize.syllables import is_vietnamese_syllable
from normalize.text import clean_text, fold, strip_edge_junk, tone_key

_NOT_NAME = re.compile(r"[^\w\s-]")


def capitalise_syllables(name: str) -> str:
    """``NGUYỄN thị HOÀ`` → ``Nguyễn Thị Hoà`` (tone placement kept as written)."""
    return " ".join(
        "-".join(part[:1].upper() + part[1:].lower() for part in word.split("-")) for word in name.split(" ")
    )


def normalize_name(raw: str | None) -> Normalized:
    """A person's name; issues ``digits_in_name``, ``invalid_syllable``, ``single_syllable``."""
    text = strip_edge_junk(clean_text(raw))
    issues: list[str] = []
    if _NOT_NAME.search(text):
        issues.append("unexpected_character")
        text = clean_text(_NOT_NAME.sub(" ", text))
    if not text:
        return Normalized.empty()
    if any(char.isdigit() for char in text):
        issues.insert(0, "digits_in_name")
    syllables = text.split(" ")
    if not all(is_vietnamese_syllable(s) for s in syllables):
        issues.append("invalid_syllable")
    if len(syllables) < 2:
        issues.append("single_syllable")
    return Normalized(capitalise_syllables(text), tuple(issues))


def name_keys(name: str) -> tuple[str, str]:
    """(tone-placement-insensitive key with diacritics, accent-folded key)."""
    return tone_key(name), fold(name)
