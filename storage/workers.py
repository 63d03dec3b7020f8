"""Worker leases: each running worker keeps a row alive; a row that stops being renewed (or
whose process is gone) is removed, and the outbox rows and jobs its worker held are free
to be claimed again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import OutboxRow, OutboxStatus, WorkerRow


@dataclass(frozen=True)
class GoneWorker:
    """A worker whose lease was removed, and how many messages it was sending when it stopped
    (they are sent again, so each may reach its person twice)."""

    id: str
    in_flight: int


async def hold_lease(
    session: AsyncSession,
    *,
    worker_id: str,
    host: str,
    pid: int,
    now: datetime,
    ttl: timedelta,
    exclusive: bool,
) -> WorkerRow:
    """Start or renew this worker's lease and say whether it may dispatch.

    With ``exclusive`` (SQLite) only one live worker dispatches; the others keep a lease
    that says they are waiting, and one of them takes over when the dispatching one is gone.
    Call :func:`forget_gone_workers` first in the same transaction.
    """
    row = await session.get(WorkerRow, worker_id)
    if row is None:
        row = WorkerRow(id=worker_id, host=host, pid=pid, started_at=now, dispatching=False)
        session.add(row)
    row.expires_at = now + ttl
    if not row.dispatching:
        row.dispatching = not exclusive or await dispatching_worker(session, worker_id) is None
    await session.flush()
    return row


async def dispatching_worker(session: AsyncSession, other_than: str) -> WorkerRow | None:
    return await session.scalar(
        select(WorkerRow).where(WorkerRow.dispatching.is_(True), WorkerRow.id != other_than)
    )


async def forget_gone_workers(
    session: AsyncSession,
    now: datetime,
    *,
    host: str,
    is_alive: Callable[[int], bool],
    keep: str,
) -> Sequence[GoneWorker]:
    """Remove the leases of workers that are gone: expired ones, and ones on this host whose
    process no longer exists (so a restart after a crash need not wait for the expiry)."""
    rows = (await session.scalars(select(WorkerRow).where(WorkerRow.id != keep))).all()
    gone = [
        row for row in rows if row.expires_at < now or (row.host == host and not is_alive(row.pid))
    ]
    if not gone:
        return []
    ids = [row.id for row in gone]
    counts = dict(
        (
            await session.execute(
                select(OutboxRow.claimed_by, func.count())
                .where(OutboxRow.claimed_by.in_(ids), OutboxRow.status == OutboxStatus.SENDING)
                .group_by(OutboxRow.claimed_by)
            )
        ).all()
    )
    await session.execute(
        delete(WorkerRow).where(WorkerRow.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return [GoneWorker(worker_id, counts.get(worker_id, 0)) for worker_id in ids]


async def release_lease(session: AsyncSession, worker_id: str) -> None:
    await session.execute(
        delete(WorkerRow)
        .where(WorkerRow.id == worker_id)
        .execution_options(synchronize_session=False)
    )
