"""Shared fixtures: isolation from the developer's environment, a guard against real provider
hosts, databases (SQLite always, PostgreSQL where COPRODUCE_TEST_POSTGRES_URL is set), a
clock the test moves, and the memory-channel ``bot``."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import pytest
from hypothesis import settings
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from storage.db import normalise_database_url
from tests.helpers import START, ManualClock

# Property tests draw new examples on every run; CI (HYPOTHESIS_PROFILE=ci) draws the same
# ones each time, so that what it finds can be run again and a landing does not hang on luck.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

POSTGRES_URL = os.environ.get("COPRODUCE_TEST_POSTGRES_URL")
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "", None}
# Settings of the test run itself, not of the service: they stay.
_TEST_RUN_SETTINGS = {"COPRODUCE_TEST_POSTGRES_URL", "COPRODUCE_REQUIRE_AXE"}


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    """No COPRODUCE_* setting and no .env file of the developer's can leak into a test."""
    for key in list(os.environ):
        if key.startswith("COPRODUCE_") and key not in _TEST_RUN_SETTINGS:
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def no_real_provider_hosts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any test that looks up a host other than this machine (api.telegram.org...)."""
    reached: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOCAL_HOSTS and not str(name).startswith("127."):
            reached.append(str(name))
            raise OSError(f"tests may not reach {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    yield
    assert not reached, f"the test tried to reach real hosts: {reached}"


def _databases() -> list[str]:
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


@pytest.fixture(params=_databases())
async def database_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:
    """A new, empty database per test: a SQLite file, and (where configured) a PostgreSQL
    database made for the test and dropped after it."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'coproduce-test.db'}"
        return
    async with _postgres_database() as url:
        yield url


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """A new PostgreSQL database, for what only PostgreSQL can do (several workers at once)."""
    if not POSTGRES_URL:
        pytest.skip("COPRODUCE_TEST_POSTGRES_URL is not set")
    async with _postgres_database() as url:
        yield url


@asynccontextmanager
async def _postgres_database() -> AsyncIterator[str]:
    admin_url = make_url(normalise_database_url(POSTGRES_URL or ""))
    name = f"coproduce_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'coproduce-test.db'}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


pytest_plugins = ["tests.bot_fixture"]
