"""Users, passwords (argon2), sessions and login rate limiting.

A session cookie holds a random token; the database keeps only its SHA-256, with the
session's CSRF token and expiry. Roles nest: a reviewer reviews, an officer also uses the
counter pages, an admin also manages users.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from load.db import writing
from load.schema import LoginAttempt, User, UserSession
from records import HotichError

ROLES = ("reviewer", "officer", "admin")
RANK = {role: rank for rank, role in enumerate(ROLES)}
SESSION_LIFETIME = dt.timedelta(hours=10)
MAX_FAILURES = 5  # per client or per name, within FAILURE_WINDOW
FAILURE_WINDOW = dt.timedelta(minutes=10)
MIN_PASSWORD = 8
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Viewer:
    """Who is signed in, with the session's CSRF token."""

    name: str
    role: str
    csrf: str

    def may(self, role: str) -> bool:
        return RANK[self.role] >= RANK[role]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def add_user(engine: Engine, name: str, role: str, password: str) -> None:
    """Create a user; errors name what is wrong."""
    name = name.strip()
    if role not in ROLES:
        raise HotichError("user_bad_role", f"role {role!r} is not one of {', '.join(ROLES)}", fix="choose a role")
    if not name or len(name) > 64:
        raise HotichError("user_bad_name", "a user name has 1 to 64 characters", fix="choose another name")
    if len(password) < MIN_PASSWORD:
        raise HotichError(
            "user_weak_password", f"the password has fewer than {MIN_PASSWORD} characters", fix="choose a longer one"
        )
    try:
        with Session(writing(engine)) as session, session.begin():
            session.add(User(name=name, role=role, password_hash=_hasher.hash(password), active=True))
    except IntegrityError as error:
        raise HotichError("user_exists", f"a user named {name!r} exists", fix="choose another name") from error


def list_users(engine: Engine) -> list[User]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(User).order_by(User.name)))


def rate_limited(engine: Engine, name: str, client: str) -> bool:
    """Too many failed logins lately from this client or for this name."""
    since = _now() - FAILURE_WINDOW
    with Session(engine) as session:
        failures = select(func.count()).select_from(LoginAttempt).where(LoginAttempt.ok.is_(False))
        failures = failures.where(LoginAttempt.at >= since)
        by_client = session.scalar(failures.where(LoginAttempt.client == client)) or 0
        by_name = session.scalar(failures.where(LoginAttempt.name == name)) or 0
    return by_client >= MAX_FAILURES or by_name >= MAX_FAILURES


def log_in(engine: Engine, name: str, password: str, client: str) -> tuple[str, Viewer] | None:
    """A new session token and the viewer, or None (wrong name or password; recorded)."""
    with Session(writing(engine)) as session, session.begin():
        user = session.scalars(select(User).where(User.name == name.strip(), User.active.is_(True))).first()
        ok = False
        if user is not None:
            try:
                ok = _hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        session.add(LoginAttempt(name=name[:64], client=client[:64], ok=ok, at=_now()))
        if not ok or user is None:
            return None
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        session.add(
            UserSession(token_hash=_hash(token), user_id=user.id, csrf_token=csrf, expires_at=_now() + SESSION_LIFETIME)
        )
        return token, Viewer(user.name, user.role, csrf)


def viewer_for(engine: Engine, token: str | None) -> Viewer | None:
    """The signed-in viewer of a session cookie, if the session is alive."""
    if not token:
        return None
    with Session(engine) as session:
        row = session.execute(
            select(User.name, User.role, UserSession.csrf_token, UserSession.expires_at)
            .join(UserSession, UserSession.user_id == User.id)
            .where(UserSession.token_hash == _hash(token), User.active.is_(True))
        ).first()
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    return Viewer(row.name, row.role, row.csrf_token) if expires > _now() else None


def log_out(engine: Engine, token: str | None) -> None:
    if token:
        with Session(writing(engine)) as session, session.begin():
            session.execute(delete(UserSession).where(UserSession.token_hash == _hash(token)))
