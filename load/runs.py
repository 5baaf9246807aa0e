"""Digitising runs asked for from the web app, taken by ``hotich worker`` (issue 23, point 2).

A run is a row: ``queued``, then ``running`` on one worker (claimed in one UPDATE, so two workers
never take the same run), then ``done`` or ``failed``. A running worker beats its heart on every
page; a run whose heart has stopped for ``STALE`` (the worker was killed, the machine lost power)
is queued again and finished by the next worker: the digitise flow skips every page already
loaded, so no page is lost or read twice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from load.db import writing
from load.schema import AuditEntry, Run

STALE = dt.timedelta(minutes=2)
MAX_ATTEMPTS = 3  # a run that killed its worker three times is failed, not retried for ever


@dataclass(frozen=True)
class RunState:
    id: int
    book_id: str
    source_dir: str
    state: str
    pages_done: int
    pages_total: int | None
    message: str | None
    attempts: int


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def queue_run(engine: Engine, book_id: str, source_dir: Path, user: str, *, detail: str = "") -> int:
    """Queue a digitising run of the book (audited); its id. A run already queued or running for
    the book is the one returned: asking twice never reads a book twice at once."""
    with Session(writing(engine)) as session, session.begin():
        waiting = session.scalar(
            select(Run).where(Run.book_id == book_id, Run.state.in_(("queued", "running"))).limit(1)
        )
        if waiting is not None:
            return waiting.id
        run = Run(book_id=book_id, source_dir=str(source_dir), state="queued", requested_by=user, requested_at=_now())
        session.add(run)
        session.add(
            AuditEntry(
                record_id=book_id, user_name=user, at=_now(), action="book_run",
                old_value=None, new_value=detail or "queued",
            )
        )  # fmt: skip
        session.flush()
        return run.id


def requeue_stale(engine: Engine, *, stale: dt.timedelta = STALE) -> list[int]:
    """Queue again the runs whose worker stopped beating; fail those tried MAX_ATTEMPTS times."""
    cutoff = _now() - stale
    with Session(writing(engine)) as session, session.begin():
        dead = session.scalars(select(Run).where(Run.state == "running", Run.heartbeat < cutoff)).all()
        for run in dead:
            if run.attempts >= MAX_ATTEMPTS:
                run.state, run.finished_at = "failed", _now()
                run.message = f"the worker stopped {run.attempts} times while reading this book"
            else:
                run.state, run.worker = "queued", None
        return [run.id for run in dead]


def claim_next(engine: Engine, worker: str) -> RunState | None:
    """Take the oldest queued run for ``worker``; None when none waits."""
    with Session(writing(engine)) as session, session.begin():
        for run_id in session.scalars(select(Run.id).where(Run.state == "queued").order_by(Run.requested_at, Run.id)):
            taken = session.execute(
                update(Run)
                .where(Run.id == run_id, Run.state == "queued")
                .values(state="running", worker=worker, heartbeat=_now(), attempts=Run.attempts + 1)
            )
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return _state(session.get_one(Run, run_id))
    return None


def beat(engine: Engine, run_id: int, *, done: int, total: int | None) -> None:
    """The worker is alive and has read ``done`` of ``total`` pages."""
    with Session(writing(engine)) as session, session.begin():
        session.execute(
            update(Run).where(Run.id == run_id).values(heartbeat=_now(), pages_done=done, pages_total=total)
        )


def finish(engine: Engine, run_id: int, *, failed: bool, message: str | None = None) -> None:
    with Session(writing(engine)) as session, session.begin():
        session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(state="failed" if failed else "done", finished_at=_now(), heartbeat=_now(), message=message)
        )


def latest_runs(engine: Engine) -> dict[str, RunState]:
    """Each book's latest run."""
    newest = select(func.max(Run.id)).group_by(Run.book_id)
    with Session(engine) as session:
        runs = session.scalars(select(Run).where(Run.id.in_(newest))).all()
        return {run.book_id: _state(run) for run in runs}


def latest_run(engine: Engine, book_id: str) -> RunState | None:
    """The book's latest run (the book page asks every 2 s while one goes)."""
    with Session(engine) as session:
        run = session.scalar(select(Run).where(Run.book_id == book_id).order_by(Run.id.desc()).limit(1))
        return _state(run) if run is not None else None


def _state(run: Run) -> RunState:
    return RunState(
        run.id, run.book_id, run.source_dir, run.state, run.pages_done, run.pages_total, run.message, run.attempts
    )
