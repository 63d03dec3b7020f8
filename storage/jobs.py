"""Scheduled jobs: rows with a due time and a unique name, so a restart neither loses nor
repeats them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import JobStatus, ScheduledJob, WorkerRow
from .upsert import insert_unless_exists

MAX_JOB_ATTEMPTS = 5


async def schedule_job(
    session: AsyncSession,
    *,
    name: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    payload: dict[str, Any] | None = None,
) -> bool:
    """Queue a job unless one with this name exists; returns True when it was queued."""
    job_id = await insert_unless_exists(
        session,
        ScheduledJob.__table__,
        {
            "name": name,
            "kind": kind,
            "due_at": due_at,
            "payload": payload or {},
            "status": JobStatus.PENDING,
            "attempts": 0,
            "created_at": now,
        },
        ["name"],
    )
    return job_id is not None


async def reschedule_job(session: AsyncSession, name: str, due_at: datetime) -> bool:
    """Move a job that has not run yet (for example a window's close after an extension)."""
    result = await session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == name, ScheduledJob.status == JobStatus.PENDING)
        .values(due_at=due_at)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def claim_due_jobs(
    session: AsyncSession, now: datetime, limit: int, lease: timedelta, *, worker_id: str
) -> list[ScheduledJob]:
    """Claim due jobs (and jobs whose runner died) for this worker; missed ones come first."""
    runner_gone = or_(
        ScheduledJob.lease_until < now,
        and_(
            ScheduledJob.claimed_by.is_not(None),
            ~exists().where(WorkerRow.id == ScheduledJob.claimed_by),
        ),
    )
    due = or_(
        and_(ScheduledJob.status == JobStatus.PENDING, ScheduledJob.due_at <= now),
        and_(ScheduledJob.status == JobStatus.RUNNING, runner_gone),
    )
    query = select(ScheduledJob).where(due).order_by(ScheduledJob.due_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    jobs = list((await session.scalars(query)).all())
    for job in jobs:
        job.status = JobStatus.RUNNING
        job.lease_until = now + lease
        job.claimed_by = worker_id
        job.attempts += 1
    await session.flush()
    return jobs


async def finish_job(session: AsyncSession, job_id: int, now: datetime) -> None:
    await session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.id == job_id)
        .values(
            status=JobStatus.DONE, done_at=now, lease_until=None, claimed_by=None, last_error=None
        )
        .execution_options(synchronize_session=False)
    )


async def fail_job(session: AsyncSession, job_id: int, error: str, retry_at: datetime) -> JobStatus:
    """Record a failure: the job is tried again at ``retry_at`` until it has failed too often."""
    job = await session.get(ScheduledJob, job_id)
    if job is None:
        return JobStatus.FAILED
    job.last_error = error[:2000]
    job.lease_until = None
    job.claimed_by = None
    if job.attempts >= MAX_JOB_ATTEMPTS:
        job.status = JobStatus.FAILED
    else:
        job.status = JobStatus.PENDING
        job.due_at = retry_at
    return job.status


async def cancel_job(session: AsyncSession, name: str, now: datetime) -> bool:
    """Settle a job that has not run yet without running it (a cancelled meeting's window).
    It is marked done rather than deleted, so its name stays taken and it cannot be queued
    again by mistake."""
    result = await session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.name == name, ScheduledJob.status == JobStatus.PENDING)
        .values(status=JobStatus.DONE, done_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
