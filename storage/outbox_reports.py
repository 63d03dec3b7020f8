"""What became of the outbox, for the people running a project: counts per channel and
status, and the messages that failed (or may not have arrived) with the reason."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import ContactPoint, Contributor, OutboxRow, OutboxStatus

# Statuses that mean a message did not, or may not, reach its person.
NOT_DELIVERED = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED, OutboxStatus.UNKNOWN)


@dataclass(frozen=True)
class FailedMessage:
    id: int
    status: OutboxStatus
    channel: ChannelName
    contributor_id: int | None
    contributor_name: str | None
    address: str
    kind: str
    created_at: datetime
    attempts: int
    reason: str | None


async def outbox_counts(
    session: AsyncSession, project_id: int | None = None
) -> dict[ChannelName, dict[OutboxStatus, int]]:
    """How many messages are in each status, per channel (for one project, or all)."""
    query = select(OutboxRow.channel, OutboxRow.status, func.count()).group_by(
        OutboxRow.channel, OutboxRow.status
    )
    if project_id is not None:
        query = query.where(OutboxRow.project_id == project_id)
    counts: dict[ChannelName, dict[OutboxStatus, int]] = {}
    for channel, status, count in (await session.execute(query)).all():
        counts.setdefault(channel, {})[status] = count
    return counts


async def failed_messages(
    session: AsyncSession, project_id: int | None = None, limit: int = 100
) -> Sequence[FailedMessage]:
    """Failed, undelivered and unknown messages, newest first, with who and why."""
    query = (
        select(OutboxRow, ContactPoint.address, Contributor.name)
        .join(ContactPoint, ContactPoint.id == OutboxRow.contact_point_id)
        .outerjoin(Contributor, Contributor.id == OutboxRow.contributor_id)
        .where(OutboxRow.status.in_(NOT_DELIVERED))
        .order_by(OutboxRow.id.desc())
        .limit(limit)
    )
    if project_id is not None:
        query = query.where(OutboxRow.project_id == project_id)
    return [
        FailedMessage(
            id=row.id,
            status=row.status,
            channel=row.channel,
            contributor_id=row.contributor_id,
            contributor_name=name,
            address=address,
            kind=row.kind,
            created_at=row.created_at,
            attempts=row.attempts,
            reason=row.last_error,
        )
        for row, address, name in (await session.execute(query)).all()
    ]
