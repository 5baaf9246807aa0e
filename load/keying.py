"""What keyed entry proposes (issue 21, point 5): values that recur in a book, and the ones a
record's place in its book makes likely. A proposal is shown beside the field and taken with
one key; it is never stored unless the person takes it."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from load.schema import RecordRow
from normalize.lexicon import Syllables, family_names, given_syllables
from normalize.typed import as_typed
from normalize.vocabulary import ethnicities
from records.layouts import Layout, ValueType, value_type

CHOICES = 40  # values offered per field, the book's most frequent first
DEFAULTS = {"ethnicity": "Kinh", "nationality": "Việt Nam", "marriage_count": "1"}
_NUMBER = re.compile(r"^(\d+)(/\d{4})?$")


def is_keyed(row: RecordRow) -> bool:
    """A record with handwritten fields is keyed: its fields one after another beside their crops."""
    return any(reason.startswith("handwritten:") for reason in row.review_reasons or [])


def book_choices(session: Session, row: RecordRow, layout: Layout) -> dict[str, list[str]]:
    """Per field, the values already keyed or read in this book for fields of its value type
    (places, hamlets, ethnicity, officers and signers recur on every page), most frequent first."""
    if row.book_id is None:
        return {}
    counts: dict[ValueType, Counter[str]] = {}
    by_type = {key: value_type(key) for key in layout.field_keys()}
    wanted = {held for held in by_type.values() if held not in (ValueType.date, ValueType.number)}
    query = select(RecordRow.fields).where(RecordRow.book_id == row.book_id, RecordRow.record_id != row.record_id)
    for (fields,) in session.execute(query):
        for key, value in (fields or {}).items():
            held = value_type(key)
            if value and held in wanted:
                counts.setdefault(held, Counter())[as_typed(value, key)] += 1
    choices: dict[str, list[str]] = {}
    for key, held in by_type.items():
        found = [value for value, _ in counts.get(held, Counter()).most_common(CHOICES)]
        if key in ("signer", "officer"):  # the same people sign every page: their own column first
            own = Counter(
                as_typed(fields.get(key), key) for (fields,) in session.execute(query) if (fields or {}).get(key)
            )
            found = list(dict.fromkeys([value for value, _ in own.most_common(CHOICES)] + found))[:CHOICES]
        if found:
            choices[key] = found
    return choices


def proposals(session: Session, row: RecordRow, layout: Layout) -> dict[str, str]:
    """What each field likely holds from the book alone: the defaults (``Kinh``, ``Việt Nam``),
    the number after the previous entry's, its registration date, signer and officer. The family name from the
    father's, the declarant from a parent and the date in words are proposed on the page, from
    what is typed there."""
    found: dict[str, str] = {}
    for key in layout.field_keys():
        for ending, value in DEFAULTS.items():
            if key.endswith(ending):
                found[key] = value
    if row.book_id is None or row.page_no is None:
        return found
    earlier = session.scalars(
        select(RecordRow)
        .where(RecordRow.book_id == row.book_id)
        .where(
            (RecordRow.page_no < row.page_no) | ((RecordRow.page_no == row.page_no) & (RecordRow.row_no < row.row_no))
        )
        .order_by(RecordRow.page_no.desc(), RecordRow.row_no.desc())
        .limit(1)
    ).first()
    if earlier is not None:
        number = _NUMBER.match(str(earlier.fields.get("registration_number") or ""))
        if number and "registration_number" in layout.field_keys():
            found["registration_number"] = f"{int(number.group(1)) + 1}{number.group(2) or ''}"
        for key in ("signer", "officer"):  # the same people sign page after page
            if earlier.fields.get(key) and key in layout.field_keys():
                found[key] = as_typed(earlier.fields[key], key)
        registered = earlier.fields.get("registration_date")
        if registered and "registration_date" in layout.field_keys():
            found["registration_date"] = as_typed(registered, "registration_date")
    return found


def _by_weight(known: Syllables) -> list[str]:
    spellings = [spelling for found in known.by_fold.values() for spelling in found]
    return [spelling for spelling, _ in sorted(spellings, key=lambda found: (-found[1], found[0]))]


@cache
def completion_words() -> dict[str, list[str]]:
    """What keyed entry completes a word from, most common first: family names (a name's first
    word), given-name syllables (its other words), the 54 ethnic groups, the sexes. A completion
    is only offered: it is taken with one key (→), never in place of what is typed."""
    return {
        "family": _by_weight(family_names()),
        "given": _by_weight(given_syllables()),
        "ethnicity": sorted(set(ethnicities().values())),
        "sex": ["Nam", "Nữ"],
    }
