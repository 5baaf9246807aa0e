"""A book uploaded from the browser (issue 23, point 1): the form's fields checked all at once,
the files streamed to disk and checked (ZIP slip, links, bombs, non-scans, empty, too big, the
same book twice), the book folder written whole or not at all, a run queued for the worker."""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_fixtures import make_site, sign_in

from load.db import open_database
from load.schema import AuditEntry, Run
from load.upload import Limits
from review_ui.app import create_app

LIMITS = Limits(upload_bytes=2 << 20, unpacked_bytes=8 << 20, members=20)
FORM = {"book_id": "KS-2008-Q02", "kind": "birth", "layout": "form", "year": "2008", "volume": "02"}


def _png(seed: int = 0, size: tuple[int, int] = (400, 560)) -> bytes:
    rng = np.random.default_rng(seed)
    image = np.full((size[1], size[0]), 255, np.uint8)
    image[rng.integers(0, size[1], 50), rng.integers(0, size[0], 50)] = 0
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="PNG")
    return out.getvalue()


def _zip(members: dict[str, bytes], *, links: tuple[str, ...] = ()) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return out.getvalue()


@pytest.fixture
def site(db_url: str, tmp_path: Path) -> tuple[TestClient, Path, str]:
    make_site(db_url, records=0)
    books = tmp_path / "uploaded"
    client = TestClient(create_app(db_url, books_dir=books, upload_limits=LIMITS), follow_redirects=False)
    sign_in(client, "minh")  # an officer
    return client, books, db_url


def _token(client: TestClient) -> str:
    page = client.get("/books/new")
    assert page.status_code == 200 and "Tải một sổ lên" in page.text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found
    return found[1]


def _send(client: TestClient, files: list[tuple[str, bytes]], form: dict[str, str] | None = None):
    data = {**(FORM if form is None else form), "csrf_token": _token(client)}
    return client.post("/books/new", data=data, files=[("scans", (name, body)) for name, body in files])


def _left(books: Path) -> list[str]:
    return sorted(path.name for path in books.iterdir()) if books.exists() else []


def test_a_zip_of_scans_becomes_a_book_folder_and_a_queued_run(site) -> None:
    client, books, db_url = site
    scans = _zip({"so/0002.png": _png(2), "so/0001.png": _png(1), "__MACOSX/so/._0001.png": b"junk", "Thumbs.db": b"x"})
    answer = _send(client, [("KS-2008-Q02.zip", scans)])
    assert answer.status_code == 303 and answer.headers["location"] == "/books/KS-2008-Q02"
    folder = books / "KS-2008-Q02"
    assert sorted(path.name for path in folder.iterdir()) == ["0001.png", "0002.png", "book.json"]
    assert (folder / "0001.png").read_bytes() == _png(1)
    manifest = json.loads((folder / "book.json").read_text(encoding="utf-8"))
    assert manifest == {"book_id": "KS-2008-Q02", "kind": "birth", "layout": "form", "year": 2008,
                        "page_offset": 0, "volume": "02"}  # fmt: skip
    assert _left(books) == ["KS-2008-Q02"]  # no staging left behind
    engine = open_database(db_url)
    with Session(engine) as session:
        run = session.scalars(select(Run)).one()
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "book_run")).one()
    assert (run.book_id, run.state, run.requested_by, run.source_dir) == ("KS-2008-Q02", "queued", "minh", str(folder))
    assert audit.user_name == "minh"
    page = client.get("/books/KS-2008-Q02")
    assert page.status_code == 200 and "Đang chờ đọc" in page.text and 'hx-trigger="every 2s"' in page.text
    listed = client.get("/books")
    assert "KS-2008-Q02" in listed.text and "Đang chờ đọc" in listed.text
    assert "KS-2008-Q02" not in client.get("/books?state=done").text  # the filter
    assert "KS-2008-Q02" in client.get("/books?state=queued").text


