"""The database tables. Every change to them is an Alembic migration in ``load/migrations``."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, cast

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# The conditions of the partial indexes on deaths and marriages. A query uses such an index only
# when its WHERE holds the same term (SQLite compares the text): load.search writes these.
NOT_BIRTH = text("kind <> 'birth'")
MARRIAGE = text("kind = 'marriage'")


def managed_by_models(name: str | None, type_: str, _parent_names: object) -> bool:
    """Alembic's filter: each backend's search index (SQLite FTS5 tables, the PostgreSQL
    trigram index) is made by migration 0003, outside the models."""
    if name is None:
        return True
    return not (type_ == "table" and name.startswith("records_fts")) and name != "ix_records_search_trgm"


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Book(Base):
    __tablename__ = "books"

    book_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    layout: Mapped[str] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)
    locality: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    source_dir: Mapped[str] = mapped_column(Text)
    # For the Ministry's package (book.json, contract v2): quyển số, năm mở sổ, nơi đăng ký.
    volume: Mapped[str | None] = mapped_column(String(16))
    opened_year: Mapped[int | None] = mapped_column(Integer)
    registration_place: Mapped[str | None] = mapped_column(Text)
    # Keyed records of this book are keyed twice, blind, by two people, and compared (load.double_entry).
    double_entry: Mapped[bool] = mapped_column(Boolean, server_default=false())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Page(Base):
    """One scan page of a book and what became of it (loaded, or failed and why)."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("book_id", "page_no", name="uq_pages_book_page"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    book_id: Mapped[str] = mapped_column(ForeignKey("books.book_id", ondelete="CASCADE"))
    page_no: Mapped[int] = mapped_column(Integer)
    image_name: Mapped[str] = mapped_column(Text)
    image_sha256: Mapped[str | None] = mapped_column(String(64))
    pipeline_version: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # loaded | failed
    error_code: Mapped[str | None] = mapped_column(String(64))
    error_message: Mapped[str | None] = mapped_column(Text)
    angle: Mapped[float | None] = mapped_column(Float)
    warnings: Mapped[list[Any] | None] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    page_label: Mapped[str | None] = mapped_column(String(16))  # the printed page number (Trang số)
    layout: Mapped[str | None] = mapped_column(String(48))  # the layout id the page was read in
    layout_score: Mapped[float | None] = mapped_column(Float)  # how sure, for a recognised layout
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecordRow(Base):
    """One record: a ledger row or an imported record, with its provenance and raw text."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("book_id", "page_no", "row_no", name="uq_records_provenance"),
        Index("ix_records_status", "status"),
        Index("ix_records_name_fold", "name_fold"),
        Index("ix_records_kind_birth", "kind", "birth_date"),
        Index("ix_records_kind_given_year", "kind", "given_fold", "birth_year"),
        Index("ix_records_cluster", "cluster_id"),
        Index("ix_records_book_page_row", "book_id", "page_no", "row_no"),
        Index("ix_records_queue", "status", "book_id", "page_no", "row_no"),
        Index("ix_records_queue_confidence", "status", "min_confidence"),
        Index("ix_records_registration", "registration_number"),
        Index("ix_records_year_name", "birth_year", "name_fold", "record_id"),
        Index("ix_records_given_name", "given_fold", "name_fold", "record_id"),
        # The counter finds a death by its date and a marriage by its date or the wife's birth, the
        # wife by her name (migration 0005). Partial: the births a province holds most of skip them.
        Index("ix_records_event", "kind", "event_date", "name_fold", "other_fold", "record_id",
              sqlite_where=NOT_BIRTH, postgresql_where=NOT_BIRTH),
        Index("ix_records_wife", "kind", "other_birth_date", "other_fold", "record_id",
              sqlite_where=MARRIAGE, postgresql_where=MARRIAGE),
    )  # fmt: skip

    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    book_id: Mapped[str | None] = mapped_column(ForeignKey("books.book_id", ondelete="CASCADE"))
    page_no: Mapped[int | None] = mapped_column(Integer)
    row_no: Mapped[int | None] = mapped_column(Integer)
    image_name: Mapped[str | None] = mapped_column(Text)
    bbox: Mapped[list[Any] | None] = mapped_column(JSON)
    field_boxes: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # key → [x, y, w, h] on the scan
    source_import: Mapped[str | None] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    raw: Mapped[dict[str, Any]] = mapped_column(JSON)
    confidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    issues: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    review_reasons: Mapped[list[Any]] = mapped_column(JSON)
    duplicate_of: Mapped[str | None] = mapped_column(String(64))
    match_probability: Mapped[float | None] = mapped_column(Float)
    # Typed copies of the key fields, for search, sorting and linkage.
    registration_number: Mapped[str | None] = mapped_column(String(32))
    registration_date: Mapped[str | None] = mapped_column(String(10))
    person_name: Mapped[str | None] = mapped_column(Text)  # full_name, or the husband's
    other_name: Mapped[str | None] = mapped_column(Text)  # the wife's, for a marriage
    name_key: Mapped[str | None] = mapped_column(Text)  # tone-placement-insensitive
    name_fold: Mapped[str | None] = mapped_column(Text)  # accent-folded
    sex: Mapped[str | None] = mapped_column(String(8))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    given_fold: Mapped[str | None] = mapped_column(Text)  # the person's given name, folded
    other_key: Mapped[str | None] = mapped_column(Text)  # the wife's name keys, for a marriage
    other_fold: Mapped[str | None] = mapped_column(Text)
    other_birth_date: Mapped[str | None] = mapped_column(String(10))
    father_fold: Mapped[str | None] = mapped_column(Text)
    mother_fold: Mapped[str | None] = mapped_column(Text)
    place_fold: Mapped[str | None] = mapped_column(Text)
    event_date: Mapped[str | None] = mapped_column(String(10))  # death date; registration date otherwise
    search_text: Mapped[str | None] = mapped_column(Text)  # folded words the counter search indexes
    places: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # key → {then, today, reason}
    suggestions: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # key → a likelier spelling offered
    min_confidence: Mapped[float | None] = mapped_column(Float)  # the queue's "least sure first" order
    # Linkage: the held record whose cluster this record belongs to (itself when it leads one).
    cluster_id: Mapped[str | None] = mapped_column(String(64))
    # Review: who holds the record open, and who decided it.
    held_by: Mapped[str | None] = mapped_column(String(64))
    held_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


RECORDS = cast(Table, RecordRow.__table__)  # the table itself, for Core statements (bulk insert, raw reads)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("name", name="uq_users_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))  # reviewer | officer | admin
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class UserSession(Base):
    """A signed-in browser: only the hash of its cookie token is kept."""

    __tablename__ = "sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_client_at", "client", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    settled: Mapped[bool] = mapped_column(Boolean, server_default=true())  # false while its password is checked
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AuditEntry(Base):
    """Append-only: one row per changed field or decision."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_record", "record_id", "at"),
        Index("ix_audit_log_user_at", "user_name", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    action: Mapped[str] = mapped_column(String(32))  # edit | accept | reject | same_person | ...
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


class Keying(Base):
    """One person's keying of a handwritten record in a double-entry book: the values they typed,
    as checked, kept apart from the record until a second person's keying agrees with them."""

    __tablename__ = "keyings"
    __table_args__ = (Index("ix_keyings_record", "record_id", "pending"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(64))  # as the audit log: kept whatever becomes of the record
    user_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)  # key → value as checked (None: left empty)
    illegible: Mapped[list[Any]] = mapped_column(JSON)  # keys marked illegible
    pending: Mapped[bool] = mapped_column(Boolean, server_default=true())  # waiting for the second keying


class AccessEntry(Base):
    """Append-only: one row per read of personal data (a record opened, a search, a scan, an extract)."""

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_at", "at"),
        Index("ix_access_log_user_at", "user_name", "at"),
        Index("ix_access_log_record", "record_id", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    user_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))  # record | search | scan | extract | export
    record_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)  # the query searched, the file written
    client: Mapped[str | None] = mapped_column(String(64))


