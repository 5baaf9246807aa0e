"""Idempotent writes: a page's records are keyed on (book, page, row) and written in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from load.schema import Book, Page, RecordRow
from normalize.names import split_name
from normalize.rules import number_sequence_issues
from normalize.text import fold, tone_key
from records import BookManifest, HotichError, Kind, Record, RecordSource, Status
from records.layouts import REGISTRY, Layout, layout_by_id, ledger

# Statuses a person decided: a re-run never overwrites them.
DECIDED = {Status.reviewed.value, Status.rejected.value}


def register_book(session: Session, manifest: BookManifest, book_dir: Path) -> None:
    """Add the book, or check that a book already loaded under this id is the same kind."""
    book = session.get(Book, manifest.book_id)
    if book is not None and book.kind != manifest.kind.value:
        raise HotichError(
            "book_kind_changed",
            f"book {manifest.book_id} was loaded as {book.kind}, its book.json now says {manifest.kind}",
            fix="give the book a new book_id, or correct book.json",
            where=f"book {manifest.book_id}",
        )
    if book is None:
        book = Book(book_id=manifest.book_id, kind=manifest.kind.value, layout=manifest.layout or "", source_dir="")
        session.add(book)
    book.layout = manifest.layout or ""  # empty: each page's layout is recognised (pages.layout)
    book.year = manifest.year
    book.locality = manifest.locality.model_dump() if manifest.locality else None
    book.volume = manifest.volume
    book.opened_year = manifest.opened_year
    book.registration_place = manifest.registration_place
    book.source_dir = str(book_dir.resolve())


@dataclass(frozen=True)
class PageState:
    page_no: int
    status: str
    image_sha256: str | None
    pipeline_version: str | None
    row_count: int


def page_states(session: Session, book_id: str) -> dict[str, PageState]:
    """What became of each page of a book already seen, by its image name (its identity)."""
    return {
        page.image_name: PageState(page.page_no, page.status, page.image_sha256, page.pipeline_version, page.row_count)
        for page in session.scalars(select(Page).where(Page.book_id == book_id))
    }


def status_counts(session: Session, book_id: str) -> dict[str, int]:
    """How many of the book's records are in each status now."""
    query = select(RecordRow.status, func.count()).where(RecordRow.book_id == book_id).group_by(RecordRow.status)
    return {status: int(count) for status, count in session.execute(query)}


def _page(session: Session, book_id: str, page_no: int, image_name: str) -> Page:
    page = session.scalars(select(Page).where(Page.book_id == book_id, Page.page_no == page_no)).first()
    if page is None:
        page = Page(book_id=book_id, page_no=page_no, image_name=image_name, status="failed", row_count=0)
        session.add(page)
    page.image_name = image_name
    page.updated_at = dt.datetime.now(dt.UTC)
    return page


def record_failed_page(session: Session, *, book_id: str, page_no: int, image_name: str, error: HotichError) -> None:
    """Note why a page could not be read; records it held before are kept."""
    page = _page(session, book_id, page_no, image_name)
    page.status = "failed"
    page.error_code = error.code
    page.error_message = error.describe()


def _fold(value: Any) -> str | None:
    return fold(value) or None if value else None


def key_columns(kind: Kind, fields: dict[str, Any]) -> dict[str, Any]:
    """Typed copies of the fields that search, sort and linkage use (no JSON parsing there)."""
    marriage = kind == Kind.marriage
    person = fields.get("husband_name") if marriage else fields.get("full_name")
    other = fields.get("wife_name") if marriage else None
    birth = fields.get("husband_birth_date") if marriage else fields.get("birth_date")
    place = fields.get("husband_residence") if marriage else fields.get("birth_place") or fields.get("residence")
    words = [fields.get(key) for key in ("registration_number",)] + [person, other]
    words += [fields.get("father_name"), fields.get("mother_name")]
    number = fields.get("registration_number")
    return {
        "registration_number": number[:32] if isinstance(number, str) else number,  # the column's size
        "registration_date": fields.get("registration_date"),
        "person_name": person,
        "other_name": other,
        "name_key": tone_key(person) if person else None,
        "name_fold": _fold(person),
        "given_fold": _fold(split_name(person).given) if person else None,
        "sex": fields.get("sex"),
        "birth_date": birth,
        "birth_year": int(birth[:4]) if birth else None,
        "other_key": tone_key(other) if other else None,
        "other_fold": _fold(other),
        "other_birth_date": fields.get("wife_birth_date") if marriage else None,
        "father_fold": _fold(fields.get("father_name")),
        "mother_fold": _fold(fields.get("mother_name")),
        "place_fold": _fold(place),
        "event_date": fields.get("death_date") or fields.get("registration_date"),
        "search_text": " ".join(_fold(word) or "" for word in words if word) or None,
    }


