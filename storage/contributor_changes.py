"""Changing what we hold about a contributor: their name, language, preferred channel, access
needs, and the address we use on a channel.

A new address on a channel replaces the old one. The old contact point is let go, not deleted:
the messages sent to it stay counted in the record, and a message from it later comes from a
stranger; messages still queued for it go to the new address instead. An address that
belongs to someone else is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .audit import record_audit
from .consents import ADDED_BY_A_LEAD, record_contact_consents
from .contributors import find_contact_point
from .errors import InvalidInput
from .models import ContactPoint, Contributor, OutboxRow, OutboxStatus


@dataclass(frozen=True)
class ContributorChanges:
    """What to change; None (or no address) leaves a field as it is."""

    name: str | None = None
    language: str | None = None
    preferred_channel: ChannelName | None = None
    access_needs: tuple[str, ...] | None = None
    addresses: dict[ChannelName, str] = field(default_factory=dict)


async def change_contributor(
    session: AsyncSession,
    person: Contributor,
    changes: ContributorChanges,
    *,
    actor: str,
    now: datetime,
) -> list[str]:
    """Apply the changes; returns the names of the fields that changed, in a fixed order
    (empty when nothing did). The audit entry names the fields, never their values."""
    changed: list[str] = []
    if changes.name is not None:
        name = " ".join(changes.name.split())
        if not name:
            raise InvalidInput("a name is needed")
        if name != person.name:
            person.name = name
            changed.append("name")
    if changes.language is not None and changes.language != person.language:
        person.language = changes.language
        changed.append("language")
    if changes.access_needs is not None and list(changes.access_needs) != person.access_needs:
        person.access_needs = list(changes.access_needs)
        changed.append("access needs")
    points = {
        point.channel: point
        for point in await session.scalars(
            select(ContactPoint).where(ContactPoint.contributor_id == person.id)
        )
    }
    new_channels = []
    for channel, address in changes.addresses.items():
        old = points.get(channel)
        if old is not None and old.address == address:
            continue
        found = await find_contact_point(session, channel, address)
        if found is not None and found.contributor_id not in (None, person.id):
            raise InvalidInput(
                f"{channel} {address} already belongs to contributor {found.contributor_id}"
            )
        if found is None:
            found = ContactPoint(channel=channel, address=address, created_at=now)
            session.add(found)
        found.contributor_id = person.id  # one who wrote in first keeps their opt-out
        if old is not None:
            old.contributor_id = None  # let go: its history stays, it no longer reaches them
            await session.flush()
            # What is still waiting to go to them goes to the new address.
            await session.execute(
                update(OutboxRow)
                .where(
                    OutboxRow.contact_point_id == old.id, OutboxRow.status == OutboxStatus.QUEUED
                )
                .values(contact_point_id=found.id)
                .execution_options(synchronize_session=False)
            )
        points[channel] = found
        new_channels.append(channel)
        changed.append(str(channel))
    preferred = changes.preferred_channel
    if preferred is not None and preferred != person.preferred_channel:
        if preferred not in points:
            raise InvalidInput(f"there is no {preferred} address for contributor {person.id}")
        person.preferred_channel = preferred
        changed.append("preferred channel")
    if not changed:
        return []
    await session.flush()
    await record_contact_consents(session, person.id, new_channels, how=ADDED_BY_A_LEAD, now=now)
    await record_audit(
        session,
        actor=actor,
        action="contributor.change",
        at=now,
        details={"contributor_id": person.id, "changed": changed},
    )
    return changed
