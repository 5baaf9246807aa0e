"""Pydantic models of the contract: the book manifest, the three record kinds, an exported record."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator

from records.layouts import REGISTRY, Kind, Layout, kind_keys, layout_of

# A fixed namespace so a record's id depends only on where it was written.
RECORD_NAMESPACE = uuid.UUID("6f1c2c1e-3b0a-5d5e-9a57-68f7a1c0b5e2")


def record_id_for(book_id: str, page: int, row: int) -> str:
    """The stable id of the record on ``row`` of ``page`` of ``book_id`` (both 1-based)."""
    return str(uuid.uuid5(RECORD_NAMESPACE, f"{book_id}/{page}/{row}"))


class Status(StrEnum):
    auto_accepted = "auto_accepted"
    needs_review = "needs_review"
    reviewed = "reviewed"
    rejected = "rejected"


class Locality(BaseModel):
    model_config = ConfigDict(extra="forbid")
    commune: str | None = Field(default=None, max_length=200)
    district: str | None = Field(default=None, max_length=200)
    province: str | None = Field(default=None, max_length=200)


class BookManifest(BaseModel):
    """``book.json`` (spec section 1)."""

    model_config = ConfigDict(extra="forbid")

    book_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    kind: Kind
    # A layout of the registry (records/layouts.py). Absent: recognised on each page from its
    # printed column headings, among the kind's layouts this version reads.
    layout: str | None = Field(default=None, min_length=1, max_length=32)
    year: int | None = Field(default=None, ge=1900, le=2100)
    locality: Locality | None = None
    page_offset: int = Field(default=0, ge=0)
    # For the Ministry's package (contract v2): the book number, the year it was opened, where it registers.
    volume: str | None = Field(default=None, min_length=1, max_length=16, pattern=r"^[0-9A-Za-z./-]+$")
    opened_year: int | None = Field(default=None, ge=1900, le=2100)
    registration_place: str | None = Field(default=None, min_length=1, max_length=300)

    @field_validator("book_id")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    @model_validator(mode="after")
    def _registered_layout(self) -> BookManifest:
        if self.layout is not None and REGISTRY.get(self.layout, self.kind) is None:
            known = sorted(layout.name for layout in REGISTRY if layout.kind == self.kind)
            raise ValueError(f"layout {self.layout!r} is no {self.kind} layout; known: {', '.join(known)}")
        return self

    @property
    def book_layout(self) -> Layout | None:
        """The registered layout this book's pages have; None when each page's is recognised."""
        return layout_of(self.layout, self.kind) if self.layout is not None else None

    def layouts_to_try(self) -> list[Layout]:
        """The layouts a page of this book may have: the one named, else every one of its kind read."""
        named = self.book_layout
        if named is not None:
            return [named]
        return [layout for layout in REGISTRY if layout.kind == self.kind and layout.read]


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid")


_SEX = Literal["male", "female"] | None


def fields_model(kind: Kind | str) -> type[_Fields]:
    """The fields a record of the kind may hold: every key of its registered layouts, each
    optional (a key a layout does not have is absent), sex as ``male``/``female``."""
    keys = tuple(kind_keys(kind))
    return _fields_model(Kind(kind), keys)


_MODELS: dict[tuple[Kind, tuple[str, ...]], type[_Fields]] = {}


def _fields_model(kind: Kind, keys: tuple[str, ...]) -> type[_Fields]:
    if (kind, keys) not in _MODELS:
        columns: dict[str, Any] = {key: ((_SEX, None) if key == "sex" else (str | None, None)) for key in keys}
        _MODELS[(kind, keys)] = create_model(f"{kind.value.title()}Fields", __base__=_Fields, **columns)
    return _MODELS[(kind, keys)]


BirthFields = fields_model(Kind.birth)
DeathFields = fields_model(Kind.death)
MarriageFields = fields_model(Kind.marriage)


class RecordSource(BaseModel):
    """Where a record came from: a page row of a book, or an imported file."""

    book: str | None = None
    page: int | None = None
    row: int | None = None
    image: str | None = None
    bbox: list[int] | None = None
    import_: str | None = Field(default=None, alias="import")

    model_config = ConfigDict(populate_by_name=True)

    def export(self) -> dict[str, Any]:
        if self.import_ is not None:
            return {"import": self.import_}
        return {
            "book": self.book,
            "page": self.page,
            "row": self.row,
            "image": self.image,
            "bbox": self.bbox,
        }


class Record(BaseModel):
    """One record as exported (spec section 4)."""

    record_id: str
    kind: Kind
    source: RecordSource
    fields: dict[str, Any]
    raw: dict[str, str | None]
    confidence: dict[str, float]
    status: Status
    review_reasons: list[str] = []
    duplicate_of: str | None = None
    match_probability: float | None = None
    # Kept in the database for review, not part of the export contract: normaliser issues
    # and each field's box [x, y, w, h] on the scan.
    issues: dict[str, list[str]] = Field(default_factory=dict, exclude=True)
    boxes: dict[str, list[int]] = Field(default_factory=dict, exclude=True)
    # Each written place resolved: {key: {"then": unit at the event date, "today": ..., "reason": ...}}
    places: dict[str, dict[str, str | None]] = Field(default_factory=dict, exclude=True)
    # A likelier spelling of what OCR read, offered to the reviewer beside the value: {key: text}
    suggestions: dict[str, str] = Field(default_factory=dict, exclude=True)

    def export(self) -> dict[str, Any]:
        data = self.model_dump(mode="json")
        data["source"] = self.source.export()
        return data
