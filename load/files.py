"""Read the tables officers bring: CSV (UTF-8 with or without BOM, or 8-bit) and XLSX.

8-bit files (Excel's "CSV" on an old Windows, TCVN3 and VNI text) are read as cp1252 so no
byte is lost; the normaliser then decodes the Vietnamese in each value
(:mod:`normalize.legacy`). Every problem names the file, and the row where there is one.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from records import HotichError

Row = dict[str, str | None]  # column → text; empty for a blank line (kept, so rows keep their numbers)
ROW_PROBLEM = "__problem__"  # a row that could not be read as values: why (the import reports it)
MAX_FIELD = 100_000  # characters in one CSV value: far past any record's, far short of a 10 MB one
csv.field_size_limit(MAX_FIELD)


@dataclass
class Table:
    """A file's header, read; its rows are read from the file each time they are asked for, so
    a province's file (millions of rows) is never held in memory."""

    path: Path
    columns: list[str]
    rows: Callable[[], Iterator[Row]]  # the rows in file order, read again at each call
    first_row: int  # the file row (1-based, header = 1) of the first row
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


CHUNK = 1 << 20  # bytes read at a time to find a file's encoding


def _encoding(path: Path) -> tuple[str, str, str]:
    """(name, Python codec, error handling) of a CSV file, found in one pass over its bytes."""
    with path.open("rb") as handle:
        start = handle.read(3)
        if start.startswith(b"\xef\xbb\xbf"):
            return "utf-8-sig", "utf-8-sig", "strict"
        handle.seek(0)
        decoder, utf8, cp1252 = codecs.getincrementaldecoder("utf-8")(), True, True
        while chunk := handle.read(CHUNK):
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            cp1252 = cp1252 and _cp1252_ok(chunk)
        if utf8:
            try:
                decoder.decode(b"", final=True)
                return "utf-8", "utf-8", "strict"
            except UnicodeDecodeError:
                pass
    if start.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "utf-16", "strict"
    if _reads_as_cp1258(path):
        return "cp1258", "cp1258", "replace"
    # An 8-bit file: cp1252 keeps every byte a legacy font used (0x81, 0x8D, 0x8F, 0x90 and
    # 0x9D are undefined in cp1252 and read as Latin-1 control characters).
    return ("8-bit", "cp1252", "replace") if cp1252 else ("8-bit", "latin-1", "strict")


_CP1258_TONES = frozenset(b"\xcc\xec\xd2\xde\xf2")  # its combining tone marks: grave, acute, hook, tilde, dot


def _reads_as_cp1258(path: Path) -> bool:
    """Windows-1258, Vietnamese Windows' code page, writes tones as combining marks after the letter:
    read as cp1252 it was mojibake (``NguyêÞn``). Taken when its Vietnamese words outnumber, by far,
    those of the cp1252 reading with the legacy decoders applied."""
    from normalize.legacy import _score, repair_text

    with path.open("rb") as handle:
        sample = handle.read(CHUNK)
    if not _CP1258_TONES.intersection(sample):
        return False
    as_1258 = unicodedata.normalize("NFC", sample.decode("cp1258", errors="replace"))
    as_1252 = " ".join(repair_text(line).text for line in sample.decode("cp1252", errors="replace").splitlines())
    words_1258 = " ".join(word for word in re.findall(r"\w+", as_1258) if not word.isascii())
    words_1252 = " ".join(word for word in re.findall(r"\w+", as_1252) if not word.isascii())
    good, bad = _score(words_1258)
    return good >= 4 * max(1, bad) and good > _score(words_1252)[0]


def _cp1252_ok(data: bytes) -> bool:
    return not any(byte in data for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D))


def _nfc(lines: Iterable[str]) -> Iterator[str]:
    """cp1258's letters and combining tones composed (NFC), as every value is stored."""
    for line in lines:
        yield unicodedata.normalize("NFC", line)


def _rows_of(values: list[str], header: list[str], dialect: Any) -> Iterator[Row]:
    """One CSV record as a row; a record an unterminated quote ran on into the next lines (a
    value holding line breaks and the delimiter) is reported, and those lines read as rows again,
    so the rows it swallowed are loaded, not lost."""
    if not any(value.strip() for value in values):
        yield {}  # keep numbering: a blank line is reported, not renumbered
        return
    broken = next(
        (i for i, value in enumerate(values) if ("\n" in value or "\r" in value) and dialect.delimiter in value), None
    )
    if broken is not None:
        yield {ROW_PROBLEM: "a quote is not closed: the row ran on into the next lines and is not loaded"}
        swallowed = values[broken].replace("\r\n", "\n").replace("\r", "\n").split("\n")[1:]
        rest = dialect.delimiter.join(values[broken + 1 :])
        text = "\n".join(swallowed) + (dialect.delimiter + rest if rest else "")
        for inner in csv.reader(io.StringIO(text), dialect):
            yield from _rows_of(inner, header, dialect)
        return
    padded = values + [""] * (len(header) - len(values))
    row: Row = {column: _cell(value) for column, value in zip(header, padded, strict=False)}
    if len(values) > len(header):
        row["__extra__"] = ",".join(values[len(header) :])
    yield row


