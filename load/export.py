"""Records out (spec section 4): JSON Lines, or CSV with one column per key."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from load.schema import RecordRow
from load.store import record_from_row
from records import REGISTRY

FORMATS = ("jsonl", "csv", "xlsx")


def exported_records(engine: Engine) -> Iterator[dict[str, Any]]:
    """Every record as a spec-section-4 object, book by book, page by page, row by row."""
    query = select(RecordRow).order_by(
        RecordRow.book_id.is_(None), RecordRow.book_id, RecordRow.page_no, RecordRow.row_no, RecordRow.record_id
    )
    with Session(engine) as session:
        for row in session.scalars(query.execution_options(yield_per=2000)):
            yield record_from_row(row).export()


def write_jsonl(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count


def csv_columns() -> list[str]:
    """Flat names of the export: ``source.page``, ``fields.full_name``, ``raw.full_name``, …"""
    keys = list(dict.fromkeys(key for layout in REGISTRY if layout.read for key in layout.field_keys()))
    head = [
        "record_id",
        "kind",
        "source.book",
        "source.page",
        "source.row",
        "source.image",
        "source.bbox",
        "source.import",
    ]
    tail = ["status", "review_reasons", "duplicate_of", "match_probability"]
    per_key = [f"{part}.{key}" for part in ("fields", "raw", "confidence") for key in keys]
    return head + tail + per_key


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, dict):
            for key, inner in value.items():
                flat[f"{name}.{key}"] = json.dumps(inner) if isinstance(inner, list) else inner
        elif isinstance(value, list):
            flat[name] = ";".join(value)
        else:
            flat[name] = value
    return flat


# A cell a spreadsheet would read as a formula (OWASP's CSV injection list): an imported value such
# as =HYPERLINK(…) must open as text, never run.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """A text value that starts like a formula gets a leading apostrophe: spreadsheets show it as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(records: Iterator[dict[str, Any]], out: IO[str]) -> int:
    """The CSV's rows; the caller opens a file as ``utf-8-sig`` so Excel on Vietnamese Windows reads UTF-8."""
    writer = csv.DictWriter(out, fieldnames=csv_columns(), extrasaction="raise")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow({name: inert(value) for name, value in flatten(record).items()})
        count += 1
    return count


def write_xlsx(records: Iterator[dict[str, Any]], path: Path) -> int:
    """One sheet, the CSV's columns, written row by row (write-only mode keeps memory flat).

    Every text is a text cell (openpyxl would write a value starting with ``=`` as a formula);
    the header row stays in view (frozen)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("records")
    sheet.freeze_panes = "A2"
    columns = csv_columns()
    sheet.append(columns)
    count = 0

    def cell(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        text = WriteOnlyCell(sheet, value=value)
        text.data_type = "s"
        return text

    for record in records:
        flat = flatten(record)
        sheet.append([cell(flat.get(column)) for column in columns])
        count += 1
    book.save(path)
    return count
