"""The login door (issue 19, point 11): one name however padded, one limit however many at once,
the same work for unknown names, a token on the form, Secure cookies, known hosts, no trusted proxy."""

from __future__ import annotations

import re
import socket
import threading
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner
from web_fixtures import PASSWORD, make_site, sign_in

from flows.cli import app as cli
from load.db import open_database
from load.schema import LoginAttempt
from review_ui import auth
from review_ui.app import create_app


@pytest.fixture
def site(db_url: str) -> str:
    make_site(db_url)
    return db_url


class CountingHasher:
    """argon2's hasher, counting the passwords it checks."""

    def __init__(self, real: Any) -> None:
        self.real, self.checks, self.lock = real, 0, threading.Lock()

    def verify(self, stored: str, password: str) -> bool:
        with self.lock:
            self.checks += 1
        return bool(self.real.verify(stored, password))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher(auth._hasher)
    monkeypatch.setattr(auth, "_hasher", counting)
    return counting


def test_padding_or_case_makes_no_new_name_for_the_limit(site: str) -> None:
    client = TestClient(create_app(site), follow_redirects=False)
    for name in ("lan ", "\tlan", " LAN ", "lan\t\t", "Lan"):
        assert sign_in(client, name, "wrong").status_code == 401
    assert sign_in(client, "lan", PASSWORD).status_code == 429  # 100 padded guesses went through before


def test_thirty_bad_logins_at_once_get_five_checks(site: str, hasher: CountingHasher) -> None:
    engine = open_database(site)
    outcomes: list[str] = []

    def attempt() -> None:
        try:
            outcomes.append("signed in" if auth.log_in(engine, "lan", "wrong", "10.0.0.9") else "refused")
        except auth.RateLimited:
            outcomes.append("limited")

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(outcomes) == 30 and hasher.checks <= auth.MAX_FAILURES  # 19 were checked before
    assert outcomes.count("limited") >= 30 - auth.MAX_FAILURES
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 30  # every try recorded


def test_an_unknown_name_costs_a_password_check_too(site: str, hasher: CountingHasher) -> None:
    engine = open_database(site)
    assert auth.log_in(engine, "nobody", "wrong", "10.0.0.1") is None
    assert auth.log_in(engine, "lan", "wrong", "10.0.0.2") is None
    assert hasher.checks == 2  # 36 ms for an unknown name against 168 ms told which names exist


def test_the_login_form_carries_a_token_the_post_must_echo(site: str) -> None:
    client = TestClient(create_app(site), follow_redirects=False)
    assert client.post("/login", data={"name": "lan", "password": PASSWORD}).status_code == 403  # forged
    client.get("/login")
    forged = client.post("/login", data={"name": "lan", "password": PASSWORD, "csrf_token": "guess"})
    assert forged.status_code == 403 and "hotich_session" not in forged.headers.get("set-cookie", "")
    assert sign_in(client, "lan").status_code == 303


def test_secure_cookies_and_known_hosts(site: str) -> None:
    secure = TestClient(create_app(site, secure_cookies=True), follow_redirects=False)
    cookie = sign_in(secure, "lan").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie
    guarded = TestClient(create_app(site, allowed_hosts=["127.0.0.1", "localhost"]), base_url="http://evil.example")
    assert guarded.get("/login").status_code == 400  # any Host header was served
    assert TestClient(create_app(site, allowed_hosts=["testserver"])).get("/login").status_code == 200


def test_review_trusts_no_forwarded_header_unless_told(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda _app, **options: calls.append(options))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    assert CliRunner().invoke(cli, ["review", "--db", site, "--port", port]).exit_code == 0
    assert calls[-1]["proxy_headers"] is False  # X-Forwarded-For from 127.0.0.1 was believed by default
    command = ["review", "--db", site, "--port", port, "--trusted-proxy", "10.0.0.5", "--secure-cookies"]
    assert CliRunner().invoke(cli, command).exit_code == 0
    assert calls[-1]["proxy_headers"] is True and calls[-1]["forwarded_allow_ips"] == "10.0.0.5"


