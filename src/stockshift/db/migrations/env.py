"""Alembic environment: migrates the engine handed in by :func:`stockshift.db.migrate.upgrade`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from stockshift.db.models import Base

target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
