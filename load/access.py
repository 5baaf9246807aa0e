"""The access log: every read of personal data leaves a row (who, when, what), for an admin to read."""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from load.schema import AccessEntry

ACTIONS = ("record", "search", "scan", "extract", "export", "queue")
_DETAIL = 500  # characters of a query kept: enough to tell what was asked, bounded


def log_access(
    engine: Engine,
    user: str,
    action: str,
    *,
    record_id: str | None = None,
    detail: str | None = None,
    client: str | None = None,
) -> None:
    """Append one row to the access log (its own transaction: a read is logged even if nothing is written)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown access action {action!r}")
    with Session(engine) as session, session.begin():
        session.add(
            AccessEntry(
                at=dt.datetime.now(dt.UTC),
                user_name=user[:64],
                action=action,
                record_id=record_id[:64] if record_id else None,
                detail=detail[:_DETAIL] if detail else None,
                client=client[:64] if client else None,
            )
        )


def command_line_user() -> str:
    """Who runs a CLI command: the operating system's user, marked as such."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:?"


@dataclass(frozen=True)
class AccessPage:
    entries: list[AccessEntry]
    total: int


def access_log(
    engine: Engine, *, user: str | None = None, record_id: str | None = None, limit: int = 100, offset: int = 0
) -> AccessPage:
    """The newest rows first, optionally of one user or one record."""
    query = select(AccessEntry)
    if user:
        query = query.where(AccessEntry.user_name == user)
    if record_id:
        query = query.where(AccessEntry.record_id == record_id)
    with Session(engine, expire_on_commit=False) as session:
        total = session.scalar(query.with_only_columns(func.count(), maintain_column_froms=True)) or 0
        entries = list(session.scalars(query.order_by(AccessEntry.id.desc()).offset(offset).limit(limit)))
    return AccessPage(entries, int(total))
