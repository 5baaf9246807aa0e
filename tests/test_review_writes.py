"""The reviewer's write path keeps what is stored: only fields posted and changed change, a rejected
value never replaces one, a record outside review is reopened first (issue 19, points 1, 2 and 6)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session
from web_fixtures import FIELDS, PASSWORD, make_site, sign_in

from load.db import open_database
from load.review import NotInReview, Refused, reopen, save_review
from load.schema import AuditEntry, RecordRow
from normalize.typed import as_typed
from review_ui.app import create_app

KEYS = list(FIELDS)


@pytest.fixture
def site(db_url: str) -> str:
    make_site(db_url)
    return db_url


def signed_in(db_url: str, user: str) -> tuple[TestClient, str]:
    client = TestClient(create_app(db_url), follow_redirects=False)
    assert sign_in(client, user, PASSWORD).status_code == 303
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/queue").text).group(1)  # type: ignore[union-attr]
    return client, token


def stored(db_url: str, record_id: str = "R1") -> RecordRow:
    with Session(open_database(db_url), expire_on_commit=False) as session:
        row = session.get(RecordRow, record_id)
        assert row is not None
        return row


def test_a_save_of_one_field_leaves_every_other_field_as_it_was(site: str) -> None:
    client, token = signed_in(site, "lan")
    before = stored(site).fields
    response = client.post("/records/R1/save", data={"csrf_token": token, "version": "1", "full_name": "Nguyễn Văn Ân"})
    assert response.status_code == 303
    after = stored(site)
    assert after.fields == {**before, "full_name": "Nguyễn Văn Ân"}  # eight fields were wiped before
    assert after.status == "reviewed"


def test_a_record_outside_review_is_not_saved_until_an_officer_reopens_it(site: str) -> None:
    engine = open_database(site)
    with Session(engine) as session, session.begin():
        session.execute(update(RecordRow).where(RecordRow.record_id == "R1").values(status="auto_accepted"))
    client, token = signed_in(site, "lan")
    response = client.post("/records/R1/save", data={"csrf_token": token, "version": "1", "full_name": "Lê Văn Tám"})
    assert response.status_code == 409 and "không ở trạng thái chờ duyệt" in response.text
    assert stored(site).fields["full_name"] == "Nguyễn Văn An" and stored(site).status == "auto_accepted"
    assert 'id="reopen"' not in response.text  # a reviewer may not reopen
    assert client.post("/records/R1/reopen", data={"csrf_token": token, "reason": "x"}).status_code == 403
    officer, officer_token = signed_in(site, "minh")
    assert officer.post("/records/R1/reopen", data={"csrf_token": officer_token, "reason": " "}).status_code == 422
    reopened = officer.post("/records/R1/reopen", data={"csrf_token": officer_token, "reason": "sai tên cha"})
    assert reopened.status_code == 303
    row = stored(site)
    assert (row.status, row.version, row.review_reasons[-1]) == ("needs_review", 2, "reopened:sai tên cha")
    with Session(engine) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "reopen")).one()
        assert (entry.user_name, entry.old_value, entry.new_value) == ("minh", "auto_accepted", "sai tên cha")
    saved = client.post("/records/R1/save", data={"csrf_token": token, "version": "2", "full_name": "Lê Văn Tám"})
    assert saved.status_code == 303 and stored(site).fields["full_name"] == "Lê Văn Tám"


def test_an_impossible_date_is_refused_and_the_stored_date_kept(site: str) -> None:
    client, token = signed_in(site, "lan")
    form = {"csrf_token": token, "version": "1", "birth_date": "31/02/1953", "full_name": "Nguyễn Văn Ân"}
    response = client.post("/records/R1/save", data=form)
    assert response.status_code == 422
    assert "31/02/1953" in response.text and "ngày tháng không có thật" in response.text  # what was typed stays
    row = stored(site)
    assert row.fields["birth_date"] == "1998-03-02" and row.fields["full_name"] == "Nguyễn Văn An"  # nothing saved
    assert row.status == "needs_review" and "invalid_date:birth_date" in row.review_reasons
    with Session(open_database(site)) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "refused")).one()
        assert (entry.field, entry.old_value, entry.new_value) == ("birth_date", "1998-03-02", "31/02/1953")


@pytest.mark.parametrize(
    ("key", "typed"), [("birth_place", "15/03/1998"), ("full_name", "02-03-1998"), ("ethnicity", "3/1998")]
)
def test_a_date_typed_into_another_box_is_flagged_and_refused(site: str, key: str, typed: str) -> None:
    client, token = signed_in(site, "lan")
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    verdict = client.post("/records/R1/check", data={"field": key, key: typed}, headers=headers)
    assert "thuộc ô khác" in verdict.text
    response = client.post("/records/R1/save", data={"csrf_token": token, "version": "1", key: typed})
    assert response.status_code == 422 and stored(site).fields[key] == FIELDS[key]


def test_the_conflict_box_shows_only_real_differences_as_typed(site: str) -> None:
    first, token_a = signed_in(site, "lan")
    second, token_b = signed_in(site, "binh")
    shown = {key: as_typed(FIELDS[key], key) for key in KEYS}
    assert first.post("/records/R3/save", data={"csrf_token": token_a, "version": "1", **shown}).status_code == 303
    clash = second.post(
        "/records/R3/save", data={"csrf_token": token_b, "version": "1", **shown, "full_name": "Nguyễn Văn Anh"}
    )
    assert clash.status_code == 409
    box = clash.text.split('class="conflict"')[1].split("</div>")[0]
    assert box.count("<tr><td>") == 1 and "Nguyễn Văn Anh" in box  # only the name differs
    assert "1998-03-02" not in box and "male" not in box  # stored ISO and codes are not compared with typed text


_typed = st.one_of(
    st.sampled_from(["", " ", "31/02/1953", "15/03/1998", "Nam", "Nữ", "xyz", "Lê Thị Hồng", "12", "Kinh", "1/1/1"]),
    st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạ0123456789/- ", max_size=20),
)


_ENGINES: dict[str, Engine] = {}


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(posted=st.dictionaries(st.sampled_from(KEYS), _typed, max_size=len(KEYS)))
def test_property_no_field_outside_the_posted_and_changed_set_changes(site: str, posted: dict[str, str]) -> None:
    if site not in _ENGINES:
        _ENGINES[site] = open_database(site)
    engine = _ENGINES[site]
    with Session(engine) as session, session.begin():  # each example starts from the record in review
        session.execute(
            update(RecordRow).where(RecordRow.record_id == "R1").values(status="needs_review", fields=FIELDS, version=1)
        )
    outcome = save_review(engine, "R1", "lan", version=1, values=dict(posted))
    with Session(engine) as session:
        after = session.get(RecordRow, "R1").fields  # type: ignore[union-attr]
    changed = {key for key, text in posted.items() if text.strip() != as_typed(FIELDS[key], key)}
    if isinstance(outcome, Refused):
        assert after == FIELDS and set(outcome.reasons) <= changed  # a rejected value replaces nothing
        return
    assert {key for key in KEYS if after[key] != FIELDS[key]} <= changed, posted
    assert not [key for key in changed if posted[key].strip() and after[key] is None], posted


def test_reopen_is_only_for_records_outside_review(site: str) -> None:
    engine = open_database(site)
    assert reopen(engine, "R1", "minh", reason="kiểm tra") == 1  # already in review: nothing to do
    save_review(engine, "R1", "lan", version=1, values={})
    assert isinstance(save_review(engine, "R1", "lan", version=2, values={"full_name": "A B"}), NotInReview)
    with pytest.raises(ValueError):
        reopen(engine, "R1", "minh", reason="  ")


def test_next_record_goes_on_past_imported_records_in_the_same_order_on_both_backends(site: str) -> None:
    from load.review import QueueFilter, next_record, queue
    from load.store import key_columns
    from records import Kind

    engine = open_database(site)
    with Session(engine) as session, session.begin():
        for record_id in ("I2", "I1", "I3"):  # imported: no book, page or row
            session.add(
                RecordRow(record_id=record_id, kind="birth", source_import="held.csv", fields=FIELDS, raw=FIELDS,
                          confidence={}, issues={}, status="needs_review", review_reasons=["missing:notes"],
                          version=1, cluster_id=record_id, **key_columns(Kind.birth, FIELDS))
            )  # fmt: skip
    everything = QueueFilter()
    assert [row.record_id for row in queue(engine, "lan", everything)] == ["R1", "R2", "R3", "I1", "I2", "I3"]
    walked, after = [], None
    while (after := next_record(engine, "lan", everything, after)) is not None and len(walked) < 10:
        walked.append(after)
    assert walked == ["R1", "R2", "R3", "I1", "I2", "I3"]  # it stopped after the first imported record before
    assert next_record(engine, "binh", everything) is None  # lan holds them all
