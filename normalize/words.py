"""Vietnamese words, to catch a lost or swapped mark in free text (``Đột quy`` for ``Đột quỵ``).

A phrase whose syllables are all valid Vietnamese stays as read, the dictionary word offered
as a suggestion (:func:`suggest_text`); only a phrase holding an invalid syllable is mended.

The dictionary is the word list that pyvi (MIT licence) ships: about 31,000 words, most of
two or more syllables. Two or three lower-case syllables whose letters (marks ignored) make
a dictionary word, while their own spelling is no word, are almost always a misread word.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from normalize.lexicon import mark_distance
from normalize.syllables import is_vietnamese_syllable
from normalize.text import fold, tone_key

_PUNCTUATION = ",.;:()\"'"
# Function words: a pair holding one is grammar, not a compound word, so it is not checked
# (``đã cấp`` must not become ``đa cấp``).
FUNCTION_WORDS = frozenset(
    [
        "đã",
        "đang",
        "sẽ",
        "được",
        "bị",
        "là",
        "của",
        "và",
        "có",
        "không",
        "cho",
        "với",
        "tại",
        "theo",
        "ngày",
        "tháng",
        "năm",
        "từ",
        "do",
        "vì",
        "nên",
        "thì",
        "mà",
        "các",
        "những",
        "một",
        "này",
        "đó",
        "ở",
        "đến",
        "trong",
        "ngoài",
        "trên",
        "dưới",
    ]
)


@dataclass(frozen=True)
class Dictionary:
    words: frozenset[str]  # tone keys of multi-syllable words
    by_fold: dict[str, tuple[str, ...]]  # accent fold → the words spelled with those letters


@cache
def dictionary() -> Dictionary:
    text = resources.files("pyvi").joinpath("models/words.txt").read_text(encoding="utf-8")
    words: set[str] = set()
    by_fold: dict[str, list[str]] = {}
    for line in text.splitlines():
        word = line.strip()
        if " " not in word or word != word.lower():
            continue  # single syllables and proper nouns prove nothing here
        words.add(tone_key(word))
        by_fold.setdefault(fold(word), []).append(word)
    return Dictionary(frozenset(words), {key: tuple(found) for key, found in by_fold.items()})


@dataclass(frozen=True)
class MendedText:
    text: str
    changed: int


def _checkable(tokens: list[str], start: int) -> bool:
    """Lower-case syllables only (the first word of the text may be capitalised)."""
    for offset, token in enumerate(tokens):
        word = token.strip(_PUNCTUATION)
        if not word.isalpha() or word.lower() in FUNCTION_WORDS:
            return False
        if word != word.lower() and not (start + offset == 0 and word[1:] == word[1:].lower()):
            return False
    return True


def _replacement(tokens: list[str], index: int, size: int, only_invalid: bool) -> list[str] | None:
    window = tokens[index : index + size]
    if len(window) < size or not _checkable(window, index):
        return None
    words = [token.strip(_PUNCTUATION) for token in window]
    if only_invalid and all(is_vietnamese_syllable(word) for word in words):
        return None
    phrase = " ".join(words)
    known = dictionary()
    if tone_key(phrase) in known.words:
        return None
    candidates = [w for w in known.by_fold.get(fold(phrase), ()) if mark_distance(w, phrase.lower()) <= 2]
    if len(candidates) != 1:
        return None
    fixed = candidates[0].split(" ")
    if words[0][:1].isupper():
        fixed[0] = fixed[0][:1].upper() + fixed[0][1:]
    return [token.replace(old, new) for token, old, new in zip(window, words, fixed, strict=True)]


def mend_text(text: str, *, only_invalid: bool = True) -> MendedText:
    """Replace misread two- and three-syllable words holding an invalid syllable by the
    dictionary's spelling (every phrase no word is, with ``only_invalid=False``: a guess)."""
    tokens = text.split(" ")
    changed = 0
    index = 0
    while index < len(tokens):
        for size in (3, 2):
            fixed = _replacement(tokens, index, size, only_invalid)
            if fixed is not None:
                tokens[index : index + size] = fixed
                changed += 1
                break
        index += 1
    return MendedText(" ".join(tokens), changed)


def suggest_text(text: str) -> str | None:
    """The dictionary's spelling of phrases read as valid syllables but no word, or None."""
    guess = mend_text(text, only_invalid=False)
    return guess.text if guess.changed and guess.text != text else None
