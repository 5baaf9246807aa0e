"""Reviewer decisions: the queue, holds, and the one write path for a reviewed record.

Every change goes through :func:`save_review` (or :func:`decide_duplicate`): the values are
normalised again, the duplicate check is re-run for the record, the status becomes
``reviewed`` (or ``rejected``), an audit row is appended per changed field, and the
record's version goes up. A save against an older version changes nothing and returns a
:class:`Conflict` with both values, so no reviewer's work is lost.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Text, and_, func, or_, select
from sqlalchemy.orm import Session

from load.schema import AuditEntry, Book, RecordRow
from load.store import key_columns
from normalize.record import ReviewSettings, normalize_record
from records import Kind, Status, field_keys

HOLD = dt.timedelta(minutes=5)
ILLEGIBLE = "illegible"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite returns naive datetimes: they are UTC."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


@dataclass(frozen=True)
class QueueFilter:
    book: str | None = None
    kind: str | None = None
    reason: str | None = None
    order: str = "position"  # position (book, page, row) | confidence (lowest first)


def _queue_query(viewer: str, filters: QueueFilter, now: dt.datetime) -> Any:
    free = or_(RecordRow.held_by.is_(None), RecordRow.held_until < now, RecordRow.held_by == viewer)
    query = select(RecordRow).where(RecordRow.status == Status.needs_review.value, free)
    if filters.book:
        query = query.where(RecordRow.book_id == filters.book)
    if filters.kind:
        query = query.where(RecordRow.kind == filters.kind)
    if filters.reason:
        query = query.where(func.cast(RecordRow.review_reasons, Text).like(f'%"{filters.reason}%'))
    return query


def queue(engine: Engine, viewer: str, filters: QueueFilter, *, limit: int = 100) -> list[RecordRow]:
    """Records waiting for review, by book, page and row (or lowest confidence first)."""
    query = _queue_query(viewer, filters, _now())
    if filters.order == "confidence":
        query = query.order_by(RecordRow.min_confidence, RecordRow.book_id, RecordRow.page_no, RecordRow.row_no)
    else:
        query = query.order_by(RecordRow.book_id, RecordRow.page_no, RecordRow.row_no, RecordRow.record_id)
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(query.limit(limit)))


def next_record(engine: Engine, viewer: str, filters: QueueFilter, after: str | None = None) -> str | None:
    """The id of the next record to review after ``after`` (in queue order), held for ``viewer``."""
    now = _now()
    with Session(engine) as session, session.begin():
        query = _queue_query(viewer, filters, now)
        if after and (current := session.get(RecordRow, after)) is not None and filters.order != "confidence":
            position = (current.book_id or "", current.page_no or 0, current.row_no or 0, current.record_id)
            query = query.where(
                or_(
                    RecordRow.book_id > position[0],
                    and_(RecordRow.book_id == position[0], RecordRow.page_no > position[1]),
                    and_(
                        RecordRow.book_id == position[0],
                        RecordRow.page_no == position[1],
                        RecordRow.row_no > position[2],
                    ),
                )
            )
        if filters.order == "confidence":
            query = query.where(RecordRow.record_id != (after or "")).order_by(RecordRow.min_confidence)
        else:
            query = query.order_by(RecordRow.book_id, RecordRow.page_no, RecordRow.row_no)
        row = session.scalars(query.limit(1).with_for_update(skip_locked=True)).first()
        if row is None:
            return None
        row.held_by, row.held_until = viewer, now + HOLD
        return row.record_id


def hold(engine: Engine, record_id: str, viewer: str) -> str | None:
    """Hold the record for ``viewer``; returns who else holds it, if someone does."""
    now = _now()
    with Session(engine) as session, session.begin():
        row = session.get(RecordRow, record_id, with_for_update=True)
        if row is None or row.status != Status.needs_review.value:
            return None
        until = _aware(row.held_until)
        if row.held_by and row.held_by != viewer and until and until > now:
            return row.held_by
        row.held_by, row.held_until = viewer, now + HOLD
        return None


def release(engine: Engine, record_id: str, viewer: str) -> None:
    with Session(engine) as session, session.begin():
        row = session.get(RecordRow, record_id)
        if row is not None and row.held_by == viewer:
            row.held_by = row.held_until = None


@dataclass(frozen=True)
class Conflict:
    """Someone saved the record first: their values and the values this reviewer sent."""

    theirs: dict[str, Any]
    mine: dict[str, Any]
    by: str | None
    version: int


@dataclass
class Saved:
    record_id: str
    version: int
    changed: list[str] = field(default_factory=list)
    duplicate_check: str | None = None  # linked | candidate | None


def _reference_year(session: Session, row: RecordRow) -> int | None:
    book = session.get(Book, row.book_id) if row.book_id else None
    return book.year if book else None


def save_review(
    engine: Engine,
    record_id: str,
    user: str,
    *,
    version: int,
    values: dict[str, str | None],
    illegible: set[str] | None = None,
    reject_reason: str | None = None,
) -> Saved | Conflict:
    """The one write path for a reviewer's decision on a record; see the module docstring."""
    illegible = illegible or set()
    now = _now()
    with Session(engine) as session, session.begin():
        row = session.get(RecordRow, record_id, with_for_update=True)
        if row is None:
            raise KeyError(record_id)
        if row.version != version:
            return Conflict(dict(row.fields), dict(values), row.reviewed_by, row.version)
        kind = Kind(row.kind)
        submitted = {
            key: (None if key in illegible else values.get(key, row.fields.get(key))) for key in field_keys(kind)
        }
        result = normalize_record(
            kind, submitted, {}, reference_year=_reference_year(session, row), settings=ReviewSettings()
        )
        changed = [key for key in field_keys(kind) if result.fields.get(key) != row.fields.get(key)]
        changed += [key for key in sorted(illegible) if key not in changed]
        for key in changed:
            new_value = ILLEGIBLE if key in illegible else result.fields.get(key)
            session.add(
                AuditEntry(
                    record_id=record_id,
                    user_name=user,
                    at=now,
                    action="edit",
                    field=key,
                    old_value=_text(row.fields.get(key)),
                    new_value=_text(new_value),
                )
            )
        action = "reject" if reject_reason else ("save" if changed else "accept")
        session.add(AuditEntry(record_id=record_id, user_name=user, at=now, action=action, new_value=reject_reason))
        issues = {key: list(found) for key, found in result.issues.items()}
        for key in illegible:
            issues.setdefault(key, []).append(ILLEGIBLE)
        row.fields = result.fields
        row.issues = issues
        row.places = result.places
        for column, value in key_columns(kind, result.fields).items():
            setattr(row, column, value)
        row.status = Status.rejected.value if reject_reason else Status.reviewed.value
        row.review_reasons = [f"rejected:{reject_reason}"] if reject_reason else []
        row.reviewed_by, row.reviewed_at = user, now
        row.held_by = row.held_until = None
        row.version += 1
        row.updated_at = now
        identity_changed = any(key.endswith(("name", "birth_date")) for key in changed)
        if identity_changed and not reject_reason:
            row.cluster_id = None  # look for duplicates again, below
            row.duplicate_of = None
        saved = Saved(record_id, row.version, changed)
    if saved.changed and not reject_reason:
        saved.duplicate_check = recheck_duplicates(engine, record_id)
    return saved


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def recheck_duplicates(engine: Engine, record_id: str) -> str | None:
    """Re-run linkage for a record whose identity changed (it is new again until linked)."""
    from load.linkage import link_one

    if link_one(engine, record_id) is None:
        return None
    with Session(engine) as session:
        row = session.get(RecordRow, record_id)
        if row is None:
            return None
        if row.duplicate_of:
            return "linked"
        return "candidate" if any(r.startswith("possible_duplicate:") for r in row.review_reasons) else None


