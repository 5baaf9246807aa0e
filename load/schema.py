"""The database tables. Every change to them is an Alembic migration in ``load/migrations``."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class RecordRow(Base):
    """One record: a ledger row or an imported record, with its provenance and raw text."""

    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("book_id", "page_no", "row_no", name="uq_records_provenance"),
        Index("ix_records_status", "status"),
        Index("ix_records_name_fold", "name_fold"),
        Index("ix_records_kind_birth", "kind", "birth_date"),
    )

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
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
