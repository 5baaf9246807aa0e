"""The 2006–2015 books of layouts.md: the birth ``form`` and the marriage ``couple-ledger`` spread,
typed and handwritten; generated, recognised, cut, read, and handwriting never guessed."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import needs_tesseract
from sqlalchemy import select
from sqlalchemy.orm import Session

from extract.cells import PageInk
from extract.form import _without_leaders
from extract.handwriting import InkLook, by_hand
from extract.images import load_page_as_scanned, page_ref
from extract.lines import find_entries
from extract.page import extract_page
from extract.tesseract import TesseractEngine
from load.db import open_database
from load.schema import RecordRow
from normalize.record import normalize_field
from normalize.values import normalize_count
from records import Kind, Status
from records.layouts import layout_of
from samplebooks.generate import Variation, box_inside, generate_book

FORM = layout_of("form", Kind.birth)
COUPLE = layout_of("couple-ledger", Kind.marriage)


def _truth(book: Path) -> list[dict]:
    return [json.loads(line) for line in (book.parent.parent / "truth" / f"{book.name}.jsonl").open(encoding="utf-8")]


def _read(book: Path, page: int, *, named: bool):
    name = next(path.name for path in book.iterdir() if path.stem == f"{page:04d}")
    image, gray = load_page_as_scanned(book, page_ref(name, page), book_id=book.name)
    colour = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    layout = {"form": FORM, "couple-ledger": COUPLE}[json.loads((book / "book.json").read_text())["layout"]]
    candidates = [shape for shape in (FORM, COUPLE, layout_of("ledger", layout.kind)) if shape.kind == layout.kind]
    return extract_page(
        gray, layout=layout if named else None, engine=TesseractEngine(), where=book.name, candidates=candidates,
        colour=colour,
    )  # fmt: skip


@pytest.fixture(scope="module")
def later_books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("later")
    return {
        f"{layout.name}-{writing}": generate_book(
            root / f"{layout.name}-{writing}",
            kind=layout.kind,
            seed=61,
            pages=1,
            layout=layout,
            variation=Variation(writing=writing),
        )
        for layout in (FORM, COUPLE)
        for writing in ("typed", "hand")
    }


# --- the generator --------------------------------------------------------------------------


@pytest.mark.parametrize("writing", ["typed", "hand"])
@pytest.mark.parametrize("layout", [FORM, COUPLE], ids=["form", "couple-ledger"])
def test_the_generator_writes_every_field_with_its_box(tmp_path: Path, layout, writing: str) -> None:
    book = generate_book(
        tmp_path, kind=layout.kind, seed=7, pages=2, layout=layout, variation=Variation(writing=writing)
    )
    again = generate_book(tmp_path / "again", kind=layout.kind, seed=7, pages=2, layout=layout,
                          variation=Variation(writing=writing))  # fmt: skip
    assert (book / "0001.png").exists() or (book / "0001.jpg").exists()
    assert _truth(book) == _truth(again)  # deterministic by seed
    rows = _truth(book)
    assert json.loads((book / "book.json").read_text())["layout"] == layout.name
    if layout is FORM:
        assert [row["row"] for row in rows] == [1, 1]  # one record per page
    else:
        assert len(rows) >= 6 and {row["page"] for row in rows} == {1, 2}
    for row in rows:
        assert set(row["fields"]) == set(layout.field_keys())
        for key, mark in row["marks"].items():
            assert row["fields"][key] is not None or key == "notes", key
            assert mark["box"][2] > 0 and mark["box"][3] > 0
            if writing == "typed" or key == "page_label":  # the page number is printed with the book
                assert not mark["hand"], key
            elif key != "registration_number":  # which a handwritten book may stamp
                assert mark["hand"], key
        if layout is FORM:
            assert row["fields"]["birth_date_in_words"] == row["fields"]["birth_date"]
    scan = cv2.imread(str(next(book.glob("0001.*"))))
    assert scan.shape[1] > scan.shape[0] if layout is COUPLE else scan.shape[0] > scan.shape[1]  # A3 spread, A4 page


# --- pure parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value", "issues"),
    [("Nhất", "1", ()), ("Hai", "2", ()), ("lần thứ 3", "3", ()), ("Lần đầu", "1", ()), ("2", "2", ()),
     ("", None, ()), ("nhiều", None, ("invalid_count",))],
)  # fmt: skip
def test_marriage_count_in_words(written: str, value: str | None, issues: tuple[str, ...]) -> None:
    found = normalize_count(written)
    assert (found.value, found.issues) == (value, issues)


def test_a_date_keyed_as_digits_alone() -> None:
    from normalize.typed import check_typed

    assert check_typed("birth_date", "150308", reference_year=2008).value == "2008-03-15"
    assert check_typed("birth_date", "15032008", reference_year=None).value == "2008-03-15"
    assert check_typed("birth_date", "310299", reference_year=1999).issues == ("invalid_date",)
    assert check_typed("registration_number", "150308", reference_year=2008).value == "150308"  # not a date field


def test_date_in_words_disagreeing_with_figures_goes_to_a_person() -> None:
    from normalize.record import ReviewSettings, normalize_record

    raw = {"registration_number": "3", "full_name": "Lê Văn An", "birth_date": "15/03/2008",
           "registration_date": "2/4/2008",
           "birth_date_in_words": "Mười sáu tháng ba năm hai nghìn không trăm linh tám"}  # fmt: skip
    result = normalize_record(FORM, raw, dict.fromkeys(raw, 1.0), reference_year=2008, settings=ReviewSettings())
    assert result.fields["birth_date_in_words"] == "2008-03-16"
    assert "date_words_disagree:birth_date_in_words" in result.review_reasons
    agreeing = {**raw, "birth_date_in_words": "Mười lăm tháng ba năm hai nghìn không trăm linh tám"}
    result = normalize_record(FORM, agreeing, dict.fromkeys(raw, 1.0), reference_year=2008, settings=ReviewSettings())
    assert not any(reason.startswith("date_words_disagree") for reason in result.review_reasons)
    assert (
        normalize_field("birth_date_in_words", "Mồng một tháng mười hai năm hai nghìn", reference_year=2000).value
        == "2000-12-01"
    )


def test_entries_are_found_from_the_lines_that_have_writing() -> None:
    bands = list(range(10))
    written = {}
    for band in (0, 4, 7):  # entries start with a number; 7 has none, only a name after an empty line
        written[(band, 3)] = written[(band + 1, 3)] = True
        if band != 7:
            written[(band, 1)] = True
    written[(2, 12)] = True  # the signer's text runs on to a spare line
    entries = find_entries(written, bands, name_column=3)
    assert [(e.first, e.lines, e.last) for e in entries] == [(0, [0, 1], 3), (4, [4, 5], 6), (7, [7, 8], 8)]


def test_a_dotted_line_is_painted_out_but_a_tone_dot_below_stays() -> None:
    crop = np.full((40, 400), 255, np.uint8)
    for x in range(5, 395, 8):  # the printed leader: 2×2 dots every 8 px on one row
        crop[30:32, x : x + 2] = 0
    crop[29:34, 203:208] = 0  # a dot below a letter, larger, among them
    crop[5:28, 100:104] = 0  # a letter's stroke
    cleaned = _without_leaders(crop, PageInk(threshold=128, text_height=24.0))
    assert (cleaned[30:32, 5:7] == 255).all() and (cleaned[30:32, 381:383] == 255).all()
    assert (cleaned[29:34, 203:208] == 0).all() and (cleaned[5:28, 100:104] == 0).all()


def test_an_entry_mostly_by_hand_takes_its_unclear_fields_as_handwritten() -> None:
    pen = InkLook(blue=40.0, slant=0.2)
    looks = {"a": pen, "b": pen, "d": pen, "c": InkLook(blue=None, slant=None), "stamped": InkLook(blue=2.0, slant=0.0)}
    assert by_hand(looks) == {"a", "b", "d", "c"}  # an upright stamp in the printed colour stays printed
    assert by_hand({"a": pen, "b": InkLook(blue=None, slant=None), "c": InkLook(blue=None, slant=None)}) == {"a"}
    typed = {"a": InkLook(blue=1.0, slant=0.0), "b": InkLook(blue=None, slant=None)}
    assert by_hand(typed) == set()


# --- reading, with Tesseract ----------------------------------------------------------------


@needs_tesseract
@pytest.mark.parametrize("named", [True, False], ids=["named", "recognised"])
@pytest.mark.parametrize("name", ["form", "couple-ledger"])
def test_a_typed_page_is_recognised_cut_and_read(later_books: dict[str, Path], name: str, named: bool) -> None:
    book = later_books[f"{name}-typed"]
    truth = [row for row in _truth(book) if row["page"] == 1]
    page = _read(book, 1, named=named)
    assert page.layout == (FORM if name == "form" else COUPLE).id
    assert (page.layout_score is None) == named
    assert len(page.rows) == len(truth)  # every entry found, none invented
    right = total = taken_for_hand = 0
    for row, true in zip(page.rows, truth, strict=True):
        taken_for_hand += sum(cell.handwritten for cell in row.cells.values())
        for key, mark in true["marks"].items():
            assert box_inside(mark["box"], row.boxes.get(key)), (true["row"], key, mark["box"], row.boxes.get(key))
            total += 1
            right += row.cells[key].text.replace(" ", "").lower() == true["written"][key].replace(" ", "").lower()
    assert right / total >= 0.8, f"{right}/{total} read as written"
    # type taken for handwriting costs a person a few keys, never a wrong value: a few percent at most
    assert taken_for_hand <= 0.05 * total, f"{taken_for_hand}/{total} typed fields marked handwritten"


@needs_tesseract
@pytest.mark.parametrize("name", ["form", "couple-ledger"])
def test_a_handwritten_page_is_cut_and_not_guessed(later_books: dict[str, Path], name: str) -> None:
    book = later_books[f"{name}-hand"]
    truth = [row for row in _truth(book) if row["page"] == 1]
    page = _read(book, 1, named=True)
    assert len(page.rows) == len(truth)
    hand = marked = 0
    for row, true in zip(page.rows, truth, strict=True):
        for key, mark in true["marks"].items():
            assert box_inside(mark["box"], row.boxes.get(key)), (key, mark["box"], row.boxes.get(key))
            if mark["hand"]:
                hand += 1
                marked += row.cells[key].handwritten
    assert marked / hand >= 0.95, f"{marked}/{hand} handwritten fields marked"


@needs_tesseract
@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_harness")
def test_a_handwritten_spread_book_is_keyed_beside_its_crops(later_books: dict[str, Path], tmp_path: Path) -> None:
    from flows.digitize import digitize_book

    book = tmp_path / "KH-hand"
    shutil.copytree(later_books["couple-ledger-hand"], book)
    manifest = json.loads((book / "book.json").read_text())
    manifest.pop("layout")  # recognised from the printed labels
    (book / "book.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'h.db'}"
    summary = digitize_book(book, db)
    assert not summary.errors and summary.rows == len(_truth(later_books["couple-ledger-hand"]))
    again = digitize_book(book, db)  # a re-run adds nothing
    engine = open_database(db)
    with Session(engine) as session:
        rows = session.scalars(select(RecordRow).order_by(RecordRow.page_no, RecordRow.row_no)).all()
    assert again.count("loaded") == 0 and len(rows) == summary.rows
    for row in rows:
        assert row.status == Status.needs_review.value
        assert "handwritten:husband_name" in row.review_reasons
        assert row.fields.get("husband_name") is None  # not guessed
        assert row.raw.get("husband_signature") in ("present", "absent")
        assert set(row.field_boxes or {}) >= {"husband_name", "wife_name", "signer"}
    # keyed entry: the record page keys it field by field, proposing what the book makes likely
    from fastapi.testclient import TestClient
    from web_fixtures import PASSWORD, sign_in

    from review_ui.app import create_app
    from review_ui.auth import add_user

    first, second = rows[0], rows[1]
    with Session(engine) as session, session.begin():
        keyed = session.get(RecordRow, first.record_id)
        assert keyed is not None
        keyed.fields = {**keyed.fields, "registration_number": "7", "signer": "Lê Văn Tám - Chủ tịch UBND"}
    add_user(engine, "lan", "reviewer", PASSWORD)
    client = TestClient(create_app(db), follow_redirects=False)
    sign_in(client, "lan")
    page = client.get(f"/records/{second.record_id}").text
    assert 'data-keyed="1"' in page and "Viết tay: nhập theo ảnh" in page
    assert 'id="f-registration_number"' in page and 'data-proposal="8"' in page  # the number after the last
    assert 'data-proposal="Kinh"' in page and 'data-proposal="Việt Nam"' in page
    assert '<option value="Lê Văn Tám - Chủ tịch UBND">' in page  # the signer recurs on every page
    assert f"/records/{second.record_id}/field/husband_name.png" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    verdict = client.post(
        f"/records/{second.record_id}/check",
        data={"field": "husband_birth_date", "husband_birth_date": "150382", "csrf_token": token},
    ).text
    assert "1982-03-15" in verdict and "Mười lăm tháng ba năm một nghìn chín trăm tám mươi hai" in verdict
