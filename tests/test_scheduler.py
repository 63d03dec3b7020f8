"""The durable scheduler: each job runs once, missed jobs run at start, failures retry."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.scheduler import Scheduler
from storage.audit import record_audit
from storage.db import create_engine, session_factory, transaction
from storage.jobs import MAX_JOB_ATTEMPTS, claim_due_jobs, schedule_job
from storage.migrate import upgrade
from storage.models import AuditEntry, JobStatus, ScheduledJob
from storage.workers import hold_lease


@pytest.fixture
async def sessions(database_url: str):
    engine = create_engine(database_url)
    await upgrade(engine)
    yield session_factory(engine)
    await engine.dispose()


async def _note(session: AsyncSession, payload: Mapping[str, Any], now: datetime) -> None:
    await record_audit(session, actor="scheduler", action=str(payload["what"]), at=now)


async def _broken(session: AsyncSession, payload: Mapping[str, Any], now: datetime) -> None:
    raise RuntimeError("the handler broke")


async def _queue(sessions, clock, name: str, kind: str, due_in: timedelta) -> None:
    async with transaction(sessions) as session:
        await schedule_job(
            session,
            name=name,
            kind=kind,
            due_at=clock.now() + due_in,
            now=clock.now(),
            payload={"what": name},
        )


async def _actions(sessions) -> list[str]:
    async with sessions() as session:
        return list(
            (await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))).all()
        )


async def test_a_job_runs_when_due_and_only_once(sessions, clock) -> None:
    scheduler = Scheduler(sessions, clock, {"note": _note})
    await _queue(sessions, clock, "remind:1", "note", timedelta(hours=1))
    assert await scheduler.run_due() == 0
    clock.advance(hours=1)
    assert await scheduler.run_due() == 1
    assert await scheduler.run_due() == 0
    assert await _actions(sessions) == ["remind:1"]


async def test_jobs_missed_while_nothing_ran_run_at_start_oldest_first(sessions, clock) -> None:
    await _queue(sessions, clock, "first", "note", timedelta(hours=1))
    await _queue(sessions, clock, "second", "note", timedelta(hours=2))
    clock.advance(days=3)  # the service was down
    scheduler = Scheduler(sessions, clock, {"note": _note})
    assert await scheduler.run_due() == 2
    assert await _actions(sessions) == ["first", "second"]


async def test_a_failing_job_is_retried_and_then_marked_failed(sessions, clock) -> None:
    scheduler = Scheduler(sessions, clock, {"broken": _broken})
    await _queue(sessions, clock, "doomed", "broken", timedelta(0))
    for _ in range(MAX_JOB_ATTEMPTS):
        assert await scheduler.run_due() == 1
        clock.advance(days=1)
    async with sessions() as session:
        job = await session.scalar(select(ScheduledJob))
    assert (job.status, job.attempts) == (JobStatus.FAILED, MAX_JOB_ATTEMPTS)
    assert "the handler broke" in job.last_error
    assert await scheduler.run_due() == 0


async def test_a_job_of_an_unknown_kind_is_kept_for_a_release_that_knows_it(
    sessions, clock
) -> None:
    await _queue(sessions, clock, "future", "not-yet-invented", timedelta(0))
    await Scheduler(sessions, clock, {}).run_due()
    async with sessions() as session:
        job = await session.scalar(select(ScheduledJob))
    assert job.status == JobStatus.PENDING
    assert "no handler" in job.last_error
    clock.advance(days=1)
    assert await Scheduler(sessions, clock, {"not-yet-invented": _note}).run_due() == 1
    assert await _actions(sessions) == ["future"]


async def _hold_lease(sessions, clock, worker_id: str) -> None:
    async with transaction(sessions) as session:
        await hold_lease(
            session,
            worker_id=worker_id,
            host="elsewhere",
            pid=1,
            now=clock.now(),
            ttl=timedelta(hours=1),
            exclusive=False,
        )


async def _slow_note(session: AsyncSession, payload: Mapping[str, Any], now: datetime) -> None:
    await asyncio.sleep(0.2)  # long enough for the other worker to try the same job
    await _note(session, payload, now)


async def test_two_workers_reaching_the_same_due_jobs_run_each_once(
    database_url, sessions, clock
) -> None:
    for n in range(6):
        await _queue(sessions, clock, f"job:{n}", "note", timedelta(minutes=-n))
    for worker in ("w0", "w1"):
        await _hold_lease(sessions, clock, worker)
    # Each worker with its own engine and connections, as separate processes would have.
    engines = [create_engine(database_url) for _ in range(2)]
    try:
        schedulers = [
            Scheduler(session_factory(engine), clock, {"note": _slow_note}, worker_id=f"w{n}")
            for n, engine in enumerate(engines)
        ]
        ran = await asyncio.gather(*(s.run_due() for s in schedulers))
        ran_again = await asyncio.gather(*(s.run_due() for s in schedulers))
    finally:
        for engine in engines:
            await engine.dispose()
    assert sum(ran) == 6
    assert ran_again == [0, 0]
    assert sorted(await _actions(sessions)) == [f"job:{n}" for n in range(6)]


async def test_a_job_whose_worker_is_gone_runs_again_at_once_but_not_one_a_live_worker_holds(
    sessions, clock
) -> None:
    await _queue(sessions, clock, "held", "note", timedelta(0))
    await _queue(sessions, clock, "orphaned", "note", timedelta(0))
    await _hold_lease(sessions, clock, "alive")
    async with transaction(sessions) as session:
        held = await claim_due_jobs(session, clock.now(), 1, timedelta(hours=1), worker_id="alive")
        orphaned = await claim_due_jobs(
            session, clock.now(), 1, timedelta(hours=1), worker_id="gone"
        )
    assert [job.name for job in held + orphaned] == ["held", "orphaned"]
    assert await Scheduler(sessions, clock, {"note": _note}).run_due() == 1
    assert await _actions(sessions) == ["orphaned"]
