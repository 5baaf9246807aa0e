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

    (tmp_path / "book.json").write_text(json.dumps({"book_id": "KS-F", "kind": "birth", "layout": "form"}), "utf-8")
    with pytest.raises(HotichError) as refused:
        read_manifest(tmp_path)
    assert refused.value.code == "layout_not_supported" and "one record per page" in refused.value.message


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
