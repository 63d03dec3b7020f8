"""Storage on SQLite and PostgreSQL: the migrations, the append-only audit log, inbound
deduplication (also under concurrency) and scheduled-job uniqueness."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DBAPIError

import storage.models  # noqa: F401 - every table on Base.metadata
from channels.base import ChannelName, InboundMessage
from storage.audit import record_audit
from storage.base import Base
from storage.db import create_engine, session_factory, transaction
from storage.inbound import claim_inbound, store_inbound
from storage.jobs import schedule_job
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import AuditEntry, InboundMessageRow, ScheduledJob
from tests.helpers import START


@pytest.fixture
async def sessions(database_url: str):
    engine = create_engine(database_url)
    await upgrade(engine)
    yield session_factory(engine)
    await engine.dispose()


def _message(provider_id: str = "SM1", text: str = "Hello") -> InboundMessage:
    return InboundMessage(
        channel=ChannelName.SMS,
        sender="+447700900123",
        text=text,
        provider_id=provider_id,
        received_at=START,
    )


async def test_migrations_create_exactly_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    async with engine.connect() as conn:
        differences = await conn.run_sync(
            lambda sync: compare_metadata(
                MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
            )
        )
    assert await current_revision(engine) == head_revision()
    await engine.dispose()
    assert differences == []


async def test_upgrading_twice_changes_nothing(database_url: str) -> None:
    engine = create_engine(database_url)
    await upgrade(engine)
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()
    await engine.dispose()


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url)
    async with engine.connect() as conn:
        journal = (await conn.execute(text("PRAGMA journal_mode"))).scalar()
        foreign_keys = (await conn.execute(text("PRAGMA foreign_keys"))).scalar()
        synchronous = (await conn.execute(text("PRAGMA synchronous"))).scalar()
    await engine.dispose()
    assert (journal, foreign_keys, synchronous) == ("wal", 1, 2)


async def test_the_audit_log_refuses_changes_and_deletions(sessions) -> None:
    async with transaction(sessions) as session:
        await record_audit(session, actor="cli", action="project.create", at=START)
    with pytest.raises(DBAPIError, match="append-only"):
        async with transaction(sessions) as session:
            await session.execute(update(AuditEntry).values(actor="someone else"))
    with pytest.raises(DBAPIError, match="append-only"):
        async with transaction(sessions) as session:
            await session.execute(AuditEntry.__table__.delete())
    async with sessions() as session:
        assert await session.scalar(select(AuditEntry.actor)) == "cli"


async def test_the_same_provider_id_is_stored_once(sessions) -> None:
    async with transaction(sessions) as session:
        first = await store_inbound(session, _message("SM1"), START)
    async with transaction(sessions) as session:
        second = await store_inbound(session, _message("SM1", "a retry"), START)
    async with sessions() as session:
        rows = (await session.scalars(select(InboundMessageRow))).all()
    assert first is not None and second is None
    assert [(row.provider_id, row.text) for row in rows] == [("SM1", "Hello")]


async def test_concurrent_deliveries_of_one_provider_id_store_one_row(sessions) -> None:
    async def deliver() -> int | None:
        async with transaction(sessions) as session:
            return await store_inbound(session, _message("SM-concurrent"), START)

    results = await asyncio.gather(*(deliver() for _ in range(8)))
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(InboundMessageRow))
    assert count == 1
    assert len([r for r in results if r is not None]) == 1


async def test_a_stored_message_is_claimed_by_one_processor_only(sessions) -> None:
    async with transaction(sessions) as session:
        inbound_id = await store_inbound(session, _message("SM2"), START)

    async def claim() -> bool:
        async with transaction(sessions) as session:
            return await claim_inbound(session, inbound_id, START)

    assert sorted(await asyncio.gather(*(claim() for _ in range(5)))) == [False] * 4 + [True]


async def test_a_job_name_can_be_scheduled_only_once(sessions) -> None:
    async with transaction(sessions) as session:
        first = await schedule_job(session, name="close:1", kind="close", due_at=START, now=START)
        second = await schedule_job(session, name="close:1", kind="close", due_at=START, now=START)
    async with sessions() as session:
        count = await session.scalar(select(func.count()).select_from(ScheduledJob))
    assert (first, second, count) == (True, False, 1)
