"""What a person types into a field: the stored value as they would type it, and the check of
what they typed (the review and keyed-entry pages, and the one write path behind them)."""

from __future__ import annotations

import re
from typing import Any

from normalize.dates import format_vn_date, parse_vn_date
from normalize.record import normalize_field
from normalize.result import Normalized
from records.layouts import ValueType, value_type

_SEX_WRITTEN = {"male": "Nam", "female": "Nữ"}
# A typed value with one of these is refused: it never replaces a stored value.
REFUSING = frozenset(
    {
        "invalid_date",
        "unparsed_date",
        "year_out_of_range",
        "invalid_time",
        "invalid_number",
        "invalid_sex",
        "digits_in_name",
        "wrong_field",
    }
)
# Keys whose value holds no date: a date typed there was typed into the wrong box.
_NO_DATE = (ValueType.name, ValueType.place, ValueType.ethnicity, ValueType.sex)
_DATE_LIKE = re.compile(r"^\s*\d{1,4}(\s*[/.\-]\s*\d{1,4}){1,2}\s*$")


def as_typed(value: Any, key: str) -> str:
    """A canonical value as a reviewer types it: ``15/03/1998``, ``Nam``/``Nữ``."""
    if value is None:
        return ""
    if value_type(key) is ValueType.date and isinstance(value, str):
        return format_vn_date(value)
    if value_type(key) is ValueType.sex:
        return _SEX_WRITTEN.get(str(value), str(value))
    return str(value)


_DIGITS_ONLY = re.compile(r"^\s*(\d{6}|\d{8})\s*$")


def expand_typed_date(text: str) -> str:
    """A date keyed as digits alone, as it is fastest to type: ``150308`` → ``15/03/08``,
    ``15032008`` → ``15/03/2008`` (day, month, year). Anything else is returned as it is.
    Only for what a person keys: OCR's digits are never split this way."""
    found = _DIGITS_ONLY.match(text)
    if not found:
        return text
    digits = found.group(1)
    return f"{digits[:2]}/{digits[2:4]}/{digits[4:]}"


def check_typed(key: str, text: str, *, reference_year: int | None) -> Normalized:
    """The normaliser's view of a typed value, with ``wrong_field`` for a date typed into a box
    that holds none (a name, a place, the ethnicity, the sex). A date field takes its date keyed
    as digits alone (:func:`expand_typed_date`)."""
    if value_type(key) is ValueType.date:
        text = expand_typed_date(text)
    result = normalize_field(key, text, reference_year=reference_year)
    dated = _DATE_LIKE.match(text) and parse_vn_date(text, reference_year=reference_year).value
    if value_type(key) in _NO_DATE and dated:
        return Normalized(result.value, ("wrong_field", *result.issues))
    return result


def refusal(text: str, result: Normalized) -> tuple[str, ...]:
    """Why a typed value must not be stored (empty: it may be)."""
    if not text.strip():
        return ()
    if result.value is None:
        return result.issues or ("unparsed",)
    return tuple(issue for issue in result.issues if issue in REFUSING)
