"""Getting claimed outbox rows ready to send: what each needs is loaded for all of them at
once, and those that must not go now are set aside in the same transaction.

A row for a channel that is not set up (no credentials, so not in the dispatcher's
channels) fails at once with that reason, so it shows in ``coproduce outbox failed``
instead of waiting unseen; the same words go on by the person's other channel when they
have one that is on and not stopped. It is done here, in the transaction that holds the
claim, so only the worker holding the row fails it and writes the new row, once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import Channel, ChannelName, OutboundMessage, known_access_needs
from flows import texts
from flows.conversation import may_still_send
from flows.i18n import translator, usable_language
from flows.outbound import Message, best_of, bodies_for
from storage.models import MembershipStatus, OutboxRow, OutboxStatus
from storage.outbox import enqueue_many, mark_cancelled, mark_failed, outbox_values
from storage.outbox_claims import (
    Claim,
    Sendable,
    load_sendables,
    open_contact_points,
    project_titles,
)
from storage.reply_tokens import tokens_for

log = logging.getLogger(__name__)

# How a lead reads each channel's name in a reason.
CHANNEL_WORDS = {
    ChannelName.SMS: "SMS",
    ChannelName.EMAIL: "email",
    ChannelName.TELEGRAM: "Telegram",
}
# Replies that speak of the channel they answer ("no more texts from us"): on another
# channel they would be wrong, so they fail without going on.
ABOUT_THEIR_CHANNEL = frozenset({"stopped", "started"})


def not_set_up(channel: ChannelName) -> str:
    """Why a message for a channel with no settings failed."""
    return f"the {CHANNEL_WORDS[channel]} channel is not set up"


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
    for a channel that is not set up fails and goes on by the person's other channel."""
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
    not_on: list[Sendable] = []
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
            not_on.append(sendable)
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
    if not_on:
        await _fail_and_send_on(session, not_on, channels, worker_id, now)
    return ready


async def _fail_and_send_on(
    session: AsyncSession,
    sendables: list[Sendable],
    channels: Mapping[ChannelName, Channel],
    worker_id: str,
    now: datetime,
) -> None:
    """Fail each row whose channel is not set up; queue its words again to the person's
    other address where they have one on a channel that is on and not stopped."""
    people = [s.contributor.id for s in sendables if s.contributor]
    points = await open_contact_points(session, people, list(channels))
    titles = await project_titles(session, {s.row.project_id for s in sendables})
    for sendable in sendables:
        row, person = sendable.row, sendable.contributor
        other = None
        if person is not None and row.kind not in ABOUT_THEIR_CHANNEL:
            other = best_of(points.get(person.id, []), person.preferred_channel)
        # Without the new rows' ids, so that failures group by reason in ``outbox status``.
        reason = not_set_up(row.channel)
        if other is not None:
            reason += f"; it went on by {CHANNEL_WORDS[other.channel]}"
        if not await mark_failed(session, row.id, worker_id, reason):
            continue
        log.warning("outbox %s: failed: %s", row.id, reason)
        if other is None:
            continue
        subject = None
        if other.channel == ChannelName.EMAIL:
            subject = row.subject or titles.get(row.project_id or 0) or _reply_subject(row)
        await enqueue_many(
            session,
            [
                outbox_values(
                    contact_point_id=other.id,
                    channel=other.channel,
                    contributor_id=other.contributor_id,
                    kind=row.kind,
                    body=body,
                    language=row.language,
                    now=now,
                    subject=subject,
                    project_id=row.project_id,
                    choices=row.choices or (),
                    reply_to_inbound_id=row.reply_to_inbound_id,
                )
                for body in bodies_for(other.channel, Message(row.body or ""))
            ],
        )


def _reply_subject(row: OutboxRow) -> str:
    # A message outside any project answers something the person sent: say so, as an
    # email reply with no subject of theirs does.
    return texts.reply_subject(translator(usable_language(row.language)))


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
