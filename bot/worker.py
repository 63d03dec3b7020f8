"""The worker: the dispatcher, the scheduler, the sweep for unhandled inbound messages and
the hourly retention purge (when COPRODUCE_RETENTION_DAYS is set), run under a lease so
other workers can tell when this one died.

On PostgreSQL any number of workers share the work (claims skip what others hold). On
SQLite one worker sends at a time: a second one says so and waits, and takes over when the
first stops. A worker that finds another one gone logs how many messages that worker was
sending when it stopped: they are sent again, so those few may reach their person twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any

from storage.db import is_sqlite, transaction
from storage.retention import Purged, purge_old_bodies
from storage.workers import (
    dispatching_worker,
    forget_gone_workers,
    hold_lease,
    release_lease,
)

from .services import Services

log = logging.getLogger(__name__)

LEASE_TTL = timedelta(seconds=30)
RENEW_SECONDS = 5.0
LEFTOVER_SWEEP = timedelta(seconds=30)
RETENTION_EVERY = timedelta(hours=1)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class WorkerLease:
    """This worker's row in ``workers``, renewed while it runs."""

    def __init__(self, services: Services, *, ttl: timedelta = LEASE_TTL) -> None:
        self._services = services
        self.id = services.worker_id
        self.exclusive = is_sqlite(services.engine)
        self._ttl = ttl
        self._host = socket.gethostname()
        self.holder: str | None = None  # who dispatches instead of us, when we may not

    async def hold(self) -> bool:
        """Renew the lease (forgetting workers that are gone); True when this worker may send."""
        services = self._services
        now = services.clock.now()
        async with transaction(services.sessions) as session:
            gone = await forget_gone_workers(
                session, now, host=self._host, is_alive=process_alive, keep=self.id
            )
            row = await hold_lease(
                session,
                worker_id=self.id,
                host=self._host,
                pid=os.getpid(),
                now=now,
                ttl=self._ttl,
                exclusive=self.exclusive,
            )
            dispatching = row.dispatching
            if not dispatching:
                other = await dispatching_worker(session, self.id)
                self.holder = f"pid {other.pid} on {other.host}" if other else None
        for worker in gone:
            if worker.in_flight:
                log.warning(
                    "worker %s stopped while sending %d messages; they will be sent again, "
                    "so up to %d people may get that message twice",
                    worker.id,
                    worker.in_flight,
                    worker.in_flight,
                )
            else:
                log.info("worker %s is gone; its lease was removed", worker.id)
        return dispatching

    async def release(self) -> None:
        async with transaction(self._services.sessions) as session:
            await release_lease(session, self.id)


async def run_worker(services: Services, stop: asyncio.Event) -> None:
    """Send and run jobs until ``stop``; then finish what is in flight and give up the lease."""
    lease = WorkerLease(services)
    try:
        while not stop.is_set():
            if await _wait_for_turn(lease, stop):
                await _work(services, lease, stop)
    finally:
        with contextlib.suppress(Exception):
            await lease.release()


async def _wait_for_turn(lease: WorkerLease, stop: asyncio.Event) -> bool:
    said = False
    while not stop.is_set():
        try:
            if await lease.hold():
                return True
        except Exception:
            log.exception("could not renew the worker lease; trying again")
        else:
            if not said:
                log.warning(
                    "another worker (%s) is already sending from this SQLite database, so this "
                    "one will not send; it takes over if that one stops. To run several "
                    "workers at once, use PostgreSQL.",
                    lease.holder or "unknown",
                )
                said = True
        await _pause(stop, RENEW_SECONDS)
    return False


async def _work(services: Services, lease: WorkerLease, stop: asyncio.Event) -> None:
    """Run the parts of the worker while the lease holds."""
    log.info("worker %s: sending messages and running scheduled jobs", lease.id)
    working = asyncio.Event()
    parts: list[Coroutine[Any, Any, None]] = [
        services.dispatcher.run(working),
        services.scheduler.run(working),
        _sweep_leftovers(services, working),
        _purge_hourly(services, working),
    ]
    tasks = [asyncio.create_task(part) for part in parts]
    try:
        while not stop.is_set():
            await _pause(stop, RENEW_SECONDS)
            if stop.is_set():
                break
            try:
                if not await lease.hold():
                    log.error("this worker lost its lease to %s; it stops sending", lease.holder)
                    break
            except Exception:
                log.exception("could not renew the worker lease; trying again")
    finally:
        working.set()
        for result in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(result, Exception):
                log.error("a worker part stopped with an error: %r", result)


async def _sweep_leftovers(services: Services, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await services.inbound.process_leftovers(LEFTOVER_SWEEP)
        except Exception:
            log.exception("could not look for unprocessed messages")
        await _pause(stop, LEFTOVER_SWEEP.total_seconds())


async def purge_expired(services: Services) -> Purged | None:
    """Clear the words of messages older than COPRODUCE_RETENTION_DAYS (None when unset)."""
    days = services.settings.retention_days
    if days is None:
        return None
    async with transaction(services.sessions) as session:
        purged = await purge_old_bodies(session, services.clock.now(), days)
    if purged.total:
        log.info(
            "retention: cleared %d received and %d sent message bodies older than %d days",
            purged.inbound,
            purged.outbound,
            days,
        )
    return purged


async def _purge_hourly(services: Services, stop: asyncio.Event) -> None:
    while not stop.is_set() and services.settings.retention_days is not None:
        try:
            await purge_expired(services)
        except Exception:
            log.exception("could not clear old message bodies")
        await _pause(stop, RETENTION_EVERY.total_seconds())


async def _pause(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
