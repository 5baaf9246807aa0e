"""The review web app in a real browser: Debian's chromium, driven by Playwright.

Skipped, with the reason, where /usr/bin/chromium is missing; .ci/run installs it.
A screenshot of the record page is saved as a test artefact in test-artifacts/.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import needs_tesseract
from sqlalchemy.orm import Session
from web_fixtures import PASSWORD, make_site

from load.db import open_database
from load.schema import RecordRow
from records import Kind

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (.ci/run installs it)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(db_url: str, sample_root: Path, tmp_path: Path) -> Iterator[str]:
    import uvicorn
    from tests_support import birth_book_dir

    from review_ui.app import create_app

    make_site(db_url, birth_book_dir(sample_root), records=4)
    port = _free_port()
    config = uvicorn.Config(create_app(db_url), host="127.0.0.1", port=port, log_level="warning")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    for _ in range(100):
        if web.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    web.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield launched
        launched.close()


def _sign_in(page: object, base: str, name: str, landing: str = "/queue") -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    # The name field has autofocus: wait until the browser has put the caret there.
    page.wait_for_function("document.activeElement && document.activeElement.name === 'name'")  # type: ignore[attr-defined]
    page.keyboard.type(name)  # type: ignore[attr-defined]
    page.keyboard.press("Tab")  # type: ignore[attr-defined]
    page.keyboard.type(PASSWORD)  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url(f"{base}{landing}")  # type: ignore[attr-defined]


def _record(db_url: str, record_id: str) -> RecordRow:
    with Session(open_database(db_url)) as session:
        row = session.get(RecordRow, record_id)
        assert row is not None
        return row


def test_correct_a_field_and_save_with_the_keyboard_only(server: str, browser: object, db_url: str) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    _sign_in(page, server, "lan")
    page.goto(f"{server}/queue/next")
    page.wait_for_url(f"{server}/records/R1*")
    assert page.evaluate("document.activeElement.name") == "full_name"  # low-confidence field focused first
    width = page.get_attribute("#crop", "data-width")
    page.keyboard.press("Alt+=")  # zoom the scan from the keyboard, while a field has the focus
    assert int(page.get_attribute("#crop", "data-width") or 0) > int(width or 0)
    page.keyboard.press("Alt+-")
    assert page.get_attribute("#crop", "data-width") == width
    assert page.evaluate("document.activeElement.value") != "="  # nothing typed into the field
    page.keyboard.type("Nguyễn Văn Ân")  # replaces the selected OCR value
    page.wait_for_selector("#verdict-full_name .verdict.good")  # the normaliser's verdict, inline
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "record-page.png"), full_page=True)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/records/R2*")
    row = _record(db_url, "R1")
    assert (row.status, row.fields["full_name"], row.reviewed_by) == ("reviewed", "Nguyễn Văn Ân", "lan")
    page.keyboard.press("F2")  # a correct row: one key accepts it and moves on
    page.wait_for_url(f"{server}/records/R3*")
    assert _record(db_url, "R2").status == "reviewed"
    page.keyboard.press("Escape")  # skip
    page.wait_for_url(f"{server}/records/R4*")
    assert _record(db_url, "R3").status == "needs_review"


def test_take_the_offered_spelling_with_one_key(server: str, browser: object, db_url: str) -> None:
    with Session(open_database(db_url)) as session, session.begin():
        row = session.get(RecordRow, "R1")
        assert row is not None
        row.fields = dict(row.fields, full_name="Nguyên Văn An", mother_name="Trần Thị Be")
        row.suggestions = {"full_name": "Nguyễn Văn An", "mother_name": "Trần Thị Bé"}
        row.review_reasons = ["suggestion:full_name", "suggestion:mother_name"]
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    _sign_in(page, server, "lan")
    page.goto(f"{server}/records/R1")
    page.wait_for_function("document.activeElement && document.activeElement.name === 'full_name'")
    assert "Nguyễn Văn An" in page.inner_text("[data-key=full_name] .suggestion")
    page.keyboard.press("F3")  # the focused field's suggestion
    assert page.input_value("#f-full_name") == "Nguyễn Văn An"
    assert page.input_value("#f-mother_name") == "Trần Thị Be"  # another field's suggestion is left
    page.wait_for_selector("#verdict-full_name .verdict.good")  # checked as if typed
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/records/R2*")
    saved = _record(db_url, "R1")
    assert (saved.status, saved.fields["full_name"], saved.fields["mother_name"]) == (
        "reviewed",
        "Nguyễn Văn An",
        "Trần Thị Be",
    )


def test_decide_a_possible_duplicate(server: str, browser: object, db_url: str) -> None:
    from load.store import key_columns

    engine = open_database(db_url)
    with Session(engine) as session, session.begin():
        r4 = session.get(RecordRow, "R4")
        assert r4 is not None
        held = RecordRow(
            record_id="H1", kind="birth", source_import="held.csv", fields=dict(r4.fields), raw=dict(r4.fields),
            confidence={}, issues={}, status="auto_accepted", review_reasons=[], version=1, cluster_id="H1",
            **key_columns(Kind.birth, r4.fields),
        )  # fmt: skip
        session.add(held)
        r4.review_reasons = ["possible_duplicate:H1"]
    page = browser.new_page()  # type: ignore[attr-defined]
    _sign_in(page, server, "lan")
    page.goto(f"{server}/records/R4")
    assert page.locator(".duplicate").is_visible()
    page.click("#dup-same")
    page.wait_for_load_state()
    row = _record(db_url, "R4")
    assert row.duplicate_of == "H1" and "possible_duplicate:H1" not in row.review_reasons


def test_two_reviewers_saving_the_same_record_get_a_conflict(server: str, browser: object, db_url: str) -> None:
    first = browser.new_context().new_page()  # type: ignore[attr-defined]
    second = browser.new_context().new_page()  # type: ignore[attr-defined]
    _sign_in(first, server, "lan")
    _sign_in(second, server, "binh")
    first.goto(f"{server}/records/R3")
    second.goto(f"{server}/records/R3")
    first.fill("#f-full_name", "Nguyễn Văn Ánh")
    first.press("#f-full_name", "Enter")
    first.wait_for_url(f"{server}/records/R4*")
    second.fill("#f-full_name", "Nguyễn Văn Anh")
    second.press("#f-full_name", "Enter")
    second.wait_for_selector(".conflict")
    text = second.locator(".conflict").inner_text()
    assert "Nguyễn Văn Ánh" in text and "Nguyễn Văn Anh" in text
    assert second.input_value("#f-full_name") == "Nguyễn Văn Anh"  # nothing lost
    assert _record(db_url, "R3").fields["full_name"] == "Nguyễn Văn Ánh"


def test_keying_a_handwritten_record_completes_but_never_overwrites(server: str, browser: object, db_url: str) -> None:
    with Session(open_database(db_url)) as session, session.begin():
        row = session.get(RecordRow, "R1")
        assert row is not None  # its names by hand: keyed beside their crops
        row.fields = dict(row.fields, full_name=None, father_name=None, birth_place=None)
        row.review_reasons = ["handwritten:full_name", "handwritten:father_name", "handwritten:birth_place"]
    page = browser.new_page(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    _sign_in(page, server, "lan")
    page.goto(f"{server}/records/R1")
    page.wait_for_selector("#record-form[data-keyed]")
    page.focus("#f-father_name")
    page.keyboard.type("Ng")
    page.wait_for_function("document.getElementById('completion-father_name').dataset.value === 'Nguyễn '")
    page.keyboard.press("ArrowRight")  # the family name from the lexicon, with one key
    page.keyboard.type("Văn Hai")
    assert page.input_value("#f-father_name") == "Nguyễn Văn Hai"
    page.keyboard.press("ArrowRight")  # nothing left to complete: the key only moves the caret
    assert page.input_value("#f-father_name") == "Nguyễn Văn Hai"
    page.focus("#f-full_name")
    page.keyboard.type("Nguyễn Văn H")  # a name typed on this page already is offered first
    page.wait_for_function("document.getElementById('completion-full_name').dataset.value === 'Nguyễn Văn Hai'")
    page.keyboard.type("ậu")  # typing on: the completion follows what is typed, never replaces it
    page.wait_for_function("document.getElementById('completion-full_name').dataset.value !== 'Nguyễn Văn Hai'")
    page.keyboard.press("End")
    assert page.input_value("#f-full_name").startswith("Nguyễn Văn Hậu")
    page.fill("#f-full_name", "Nguyễn Văn Hậu")
    page.focus("#f-birth_place")
    page.keyboard.type("Phường Thạc Gián, Q")  # the other records of the book hold this place
    page.wait_for_function("document.getElementById('completion-birth_place').dataset.value !== ''")
    page.keyboard.press("End")
    assert page.input_value("#f-birth_place") == "Phường Thạc Gián, Quận Thanh Khê, Thành phố Đà Nẵng"
    page.wait_for_selector("#verdict-birth_place .verdict.good")  # checked as if typed
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{server}/records/R2*")
    saved = _record(db_url, "R1")
    assert (saved.fields["father_name"], saved.fields["full_name"], saved.fields["birth_place"]) == (
        "Nguyễn Văn Hai",
        "Nguyễn Văn Hậu",
        "Phường Thạc Gián, Quận Thanh Khê, Thành phố Đà Nẵng",
    )


@needs_tesseract
def test_an_officer_uploads_a_book_watches_it_read_reviews_and_packages_it(
    sample_root: Path, browser: object, tmp_path: Path
) -> None:
    """The whole path from the browser, the worker in its own process (issue 23)."""
    import json
    import os
    import signal
    import subprocess
    import sys
    import zipfile

    import uvicorn
    from tests_support import birth_book_dir

    from review_ui.app import create_app

    db_url = f"sqlite:///{tmp_path / 'site.db'}"
    make_site(db_url, records=0)
    source = birth_book_dir(sample_root)
    manifest = json.loads((source / "book.json").read_text(encoding="utf-8"))
    upload = tmp_path / "so-khai-sinh.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        for scan in sorted(source.iterdir()):
            if scan.name != "book.json":
                archive.write(scan, f"so/{scan.name}")
    port = _free_port()
    app = create_app(db_url, books_dir=tmp_path / "books")
    web = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    hotich = shutil.which("hotich", path=str(Path(sys.executable).parent)) or "hotich"
    worker = subprocess.Popen([hotich, "worker", "--db", db_url, "--poll", "0.5"], cwd=tmp_path, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while not web.started:
            time.sleep(0.05)
        page = browser.new_page(viewport={"width": 1400, "height": 900}, accept_downloads=True)  # type: ignore[attr-defined]
        _sign_in(page, base, "minh", landing="/counter")  # an officer starts at the counter
        page.goto(f"{base}/books")
        page.click("#upload-link")
        page.fill("input[name=book_id]", "KS-TAI-LEN")
        page.select_option("select[name=kind]", "birth")
        page.select_option("select[name=layout]", "")  # recognised from the page
        page.fill("input[name=year]", str(manifest["year"]))
        page.fill("input[name=opened_year]", str(manifest["opened_year"]))
        page.fill("input[name=volume]", manifest["volume"])
        for key in ("commune", "district", "province"):
            page.fill(f"input[name={key}]", manifest["locality"][key])
        page.fill("input[name=registration_place]", manifest["registration_place"])
        page.set_input_files("#scans", str(upload))
        page.click("#upload-submit")
        page.wait_for_url(f"{base}/books/KS-TAI-LEN")
        page.wait_for_selector("#progress[data-state=done]", timeout=300_000)  # polled while the worker reads
        truth = (sample_root / "truth" / f"{source.name}.jsonl").read_text(encoding="utf-8").splitlines()
        assert page.inner_text("#pages-loaded") == "2" and page.inner_text("#rows") == str(len(truth))
        assert page.inner_text("#pages-failed") == "0"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "book-progress.png"), full_page=True)
        page.click("#review-link")
        page.click("#start")
        page.wait_for_url(f"{base}/records/*")
        page.wait_for_selector("#record-form")
        assert "KS-TAI-LEN" in page.content()
        page.goto(f"{base}/books/KS-TAI-LEN")
        page.click("#package-link")
        page.wait_for_selector("#download-package")
        if page.query_selector("input[name=allow_incomplete]"):
            page.check("input[name=allow_incomplete]")  # records still to review are left out
        with page.expect_download(timeout=120_000) as download:
            page.click("#download-package")
        saved = tmp_path / "goi.zip"
        download.value.save_as(saved)
        with zipfile.ZipFile(saved) as package:
            assert any(name.endswith(".xlsx") for name in package.namelist())
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        web.should_exit = True
        thread.join(timeout=10)