def test_images_or_one_pdf_are_taken_as_they_are(site) -> None:
    client, books, _ = site
    assert _send(client, [("0001.png", _png(1)), ("0002.jpg", _jpeg())]).status_code == 303
    assert sorted(p.name for p in (books / "KS-2008-Q02").iterdir()) == ["0001.png", "0002.jpg", "book.json"]
    pdf = io.BytesIO()
    Image.open(io.BytesIO(_png(3))).save(pdf, format="PDF")
    answer = _send(client, [("so.pdf", pdf.getvalue())], dict(FORM, book_id="KS-2008-Q03"))
    assert answer.status_code == 303 and (books / "KS-2008-Q03" / "so.pdf").exists()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(_png(5))).convert("RGB").save(out, format="JPEG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("members", "links", "shown"),
    [
        ({"../../evil.png": b"\x89PNG\r\n\x1a\n"}, (), "Tệp ZIP có đường dẫn ra ngoài thư mục (../../evil.png)"),
        ({"/etc/cron.d/x.png": b"\x89PNG\r\n\x1a\n"}, (), "đường dẫn ra ngoài thư mục (/etc/cron.d/x.png)"),
        ({"C:\\Windows\\x.png": b"\x89PNG\r\n\x1a\n"}, (), "đường dẫn ra ngoài thư mục"),
        ({"0001.png": b"\x89PNG\r\n\x1a\n"}, ("0002.png",), "liên kết (symlink) 0002.png"),
        ({"0001.png": b"\x89PNG\r\n\x1a\n" + bytes(6 << 20)}, (), "giải nén ra quá lớn"),
        ({"0001.png": _png(1), "ghi-chu.txt": b"hello"}, (), "Tệp ghi-chu.txt không phải ảnh quét"),
        ({"0001.png": _png(1), "so/book.json": b"{}"}, (), "Tệp ZIP có so/book.json"),
        ({"a/0001.png": _png(1), "b/0001.png": _png(2)}, (), "Hai tệp cùng tên b/0001.png"),
        ({f"{n:04d}.png": _png(n) for n in range(25)}, (), "có quá nhiều tệp (25 &gt; 20)"),
        ({"doc/": b""}, (), "không có ảnh quét nào"),
    ],
    ids=["slip", "absolute", "drive", "link", "bomb", "wrong-type", "manifest", "same-name", "members", "empty"],
)
def test_a_bad_zip_is_refused_by_name_and_leaves_nothing(site, members, links, shown: str) -> None:
    client, books, db_url = site
    answer = _send(client, [("so.zip", _zip(members, links=links))])
    assert answer.status_code == 422, answer.text[:500]
    assert shown in answer.text and 'role="alert"' in answer.text
    assert 'value="KS-2008-Q02"' in answer.text  # the form keeps what was typed
    assert _left(books) == []
    with Session(open_database(db_url)) as session:
        assert session.scalars(select(Run)).all() == []


def test_a_zip_that_unpacks_past_the_limit_is_a_bomb(site) -> None:
    client, books, _ = site
    members = {f"{n:04d}.png": b"\x89PNG\r\n\x1a\n" + bytes(1 << 20) for n in range(9)}  # 9 MB > 8 MB, each 1 MB
    answer = _send(client, [("so.zip", _zip(members))])
    assert answer.status_code == 422 and "giải nén ra quá lớn" in answer.text and _left(books) == []


def test_a_file_that_is_no_scan_and_an_empty_upload(site) -> None:
    client, books, _ = site
    answer = _send(client, [("0001.png", b"MZ\x90\x00 not an image")])
    assert answer.status_code == 422 and "Tệp 0001.png không phải ảnh quét" in answer.text
    answer = _send(client, [])
    assert answer.status_code == 422 and "Chưa chọn tệp nào" in answer.text
    assert _left(books) == []


def test_too_big_is_refused_before_it_is_read(site) -> None:
    client, books, _ = site
    answer = _send(client, [("so.zip", b"PK\x03\x04" + bytes(4 << 20))])
    assert answer.status_code == 413 and "Dữ liệu gửi lên quá lớn (tối đa 2 MB)" in answer.text
    assert _left(books) == []


