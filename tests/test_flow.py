"""The digitise flow under Prefect's test harness: loads, re-runs, bad pages, crashes, cache."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest
from conftest import needs_tesseract
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from extract.tesseract import OcrFailed, Reading, TesseractEngine
from flows import digitize as flow_module
from flows.digitize import digitize_book, use_ocr_engine
from load.db import open_database
from load.export import exported_records
from load.schema import Page, RecordRow
from records import Kind, record_id_for

pytestmark = [needs_tesseract, pytest.mark.prefect, pytest.mark.usefixtures("prefect_harness")]


class CountingEngine:
    """The real engine, counting its calls; can fail on chosen calls."""

    calls = 0

    def __init__(self, fail_on: dict[int, BaseException] | None = None) -> None:
        self.fail_on = fail_on or {}

    def read(self, images: Sequence[np.ndarray], *, psm: int = 6) -> list[Reading]:
        CountingEngine.calls += 1
        if CountingEngine.calls in self.fail_on:
            raise self.fail_on[CountingEngine.calls]
        return TesseractEngine().read(images, psm=psm)


@pytest.fixture
def counting_engine() -> Iterator[type[CountingEngine]]:
    CountingEngine.calls = 0
    yield CountingEngine
    use_ocr_engine(TesseractEngine)


def _truth(book: Path) -> list[dict]:
    path = book.parent.parent / "truth" / f"{book.name}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_book_is_digitised_with_provenance(book_copy, db_url: str) -> None:
    book = book_copy(Kind.birth)
    summary = digitize_book(book, db_url)
    truth = _truth(book)
    assert summary.count("loaded") == 2 and not summary.errors
    assert summary.rows == len(truth)
    records = {r["record_id"]: r for r in exported_records(open_database(db_url))}
    for row in truth:
        record = records[record_id_for(book.name, row["page"], row["row"])]
        assert record["source"]["image"] == row["image"]
        _x, _y, w, h = record["source"]["bbox"]
        assert w > 1000 and 50 < h < 600
        assert record["kind"] == "birth"
        assert set(record["fields"]) == set(row["fields"])
        assert record["status"] in ("auto_accepted", "needs_review")
        assert (record["status"] == "needs_review") == bool(record["review_reasons"])
    right = sum(
        records[record_id_for(book.name, r["page"], r["row"])]["fields"]["sex"] == r["fields"]["sex"] for r in truth
    )
    assert right >= len(truth) - 1
    with Session(open_database(db_url)) as session:  # the printed "Trang N" under each table, read
        labels = dict(session.execute(select(Page.page_no, Page.page_label).where(Page.book_id == book.name)).all())
    assert labels == {1: "1", 2: "2"}


def test_rerunning_a_book_changes_nothing(book_copy, db_url: str, counting_engine, monkeypatch) -> None:
    book = book_copy(Kind.marriage)
    digitize_book(book, db_url)
    before = list(exported_records(open_database(db_url)))
    use_ocr_engine(counting_engine)
    monkeypatch.setattr(flow_module, "PIPELINE_VERSION", "a-newer-hotich")  # even after an upgrade
    summary = digitize_book(book, db_url)
    assert [o.status for o in summary.outcomes] == ["unchanged", "unchanged"]
    assert counting_engine.calls == 0
    assert list(exported_records(open_database(db_url))) == before


def _write_bad_pages(book: Path) -> None:
    (book / "0003.png").write_bytes(b"\x89PNG\r\n\x1a\ncorrupt")
    (book / "0004.txt").write_text("not a scan")
    cv2.imwrite(str(book / "0005.png"), np.full((900, 1200), 250, np.uint8))
    prose = np.full((1400, 1000), 255, np.uint8)
    for y in range(100, 1300, 40):
        cv2.putText(prose, "Trang nay khong co bang", (50, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, 0, 2)
    cv2.imwrite(str(book / "0006.png"), prose)


def test_bad_pages_are_reported_and_the_rest_loaded(book_copy, db_url: str) -> None:
    book = book_copy(Kind.death)
    _write_bad_pages(book)
    summary = digitize_book(book, db_url)
    assert summary.count("loaded") == 2
    codes = {o.image_name: o.error for o in summary.outcomes if o.status == "failed"}
    assert set(codes) == {"0003.png", "0004.txt", "0005.png", "0006.png"}
    assert "page_unreadable" in codes["0003.png"] and "0003.png" in codes["0003.png"]
    assert "page_not_an_image" in codes["0004.txt"]
    assert "page_blank" in codes["0005.png"]
    assert "page_no_table" in codes["0006.png"]
    assert all(book.name in message for message in codes.values())
    with Session(open_database(db_url)) as session:
        failed = session.scalars(select(Page.page_no).where(Page.status == "failed")).all()
        assert sorted(failed) == [3, 4, 5, 6]
        assert not session.scalars(select(RecordRow).where(RecordRow.page_no >= 3)).all()


class Died(BaseException):
    """The process stopping in the middle of a write (power cut, kill -9)."""


def test_a_run_that_died_half_way_resumes(book_copy, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    book = book_copy(Kind.birth)
    real_save = flow_module.save_page
    saved: list[int] = []

    def save_then_die(session, **kwargs):
        real_save(session, **kwargs)
        saved.append(kwargs["page_no"])
        if len(saved) == 2:
            session.flush()
            raise Died  # after writing page rows, before the commit

    monkeypatch.setattr(flow_module, "save_page", save_then_die)
    with pytest.raises(Died):
        digitize_book(book, db_url)
    engine = open_database(db_url)
    with Session(engine) as session:
        loaded = session.scalars(select(Page.page_no).where(Page.status == "loaded")).all()
        rows = session.scalars(select(RecordRow.page_no)).all()
    assert loaded == [saved[0]]  # the page that died mid-write left nothing behind
    assert set(rows) == {saved[0]}
    monkeypatch.setattr(flow_module, "save_page", real_save)
    summary = digitize_book(book, db_url)
    statuses = {o.page_no: o.status for o in summary.outcomes}
    assert statuses[saved[0]] == "unchanged" and statuses[saved[1]] == "loaded"
    ids = [r["record_id"] for r in exported_records(engine)]
    assert len(ids) == len(set(ids)) == len(_truth(book))


def test_pages_are_cached_on_their_pixels(book_copy, tmp_path: Path, counting_engine) -> None:
    book = book_copy(Kind.marriage)
    use_ocr_engine(counting_engine)
    digitize_book(book, f"sqlite:///{tmp_path / 'one.db'}")
    first_calls = counting_engine.calls
    summary = digitize_book(book, f"sqlite:///{tmp_path / 'two.db'}")
    assert summary.count("loaded") == 2
    assert counting_engine.calls == first_calls  # a new database, the same pixels: no OCR


def test_a_tesseract_crash_is_retried_once(book_copy, db_url: str, counting_engine, monkeypatch) -> None:
    book = book_copy(Kind.death)
    monkeypatch.setattr(flow_module, "PIPELINE_VERSION", "test-retry")  # no cached pages
    crash = OcrFailed("ocr_crashed", "Tesseract failed: Segmentation fault", fix="run the book again")
    use_ocr_engine(lambda: counting_engine(fail_on={1: crash}))
    summary = digitize_book(book, db_url)
    assert summary.count("loaded") == 2 and not summary.errors


def test_a_programming_error_fails_the_page_without_retry(book_copy, db_url: str, counting_engine, monkeypatch) -> None:
    book = book_copy(Kind.birth)
    monkeypatch.setattr(flow_module, "PIPELINE_VERSION", "test-no-cache")
    use_ocr_engine(lambda: counting_engine(fail_on={1: ValueError("boom"), 2: ValueError("boom")}))
    summary = digitize_book(book, db_url)
    failed = [o for o in summary.outcomes if o.status == "failed"]
    assert len(failed) == 2 and all("page_failed" in (o.error or "") for o in failed)
    assert counting_engine.calls == 2  # one call per page: no retry
    with Session(open_database(db_url)) as session:
        assert not session.scalars(select(RecordRow)).all()
        statuses = session.scalars(select(Page.status)).all()
    assert statuses == ["failed", "failed"]


def test_a_book_of_another_kind_goes_to_review(book_copy, db_url: str) -> None:
    book = book_copy(Kind.birth)
    manifest = json.loads((book / "book.json").read_text(encoding="utf-8"))
    (book / "book.json").write_text(json.dumps({**manifest, "kind": "death"}), encoding="utf-8")
    summary = digitize_book(book, db_url)  # both ledgers have ten columns
    assert summary.count("loaded") == 2
    records = list(exported_records(open_database(db_url)))
    assert records and all("header_mismatch" in r["review_reasons"] for r in records)
    assert all(r["status"] == "needs_review" for r in records)


def test_a_scanned_pdf_book(book_copy, db_url: str) -> None:
    book = book_copy(Kind.marriage)
    scans = sorted(p for p in book.iterdir() if p.name != "book.json")
    pages = [Image.open(p).convert("RGB") for p in scans]
    pages[0].save(book / "book.pdf", save_all=True, append_images=pages[1:], resolution=240)
    for scan in scans:
        scan.unlink()
    summary = digitize_book(book, db_url)
    assert [o.image_name for o in summary.outcomes] == ["book.pdf", "book.pdf#2"]
    assert summary.count("loaded") == 2 and summary.rows == len(_truth(book))


def test_a_scan_added_between_pages_renumbers_nothing(book_copy, db_url: str) -> None:
    book = book_copy(Kind.birth)
    digitize_book(book, db_url)
    engine = open_database(db_url)
    with Session(engine) as session, session.begin():  # a reviewer decided a row of page 2
        row = session.scalars(select(RecordRow).where(RecordRow.page_no == 2, RecordRow.row_no == 1)).one()
        row.status, row.fields = "reviewed", {**row.fields, "notes": "đã duyệt"}
        reviewed_id = row.record_id
        before = {r.record_id: (r.page_no, r.row_no, r.image_name) for r in session.scalars(select(RecordRow))}
    first, second = sorted(path.name for path in book.iterdir() if path.name != "book.json")
    added = f"{Path(first).stem}b{Path(first).suffix}"  # sorts between the two pages
    (book / added).write_bytes((book / first).read_bytes())
    summary = digitize_book(book, db_url)
    assert any(f"{added} was added between pages already loaded: it is page 3" in n for n in summary.notices)
    with Session(engine) as session:
        after = {r.record_id: (r.page_no, r.row_no, r.image_name) for r in session.scalars(select(RecordRow))}
        reviewed = session.get(RecordRow, reviewed_id)
        pages = {page.image_name: page.page_no for page in session.scalars(select(Page))}
    assert all(after[record_id] == place for record_id, place in before.items())  # nothing lost or moved
    assert reviewed is not None and reviewed.fields["notes"] == "đã duyệt" and reviewed.image_name == second
    assert pages == {first: 1, second: 2, added: 3}
    assert sum(place[0] == 3 for place in after.values()) == sum(place[0] == 1 for place in before.values())
    assert sum(summary.statuses.values()) == len(after) and summary.statuses["reviewed"] == 1  # not "0 to review"
    (book / first).unlink()
    gone = digitize_book(book, db_url)
    assert any(f"{first} (page 1) is no longer in the book folder" in notice for notice in gone.notices)
    with Session(engine) as session:
        assert {r.record_id for r in session.scalars(select(RecordRow))} == set(after)  # its records are kept
