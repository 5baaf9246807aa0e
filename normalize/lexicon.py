"""Name syllables people really carry, with frequencies: to mend OCR's lost tone marks.

Tesseract drops or swaps stacked diacritics on capitals (``NGUYỄN`` → ``NGUYÊN``,
``ĐẶNG`` → ``ĐĂNG``). A syllable that no family name (first position) or given
name (other positions) has, while a spelling with the same letters is a known name,
may be that name: the most frequent one, closest in marks.

Name frequency says what is *likely*, not what is *written*: a rare name is still a name.
So only a syllable that is no Vietnamese syllable at all is mended (:func:`mend_name`); a
valid syllable that statistics do not know stays as read, and the likelier spelling is
offered to a person as a suggestion (:func:`suggest_name`).
"""

from __future__ import annotations

import csv
import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

from normalize.syllables import is_vietnamese_syllable
from normalize.text import fold, tone_key


@dataclass(frozen=True)
class Syllables:
    """Known syllables: tone key → weight, and accent-fold → spellings with weights."""

    weights: dict[str, float]
    by_fold: dict[str, list[tuple[str, float]]]

    def __contains__(self, syllable: str) -> bool:
        return tone_key(syllable) in self.weights


def _read(name: str, column: str) -> Syllables:
    text = resources.files("normalize.data").joinpath(name).read_text(encoding="utf-8")
    rows = csv.DictReader((line for line in text.splitlines() if not line.startswith("#")), delimiter="\t")
    weights: dict[str, float] = {}
    by_fold: dict[str, list[tuple[str, float]]] = {}
    for row in rows:
        spelling, weight = row["name" if "name" in row else "syllable"], float(row[column])
        weights[tone_key(spelling)] = weights.get(tone_key(spelling), 0.0) + weight
        by_fold.setdefault(fold(spelling), []).append((spelling, weight))
    return Syllables(weights, by_fold)


@cache
def family_names() -> Syllables:
    return _read("family_names.tsv", "share")


@cache
def given_syllables() -> Syllables:
    return _read("name_syllables.tsv", "weight")


def mark_distance(a: str, b: str) -> int:
    """How many diacritics differ between two spellings with the same base letters."""
    marks_a = [_marks(char) for char in unicodedata.normalize("NFC", a.lower())]
    marks_b = [_marks(char) for char in unicodedata.normalize("NFC", b.lower())]
    if len(marks_a) != len(marks_b):
        return 99
    return sum(len(x ^ y) for x, y in zip(marks_a, marks_b, strict=True))


def _marks(char: str) -> frozenset[str]:
    decomposed = unicodedata.normalize("NFD", char)
    marks = set(decomposed[1:])
    if char == "đ":
        marks.add("stroke")
    return frozenset(marks)


def _match_case(model: str, word: str) -> str:
    if model.isupper():
        return word.upper()
    if model.islower():
        return word.lower()
    return word


@dataclass(frozen=True)
class Mended:
    text: str
    changed: int  # syllables replaced
    sure: bool  # every replacement clearly beat its rivals


def _best(syllable: str, known: Syllables) -> tuple[str, bool] | None:
    candidates = known.by_fold.get(fold(syllable))
    if not candidates:
        return None
    scored = sorted(
        (
            (math.log(weight + 1e-3) - 3.0 * mark_distance(syllable, spelling), spelling)
            for spelling, weight in candidates
        ),
        reverse=True,
    )
    sure = len(scored) == 1 or scored[0][0] - scored[1][0] >= math.log(5)
    return scored[0][1], sure


def mend_name(text: str, *, only_invalid: bool = True) -> Mended:
    """Replace syllables that are no Vietnamese syllable by the likeliest known name spelling.

    With ``only_invalid=False`` every syllable no name has is replaced: that is a guess, for
    :func:`suggest_name` only, never a value."""
    words = text.split()
    changed, sure = 0, True
    for index, word in enumerate(words):
        known = family_names() if index == 0 else given_syllables()
        if word in known or (only_invalid and is_vietnamese_syllable(word)):
            continue
        best = _best(word, known)
        if best is None:
            continue
        words[index] = _match_case(word, best[0])
        changed += 1
        sure = sure and best[1]
    return Mended(" ".join(words), changed, sure)


def suggest_name(text: str) -> str | None:
    """The likelier name a person may take instead of ``text`` as read, or None.

    Offered where a syllable read is valid Vietnamese but no known name in its position
    (``NGUYÊN`` first, ``Nguyễn`` suggested). Never stored as the value."""
    guess = mend_name(text, only_invalid=False)
    return guess.text if guess.changed and guess.text != text else None


def known_name_share(text: str) -> float:
    """Share of a name's syllables that are known names in their position."""
    words = text.split()
    if not words:
        return 0.0
    known = sum(word in (family_names() if i == 0 else given_syllables()) for i, word in enumerate(words))
    return known / len(words)
