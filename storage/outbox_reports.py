"""What became of the outbox, for the people running a project: counts per channel and
status, the messages that failed (or may not have arrived) with the reason, and the
messages themselves, found by project, person and status."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import ContactPoint, Contributor, OutboxRow, OutboxStatus, Project

# Statuses that mean a message did not, or may not, reach its person.
NOT_DELIVERED = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED, OutboxStatus.UNKNOWN)
# Statuses that mean it surely did not.
FAILED = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED)


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
    # The project's, for showing its times; None for a message outside any project.
    time_zone: str | None = None


@dataclass(frozen=True)
class ListedMessage:
    """One outbox row as ``coproduce outbox list`` shows it."""

    row: OutboxRow
    address: str
    time_zone: str | None


@dataclass(frozen=True)
class Recipient:
    """Whom to list messages for: a contributor's id and/or the addresses typed, in each form
    they may be stored in (``--to 3`` matches contributor 3 and Telegram chat 3)."""

    contributor_id: int | None
    addresses: tuple[str, ...]


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


async def failure_reasons(
    session: AsyncSession, project_id: int | None = None
) -> list[tuple[str | None, int]]:
    """Why messages failed or were not delivered, with how many for each reason, commonest
    first."""
    count = func.count().label("n")
    query = (
        select(OutboxRow.last_error, count)
        .where(OutboxRow.status.in_(FAILED))
        .group_by(OutboxRow.last_error)
        .order_by(count.desc(), OutboxRow.last_error)
    )
    if project_id is not None:
        query = query.where(OutboxRow.project_id == project_id)
    return [(reason, n) for reason, n in (await session.execute(query)).all()]


async def queued_on(
    session: AsyncSession, channels: Collection[ChannelName]
) -> dict[ChannelName, int]:
    """How many messages wait in the queue on each of these channels (those with none are
    left out)."""
    if not channels:
        return {}
    query = (
        select(OutboxRow.channel, func.count())
        .where(OutboxRow.status == OutboxStatus.QUEUED, OutboxRow.channel.in_(list(channels)))
        .group_by(OutboxRow.channel)
    )
    return {channel: n for channel, n in (await session.execute(query)).all()}


async def failed_messages(
    session: AsyncSession, project_id: int | None = None, limit: int = 100
) -> Sequence[FailedMessage]:
    """Failed, undelivered and unknown messages, newest first, with who and why."""
    query = (
        select(OutboxRow, ContactPoint.address, Contributor.name, Project.time_zone)
        .join(ContactPoint, ContactPoint.id == OutboxRow.contact_point_id)
        .outerjoin(Contributor, Contributor.id == OutboxRow.contributor_id)
        .outerjoin(Project, Project.id == OutboxRow.project_id)
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
            time_zone=time_zone,
        )
        for row, address, name, time_zone in (await session.execute(query)).all()
    ]


async def listed_messages(
    session: AsyncSession,
    *,
    limit: int,
    project_id: int | None = None,
    recipient: Recipient | None = None,
    status: OutboxStatus | None = None,
) -> list[ListedMessage]:
    """The newest messages that match, newest last."""
    query = (
        select(OutboxRow, ContactPoint.address, Project.time_zone)
        .join(ContactPoint, ContactPoint.id == OutboxRow.contact_point_id)
        .outerjoin(Project, Project.id == OutboxRow.project_id)
        .order_by(OutboxRow.id.desc())
        .limit(limit)
    )
    if project_id is not None:
        query = query.where(OutboxRow.project_id == project_id)
    if status is not None:
        query = query.where(OutboxRow.status == status)
    if recipient is not None:
        matches: list[ColumnElement[bool]] = []
        if recipient.contributor_id is not None:
            matches.append(OutboxRow.contributor_id == recipient.contributor_id)
        if recipient.addresses:
            matches.append(ContactPoint.address.in_(recipient.addresses))
        query = query.where(or_(*matches))
    rows = (await session.execute(query)).all()
    return [ListedMessage(row, address, zone) for row, address, zone in reversed(rows)]
