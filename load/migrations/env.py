"""Alembic environment: migrations run on the connection hotich hands over."""

from alembic import context
from sqlalchemy import create_engine

from load.schema import Base, managed_by_models

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        # `alembic` run by hand: HOTICH_DB or the default database.
        from load.db import database_url

        with create_engine(database_url()).begin() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,
                include_name=managed_by_models,
            )
            context.run_migrations()
        return
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True, include_name=managed_by_models
    )
    context.run_migrations()


run()