def read_csv(path: Path) -> Table:
    try:
        encoding, codec, errors = _encoding(path)
        with path.open(encoding=codec, errors=errors, newline="") as handle:
            sample = handle.read(8192)
            if not sample.strip() and not any(line.strip() for line in handle):
                raise HotichError(
                    "file_empty", f"{path.name} is empty", fix="export the records again", where=str(path)
                )
            try:
                dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            handle.seek(0)
            header = [_column(column) for column in next(csv.reader(handle, dialect))]
    except OSError as error:
        raise _unreadable(path, error) from error

    def rows() -> Iterator[Row]:
        with path.open(encoding=codec, errors=errors, newline="") as handle:
            reader = csv.reader(_nfc(handle) if codec == "cp1258" else handle, dialect)
            next(reader)
            while True:
                try:
                    values = next(reader)
                except StopIteration:
                    break
                except csv.Error as error:  # a value past MAX_FIELD: that row is reported, the rest read
                    yield {ROW_PROBLEM: f"unreadable row ({error}; a value has at most {MAX_FIELD:,} characters)"}
                    continue
                yield from _rows_of(values, header, dialect)

    notes = ["read as an 8-bit file (not UTF-8): legacy Vietnamese text is decoded value by value"]
    if encoding == "cp1258":
        notes = ["read as Windows-1258 (Vietnamese Windows): letters and tone marks composed"]
    return Table(path, header, rows, 2, encoding, notes if encoding in ("8-bit", "cp1258") else [])


MAX_XLSX_UNPACKED = 2 << 30  # bytes of XML inside an XLSX: a province's million rows fit
MAX_XLSX_RATIO = 200  # unpacked / packed: real sheets pack 5-20 times; a bomb thousands of times


def _check_xlsx_size(path: Path) -> None:
    """Refuse an XLSX that would unpack to far more than it holds (a 490 kB file with a 500 MB
    cell took more than 4 GB) before openpyxl reads a byte of it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip: openpyxl's own error names the file
    packed = max(1, path.stat().st_size)
    if unpacked > MAX_XLSX_UNPACKED or unpacked > MAX_XLSX_RATIO * packed + (64 << 20):
        raise HotichError(
            "file_too_large",
            f"{path.name} unpacks to {unpacked:,} bytes from {packed:,}: too much for a sheet of records",
            fix="save the sheet again from Excel (a cell holds at most 32,767 characters there)",
            where=str(path),
        )


def read_xlsx(path: Path, sheet: str | None = None) -> Table:
    from openpyxl import load_workbook

    _check_xlsx_size(path)
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
    first = next(workbook[chosen].iter_rows(values_only=True), None)
    workbook.close()
    if not first or not any(cell is not None for cell in first):
        raise HotichError(
            "file_empty", f"{path.name}, sheet {chosen!r}, is empty", fix="export the records again", where=str(path)
        )
    header = [_column(str(cell)) if cell is not None else "" for cell in first]

    def rows() -> Iterator[Row]:
        workbook = load_workbook(path, read_only=True, data_only=True)  # read-only: streamed from the file
        try:
            values = workbook[chosen].iter_rows(values_only=True)
            next(values)
            for row in values:
                if any(cell is not None for cell in row):
                    yield {column: _cell(cell) for column, cell in zip(header, row, strict=False) if column}
                else:
                    yield {}
        finally:
            workbook.close()

    return Table(path, header, rows, 2, "xlsx", [f"sheet {chosen!r}"])


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """A CSV or XLSX file as rows of column → text.

    The rows are read from the file at each call (an import reads them twice), so each reading
    checks that the file is still the one whose header was read: the same size and time of last
    change when it starts and when it ends. A file still being copied or saved while it is
    imported stops the import with a clear error, not with rows counted in one version and
    loaded from another."""
    if not path.exists():
        raise HotichError("file_missing", f"no such file: {path}", fix="check the path", where=str(path))
    stamp = _stamp(path)
    table = read_xlsx(path, sheet) if path.suffix.lower() in (".xlsx", ".xlsm") else read_csv(path)
    read = table.rows

    def rows() -> Iterator[Row]:
        _check_unchanged(path, stamp)
        yield from read()
        _check_unchanged(path, stamp)

    return replace(table, rows=rows)


def _stamp(path: Path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns


def _check_unchanged(path: Path, stamp: tuple[int, int]) -> None:
    try:
        now = _stamp(path)
    except OSError as error:
        raise _unreadable(path, error) from error
    if now != stamp:
        raise file_changed(path, f"size {stamp[0]:,} bytes, now {now[0]:,}")


def _unreadable(path: Path, error: OSError) -> HotichError:
    return HotichError(
        "file_unreadable", f"cannot read {path} ({error.strerror})", fix="check the path", where=str(path)
    )


def file_changed(path: Path, detail: str) -> HotichError:
    return HotichError(
        "file_changed",
        f"{path.name} changed while it was being read ({detail})",
        fix="import it again once it is written whole: the rows already loaded are not loaded twice",
        where=str(path),
    )
