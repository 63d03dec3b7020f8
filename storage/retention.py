"""Retention: the words of old messages are let go, the record is kept.

Past the retention period the text of messages people sent us and of messages delivered to
them is cleared. Rows stay (reach is counted from them), and so do the comments, questions,
answers and replies those messages became: they live in their own tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from .models import InboundMessageRow, InboundStatus, OutboxRow, OutboxStatus

# Only messages that are settled: an inbound message not yet handled, or an outbound one
# still queued, failing or in doubt, keeps its words until it is.
_DONE_INBOUND = (InboundStatus.PROCESSED, InboundStatus.FAILED)
_DELIVERED = (OutboxStatus.SENT, OutboxStatus.DELIVERED)


@dataclass(frozen=True)
class Purged:
    inbound: int
    outbound: int

    @property
    def total(self) -> int:
        return self.inbound + self.outbound


async def purge_old_bodies(session: AsyncSession, now: datetime, keep_days: int) -> Purged:
    """Clear the bodies of settled messages older than ``keep_days``; returns how many."""
    before = now - timedelta(days=keep_days)
    inbound = await session.execute(
        update(InboundMessageRow)
        .where(
            InboundMessageRow.received_at < before,
            InboundMessageRow.status.in_(_DONE_INBOUND),
            or_(
                InboundMessageRow.text.is_not(None),
                InboundMessageRow.subject.is_not(None),
                InboundMessageRow.unquoted_text.is_not(None),
            ),
        )
        .values(text=None, subject=None, unquoted_text=None)
        .execution_options(synchronize_session=False)
    )
    outbound = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.created_at < before,
            OutboxRow.status.in_(_DELIVERED),
            or_(OutboxRow.body.is_not(None), OutboxRow.subject.is_not(None)),
        )
        .values(body=None, subject=None)
        .execution_options(synchronize_session=False)
    )
    return Purged(inbound.rowcount or 0, outbound.rowcount or 0)
