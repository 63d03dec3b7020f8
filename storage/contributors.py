"""Contributors and their contact points."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from channels.base import ChannelName

from .consents import ADDED_BY_A_LEAD, record_contact_consents
from .errors import InvalidInput, NotFound
from .models import ContactPoint, Contributor


@dataclass(frozen=True)
class NewContributor:
    """A contributor as the CLI or an import row describes them, addresses already normalised."""

    name: str
    addresses: dict[ChannelName, str] = field(default_factory=dict)
    language: str | None = None
    preferred_channel: ChannelName | None = None
    access_needs: tuple[str, ...] = ()


async def add_contributor(
    session: AsyncSession, new: NewContributor, now: datetime, *, how: str = ADDED_BY_A_LEAD
) -> Contributor:
    """Store a contributor and their contact points, with consent to contact on each (given
    ``how``); refuse an address someone else has."""
    name = " ".join(new.name.split())
    if not name:
        raise InvalidInput("a name is needed")
    if not new.addresses:
        raise InvalidInput(
            "give at least one of an email address, a phone number or a Telegram chat"
        )
    preferred = new.preferred_channel
    if preferred is None:
        preferred = next(iter(new.addresses))
    elif preferred not in new.addresses:
        raise InvalidInput(f"preferred channel is {preferred} but no {preferred} address was given")
    for channel, address in new.addresses.items():
        existing = await find_contact_point(session, channel, address)
        if existing is not None and existing.contributor_id is not None:
            raise InvalidInput(
                f"{channel} {address} already belongs to contributor {existing.contributor_id}"
            )

    contributor = Contributor(
        name=name,
        language=new.language,
        preferred_channel=preferred,
        access_needs=list(new.access_needs),
        created_at=now,
    )
    session.add(contributor)
    await session.flush()
    for channel, address in new.addresses.items():
        point = await find_contact_point(session, channel, address)
        if point is None:
            session.add(
                ContactPoint(
                    contributor_id=contributor.id, channel=channel, address=address, created_at=now
                )
            )
        else:
            # Someone who wrote in before being added: keep their opt-out, now they have a name.
            point.contributor_id = contributor.id
    await session.flush()
    await record_contact_consents(session, contributor.id, new.addresses, how=how, now=now)
    return contributor


async def find_contact_point(
    session: AsyncSession, channel: ChannelName, address: str
) -> ContactPoint | None:
    return await session.scalar(
        select(ContactPoint).where(ContactPoint.channel == channel, ContactPoint.address == address)
    )


async def contact_point_for_sender(
    session: AsyncSession, channel: ChannelName, address: str, now: datetime
) -> ContactPoint:
    """The contact point a message came from, made (with no contributor) if it is new."""
    point = await find_contact_point(session, channel, address)
    if point is None:
        point = ContactPoint(channel=channel, address=address, created_at=now)
        session.add(point)
        await session.flush()
    return point


async def find_contributor(session: AsyncSession, id_or_email: str) -> Contributor:
    """A contributor by id or by email address (case does not matter)."""
    reference = id_or_email.strip()
    if reference.isdigit():
        contributor = await session.get(Contributor, int(reference))
    else:
        contributor = await session.scalar(
            select(Contributor)
            .join(ContactPoint)
            .where(
                ContactPoint.channel == ChannelName.EMAIL,
                ContactPoint.address == reference.lower(),
            )
        )
    if contributor is None or contributor.erased_at is not None:
        raise NotFound(f"no contributor {reference}")
    return contributor


async def list_contributors(session: AsyncSession) -> Sequence[Contributor]:
    result = await session.scalars(
        select(Contributor)
        .where(Contributor.erased_at.is_(None))
        .options(selectinload(Contributor.contact_points))
        .order_by(Contributor.id)
    )
    return result.all()
