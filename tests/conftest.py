"""Shared fixtures: one Prefect harness per session, generated books, a real database."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Prefect reads its settings at import: a private, writable home and quiet logs for the run.
_PREFECT_HOME = tempfile.mkdtemp(prefix="hotich-test-prefect-")
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)  # each process that imports this removes its own
os.environ["PREFECT_HOME"] = _PREFECT_HOME
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")

from records import Kind  # noqa: E402
from samplebooks import generate_book  # noqa: E402

PREFIX = {Kind.birth: "KS", Kind.death: "KT", Kind.marriage: "KH"}
DATA = Path(__file__).parent / "data"
TESSERACT = shutil.which("tesseract")
needs_tesseract = pytest.mark.skipif(
    TESSERACT is None, reason="tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-vie)"
)


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect server for every flow test (it costs 10–20 s to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One two-page book of each kind, generated once for the session (seed 11)."""
    root = tmp_path_factory.mktemp("samples")
    for kind in Kind:
        generate_book(root, kind=kind, seed=11, pages=2)
    return root


@pytest.fixture
def book_copy(sample_root: Path, tmp_path: Path):
    """A fresh copy of a sample book of the given kind, safe to modify."""

    def copy(kind: Kind) -> Path:
        source = next((sample_root / "books").glob(f"{PREFIX[kind]}-*"))
        target = tmp_path / "books" / source.name
        shutil.copytree(source, target)
        (tmp_path / "truth").mkdir(exist_ok=True)
        shutil.copy(sample_root / "truth" / f"{source.name}.jsonl", tmp_path / "truth")
        return target

    return copy


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str | None]:
    """One throwaway PostgreSQL server for the run (None when its binaries are missing)."""
    from pg_server import throwaway_postgres

    with throwaway_postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each backend: every test that uses one runs on both."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    server = request.getfixturevalue("postgres_server")
    if server is None:
        pytest.skip("PostgreSQL server binaries are not installed (.ci/run installs the postgresql package)")
    import uuid

    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield server.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
