"""The record vocabulary every stage imports: kinds, field keys, ledger layouts, models.

Everything here follows ``docs/spec/records.md`` (record contract v2).
"""

from records.errors import HotichError
from records.layouts import (
    DATE_FIELDS,
    LAYOUTS,
    NAME_FIELDS,
    Kind,
    LayoutColumn,
    field_keys,
)
from records.models import (
    BirthFields,
    BookManifest,
    DeathFields,
    Locality,
    MarriageFields,
    Record,
    RecordSource,
    Status,
    fields_model,
    record_id_for,
)

__all__ = [
    "DATE_FIELDS",
    "LAYOUTS",
    "NAME_FIELDS",
    "BirthFields",
    "BookManifest",
    "DeathFields",
    "HotichError",
    "Kind",
    "LayoutColumn",
    "Locality",
    "MarriageFields",
    "Record",
    "RecordSource",
    "Status",
    "field_keys",
    "fields_model",
    "record_id_for",
]