def test_the_same_book_twice_is_refused(site) -> None:
    client, books, _ = site
    assert _send(client, [("0001.png", _png(1))]).status_code == 303
    again = _send(client, [("0001.png", _png(9))])
    assert again.status_code == 409 and "Sổ KS-2008-Q02 đã được tải lên rồi" in again.text
    assert (books / "KS-2008-Q02" / "0001.png").read_bytes() == _png(1)  # the first upload is untouched


def test_every_problem_of_the_form_is_shown_at_once(site) -> None:
    client, books, _ = site
    form = {"book_id": "sổ 1", "kind": "birth", "layout": "couple-ledger", "year": "hai nghìn", "opened_year": "1800"}
    answer = _send(client, [("0001.png", _png(1)), ("notes.txt", b"hi")], form)
    assert answer.status_code == 422
    for text in ("Mã sổ: chỉ dùng chữ không dấu", "Năm: phải là một số", "Năm mở sổ: ngoài khoảng cho phép"):
        assert text in answer.text
    assert _left(books) == []


def test_the_layout_must_be_one_of_the_kind(site) -> None:
    client, _books, _ = site
    answer = _send(client, [("0001.png", _png(1))], {"book_id": "KH-1", "kind": "birth", "layout": "couple-ledger"})
    assert answer.status_code == 422 and "Mẫu sổ: mẫu sổ này không thuộc loại sổ đã chọn" in answer.text


def test_only_an_officer_uploads_and_only_with_the_session_token(site, db_url: str, tmp_path: Path) -> None:
    client, books, _ = site
    token = _token(client)
    answer = client.post("/books/new", data=dict(FORM), files=[("scans", ("0001.png", _png(1)))])
    assert answer.status_code == 403 and _left(books) == []  # no token
    reviewer = TestClient(create_app(db_url, books_dir=books, upload_limits=LIMITS), follow_redirects=False)
    sign_in(reviewer, "lan")
    assert reviewer.get("/books/new").status_code == 403
    answer = reviewer.post("/books/new", data=dict(FORM, csrf_token=token), files=[("scans", ("0001.png", _png(1)))])
    assert answer.status_code == 403 and _left(books) == []


def test_a_failed_page_shows_its_reason_and_is_read_again_with_a_button(site) -> None:
    from load.runs import claim_next, finish
    from load.schema import Book, Page

    client, books, db_url = site
    assert _send(client, [("0001.png", _png(1)), ("0002.png", _png(2))]).status_code == 303
    engine = open_database(db_url)
    run = claim_next(engine, "w")
    assert run is not None
    with Session(engine) as session, session.begin():  # as the worker leaves a book with one bad page
        session.add(Book(book_id="KS-2008-Q02", kind="birth", layout="form", source_dir=str(books / "KS-2008-Q02")))
        session.flush()
        session.add(Page(book_id="KS-2008-Q02", page_no=1, image_name="0001.png", status="loaded", row_count=0))
        failed = Page(book_id="KS-2008-Q02", page_no=2, image_name="0002.png", status="failed", row_count=0)
        failed.error_code, failed.error_message = "page_layout_unknown", "the page matches no layout"
        session.add(failed)
    finish(engine, run.id, failed=False, message="1 pages failed")
    page = client.get("/books/KS-2008-Q02").text
    assert (
        "Đã đọc xong" in page
        and "Trang không khớp mẫu sổ nào" in page
        and "the page matches no layout" in page
        and 'hx-trigger="every 2s"' not in page
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    assert client.post("/books/KS-2008-Q02/read-again", data={"csrf_token": token}).status_code == 303
    with Session(engine) as session:
        states = [run.state for run in session.scalars(select(Run).order_by(Run.id))]
    assert states == ["done", "queued"]
    assert "Đang chờ đọc" in client.get("/books/KS-2008-Q02").text
