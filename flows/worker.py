"""``hotich worker``: takes the digitising runs the web app queued and runs the digitise flow
on each (load/runs.py). The web app never waits for OCR; a worker killed mid-book leaves its run
to be finished by the next worker, every page once."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from load.db import open_database
from load.runs import STALE, RunState, beat, claim_next, finish, requeue_stale
from records import HotichError


def run_one(engine: Engine, db_url: str | None, run: RunState, *, beat_every: float, flow: Any = None) -> None:
    """Digitise the run's book, beating the run's heart while it goes; the run ends done or failed."""
    from flows.digitize import check_book, digitize_book

    flow = flow or digitize_book

    progress = {"done": 0, "total": None}
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(beat_every):
            beat(engine, run.id, done=progress["done"] or 0, total=progress["total"])

    def on_progress(event: str, total: int, _outcome: object) -> None:
        progress["total"] = total
        if event == "page":
            progress["done"] = (progress["done"] or 0) + 1
        beat(engine, run.id, done=progress["done"] or 0, total=total)

    beating = threading.Thread(target=heartbeat, daemon=True, name=f"hotich-run-{run.id}")
    beating.start()
    try:
        book_dir = Path(run.source_dir)
        check_book(book_dir)
        summary = flow(book_dir, db_url, on_progress=on_progress)
    except HotichError as error:
        finish(engine, run.id, failed=True, message=error.describe())
    except Exception as error:  # noqa: BLE001 - a run that fails says why; the worker goes on
        finish(engine, run.id, failed=True, message=f"{type(error).__name__}: {error}")
    else:
        failed = len(summary.errors)
        finish(engine, run.id, failed=False, message=f"{failed} pages failed" if failed else None)
    finally:
        stop.set()
        beating.join(timeout=5)


def work(
    db_url: str | None,
    *,
    once: bool = False,
    poll: float = 2.0,
    stale_seconds: float = STALE.total_seconds(),
    name: str | None = None,
    on_run: Callable[[RunState], None] | None = None,
    dask_address: str | None = None,
    dask_workers: int | None = None,
) -> int:
    """Take queued runs until stopped (``once``: until none waits); how many were run. With a Dask
    scheduler's address (or a number of local Dask processes) each book's pages are spread over it."""
    import datetime as dt

    from flows.digitize import on_dask

    flow = on_dask(dask_address, dask_workers) if dask_address or dask_workers else None

    engine = open_database(db_url)
    worker = name or f"{socket.gethostname()}:{os.getpid()}"
    stale = dt.timedelta(seconds=stale_seconds)
    done = 0
    while True:
        requeue_stale(engine, stale=stale)
        run = claim_next(engine, worker)
        if run is None:
            if once:
                return done
            time.sleep(poll)
            continue
        if on_run is not None:
            on_run(run)
        run_one(engine, db_url, run, beat_every=max(0.5, stale_seconds / 4), flow=flow)
        done += 1
