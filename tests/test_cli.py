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
        ('{"book_id": "KS-1", "kind": "birth", "layout": "form"}', "layout_not_supported"),
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
