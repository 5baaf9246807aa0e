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
from sqlalchemy import Engine, delete, func, select, update
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


def _user(session: Session, name: str) -> User:
    user = session.scalars(select(User).where(User.name == name.strip())).first()
    if user is None:
        raise HotichError("user_missing", f"there is no user named {name!r}", fix="hotich users list shows them")
    return user


def _keeps_an_admin(session: Session, user: User) -> None:
    """The last active admin may not be disabled or demoted: nobody could manage users after."""
    admins = session.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True)))
    if user.role == "admin" and user.active and (admins or 0) <= 1:
        raise HotichError("user_last_admin", f"{user.name} is the last active admin", fix="make another admin first")


def set_active(engine: Engine, name: str, active: bool) -> None:
    """Disable a user (their sessions end at once) or enable them again."""
    with Session(writing(engine)) as session, session.begin():
        user = _user(session, name)
        if not active:
            _keeps_an_admin(session, user)
            session.execute(delete(UserSession).where(UserSession.user_id == user.id))
        user.active = active


def set_role(engine: Engine, name: str, role: str) -> None:
    if role not in ROLES:
        raise HotichError("user_bad_role", f"role {role!r} is not one of {', '.join(ROLES)}", fix="choose a role")
    with Session(writing(engine)) as session, session.begin():
        user = _user(session, name)
        if role != "admin":
            _keeps_an_admin(session, user)
        user.role = role
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))  # signs in again with it


def reset_password(engine: Engine, name: str, password: str) -> None:
    """A new password; every session of the user ends."""
    if len(password) < MIN_PASSWORD:
        raise HotichError(
            "user_weak_password", f"the password has fewer than {MIN_PASSWORD} characters", fix="choose a longer one"
        )
    with Session(writing(engine)) as session, session.begin():
        user = _user(session, name)
        user.password_hash = _hasher.hash(password)
        session.execute(delete(UserSession).where(UserSession.user_id == user.id))


def list_users(engine: Engine) -> list[User]:
    with Session(engine, expire_on_commit=False) as session:
        return list(session.scalars(select(User).order_by(User.name)))


def login_key(name: str) -> str:
    """The name a login attempt counts against: spaces, tabs and case do not make another name."""
    return " ".join(name.split()).casefold()[:64]


# Verified against when the name is unknown, so an unknown name costs what a known one does
# (168 ms against 36 ms told an attacker which names exist).
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class RateLimited(Exception):
    """Too many failed logins: this attempt was not even checked."""


def log_in(engine: Engine, name: str, password: str, client: str) -> tuple[str, Viewer] | None:
    """A new session token and the viewer, or None (wrong name or password; recorded).

    The attempt is written down as a failure *before* the password is checked, and the limit
    counted with it: of many attempts at once, only the first MAX_FAILURES are ever checked
    (30 concurrent bad logins got 19 checks when the count came first). ``RateLimited`` past that."""
    key, client = login_key(name), client[:64]
    with Session(writing(engine)) as session, session.begin():
        attempt = LoginAttempt(name=key, client=client, ok=False, settled=False, at=_now())
        session.add(attempt)
        session.flush()
        attempt_id = attempt.id
    if _failures(engine, key, client) > MAX_FAILURES:
        raise RateLimited
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.name == " ".join(name.split()), User.active.is_(True))).first()
        stored_hash, user_id = (user.password_hash, user.id) if user else (_DUMMY_HASH, None)
        viewer = Viewer(user.name, user.role, "") if user else None
    try:
        ok = _hasher.verify(stored_hash, password) and user_id is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or viewer is None:
        with Session(writing(engine)) as session, session.begin():
            session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(settled=True))
        return None
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with Session(writing(engine)) as session, session.begin():
        session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(ok=True, settled=True))
        if _hasher.check_needs_rehash(stored_hash):
            session.execute(update(User).where(User.id == user_id).values(password_hash=_hasher.hash(password)))
        session.add(
            UserSession(token_hash=_hash(token), user_id=user_id, csrf_token=csrf, expires_at=_now() + SESSION_LIFETIME)
        )
    return token, Viewer(viewer.name, viewer.role, csrf)


def _failures(engine: Engine, key: str, client: str) -> int:
    """Failures in the window for this name, attempts still being checked included (this one too:
    each attempt counts every one committed before it, so guesses at once only add up), or from
    this client, settled ones only (an office's people signing in together are no attack)."""
    since = _now() - FAILURE_WINDOW
    with Session(engine) as session:
        failures = select(func.count()).select_from(LoginAttempt)
        failures = failures.where(LoginAttempt.ok.is_(False), LoginAttempt.at >= since)
        by_client = session.scalar(failures.where(LoginAttempt.client == client, LoginAttempt.settled.is_(True))) or 0
        by_client += 1  # this attempt
        by_name = session.scalar(failures.where(LoginAttempt.name == key)) or 0
    return max(by_client, by_name)


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
