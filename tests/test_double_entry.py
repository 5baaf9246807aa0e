"""Double entry (issue 21, point 5): a book that requires it has each handwritten record keyed
twice, blind, by two people; only what both keyed alike is stored."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from web_fixtures import make_site, sign_in

from load.db import open_database
from load.double_entry import FirstKeying
from load.review import QueueFilter, Saved, queue, save_review
from load.schema import AuditEntry, Book, Keying, RecordRow
from review_ui.app import create_app
from review_ui.texts import ISSUES

HAND = ["handwritten:full_name", "handwritten:birth_date"]


@pytest.fixture
def engine(db_url: str) -> Engine:
    make_site(db_url)
    engine = open_database(db_url)
    with Session(engine) as session, session.begin():
        session.get_one(Book, "KS-1998").double_entry = True
        for record_id in ("R1", "R2"):
            row = session.get_one(RecordRow, record_id)
            row.fields = {**row.fields, "full_name": None, "birth_date": None}
            row.issues = {"full_name": ["handwritten"], "birth_date": ["handwritten"]}
            row.review_reasons = list(HAND)
    return engine


def row_of(engine: Engine, record_id: str = "R1") -> RecordRow:
    with Session(engine, expire_on_commit=False) as session:
        return session.get_one(RecordRow, record_id)


def key(engine: Engine, user: str, values: dict[str, str], record_id: str = "R1") -> object:
    return save_review(engine, record_id, user, version=row_of(engine, record_id).version, values=values)


def test_the_first_keying_is_kept_apart_and_unseen(engine: Engine) -> None:
    first = key(engine, "lan", {"full_name": "Lê Thị Hoa", "birth_date": "150398"})
    assert isinstance(first, FirstKeying) and not first.again
    row = row_of(engine)
    assert row.fields["full_name"] is None and row.fields["birth_date"] is None  # the record is unchanged
    assert row.status == "needs_review" and row.review_reasons == [*HAND, "second_keying"]
    assert row.held_by is None  # free for the second person
    with Session(engine) as session:
        entries = list(session.scalars(select(AuditEntry).where(AuditEntry.record_id == "R1")))
        assert [(entry.action, entry.old_value, entry.new_value) for entry in entries] == [("keyed_first", None, None)]
        (keying,) = session.scalars(select(Keying))
        assert keying.fields == {"full_name": "Lê Thị Hoa", "birth_date": "1998-03-15"} and keying.pending
    # the first person's queue skips it; another's holds it
    assert "R1" not in [found.record_id for found in queue(engine, "lan", QueueFilter())]
    assert "R1" in [found.record_id for found in queue(engine, "binh", QueueFilter())]
    again = key(engine, "lan", {"full_name": "Lê Thị Hòa"})
    assert isinstance(again, FirstKeying) and again.again
    with Session(engine) as session:
        assert [keying.fields for keying in session.scalars(select(Keying))] == [{"full_name": "Lê Thị Hòa"}]


def test_two_keyings_that_agree_are_stored(engine: Engine) -> None:
    assert isinstance(key(engine, "lan", {"full_name": "Lê Thị Hoa", "birth_date": "150398"}), FirstKeying)
    saved = key(engine, "binh", {"full_name": "Lê Thị Hoa", "birth_date": "15/03/1998"})
    assert isinstance(saved, Saved) and sorted(saved.changed) == ["birth_date", "full_name"]
    row = row_of(engine)
    assert (row.fields["full_name"], row.fields["birth_date"], row.status) == ("Lê Thị Hoa", "1998-03-15", "reviewed")
    assert row.reviewed_by == "binh" and row.review_reasons == []
    with Session(engine) as session:
        assert not session.scalars(select(Keying).where(Keying.pending.is_(True))).all()


def test_two_keyings_that_differ_store_what_they_agree_on_and_show_both(engine: Engine, db_url: str) -> None:
    assert isinstance(key(engine, "lan", {"full_name": "Lê Thị Hoa", "birth_date": "150398"}), FirstKeying)
    compared = key(engine, "binh", {"full_name": "Lê Thị Hòa", "birth_date": "150398"})
    assert isinstance(compared, Saved) and compared.changed == ["birth_date"]
    row = row_of(engine)
    assert row.fields["birth_date"] == "1998-03-15" and row.fields["full_name"] is None  # neither name stored
    assert row.status == "needs_review" and row.reviewed_by is None
    assert row.review_reasons == [*HAND, "keyings_disagree:full_name"]
    client = TestClient(create_app(db_url), follow_redirects=False)
    sign_in(client, "minh")
    page = client.get("/records/R1").text
    assert (
        "Hai lần nhập khác nhau: <b>Lê Thị Hoa</b> <small>(lan)</small> · <b>Lê Thị Hòa</b> <small>(binh)</small>"
        in page
    )
    # the third look is saved as any review is
    third = key(engine, "minh", {"full_name": "Lê Thị Hoa"})
    assert isinstance(third, Saved) and row_of(engine).fields["full_name"] == "Lê Thị Hoa"
    assert row_of(engine).status == "reviewed"


def test_the_second_person_sees_the_scan_and_empty_fields_not_the_first_keying(engine: Engine, db_url: str) -> None:
    first, second = (TestClient(create_app(db_url), follow_redirects=False) for _ in range(2))
    sign_in(first, "lan")
    page = first.get("/records/R1").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]  # type: ignore[index]
    form = {"csrf_token": token, "version": "1", "full_name": "Đặng Thị Ửng", "birth_date": "020398"}
    response = first.post("/records/R1/save", data=form)
    assert response.status_code == 303 and response.headers["location"].startswith("/queue/next?after=R1")
    sign_in(second, "binh")
    page = second.get("/records/R1").text
    assert "Ửng" not in page and "chờ người thứ hai nhập độc lập" in page
    assert 'id="f-full_name" name="full_name" value=""' in page
    assert 'id="f-birth_date" name="birth_date" value=""' in page


def test_a_book_without_double_entry_is_keyed_once(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.get_one(Book, "KS-1998").double_entry = False
    saved = key(engine, "lan", {"full_name": "Lê Thị Hoa"})
    assert isinstance(saved, Saved) and row_of(engine).fields["full_name"] == "Lê Thị Hoa"


def test_a_printed_record_of_a_double_entry_book_is_reviewed_once(engine: Engine) -> None:
    saved = key(engine, "lan", {"full_name": "Nguyễn Văn Ân"}, record_id="R3")  # R3 has no handwritten field
    assert isinstance(saved, Saved) and row_of(engine, "R3").fields["full_name"] == "Nguyễn Văn Ân"


def test_a_rejected_record_leaves_no_keying_waiting(engine: Engine) -> None:
    assert isinstance(key(engine, "lan", {"full_name": "Lê Thị Hoa"}), FirstKeying)
    save_review(engine, "R1", "binh", version=row_of(engine).version, values={}, reject_reason="trang trắng")
    with Session(engine) as session:
        assert not session.scalars(select(Keying).where(Keying.pending.is_(True))).all()


def test_an_officer_sets_double_entry_on_the_book_page(db_url: str) -> None:
    make_site(db_url)
    engine = open_database(db_url)
    reviewer, officer = (TestClient(create_app(db_url), follow_redirects=False) for _ in range(2))
    sign_in(reviewer, "lan")
    page = reviewer.get("/books").text
    assert 'id="double-entry-KS-1998"' not in page and "Không" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', reviewer.get("/queue").text)[1]  # type: ignore[index]
    assert (
        reviewer.post("/books/KS-1998/double-entry", data={"csrf_token": token, "double_entry": "1"}).status_code == 403
    )
    sign_in(officer, "minh")
    page = officer.get("/books").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]  # type: ignore[index]
    assert 'id="double-entry-KS-1998">Bật<' in page
    response = officer.post("/books/KS-1998/double-entry", data={"csrf_token": token, "double_entry": "1"})
    assert response.status_code == 303
    assert (
        officer.post("/books/NO-SUCH/double-entry", data={"csrf_token": token, "double_entry": "1"}).status_code == 404
    )
    with Session(engine) as session:
        assert session.get_one(Book, "KS-1998").double_entry
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "book_double_entry")).one()
        assert (entry.record_id, entry.user_name, entry.new_value) == ("KS-1998", "minh", "on")
    assert 'id="double-entry-KS-1998">Tắt<' in officer.get("/books").text


def test_every_documented_review_reason_is_said_in_vietnamese() -> None:
    text = (Path(__file__).resolve().parent.parent / "docs" / "errors.md").read_text(encoding="utf-8")
    reasons = text.split("## Review reasons (not errors)")[1]
    codes = {
        code
        for line in reasons.splitlines()
        if line.startswith("| `")
        for code in re.findall(r"`([a-z_]+)`", line.split("|")[1])
    }
    assert len(codes) >= 40
    assert not sorted(codes - set(ISSUES)), "give these reasons a Vietnamese text in review_ui/texts.py"
