"""Getting claimed outbox rows ready to send: what each needs is loaded for all of them at
once, and those that must not go now are set aside in the same transaction."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import Channel, ChannelName, OutboundMessage, known_access_needs
from flows.conversation import may_still_send
from storage.models import MembershipStatus, OutboxStatus
from storage.outbox import mark_cancelled, mark_retry
from storage.outbox_claims import Claim, Sendable, load_sendables
from storage.reply_tokens import tokens_for

log = logging.getLogger(__name__)

# A channel that is off keeps its messages; they are looked at again this often.
CHANNEL_OFF_RETRY = timedelta(minutes=5)


@dataclass(frozen=True)
class Ready:
    """A claimed row with everything needed to send it and record how that went, so no
    transaction is open while it is with the provider."""

    was: OutboxStatus
    channel: Channel
    message: OutboundMessage
    attempts: int
    created_at: datetime
    tried_at: datetime | None
    contact_point_id: int
    had_failures: bool


async def ready_to_send(
    session: AsyncSession,
    claims: list[Claim],
    channels: Mapping[ChannelName, Channel],
    worker_id: str,
    now: datetime,
) -> list[Ready]:
    """The claimed rows to send now; a row whose person opted out is cancelled, and a row
    for a channel that is off goes back to wait."""
    was = {claim.id: claim.was for claim in claims}
    sendables = await load_sendables(session, list(was))
    tokens = await tokens_for(
        session,
        {
            (s.contact_point.contributor_id, s.row.project_id)
            for s in sendables
            if s.row.channel == ChannelName.EMAIL and s.contact_point.contributor_id
        },
        now,
    )
    ready = []
    for sendable in sendables:
        row, point = sendable.row, sendable.contact_point
        if row.claimed_by != worker_id:
            continue
        left = sendable.membership_status == MembershipStatus.LEFT
        if not may_still_send(row.kind, point.opted_out_at is not None, left):
            await mark_cancelled(session, row.id, worker_id, "opted out before it was sent")
            log.info("outbox %s: cancelled, the recipient opted out", row.id)
            continue
        channel = channels.get(row.channel)
        if channel is None:
            reason = f"the {row.channel} channel is off"
            await mark_retry(session, row.id, worker_id, reason, now + CHANNEL_OFF_RETRY)
            continue
        token = None
        if point.contributor_id is not None:
            token = tokens.get((point.contributor_id, row.project_id))
        ready.append(
            Ready(
                was=was[row.id],
                channel=channel,
                message=_message(sendable, token),
                attempts=row.attempts,
                created_at=row.created_at,
                tried_at=row.sent_at,
                contact_point_id=point.id,
                had_failures=point.failures > 0,
            )
        )
    return ready


def _message(sendable: Sendable, reply_token: str | None) -> OutboundMessage:
    row, point = sendable.row, sendable.contact_point
    # Read when claimed, so a need recorded after the row was queued still counts.
    needs = sendable.contributor.access_needs if sendable.contributor else ()
    return OutboundMessage(
        outbox_id=row.id,
        channel=row.channel,
        address=point.address,
        body=row.body or "",
        language=row.language,
        subject=row.subject,
        reply_token=reply_token,
        in_reply_to=sendable.in_reply_to,
        choices=tuple(row.choices or ()),
        access_needs=known_access_needs(needs or ()),
        parts_sent=row.parts_sent,
    )
