"""The review web app with the test client: access control, CSRF, escaping, the write path."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_fixtures import PASSWORD, make_site, sign_in

from load.db import open_database
from load.schema import AuditEntry, RecordRow
from review_ui.app import create_app


@pytest.fixture
def site(db_url: str) -> str:
    make_site(db_url)
    return db_url


def client_for(db_url: str, user: str | None = None) -> TestClient:
    client = TestClient(create_app(db_url), follow_redirects=False)
    if user:
        response = sign_in(client, user, PASSWORD)
        assert response.status_code == 303, response.text
    return client


def csrf_of(client: TestClient, path: str = "/queue") -> str:
    page = client.get(path).text
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page[:500]
    return match.group(1)


ROUTES = [
    ("GET", "/"),
    ("GET", "/queue"),
    ("GET", "/queue/next"),
    ("GET", "/records/R1"),
    ("GET", "/records/R1/crop.png"),
    ("GET", "/records/R1/page.jpg"),
    ("POST", "/records/R1/check"),
    ("POST", "/records/R1/save"),
    ("POST", "/records/R1/skip"),
    ("POST", "/records/R1/duplicate"),
    ("GET", "/books"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("POST", "/logout"),
    ("GET", "/counter"),
    ("GET", "/counter/records/R1"),
    ("POST", "/counter/records/R1/extract.pdf"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_route_refuses_an_anonymous_request(site: str, method: str, path: str) -> None:
    response = client_for(site).request(method, path)
    assert response.status_code in (303, 401)
    if response.status_code == 303:
        assert response.headers["location"] == "/login"


def test_the_login_page_is_open_and_sets_a_safe_cookie(site: str) -> None:
    client = client_for(site)
    assert client.get("/login").status_code == 200
    response = sign_in(client, "lan", PASSWORD)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_a_form_without_its_csrf_token_is_refused(site: str) -> None:
    client = client_for(site, "lan")
    response = client.post("/records/R1/save", data={"version": "1", "full_name": "Nguyễn Văn Ân"})
    assert response.status_code == 403
    response = client.post("/records/R1/save", data={"version": "1", "csrf_token": "forged"})
    assert response.status_code == 403
    with Session(open_database(site)) as session:
        assert session.get(RecordRow, "R1").version == 1  # type: ignore[union-attr]


def test_ocr_text_with_html_is_shown_as_text(site: str) -> None:
    page = client_for(site, "lan").get("/records/R2").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_reviewer_cannot_reach_admin_pages(site: str) -> None:
    client = client_for(site, "lan")
    assert client.get("/admin/users").status_code == 403
    token = csrf_of(client)
    response = client.post(
        "/admin/users", data={"csrf_token": token, "name": "x", "role": "admin", "password": "p" * 9}
    )
    assert response.status_code == 403
    assert client_for(site, "hoa").get("/admin/users").status_code == 200


def test_logins_are_rate_limited(site: str) -> None:
    client = client_for(site)
    for _ in range(5):
        assert sign_in(client, "lan", "wrong").status_code == 401
    assert sign_in(client, "lan", PASSWORD).status_code == 429


def test_saving_normalises_audits_and_moves_on(site: str) -> None:
    client = client_for(site, "lan")
    token = csrf_of(client, "/records/R1")
    form = {"csrf_token": token, "version": "1", "full_name": "nguyễn văn ân", "sex": "Nam", "birth_date": "2/3/1998"}
    response = client.post("/records/R1/save", data=form)
    assert response.status_code == 303 and response.headers["location"].startswith("/queue/next?after=R1")
    engine = open_database(site)
    with Session(engine) as session:
        row = session.get(RecordRow, "R1")
        assert row is not None
        assert (row.status, row.version, row.reviewed_by) == ("reviewed", 2, "lan")
        assert row.fields["full_name"] == "Nguyễn Văn Ân" and row.name_fold == "nguyen van an"
        audit = session.scalars(select(AuditEntry).where(AuditEntry.record_id == "R1")).all()
        edits = {(entry.field, entry.old_value, entry.new_value) for entry in audit if entry.action == "edit"}
        assert ("full_name", "Nguyễn Văn An", "Nguyễn Văn Ân") in edits
    assert "Nguyễn Văn Ân" in client.get("/records/R1").text  # the audit trail on the record page


def test_the_second_save_of_the_same_version_is_a_conflict_and_loses_nothing(site: str) -> None:
    first, second = client_for(site, "lan"), client_for(site, "binh")
    token_a, token_b = csrf_of(first, "/records/R3"), csrf_of(second, "/records/R3")
    ok = first.post("/records/R3/save", data={"csrf_token": token_a, "version": "1", "full_name": "Nguyễn Văn Ánh"})
    assert ok.status_code == 303
    clash = second.post("/records/R3/save", data={"csrf_token": token_b, "version": "1", "full_name": "Nguyễn Văn Anh"})
    assert clash.status_code == 409
    assert "Nguyễn Văn Ánh" in clash.text and "Nguyễn Văn Anh" in clash.text  # both values shown
    with Session(open_database(site)) as session:
        assert session.get(RecordRow, "R3").fields["full_name"] == "Nguyễn Văn Ánh"  # type: ignore[union-attr]


def test_the_inline_verdict_shows_the_normalisers_view(site: str) -> None:
    client = client_for(site, "lan")
    token = csrf_of(client, "/records/R1")
    headers = {"X-CSRF-Token": token, "HX-Request": "true"}
    response = client.post(
        "/records/R1/check", data={"field": "birth_date", "birth_date": "30/02/1998"}, headers=headers
    )
    assert response.status_code == 200 and "ngày tháng không có thật" in response.text


def test_a_row_that_is_not_a_record_can_be_rejected_and_a_hold_is_kept(site: str) -> None:
    lan, binh = client_for(site, "lan"), client_for(site, "binh")
    assert "đang được" not in lan.get("/records/R2").text
    assert "đang được lan duyệt" in binh.get("/records/R2").text  # held by lan
    token = csrf_of(lan, "/records/R2")
    lan.post(
        "/records/R2/save",
        data={"csrf_token": token, "version": "1", "action": "reject", "reject_reason": "dòng trống"},
    )
    with Session(open_database(site)) as session:
        assert session.get(RecordRow, "R2").status == "rejected"  # type: ignore[union-attr]


def test_pages_are_also_json(site: str) -> None:
    client = client_for(site, "lan")
    assert [row["record_id"] for row in client.get("/queue?format=json").json()] == ["R1", "R2", "R3"]
    assert client.get("/books?format=json").json()["books"]["KS-1998"]["needs_review"] == 3


def test_counter_pages_are_for_officers(site: str) -> None:
    assert client_for(site, "lan").get("/counter").status_code == 403
    officer = client_for(site, "minh")
    page = officer.get("/counter?q=nguyen+van+an+1998")
    assert page.status_code == 200 and "/counter/records/R1" in page.text and "Còn ít nhất" not in page.text
    assert officer.get("/counter?q=nguyen+van+an+1998&format=json").json()[0]["person_name"] == "Nguyễn Văn An"
    record = officer.get("/counter/records/R1")
    assert "In trích lục" in record.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', record.text).group(1)  # type: ignore[union-attr]
    pdf = officer.post("/counter/records/R1/extract.pdf", data={"csrf_token": token, "unverified": "1"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert officer.post("/counter/records/R1/extract.pdf", data={}).status_code == 403  # no CSRF token


def test_counter_shows_the_dates_of_a_death_and_a_marriage(site: str) -> None:
    # Found by the year of death, or by the wife's own birth year: the officer checks that date.
    from load.store import key_columns
    from records import Kind

    death = {"full_name": "Hồ Văn Quế", "birth_date": "1931-02-03", "death_date": "2011-10-12"}
    marriage = {"husband_name": "Phạm Văn Lực", "husband_birth_date": "1960-03-03", "wife_name": "Đoàn Thị Mến",
                "wife_birth_date": "1963-07-08", "registration_date": "1985-06-01"}  # fmt: skip
    with Session(open_database(site)) as session, session.begin():
        for record_id, kind, fields in (("T1", Kind.death, death), ("M1", Kind.marriage, marriage)):
            session.add(RecordRow(record_id=record_id, kind=kind.value, source_import="held.csv", fields=fields,
                                  raw=fields, confidence={}, issues={}, status="auto_accepted", review_reasons=[],
                                  version=1, cluster_id=record_id, **key_columns(kind, fields)))  # fmt: skip
    officer = client_for(site, "minh")
    died = officer.get("/counter?q=ho+van+que+2011", headers={"HX-Request": "true"}).text
    assert "/counter/records/T1" in died and "<small>mất</small> 12/10/2011" in died
    assert "<td> / </td>" not in died  # no parents written: no lone separator
    wife = officer.get("/counter?q=doan+thi+men+1963", headers={"HX-Request": "true"}).text
    assert "/counter/records/M1" in wife and "<small>vợ</small> 08/07/1963" in wife
    assert "<small>kết hôn</small> 01/06/1985" in wife  # dd/mm/yyyy, not ISO


def test_counter_says_when_namesakes_outnumber_the_list(db_url: str) -> None:
    make_site(db_url, records=23)  # 23 "Nguyễn Văn An" born 1998: the list shows 20
    officer = client_for(db_url, "minh")
    page = officer.get("/counter?q=nguyen+van+an+1998", headers={"HX-Request": "true"})
    assert page.text.count("/counter/records/R") == 20
    assert "Còn ít nhất 3 hồ sơ khác khớp như hồ sơ cuối cùng" in page.text
    numbered = officer.get("/counter?q=nguyen+van+an+1998+so+13", headers={"HX-Request": "true"})
    assert '/counter/records/R2"' in numbered.text.split("</tr>")[1]  # the number picks one out


def test_the_queue_is_paginated_with_its_total_and_filters_by_reason_in_vietnamese(db_url: str) -> None:
    make_site(db_url, records=130)  # the queue was cut at 100, silently
    client = client_for(db_url, "lan")
    first = client.get("/queue")
    assert "Bản ghi 1–100 trong 130 bản ghi chờ duyệt" in first.text and 'id="next-page"' in first.text
    second = client.get("/queue?p=2")
    assert "Bản ghi 101–130 trong 130" in second.text and 'id="next-page"' not in second.text
    assert second.text.count("/records/R") == 30
    assert client.get("/queue?format=json").headers["X-Total-Count"] == "130"
    assert ">có âm tiết không phải tiếng Việt (có thể đọc sai)</option>" in first.text  # no English codes to type
    assert client.get("/queue?p=abc").status_code == 422


def test_every_read_of_personal_data_is_logged_and_never_cached(site: str) -> None:
    from load.access import access_log

    officer = client_for(site, "minh")
    for path in ("/records/R1", "/records/R1?format=json", "/counter?q=nguyen+van+an", "/counter/records/R2"):
        response = officer.get(path)
        assert response.status_code == 200 and response.headers["cache-control"] == "no-store", path
    token = re.search(r'name="csrf_token" value="([^"]+)"', officer.get("/counter/records/R1").text).group(1)  # type: ignore[union-attr]
    printed = officer.post("/counter/records/R1/extract.pdf", data={"csrf_token": token, "unverified": "1"})
    assert printed.headers["cache-control"] == "no-store"
    entries = access_log(open_database(site), user="minh").entries
    seen = {(entry.action, entry.record_id, entry.detail) for entry in entries}
    assert {("record", "R1", None), ("record", "R2", None), ("extract", "R1", "chưa xác minh")} <= seen
    assert ("search", None, "nguyen van an") in seen
    admin = client_for(site, "hoa")
    page = admin.get("/admin/access?user=minh")
    assert page.status_code == 200 and "in trích lục" in page.text and "nguyen van an" in page.text
    assert admin.get("/admin/access?format=json").json()["total"] >= len(entries)
    assert client_for(site, "minh").get("/admin/access").status_code == 403  # only an admin reads the log


BROWSER = {"Accept": "text/html,application/xhtml+xml"}


@pytest.mark.parametrize(
    ("method", "path", "user", "status", "text"),
    [
        ("GET", "/records/NOPE", "lan", 404, "Không có bản ghi này."),
        ("GET", "/no-such-page", "lan", 404, "Không có trang này."),
        ("GET", "/admin/users", "lan", 403, "Bạn không có quyền mở trang này."),
        ("GET", "/records/R1/crop.png?width=abc", "lan", 422, "Tham số width phải là một số nguyên."),
        ("GET", "/queue?p=2x", "lan", 422, "Tham số p phải là một số nguyên."),
        ("GET", "/counter?kind=zzz&q=an", "minh", 422, "Loại hồ sơ phải là"),
    ],
)
def test_errors_are_vietnamese_pages_for_a_browser_and_json_for_scripts(
    site: str, method: str, path: str, user: str, status: int, text: str
) -> None:
    client = client_for(site, user)
    page = client.request(method, path, headers=BROWSER)
    assert page.status_code == status and page.headers["content-type"].startswith("text/html")
    assert text in page.text and '<html lang="vi">' in page.text
    script = client.request(method, path)
    assert script.status_code == status and text in script.json()["detail"]


def test_bad_parameters_are_4xx_never_500(site: str) -> None:
    officer = client_for(site, "minh")
    token = csrf_of(officer)
    assert officer.get('/counter?q=nguyen+"van').status_code == 200  # a quote broke SQLite's FTS5 query
    assert officer.get("/counter?q=" + "nguyen+" * 30).status_code == 422  # too long to be one person's
    unknown = {"csrf_token": token, "candidate": "R2", "decision": "same", "version": "1"}
    assert officer.post("/records/R1/duplicate", data=unknown).status_code == 404  # R2 was never proposed
    with Session(open_database(site)) as session:
        assert session.get(RecordRow, "R1").duplicate_of is None  # type: ignore[union-attr]
    assert officer.post("/records/NOPE/duplicate", data=unknown).status_code == 404
    assert officer.post("/records/R1/save", data={"csrf_token": token, "version": "x"}).status_code == 422
