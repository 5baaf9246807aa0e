"""Extracts (trích lục): the PDF's text carries every field with its diacritics; issues are logged."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner
from web_fixtures import FIELDS, make_site

from flows.cli import app
from load.certificate import extract_pdf
from load.db import open_database
from load.review import save_review
from load.schema import Book, ExtractIssued

needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed")


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


@needs_pdftotext
def test_the_extract_prints_every_field_with_its_diacritics(db_url: str, tmp_path: Path) -> None:
    make_site(db_url)
    engine = open_database(db_url)
    save_review(engine, "R1", "lan", version=1, values={"full_name": "Nguyễn Văn Ân"})
    text = _text(extract_pdf(engine, "R1", issued_by="minh", place="Phường Thạc Gián"), tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "TRÍCH LỤC KHAI SINH" in text
    assert "Nguyễn Văn Ân" in text
    for key in ("father_name", "mother_name", "ethnicity"):
        assert FIELDS[key] in text
    assert "Phường Thạc Gián, Quận Thanh Khê, Thành phố Đà Nẵng" in " ".join(text.split())
    assert "02/03/1998" in text and "mồng hai tháng ba năm một nghìn chín trăm chín mươi tám" in " ".join(text.split())
    assert "Nam" in text and "15/03/1998" in text
    assert "sửa Họ, chữ đệm, tên" in " ".join(text.split())  # the correction is in the notes
    assert "Sổ KS-1998, trang 1, dòng 1, số 12" in text
    with Session(engine) as session:
        issued = session.scalars(select(ExtractIssued)).all()
        assert [(entry.record_id, entry.user_name) for entry in issued] == [("R1", "minh")]


@needs_pdftotext
def test_hotich_extract_writes_the_pdf(db_url: str, tmp_path: Path, sample_root: Path) -> None:
    from tests_support import birth_book_dir

    make_site(db_url, birth_book_dir(sample_root))
    out = tmp_path / "R2.pdf"
    refused = CliRunner().invoke(app, ["extract", "R2", "--db", db_url, "--out", str(out)])
    assert refused.exit_code == 2 and "extract_unverified" in refused.output and not out.exists()  # in review
    result = CliRunner().invoke(app, ["extract", "R2", "--db", db_url, "--out", str(out), "--unverified"])
    assert result.exit_code == 0, result.output
    text = _text(out.read_bytes(), tmp_path)
    assert "TRÍCH LỤC KHAI SINH" in text and "CHƯA XÁC MINH" in text
    missing = CliRunner().invoke(app, ["extract", "nope", "--db", db_url])
    assert missing.exit_code == 2 and "no record nope" in missing.output


@needs_pdftotext
def test_the_extract_has_the_authority_its_number_and_the_signers_block(db_url: str, tmp_path: Path) -> None:
    make_site(db_url)
    engine = open_database(db_url)
    with Session(engine) as session, session.begin():
        book = session.get(Book, "KS-1998")
        assert book is not None
        book.locality = {"commune": "Phường An Khê", "province": "Thành phố Đà Nẵng"}
    save_review(engine, "R1", "lan", version=1, values={})
    first = " ".join(_text(extract_pdf(engine, "R1", issued_by="minh"), tmp_path).split())
    second = " ".join(_text(extract_pdf(engine, "R1", issued_by="minh"), tmp_path).split())
    assert "UBND PHƯỜNG AN KHÊ" in first and "Số: 1/TLKS" in first and "Số: 2/TLKS" in second  # its own number
    assert "NGƯỜI KÝ TRÍCH LỤC" in first and "(Ký, ghi rõ họ, chữ đệm, tên, chức vụ và đóng dấu)" in first
    assert "Phường An Khê, Thành phố Đà Nẵng, ngày" in first and "CHƯA XÁC MINH" not in first


def test_a_record_in_review_is_refused_unless_the_officer_insists_and_then_marked(db_url: str, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient
    from web_fixtures import sign_in

    from load.access import access_log
    from records import HotichError
    from review_ui.app import create_app

    make_site(db_url)
    engine = open_database(db_url)
    with pytest.raises(HotichError, match="extract_unverified"):
        extract_pdf(engine, "R2", issued_by="minh")
    officer = TestClient(create_app(db_url), follow_redirects=False)
    sign_in(officer, "minh")
    page = officer.get("/counter/records/R2").text
    assert 'id="unverified"' in page and "đang chờ duyệt" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert officer.post("/counter/records/R2/extract.pdf", data={"csrf_token": token}).status_code == 409
    marked = officer.post("/counter/records/R2/extract.pdf", data={"csrf_token": token, "unverified": "1"})
    assert marked.status_code == 200 and marked.content.startswith(b"%PDF")
    with Session(engine) as session:
        assert [entry.file for entry in session.scalars(select(ExtractIssued))] == ["CHƯA XÁC MINH"]
    assert [(e.action, e.detail) for e in access_log(engine, user="minh").entries if e.action == "extract"] == [
        ("extract", "chưa xác minh")
    ]


def _site_on(db_url: str, book: Path, scan: Any) -> Any:
    """make_site's records on one scan page, written as ``book/0001.png`` and loaded as read."""
    import cv2

    from extract.images import content_hash
    from load.schema import Page

    cv2.imwrite(str(book / "0001.png"), scan)
    make_site(db_url, book)
    engine = open_database(db_url)
    with Session(engine) as session, session.begin():
        session.add(Page(book_id="KS-1998", page_no=1, image_name="0001.png", image_sha256=content_hash(scan),
                         status="loaded", row_count=3))  # fmt: skip
    return engine


