"""Inbound messages: stored once per provider id, then claimed by exactly one processor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import InboundMessage

from .models import InboundMessageRow, InboundStatus
from .upsert import insert_many_unless_exist, insert_unless_exists

# A message whose flow failed this many times is set aside (status failed) for a person to see.
MAX_PROCESSING_ATTEMPTS = 5


def _values(message: InboundMessage, now: datetime) -> dict[str, Any]:
    return {
        "channel": message.channel,
        "provider_id": message.provider_id,
        "sender": message.sender,
        "routing_token": message.routing_token,
        "subject": message.subject,
        "text": message.text,
        "attachments": message.attachments,
        "cut_from": message.cut_from,
        "sender_verified": message.sender_verified,
        "event": message.event.value,
        "provider_ref": message.provider_ref,
        "edit_of": message.edit_of,
        "unquoted_text": message.unquoted_text,
        "received_at": message.received_at,
        "stored_at": now,
        "status": InboundStatus.NEW,
        "attempts": 0,
    }


async def store_inbound(
    session: AsyncSession, message: InboundMessage, now: datetime
) -> int | None:
    """Store a message and return its row id, or None if this provider id was stored before."""
    return await insert_unless_exists(
        session, InboundMessageRow.__table__, _values(message, now), ["channel", "provider_id"]
    )


async def store_inbound_many(
    session: AsyncSession, messages: Sequence[InboundMessage], now: datetime
) -> list[int | None]:
    """Store messages in one statement, in their order; for each, its row id, or None when its
    provider id was stored before (or earlier in the same list)."""
    table = InboundMessageRow.__table__
    stored = await insert_many_unless_exist(
        session,
        table,
        [_values(message, now) for message in messages],
        ["channel", "provider_id"],
        returning=(table.c.channel, table.c.provider_id, table.c.id),
    )
    ids = {(channel, provider_id): row_id for channel, provider_id, row_id in stored}
    return [ids.pop((message.channel, message.provider_id), None) for message in messages]


async def claim_inbound(session: AsyncSession, inbound_id: int, now: datetime) -> bool:
    """Mark a new message processed, inside the transaction that runs its flow.

    Only one transaction can win this update, so a message is never handled twice even when
    the webhook's background task and the sweeper reach it together; if the flow fails, the
    rollback puts the message back to new.
    """
    result = await session.execute(
        update(InboundMessageRow)
        .where(InboundMessageRow.id == inbound_id, InboundMessageRow.status == InboundStatus.NEW)
        .values(status=InboundStatus.PROCESSED, processed_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def record_processing_failure(
    session: AsyncSession, inbound_id: int, error: str
) -> InboundStatus:
    row = await session.get(InboundMessageRow, inbound_id)
    if row is None or row.status != InboundStatus.NEW:
        return row.status if row else InboundStatus.FAILED
    row.attempts += 1
    row.last_error = error[:2000]
    if row.attempts >= MAX_PROCESSING_ATTEMPTS:
        row.status = InboundStatus.FAILED
    return row.status


async def unprocessed_inbound(
    session: AsyncSession, stored_before: datetime, limit: int = 100
) -> Sequence[int]:
    """Messages stored but not yet handled (the process stopped between storing and handling)."""
    result = await session.scalars(
        select(InboundMessageRow.id)
        .where(
            InboundMessageRow.status == InboundStatus.NEW,
            InboundMessageRow.stored_at <= stored_before,
        )
        .order_by(InboundMessageRow.id)
        .limit(limit)
    )
    return result.all()


async def recent_from_sender(session: AsyncSession, row: InboundMessageRow, since: datetime) -> int:
    """How many messages from the address of ``row`` were stored from ``since`` up to it
    (itself included), whatever came after it."""
    return (
        await session.scalar(
            select(func.count()).where(
                InboundMessageRow.channel == row.channel,
                InboundMessageRow.sender == row.sender,
                InboundMessageRow.stored_at > since,
                InboundMessageRow.id <= row.id,
            )
        )
        or 0
    )
