"""Existing electronic records in (spec section 5): validated row by row, loaded idempotently.

Columns: ``record_id``, ``kind``, then any field keys of spec section 2. Each value goes
through the same normaliser as an OCR'd cell (legacy encodings, dates in any form); the
value as written is kept in ``raw``. A bad row is reported by file and row number with its
reason and loaded no part of; the good rows are loaded. Importing the same file again
changes nothing; a record a person reviewed or rejected is never overwritten.

The file is read twice and never held whole: first its record ids (an id written twice is a
problem wherever the second is), then its rows, a batch at a time.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import JSON, Dialect, Engine, TypeDecorator, bindparam, insert, select
from sqlalchemy.orm import Session

from load.files import ROW_PROBLEM, Table, file_changed, read_table
from load.linkage import link_imported
from load.moj_import import ministry_table
from load.moj_template import load_template
from load.schema import RECORDS, RecordRow
from load.search import indexed_in_bulk
from load.store import DECIDED, key_columns
from normalize.record import ReviewSettings, normalize_record
from normalize.text import fold
from records import HotichError, Kind, Status, field_keys

RECORD_ID_MAX = 64
# Kinds as Vietnamese files name them (accent-folded): khai sinh, khai tử, kết hôn, KS/KT/KH.
_KIND_NAMES = {
    "khai sinh": "birth", "ks": "birth", "birth": "birth",
    "khai tu": "death", "kt": "death", "death": "death",
    "ket hon": "marriage", "kh": "marriage", "marriage": "marriage",
}  # fmt: skip
BATCH = 10_000  # rows per transaction; 200,000 rows: 36 s, against 41 s with 5,000 and 45 s with 2,000


@dataclass(frozen=True)
class RowProblem:
    row: int  # the file's row number (header = 1)
    record_id: str | None
    reason: str

    def describe(self, path: Path) -> str:
        who = f" ({self.record_id})" if self.record_id else ""
        return f"{path.name}, row {self.row}{who}: {self.reason}"


@dataclass
class ImportSummary:
    path: Path
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_decided: int = 0
    needs_review: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicates: int = 0  # imported records linked to a digitised record already held
    possible_duplicates: int = 0  # sent to review as possibly one


def _check_columns(table: Table) -> None:
    known = {"record_id", "kind"} | {key for kind in Kind for key in field_keys(kind)}
    if "record_id" not in table.columns:
        raise HotichError(
            "import_no_record_id",
            f"{table.path.name} has no record_id column (columns: {', '.join(c for c in table.columns if c)})",
            fix="add a record_id column: the id each record has in the system it comes from",
            where=str(table.path),
        )
    if "kind" not in table.columns:
        raise HotichError(
            "import_no_kind",
            f"{table.path.name} has no kind column",
            fix="add a kind column: birth, death or marriage",
            where=str(table.path),
        )
    unknown = [column for column in table.columns if column and column not in known]
    if unknown:
        raise HotichError(
            "import_unknown_columns",
            f"{table.path.name} has columns hotich does not know: {', '.join(unknown)}",
            fix="rename them to the field keys of spec section 2, or remove them",
            where=str(table.path),
        )


def record_ids(table: Table) -> Counter[str]:
    """How often each record id is written in the file's rows (a first pass over the file)."""
    return Counter(str(row.get("record_id") or "").strip() for row in table.rows() if row)


def plan_rows(table: Table, ids: Counter[str]) -> Iterator[Planned | RowProblem]:
    """Each row of the file that is not blank, in order: as it is to be loaded (row number,
    record id, kind, values), or the problem that keeps it out. ``ids``: :func:`record_ids`."""
    for index, row in enumerate(table.rows()):
        number = table.first_row + index
        if not row:
            continue
        if ROW_PROBLEM in row:
            yield RowProblem(number, None, str(row[ROW_PROBLEM]))
            continue
        record_id = str(row.get("record_id") or "").strip()
        kind_text = _KIND_NAMES.get(fold(str(row.get("kind") or "")), str(row.get("kind") or "").strip().lower())
        if not record_id:
            yield RowProblem(number, None, "record_id is empty")
        elif not ids[record_id]:  # not in the first reading: the file is being written or edited
            raise file_changed(table.path, f"row {number}, record_id {record_id[:40]!r}, was not there before")
        elif len(record_id) > RECORD_ID_MAX:
            yield RowProblem(number, record_id[:20] + "…", f"record_id longer than {RECORD_ID_MAX}")
        elif ids[record_id] > 1:
            yield RowProblem(number, record_id, f"record_id appears {ids[record_id]} times in the file")
        elif "__extra__" in row:
            yield RowProblem(number, record_id, "more values than columns (a comma inside a value?)")
        elif kind_text not in {kind.value for kind in Kind}:
            yield RowProblem(number, record_id, f"kind {kind_text!r} is not birth, death or marriage")
        else:
            kind = Kind(kind_text)
            stray = [key for key in field_keys_outside(kind) if row.get(key)]
            if stray:
                yield RowProblem(number, record_id, f"a {kind.value} has no {', '.join(stray)}")
            else:
                yield number, record_id, kind, {key: row.get(key) for key in field_keys(kind)}


