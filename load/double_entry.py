"""Double entry (issue 21, point 5): in a book that requires it, a handwritten record is keyed
twice, blind, by two people, and only what both keyed alike is stored.

The first keying is kept apart in ``keyings``: the record's values do not change, so whoever
keys it second sees the scan and the same empty fields, never the first person's values (the
audit log says that it was keyed, not what). The record waits in review with the reason
``second_keying``, and the first person's queue skips it. The second person's keying is
compared field by field with the first, on the values as the normaliser checked them: the
fields they agree on are stored; each field they key differently stays as it was, with the
reason ``keyings_disagree:FIELD``, and the record page shows both values for a third look,
which is then saved as any review is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from load.keying import is_keyed
from load.schema import Book, Keying, RecordRow

SECOND_KEYING = "second_keying"
DISAGREE = "keyings_disagree"
_ILLEGIBLE = "\x00illegible"  # a field marked illegible, as a value to compare


@dataclass(frozen=True)
class FirstKeying:
    """The record's first keying is kept apart; the record waits for a second person."""

    record_id: str
    version: int
    again: bool  # the same person keyed it a second time: their first keying was replaced


@dataclass
class Compared:
    """The second keying against the first: what both keyed alike, and where they differ."""

    agreed: dict[str, Any] = field(default_factory=dict)  # key → value both keyed (differing from the record's)
    illegible: set[str] = field(default_factory=set)  # keys both marked illegible
    disagree: dict[str, tuple[Any, Any]] = field(default_factory=dict)  # key → (first, second)


def applies(session: Session, row: RecordRow) -> bool:
    """Whether a save of ``row`` is a blind keying: its book requires double entry, the record is
    keyed (handwritten), and its two keyings have not already been found to disagree."""
    if row.book_id is None or not is_keyed(row):
        return False
    if any(reason.startswith(f"{DISAGREE}:") for reason in row.review_reasons or []):
        return False
    book = session.get(Book, row.book_id)
    return bool(book and book.double_entry)


def keyed_by(viewer: str) -> Any:
    """A queue condition: the record is not waiting for a second keying by someone else after
    ``viewer`` keyed it first (nobody keys a record twice)."""
    mine = select(Keying.id).where(
        Keying.record_id == RecordRow.record_id, Keying.pending.is_(True), Keying.user_name == viewer
    )
    return ~mine.exists()


def _pending(session: Session, record_id: str) -> Keying | None:
    query = select(Keying).where(Keying.record_id == record_id, Keying.pending.is_(True)).order_by(Keying.id)
    return session.scalars(query).first()


def _effective(keying_fields: Mapping[str, Any], illegible: set[str], stored: Mapping[str, Any], key: str) -> Any:
    if key in illegible:
        return _ILLEGIBLE
    return keying_fields[key] if key in keying_fields else stored.get(key)


def key_blind(
    session: Session,
    row: RecordRow,
    user: str,
    now: dt.datetime,
    keyed: dict[str, Any],
    illegible: set[str],
    keys: list[str],
    audit: Callable[[str], None],
) -> FirstKeying | Compared:
    """One person's keying of ``row`` (``keyed``: the changed fields' checked values): kept apart
    when it is the first, compared with the first when it is another person's."""
    first = _pending(session, row.record_id)
    if first is None or first.user_name == user:
        again = first is not None
        if first is None:
            session.add(
                Keying(record_id=row.record_id, user_name=user, at=now, fields=keyed, illegible=sorted(illegible))
            )
        else:
            first.fields, first.illegible, first.at = keyed, sorted(illegible), now
        audit("keyed_first")
        if SECOND_KEYING not in row.review_reasons:
            row.review_reasons = [*row.review_reasons, SECOND_KEYING]
        row.held_by = row.held_until = None
        row.version += 1
        row.updated_at = now
        return FirstKeying(row.record_id, row.version, again)
    first.pending = False
    session.add(
        Keying(
            record_id=row.record_id, user_name=user, at=now, fields=keyed, illegible=sorted(illegible), pending=False
        )
    )
    audit("keyed_second")
    first_illegible = set(first.illegible or [])
    compared = Compared()
    for key in keys:
        one = _effective(first.fields, first_illegible, row.fields, key)
        two = _effective(keyed, illegible, row.fields, key)
        if one != two:
            compared.disagree[key] = (one, two)
        elif two == _ILLEGIBLE:
            compared.illegible.add(key)
        elif key in keyed:
            compared.agreed[key] = two
    return compared


def settle(session: Session, record_id: str) -> None:
    """The record left review another way (rejected): no keying of it waits any longer."""
    session.execute(
        update(Keying)
        .where(Keying.record_id == record_id, Keying.pending.is_(True))
        .values(pending=False)
        .execution_options(synchronize_session=False)
    )


def shown(value: Any) -> str:
    return "(không đọc được)" if value == _ILLEGIBLE else "(trống)" if value in (None, "") else str(value)


def disagreements(session: Session, row: RecordRow) -> dict[str, list[tuple[str, str]]]:
    """For a record whose keyings disagree: per field, who keyed what (the last two keyings)."""
    keys = [reason.split(":", 1)[1] for reason in row.review_reasons or [] if reason.startswith(f"{DISAGREE}:")]
    if not keys:
        return {}
    last = list(
        session.scalars(select(Keying).where(Keying.record_id == row.record_id).order_by(Keying.id.desc()).limit(2))
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for keying in reversed(last):
        for key in keys:
            value = _effective(keying.fields, set(keying.illegible or []), row.fields, key)
            found.setdefault(key, []).append((keying.user_name, shown(value)))
    return found
