"""The durable scheduler: jobs are rows with a due time, claimed with a lease, each run once.

Jobs missed while nothing ran are simply due at start. A job that raises is retried with a
growing delay and, after several failures, marked failed for a person to look at.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.jobs import JobHandler
from storage.db import transaction
from storage.jobs import claim_due_jobs, fail_job, finish_job

from .clock import Clock
from .log_guards import hide_values

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        handlers: Mapping[str, JobHandler],
        *,
        worker_id: str = "scheduler",
        on_outbox: Callable[[], None] = lambda: None,
        batch: int = 20,
        lease: timedelta = timedelta(minutes=10),
        poll_seconds: float = 5.0,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._handlers = handlers
        self._worker_id = worker_id
        self._on_outbox = on_outbox
        self._batch = batch
        self._lease = lease
        self._poll_seconds = poll_seconds

    async def run_due(self) -> int:
        """Run every job that is due now; returns how many were run (or tried)."""
        async with transaction(self._sessions) as session:
            jobs = await claim_due_jobs(
                session, self._clock.now(), self._batch, self._lease, worker_id=self._worker_id
            )
            claimed = [
                (job.id, job.name, job.kind, dict(job.payload), job.attempts) for job in jobs
            ]
        for job_id, name, kind, payload, attempts in claimed:
            await self._run_one(job_id, name, kind, payload, attempts)
        if claimed:
            self._on_outbox()
        return len(claimed)

    async def _run_one(
        self, job_id: int, name: str, kind: str, payload: dict, attempts: int
    ) -> None:
        now = self._clock.now()
        try:
            handler = self._handlers.get(kind)
            if handler is None:
                raise LookupError(f"no handler for jobs of kind {kind!r}")
            async with transaction(self._sessions) as session:
                await handler(session, payload, now)
                await finish_job(session, job_id, now)
        except Exception as error:
            log.exception("job %s (%s) failed", name, kind)
            retry_at = now + timedelta(minutes=2 ** min(attempts, 8))
            async with transaction(self._sessions) as session:
                status = await fail_job(
                    session, job_id, hide_values(f"{type(error).__name__}: {error}"), retry_at
                )
            log.warning("job %s is now %s", name, status)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                ran = await self.run_due()
            except Exception:
                log.exception("the scheduler could not claim jobs; trying again shortly")
                ran = 0
            if ran >= self._batch:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._poll_seconds)
