"""Engines and sessions: SQLite (WAL, foreign keys, busy timeout) by default, PostgreSQL by URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./coproduce.db"
SQLITE_BUSY_TIMEOUT_MS = 10_000


def normalise_database_url(url: str) -> str:
    """Accept the URLs people paste (``postgresql://``, ``sqlite:///``) and add the async driver."""
    parsed = make_url(url)
    driver = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg"}.get(
        parsed.drivername
    )
    if parsed.drivername == "sqlite":
        driver = "sqlite+aiosqlite"
    if driver:
        parsed = parsed.set(drivername=driver)
    return parsed.render_as_string(hide_password=False)


def is_sqlite(engine_or_url: AsyncEngine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(
    url: str = DEFAULT_DATABASE_URL, *, reader: bool = False, **kwargs: Any
) -> AsyncEngine:
    """An engine for ``url``. A ``reader`` only reads: on SQLite it never takes the write lock,
    so it neither waits for a busy service nor holds it up."""
    url = normalise_database_url(url)
    # Errors name the statement but never its values: those are people's words and addresses,
    # and errors end up in logs and in inbound_messages.last_error.
    kwargs.setdefault("hide_parameters", True)
    if not is_sqlite(url):
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(url, **kwargs)

    if not reader:
        # One connection, lent to one transaction at a time. SQLite lets one writer in at a
        # time anyway; with several connections a process competes with itself for the lock,
        # and SQLite's busy handler waits in sleeps of up to 100 ms each time it loses, where
        # the pool hands the connection on the moment it is returned.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
    engine = create_async_engine(
        url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin (see "begin").
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # FULL: a commit we acknowledged survives a power cut, not only a crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    if reader:
        return engine

    @event.listens_for(engine.sync_engine, "begin")
    def _begin_immediate(conn: Any) -> None:
        # Take the write lock at the start: two deferred transactions that both later write
        # would otherwise deadlock, and SQLite answers that with "database is locked" at once
        # instead of waiting out the busy timeout.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One unit of work: everything in the block commits together or not at all."""
    async with sessions() as session, session.begin():
        yield session
