"""The record vocabulary every stage imports: kinds, field keys, the layout registry, models.

Everything here follows ``docs/spec/records.md`` (record contract v2).
"""

from records.errors import HotichError
from records.layouts import (
    DATE_FIELDS,
    LAYOUTS,
    NAME_FIELDS,
    REGISTRY,
    Kind,
    Layout,
    LayoutColumn,
    Structure,
    ValueType,
    field_keys,
    layout_of,
    ledger,
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
    "REGISTRY",
    "BirthFields",
    "BookManifest",
    "DeathFields",
    "HotichError",
    "Kind",
    "Layout",
    "LayoutColumn",
    "Locality",
    "MarriageFields",
    "Record",
    "RecordSource",
    "Status",
    "Structure",
    "ValueType",
    "field_keys",
    "fields_model",
    "layout_of",
    "ledger",
    "record_id_for",
]
