"""The transactional outbox: rows written with the change that caused them, sent by id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
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
)

# A delivery report may only move a message forward, never back to "sent".
_REPORTABLE = {
    OutboxStatus.DELIVERED: {OutboxStatus.SENT, OutboxStatus.UNDELIVERED},
    OutboxStatus.UNDELIVERED: {OutboxStatus.SENT},
    OutboxStatus.FAILED: {OutboxStatus.SENT, OutboxStatus.UNDELIVERED},
}


async def enqueue(
    session: AsyncSession,
    *,
    contact_point: ContactPoint,
    kind: str,
    body: str,
    language: str,
    now: datetime,
    subject: str | None = None,
    project_id: int | None = None,
    choices: Sequence[str] = (),
    reply_to_inbound_id: int | None = None,
) -> OutboxRow:
    row = OutboxRow(
        contact_point_id=contact_point.id,
        channel=contact_point.channel,
        contributor_id=contact_point.contributor_id,
        project_id=project_id,
        kind=kind,
        language=language,
        subject=subject,
        body=body,
        choices=list(choices),
        reply_to_inbound_id=reply_to_inbound_id,
        status=OutboxStatus.QUEUED,
        created_at=now,
        next_attempt_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def claim_due(
    session: AsyncSession, now: datetime, limit: int, lease: timedelta
) -> list[int]:
    """Claim rows that are due, or whose claimer's lease ran out, for this worker.

    PostgreSQL skips rows another worker holds (``FOR UPDATE SKIP LOCKED``); SQLite has one
    writer at a time, so the claim is already exclusive there.
    """
    due = or_(
        and_(OutboxRow.status == OutboxStatus.QUEUED, OutboxRow.next_attempt_at <= now),
        and_(OutboxRow.status == OutboxStatus.SENDING, OutboxRow.lease_until < now),
    )
    query = select(OutboxRow.id).where(due).order_by(OutboxRow.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list((await session.scalars(query)).all())
    if ids:
        await session.execute(
            update(OutboxRow)
            .where(OutboxRow.id.in_(ids))
            .values(
                status=OutboxStatus.SENDING,
                lease_until=now + lease,
                attempts=OutboxRow.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
    return ids


@dataclass(frozen=True)
class Sendable:
    """Everything the dispatcher needs to decide on and send one claimed row."""

    row: OutboxRow
    contact_point: ContactPoint
    contributor: Contributor | None
    membership_status: MembershipStatus | None
    in_reply_to: str | None


async def load_sendable(session: AsyncSession, outbox_id: int) -> Sendable | None:
    row = await session.get(OutboxRow, outbox_id)
    if row is None or row.status != OutboxStatus.SENDING:
        return None
    point = await session.get(ContactPoint, row.contact_point_id)
    assert point is not None  # the foreign key cascades: no row outlives its contact point
    contributor = (
        await session.get(Contributor, point.contributor_id) if point.contributor_id else None
    )
    membership_status = None
    if row.project_id is not None and contributor is not None:
        membership_status = await session.scalar(
            select(Membership.status).where(
                Membership.project_id == row.project_id,
                Membership.contributor_id == contributor.id,
            )
        )
    in_reply_to = None
    if row.reply_to_inbound_id is not None and row.channel == ChannelName.EMAIL:
        in_reply_to = await session.scalar(
            select(InboundMessageRow.provider_id).where(
                InboundMessageRow.id == row.reply_to_inbound_id
            )
        )
    return Sendable(row, point, contributor, membership_status, in_reply_to)


async def mark_sent(session: AsyncSession, outbox_id: int, provider_id: str, now: datetime) -> None:
    await _finish(
        session,
        outbox_id,
        status=OutboxStatus.SENT,
        provider_id=provider_id,
        sent_at=now,
        last_error=None,
    )


async def mark_retry(
    session: AsyncSession, outbox_id: int, error: str, next_attempt_at: datetime
) -> None:
    await _finish(
        session,
        outbox_id,
        status=OutboxStatus.QUEUED,
        next_attempt_at=next_attempt_at,
        last_error=error[:2000],
    )


async def mark_failed(session: AsyncSession, outbox_id: int, error: str) -> None:
    await _finish(session, outbox_id, status=OutboxStatus.FAILED, last_error=error[:2000])


async def mark_cancelled(session: AsyncSession, outbox_id: int, reason: str) -> None:
    await _finish(session, outbox_id, status=OutboxStatus.CANCELLED, last_error=reason)


async def _finish(session: AsyncSession, outbox_id: int, **values: object) -> None:
    # Only a row this worker still holds is updated; a row reclaimed after a lost lease is
    # left to whoever holds it now.
    await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == outbox_id, OutboxRow.status == OutboxStatus.SENDING)
        .values(lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )


async def record_delivery_report(
    session: AsyncSession,
    channel: ChannelName,
    provider_id: str,
    status: OutboxStatus,
    error: str | None,
) -> bool:
    """Apply a provider's delivery report; returns False when no row could take it."""
    allowed_from = _REPORTABLE.get(status)
    if not allowed_from:
        return False
    values: dict[str, object] = {"status": status}
    if error:
        values["last_error"] = error
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.channel == channel,
            OutboxRow.provider_id == provider_id,
            OutboxRow.status.in_(allowed_from),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0
