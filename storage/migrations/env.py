"""Alembic environment: runs on a connection handed in by storage.migrate, or makes its own
async engine from COPRODUCE_DATABASE_URL when the ``alembic`` command is used directly."""

from __future__ import annotations

import asyncio
import os

from alembic import context
from sqlalchemy.engine import Connection

import storage.models  # noqa: F401 - registers every table on Base.metadata
from storage.base import Base
from storage.db import DEFAULT_DATABASE_URL, create_engine

target_metadata = Base.metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_own_engine() -> None:
    engine = create_engine(os.environ.get("COPRODUCE_DATABASE_URL", DEFAULT_DATABASE_URL))
    async with engine.begin() as conn:
        await conn.run_sync(_configure_and_run)
    await engine.dispose()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
    else:
        asyncio.run(_run_with_own_engine())


if context.is_offline_mode():
    raise SystemExit("coproduce migrations run online only: use `coproduce db upgrade`")
run_migrations_online()
