"""Sex, registration numbers and free text (places, ethnicity, causes, notes)."""

from __future__ import annotations

import re
from functools import lru_cache

from normalize.legacy import decode_tcvn3, decode_vni
from normalize.result import Normalized
from normalize.text import DIGIT_LOOKALIKES, clean_text, digits_mended, fold, prepare_text, strip_edge_junk
from normalize.vocabulary import is_known_ethnicity

_SEXES = {"nam": "male", "nu": "female", "male": "male", "female": "female"}  # canonical values stay
# Other ways registers and old files write it: "nam giới", "nữ giới", "trai", "gái", "Nam (trai)".
_SEX_WORDS = {"nam": "male", "trai": "male", "nu": "female", "gai": "female"}
_NUMBER_PREFIX = re.compile(r"^(?:số|so|no\.?|#)\s*[:.]?\s*", re.IGNORECASE)
# A letter suffix (12a); o, i and l are digits misread, never suffixes.
_NUMBER = re.compile(r"^0*(\d+)\s*([a-hjkmnp-z])?\s*(?:/\s*(\d{2,4}))?$", re.IGNORECASE)
_DIGIT_LOOKALIKES = str.maketrans(DIGIT_LOOKALIKES)


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


_ORDINALS = {"nhất": 1, "đầu": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5}
_COUNT_WORDS = re.compile(r"^(?:kết hôn\s+)?(?:lần\s+)?(?:thứ\s+)?(?P<count>.+?)[.\s]*$", re.IGNORECASE)


def normalize_count(raw: str | None) -> Normalized:
    """How many times, as a number: ``Nhất`` / ``lần đầu`` → 1, ``Hai`` → 2, ``lần thứ 3`` → 3
    (layouts.md, couple-ledger column 10). Anything else is kept out and flagged."""
    prepared, found = prepare_text(raw)
    text = strip_edge_junk(prepared)
    if not text:
        return Normalized(None, found)
    match = _COUNT_WORDS.match(text)
    word = match.group("count").strip().lower() if match else text.lower()
    if word.isdigit() and 0 < int(word) < 20:
        return Normalized(str(int(word)), found)
    count = _ORDINALS.get(word)
    if count is None:
        return Normalized(None, (*found, "invalid_count"))
    return Normalized(str(count), found)


@lru_cache(maxsize=65536)
def normalize_text(raw: str | None) -> Normalized:
    """Free text as written: NFC, single spaces, trimmed of ruling-line marks."""
    prepared, found = prepare_text(raw)
    text = strip_edge_junk(prepared)
    return Normalized(text or None, found)


# The units of an address, lower case: a part of the address starts with one.
_UNITS = r"(?:xã|huyện|tỉnh|phường|quận|thị xã|thị trấn|thành phố|tp\.?|ấp|thôn|xóm|tổ|khu phố|khu|khóm|bản|đội|số)"
_STOP_BEFORE_UNIT = re.compile(rf"\.\s+(?={_UNITS}(?!\w))", re.IGNORECASE)
_NUMBERED_UNIT = re.compile(
    rf"(?<!\w)(?P<unit>{_UNITS})\s+(?P<number>[0-9OoØøIil|\]\[!]{{1,4}})(?=[\s,.;]|$)", re.IGNORECASE
)


@lru_cache(maxsize=65536)
def normalize_place(raw: str | None) -> Normalized:
    """A place as written, its parts' separators and numbers read as they must be: a full stop
    before a unit word is the comma OCR misread (``Ấp 4. xã Bình Mỹ``), and the number after a
    hamlet's or group's word is digits (``Xóm l4`` → ``Xóm 14``, ``Thôn I`` → ``Thôn 1``)."""
    text, found = normalize_text(raw).value, normalize_text(raw).issues
    if not text:
        return Normalized(None, found)
    mended = _STOP_BEFORE_UNIT.sub(", ", text)

    def digits(match: re.Match[str]) -> str:
        written = match["number"]
        # a look-alike beside a digit (l4), or one alone (Thôn I); "II" may be a Roman numeral: kept
        number = digits_mended(written) if len(written) == 1 or any(c.isdigit() for c in written) else None
        return f"{match['unit']} {number}" if number is not None else match[0]

    mended = _NUMBERED_UNIT.sub(digits, mended)
    return Normalized(mended, found if mended == text else (*found, "ocr_substitution"))


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
