"""hotich import-existing: validation by row, idempotent loads, legacy files, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from load.db import open_database
from load.importer import import_existing
from load.schema import RecordRow
from normalize.legacy import encode_tcvn3
from records import HotichError

HEADER = "record_id,kind,registration_number,registration_date,full_name,sex,birth_date,father_name,mother_name\n"
GOOD = [
    "KS-1,birth,01,15/03/1998,NGUYỄN THỊ HOÀ,Nữ,12/03/1998,Nguyễn Văn An,Trần Thị Bé\n",
    "KS-2,birth,2,16-03-1998,Lê Văn Tám,Nam,ngày 1 tháng 3 năm 1998,,\n",
    "KT-1,death,5,2001-05-02,Phạm Văn Lộc,Nam,1930,,\n",
]


def _count(db_url: str) -> int:
    with Session(open_database(db_url)) as session:
        return session.scalar(select(func.count()).select_from(RecordRow)) or 0


def _write(tmp_path: Path, text: str, name: str = "held.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_import_loads_normalised_records_and_reimport_changes_nothing(tmp_path: Path, db_url: str) -> None:
    path = _write(tmp_path, "\ufeff" + HEADER + "".join(GOOD))  # UTF-8 with BOM, as Excel writes it
    engine = open_database(db_url)
    first = import_existing(engine, path)
    assert (first.added, first.problems) == (3, [])
    with Session(engine) as session:
        row = session.get(RecordRow, "KS-1")
        assert row is not None
        assert row.fields["full_name"] == "Nguyễn Thị Hoà"
        assert row.fields["registration_number"] == "1"
        assert row.raw["full_name"] == "NGUYỄN THỊ HOÀ"
        assert row.source_import == "held.csv"
        assert row.name_fold == "nguyen thi hoa"
        assert row.birth_year == 1998
        versions = {r.record_id: (r.version, r.updated_at) for r in session.scalars(select(RecordRow))}
    again = import_existing(engine, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    with Session(engine) as session:
        assert {r.record_id: (r.version, r.updated_at) for r in session.scalars(select(RecordRow))} == versions


def test_bad_rows_are_reported_by_row_and_good_rows_load(tmp_path: Path, db_url: str) -> None:
    rows = [
        GOOD[0],
        "KS-1,birth,3,17/3/1998,Trần Văn Ba,Nam,1/1/1998,,\n",  # duplicate id
        ",birth,4,17/3/1998,Trần Văn Bốn,Nam,1/1/1998,,\n",  # no id
        "KS-5,ghost,5,17/3/1998,Trần Văn Năm,Nam,1/1/1998,,\n",  # unknown kind
        GOOD[1],
    ]
    path = _write(tmp_path, HEADER + "".join(rows))
    summary = import_existing(open_database(db_url), path)
    described = [problem.describe(path) for problem in summary.problems]
    assert described[0].startswith("held.csv, row 2 (KS-1): record_id appears 2 times")
    assert [problem.row for problem in summary.problems] == [2, 3, 4, 5]
    assert "kind 'ghost'" in described[3]
    assert summary.added == 1 and _count(db_url) == 1  # KS-2 loaded; nothing of the bad rows


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "file_empty"),
        ("kind,full_name\nbirth,Nguyễn Văn An\n", "import_no_record_id"),
        ("record_id,full_name\n1,Nguyễn Văn An\n", "import_no_kind"),
        ("record_id,kind,nickname\n1,birth,Bé\n", "import_unknown_columns"),
    ],
)
def test_bad_files_give_a_clear_error_and_load_nothing(tmp_path: Path, db_url: str, text: str, code: str) -> None:
    with pytest.raises(HotichError) as caught:
        import_existing(open_database(db_url), _write(tmp_path, text))
    assert caught.value.code == code
    assert "held.csv" in caught.value.describe()
    assert _count(db_url) == 0


def test_an_8bit_tcvn3_file_is_decoded(tmp_path: Path, db_url: str) -> None:
    text = HEADER + encode_tcvn3("KS-9,birth,9,15/03/1998,Trương Văn Đức,Nam,12/03/1998,Lưu Văn Hùng,Đỗ Thị Lý\n")
    path = _write(tmp_path, text, encoding="cp1252")
    engine = open_database(db_url)
    summary = import_existing(engine, path)
    assert summary.added == 1
    assert any("8-bit" in note for note in summary.notes)
    with Session(engine) as session:
        row = session.get(RecordRow, "KS-9")
        assert row is not None
        assert row.fields["full_name"] == "Trương Văn Đức"
        assert row.fields["mother_name"] == "Đỗ Thị Lý"
        assert "legacy_encoding:full_name" in row.review_reasons  # converted text is shown to a person


def test_xlsx_with_several_sheets_asks_which(tmp_path: Path, db_url: str) -> None:
    workbook = Workbook()
    births = workbook.active
    assert births is not None
    births.title = "Khai sinh"
    deaths = workbook.create_sheet("Khai tử")
    for sheet, row in ((births, GOOD[0]), (deaths, GOOD[2])):
        sheet.append(HEADER.strip().split(","))
        sheet.append(row.strip().split(","))
    path = tmp_path / "held.xlsx"
    workbook.save(path)
    engine = open_database(db_url)
    with pytest.raises(HotichError) as caught:
        import_existing(engine, path)
    assert caught.value.code == "xlsx_several_sheets"
    assert "Khai sinh" in caught.value.describe() and "--sheet" in caught.value.describe()
    assert import_existing(engine, path, sheet="Khai tử").added == 1
    with Session(engine) as session:
        assert session.get(RecordRow, "KT-1") is not None


def test_excel_dates_and_numbers_become_text(tmp_path: Path, db_url: str) -> None:
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["record_id", "kind", "registration_number", "full_name", "birth_date"])
    sheet.append(["KS-7", "birth", 7, "Vũ Thị Mai", dt.datetime(1990, 4, 30)])
    path = tmp_path / "one.xlsx"
    workbook.save(path)
    engine = open_database(db_url)
    assert import_existing(engine, path).added == 1
    with Session(engine) as session:
        row = session.get(RecordRow, "KS-7")
        assert row is not None
        assert (row.fields["registration_number"], row.fields["birth_date"]) == ("7", "1990-04-30")


def test_vietnamese_kind_names_and_loose_headers(tmp_path: Path, db_url: str) -> None:
    text = "Record ID,KIND,Full_Name,birth_date\nX1,Khai sinh,Lê Văn Tám,1/2/1990\nX2,khai tử,Lê Văn Bảy,1930\n"
    summary = import_existing(open_database(db_url), _write(tmp_path, text))
    assert (summary.added, summary.problems) == (2, [])
    with Session(open_database(db_url)) as session:
        assert session.get(RecordRow, "X2").kind == "death"  # type: ignore[union-attr]
