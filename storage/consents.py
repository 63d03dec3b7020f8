"""Consent: each agreement given or withdrawn is a new row, so the history shows when and how.

``how`` is a few words about the way it was said ("sms JOIN", "csv import", "NAME ME by
email"), never an address or a name, so it can be kept after a person is erased.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import Consent, ConsentTopic

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
