"""What hotich will make of a file's values: each value, its canonical form, keys and issues."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from normalize.names import split_name
from normalize.record import ReviewSettings, normalize_record
from normalize.text import fold, tone_key
from records import Kind, field_keys
from records.layouts import ValueType, value_type


@dataclass(frozen=True)
class ValueCheck:
    row: int  # the file row (header = 1)
    key: str
    written: str | None
    value: str | None
    keys: str  # name: parts and both keys; place: the resolved units
    issues: tuple[str, ...]


def check_row(
    row_no: int, kind: Kind, values: Mapping[str, str | None], *, book_year: int | None
) -> Iterator[ValueCheck]:
    """Every field of one row: written, normalised, keys and issues (record rules included)."""
    result = normalize_record(kind, values, {}, reference_year=book_year, settings=ReviewSettings())
    for key in field_keys(kind):
        written = values.get(key)
        value = result.fields.get(key)
        if written is None and value is None:
            continue
        keys = ""
        if value_type(key) is ValueType.name and value:
            parts = split_name(value)
            keys = f"họ={parts.family} | đệm={parts.middle} | tên={parts.given}"
            keys += f" | key={tone_key(value)} | fold={fold(value)}"
        elif key in result.places:
            place = result.places[key]
            keys = f"then={place['then']} | today={place['today']}" + (
                f" ({place['reason']})" if place["reason"] else ""
            )
        yield ValueCheck(row_no, key, written, value, keys, result.issues.get(key, ()))