def test_the_extract_crop_is_its_row_alone_from_the_scan_that_was_read(db_url: str, tmp_path: Path) -> None:
    import cv2
    import numpy as np
    from fastapi.testclient import TestClient
    from web_fixtures import sign_in

    from review_ui.app import create_app
    from review_ui.scans import record_crop_png

    book = tmp_path / "KS-1998"
    book.mkdir()
    scan = np.full((1000, 2600), 255, np.uint8)
    for row, ink in ((1, 40), (2, 110), (3, 180)):  # make_site's boxes: y = 400 + 120 * row, 110 high
        scan[400 + 120 * row : 400 + 120 * row + 110, 80:2480] = ink
    engine = _site_on(db_url, book, scan)
    crop = cv2.imdecode(np.frombuffer(record_crop_png(engine, "R2") or b"", np.uint8), cv2.IMREAD_GRAYSCALE)
    assert crop is not None and abs(int(np.median(crop)) - 110) <= 2
    assert crop.min() >= 100 and crop.max() <= 120  # not one pixel of row 1 (40) or row 3 (180)
    changed = scan.copy()
    changed[:50] = 0  # another scan under the same name
    cv2.imwrite(str(book / "0001.png"), changed)
    from review_ui import scans

    scans._loaded.cache_clear()
    assert record_crop_png(engine, "R2") is None  # never printed from the file on disk now
    reviewer = TestClient(create_app(db_url), follow_redirects=False)
    sign_in(reviewer, "lan")
    assert reviewer.get("/records/R2/crop.png").status_code == 409
    assert reviewer.get("/records/R2/page.jpg").status_code == 409


def test_each_field_is_shown_beside_its_input_cut_from_its_cell(db_url: str, tmp_path: Path) -> None:
    import cv2
    import numpy as np
    from fastapi.testclient import TestClient
    from web_fixtures import sign_in

    from load.access import access_log
    from load.schema import RecordRow
    from review_ui.app import create_app

    book = tmp_path / "KS-1998"
    book.mkdir()
    scan = np.full((1000, 2600), 255, np.uint8)
    scan[520:630, 80:600] = 60  # row 1's first cells
    scan[520:630, 600:1100] = 150
    engine = _site_on(db_url, book, scan)
    with Session(engine) as session, session.begin():
        row = session.get(RecordRow, "R1")
        assert row is not None
        row.field_boxes = {"registration_number": [80, 520, 520, 110], "full_name": [600, 520, 500, 110]}
    reviewer = TestClient(create_app(db_url), follow_redirects=False)
    sign_in(reviewer, "lan")
    page = reviewer.get("/records/R1").text
    assert 'src="/records/R1/field/full_name.png?width=560"' in page and "field/sex.png" not in page
    got = reviewer.get("/records/R1/field/full_name.png?width=560")
    assert got.status_code == 200 and got.headers["content-type"] == "image/png"
    crop = cv2.imdecode(np.frombuffer(got.content, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert crop.shape[1] == 560 and abs(int(np.median(crop)) - 150) <= 3  # its own cell, enlarged
    assert reviewer.get("/records/R1/field/sex.png").status_code == 404  # no box: no image
    assert ("scan", "field crop full_name") in [(e.action, e.detail) for e in access_log(engine, user="lan").entries]