def decide_duplicate(
    engine: Engine, record_id: str, user: str, *, candidate: str, same: bool, version: int
) -> Saved | Conflict:
    """A reviewer's answer to ``possible_duplicate:<candidate>``: same person or not."""
    now = _now()
    with Session(engine) as session, session.begin():
        row = session.get(RecordRow, record_id, with_for_update=True)
        target = session.get(RecordRow, candidate)
        if row is None or target is None:
            raise KeyError(record_id if row is None else candidate)
        if row.version != version:
            return Conflict(dict(row.fields), {}, row.reviewed_by, row.version)
        row.review_reasons = [r for r in row.review_reasons if r != f"possible_duplicate:{candidate}"]
        if same:
            row.duplicate_of = target.cluster_id or target.record_id
            row.cluster_id = row.duplicate_of
        session.add(
            AuditEntry(
                record_id=record_id,
                user_name=user,
                at=now,
                action="same_person" if same else "different_person",
                field="duplicate_of",
                old_value=None,
                new_value=candidate,
            )
        )
        if not row.review_reasons:
            row.status = Status.reviewed.value
            row.reviewed_by, row.reviewed_at = user, now
            row.held_by = row.held_until = None
        row.version += 1
        row.updated_at = now
        return Saved(record_id, row.version, ["duplicate_of"] if same else [])


def audit_trail(engine: Engine, record_id: str) -> list[AuditEntry]:
    with Session(engine, expire_on_commit=False) as session:
        query = select(AuditEntry).where(AuditEntry.record_id == record_id).order_by(AuditEntry.id)
        return list(session.scalars(query))
