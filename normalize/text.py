"""Text clean-up shared by every normaliser: NFC, look-alike letters, spacing."""

from __future__ import annotations

import re
import unicodedata

from unidecode import unidecode

# Letters OCR and old fonts emit that look like Vietnamese Đ/đ but are not.
_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ"})
# Marks Tesseract reads from ruling lines and stains at the edges of a cell.
_EDGE_JUNK = " \t|[]{}_~`'\"‘’“”,;:.•·—–-"
_SPACES = re.compile(r"\s+")

TONE_MARKS = {
    "\u0300": 2,  # huyền
    "\u0301": 1,  # sắc
    "\u0303": 4,  # ngã
    "\u0309": 3,  # hỏi
    "\u0323": 5,  # nặng
}


def clean_text(text: str | None) -> str:
    """NFC, Đ look-alikes mended, single spaces, trimmed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text).translate(_LOOKALIKES)
    return _SPACES.sub(" ", text).strip()


def strip_edge_junk(text: str) -> str:
    """Drop ruling-line and stain marks OCR leaves at the ends of a cell."""
    return text.strip(_EDGE_JUNK)


def split_tone(syllable: str) -> tuple[str, int]:
    """A syllable without its tone mark (NFC), and the tone (0 = ngang, 1..5)."""
    tone = 0
    kept = []
    for char in unicodedata.normalize("NFD", syllable):
        if char in TONE_MARKS:
            tone = TONE_MARKS[char]
        else:
            kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def fold(text: str) -> str:
    """Accent-folded lower-case ASCII key (``Nguyễn Thị Hoà`` → ``nguyen thi hoa``)."""
    return _SPACES.sub(" ", unidecode(clean_text(text)).lower()).strip()


def tone_key(text: str) -> str:
    """A key with diacritics that ignores where the tone mark sits (``hoà`` = ``hòa``).

    Each syllable becomes its toneless spelling plus the tone number: ``hoa2``.
    """
    words = clean_text(text).lower().split(" ")
    keyed = []
    for word in words:
        base, tone = split_tone(word)
        keyed.append(f"{base}{tone}" if word else "")
    return " ".join(keyed)
