"""The Ministry's package (docs/spec/moj-package.md): the Excel file, the record PDFs, the ZIP,
the validator's refusals, and the Excel imported back."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import needs_tesseract
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from tests_support import birth_book_dir
from typer.testing import CliRunner
from web_fixtures import FIELDS

from extract.images import content_hash, list_pages, load_page
from flows.cli import app
from load.db import open_database
from load.importer import import_existing
from load.moj_template import load_template, parse_template, shipped_template
from load.package import build_package, initials, slug
from load.review import save_review
from load.schema import Book, Page, RecordRow
from load.store import key_columns
from records import HotichError, Kind, Status, field_keys, record_id_for

TEMPLATE = shipped_template()
BIRTH = FIELDS  # each record numbers itself from 1
LOCALITY = {"commune": "Xã Lộc Thuận", "district": "Huyện Bình Đại", "province": "Tỉnh Bến Tre"}
STEM = "xalocthuan_hbd_tbt.KS.1998.01"


def _book(db_url: str, book_dir: Path, rows: list[dict[str, Any]], **book: Any) -> Any:
    """A birth book on the sample scans, its records as given (status reviewed unless said)."""
    engine = open_database(db_url)
    pages = list_pages(book_dir)
    with Session(engine) as session, session.begin():
        facts = {"volume": "1", "opened_year": 1998, "locality": LOCALITY, "registration_place": "UBND xã Lộc Thuận"}
        facts |= book
        session.add(
            Book(book_id="KS-1998", kind="birth", layout="ledger", year=1998, source_dir=str(book_dir), **facts)
        )
        for page in pages:
            gray = load_page(book_dir, page, book_id="KS-1998")
            session.add(
                Page(book_id="KS-1998", page_no=page.page_no, image_name=page.image_name,
                     image_sha256=content_hash(gray), status="loaded", row_count=0)
            )  # fmt: skip
        for number, values in enumerate(rows, start=1):
            page_no = values.pop("_page", 1)
            status = values.pop("_status", Status.reviewed.value)
            raw = values.pop("_raw", {})
            fields = dict(BIRTH, registration_number=str(number)) | values
            session.add(
                RecordRow(
                    record_id=record_id_for("KS-1998", page_no, number), kind="birth", book_id="KS-1998",
                    page_no=page_no, row_no=number, image_name=pages[page_no - 1].image_name,
                    bbox=[80, 400, 2400, 110], fields=fields, raw=raw, confidence={}, issues={}, status=status,
                    review_reasons=[] if status != "needs_review" else ["low_confidence:full_name"], version=1,
                    cluster_id=None, min_confidence=1.0, **key_columns(Kind.birth, fields),
                )
            )  # fmt: skip
    return engine


def _reasons(result: Any) -> list[tuple[int | None, int | None, str]]:
    return [(refusal.page, refusal.row, refusal.code) for refusal in result.refusals]


def test_file_names_as_the_spec_writes_them() -> None:
    assert (slug("Xã Lộc Thuận"), initials("Huyện Bình Đại"), initials("Tỉnh Bến Tre")) == ("xalocthuan", "hbd", "tbt")


def test_a_clean_book_is_packaged_cell_by_cell(db_url: str, sample_root: Path, tmp_path: Path) -> None:
    engine = _book(
        db_url,
        birth_book_dir(sample_root),
        [
            {"_raw": {"full_name": "NGUYỄN VĂN AN"}},  # the book writes names in capitals
            {"notes": "Đăng ký quá hạn", "ethnicity": "Việt"},
            {"full_name": "Lê Thị Hồng", "sex": "female", "birth_date": "1997", "_page": 2},
        ],
    )
    with Session(engine) as session, session.begin():
        page = session.scalar(select(Page).where(Page.page_no == 2))
        assert page is not None
        page.page_label = "46"  # "Trang 46" printed in the page's margin
    result = build_package(engine, ["KS-1998"], tmp_path / "out", TEMPLATE)
    assert result.refusals == []
    assert sorted(p.name for p in result.written) == [f"{STEM}.xlsx", f"{STEM}.zip"]
    sheet = load_workbook(tmp_path / "out" / f"{STEM}.xlsx").active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [column.code for column in TEMPLATE.columns[Kind.birth]] and len(rows[0]) == 60
    cells = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [c["so"] for c in cells] == ["1", "2", "3"]
    assert cells[0]["quyenSo"] == "01/1998" and cells[0]["noiDangKy"] == "UBND xã Lộc Thuận"
    assert cells[0]["ngayDangKy"] == "15.03.1998" and cells[0]["nksNgaySinh"] == "02.03.1998"
    assert cells[0]["nksHoTen"] == "NGUYỄN VĂN AN" and cells[2]["nksHoTen"] == "Lê Thị Hồng"
    assert (cells[0]["nksGioiTinh"], cells[2]["nksGioiTinh"]) == ("Nam", "Nữ")
    assert cells[2]["nksNgaySinh"] == "1997" and (cells[0]["trangSo"], cells[2]["trangSo"]) == ("1", "46")
    assert cells[1]["nksDanToc"] == "Kinh" and cells[1]["ghiChu"] == "Đăng ký quá hạn"  # Việt is Kinh
    assert cells[0]["loaiDangKy"] is None and cells[0]["nksQuocTich"] is None  # no value: empty
    with zipfile.ZipFile(tmp_path / "out" / f"{STEM}.zip") as bundle:
        names = sorted(bundle.namelist())
    assert names == [f"KS.1998.01.1998-03-15.00{n}.pdf" for n in (1, 2, 3)]


def _page_seen_in(pdf: bytes) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    assert len(document) == 1
    return np.asarray(document[0].render(scale=0.5).to_pil().convert("L"))


def _alike(a: np.ndarray, b: np.ndarray) -> float:
    import cv2

    small = (200, int(200 * a.shape[0] / a.shape[1]))
    x, y = (cv2.resize(image, small).astype(float).ravel() for image in (a, b))
    return float(np.corrcoef(x, y)[0, 1])


@needs_tesseract
def test_round_trip_of_a_digitised_book(book_copy, db_url: str, tmp_path: Path, prefect_harness: None) -> None:
    """Digitise, review, package; the Excel read back matches the database through the mapping;
    each record has one PDF, named right, showing its page; imported back, each record links to
    the record it came from."""
    from flows.digitize import digitize_book

    book = book_copy(Kind.birth)
    manifest = json.loads((book / "book.json").read_text(encoding="utf-8"))
    digitize_book(book, db_url)
    engine = open_database(db_url)
    with Session(engine) as session:
        first = session.scalars(select(RecordRow).order_by(RecordRow.page_no, RecordRow.row_no)).first()
        assert first is not None
        first_id, first_version = first.record_id, first.version
    save_review(engine, first_id, "lan", version=first_version, values={"notes": "Bổ sung ngày 1/2/2003"})
    truth = {}
    for line in (book.parent.parent / "truth" / f"{book.name}.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        truth[(entry["page"], entry["row"])] = entry["fields"]
    with Session(engine) as session, session.begin():
        for row in session.scalars(select(RecordRow).where(RecordRow.status == "needs_review")):
            # Every record seen by a person, who types what the page says where the machine was unsure.
            row.fields = dict(row.fields) | truth[(row.page_no, row.row_no)]
            row.status = Status.reviewed.value
    out = tmp_path / "out"
    result = build_package(engine, [manifest["book_id"]], out, TEMPLATE)
    assert result.refusals == [] and len(result.written) == 2
    excel = next(p for p in result.written if p.suffix == ".xlsx")
    sheet = load_workbook(excel).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    with Session(engine) as session:
        records = list(session.scalars(select(RecordRow).order_by(RecordRow.page_no, RecordRow.row_no)))
    assert len(body) == len(records)
    by_key = {column.code: column for column in TEMPLATE.columns[Kind.birth]}
    for record, row in zip(records, body, strict=True):
        cells = dict(zip(header, row, strict=True))
        for code, value in cells.items():
            column, stored = by_key[code], record.fields.get(by_key[code].key)
            if column.conversion == "date":
                want = ".".join(reversed(stored.split("-"))) if stored else None
            elif column.conversion == "code" and stored:
                want = {"male": "Nam", "female": "Nữ"}.get(stored, stored)
            elif column.conversion == "number":
                want = stored.split("/")[0] if stored else None
            elif column.conversion == "book":
                want = {"volume": f"01/{manifest['year']}", "registration_place": manifest["registration_place"]}[
                    column.argument
                ]
            elif column.conversion == "page":
                want = str(record.page_no)  # the generator prints "Trang N" on page N: read, and the same
            elif column.conversion == "name":
                written = (record.raw or {}).get(column.key) or ""
                want = stored.upper() if stored and written.isupper() else stored
            elif column.conversion == "notes":
                want = stored
                if record.record_id == first_id:
                    assert value.startswith("Bổ sung ngày 1/2/2003; Sửa ngày ") and "Ghi chú" in value
                    continue
            else:
                want = stored
            assert value == (want or None), (record.row_no, code)

    def pdf_name(record: RecordRow) -> str:
        number = int(record.fields["registration_number"].split("/")[0])
        return f"KS.{manifest['year']}.01.{record.fields['registration_date']}.{number:03d}.pdf"

    names = {pdf_name(r) for r in records}
    with zipfile.ZipFile(next(p for p in result.written if p.suffix == ".zip")) as bundle:
        assert sorted(bundle.namelist()) == sorted(names)
        pdfs = {name: bundle.read(name) for name in bundle.namelist()}
    pages = {page.page_no: load_page(book, page, book_id=manifest["book_id"]) for page in list_pages(book)}
    for record in records:
        name = pdf_name(record)
        seen = _page_seen_in(pdfs[name])
        assert seen.shape[1] > seen.shape[0]  # a landscape ledger page stays landscape
        likeness = {page_no: _alike(seen, page) for page_no, page in pages.items()}
        others = [value for page_no, value in likeness.items() if page_no != record.page_no]
        assert likeness[record.page_no] > 0.6 and all(likeness[record.page_no] > other + 0.3 for other in others)
    assert min(result.pdf_sizes) >= 30 and max(result.pdf_sizes) <= TEMPLATE.budget_kb_per_page
    summary = import_existing(engine, excel)
    assert summary.problems == [] and summary.added == len(records)
    with Session(engine) as session:
        imported = list(session.scalars(select(RecordRow).where(RecordRow.source_import == excel.name)))
        links = {row.record_id: row.duplicate_of for row in imported}
        numbers = {row.record_id: row.fields["registration_number"] for row in imported}
    assert len(imported) == len(records)
    by_number = {r.fields["registration_number"].split("/")[0]: r.record_id for r in records}
    assert all(links[rid] == by_number[numbers[rid].split("/")[0]] for rid in links)
    again = build_package(engine, [manifest["book_id"]], None, TEMPLATE)  # what the Ministry holds
    assert again.books[0].already_held == len(records) and again.books[0].entries == []


def test_every_refusal_of_the_validator(db_url: str, sample_root: Path, tmp_path: Path) -> None:
    engine = _book(
        db_url,
        birth_book_dir(sample_root),
        [
            {},
            {"_status": "needs_review"},  # 2
            {"registration_number": "1"},  # 3: the same number as row 1
            {"registration_number": None},  # 4
            {"registration_number": "12a"},  # 5
            {"registration_date": None},  # 6
            {"registration_date": "1998-03"},  # 7: not a whole day
            {"birth_date": "1998-02"},  # 8: 02.1998 is 7 characters
            {"ethnicity": "Klingon"},  # 9: no code
            {"_status": "rejected"},  # never delivered
        ],
    )
    out = tmp_path / "out"
    result = build_package(engine, ["KS-1998"], out, TEMPLATE)
    assert sorted(_reasons(result)) == [
        (1, 1, "duplicate"),
        (1, 2, "needs_review"),
        (1, 3, "duplicate"),
        (1, 4, "no_number"),
        (1, 5, "bad_number"),
        (1, 6, "no_date"),
        (1, 7, "bad_date"),
        (1, 7, "date_length"),  # 03.1998 as written
        (1, 8, "date_length"),
        (1, 9, "unmapped"),
    ]
    assert not out.exists() or not any(out.iterdir())  # nothing written
    assert result.books[0].rejected == 1 and result.books[0].entries == []
    assert "book KS-1998, page 1, row 9: unmapped code nksDanToc: 'Klingon'" in [
        r.describe()[: len("book KS-1998, page 1, row 9: unmapped code nksDanToc: 'Klingon'")] for r in result.refusals
    ]


def test_a_pdf_over_its_budget_is_refused(db_url: str, sample_root: Path, tmp_path: Path) -> None:
    engine = _book(db_url, birth_book_dir(sample_root), [{}])
    data = json.loads(Path(TEMPLATE.path).read_text(encoding="utf-8")) if Path(TEMPLATE.path).exists() else None
    text = (Path(__file__).parent.parent / "load" / "data" / "moj_template.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data["pdf"] |= {"target_kb_per_page": 1, "budget_kb_per_page": 2}
    tight = parse_template(json.dumps(data), "tight.json")
    result = build_package(engine, ["KS-1998"], tmp_path / "out", tight)
    assert _reasons(result) == [(1, 1, "pdf_budget")] and result.written == []


def test_a_scan_changed_since_it_was_read_is_refused(book_copy, db_url: str, tmp_path: Path) -> None:
    book = book_copy(Kind.birth)
    engine = _book(db_url, book, [{}, {"_page": 2}])
    first = list_pages(book)[0]
    other = list_pages(book)[1]
    (book / first.file).write_bytes((book / other.file).read_bytes())  # another page under its name
    result = build_package(engine, ["KS-1998"], tmp_path / "out", TEMPLATE)
    assert _reasons(result) == [(1, 1, "scan")] and "not the one" in result.refusals[0].reason
    assert result.written == []


def test_a_book_without_its_facts_is_refused_before_any_work(db_url: str, sample_root: Path) -> None:
    engine = _book(db_url, birth_book_dir(sample_root), [{}], volume=None, opened_year=None, locality={})
    with Session(engine) as session, session.begin():
        book = session.get(Book, "KS-1998")
        assert book is not None
        book.year = None
    result = build_package(engine, ["KS-1998"], None, TEMPLATE)
    assert {code for _, _, code in _reasons(result)} == {"book_locality", "book_volume", "book_year"}


def test_allow_incomplete_writes_the_rest_and_check_writes_nothing(
    db_url: str, sample_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = _book(db_url, birth_book_dir(sample_root), [{}, {"_status": "needs_review"}, {}])
    engine.dispose()
    monkeypatch.setenv("HOTICH_DB", db_url)
    runner = CliRunner()
    checked = runner.invoke(app, ["package", "KS-1998", "--check"])
    assert checked.exit_code == 1
    said = " ".join(checked.output.split())
    assert "book KS-1998, page 1, row 2: still needs review" in said and "wrote" not in said
    refused = runner.invoke(app, ["package", "KS-1998", "--out", str(tmp_path / "all")])
    assert refused.exit_code == 1 and not (tmp_path / "all" / f"{STEM}.xlsx").exists()
    partial = runner.invoke(app, ["package", "KS-1998", "--out", str(tmp_path / "some"), "--allow-incomplete"])
    assert partial.exit_code == 0, partial.output
    said = " ".join(partial.output.split())
    assert "2 records to deliver, 1 left out" in said and "page 1, row 2: still needs review" in said
    with zipfile.ZipFile(tmp_path / "some" / f"{STEM}.zip") as bundle:
        assert sorted(bundle.namelist()) == ["KS.1998.01.1998-03-15.001.pdf", "KS.1998.01.1998-03-15.003.pdf"]
    assert load_workbook(tmp_path / "some" / f"{STEM}.xlsx").active.max_row == 3


def test_the_columns_are_the_data_file_not_code(db_url: str, sample_root: Path, tmp_path: Path) -> None:
    """A province replaces the template: a column renamed and one added appear in the sheet."""
    engine = _book(db_url, birth_book_dir(sample_root), [{}])
    data = json.loads((Path(__file__).parent.parent / "load" / "data" / "moj_template.json").read_text("utf-8"))
    columns = data["kinds"]["birth"]["columns"]
    columns[10][0] = "hoTenNguoiDuocKhaiSinh"
    columns.append(["danTocMoi", "code ethnicity ethnicity"])
    path = tmp_path / "revised.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = build_package(engine, ["KS-1998"], tmp_path / "out", load_template(path))
    sheet = load_workbook(next(p for p in result.written if p.suffix == ".xlsx")).active
    header, row = (list(r) for r in sheet.iter_rows(values_only=True))
    assert header[10] == "hoTenNguoiDuocKhaiSinh" and row[10] == "Nguyễn Văn An"
    assert header[-1] == "danTocMoi" and row[-1] == "Kinh"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("maps"), "lacks or misspells"),
        (lambda d: d["kinds"]["birth"]["columns"].append(["x", "shout full_name"]), "cannot read"),
        (lambda d: d["kinds"]["birth"]["columns"].append(["so", ""]), "twice"),
        (lambda d: d["kinds"]["birth"]["columns"].append(["y", "code colours sex"]), "map it does not hold"),
    ],
)
def test_a_broken_template_is_refused_by_name(change: Any, message: str) -> None:
    data = json.loads((Path(__file__).parent.parent / "load" / "data" / "moj_template.json").read_text("utf-8"))
    change(data)
    with pytest.raises(HotichError, match=message) as raised:
        parse_template(json.dumps(data), "province.json")
    assert raised.value.code == "template_invalid" and "province.json" in raised.value.describe()


def test_every_kind_has_the_spec_column_count() -> None:
    counts = {kind: len(TEMPLATE.columns[kind]) for kind in Kind}
    assert counts == {Kind.birth: 60, Kind.death: 48, Kind.marriage: 44}
    marriage = [column.code for column in TEMPLATE.columns[Kind.marriage]]
    assert marriage.index("ngayXacLapQuanHeHonNhan") == marriage.index("chucVuNguoiKy") + 1
    # Every key a column reads is a record key of its kind or a key of layouts.md.
    layout_keys = {"nationality", "home_town", "birth_date_in_words", "father_ethnicity", "father_nationality",
                   "mother_ethnicity", "mother_nationality", "declarant_name", "declarant_relation", "signer",
                   "officer", "husband_ethnicity", "husband_nationality", "wife_ethnicity", "wife_nationality",
                   "registration_type"}  # fmt: skip
    for kind in Kind:
        for column in TEMPLATE.columns[kind]:
            if column.key:
                assert column.key in set(field_keys(kind)) | layout_keys, (kind, column.code)


def test_the_package_from_the_web_app(db_url: str, sample_root: Path) -> None:
    from fastapi.testclient import TestClient
    from web_fixtures import sign_in

    from review_ui.app import create_app
    from review_ui.auth import add_user

    engine = _book(db_url, birth_book_dir(sample_root), [{}, {"_status": "needs_review"}])
    for name, role in (("minh", "officer"), ("lan", "reviewer")):
        add_user(engine, name, role, "mat-khau-123")
    with TestClient(create_app(db_url)) as client:
        sign_in(client, "lan")
        assert client.get("/books/KS-1998/package").status_code == 403  # officers package
    with TestClient(create_app(db_url)) as client:
        sign_in(client, "minh")
        page = client.get("/books/KS-1998/package")
        assert page.status_code == 200 and "bản ghi còn chờ duyệt" in page.text and 'id="refusals"' in page.text
        token = _token(page.text)
        refused = client.post("/books/KS-1998/package", data={"csrf_token": token})
        assert refused.status_code == 409 and "Chưa tạo gói" in refused.text
        got = client.post("/books/KS-1998/package", data={"csrf_token": token, "allow_incomplete": "1"})
        assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
        assert f'filename="{STEM}.goi.zip"' in got.headers["content-disposition"]
        with zipfile.ZipFile(io.BytesIO(got.content)) as bundle:
            assert sorted(bundle.namelist()) == [f"{STEM}.xlsx", f"{STEM}.zip"]
        assert client.get("/books/NO-SUCH/package").status_code == 404
        assert "/books/KS-1998/package" in client.get("/books").text


def _token(html: str) -> str:
    import re

    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)
