"""Read the tables officers bring: CSV (UTF-8 with or without BOM, or 8-bit) and XLSX.

8-bit files (Excel's "CSV" on an old Windows, TCVN3 and VNI text) are read as cp1252 so no
byte is lost; the normaliser then decodes the Vietnamese in each value
(:mod:`normalize.legacy`). Every problem names the file, and the row where there is one.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from records import HotichError


@dataclass
class Table:
    path: Path
    columns: list[str]
    rows: list[dict[str, str | None]]  # in file order; row numbers are ``first_row + index``
    first_row: int  # the file row (1-based, header = 1) of rows[0]
    encoding: str
    notes: list[str] = field(default_factory=list)


def _column(name: str) -> str:
    """Column names as keys: ``Record ID``, `` record_id `` and ``RECORD_ID`` are ``record_id``."""
    return "_".join(name.strip().lstrip("\ufeff").lower().split())


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _decode(data: bytes, path: Path) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    # An 8-bit file: cp1252 keeps every byte a legacy font used (0x81, 0x8D, 0x8F, 0x90 and
    # 0x9D are undefined in cp1252 and read as Latin-1 control characters).
    return data.decode("cp1252", errors="replace") if _cp1252_ok(data) else data.decode("latin-1"), "8-bit"


def _cp1252_ok(data: bytes) -> bool:
    return not any(byte in data for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D))


def read_csv(path: Path) -> Table:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise HotichError(
            "file_unreadable", f"cannot read {path} ({error.strerror})", fix="check the path", where=str(path)
        ) from error
    text, encoding = _decode(data, path)
    if not text.strip():
        raise HotichError("file_empty", f"{path.name} is empty", fix="export the records again", where=str(path))
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = [_column(column) for column in next(reader)]
    rows: list[dict[str, str | None]] = []
    for values in reader:
        if not any(value.strip() for value in values):
            rows.append({})  # keep numbering: a blank line is reported, not renumbered
            continue
        padded = values + [""] * (len(header) - len(values))
        row = {column: _cell(value) for column, value in zip(header, padded, strict=False)}
        if len(values) > len(header):
            row["__extra__"] = ",".join(values[len(header) :])
        rows.append(row)
    notes = ["read as an 8-bit file (not UTF-8): legacy Vietnamese text is decoded value by value"]
    return Table(path, header, rows, 2, encoding, notes if encoding == "8-bit" else [])


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds
        raise HotichError(
            "file_unreadable",
            f"{path.name} is not a readable XLSX file ({error})",
            fix="save it again from Excel as .xlsx, or as CSV UTF-8",
            where=str(path),
        ) from error
    names = workbook.sheetnames
    with_data = [name for name in names if workbook[name].max_row and workbook[name].max_row > 1]
    if sheet is None and len(with_data) > 1:
        raise HotichError(
            "xlsx_several_sheets",
            f"{path.name} has {len(with_data)} sheets with data: {', '.join(with_data)}",
            fix="choose one with --sheet NAME",
            where=str(path),
        )
    chosen = sheet or (with_data[0] if with_data else names[0])
    if chosen not in names:
        raise HotichError(
            "xlsx_no_sheet", f"{path.name} has no sheet {chosen!r}", fix=f"sheets: {', '.join(names)}", where=str(path)
        )
    values = list(workbook[chosen].iter_rows(values_only=True))
    workbook.close()
    if not values or not any(cell is not None for cell in values[0]):
        raise HotichError(
            "file_empty", f"{path.name}, sheet {chosen!r}, is empty", fix="export the records again", where=str(path)
        )
    header = [_column(str(cell)) if cell is not None else "" for cell in values[0]]
    rows = [
        {column: _cell(cell) for column, cell in zip(header, row, strict=False) if column}
        if any(cell is not None for cell in row)
        else {}
        for row in values[1:]
    ]
    return Table(path, header, rows, 2, "xlsx", [f"sheet {chosen!r}"])


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """A CSV or XLSX file as rows of column → text."""
    if not path.exists():
        raise HotichError("file_missing", f"no such file: {path}", fix="check the path", where=str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(path, sheet)
    return read_csv(path)
