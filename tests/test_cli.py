"""The ``hotich`` command line: digitize, export and demo, with their exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import needs_tesseract
from openpyxl import load_workbook
from typer.testing import CliRunner

from flows.cli import app
from records import Kind

runner = CliRunner()


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "digitize" in result.output and "export" in result.output


@pytest.mark.parametrize(
    ("manifest", "code"),
    [
        (None, "manifest_missing"),
        ("{not json", "manifest_invalid"),
        ('{"book_id": "KS-1", "kind": "adoption"}', "manifest_unknown_kind"),
        ('{"book_id": "", "kind": "birth", "year": 3000}', "manifest_invalid"),
        ('{"book_id": "KH-1", "kind": "marriage", "layout": "form"}', "manifest_invalid"),
    ],
)
def test_bad_manifests_are_reported_by_book(
    tmp_path: Path, db_url: str, manifest: str | None, code: str, prefect_harness
) -> None:
    book = tmp_path / "KS-bad"
    book.mkdir()
    if manifest is not None:
        (book / "book.json").write_text(manifest, encoding="utf-8")
    result = runner.invoke(app, ["digitize", str(book), "--db", db_url])
    assert result.exit_code == 1
    assert code in result.output and str(book) in result.output


def test_invalid_manifest_lists_every_problem(tmp_path: Path, db_url: str, prefect_harness) -> None:
    book = tmp_path / "KS-bad"
    book.mkdir()
    (book / "book.json").write_text('{"book_id": "", "kind": "birth", "year": 3000}', encoding="utf-8")
    result = runner.invoke(app, ["digitize", str(book), "--db", db_url])
    assert "book_id" in result.output and "year" in result.output


@needs_tesseract
def test_digitize_then_export(book_copy, db_url: str, tmp_path: Path, prefect_harness) -> None:
    book = book_copy(Kind.death)
    (book / "0003.txt").write_text("stray file")
    result = runner.invoke(app, ["digitize", str(book), "--db", db_url])
    assert result.exit_code == 1  # one page failed
    assert "page_not_an_image" in result.output and "0003.txt" in result.output
    assert "Digitised" in result.output and book.name in result.output
    out = tmp_path / "records.jsonl"
    result = runner.invoke(app, ["export", "--db", db_url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert records and all(r["kind"] == "death" for r in records)
    result = runner.invoke(app, ["export", "--db", db_url, "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("record_id,kind,source.book")
    sheet = tmp_path / "records.xlsx"
    result = runner.invoke(app, ["export", "--db", db_url, "--format", "xlsx", "--out", str(sheet)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(sheet, read_only=True)["records"].iter_rows(values_only=True))
    assert rows[0][:3] == ("record_id", "kind", "source.book") and len(rows) == len(records) + 1
    assert {row[0] for row in rows[1:]} == {r["record_id"] for r in records}
    result = runner.invoke(app, ["export", "--db", db_url, "--format", "xlsx"])
    assert result.exit_code == 2 and "export_needs_out" in result.output


def test_export_of_an_empty_database(db_url: str) -> None:
    from load.db import open_database

    open_database(db_url).dispose()  # made, with no record (a missing one is refused: db_missing)
    result = runner.invoke(app, ["export", "--db", db_url])
    assert result.exit_code == 0 and result.stdout == ""


def test_a_bad_database_url_is_an_operator_error() -> None:
    result = runner.invoke(app, ["export", "--db", "nosuchdb://x"])
    assert result.exit_code == 2 and "db_url_invalid" in result.output


@needs_tesseract
def test_demo_digitises_sample_books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prefect_harness) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOTICH_DB", raising=False)
    result = runner.invoke(app, ["demo", "--pages", "1", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "hotich.db").exists()
    assert "hotich export" in result.output
    for kind_prefix in ("KS-", "KT-", "KH-"):
        assert kind_prefix in result.output


def test_import_existing_reports_bad_rows_and_exits_1(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "held.csv"
    path.write_text(
        "record_id,kind,full_name,birth_date\nKS-1,birth,Nguyễn Văn An,1/2/1990\nKS-1,birth,Lê Văn Ba,2/3/1991\n"
        "KS-2,birth,Trần Thị Hà,3/4/1992\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import-existing", str(path), "--db", db_url])
    assert result.exit_code == 1, result.output
    assert "held.csv, row 2 (KS-1): record_id appears 2 times" in result.output
    assert "1 added" in result.output
    again = runner.invoke(app, ["import-existing", str(path), "--db", db_url])
    assert "0 added, 0 updated, 1 unchanged" in again.output


def test_import_existing_without_record_id_is_an_operator_error(tmp_path: Path, db_url: str) -> None:
    path = tmp_path / "held.csv"
    path.write_text("kind,full_name\nbirth,Nguyễn Văn An\n", encoding="utf-8")
    result = runner.invoke(app, ["import-existing", str(path), "--db", db_url])
    assert result.exit_code == 2
    assert "no record_id column" in result.output


def test_normalize_check_shows_values_keys_and_issues(tmp_path: Path) -> None:
    path = tmp_path / "check.csv"
    path.write_text(
        "kind,full_name,sex,birth_date,birth_place\n"
        'birth,NguyÔn ThÞ Hoµ,Nam,30/02/1998,"Thạc Gián, Thanh Khê, Đà Nẵng"\n',
        encoding="utf-8",
    )
    result = runner.invoke(app, ["normalize-check", str(path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "'NguyÔn ThÞ Hoµ' → 'Nguyễn Thị Hoà'  legacy_encoding" in result.output
    assert "fold=nguyen thi hoa" in result.output
    assert "'30/02/1998' → None  invalid_date" in result.output
    assert "sex_name_mismatch" in result.output
    assert "today=Phường Thanh Khê, Thành phố Đà Nẵng" in result.output


def test_searches_exports_and_extracts_from_the_command_line_are_logged(db_url: str, tmp_path: Path) -> None:
    from web_fixtures import make_site

    from load.access import access_log
    from load.db import open_database

    make_site(db_url)
    assert runner.invoke(app, ["search", "nguyen van an", "--db", db_url]).exit_code == 0
    assert runner.invoke(app, ["export", "--db", db_url, "--out", str(tmp_path / "all.jsonl")]).exit_code == 0
    extract = ["extract", "R1", "--db", db_url, "--out", str(tmp_path / "r1.pdf"), "--unverified"]
    assert runner.invoke(app, extract).exit_code == 0
    entries = access_log(open_database(db_url)).entries
    assert [entry.action for entry in entries] == ["extract", "export", "search"]  # newest first
    assert all(entry.user_name.startswith("cli:") for entry in entries)
    assert entries[2].detail == "nguyen van an" and (entries[0].record_id, entries[0].detail) == ("R1", "chưa xác minh")


def test_exports_carry_no_live_formula_and_open_right_in_excel(db_url: str, tmp_path: Path) -> None:
    held = tmp_path / "held.csv"
    held.write_text(
        'record_id,kind,full_name,notes,birth_date\nH1,birth,Lê Văn Tám,"=HYPERLINK(""http://x"",""bấm"")",2/3/1990\n'
        "H2,birth,Trần Thị Bé,@SUM(A1),1/1/1991\nH3,birth,Đỗ Văn Hải,+1+2,\n",
        encoding="utf-8",
    )
    assert runner.invoke(app, ["import-existing", str(held), "--db", db_url]).exit_code == 0
    out = tmp_path / "all.csv"
    assert runner.invoke(app, ["export", "--db", db_url, "--format", "csv", "--out", str(out)]).exit_code == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a UTF-8 BOM: Excel on Vietnamese Windows reads UTF-8
    text = data.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'+1+2" in text
    assert ",=" not in text and ",@" not in text and ",+" not in text and "Lê Văn Tám" in text
    sheet = tmp_path / "all.xlsx"
    assert runner.invoke(app, ["export", "--db", db_url, "--format", "xlsx", "--out", str(sheet)]).exit_code == 0
    book = load_workbook(sheet)
    records = book["records"]
    assert records.freeze_panes == "A2"
    cells = [cell for row in records.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    assert any(cell.value.startswith("=HYPERLINK") for cell in cells)  # the value kept as written…
    assert all(cell.data_type == "s" for cell in cells)  # …as text, never a formula


@pytest.mark.parametrize(
    "command",
    [
        ["search", "nguyen van an"],
        ["export"],
        ["extract", "R1"],
        ["explain", "R1"],
        ["users", "add", "x", "--role", "admin"],
    ],
)
def test_a_command_in_the_wrong_folder_creates_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("HOTICH_DB", raising=False)
    result = runner.invoke(app, command, input="password-1\npassword-1\n")
    assert result.exit_code == 2 and "db_missing" in result.output
    assert str(tmp_path / "hotich.db") in result.output.replace("\n", "")
    assert not (tmp_path / "hotich.db").exists()  # an empty one answered "no record found" before


def test_the_web_app_refuses_a_database_that_does_not_exist(tmp_path: Path, postgres_server: str | None) -> None:
    from load.db import open_database
    from records import HotichError

    with pytest.raises(HotichError, match="db_missing"):
        open_database(f"sqlite:///{tmp_path / 'none.db'}", create=False)
    assert not (tmp_path / "none.db").exists()
    if postgres_server is not None:  # a PostgreSQL database hotich never set up
        import uuid

        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = postgres_server.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        with pytest.raises(HotichError, match="db_missing"):
            open_database(postgres_server.rsplit("/", 1)[0] + f"/{name}", create=False)