def _apply(row: RecordRow, record: Record) -> None:
    row.kind = record.kind.value
    row.fields = record.fields
    row.raw = record.raw
    row.confidence = record.confidence
    row.issues = record.issues
    row.status = record.status.value
    row.review_reasons = record.review_reasons
    row.image_name = record.source.image
    row.bbox = record.source.bbox
    row.field_boxes = record.boxes
    row.places = record.places
    row.suggestions = record.suggestions or None
    row.min_confidence = min(record.confidence.values(), default=1.0)
    for column, value in key_columns(record.kind, record.fields).items():
        setattr(row, column, value)
    row.updated_at = dt.datetime.now(dt.UTC)


def save_page(
    session: Session,
    *,
    book_id: str,
    page_no: int,
    image_name: str,
    image_sha256: str,
    pipeline_version: str,
    angle: float,
    warnings: list[str],
    records: Iterable[Record],
    page_label: str | None = None,
    layout: str | None = None,
    layout_score: float | None = None,
) -> None:
    """Write a page's records (upsert on provenance) and mark the page loaded.

    Records a person reviewed or rejected are left as they are; rows that are no longer
    on the page (a rescan) are removed unless a person decided them.
    """
    page = _page(session, book_id, page_no, image_name)
    existing = {
        row.row_no: row
        for row in session.scalars(select(RecordRow).where(RecordRow.book_id == book_id, RecordRow.page_no == page_no))
    }
    seen = set()
    for record in records:
        seen.add(record.source.row)
        row = existing.get(record.source.row)
        if row is None:
            row = RecordRow(
                record_id=record.record_id,
                book_id=book_id,
                page_no=page_no,
                row_no=record.source.row,
                version=1,
            )
            session.add(row)
        elif row.status in DECIDED:
            continue
        _apply(row, record)
    stale = [row.record_id for number, row in existing.items() if number not in seen and row.status not in DECIDED]
    if stale:
        session.execute(delete(RecordRow).where(RecordRow.record_id.in_(stale)))
    page.status = "loaded"
    page.image_sha256 = image_sha256
    page.pipeline_version = pipeline_version
    page.error_code = page.error_message = None
    page.angle = angle
    page.warnings = warnings
    page.page_label = page_label
    page.layout, page.layout_score = layout, layout_score
    page.row_count = len(seen)


def record_layout(session: Session, row: RecordRow) -> Layout:
    """The layout a record was read in: its page's, else its book's; an imported record's is its
    kind's ledger."""
    if row.book_id is not None and row.page_no is not None:
        query = select(Page.layout).where(Page.book_id == row.book_id, Page.page_no == row.page_no)
        read_in = layout_by_id(session.scalar(query) or "")
        if read_in is not None:
            return read_in
    if row.book_id is not None:
        book = session.get(Book, row.book_id)
        found = REGISTRY.get(book.layout, book.kind) if book is not None else None
        if found is not None:
            return found
    return ledger(row.kind)


def record_from_row(row: RecordRow) -> Record:
    if row.source_import is not None:
        source = RecordSource.model_validate({"import": row.source_import})
    else:
        source = RecordSource(book=row.book_id, page=row.page_no, row=row.row_no, image=row.image_name, bbox=row.bbox)
    return Record(
        record_id=row.record_id,
        kind=Kind(row.kind),
        source=source,
        fields=row.fields,
        raw=row.raw,
        confidence=row.confidence,
        status=Status(row.status),
        review_reasons=row.review_reasons,
        duplicate_of=row.duplicate_of,
        match_probability=row.match_probability,
        issues=row.issues,
        boxes=row.field_boxes or {},
        places=row.places or {},
        suggestions=row.suggestions or {},
    )


_SEQUENCE_CODES = ("number_gap:", "number_repeated:")


def flag_number_sequence(session: Session, book_id: str) -> int:
    """Flag gaps and repeats of registration numbers across a book; returns how many records.

    Recomputed from the whole book each time, so re-running gives the same flags; records a
    person decided are left alone.
    """
    rows = list(
        session.scalars(
            select(RecordRow).where(RecordRow.book_id == book_id).order_by(RecordRow.page_no, RecordRow.row_no)
        )
    )
    found = number_sequence_issues((row.record_id, row.registration_number) for row in rows)
    for row in rows:
        if row.status in DECIDED:
            continue
        reasons = [reason for reason in row.review_reasons if not reason.startswith(_SEQUENCE_CODES)]
        if row.record_id in found:
            reasons.append(f"{found[row.record_id]}:registration_number")
        if reasons != row.review_reasons:
            row.review_reasons = reasons
            row.status = Status.needs_review.value if reasons else Status.auto_accepted.value
    return len(found)
