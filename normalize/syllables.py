"""Is a written syllable possible in Vietnamese? (initial + rhyme + tone)

OCR errors on stacked diacritics often produce syllables no Vietnamese word has
(``nguyẽn``, ``thj``, ``hà̀``); those must never be auto-accepted.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from normalize.text import TONE_MARKS, split_tone

INITIALS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip

_OPEN_RHYMES = """
a e ê i o ô ơ u ư y ia ua ưa oa oe uê uy uơ uya ya
ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu uôi ươi ươu iêu yêu oai oay oao oeo uây uyu
"""

# base: finals it takes (c ch m n ng nh p t)
_CLOSED = {
    "a": "c ch m n ng nh p t",
    "ă": "c m n ng p t",
    "â": "c m n ng p t",
    "e": "c m n ng p t",
    "ê": "ch m n nh p t",
    "i": "ch m n nh p t",
    "o": "c m n ng p t",
    "oo": "c ng",
    "ô": "c m n ng p t",
    "ơ": "m n p t",
    "u": "c m n ng p t",
    "ư": "c m n ng t",
    "iê": "c m n ng p t",
    "yê": "m n t",
    "uô": "c m n ng t",
    "ươ": "c m n ng p t",
    "oa": "c ch m n ng nh p t",
    "oă": "c m n ng t",
    "uâ": "n ng t",
    "oe": "m n t",
    "uê": "ch nh n",
    "uy": "ch n nh p t",
    "uyê": "n t",
}


def _rhymes() -> frozenset[str]:
    rhymes = set(_OPEN_RHYMES.split())
    for base, finals in _CLOSED.items():
        rhymes.update(base + final for final in finals.split())
    return frozenset(rhymes)


RHYMES = _rhymes()
_CHECKED_FINALS = ("c", "ch", "p", "t")
_CHECKED_TONES = {1, 5}  # sắc, nặng


def _rhyme_ok(rhyme: str, tone: int) -> bool:
    if rhyme not in RHYMES:
        return False
    return not rhyme.endswith(_CHECKED_FINALS) or tone in _CHECKED_TONES


@lru_cache(maxsize=65536)
def is_vietnamese_syllable(syllable: str) -> bool:
    """True when ``syllable`` (any case, NFC) can be a Vietnamese syllable."""
    if not syllable or not syllable.isalpha():
        return False
    if sum(char in TONE_MARKS for char in unicodedata.normalize("NFD", syllable)) > 1:
        return False  # two tone marks
    base, tone = split_tone(syllable.lower())
    for initial in INITIALS:
        if base.startswith(initial) and _rhyme_ok(base[len(initial) :], tone):
            return True
    # "qu" spells the onset k + glide u: quỳnh = qu + (u)ynh
    if base.startswith("qu") and _rhyme_ok("u" + base[2:], tone):
        return True
    # "gi" before a consonant final reads as g + i (gìn, gịt)
    return base.startswith("gi") and _rhyme_ok(base[1:], tone)