class ExtractIssued(Base):
    __tablename__ = "extracts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    file: Mapped[str | None] = mapped_column(Text)


class LinkRun(Base):
    """One linkage run: the versioned settings (with the estimated model) and what it found."""

    __tablename__ = "link_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    settings_version: Mapped[str] = mapped_column(String(32))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    new_records: Mapped[int] = mapped_column(Integer)
    held_records: Mapped[int] = mapped_column(Integer)
    links: Mapped[int] = mapped_column(Integer)
    candidates: Mapped[int] = mapped_column(Integer)


class LinkPair(Base):
    """A scored pair kept for explanation: a link or a candidate for review."""

    __tablename__ = "link_pairs"
    __table_args__ = (Index("ix_link_pairs_record", "record_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    link_run_id: Mapped[int] = mapped_column(ForeignKey("link_runs.id", ondelete="CASCADE"))
    record_id: Mapped[str] = mapped_column(String(64))
    candidate_id: Mapped[str] = mapped_column(String(64))
    match_probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    comparison: Mapped[dict[str, Any]] = mapped_column(JSON)  # the pair's values, levels and weights


class Run(Base):
    """A digitising run asked for from the web app: queued, taken by a worker, done or failed.
    A worker that dies leaves its run ``running`` with an old heartbeat: it is queued again, and
    the digitise flow skips every page already loaded (none lost, none doubled)."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_state", "state", "requested_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    book_id: Mapped[str] = mapped_column(String(64))
    source_dir: Mapped[str] = mapped_column(Text)  # the book folder the worker reads
    state: Mapped[str] = mapped_column(String(16))  # queued | running | done | failed
    requested_by: Mapped[str] = mapped_column(String(64))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    worker: Mapped[str | None] = mapped_column(String(128))
    heartbeat: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    pages_done: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    pages_total: Mapped[int | None] = mapped_column(Integer)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    message: Mapped[str | None] = mapped_column(Text)
