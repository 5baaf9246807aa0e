"""The Alembic migrations build exactly the schema the models declare."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from load.db import open_database
from load.schema import Base, managed_by_models


def test_migrations_match_the_models(db_url: str) -> None:
    engine = open_database(db_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": managed_by_models})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