def _batches(planned: Iterator[Planned | RowProblem], problems: list[RowProblem]) -> Iterator[list[Planned]]:
    """The rows to load, BATCH at a time; the problems found on the way go to ``problems``."""
    batch: list[Planned] = []
    for item in planned:
        if isinstance(item, RowProblem):
            problems.append(item)
            continue
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


@cache
def field_keys_outside(kind: Kind) -> tuple[str, ...]:
    own = set(field_keys(kind))
    return tuple(key for other in Kind if other != kind for key in field_keys(other) if key not in own)


def import_existing(
    engine: Engine,
    path: Path,
    *,
    sheet: str | None = None,
    settings: ReviewSettings | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    template: Path | None = None,
) -> ImportSummary:
    """Load a file of existing records; see the module's docstring. A sheet whose header is the
    Ministry's column codes of one kind (``template``, else the shipped one) is read through them."""
    settings = settings or ReviewSettings()
    table = read_table(path, sheet=sheet)
    table = ministry_table(table, load_template(template)) or table
    _check_columns(table)
    in_file = record_ids(table)  # the file is read twice, and never held: duplicate ids need the whole of it
    rows = sum(in_file.values())
    summary = ImportSummary(path, rows=rows, notes=table.notes)
    if not rows:
        raise HotichError(
            "file_empty", f"{path.name} holds no records", fix="export the records again", where=str(path)
        )
    progress = on_progress or (lambda *_: None)
    source = path.name
    done = 0
    batches = _batches(plan_rows(table, in_file), summary.problems)
    for batch, prepared in _prepared_batches(batches, rows, settings):
        with Session(engine) as session, session.begin():
            ids = [record_id for _, record_id, _, _ in batch]
            held = {
                row.record_id: row for row in session.scalars(select(RecordRow).where(RecordRow.record_id.in_(ids)))
            }
            added: list[dict[str, Any]] = []
            now = dt.datetime.now(dt.UTC)
            for (number, record_id, kind, values), row in zip(batch, prepared, strict=True):
                existing = held.get(record_id)
                if existing is not None and existing.source_import is None:
                    summary.problems.append(RowProblem(number, record_id, "record_id is a digitised record's id"))
                    continue
                if existing is not None and existing.kind != kind.value:
                    summary.problems.append(
                        RowProblem(number, record_id, f"record_id was imported as a {existing.kind}")
                    )
                    continue
                status = Status.needs_review if row.needs_review else Status.auto_accepted
                summary.needs_review += status == Status.needs_review
                if existing is not None and existing.status in DECIDED:
                    summary.kept_decided += 1
                    continue
                columns: dict[str, Any] = {"kind": kind.value, "source_import": source, "status": status.value}
                columns |= {"min_confidence": 1.0, "updated_at": now, **row.keys}
                if existing is None:  # one bulk insert per batch, JSON as the worker wrote it
                    written = {f"{column}_json": getattr(row, column) for column in _JSON_COLUMNS}
                    added.append({"record_id": record_id, "version": 1, "cluster_id": record_id, **columns, **written})
                    summary.added += 1
                    continue
                if existing.raw == values and existing.fields == json.loads(row.fields):
                    summary.unchanged += 1
                    continue
                existing.version += 1
                summary.updated += 1
                columns |= {column: json.loads(getattr(row, column)) for column in _JSON_COLUMNS}
                for column, value in columns.items():
                    setattr(existing, column, value)
            if added:
                with indexed_in_bulk(session):  # Core executemany: the ORM's bulk path costs 2 s per 100,000
                    session.execute(_BULK_INSERT, added)
        done += len(batch)
        progress(done, rows)
    if engine.dialect.name == "postgresql" and summary.added + summary.updated >= BATCH:
        # Now, not when autovacuum comes round: the planner's statistics, and the visibility map
        # without which the search's covering index must read the table's rows as well.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE) records")
    summary.problems.sort(key=lambda problem: problem.row)
    for result in link_imported(engine, source):  # the order records arrive in changes no link
        summary.duplicates += result.links
        summary.possible_duplicates += result.candidates
    return summary


