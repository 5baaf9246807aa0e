"""Rules across the fields of a record, and across the records of a book.

They flag, never change: a record that breaks one goes to review with the rule's code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from normalize.names import split_name
from records import Kind

# (earlier field, later field, issue on the later field)
_ORDER: dict[Kind, tuple[tuple[str, str, str], ...]] = {
    Kind.birth: (("birth_date", "registration_date", "registered_before_birth"),),
    Kind.death: (
        ("birth_date", "death_date", "death_before_birth"),
        ("death_date", "registration_date", "registered_before_death"),
        ("birth_date", "registration_date", "registered_before_birth"),
    ),
    Kind.marriage: (
        ("husband_birth_date", "registration_date", "registered_before_birth"),
        ("wife_birth_date", "registration_date", "registered_before_birth"),
    ),
}
# Middle names that say the sex: Thị for women, Văn for men (strong cues, not rules of law).
_FEMALE_MIDDLE = frozenset({"thị"})
_MALE_MIDDLE = frozenset({"văn"})
_NUMBER = re.compile(r"^(\d+)")


def _before(earlier: str, later: str) -> bool:
    """Is ``later`` strictly before ``earlier``, at the precision both dates have?"""
    size = min(len(earlier), len(later))
    return later[:size] < earlier[:size]


def record_rules(kind: Kind, fields: Mapping[str, str | None], *, book_year: int | None) -> dict[str, list[str]]:
    """Issues per field key from the rules between the fields of one record."""
    issues: dict[str, list[str]] = {}
    for earlier, later, code in _ORDER[kind]:
        first, second = fields.get(earlier), fields.get(later)
        if first and second and _before(first, second):
            issues.setdefault(later, []).append(code)
    registered = fields.get("registration_date")
    if book_year and registered and int(registered[:4]) != book_year:
        issues.setdefault("registration_date", []).append("not_in_book_year")
    figures, words = fields.get("birth_date"), fields.get("birth_date_in_words")
    if figures and words and figures != words:  # layouts.md, form: both kept, a person decides
        issues.setdefault("birth_date_in_words", []).append("date_words_disagree")
    name, sex = fields.get("full_name"), fields.get("sex")
    if name and sex:
        middle = {word.lower() for word in split_name(name).middle.split()}
        if (sex == "male" and middle & _FEMALE_MIDDLE) or (sex == "female" and middle & _MALE_MIDDLE):
            issues.setdefault("sex", []).append("sex_name_mismatch")
    return issues


def number_sequence_issues(numbers: Iterable[tuple[str, str | None]]) -> dict[str, str]:
    """Registration numbers of one book in page/row order → ``number_repeated`` / ``number_gap``.

    ``numbers`` are (record_id, registration number). A number seen before in the book is
    repeated; a number that does not follow the one before it (a row may be missing, or the
    number misread) is a gap. Numbers with a suffix (``12a``) share the sequence of ``12``.
    """
    found: dict[str, str] = {}
    seen: set[str] = set()
    previous: int | None = None
    for record_id, number in numbers:
        if not number:
            continue
        if number in seen:
            found[record_id] = "number_repeated"
        seen.add(number)
        match = _NUMBER.match(number)
        if not match:
            continue
        value = int(match.group(1))
        suffixed = number != match.group(1)
        if previous is not None and record_id not in found:
            expected = (previous, previous + 1) if suffixed else (previous + 1,)
            if value not in expected:
                found[record_id] = "number_gap"
        previous = value
    return found
