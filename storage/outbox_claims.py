"""Claiming due outbox rows for a worker, and loading what sending them needs."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import (
    ContactPoint,
    Contributor,
    InboundMessageRow,
    Membership,
    MembershipStatus,
    OutboxRow,
    OutboxStatus,
    Project,
    WorkerRow,
)

_Model = TypeVar("_Model", ContactPoint, Contributor)


@dataclass(frozen=True)
class Claim:
    """A row this worker now holds, and what it was before: a row that was ``unknown``, or
    ``sending`` under a worker that died, may already be with the provider."""

    id: int
    was: OutboxStatus


async def claim_due(
    session: AsyncSession,
    now: datetime,
    limit: int,
    lease: timedelta,
    *,
    worker_id: str,
    lookup_channels: Collection[ChannelName] = (),
) -> list[Claim]:
    """Claim rows that are due for this worker: queued ones, unknown ones on a channel that
    can look them up, and rows whose claimer's lease ran out or whose worker is gone.

    PostgreSQL skips rows another worker holds (``FOR UPDATE SKIP LOCKED``); SQLite has one
    writer at a time, so the claim is already exclusive there.
    """
    holder_gone = or_(
        OutboxRow.lease_until < now,
        and_(
            OutboxRow.claimed_by.is_not(None),
            ~exists().where(WorkerRow.id == OutboxRow.claimed_by),
        ),
    )
    due = or_(
        and_(OutboxRow.status == OutboxStatus.QUEUED, OutboxRow.next_attempt_at <= now),
        and_(OutboxRow.status == OutboxStatus.SENDING, holder_gone),
    )
    if lookup_channels:
        due = or_(
            due,
            and_(
                OutboxRow.status == OutboxStatus.UNKNOWN,
                OutboxRow.channel.in_(list(lookup_channels)),
                OutboxRow.next_attempt_at <= now,
                or_(OutboxRow.claimed_by.is_(None), holder_gone),
            ),
        )
    query = select(OutboxRow.id, OutboxRow.status).where(due).order_by(OutboxRow.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    claims = [Claim(row_id, status) for row_id, status in (await session.execute(query)).all()]
    if claims:
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_([claim.id for claim in claims]))
            .values(
                status=case(
                    (OutboxRow.status == OutboxStatus.QUEUED, OutboxStatus.SENDING),
                    else_=OutboxRow.status,
                ),
                lease_until=now + lease,
                claimed_by=worker_id,
                attempts=OutboxRow.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return claims


@dataclass(frozen=True)
class Sendable:
    """Everything the dispatcher needs to decide on and send one claimed row."""

    row: OutboxRow
    contact_point: ContactPoint
    contributor: Contributor | None
    membership_status: MembershipStatus | None
    in_reply_to: str | None


async def load_sendables(session: AsyncSession, outbox_ids: Sequence[int]) -> list[Sendable]:
    """The claimed rows still to send, with what decides and addresses each, in a few
    queries for all of them; in the order of their ids."""
    rows = (
        await session.scalars(
            select(OutboxRow)
            .where(
                OutboxRow.id.in_(list(outbox_ids)),
                OutboxRow.status.in_([OutboxStatus.SENDING, OutboxStatus.UNKNOWN]),
            )
            .order_by(OutboxRow.id)
        )
    ).all()
    if not rows:
        return []
    points = await _by_id(session, ContactPoint, {row.contact_point_id for row in rows})
    people = await _by_id(
        session, Contributor, {p.contributor_id for p in points.values() if p.contributor_id}
    )
    statuses = {
        (project_id, contributor_id): status
        for project_id, contributor_id, status in await session.execute(
            select(Membership.project_id, Membership.contributor_id, Membership.status).where(
                Membership.contributor_id.in_(list(people)),
                Membership.project_id.in_({row.project_id for row in rows if row.project_id}),
            )
        )
    }
    replied_to = {row.reply_to_inbound_id for row in rows if row.channel == ChannelName.EMAIL}
    replied_to.discard(None)
    # Only an email's Message-ID threads an email reply: an answer that went on by email
    # after a text came in carries no In-Reply-To.
    provider_ids = dict(
        (
            await session.execute(
                select(InboundMessageRow.id, InboundMessageRow.provider_id).where(
                    InboundMessageRow.id.in_(replied_to),
                    InboundMessageRow.channel == ChannelName.EMAIL,
                )
            )
        ).all()
        if replied_to
        else []
    )
    sendables = []
    for row in rows:
        # The foreign key cascades: no row outlives its contact point.
        point = points[row.contact_point_id]
        person = people.get(point.contributor_id) if point.contributor_id else None
        sendables.append(
            Sendable(
                row,
                point,
                person,
                statuses.get((row.project_id, person.id)) if person else None,
                provider_ids.get(row.reply_to_inbound_id)
                if row.channel == ChannelName.EMAIL
                else None,
            )
        )
    return sendables


async def open_contact_points(
    session: AsyncSession, contributor_ids: Sequence[int], channels: Collection[ChannelName]
) -> dict[int, list[ContactPoint]]:
    """Each person's addresses on these channels that they have not stopped, in the order
    they were added: where a message can go when its own channel is not set up."""
    if not contributor_ids or not channels:
        return {}
    found = await session.scalars(
        select(ContactPoint)
        .where(
            ContactPoint.contributor_id.in_(list(contributor_ids)),
            ContactPoint.channel.in_(list(channels)),
            ContactPoint.opted_out_at.is_(None),
        )
        .order_by(ContactPoint.id)
    )
    points: dict[int, list[ContactPoint]] = {}
    for point in found.all():
        points.setdefault(point.contributor_id or 0, []).append(point)
    return points


async def last_heard_from(
    session: AsyncSession, channel: ChannelName, senders: Collection[str]
) -> dict[str, datetime]:
    """When each of these addresses last wrote to us on this channel (when we stored it);
    an address that never did is left out."""
    if not senders:
        return {}
    found = await session.execute(
        select(InboundMessageRow.sender, func.max(InboundMessageRow.stored_at))
        .where(InboundMessageRow.channel == channel, InboundMessageRow.sender.in_(list(senders)))
        .group_by(InboundMessageRow.sender)
    )
    return {sender: stored_at for sender, stored_at in found.all()}


async def latest_of_kind(
    session: AsyncSession, contact_point_ids: Collection[int], kind: str
) -> dict[int, datetime]:
    """When a message of this kind was last queued to each address, leaving out those that
    failed or were cancelled (they never reached the person)."""
    if not contact_point_ids:
        return {}
    found = await session.execute(
        select(OutboxRow.contact_point_id, func.max(OutboxRow.created_at))
        .where(
            OutboxRow.contact_point_id.in_(list(contact_point_ids)),
            OutboxRow.kind == kind,
            OutboxRow.status.not_in([OutboxStatus.FAILED, OutboxStatus.CANCELLED]),
        )
        .group_by(OutboxRow.contact_point_id)
    )
    return {point_id: created_at for point_id, created_at in found.all()}


async def lock_contact_points(session: AsyncSession, contact_point_ids: Collection[int]) -> None:
    """On PostgreSQL, hold these addresses until the transaction ends, so that two workers
    deciding for the same person take turns (SQLite has one writer at a time already)."""
    if contact_point_ids and session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(ContactPoint.id)
            .where(ContactPoint.id.in_(sorted(contact_point_ids)))
            .order_by(ContactPoint.id)
            .with_for_update()
        )


async def project_titles(session: AsyncSession, project_ids: set[int | None]) -> dict[int, str]:
    ids = [project_id for project_id in project_ids if project_id is not None]
    if not ids:
        return {}
    found = await session.execute(select(Project.id, Project.title).where(Project.id.in_(ids)))
    return {project_id: title for project_id, title in found.all()}


async def _by_id(session: AsyncSession, model: type[_Model], ids: set[int]) -> dict[int, _Model]:
    if not ids:
        return {}
    found = await session.scalars(select(model).where(model.id.in_(ids)))  # type: ignore[attr-defined]
    return {item.id: item for item in found.all()}  # type: ignore[attr-defined]