Planned = tuple[int, str, Kind, dict[str, str | None]]  # (file row, record id, kind, values)
PARALLEL_FROM = 20_000  # rows; below this a worker's start-up (about 3 s) costs more than it saves
AHEAD = 4  # batches a worker may normalise ahead of the writer: bounded memory
_JSON_COLUMNS = ("fields", "raw", "confidence", "issues", "review_reasons", "places")


class Prepared(NamedTuple):
    """A row normalised: its JSON columns as text, written the way the columns' type writes
    them (``json.dumps``), so the writer binds them as they are. Sending these few strings
    from a worker costs a seventh of sending the normalised objects (100,000 rows: 0.7 s of
    unpickling against 4.5 s), and the writer no longer serialises."""

    needs_review: bool
    fields: str
    raw: str
    confidence: str
    issues: str
    review_reasons: str
    places: str
    keys: dict[str, Any]  # key_columns()


def prepare_batch(batch: list[Planned], settings: ReviewSettings) -> list[Prepared]:
    """The CPU half of an import: every row normalised, its key columns made, its JSON written."""
    prepared = []
    for _, _, kind, values in batch:
        result = normalize_record(kind, values, {}, reference_year=None, settings=settings)
        prepared.append(
            Prepared(
                needs_review=bool(result.review_reasons),
                fields=json.dumps(result.fields),
                raw=json.dumps(values),
                confidence="{}",
                issues=json.dumps({key: list(found) for key, found in result.issues.items()}),
                review_reasons=json.dumps(result.review_reasons),
                places=json.dumps(result.places),
                keys=key_columns(kind, result.fields),
            )
        )
    return prepared


def _prepare_in_worker(batch: list[Planned], settings: ReviewSettings) -> list[Prepared]:
    """:func:`prepare_batch` in the worker process, whose word and name caches (hundreds of
    thousands of entries) would otherwise be traversed again by every full collection: frozen
    after each batch, they are not (200,000 rows: the worker's CPU 30.7 s against 40.5 s)."""
    prepared = prepare_batch(batch, settings)
    gc.freeze()
    return prepared


class _WrittenJSON(TypeDecorator[Any]):
    """A JSON column's value that is already JSON text: bound unchanged (PostgreSQL still
    casts it to json)."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> None:
        return None


_BULK_INSERT = insert(RECORDS).values(
    {column: bindparam(f"{column}_json", type_=_WrittenJSON()) for column in _JSON_COLUMNS}
)


def _prepared_batches(
    batches: Iterator[list[Planned]], rows: int, settings: ReviewSettings
) -> Iterator[tuple[list[Planned], list[Prepared]]]:
    """Batches of a file of ``rows`` rows with their rows normalised, in order: for a big file in
    a worker process, a few batches ahead, while this process writes. Both halves are about
    equal; a second worker measured slower (100,000 rows: 30.0 s against 28.6 s), three
    processes contending for two cores."""
    if rows < PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        yield from ((batch, prepare_batch(batch, settings)) for batch in batches)
        return
    # spawn, not fork: the CLI's progress bar runs a thread, and a forked child may inherit its locks held
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        pending: deque[tuple[list[Planned], Future[list[Prepared]]]] = deque()
        for batch in batches:
            pending.append((batch, pool.submit(_prepare_in_worker, batch, settings)))
            if len(pending) > AHEAD:
                batch, future = pending.popleft()
                yield batch, future.result()
        while pending:
            batch, future = pending.popleft()
            yield batch, future.result()
    finally:
        pool.shutdown(cancel_futures=True)
