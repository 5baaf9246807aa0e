"""20 reviewers over real HTTP at once (issue 19, point 5): no record handed to two, no lost
update, every save audited, no server error, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections import Counter, defaultdict

import httpx
import uvicorn
from sqlalchemy import select
from sqlalchemy.orm import Session
from web_fixtures import PASSWORD, make_site, sign_in

from load.db import open_database
from load.schema import AuditEntry, RecordRow
from review_ui.app import create_app
from review_ui.auth import add_user

REVIEWERS = 20
SECONDS = float(os.environ.get("HOTICH_CONCURRENCY_SECONDS", "30"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Server:
    def __init__(self, db_url: str) -> None:
        self.port = _free_port()
        config = uvicorn.Config(create_app(db_url), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.server.started, "the web app did not start"
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


Handed = dict[str, list[str]]


def _review(base: str, name: str, until: float, handed: Handed, saved: dict[str, str], errors: list[str]) -> None:
    try:
        _reviewing(base, name, until, handed, saved, errors)
    except BaseException as error:  # noqa: BLE001 - a thread's failure must fail the test, not only warn
        errors.append(f"{name}: {error!r}")


def _reviewing(base: str, name: str, until: float, handed: Handed, saved: dict[str, str], errors: list[str]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        signed = sign_in(client, name, PASSWORD)
        if signed.status_code != 303:  # 20 people signing in at once from one address were refused (429)
            errors.append(f"{name} sign in: {signed.status_code}")
            return
        after, count = "", 0
        while time.monotonic() < until:
            step = client.get(f"/queue/next?after={after}")
            if step.status_code >= 500:
                errors.append(f"{name} next: {step.status_code}")
                continue
            target = step.headers.get("location", "")
            if not target.startswith("/records/"):
                return  # the queue is empty
            record_id = target.split("/")[2].split("?")[0]
            handed[record_id].append(name)
            page = client.get(f"/records/{record_id}")
            version = re.search(r'name="version" value="(\d+)"', page.text)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            if page.status_code != 200 or not version or not token:
                errors.append(f"{name} open {record_id}: {page.status_code}")
                continue
            count += 1
            notes = f"{name} lần {count}"
            form = {"csrf_token": token.group(1), "version": version.group(1), "notes": notes}
            response = client.post(f"/records/{record_id}/save", data=form)
            if response.status_code == 303:
                saved[record_id] = notes
            else:
                errors.append(f"{name} save {record_id}: {response.status_code}")
            after = record_id


def test_twenty_reviewers_at_once_never_share_a_record_or_lose_a_save(db_url: str) -> None:
    make_site(db_url, records=3000)
    engine = open_database(db_url)
    for index in range(REVIEWERS):
        add_user(engine, f"r{index:02d}", "reviewer", PASSWORD)
    handed: dict[str, list[str]] = defaultdict(list)
    saved: dict[str, str] = {}
    errors: list[str] = []
    with _Server(db_url) as base:
        until = time.monotonic() + SECONDS
        threads = [
            threading.Thread(target=_review, args=(base, f"r{index:02d}", until, handed, saved, errors))
            for index in range(REVIEWERS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 120)
    print(f"{len(saved)} saves by {REVIEWERS} reviewers in {SECONDS:.0f} s")
    assert not errors, errors[:10]
    assert len(saved) >= REVIEWERS and len({notes.split()[0] for notes in saved.values()}) == REVIEWERS  # each saved
    shared = {record_id: names for record_id, names in handed.items() if len(names) > 1}
    assert not shared, list(shared.items())[:5]
    with Session(engine) as session:
        rows = {row.record_id: row for row in session.scalars(select(RecordRow).where(RecordRow.record_id.in_(saved)))}
        audits = Counter(
            session.scalars(select(AuditEntry.record_id).where(AuditEntry.action == "save", AuditEntry.field.is_(None)))
        )
    lost = [record_id for record_id, notes in saved.items() if rows[record_id].fields["notes"] != notes]
    assert not lost, lost[:5]
    assert all(rows[record_id].status == "reviewed" for record_id in saved)
    assert audits == Counter(list(saved)), "every save leaves exactly one audit row"
    engine.dispose()
