"""Who an inbound email is from, since a From address alone proves nothing.

Mail is read as a contributor's when it comes to the reply token in one of our addresses
from an address we hold for that contributor, or, with no token, from an address we hold
that the trusted relay checked (DMARC pass). A token used from another address (a forwarded
email, a second account) acts for nobody: the token's holder is told at the address we hold,
at most once a day, and only STOP is honoured, so an unsubscribe link always works.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from storage.models import ContactPoint, InboundMessageRow, OutboxRow
from storage.outbox import enqueue
from storage.reply_tokens import resolve_token

from . import texts
from .i18n import translator

OTHER_ADDRESS_KIND = "other-address"
OTHER_ADDRESS_QUIET = timedelta(hours=24)


@dataclass(frozen=True)
class EmailOrigin:
    """The contact point the mail is for; ``from_them`` is False when only the token is."""

    point: ContactPoint
    from_them: bool


async def email_origin(session: AsyncSession, row: InboundMessageRow) -> EmailOrigin | None:
    """The contributor's email contact point this mail is for, or None for mail from nobody
    we know (never answered: the From may be forged)."""
    sender = row.sender.lower()
    if not row.routing_token:
        if not row.sender_verified:
            return None
        point = await session.scalar(
            select(ContactPoint).where(
                ContactPoint.channel == ChannelName.EMAIL, ContactPoint.address == sender
            )
        )
        if point is None or point.contributor_id is None:
            return None
        return EmailOrigin(point, from_them=True)
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
    for point in points:
        if point.address == sender:
            return EmailOrigin(point, from_them=True)
    # The answer always goes to an address we hold, never to the From of this mail.
    return EmailOrigin(points[0], from_them=False) if points else None


async def tell_of_other_address(
    session: AsyncSession, point: ContactPoint, language: str, now: datetime
) -> None:
    """Tell the token's holder a reply came from an address we do not hold for them."""
    told = await session.scalar(
        select(OutboxRow.id)
        .where(
            OutboxRow.contact_point_id == point.id,
            OutboxRow.kind == OTHER_ADDRESS_KIND,
            OutboxRow.created_at > now - OTHER_ADDRESS_QUIET,
        )
        .limit(1)
    )
    if told is not None:
        return
    t = translator(language)
    await enqueue(
        session,
        contact_point=point,
        kind=OTHER_ADDRESS_KIND,
        body=texts.other_address_text(t),
        subject=texts.reply_subject(t),
        language=language,
        now=now,
    )
