"""Text clean-up shared by every normaliser: NFC, look-alike letters, spacing."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from unidecode import unidecode

# Letters OCR and old fonts emit that look like Vietnamese Đ/đ but are not.
_LOOKALIKES = str.maketrans({"\u00d0": "Đ", "\u0189": "Đ", "\u00f0": "đ"})
# Cyrillic and Greek letters that look like Latin ones (pasted text, some OCR engines).
_FOREIGN = str.maketrans(
    dict(zip("аеорсухіјѕАВЕКМНОРСТХУІЈЅΑΒΕΗΙΚΜΝΟΡΤΧΥΖοιк", "aeopcyxijsABEKMHOPCTXYIJSABEHIKMNOPTXYZoik", strict=True))
)
_FOREIGN_CHARS = frozenset(chr(code) for code in _FOREIGN)
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


@lru_cache(maxsize=262144)
def prepare_text(raw: str | None) -> tuple[str, tuple[str, ...]]:
    """Any incoming text → NFC, single spaces; legacy encodings and look-alike letters mended.

    Issues: ``legacy_encoding`` / ``lost_letter`` (see :mod:`normalize.legacy`) and
    ``lookalike_letter`` (a Cyrillic or Greek letter was read as the Latin one it looks like).
    """
    from normalize.legacy import repair_text

    if not raw:
        return "", ()
    text = unicodedata.normalize("NFC", raw)
    issues: tuple[str, ...] = ()
    if not text.isascii() and not _FOREIGN_CHARS.isdisjoint(text):
        text = text.translate(_FOREIGN)
        issues = ("lookalike_letter",)
    repaired = repair_text(text)
    return clean_text(repaired.text), issues + repaired.issues


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


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Accent-folded lower-case ASCII key (``Nguyễn Thị Hoà`` → ``nguyen thi hoa``)."""
    # word by word: unidecode works letter by letter, and a few thousand words make every name
    return _SPACES.sub(" ", " ".join(map(_folded_word, clean_text(text).split(" ")))).strip()


@lru_cache(maxsize=65536)
def _folded_word(word: str) -> str:
    return unidecode(word).lower()


# After these initials a final i and y are one sound, spelt both ways (Lý/Lí, Mỹ/Mĩ, Kỳ/Kì).
_I_OR_Y = re.compile(r"^(b|c|ch|d|đ|g|gh|h|k|kh|l|m|n|nh|p|ph|r|s|t|th|tr|v|x)y$")


@lru_cache(maxsize=262144)
def tone_key(text: str) -> str:
    """A key with diacritics that ignores where the tone mark sits (``hoà`` = ``hòa``).

    Each syllable becomes its toneless spelling plus the tone number: ``hoa2``; a final
    ``y`` that is spelt ``i`` as well (``Lý``/``Lí``) becomes ``i``.
    """
    return " ".join(map(_keyed_word, clean_text(text).lower().split(" ")))


@lru_cache(maxsize=65536)
def _keyed_word(word: str) -> str:
    if not word:
        return ""
    base, tone = split_tone(word)
    base = _I_OR_Y.sub(r"\1i", base)
    return f"{base}{tone}"


# Letters and marks OCR reads for the digits they look like, where only digits can stand (a date's
# figures, a registration number, the number of a hamlet): Ø7 → 07, 201] → 2011, l → 1, I1 → 11.
DIGIT_LOOKALIKES = {"O": "0", "o": "0", "Ø": "0", "ø": "0", "l": "1", "I": "1", "i": "1", "|": "1", "]": "1", "[": "1",
                    "!": "1", "S": "5"}  # fmt: skip
_DIGIT_TABLE = str.maketrans(DIGIT_LOOKALIKES)


def digits_mended(token: str) -> str | None:
    """``Ø7`` → ``07``: a token of digits and look-alikes (and date separators) as the digits it
    must be; None when it holds anything else (a word) or nothing to mend."""
    if not any(char in DIGIT_LOOKALIKES for char in token):
        return None
    if not all(char.isdigit() or char in DIGIT_LOOKALIKES or char in "/.-" for char in token):
        return None
    if not any(char.isdigit() for char in token) and len(token.strip("/.-")) > 2:
        return None  # "Ol!" alone is no number
    return token.translate(_DIGIT_TABLE)
