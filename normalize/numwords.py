"""Vietnamese numbers written in words (``một nghìn chín trăm chín mươi tám`` → 1998)."""

from __future__ import annotations

import datetime as dt

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


# Writing numbers and dates in words (extracts print a birth date in words; sample books too).
DIGIT_WORDS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
DAY_WORDS = {
    1: "mồng một", 2: "mồng hai", 3: "mồng ba", 4: "mồng bốn", 5: "mồng năm", 6: "mồng sáu",
    7: "mồng bảy", 8: "mồng tám", 9: "mồng chín", 10: "mồng mười",
}  # fmt: skip


def number_in_words(number: int) -> str:
    """Vietnamese words for 0..2999 (``1998`` → ``một nghìn chín trăm chín mươi tám``)."""
    parts: list[str] = []
    thousands, rest = divmod(number, 1000)
    if thousands:
        parts += [DIGIT_WORDS[thousands], "nghìn"]
    hundreds, rest = divmod(rest, 100)
    if hundreds or (thousands and rest):
        parts += [DIGIT_WORDS[hundreds], "trăm"]
    tens, units = divmod(rest, 10)
    if tens == 1:
        parts.append("mười")
    elif tens:
        parts += [DIGIT_WORDS[tens], "mươi"]
    elif units and parts:
        parts.append("lẻ")
    if units:
        word = DIGIT_WORDS[units]
        if units == 5 and tens:
            word = "lăm"
        elif units == 1 and tens > 1:
            word = "mốt"
        elif units == 4 and tens > 1:
            word = "tư"
        parts.append(word)
    return " ".join(parts) if parts else "không"


def date_in_words(date: dt.date) -> str:
    """``ngày mồng năm tháng ba năm một nghìn chín trăm chín mươi tám``."""
    day = DAY_WORDS.get(date.day) or number_in_words(date.day)
    return f"ngày {day} tháng {number_in_words(date.month)} năm {number_in_words(date.year)}"
