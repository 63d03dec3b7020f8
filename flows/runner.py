"""Running a flow for one stored inbound message: load the state, decide, apply.

Called inside the transaction that claimed the message, so the state change, the outbox
rows and the "processed" mark commit together or not at all.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName, InboundMessage
from storage.contributors import contact_point_for_sender
from storage.models import ContactPoint, Contributor, InboundMessageRow, OutboxRow
from storage.outbox import enqueue
from storage.reply_tokens import resolve_token

from . import texts
from .conversation import respond
from .effects import Effect, Reply, StartChannel, StopChannel
from .i18n import SOURCE_LANGUAGE, translator
from .sender import Sender

log = logging.getLogger(__name__)

# Someone we do not know is told who we are at most once a day, so two auto-responders can
# never keep each other talking.
UNKNOWN_SENDER_QUIET = timedelta(hours=24)


async def handle_inbound(
    session: AsyncSession, row: InboundMessageRow, now: datetime, default_language: str
) -> None:
    """Decide on and apply what one inbound message asks for."""
    loaded = await _load_sender(session, row, now, default_language)
    if loaded is None:
        log.info("inbound %s: no known sender (channel %s); not answered", row.id, row.channel)
        return
    sender, point = loaded
    row.contact_point_id = point.id
    message = InboundMessage(
        channel=row.channel,
        sender=row.sender,
        text=row.text or "",
        provider_id=row.provider_id,
        received_at=row.received_at,
        routing_token=row.routing_token,
        subject=row.subject,
    )
    t = translator(sender.language)
    effects = respond(sender, message, t, translator(SOURCE_LANGUAGE))
    await _apply(session, effects, sender, point, row, now)


async def _load_sender(
    session: AsyncSession, row: InboundMessageRow, now: datetime, default_language: str
) -> tuple[Sender, ContactPoint] | None:
    if row.channel == ChannelName.EMAIL:
        point = await _email_contact_point(session, row)
        if point is None:
            return None
    else:
        point = await contact_point_for_sender(session, row.channel, row.sender, now)

    contributor = (
        await session.get(Contributor, point.contributor_id) if point.contributor_id else None
    )
    helped_recently = False
    if contributor is None:
        helped_recently = (
            await session.scalar(
                select(OutboxRow.id)
                .where(
                    OutboxRow.contact_point_id == point.id,
                    OutboxRow.kind == "unknown-sender",
                    OutboxRow.created_at > now - UNKNOWN_SENDER_QUIET,
                )
                .limit(1)
            )
        ) is not None
    sender = Sender(
        contact_point_id=point.id,
        channel=point.channel,
        address=point.address,
        language=(
            contributor.language if contributor and contributor.language else default_language
        ),
        opted_out=point.opted_out_at is not None,
        contributor_id=contributor.id if contributor else None,
        name=contributor.name if contributor else None,
        helped_recently=helped_recently,
    )
    return sender, point


async def _email_contact_point(
    session: AsyncSession, row: InboundMessageRow
) -> ContactPoint | None:
    """Email is matched by the reply token, never by From alone; the answer goes to the
    address we hold, so a token cannot be used to make us write to someone else."""
    if not row.routing_token:
        return None
    token = await resolve_token(session, row.routing_token)
    if token is None:
        return None
    points = (
        await session.scalars(
            select(ContactPoint)
            .where(
                ContactPoint.contributor_id == token.contributor_id,
                ContactPoint.channel == ChannelName.EMAIL,
            )
            .order_by(ContactPoint.id)
        )
    ).all()
    if not points:
        return None
    for point in points:
        if point.address == row.sender.lower():
            return point
    return points[0]


async def _apply(
    session: AsyncSession,
    effects: list[Effect],
    sender: Sender,
    point: ContactPoint,
    row: InboundMessageRow,
    now: datetime,
) -> None:
    for effect in effects:
        match effect:
            case StopChannel():
                point.opted_out_at = now
            case StartChannel():
                point.opted_out_at = None
            case Reply():
                subject = effect.subject
                if point.channel == ChannelName.EMAIL and subject is None:
                    subject = _reply_subject(row.subject, sender.language)
                await enqueue(
                    session,
                    contact_point=point,
                    kind=effect.kind,
                    body=effect.body,
                    language=sender.language,
                    subject=subject,
                    choices=effect.choices,
                    reply_to_inbound_id=row.id,
                    now=now,
                )


def _reply_subject(their_subject: str | None, language: str) -> str:
    if their_subject and their_subject.strip():
        cleaned = their_subject.strip()
        return cleaned if cleaned.lower().startswith("re:") else f"Re: {cleaned}"
    return texts.reply_subject(translator(language))
