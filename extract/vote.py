"""Choose between the readings of one cell, and say how sure we are.

Each cell is read from two renderings that fail differently. A reading that is valid
for its field (a name of real Vietnamese syllables, a date that parses) beats one that
is not; agreement between renderings is the strongest sign that a reading is right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from extract.tesseract import Reading
from normalize.dates import parse_vn_date
from normalize.lexicon import known_name_share, mend_name, suggest_name
from normalize.syllables import is_vietnamese_syllable
from normalize.text import clean_text, fold
from normalize.values import normalize_registration_number, normalize_sex
from normalize.vocabulary import is_known_ethnicity, mend_ethnicity
from normalize.words import mend_text, suggest_text
from records.layouts import REGISTRY, Layout, ValueType, value_type

DISAGREEMENT_CAP = 0.6  # confidence of a reading the other rendering contradicts
MENDED_CAP = 0.85  # confidence of a name whose invalid syllables the lexicon had to mend


@dataclass(frozen=True)
class CellText:
    """What a cell says: ``text`` for the normaliser, ``raw`` as OCR read it, and a likelier
    spelling a person may take (``suggestion``), never put in the value by itself."""

    text: str
    raw: str
    confidence: float
    suggestion: str | None = None
    handwritten: bool = False  # written by hand (extract/handwriting.py): not guessed, keyed by a person


@dataclass(frozen=True)
class _Candidate:
    text: str
    raw: str
    confidence: float
    plausibility: float
    suggestion: str | None = None


def _name_candidate(reading: Reading) -> _Candidate:
    raw = clean_text(reading.text)
    mended = mend_name(raw)
    syllables = mended.text.split()
    valid = sum(is_vietnamese_syllable(s) for s in syllables) / max(1, len(syllables))
    confidence = reading.confidence
    if mended.changed:
        confidence = min(confidence, MENDED_CAP if mended.sure else DISAGREEMENT_CAP)
    plausibility = valid + known_name_share(mended.text)
    return _Candidate(mended.text, raw, confidence, plausibility, suggest_name(mended.text))


def _plausibility(key: str, text: str) -> float:
    if value_type(key) is ValueType.date:
        parsed = parse_vn_date(text)
        return 1.0 if parsed.value and not parsed.issues else 0.0
    if value_type(key) is ValueType.number:
        return 0.0 if normalize_registration_number(text).issues else 1.0
    if value_type(key) is ValueType.sex:
        return 0.0 if normalize_sex(text).issues else 1.0
    return 0.0


def _ethnicity_candidate(reading: Reading) -> _Candidate:
    raw = clean_text(reading.text)
    if is_known_ethnicity(raw):
        return _Candidate(raw, raw, reading.confidence, 1.0)
    mended = mend_ethnicity(raw)
    if mended is None:
        return _Candidate(raw, raw, reading.confidence, 0.0)
    return _Candidate(mended, raw, min(reading.confidence, MENDED_CAP), 0.5)


def _text_candidate(reading: Reading) -> _Candidate:
    raw = clean_text(reading.text)
    mended = mend_text(raw)
    confidence = min(reading.confidence, MENDED_CAP) if mended.changed else reading.confidence
    plausibility = 0.0 if mended.changed else 1.0
    return _Candidate(mended.text, raw, confidence, plausibility, suggest_text(mended.text))


CONFIRMED = 0.97  # a date whose figures and words were read apart and agree


def _date_candidate(reading: Reading) -> _Candidate:
    text = clean_text(reading.text)
    parsed = parse_vn_date(text)
    plausible = parsed.value is not None and not parsed.issues
    # Figures and words are two readings of one date: when both parse and agree, OCR got it.
    confirmed = plausible and "(" in text and any(char.isdigit() for char in text.split("(")[0])
    confidence = max(reading.confidence, CONFIRMED) if confirmed else reading.confidence
    return _Candidate(text, text, confidence, 1.0 if plausible else 0.0)


def _candidate(key: str, reading: Reading) -> _Candidate:
    if value_type(key) is ValueType.date:
        return _date_candidate(reading)
    if value_type(key) is ValueType.name:
        return _name_candidate(reading)
    if value_type(key) is ValueType.ethnicity:
        return _ethnicity_candidate(reading)
    if value_type(key) in (ValueType.text, ValueType.place):
        return _text_candidate(reading)
    text = clean_text(reading.text)
    return _Candidate(text, text, reading.confidence, _plausibility(key, text))


SURE = 0.88  # a plausible reading at least this confident is not read a second time
SURE_DIGITS = 0.96  # digits: one wrong stroke is another number, and they are cheap to read again


def needs_second_look(key: str, reading: Reading) -> bool:
    """Is one reading of this cell too doubtful to stand alone?"""
    candidate = _candidate(key, reading)
    sure = SURE_DIGITS if value_type(key) in (ValueType.date, ValueType.number) else SURE
    if candidate.confidence < sure or candidate.text != clean_text(reading.text) or candidate.suggestion:
        return True  # another rendering may read the mark the statistics expect, or confirm this one
    if value_type(key) is ValueType.name:
        return candidate.plausibility < 2.0  # an impossible or unknown syllable
    if value_type(key) in (ValueType.date, ValueType.number, ValueType.sex, ValueType.ethnicity):
        return candidate.plausibility < 1.0
    return False


def second_renderings(key: str) -> tuple[int, ...]:
    """Which renderings of ``prepare_variants`` a doubtful cell is read in again.

    Digits misread in small type read right when large, and names and digits gain from a
    three-way vote; places and vocabulary fields are read once more binarised.
    """
    if value_type(key) in (ValueType.date, ValueType.number, ValueType.name):
        return (1, 2)
    if value_type(key) is ValueType.text:
        return ()  # below SURE it goes to a person whatever a second reading says
    return (1,)


def settled(key: str, readings: Sequence[Reading]) -> bool:
    """Do two readings agree on a text that is plausible for the field?"""
    candidates = [_candidate(key, reading) for reading in readings]
    checked = value_type(key) in (ValueType.date, ValueType.number, ValueType.name)
    texts = [c.text for c in candidates if c.plausibility > 0 or not checked]
    return any(texts.count(text) >= 2 for text in texts)


def choose_reading(key: str, readings: Sequence[Reading]) -> CellText:
    """The likeliest text of a cell from its renderings' readings."""
    candidates = [_candidate(key, reading) for reading in readings]
    votes = {c.text: sum(other.text == c.text for other in candidates) for c in candidates}
    best = max(candidates, key=lambda c: (c.plausibility, votes[c.text], c.confidence))
    confidence = best.confidence
    if any(c.text != best.text for c in candidates):
        confidence = min(confidence, DISAGREEMENT_CAP)
    return CellText(best.text, best.raw, round(confidence, 3), best.suggestion)


def header_score(header: Sequence[str], layout: Layout) -> float:
    """How well OCR'd column headings read as the layout's printed labels, 0 to 1."""
    labels = [fold(column.label) for column in layout.columns]
    if len(header) != len(labels):
        return 0.0
    return sum(
        SequenceMatcher(None, fold(text), label).ratio() for text, label in zip(header, labels, strict=True)
    ) / len(labels)


def header_scores(header: Sequence[str]) -> dict[str, float]:
    """How well the OCR'd column headings read as each ruled-row layout's labels, by layout id."""
    return {layout.id: header_score(header, layout) for layout in REGISTRY if layout.structure == "row"}


def header_matches(header: Sequence[str], layout: Layout) -> bool:
    """Do the OCR'd column headings read as this layout's labels, better than any other's?"""
    scores = header_scores(header)
    mine = scores.get(layout.id, header_score(header, layout))
    return mine >= 0.5 and all(mine >= score - 0.02 for score in scores.values())
