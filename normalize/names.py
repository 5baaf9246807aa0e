"""Person names: as written, NFC, each syllable capitalised; parts, keys and plausibility."""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from normalize.legacy import BEYOND_LATIN1, decode_tcvn3, decode_vni
from normalize.lexicon import family_names, given_syllables
from normalize.result import Normalized
from normalize.syllables import is_vietnamese_syllable
from normalize.text import fold, prepare_text, strip_edge_junk, tone_key

_NOT_NAME = re.compile(r"[^\w\s'’-]|_")  # an apostrophe belongs to some names (H'Hen, Ê Đê); "_" to none
_REMARK = re.compile(r"\s*\([^)]*\)\s*")  # "(đã chết)", "(con nuôi)": a remark, not the name
_TITLE = re.compile(r"^(?:ông|bà|anh|chị|cháu|em|cụ)\s+(?=\S+\s+\S+\s+\S+)", re.IGNORECASE)
# Digits OCR and typists put for the letters they look like, tried in this order.
_DIGIT_LETTERS = {"0": ("o",), "1": ("i", "l"), "5": ("s",), "8": ("b",), "6": ("g",)}

# Family names of two or more syllables (royal and noble lineages, Chinese compound names).
COMPOUND_FAMILY_NAMES = (
    "Công Tằng Tôn Nữ",
    "Công Huyền Tôn Nữ",
    "Tôn Thất",
    "Tôn Nữ",
    "Nguyễn Phúc",
    "Nguyễn Phước",
    "Âu Dương",
    "Gia Cát",
    "Tư Mã",
    "Thượng Quan",
    "Hoàng Phủ",
    "Đông Phương",
)
_COMPOUND_KEYS = sorted(
    ((tone_key(name).split(" "), len(name.split(" "))) for name in COMPOUND_FAMILY_NAMES), key=lambda k: -k[1]
)
_COMPOUND_FIRST = frozenset(keys[0] for keys, _ in _COMPOUND_KEYS)


@dataclass(frozen=True)
class NameParts:
    family: str
    middle: str
    given: str


def capitalise_syllables(name: str) -> str:
    """``NGUYỄN thị HOÀ`` → ``Nguyễn Thị Hoà``, ``H'HEN`` → ``H'Hen`` (tone placement kept as written)."""
    return re.sub(r"[^\s\-'’]+", lambda match: match.group(0)[:1].upper() + match.group(0)[1:].lower(), name)


@lru_cache(maxsize=262144)
def split_name(name: str) -> NameParts:
    """Family name (compound ones known), middle name(s), given name."""
    words = name.split()
    if not words:
        return NameParts("", "", "")
    if len(words) == 1:
        return NameParts("", "", words[0])
    family_length = 1
    if tone_key(words[0]) in _COMPOUND_FIRST:  # most names: no other word's key is needed
        keys = [tone_key(word) for word in words]
        for compound, length in _COMPOUND_KEYS:
            if len(words) > length and keys[:length] == compound:
                family_length = length
                break
    return NameParts(" ".join(words[:family_length]), " ".join(words[family_length:-1]), words[-1])


def name_keys(name: str) -> tuple[str, str]:
    """(tone-placement-insensitive key with diacritics, accent-folded key)."""
    return tone_key(name), fold(name)


