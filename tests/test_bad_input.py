"""Bad input of every kind (issue 19): each gives a clear message naming the file, row or field, a
non-zero exit or a 4xx, nothing half-written, and the other pages or rows processed.

The kinds, counted: MANIFESTS (9), IMPORTS (12), COMMANDS (10), WEB (12), PAGES (9) = 52."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import needs_tesseract
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner
from web_fixtures import make_site, sign_in

from flows.cli import app
from load.db import open_database
from load.schema import Page, RecordRow
from review_ui.app import create_app

runner = CliRunner()
GOOD_ROW = "KS-9,birth,Lê Thị Hoa,5/6/1991\n"
HEADER = "record_id,kind,full_name,birth_date\n"

MANIFESTS = [
    ("no book.json", None, "manifest_missing"),
    ("not JSON", "{not json", "manifest_invalid"),
    ("an unknown kind", '{"book_id": "KS-1", "kind": "adoption"}', "manifest_unknown_kind"),
    ("a year out of range", '{"book_id": "KS-1", "kind": "birth", "year": 3000}', "manifest_invalid"),
    ("a bad book id", '{"book_id": "../etc", "kind": "birth"}', "manifest_invalid"),
    ("an unknown key", '{"book_id": "KS-1", "kind": "birth", "colour": "red"}', "manifest_invalid"),
    ("nested 100,000 deep", "[" * 100_000 + "]" * 100_000, "manifest_invalid"),
    ("a 60 MB-like locality", json.dumps({"book_id": "KS-1", "kind": "birth", "locality": {"commune": "x" * 70_000}}),
     "manifest_invalid"),
    ("a locality too long for a name",
     json.dumps({"book_id": "KS-1", "kind": "birth", "locality": {"commune": "x" * 300}}), "manifest_invalid"),
]  # fmt: skip


@pytest.mark.parametrize(("description", "manifest", "code"), MANIFESTS, ids=[m[0] for m in MANIFESTS])
def test_bad_manifests(tmp_path: Path, description: str, manifest: str | None, code: str) -> None:
    book = tmp_path / "KS-bad"
    book.mkdir()
    if manifest is not None:
        (book / "book.json").write_text(manifest, encoding="utf-8")
    db = tmp_path / "t.db"
    result = runner.invoke(app, ["digitize", str(book), "--db", f"sqlite:///{db}"])
    assert result.exit_code == 1, (description, result.output)
    assert code in result.output and "KS-bad" in result.output.replace("\n", ""), description
    assert "Traceback" not in result.output and "ERROR" not in result.output  # one clean line, no Prefect log


IMPORTS: list[tuple[str, Callable[[Path], Path], str, int]] = []


def _csv(text: str, *, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / "held.csv"
        path.write_text(text, encoding=encoding)
        return path

    return make


def _xlsx_bomb(folder: Path) -> Path:
    import zipfile

    path = folder / "held.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<sst>" + "A" * 300_000_000 + "</sst>")
    return path


def _not_xlsx(folder: Path) -> Path:
    path = folder / "held.xlsx"
    path.write_text("this is no spreadsheet", encoding="utf-8")
    return path


def _two_sheets(folder: Path) -> Path:
    from openpyxl import Workbook

    path = folder / "held.xlsx"
    book = Workbook()
    for name in ("one", "two"):
        sheet = book.create_sheet(name)
        sheet.append(["record_id", "kind"])
        sheet.append(["X", "birth"])
    book.remove(book["Sheet"])
    book.save(path)
    return path


IMPORTS = [
    ("a missing file", lambda folder: folder / "none.csv", "file_missing", 2),
    ("an empty file", _csv(""), "file_empty", 2),
    ("no record_id column", _csv("kind,full_name\nbirth,An\n"), "import_no_record_id", 2),
    ("no kind column", _csv("record_id,full_name\nA,An\n"), "import_no_kind", 2),
    ("a 10 MB value", _csv(HEADER + "KS-1,birth," + "x" * 10_000_000 + ",1/2/1990\n" + GOOD_ROW), "row 2", 1),
    ("an unterminated quote", _csv(HEADER + 'KS-1,birth,"Nguyễn Văn An,1/2/1990\nKS-2,birth,Lê Văn Ba,2/3/1991\n'
                                   + GOOD_ROW), "quote is not closed", 1),
    ("a repeated record id", _csv(HEADER + "KS-1,birth,A B,1/2/1990\nKS-1,birth,C D,1/2/1990\n" + GOOD_ROW),
     "record_id appears 2 times", 1),
    ("more values than columns", _csv(HEADER + "KS-1,birth,Lê, Văn Ba,1/2/1990\n" + GOOD_ROW), "more values", 1),
    ("an unknown kind", _csv(HEADER + "KS-1,adoption,Lê Văn Ba,1/2/1990\n" + GOOD_ROW), "is not birth", 1),
    ("an XLSX that unpacks to 300 MB", _xlsx_bomb, "file_too_large", 2),
    ("an .xlsx that is not one", _not_xlsx, "file_unreadable", 2),
    ("an XLSX with two sheets of data", _two_sheets, "xlsx_several_sheets", 2),
]  # fmt: skip


@pytest.mark.parametrize(("description", "make", "said", "code"), IMPORTS, ids=[i[0] for i in IMPORTS])
def test_bad_imports(tmp_path: Path, description: str, make: Callable[[Path], Path], said: str, code: int) -> None:
    path = make(tmp_path)
    url = f"sqlite:///{tmp_path / 't.db'}"
    result = runner.invoke(app, ["import-existing", str(path), "--db", url])
    output = " ".join(result.output.split())
    assert result.exit_code == code, (description, output)
    assert said in output and path.name in output, (description, output)
    assert "Traceback" not in result.output
    if code == 1:  # the other rows are loaded
        with Session(open_database(url)) as session:
            assert session.get(RecordRow, "KS-9") is not None, description


COMMANDS = [
    ("export into a missing folder", ["export", "--out", "{tmp}/no/such/folder/all.jsonl"], "out_folder_missing"),
    ("an XLSX export without --out", ["export", "--format", "xlsx"], "export_needs_out"),
    ("a file that is not a database", ["export", "--db", "sqlite:///{tmp}/notes.txt"], "db_not_a_database"),
    ("a database that does not exist", ["search", "an", "--db", "sqlite:///{tmp}/none.db"], "db_missing"),
    ("a database URL that is none", ["export", "--db", "mysql+nothing://x"], "db_url_invalid"),
    ("an extract of an unknown id", ["extract", "NOPE"], "extract_no_record"),
    ("an extract into a missing folder", ["extract", "R1", "--unverified", "--out", "{tmp}/no/r1.pdf"],
     "out_folder_missing"),
    ("an extract of a record in review", ["extract", "R1"], "extract_unverified"),
    ("a search of 10,000 characters", ["search", "nguyen " * 1500], "query_too_long"),
    ("explain of an unknown id", ["explain", "NOPE"], "explain_no_record"),
]  # fmt: skip


@pytest.mark.parametrize(("description", "command", "code"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_bad_commands(tmp_path: Path, description: str, command: list[str], code: str) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    make_site(url)
    (tmp_path / "notes.txt").write_text("not a database " * 100, encoding="utf-8")
    words = [word.replace("{tmp}", str(tmp_path)) for word in command]
    if "--db" not in words:
        words += ["--db", url]
    result = runner.invoke(app, words)
    assert result.exit_code == 2 and code in result.output, (description, result.output)
    assert "Traceback" not in result.output
    assert not list(tmp_path.rglob("*.partial*")), "nothing half-written"


WEB = [
    ("GET", "/records/R1/crop.png?width=abc", {}, 422),
    ("GET", "/queue?p=abc", {}, 422),
    ("GET", "/counter?kind=zzz&q=an", {}, 422),
    ("GET", "/counter?q=" + "nguyen+" * 40, {}, 422),
    ("GET", "/records/NOPE", {}, 404),
    ("GET", "/counter/records/NOPE", {}, 404),
    ("POST", "/records/R1/save", {"version": "abc"}, 422),
    ("POST", "/records/R1/save", {"version": "1", "birth_date": "31/02/1953"}, 422),
    ("POST", "/records/R1/duplicate", {"version": "1", "candidate": "R2", "decision": "same"}, 404),
    ("POST", "/records/R1/reopen", {"reason": ""}, 422),
    ("POST", "/records/NOPE/reopen", {"reason": "x"}, 404),
    ("POST", "/counter/records/R1/extract.pdf", {}, 409),
]


@pytest.mark.parametrize(("method", "path", "form", "status"), WEB, ids=[f"{w[0]} {w[1][:40]} {w[3]}" for w in WEB])
def test_bad_requests_are_4xx_with_a_message(tmp_path: Path, method: str, path: str, form: dict, status: int) -> None:
    url = f"sqlite:///{tmp_path / 'site.db'}"
    make_site(url)
    client = TestClient(create_app(url), follow_redirects=False)
    sign_in(client, "minh")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)  # type: ignore[union-attr]
    before = {row.record_id: row.fields for row in Session(open_database(url)).scalars(select(RecordRow))}
    response = client.request(method, path, data={**form, "csrf_token": token} if method == "POST" else None)
    assert response.status_code == status, response.text[:300]
    assert response.text.strip()  # a message, never an empty body
    after = {row.record_id: row.fields for row in Session(open_database(url)).scalars(select(RecordRow))}
    assert after == before  # nothing changed


def _tiff_with_its_last_directory_cut(path: Path) -> None:
    """Two frames whose last directory points to a third past the end of the file (cut short)."""
    import struct

    frames = [Image.fromarray(np.full((400, 400), 40 + 60 * index, np.uint8)) for index in range(2)]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    data = bytearray(path.read_bytes())
    order = "<" if data[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", data[4:8])[0]
    while True:
        entries = struct.unpack(order + "H", data[offset : offset + 2])[0]
        link = offset + 2 + 12 * entries
        following = struct.unpack(order + "I", data[link : link + 4])[0]
        if following == 0:
            break
        offset = following
    data[link : link + 4] = struct.pack(order + "I", len(data) + 64)
    path.write_bytes(bytes(data))


@needs_tesseract
@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_harness")
def test_bad_scans_each_fail_by_name_and_the_good_page_is_read(book_copy, tmp_path: Path) -> None:
    from fpdf import FPDF

    from records import Kind

    book = book_copy(Kind.birth)
    good = sorted(path.name for path in book.iterdir() if path.name != "book.json")[0]
    for other in book.iterdir():
        if other.name not in (good, "book.json"):
            other.unlink()
    frames = [Image.fromarray(np.random.default_rng(1).integers(0, 255, (600, 600), dtype=np.uint8)) for _ in range(3)]
    frames[0].save(book / "z1-cut.tif", save_all=True, append_images=frames[1:])
    data = (book / "z1-cut.tif").read_bytes()
    (book / "z1-cut.tif").write_bytes(data[: int(len(data) * 0.8)])  # its last frame cut short
    _tiff_with_its_last_directory_cut(book / "z0-cut.tif")
    Image.new("1", (15_000, 15_000)).save(book / "z2-huge.png")  # 225 megapixels
    pdf = FPDF(unit="pt", format=(14_400, 14_400))
    pdf.add_page()
    pdf.output(str(book / "z3-huge.pdf"))
    (book / "z4-notes.txt").write_text("not a scan")
    (book / "z5-empty.png").write_bytes(b"")
    Image.new("L", (2000, 3000), 255).save(book / "z6-blank.png")
    Image.new("L", (100, 80), 0).save(book / "z7-tiny.png")
    os.symlink(book / "gone.png", book / "z8-link.png")  # a link to nothing
    bad_name = os.fsdecode(b"z9-\xff\xfe.png")
    shutil.copy(book / good, book / bad_name)  # a name that is not UTF-8
    url = f"sqlite:///{tmp_path / 'book.db'}"
    result = runner.invoke(app, ["digitize", str(book), "--db", url])
    output = " ".join(result.output.split())
    assert result.exit_code == 1, output
    expected = {
        "z0-cut.tif#3": "page_unreadable",  # the whole file was one page before, its later frames dropped
        "z1-cut.tif#3": "page_unreadable", "z2-huge.png": "page_too_large", "z3-huge.pdf": "page_too_large",
        "z4-notes.txt": "page_not_an_image", "z5-empty.png": "page_unreadable", "z6-blank.png": "page_blank",
        "z7-tiny.png": "page_empty", "z8-link.png": "page_unreadable", "z9-\ufffd\ufffd.png": "page_bad_name",
    }  # fmt: skip
    with Session(open_database(url)) as session:
        pages = {page.image_name: (page.status, page.error_code) for page in session.scalars(select(Page))}
        rows = session.scalar(select(func.count()).select_from(RecordRow))
    for name, code in expected.items():
        assert pages.get(name) == ("failed", code), (name, pages.get(name))
        assert name in output, name
    assert pages[good][0] == "loaded" and rows  # the good page is read
    assert pages["z1-cut.tif"][1] != "page_unreadable"  # the cut TIFF's whole frames are decoded (noise: no table)
    assert "Traceback" not in result.output and "Finished in state" not in result.output  # hotich's lines only


def test_an_empty_book_is_one_clean_line(tmp_path: Path) -> None:
    book = tmp_path / "KS-empty"
    book.mkdir()
    (book / "book.json").write_text('{"book_id": "KS-empty", "kind": "birth"}', encoding="utf-8")
    result = runner.invoke(app, ["digitize", str(book), "--db", f"sqlite:///{tmp_path / 't.db'}"])
    assert result.exit_code == 1 and "book_no_pages" in result.output
    assert "Traceback" not in result.output and "Finished in state" not in result.output


def test_a_full_disk_leaves_no_partial_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from load import export

    url = f"sqlite:///{tmp_path / 'site.db'}"
    make_site(url)

    def full(*_args: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(export, "write_jsonl", full)
    result = runner.invoke(app, ["export", "--db", url, "--out", str(tmp_path / "all.jsonl")])
    output = " ".join(result.output.split())
    assert result.exit_code == 2 and "write_failed" in output and "No space left" in output
    assert not list(tmp_path.glob("all.jsonl*"))  # neither the file nor its .partial


def test_two_first_runs_at_once_make_one_database(tmp_path: Path, db_url: str) -> None:
    import threading

    from sqlalchemy import inspect

    errors: list[BaseException] = []

    def first_run() -> None:
        try:
            open_database(db_url).dispose()
        except BaseException as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=first_run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    assert "records" in inspect(open_database(db_url)).get_table_names()
