"""Open the database named by ``--db`` / ``HOTICH_DB`` and bring its schema up to date."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError

from records import HotichError

DEFAULT_URL = "sqlite:///hotich.db"
MIGRATIONS = Path(__file__).with_name("migrations")


def database_url(url: str | None = None) -> str:
    """``--db``, else ``HOTICH_DB``, else ``hotich.db`` in the working folder.

    ``postgresql://…`` uses psycopg 3 (the driver hotich installs).
    """
    url = url or os.environ.get("HOTICH_DB") or DEFAULT_URL
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy's recipe for pysqlite: the driver issues no BEGIN of its own, the "begin" event
    # below does (so a transaction starts where SQLAlchemy says, reads included).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    # Read big databases through the OS page cache (counter search, linkage): mapped, not copied.
    cursor.execute("PRAGMA mmap_size=4294967296")
    cursor.execute("PRAGMA cache_size=-131072")
    cursor.close()


WRITE = "hotich_write"  # execution option: this transaction will write (see writing())


def _sqlite_begin(connection: Any) -> None:
    """A transaction that reads then writes takes the write lock first on SQLite: in WAL mode a
    read transaction cannot become a writer once another writer has committed (SQLITE_BUSY at
    once, no waiting), which two reviewers saving at the same moment would hit."""
    immediate = connection.get_execution_options().get(WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writing(engine: Engine) -> Engine:
    """The engine for a read-then-write transaction (the review write path): on SQLite it
    begins with the write lock held, waiting for it up to busy_timeout; elsewhere unchanged."""
    return engine.execution_options(**{WRITE: True})


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for an in-memory database or another backend)."""
    if not url.startswith("sqlite:"):
        return None
    path = url.split(":///", 1)[1] if ":///" in url else ""
    return Path(path.split("?", 1)[0]) if path and path != ":memory:" else None


def _refuse_missing(engine: Engine, url: str) -> None:
    """A command that only reads never creates a database: in the wrong folder it would make an
    empty ``hotich.db`` and answer "no record found" for a person who is registered."""
    file = _sqlite_file(url)
    if file is not None:
        if not file.is_file():
            raise HotichError(
                "db_missing",
                f"there is no database at {file.resolve()}",
                fix="run the command where hotich.db is, or give --db / HOTICH_DB; "
                "only demo, digitize and import-existing create a database",
            )
        return
    if engine.dialect.name == "sqlite":
        return
    try:
        with engine.connect() as connection:
            held = inspect(connection).has_table("alembic_version")
    except OperationalError as error:
        raise HotichError(
            "db_unreachable", f"cannot open the database {url!r} ({error.orig})", fix="check --db or HOTICH_DB"
        ) from error
    if not held:
        raise HotichError(
            "db_missing",
            f"the database {engine.url.render_as_string(hide_password=True)} holds no hotich records",
            fix="check --db or HOTICH_DB; only demo, digitize and import-existing create a database",
        )


def open_database(url: str | None = None, *, migrate: bool = True, create: bool = True) -> Engine:
    """An engine on the database, its schema migrated to the newest revision.

    ``create=False`` (every command but demo, digitize and import-existing) refuses a database that
    does not exist yet (``db_missing``) instead of making an empty one."""
    url = database_url(url)
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError) as error:
        raise HotichError(
            "db_url_invalid",
            f"cannot use database URL {url!r} ({error})",
            fix="give --db sqlite:///FILE or postgresql://…",
        ) from error
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    if not create:
        _refuse_missing(engine, url)
    if migrate:
        try:
            # One migration at a time: two first runs at once (two imports, a worker and the web app)
            # each tried to create the tables. SQLite: the write lock is taken first (BEGIN IMMEDIATE,
            # the other waits); PostgreSQL: an advisory lock for the transaction.
            with writing(engine).begin() as connection:
                if engine.dialect.name == "postgresql":
                    connection.exec_driver_sql("SELECT pg_advisory_xact_lock(72346917)")
                config = alembic_config()
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except OperationalError as error:
            raise HotichError(
                "db_unreachable", f"cannot open the database {url!r} ({error.orig})", fix="check --db or HOTICH_DB"
            ) from error
        except DatabaseError as error:  # "file is not a database": another file at that path
            raise HotichError(
                "db_not_a_database",
                f"{url!r} is not a database hotich can read ({error.orig})",
                fix="check --db or HOTICH_DB: the path names another kind of file",
            ) from error
    return engine