@cache
def given_name_counts() -> dict[str, int]:
    """Accent-folded given name → how many of 115,000 real full names carry it."""
    text = resources.files("normalize.data").joinpath("given_name_counts.tsv").read_text(encoding="utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    return {row["given"]: int(row["count"]) for row in rows}


def plausibility(name: str) -> float:
    """Log-probability-like score of a name from family-name shares and given-name counts.

    0 is the most common name; about -12 or lower is a name no statistics know.
    """
    parts = split_name(name)
    families = family_names()
    share = families.weights.get(tone_key(parts.family), 0.0) if parts.family else 0.0
    counts = given_name_counts()
    given = counts.get(fold(parts.given), 0)
    family_score = math.log((share + 0.005) / 38.4)
    given_score = math.log((given + 0.5) / counts["anh"])
    return round(family_score + given_score, 3)


def _legacy_by_name_statistics(text: str) -> tuple[str, tuple[str, ...]]:
    """TCVN3 or VNI names made only of letters that also read as Vietnamese (``Khóc Thõa Dô``).

    Such text has no tell-tale code. A decoding is taken when the family name as read is no
    known family name, the decoded one is, and every decoded syllable is Vietnamese.
    """
    words = text.split()
    if text.isascii() or BEYOND_LATIN1.search(text) or len(words) < 2:
        return text, ()
    if tone_key(words[0]) in family_names().weights:
        return text, ()
    for decode in (decode_tcvn3, decode_vni):
        decoded = decode(text)
        syllables = decoded.split()
        if (
            decoded != text
            and tone_key(syllables[0]) in family_names().weights
            and all(is_vietnamese_syllable(syllable) for syllable in syllables)
        ):
            return decoded, ("legacy_encoding",)
    return text, ()


def _likeliest_decoding(written: str, decoded: str) -> str:
    """TCVN3 and VNI share codes (ö is ử in one, ư in the other): of the decodings that are
    Vietnamese, the one whose syllables are the most common names wins."""
    if BEYOND_LATIN1.search(written):
        return decoded
    candidates = {decoded}
    for decode in (decode_tcvn3, decode_vni):
        candidate = capitalise_syllables(decode(written))
        if all(is_vietnamese_syllable(syllable) for syllable in candidate.split()):
            candidates.add(candidate)
    return max(sorted(candidates), key=_name_weight) if len(candidates) > 1 else decoded


def _name_weight(name: str) -> float:
    words = name.split()
    if not words:
        return 0.0
    family = family_names().weights.get(tone_key(words[0]), 0.0)
    rest = sum(given_syllables().weights.get(tone_key(word), 0.0) for word in words[1:])
    return family + rest


# Tone marks OCR drops or misreads most: the small ones (hỏi, ngã, nặng).
_SMALL_TONES = (3, 4, 5)


@lru_cache(maxsize=65536)
def tone_unsure(name: str) -> bool:
    """Would the same letters with a small tone mark be an at-least-as-common given name?

    OCR reads ``Ửng`` as ``Ưng`` and ``Ẩn`` as ``Ấn`` with high confidence; both are real
    names, so no other check notices. Measured with bench/calibrate.py.
    """
    known = given_syllables().weights
    for word in name.split()[1:]:
        key = tone_key(word)
        base, tone = key[:-1], int(key[-1])
        mine = max(known.get(key, 0.0), 0.1)
        for small in _SMALL_TONES:
            if small != tone and known.get(f"{base}{small}", 0.0) >= mine:
                return True
    return False


def _common_family(word: str) -> bool:
    return family_names().weights.get(tone_key(word), 0.0) >= 0.3


def _unusual(name: str) -> bool:
    """Neither a family name of 0.3 % or more nor a given name the statistics know."""
    parts = split_name(name)
    share = family_names().weights.get(tone_key(parts.family), 0.0)
    if tone_key(parts.family).split(" ") in [keys for keys, _ in _COMPOUND_KEYS]:
        share = 1.0
    return share < 0.3 and fold(parts.given) not in given_name_counts()


def _partly_accented(syllables: list[str]) -> bool:
    """``Nguyễn Van An``: some words carry diacritics, and a bare one is far likelier with them
    (Văn, not Van): typed half without accents. Flagged for a person; the name is kept as written."""
    if all(word.isascii() for word in syllables) or not any(word.isascii() for word in syllables):
        return False
    known = given_syllables().by_fold
    for word in syllables[1:]:
        if not word.isascii():
            continue
        spellings = dict((spelling.lower(), weight) for spelling, weight in known.get(fold(word), []))
        bare, best = spellings.get(word.lower(), 0.0), max(spellings.values(), default=0.0)
        if best > 4 * max(bare, 1e-9):
            return True
    return False


def _mend_digits(word: str) -> tuple[str, bool]:
    """``NGUY3N`` stays; ``H0A`` → ``HOA``: a digit becomes the one letter that makes a syllable."""
    if not any(char.isdigit() for char in word) or not any(char.isalpha() for char in word):
        return word, False
    options = [""]
    upper = sum(char.isupper() for char in word) >= sum(char.islower() for char in word)
    for char in word:
        letters = _DIGIT_LETTERS.get(char, (char,)) if char.isdigit() else (char,)
        options = [
            prefix + (letter.upper() if upper and char.isdigit() else letter)
            for prefix in options
            for letter in letters
        ]
    valid = [option for option in options if not any(c.isdigit() for c in option) and is_vietnamese_syllable(option)]
    if len(valid) == 1:
        return valid[0], True
    return word, False


@lru_cache(maxsize=262144)
def normalize_name(raw: str | None) -> Normalized:
    """A person's name. Issues: ``digits_in_name``, ``ocr_substitution``, ``invalid_syllable``,
    ``single_syllable``, ``unexpected_character``, ``unusual_name`` and those of
    :func:`normalize.text.prepare_text`."""
    text, found = prepare_text(raw)
    text = strip_edge_junk(text)
    if not found:
        text, found = _legacy_by_name_statistics(text)
    elif "legacy_encoding" in found and raw:
        text = _likeliest_decoding(strip_edge_junk(unicodedata.normalize("NFC", raw)), text)
    issues: list[str] = list(found)
    if _REMARK.search(text):
        text = _REMARK.sub(" ", text).strip()
        issues.append("remark_in_name")
    if _TITLE.match(text) and _common_family(_TITLE.sub("", text).split()[0]):
        text = _TITLE.sub("", text)  # "Bà Nguyễn Thị Lan"; Ông is also a family name (Ông Ích Khiêm)
        issues.append("title_in_name")
    if "," in text or ";" in text:
        issues.append("several_names")
    if _NOT_NAME.search(text):
        issues.append("unexpected_character")
        text = prepare_text(_NOT_NAME.sub(" ", text))[0]
    if not text:
        return Normalized(None, tuple(issues))
    if any(char.isdigit() for char in text):
        mended = [_mend_digits(word) for word in text.split(" ")]
        text = " ".join(word for word, _ in mended)
        if any(char.isdigit() for char in text):
            issues.insert(0, "digits_in_name")
        else:
            issues.append("ocr_substitution")
    syllables = re.sub(r"[-'’]", " ", text).split()
    if not all(is_vietnamese_syllable(s) for s in syllables):
        issues.append("missing_diacritics" if text.isascii() else "invalid_syllable")
    if len(syllables) < 2:
        issues.append("single_syllable")
    value = capitalise_syllables(text)
    if "invalid_syllable" not in issues and len(syllables) >= 2 and _unusual(value):
        issues.append("unusual_name")
    if "missing_diacritics" not in issues and _partly_accented(syllables):
        issues.append("partial_diacritics")
    return Normalized(value, tuple(dict.fromkeys(issues)))
