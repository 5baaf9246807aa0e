"""Reviewer decisions: the queue, holds, and the one write path for a reviewed record.

Every change goes through :func:`save_review` (or :func:`decide_duplicate`). Only a record in
review can be saved (an officer reopens any other, with a reason: :func:`reopen`); only the
fields posted *and* changed are normalised and stored, every other field stays exactly as it
was; a typed value the normaliser rejects is never stored over a value (:class:`Refused`).
The duplicate check is re-run when the person's identity changed, the status becomes
``reviewed`` (or ``rejected``), an audit row is appended per changed field, and the record's
version goes up. A save against an older version changes nothing and returns a
:class:`Conflict` with both values, so no reviewer's work is lost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Text, and_, func, or_, select, update
from sqlalchemy.orm import Session

from load import double_entry
from load.db import writing
from load.schema import AuditEntry, Book, RecordRow
from load.store import key_columns, record_layout
from normalize.record import resolve_places
from normalize.rules import record_rules
from normalize.typed import as_typed, check_typed, refusal
from records import Kind, Status

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
    query = select(RecordRow).where(
        RecordRow.status == Status.needs_review.value, _free(viewer, now), double_entry.keyed_by(viewer)
    )
    if filters.book:
        query = query.where(RecordRow.book_id == filters.book)
    if filters.kind:
        query = query.where(RecordRow.kind == filters.kind)
    if filters.reason:
        query = query.where(func.cast(RecordRow.review_reasons, Text).like(f'%"{filters.reason}%'))
    return query


def _free(viewer: str, now: dt.datetime) -> Any:
    return or_(RecordRow.held_by.is_(None), RecordRow.held_until < now, RecordRow.held_by == viewer)


# Queue order: the records of books by book, page and row, then imported records (no book) by id.
# Both backends agree on it (SQLite sorts NULL first, PostgreSQL last, when left to themselves);
# each segment is read in the order of its index (ix_records_queue), never sorted.
_BOOK_ORDER = (RecordRow.book_id, RecordRow.page_no, RecordRow.row_no, RecordRow.record_id)


def _segments(query: Any, current: RecordRow | None) -> list[Any]:
    """The queue after ``current`` (from the start without one), as queries to read in turn."""
    imported = query.where(RecordRow.book_id.is_(None)).order_by(RecordRow.record_id)
    if current is not None and current.book_id is None:
        return [imported.where(RecordRow.record_id > current.record_id)]
    books = query.where(RecordRow.book_id.is_not(None)).order_by(*_BOOK_ORDER)
    if current is not None:
        books = books.where(_after_in_book(current))
    return [books, imported]


def _read_in_order(
    session: Session, query: Any, filters: QueueFilter, current: RecordRow | None, limit: int, offset: int = 0
) -> list[Any]:
    if filters.order == "confidence":
        return list(session.scalars(query.order_by(RecordRow.min_confidence, *_BOOK_ORDER).offset(offset).limit(limit)))
    found: list[Any] = []
    for segment in _segments(query, current):
        found += session.scalars(segment.offset(offset).limit(limit - len(found)))
        if len(found) >= limit:
            break
        if offset:  # the rows this segment holds before the page count against the offset
            counted = segment.order_by(None).with_only_columns(func.count(), maintain_column_froms=True)
            held = session.scalar(counted) or 0
            offset = max(0, offset - held)
    return found


def queue(engine: Engine, viewer: str, filters: QueueFilter, *, limit: int = 100, offset: int = 0) -> list[RecordRow]:
    """Records waiting for review, by book, page and row (or lowest confidence first)."""
    with Session(engine, expire_on_commit=False) as session:
        return _read_in_order(session, _queue_query(viewer, filters, _now()), filters, None, limit, offset)


def queue_total(engine: Engine, viewer: str, filters: QueueFilter) -> int:
    """How many records the queue holds for ``viewer`` with these filters."""
    query = _queue_query(viewer, filters, _now()).with_only_columns(func.count(), maintain_column_froms=True)
    with Session(engine) as session:
        return int(session.scalar(query) or 0)


def _after_in_book(current: RecordRow) -> Any:
    """Records of books after ``current`` (a record of a book) in queue order."""
    book, page, row = current.book_id, current.page_no or 0, current.row_no or 0
    return or_(
        RecordRow.book_id > book,
        and_(RecordRow.book_id == book, RecordRow.page_no > page),
        and_(RecordRow.book_id == book, RecordRow.page_no == page, RecordRow.row_no > row),
        and_(
            RecordRow.book_id == book,
            RecordRow.page_no == page,
            RecordRow.row_no == row,
            RecordRow.record_id > current.record_id,
        ),
    )


def _candidates(session: Session, viewer: str, filters: QueueFilter, after: str | None, now: dt.datetime) -> list[str]:
    query = _queue_query(viewer, filters, now).with_only_columns(RecordRow.record_id)
    current = session.get(RecordRow, after) if after else None
    if after and (current is None or filters.order == "confidence"):
        query, current = query.where(RecordRow.record_id != after), None
    return _read_in_order(session, query, filters, current, CLAIM_TRIES)


CLAIM_TRIES = 20  # records tried in turn when other reviewers claim the first ones at the same moment


def next_record(engine: Engine, viewer: str, filters: QueueFilter, after: str | None = None) -> str | None:
    """The id of the next record to review after ``after`` (in queue order), held for ``viewer``.

    Each candidate is claimed by one conditional UPDATE, atomic on SQLite and PostgreSQL alike:
    two reviewers asking at the same moment never get the same record."""
    while True:
        now = _now()
        with Session(engine) as session:
            candidates = _candidates(session, viewer, filters, after, now)
        if not candidates:
            return None
        for record_id in candidates:
            if _claim(engine, record_id, viewer, now):
                return record_id


def _claim(engine: Engine, record_id: str, viewer: str, now: dt.datetime) -> bool:
    """Hold the record for ``viewer`` if it is in review and free (one atomic statement)."""
    statement = (
        update(RecordRow)
        .where(RecordRow.record_id == record_id, RecordRow.status == Status.needs_review.value, _free(viewer, now))
        .values(held_by=viewer, held_until=now + HOLD)
        .execution_options(synchronize_session=False)
    )
    with engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def hold(engine: Engine, record_id: str, viewer: str) -> str | None:
    """Hold the record for ``viewer``; returns who else holds it, if someone does."""
    now = _now()
    if _claim(engine, record_id, viewer, now):
        return None
    with Session(engine) as session:
        row = session.get(RecordRow, record_id)
        if row is None or row.status != Status.needs_review.value:
            return None
        until = _aware(row.held_until)
        return row.held_by if row.held_by and row.held_by != viewer and until and until > now else None


def release(engine: Engine, record_id: str, viewer: str) -> None:
    with Session(writing(engine)) as session, session.begin():
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


@dataclass(frozen=True)
class NotInReview:
    """The record is not waiting for review (accepted, reviewed, rejected): an officer reopens it first."""

    status: str
    version: int


@dataclass(frozen=True)
class Refused:
    """Typed values the normaliser rejects: nothing was stored over the record's values; what was
    typed is kept in the audit log and the record stays in review with the reasons."""

    reasons: dict[str, tuple[str, ...]]  # key → issues
    typed: dict[str, str]
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


def edited_values(row_fields: dict[str, Any], posted: Mapping[str, str | None], keys: list[str]) -> dict[str, str]:
    """The posted fields whose text differs from the stored value as it is typed: only these change."""
    edited = {}
    for key, text in posted.items():
        if key in keys and text is not None and text.strip() != as_typed(row_fields.get(key), key):
            edited[key] = text.strip()
    return edited


def save_review(
    engine: Engine,
    record_id: str,
    user: str,
    *,
    version: int,
    values: Mapping[str, str | None],
    illegible: set[str] | None = None,
    reject_reason: str | None = None,
) -> Saved | Conflict | NotInReview | Refused | double_entry.FirstKeying:
    """The one write path for a reviewer's decision on a record; see the module docstring.
    In a book that requires double entry, a handwritten record's first keying is kept apart
    (:class:`load.double_entry.FirstKeying`) and the second is compared with it.

    ``values`` are the fields posted, as typed: a field not posted, or posted as it is shown,
    is left exactly as stored."""
    illegible = set(illegible or ())
    now = _now()
    with Session(writing(engine)) as session, session.begin():
        row = session.get(RecordRow, record_id, with_for_update=True)
        if row is None:
            raise KeyError(record_id)
        if row.version != version:
            return Conflict(dict(row.fields), dict(values), row.reviewed_by, row.version)
        if row.status != Status.needs_review.value:
            return NotInReview(row.status, row.version)
        kind = Kind(row.kind)
        row_reasons, decided_by = list(row.review_reasons or []), (row.reviewed_by, row.reviewed_at)
        layout = record_layout(session, row)
        keys = layout.field_keys()
        illegible &= set(keys)
        audit = _Audit(session, record_id, user, now)
        if reject_reason:
            audit.add("reject", new_value=reject_reason)
            _decided(row, user, now, Status.rejected, [f"rejected:{reject_reason}"])
            double_entry.settle(session, record_id)
            return Saved(record_id, row.version)
        year = _reference_year(session, row)
        edited = {key: text for key, text in edited_values(row.fields, values, keys).items() if key not in illegible}
        checked = {key: check_typed(key, text, reference_year=year) for key, text in edited.items()}
        refused = {key: found for key, result in checked.items() if (found := refusal(edited[key], result))}
        if refused:
            return _refuse(row, audit, refused, edited)
        disagree: dict[str, tuple[Any, Any]] = {}
        if double_entry.applies(session, row):
            keyed = {key: result.value for key, result in checked.items()}
            blind = double_entry.key_blind(session, row, user, now, keyed, illegible, keys, audit.add)
            if isinstance(blind, double_entry.FirstKeying):
                return blind
            checked = {key: checked[key] for key in blind.agreed}
            illegible, disagree = blind.illegible, blind.disagree
            for key, (one, two) in disagree.items():
                audit.add(double_entry.DISAGREE, key, double_entry.shown(one), double_entry.shown(two))
        fields = dict(row.fields)
        fields.update({key: result.value for key, result in checked.items()})
        fields.update(dict.fromkeys(illegible))
        changed = [key for key in keys if fields.get(key) != row.fields.get(key) or key in illegible]
        for key in changed:
            new_value = ILLEGIBLE if key in illegible else fields.get(key)
            audit.add("edit", key, _text(row.fields.get(key)), _text(new_value))
        audit.add("save" if changed else "accept")
        issues = {key: list(found) for key, found in row.issues.items() if key not in changed}
        for key in changed:
            typed_issues = list(checked[key].issues) if key in checked else [ILLEGIBLE]
            if typed_issues:
                issues[key] = typed_issues
        for key, rule_issues in record_rules(kind, fields, book_year=year).items():
            if key in changed:
                issues[key] = sorted(set(issues.get(key, [])) | set(rule_issues))
        row.fields = fields
        row.issues = issues
        if changed:
            row.places = resolve_places(fields)
            for column, value in key_columns(kind, fields).items():
                setattr(row, column, value)
        _decided(row, user, now, Status.reviewed, [])
        if disagree:  # both values are shown for a third look; the rest of what they agreed is stored
            kept = [reason for reason in row_reasons if reason.startswith("handwritten:")]
            row.status, (row.reviewed_by, row.reviewed_at) = Status.needs_review.value, decided_by
            row.review_reasons = [*kept, *(f"{double_entry.DISAGREE}:{key}" for key in disagree)]
        if any(key.endswith(("name", "birth_date")) for key in changed):
            row.cluster_id = None  # look for duplicates again, below
            row.duplicate_of = None
        saved = Saved(record_id, row.version, changed)
    if saved.changed:
        saved.duplicate_check = recheck_duplicates(engine, record_id)
    return saved


@dataclass
class _Audit:
    """Audit rows of one decision: who, when, on which record."""

    session: Session
    record_id: str
    user: str
    at: dt.datetime

    def add(self, action: str, key: str | None = None, old: str | None = None, new_value: str | None = None) -> None:
        self.session.add(
            AuditEntry(
                record_id=self.record_id,
                user_name=self.user,
                at=self.at,
                action=action,
                field=key,
                old_value=old,
                new_value=new_value,
            )
        )


def _decided(row: RecordRow, user: str, now: dt.datetime, status: Status, reasons: list[str]) -> None:
    row.status = status.value
    row.review_reasons = reasons
    row.reviewed_by, row.reviewed_at = user, now
    row.held_by = row.held_until = None
    row.version += 1
    row.updated_at = now


def _refuse(row: RecordRow, audit: _Audit, refused: dict[str, tuple[str, ...]], typed: dict[str, str]) -> Refused:
    """Keep every stored value; log what was typed; the record stays in review with the reasons."""
    for key in refused:
        audit.add("refused", key, _text(row.fields.get(key)), typed[key])
    added = [f"{found[0]}:{key}" for key, found in refused.items()]
    row.review_reasons = [*row.review_reasons, *(reason for reason in added if reason not in row.review_reasons)]
    row.version += 1
    row.updated_at = audit.at
    return Refused(refused, {key: typed[key] for key in refused}, row.version)


def reopen(engine: Engine, record_id: str, user: str, *, reason: str) -> int:
    """Send a record outside review (accepted, reviewed, rejected) back to review, with the
    officer's reason, audited; returns its new version. Its values are not touched."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValueError("a reason is needed to reopen a record")
    now = _now()
    with Session(writing(engine)) as session, session.begin():
        row = session.get(RecordRow, record_id, with_for_update=True)
        if row is None:
            raise KeyError(record_id)
        if row.status != Status.needs_review.value:
            _Audit(session, record_id, user, now).add("reopen", "status", row.status, reason)
            row.status = Status.needs_review.value
            row.review_reasons = [*row.review_reasons, f"reopened:{reason}"]
            row.version += 1
            row.updated_at = now
        return row.version


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
    with Session(writing(engine)) as session, session.begin():
        row = session.get(RecordRow, record_id, with_for_update=True)
        target = session.get(RecordRow, candidate)
        if row is None or target is None or f"possible_duplicate:{candidate}" not in row.review_reasons:
            raise KeyError(record_id if row is None else candidate)  # only a candidate linkage proposed
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


def corrections(session: Session, record_ids: list[str]) -> dict[str, list[AuditEntry]]:
    """Each record's field corrections by reviewers (audit ``edit`` rows), oldest first."""
    found: dict[str, list[AuditEntry]] = {}
    for start in range(0, len(record_ids), 500):
        query = (
            select(AuditEntry)
            .where(
                AuditEntry.record_id.in_(record_ids[start : start + 500]),
                AuditEntry.action == "edit",
                AuditEntry.field.is_not(None),
            )
            .order_by(AuditEntry.id)
        )
        for entry in session.scalars(query):
            found.setdefault(entry.record_id, []).append(entry)
    return found


def audit_trail(engine: Engine, record_id: str) -> list[AuditEntry]:
    with Session(engine, expire_on_commit=False) as session:
        query = select(AuditEntry).where(AuditEntry.record_id == record_id).order_by(AuditEntry.id)
        return list(session.scalars(query))