def test_review_on_a_port_in_use_says_so(site: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = CliRunner().invoke(cli, ["review", "--db", site, "--port", port])
    assert result.exit_code == 2 and "port_in_use" in result.output and "running on" not in result.output


def test_twenty_people_signing_in_at_once_from_one_office_are_not_refused(site: str) -> None:
    engine = open_database(site)
    for index in range(20):
        auth.add_user(engine, f"u{index:02d}", "reviewer", PASSWORD)
    outcomes: list[str] = []

    def attempt(name: str) -> None:
        try:
            outcomes.append("signed in" if auth.log_in(engine, name, PASSWORD, "10.0.0.7") else "refused")
        except auth.RateLimited:
            outcomes.append("limited")

    threads = [threading.Thread(target=attempt, args=(f"u{index:02d}",)) for index in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("signed in") == 20, outcomes


def test_an_admin_lists_disables_re_roles_and_resets_users(site: str) -> None:
    admin = TestClient(create_app(site), follow_redirects=False)
    sign_in(admin, "hoa")
    lan = TestClient(create_app(site), follow_redirects=False)
    assert sign_in(lan, "lan").status_code == 303 and lan.get("/queue").status_code == 200
    page = admin.get("/admin/users").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert 'data-user="lan"' in page and "Người duyệt" in page and "Hoạt động" in page

    def change(**form: str) -> Any:
        return admin.post("/admin/users/change", data={"csrf_token": token, **form})

    assert change(name="lan", action="disable").status_code == 200
    assert lan.get("/queue").status_code in (303, 401)  # her open session ended at once
    assert sign_in(TestClient(create_app(site), follow_redirects=False), "lan").status_code == 401
    assert change(name="lan", action="enable").status_code == 200
    assert change(name="lan", action="role", role="officer").status_code == 200
    assert change(name="lan", action="reset", password="short").status_code == 422
    assert change(name="lan", action="reset", password="mat-khau-moi-1").status_code == 200
    fresh = TestClient(create_app(site), follow_redirects=False)
    assert sign_in(fresh, "lan", "mat-khau-moi-1").headers["location"] == "/counter"  # an officer now
    refused = change(name="hoa", action="disable")  # the last admin
    assert refused.status_code == 422 and "quản trị viên cuối cùng" in refused.text
    assert change(name="nobody", action="disable").status_code == 422
    assert change(name="lan", action="explode").status_code == 422
    reviewer = TestClient(create_app(site), follow_redirects=False)
    sign_in(reviewer, "binh")
    own = re.search(r'name="csrf_token" value="([^"]+)"', reviewer.get("/queue").text).group(1)  # type: ignore[union-attr]
    forbidden = reviewer.post(
        "/admin/users/change", data={"csrf_token": own, "name": "binh", "action": "role", "role": "admin"}
    )
    assert forbidden.status_code == 403


def test_hotich_users_list_disable_enable_role_reset(site: str) -> None:
    def run(*words: str, given: str | None = None) -> Any:
        return CliRunner().invoke(cli, ["users", *words, "--db", site], input=given)

    listed = run("list")
    assert listed.exit_code == 0 and "lan" in listed.output and "reviewer" in listed.output
    assert run("disable", "lan").exit_code == 0 and "disabled" in run("list").output
    assert run("enable", "lan").exit_code == 0
    assert run("role", "lan", "officer").exit_code == 0 and "officer" in run("list").output
    assert run("reset", "lan", given="mat-khau-moi-2\nmat-khau-moi-2\n").exit_code == 0
    assert auth.log_in(open_database(site), "lan", "mat-khau-moi-2", "10.0.0.3") is not None
    missing = run("disable", "nobody")
    assert missing.exit_code == 2 and "user_missing" in missing.output
    last = run("disable", "hoa")
    assert last.exit_code == 2 and "user_last_admin" in last.output
