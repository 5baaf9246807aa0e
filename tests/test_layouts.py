"""The layout registry: layouts are data, and every stage takes one.

The last test adds a third ledger layout in the test alone — a birth ledger of another era,
columns in another order, the ethnic group left out and the home town (quê quán) added — and
runs it through every stage: the sample generator prints it, the flow reads it, the
normaliser checks each column by its type, the review page shows its labels, the export
carries its keys. Nothing outside ``records/layouts.py``'s registry names it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import needs_tesseract

from records import REGISTRY, BookManifest, HotichError, Kind, Layout, LayoutColumn, Structure, ValueType, ledger
from records.layouts import FIELD_TYPES, layout_of


def test_every_key_has_one_type_across_layouts() -> None:
    for layout in REGISTRY:
        for column in layout.columns:
            assert FIELD_TYPES[column.key] == column.type, (layout.id, column.key)
        assert set(layout.required) <= set(layout.field_keys()), layout.id


def test_the_contract_layouts_are_registered() -> None:
    assert {layout.id for layout in REGISTRY} >= {
        "ledger/birth", "ledger/death", "ledger/marriage", "form/birth", "couple-ledger/marriage",
    }  # fmt: skip
    couple = layout_of("couple-ledger", Kind.marriage)
    assert couple.structure == Structure.lines and couple.lines == ("husband", "wife")
    assert {column.line for column in couple.columns if column.key.startswith("wife_")} == {"wife"}
    form = layout_of("form", Kind.birth)
    assert form.structure == Structure.page and "birth_date_in_words" in form.field_keys()
    assert [c.key for c in ledger(Kind.birth).columns][:3] == ["registration_number", "registration_date", "full_name"]


def test_a_manifest_names_a_registered_layout_of_its_kind() -> None:
    assert BookManifest(book_id="A", kind="marriage", layout="couple-ledger").book_layout.structure == "lines"
    with pytest.raises(ValueError, match="no birth layout; known: form, ledger"):
        BookManifest(book_id="A", kind="birth", layout="couple-ledger")
    with pytest.raises(ValueError, match="no death layout"):
        BookManifest(book_id="A", kind="death", layout="scroll")


def test_a_key_cannot_change_its_type() -> None:
    clash = Layout("odd", Kind.birth, Structure.row, (LayoutColumn("full_name", "Tên", ValueType.date),), ())
    with pytest.raises(ValueError, match="full_name is a name"):
        REGISTRY.add(clash)


def test_a_layout_not_yet_read_is_refused_by_name(tmp_path: Path) -> None:
    from extract.manifest import read_manifest

    scroll = Layout("scroll", Kind.death, Structure.page, (LayoutColumn("full_name", "Họ tên", ValueType.name),),
                    ("full_name",), read=False, description="a death scroll of one record per sheet")  # fmt: skip
    REGISTRY.add(scroll)
    try:
        (tmp_path / "book.json").write_text(
            json.dumps({"book_id": "KT-F", "kind": "death", "layout": "scroll"}), "utf-8"
        )
        with pytest.raises(HotichError) as refused:
            read_manifest(tmp_path)
    finally:
        REGISTRY.remove(scroll)
    assert refused.value.code == "layout_not_supported" and "one record per sheet" in refused.value.message


ERA_1990 = Layout(
    "ledger-1990",
    Kind.birth,
    Structure.row,
    (
        LayoutColumn("registration_number", "Số thứ tự", ValueType.number),
        LayoutColumn("full_name", "Họ và tên người được khai sinh", ValueType.name),
        LayoutColumn("sex", "Nam, nữ", ValueType.sex),
        LayoutColumn("birth_date", "Sinh ngày", ValueType.date),
        LayoutColumn("birth_place", "Nơi sinh", ValueType.place),
        LayoutColumn("home_town", "Quê quán", ValueType.place),
        LayoutColumn("father_name", "Họ tên cha", ValueType.name),
        LayoutColumn("mother_name", "Họ tên mẹ", ValueType.name),
        LayoutColumn("registration_date", "Ngày đăng ký", ValueType.date),
        LayoutColumn("notes", "Ghi chú", ValueType.text),
    ),
    ("registration_number", "full_name", "birth_date"),
    description="a birth ledger of another era (a test's)",
)


@pytest.fixture
def third_layout() -> Iterator[Layout]:
    REGISTRY.add(ERA_1990)
    yield ERA_1990
    REGISTRY.remove(ERA_1990)


@needs_tesseract
@pytest.mark.usefixtures("prefect_harness")
def test_a_third_layout_touches_only_the_registry(third_layout: Layout, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from web_fixtures import PASSWORD, sign_in

    from flows.digitize import digitize_book
    from load.db import open_database
    from load.export import csv_columns, exported_records
    from review_ui.app import create_app
    from review_ui.auth import add_user
    from samplebooks import generate_book

    book = generate_book(tmp_path, kind=Kind.birth, seed=4711, pages=1, layout=third_layout)
    assert json.loads((book / "book.json").read_text("utf-8"))["layout"] == "ledger-1990"
    db_url = f"sqlite:///{tmp_path / 'era.db'}"
    summary = digitize_book(book, db_url)
    assert summary.count("loaded") == 1 and not summary.errors
    truth = [json.loads(line) for line in (tmp_path / "truth" / f"{book.name}.jsonl").read_text("utf-8").splitlines()]
    records = {(r["source"]["page"], r["source"]["row"]): r for r in exported_records(open_database(db_url))}
    assert len(records) == len(truth)
    home_right = 0
    for row in truth:
        record = records[(row["page"], row["row"])]
        assert list(record["fields"]) == third_layout.field_keys()  # its keys, in its order; no ethnicity
        home_right += record["fields"]["home_town"] == row["fields"]["home_town"]
        assert not any(reason.startswith("header_mismatch") for reason in record["review_reasons"])
    assert home_right >= len(truth) - 2  # read as a place: the normaliser its type names
    assert "fields.home_town" in csv_columns()
    engine = open_database(db_url)
    add_user(engine, "lan", "reviewer", PASSWORD)
    first = next(iter(records.values()))
    with TestClient(create_app(db_url)) as client:
        sign_in(client, "lan")
        page = client.get(f"/records/{first['record_id']}")
        assert page.status_code == 200
        assert 'id="f-home_town"' in page.text and "Quê quán" in page.text and 'id="f-ethnicity"' not in page.text
        assert "Họ và tên người được khai sinh" in page.text


@needs_tesseract
@pytest.mark.usefixtures("prefect_harness")
def test_the_layout_is_recognised_from_the_page_when_book_json_names_none(
    third_layout: Layout, book_copy, tmp_path: Path
) -> None:
    """Two birth layouts of ten columns each: told apart by their printed headings alone."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from flows.digitize import digitize_book
    from load.db import open_database
    from load.export import exported_records
    from load.schema import Page
    from samplebooks import generate_book

    ledger_book = book_copy(Kind.birth)
    era_book = generate_book(tmp_path / "era", kind=Kind.birth, seed=4712, pages=1, layout=third_layout)
    for book in (ledger_book, era_book):
        manifest = json.loads((book / "book.json").read_text("utf-8"))
        del manifest["layout"]
        (book / "book.json").write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
    db_url = f"sqlite:///{tmp_path / 'recognised.db'}"
    for book in (ledger_book, era_book):
        summary = digitize_book(book, db_url)
        assert not summary.errors and summary.count("loaded") == len(summary.outcomes)
        assert all(outcome.layout for outcome in summary.outcomes)
    with Session(open_database(db_url)) as session:
        pages = {(p.book_id, p.page_no): (p.layout, p.layout_score) for p in session.scalars(select(Page))}
    assert {key: layout for key, (layout, _) in pages.items()} == {
        (ledger_book.name, 1): "ledger/birth",
        (ledger_book.name, 2): "ledger/birth",
        (era_book.name, 1): "ledger-1990/birth",
    }
    assert all(score is not None and score >= 0.5 for _, score in pages.values())
    era = [r for r in exported_records(open_database(db_url)) if r["source"]["book"] == era_book.name]
    assert era and all("home_town" in record["fields"] for record in era)


def test_a_page_of_no_known_layout_is_refused_by_name() -> None:
    import cv2
    import numpy as np

    from extract.page import extract_page
    from extract.tesseract import TesseractEngine

    page = np.full((1400, 1000), 255, np.uint8)
    for y in range(100, 1300, 40):
        cv2.putText(page, "Khong co bang nao o day " * 2, (50, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    candidates = [layout for layout in REGISTRY if layout.kind == Kind.birth and layout.read]
    with pytest.raises(HotichError) as refused:
        extract_page(
            page, layout=None, engine=TesseractEngine(), where="book KS-X, file 0003.png", candidates=candidates
        )
    assert refused.value.code == "page_layout_unknown"
    assert "book KS-X, file 0003.png" in refused.value.describe() and "no ruled table" in refused.value.message
