"""hotich import-existing: validation by row, idempotent loads, legacy files, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from load.db import open_database
from load.files import read_table
from load.importer import import_existing
from load.schema import RecordRow
from load.search import search
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


def test_a_changed_file_updates_its_records_but_never_a_reviewed_one(tmp_path: Path, db_url: str) -> None:
    engine = open_database(db_url)
    import_existing(engine, _write(tmp_path, HEADER + "".join(GOOD)))
    with Session(engine) as session, session.begin():
        reviewed = session.get(RecordRow, "KT-1")
        assert reviewed is not None
        reviewed.status = "reviewed"
    changed = [
        GOOD[0],
        GOOD[1].replace("Tám", "TÂM").replace("ngày 1 tháng 3 năm", "khoảng năm"),
        GOOD[2].replace("Phạm", "Phan"),
    ]
    again = import_existing(engine, _write(tmp_path, HEADER + "".join(changed), name="again.csv"))
    assert (again.added, again.updated, again.unchanged, again.kept_decided) == (0, 1, 1, 1)
    with Session(engine) as session:
        row = session.get(RecordRow, "KS-2")
        assert row is not None
        assert (row.version, row.source_import, row.status) == (2, "again.csv", "needs_review")
        assert (row.fields["full_name"], row.raw["full_name"], row.name_fold) == (
            "Lê Văn Tâm",
            "Lê Văn TÂM",
            "le van tam",
        )
        assert row.issues == {"birth_date": ["approximate_date"]}  # JSON read back as JSON, not text
        assert (row.fields["birth_date"], row.review_reasons) == ("1998", ["approximate_date:birth_date"])
        kept = session.get(RecordRow, "KT-1")
        assert kept is not None and (kept.version, kept.fields["full_name"]) == (1, "Phạm Văn Lộc")
    assert [hit.record_id for hit in search(engine, "le van tam 1998")] == ["KS-2"]


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


def test_a_csv_is_read_from_the_file_each_time_and_its_encoding_from_all_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import load.files as files

    monkeypatch.setattr(files, "CHUNK", 7)  # many chunks: a letter's UTF-8 bytes fall across their boundaries
    table = read_table(_write(tmp_path, HEADER + "".join(GOOD)))
    assert table.encoding == "utf-8"
    first = list(table.rows())
    assert [row["record_id"] for row in first] == ["KS-1", "KS-2", "KT-1"] and first[0]["full_name"] == "NGUYỄN THỊ HOÀ"
    assert list(table.rows()) == first  # read again from the file, not held
    plain = "".join(f"KS-{n},birth,{n},15/03/1998,Nguyen Van An,Nam,12/03/1998,,\n" for n in range(10, 40))
    late = HEADER + plain + encode_tcvn3("KS-9,birth,9,15/03/1998,Trương Văn Đức,Nam,12/03/1998,,\n")
    table = read_table(_write(tmp_path, late, name="late.csv", encoding="cp1252"))
    assert table.encoding == "8-bit"  # its only 8-bit bytes come after the first chunks
    assert [row["record_id"] for row in table.rows()][-1] == "KS-9"


def test_a_file_that_changes_while_it_is_imported_stops_it_and_a_rerun_loads_it_once(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("load.importer.BATCH", 2)  # two transactions: the file grows between them
    path = _write(tmp_path, HEADER + "".join(GOOD))
    engine = open_database(db_url)

    def still_being_copied(done: int, rows: int) -> None:
        if done == 2:
            with path.open("a", encoding="utf-8") as handle:
                handle.write("KS-3,birth,3,17/03/1998,Đỗ Văn Hùng,Nam,10/03/1998,,\n")

    with pytest.raises(HotichError) as raised:
        import_existing(engine, path, on_progress=still_being_copied)
    assert raised.value.code == "file_changed" and raised.value.where == str(path)
    assert _count(db_url) == 2  # the first batch is in: it was committed
    again = import_existing(engine, path)
    assert (again.added, again.unchanged, again.problems) == (2, 2, [])
    assert _count(db_url) == 4
    reading = read_table(path).rows()  # a value edited, the ids the same: found when the reading ends
    next(reading)
    path.write_text(HEADER + "".join(GOOD).replace("Lê Văn Tám", "Lê Văn Tám Em"), encoding="utf-8")
    with pytest.raises(HotichError, match="file_changed"):
        list(reading)


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


def _people_csv(tmp_path: Path, count: int) -> Path:
    from samplebooks.people import generate_people

    columns = ["record_id", "kind", "registration_number", "full_name", "sex", "birth_date", "father_name",
               "mother_name"]  # fmt: skip
    lines = [",".join(columns)]
    for person in generate_people(count, 0, seed=5).held:
        lines.append(",".join([person.record_id, "birth", *(person.fields.get(key) or "" for key in columns[2:])]))
    return _write(tmp_path, "\n".join(lines) + "\n", name=f"people-{count}.csv")


def _loaded(db_url: str) -> list[tuple[object, ...]]:
    engine = open_database(db_url)
    columns = (RecordRow.record_id, RecordRow.fields, RecordRow.status, RecordRow.review_reasons, RecordRow.search_text)
    with Session(engine) as session:
        return [tuple(row) for row in session.execute(select(*columns).order_by(RecordRow.record_id))]


def test_a_big_file_is_normalised_in_a_worker_process_with_the_same_result(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import load.importer as importer

    path = _people_csv(tmp_path, 700)
    inline_url = f"sqlite:///{tmp_path / 'inline.db'}"
    import_existing(open_database(inline_url), path)
    monkeypatch.setattr(importer, "PARALLEL_FROM", 100)  # the worker path on a small file
    monkeypatch.setattr(importer, "BATCH", 150)
    seen: list[int] = []
    summary = import_existing(open_database(db_url), path, on_progress=lambda done, _: seen.append(done))
    assert summary.added == 700 and seen == [150, 300, 450, 600, 700]
    assert _loaded(db_url) == _loaded(inline_url)
    if db_url.startswith("postgresql"):  # vacuumed and analysed after the load, not left to autovacuum
        from sqlalchemy import text

        # Not relallvisible: the test server commits asynchronously, and VACUUM only marks a page
        # all-visible once the inserting commit's WAL is flushed (up to 0.6 s later).
        counts = "SELECT vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relname = 'records'"
        with open_database(db_url).connect() as connection:
            assert tuple(connection.execute(text(counts)).one()) == (1, 1)


def test_bulk_inserts_reach_the_search_index_and_a_failure_keeps_the_trigger(tmp_path: Path) -> None:
    from sqlalchemy import text

    from load.search import indexed_in_bulk, search

    url = f"sqlite:///{tmp_path / 'fts.db'}"
    engine = open_database(url)
    import_existing(engine, _people_csv(tmp_path, 300))
    with Session(engine) as session:
        indexed = session.scalar(text("SELECT count(*) FROM records_fts WHERE records_fts MATCH '\"nguyen\"'"))
        written = session.scalar(text("SELECT count(*) FROM records WHERE search_text LIKE '%nguyen%'"))
        assert indexed == written and written > 0
    name = _loaded(url)[0][1]["full_name"]  # type: ignore[index]
    assert search(engine, name)[0].person_name == name  # names only: through the FTS5 index
    trigger = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'records_fts_insert'"
    with pytest.raises(RuntimeError), Session(engine) as session, session.begin():
        session.scalar(select(func.count()).select_from(RecordRow))  # a read first: the driver opens no transaction
        with indexed_in_bulk(session):
            assert session.scalar(text(trigger)) == 0
            raise RuntimeError("the import dies half way")
    with Session(engine) as session:
        assert session.scalar(text(trigger)) == 1  # the drop was rolled back with the batch
