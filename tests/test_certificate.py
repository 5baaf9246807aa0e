"""Extracts (trích lục): the PDF's text carries every field with its diacritics; issues are logged."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner
from web_fixtures import FIELDS, make_site

from flows.cli import app
from load.certificate import extract_pdf
from load.db import open_database
from load.review import save_review
from load.schema import ExtractIssued

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
    result = CliRunner().invoke(app, ["extract", "R2", "--db", db_url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "TRÍCH LỤC KHAI SINH" in _text(out.read_bytes(), tmp_path)
    missing = CliRunner().invoke(app, ["extract", "nope", "--db", db_url])
    assert missing.exit_code == 2 and "no record nope" in missing.output
