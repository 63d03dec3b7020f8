"""Consent: each agreement given or withdrawn is a new row, so the history shows when and how.

``how`` is a few words about the way it was said ("sms JOIN", "csv import", "NAME ME by
email"), never an address or a name, so it can be kept after a person is erased.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import Consent, ConsentTopic, ContactPoint

ADDED_BY_A_LEAD = "added by a lead (cli)"
CSV_IMPORT = "csv import"


async def record_consent(
    session: AsyncSession,
    *,
    contributor_id: int,
    topic: ConsentTopic,
    given: bool,
    how: str,
    now: datetime,
    channel: ChannelName | None = None,
) -> Consent:
    """Add one consent given or withdrawn; ``channel`` only for contact on a channel."""
    consent = Consent(
        contributor_id=contributor_id,
        topic=topic,
        channel=channel if topic == ConsentTopic.CONTACT else None,
        given=given,
        at=now,
        how=how[:100],
    )
    session.add(consent)
    await session.flush()
    return consent


async def record_contact_consents(
    session: AsyncSession,
    contributor_id: int,
    channels: Iterable[ChannelName],
    *,
    how: str,
    now: datetime,
) -> None:
    """Contact given on each of these channels at once (a person added with their addresses)."""
    for channel in channels:
        await record_consent(
            session,
            contributor_id=contributor_id,
            topic=ConsentTopic.CONTACT,
            channel=channel,
            given=True,
            how=how,
            now=now,
        )


def said_how(channel: ChannelName, word: str) -> str:
    """The ``how`` of a word a contributor sent: "sms JOIN", "telegram STOP"."""
    return f"{channel.value} {word}"


def at_the_provider(channel: ChannelName, what: str) -> str:
    """The ``how`` of an opt-out or opt-in the provider saw or reported, not words we read:
    "sms STOP at the provider", "sms opted out at the provider"."""
    return f"{channel.value} {what} at the provider"


async def stop_at_provider(session: AsyncSession, contact_point_id: int, now: datetime) -> None:
    """Stop a contact point because the provider refused a send saying the person opted out
    with it (Twilio 21610, a Telegram user who blocked the bot), with the withdrawal in the
    person's consent history; nothing when the point was stopped already."""
    stopped = (
        await session.execute(
            update(ContactPoint)
            .where(ContactPoint.id == contact_point_id, ContactPoint.opted_out_at.is_(None))
            .values(opted_out_at=now)
            .returning(ContactPoint.contributor_id, ContactPoint.channel)
            .execution_options(synchronize_session=False)
        )
    ).one_or_none()
    if stopped is None or stopped.contributor_id is None:
        return
    await record_consent(
        session,
        contributor_id=stopped.contributor_id,
        topic=ConsentTopic.CONTACT,
        channel=stopped.channel,
        given=False,
        how=at_the_provider(stopped.channel, "opted out"),
        now=now,
    )


async def latest_contact_consent(
    session: AsyncSession, contributor_id: int, channel: ChannelName
) -> Consent | None:
    """The last time a person gave or withdrew contact on a channel."""
    return await session.scalar(
        select(Consent)
        .where(
            Consent.contributor_id == contributor_id,
            Consent.topic == ConsentTopic.CONTACT,
            Consent.channel == channel,
        )
        .order_by(Consent.at.desc(), Consent.id.desc())
        .limit(1)
    )


async def consents_of(session: AsyncSession, contributor_id: int) -> list[Consent]:
    """Every consent a person gave or withdrew, oldest first."""
    return list(
        (
            await session.scalars(
                select(Consent)
                .where(Consent.contributor_id == contributor_id)
                .order_by(Consent.at, Consent.id)
            )
        ).all()
    )
