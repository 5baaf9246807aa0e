"""Vietnamese numbers written in words (``một nghìn chín trăm chín mươi tám`` → 1998)."""

from __future__ import annotations

DIGITS = {
    "không": 0,
    "một": 1,
    "mốt": 1,
    "hai": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "lăm": 5,
    "nhăm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
}
_SKIP = {"lẻ", "linh", "mồng", "mùng", "và"}
MONTH_WORDS = {"giêng": 1, "chạp": 12}


def parse_number_words(text: str) -> int | None:
    """The number ``text`` spells, or None when it is not a number in words."""
    words = text.lower().replace(",", " ").split()
    if not words:
        return None
    total = group = pending = 0
    for word in words:
        if word in DIGITS:
            pending = DIGITS[word]
        elif word == "mười":
            group += 10
        elif word == "mươi":
            group += pending * 10
            pending = 0
        elif word == "trăm":
            group += pending * 100
            pending = 0
        elif word in ("nghìn", "ngàn"):
            total += (group + pending) * 1000
            group = pending = 0
        elif word not in _SKIP:
            return None
    return total + group + pending


def parse_month_words(text: str) -> int | None:
    """A month in words: ``ba`` → 3, ``mười hai`` → 12, ``giêng`` → 1, ``tư`` → 4."""
    word = text.strip().lower()
    if word in MONTH_WORDS:
        return MONTH_WORDS[word]
    return parse_number_words(word)
