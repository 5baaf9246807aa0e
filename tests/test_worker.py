"""``hotich worker`` (issue 23, point 2): it takes the runs the web app queued and reads each
book as ``hotich digitize`` does; killed in the middle of a book, the next worker finishes it
with every page once."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import needs_tesseract
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.digitize import digitize_book
from flows.worker import work
from load.db import open_database
from load.runs import claim_next, queue_run, requeue_stale
from load.schema import Page, RecordRow, Run
from records import Kind
from samplebooks import generate_book

ROOT = Path(__file__).resolve().parent.parent


def _records(db_url: str, book_id: str) -> list[tuple[int, int, dict]]:
    with Session(open_database(db_url)) as session:
        rows = session.scalars(select(RecordRow).where(RecordRow.book_id == book_id)).all()
        return sorted((row.page_no or 0, row.row_no or 0, row.fields) for row in rows)


def test_a_run_is_claimed_once_and_a_silent_one_is_taken_again(db_url: str, tmp_path: Path) -> None:
    engine = open_database(db_url)
    first = queue_run(engine, "KS-1", tmp_path, "minh")
    assert queue_run(engine, "KS-1", tmp_path, "lan") == first  # asked twice: one run
    taken = claim_next(engine, "a")
    assert taken is not None and taken.id == first and claim_next(engine, "b") is None  # one worker has it
    assert requeue_stale(engine, stale=dt.timedelta(minutes=2)) == []  # its heart beats
    with Session(engine) as session, session.begin():
        session.get_one(Run, first).heartbeat = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    assert requeue_stale(engine) == [first]
    again = claim_next(engine, "b")
    assert again is not None and again.id == first and again.attempts == 2
    for _ in range(2):  # a book that kills its worker every time is failed at last, not tried for ever
        with Session(engine) as session, session.begin():
            session.get_one(Run, first).heartbeat = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
        requeue_stale(engine)
        claim_next(engine, "c")
    with Session(engine) as session, session.begin():
        session.get_one(Run, first).heartbeat = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    requeue_stale(engine)
    with Session(engine) as session:
        run = session.get_one(Run, first)
        assert run.state == "failed" and "stopped 3 times" in (run.message or "")


@needs_tesseract
@pytest.mark.prefect
@pytest.mark.usefixtures("prefect_harness")
def test_the_worker_reads_a_queued_book_as_digitize_does(book_copy, db_url: str, tmp_path: Path) -> None:
    book = book_copy(Kind.birth)
    engine = open_database(db_url)
    queue_run(engine, book.name, book, "minh")
    assert work(db_url, once=True) == 1
    with Session(engine) as session:
        run = session.scalars(select(Run)).one()
    assert (run.state, run.pages_done, run.pages_total, run.message) == ("done", 2, 2, None)
    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    digitize_book(book, alone)
    assert _records(db_url, book.name) == _records(alone, book.name) and _records(alone, book.name)
    assert work(db_url, once=True) == 0  # nothing waits


@needs_tesseract
def test_killing_the_worker_mid_book_loses_and_doubles_no_page(tmp_path: Path) -> None:
    book = generate_book(tmp_path, kind=Kind.death, seed=331, pages=5)
    db_url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = open_database(db_url)
    queue_run(engine, book.name, book, "minh")
    hotich = shutil.which("hotich", path=str(Path(sys.executable).parent)) or "hotich"
    command = [hotich, "worker", "--db", db_url, "--stale-seconds", "3", "--poll", "0.2"]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    worker = subprocess.Popen(command, cwd=tmp_path, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            with Session(engine) as session:
                loaded = session.scalar(select(func.count()).select_from(Page).where(Page.status == "loaded"))
            if loaded:
                break
            assert worker.poll() is None, "the worker stopped by itself"
            time.sleep(0.1)
        assert loaded and loaded < 5, loaded  # killed in the middle of the book
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    with Session(engine) as session:
        assert session.scalars(select(Run)).one().state == "running"  # as the dead worker left it
    time.sleep(3.5)  # its heart has stopped
    second = subprocess.run([*command, "--once"], cwd=tmp_path, env=env, timeout=600, capture_output=True, text=True)
    assert second.returncode == 0, second.stdout + second.stderr
    with Session(engine) as session:
        run = session.scalars(select(Run)).one()
        pages = session.execute(select(Page.page_no, Page.status).order_by(Page.page_no)).all()
    assert (run.state, run.attempts) == ("done", 2), run.message
    assert pages == [(number, "loaded") for number in range(1, 6)]  # every page once
    truth = (tmp_path / "truth" / f"{book.name}.jsonl").read_text(encoding="utf-8").splitlines()
    stored = _records(db_url, book.name)
    assert len(stored) == len(truth) and len({(page, row) for page, row, _ in stored}) == len(truth)
