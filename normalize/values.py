"""Sex, registration numbers and free text (places, ethnicity, causes, notes)."""

from __future__ import annotations

import re
from functools import lru_cache

from normalize.legacy import decode_tcvn3, decode_vni
from normalize.result import Normalized
from normalize.text import clean_text, fold, prepare_text, strip_edge_junk
from normalize.vocabulary import is_known_ethnicity

_SEXES = {"nam": "male", "nu": "female", "male": "male", "female": "female"}  # canonical values stay
# Other ways registers and old files write it: "nam giới", "nữ giới", "trai", "gái", "Nam (trai)".
_SEX_WORDS = {"nam": "male", "trai": "male", "nu": "female", "gai": "female"}
_NUMBER_PREFIX = re.compile(r"^(?:số|so|no\.?|#)\s*[:.]?\s*", re.IGNORECASE)
# A letter suffix (12a); o, i and l are digits misread, never suffixes.
_NUMBER = re.compile(r"^0*(\d+)\s*([a-hjkmnp-z])?\s*(?:/\s*(\d{2,4}))?$", re.IGNORECASE)
_DIGIT_LOOKALIKES = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5"})


@lru_cache(maxsize=65536)
def normalize_sex(raw: str | None) -> Normalized:
    """``Nam`` → ``male``, ``Nữ`` → ``female`` (any case, with or without diacritics)."""
    prepared, found = prepare_text(raw)
    text = strip_edge_junk(prepared)
    if not text:
        return Normalized.empty()
    sex = _SEXES.get(fold(text))
    if sex is None:
        words = {_SEX_WORDS.get(word) for word in re.findall(r"\w+", fold(text))} - {None}
        if len(words) == 1:  # every sex word says the same: "nữ giới", "Nam (trai)", "con gái"
            sex = words.pop()
    if sex is None:  # a closed vocabulary: an old 8-bit spelling (N÷, Nöõ) can be tried safely
        for decode in (decode_tcvn3, decode_vni):
            if sex := _SEXES.get(fold(decode(text))):
                found = (*found, "legacy_encoding")
                break
    return Normalized(sex, found) if sex else Normalized(None, (*found, "invalid_sex"))


def _number(match: re.Match[str]) -> str:
    digits, letter, year = match.groups()
    value = str(int(digits))
    if letter:
        value += letter.lower()
    if year:
        value += f"/{year}"
    return value


@lru_cache(maxsize=65536)
def normalize_registration_number(raw: str | None) -> Normalized:
    """Digits with leading zeros dropped; a suffix (``12/1998``, ``12a``) is kept."""
    text = _NUMBER_PREFIX.sub("", strip_edge_junk(prepare_text(raw)[0])).strip()
    if not text:
        return Normalized.empty()
    if match := _NUMBER.match(text):
        return Normalized(_number(match))
    mended = text.translate(_DIGIT_LOOKALIKES)
    if match := _NUMBER.match(mended):
        return Normalized(_number(match), ("ocr_substitution",))
    return Normalized(clean_text(text), ("invalid_number",))


@lru_cache(maxsize=65536)
def normalize_text(raw: str | None) -> Normalized:
    """Free text as written: NFC, single spaces, trimmed of ruling-line marks."""
    prepared, found = prepare_text(raw)
    text = strip_edge_junk(prepared)
    return Normalized(text or None, found)


@lru_cache(maxsize=65536)
def normalize_ethnicity(raw: str | None) -> Normalized:
    """As written; ``unknown_ethnicity`` when it is none of the 54 groups' spellings."""
    prepared, found = prepare_text(raw)
    text = strip_edge_junk(prepared)
    if not text:
        return Normalized.empty()
    if is_known_ethnicity(text):
        return Normalized(text, found)
    from normalize.legacy import decode_tcvn3, decode_vni

    for decode in (decode_vni, decode_tcvn3):  # "Thaùi" is VNI for Thái: too short to be told by its codes
        decoded = decode(text)
        if decoded != text and is_known_ethnicity(decoded):
            return Normalized(decoded, (*found, "legacy_encoding"))
    return Normalized(text, (*found, "unknown_ethnicity"))
