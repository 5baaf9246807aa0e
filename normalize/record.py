"""A whole record: each field normalised, then one place decides its review status."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from normalize.dates import parse_vn_date
from normalize.names import normalize_name, tone_unsure
from normalize.places import is_known_place, resolve_place
from normalize.result import Normalized
from normalize.rules import record_rules
from normalize.values import (
    normalize_count,
    normalize_ethnicity,
    normalize_place,
    normalize_registration_number,
    normalize_sex,
    normalize_text,
)
from records import Kind, Status
from records.layouts import Layout, ValueType, ledger, value_type


def layout_for(shape: Kind | Layout) -> Layout:
    """A layout as given; a kind alone (a record with no book, an imported one) is its ledger."""
    return shape if isinstance(shape, Layout) else ledger(shape)


class ReviewSettings(BaseModel):
    """Thresholds of review routing: a field read with less confidence goes to a person.

    Fields whose reading is checked against Vietnamese (names, dates, numbers, sex, the
    ethnic groups, places that are real administrative units) use ``min_confidence``;
    other places and open text, which nothing checks, use the stricter
    ``min_confidence_text``. Calibrated with bench/calibrate.py on generated books: at 0.86 a
    name OCR read unsurely and the name statistics mended (confidence 0.85) goes to a person.
    """

    min_confidence: float = Field(default=0.86, ge=0.0, le=1.0)
    min_confidence_text: float = Field(default=0.95, ge=0.0, le=1.0)

    def threshold(self, key: str, value: str | None) -> float:
        """A place that is a real administrative unit counts as checked."""
        held = value_type(key)
        if held is ValueType.text or (held is ValueType.place and not is_known_place(value)):
            return self.min_confidence_text
        return self.min_confidence


@dataclass(frozen=True)
class NormalizedRecord:
    fields: dict[str, str | None]
    issues: dict[str, tuple[str, ...]]
    status: Status
    review_reasons: list[str]
    places: dict[str, dict[str, str | None]]
    suggestions: dict[str, str] = field(default_factory=dict)


# The date that tells which administrative units a place was written under.
_PLACE_DATE = {
    "birth_place": "birth_date",
    "death_place": "death_date",
    "residence": "death_date",
    "husband_residence": "registration_date",
    "wife_residence": "registration_date",
}


def resolve_places(fields: Mapping[str, str | None]) -> dict[str, dict[str, str | None]]:
    """Each written place resolved to the unit of its event date and today's unit."""
    resolved = {}
    for key in fields:
        if value_type(key) is ValueType.place and fields.get(key):
            date = fields.get(_PLACE_DATE.get(key, "registration_date")) or fields.get("registration_date")
            resolved[key] = resolve_place(fields[key], date).as_dict()
    return resolved


_NORMALIZERS: dict[ValueType, Callable[[str | None], Normalized]] = {
    ValueType.name: normalize_name,
    ValueType.sex: normalize_sex,
    ValueType.number: normalize_registration_number,
    ValueType.ethnicity: normalize_ethnicity,
    ValueType.place: normalize_place,
    ValueType.text: normalize_text,
    ValueType.times: normalize_count,
}


def normalize_field(key: str, raw: str | None, *, reference_year: int | None) -> Normalized:
    """Pick the normaliser for ``key`` by the value type its layout gives it."""
    held = value_type(key)
    if held is ValueType.date:
        return parse_vn_date(raw, reference_year=reference_year)
    return _NORMALIZERS[held](raw)


def review_reasons(
    shape: Kind | Layout,
    fields: Mapping[str, str | None],
    issues: Mapping[str, tuple[str, ...]],
    confidence: Mapping[str, float],
    settings: ReviewSettings,
) -> list[str]:
    """Every reason a person must look at this record (empty: accept it)."""
    reasons = [f"{issue}:{key}" for key, found in issues.items() for issue in found]
    for key, value in confidence.items():
        if value < settings.threshold(key, fields.get(key)):
            reasons.append(f"low_confidence:{key}")
    reasons += ocr_name_reasons(fields, confidence)
    reasons += [f"missing:{key}" for key in layout_for(shape).required if not fields.get(key)]
    return sorted(set(reasons), key=reasons.index)


def ocr_name_reasons(fields: Mapping[str, str | None], confidence: Mapping[str, float]) -> list[str]:
    """``tone_unsure:<key>`` for a name OCR read (it has a confidence) whose tone marks OCR may
    have confused with another real name's; imported and reviewed values are not OCR's."""
    return [
        f"tone_unsure:{key}"
        for key in fields
        if value_type(key) is ValueType.name
        if key in confidence and confidence[key] < 1.0 and fields.get(key) and tone_unsure(fields[key] or "")
    ]


def normalize_record(
    shape: Kind | Layout,
    raw: Mapping[str, str | None],
    confidence: Mapping[str, float],
    *,
    reference_year: int | None,
    settings: ReviewSettings,
    field_normalizer: Callable[..., Normalized] = normalize_field,
    suggested: Mapping[str, str | None] | None = None,
) -> NormalizedRecord:
    """Normalise every field of a record of the layout (or a kind's ledger) and route it.

    ``suggested`` holds likelier spellings of what OCR read (from name statistics or the word
    list): each is normalised and kept beside the value, never in it, and sends the record to
    a person (``suggestion:<key>``) who takes it with one key or leaves it.

    Without a book's year (a held record), a two-digit year resolves against the record's own
    registration year: nothing it registers happened after it (``15/3/98`` registered in 2001)."""
    layout = layout_for(shape)
    kind = layout.kind
    fields: dict[str, str | None] = {}
    issues: dict[str, tuple[str, ...]] = {}
    if reference_year is None and raw.get("registration_date"):
        registered = field_normalizer("registration_date", raw.get("registration_date"), reference_year=None)
        if registered.value and "two_digit_year" not in registered.issues:
            reference_year = int(registered.value[:4])
    for key in layout.field_keys():
        result = field_normalizer(key, raw.get(key), reference_year=reference_year)
        fields[key] = result.value
        if result.issues:
            issues[key] = result.issues
    for key, found in record_rules(kind, fields, book_year=reference_year).items():
        issues[key] = (*issues.get(key, ()), *found)
    suggestions = {}
    for key, text in (suggested or {}).items():
        offered = field_normalizer(key, text, reference_year=reference_year).value if text else None
        if offered and offered != fields.get(key):
            suggestions[key] = offered
    reasons = review_reasons(layout, fields, issues, confidence, settings)
    reasons += [f"suggestion:{key}" for key in suggestions if f"suggestion:{key}" not in reasons]
    status = Status.needs_review if reasons else Status.auto_accepted
    return NormalizedRecord(fields, issues, status, reasons, resolve_places(fields), suggestions)
