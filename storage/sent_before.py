"""What we already sent people: the very same words of one kind in the last day (a lead who
runs the same command twice sends it once), and which projects' leads wrote to someone
lately (their reply is for those leads)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import ContactPoint, Membership, MembershipStatus, OutboxRow, OutboxStatus

# A message counts as sent unless it failed, did not arrive or was called back: those may
# be sent again.
STILL_GOING = (
    OutboxStatus.QUEUED,
    OutboxStatus.SENDING,
    OutboxStatus.UNKNOWN,
    OutboxStatus.SENT,
    OutboxStatus.DELIVERED,
)


def _points_of(contributor_id: int):  # type: ignore[no-untyped-def]
    # Through their contact points: the outbox is indexed by contact point, not by person.
    return select(ContactPoint.id).where(ContactPoint.contributor_id == contributor_id)


def _since(since: datetime):  # type: ignore[no-untyped-def]
    """Rows written after ``since`` that still count. A row is never due before it was
    written, so the (status, next_attempt_at) index finds them without reading the rest of
    the outbox."""
    return (
        OutboxRow.status.in_(STILL_GOING),
        OutboxRow.next_attempt_at > since,
        OutboxRow.created_at > since,
    )


async def sent_to_person(
    session: AsyncSession,
    contributor_id: int,
    *,
    kind: str,
    bodies: Collection[str],
    since: datetime,
) -> bool:
    """Whether one of ``bodies`` went to this person as a message of this kind since then."""
    found = await session.scalar(
        select(OutboxRow.id)
        .where(
            OutboxRow.contact_point_id.in_(_points_of(contributor_id)),
            OutboxRow.kind == kind,
            OutboxRow.body.in_(list(bodies)),
            *_since(since),
        )
        .limit(1)
    )
    return found is not None


async def recent_bodies(
    session: AsyncSession, project_id: int, *, kind: str, since: datetime
) -> list[tuple[str, ChannelName, str]]:
    """Each different (language, channel, body) of the project's messages of this kind since
    then: a few, however many people they went to."""
    rows = await session.execute(
        select(OutboxRow.language, OutboxRow.channel, OutboxRow.body)
        .where(OutboxRow.project_id == project_id, OutboxRow.kind == kind, *_since(since))
        .distinct()
    )
    return [(language, channel, body) for language, channel, body in rows.all() if body]


async def people_sent(
    session: AsyncSession,
    project_id: int,
    *,
    kind: str,
    bodies: Collection[str],
    since: datetime,
    statuses: Collection[MembershipStatus],
) -> set[int]:
    """Who of the project's members in ``statuses`` was sent one of ``bodies`` as its
    message of this kind since then."""
    if not bodies:
        return set()
    found = await session.scalars(
        select(OutboxRow.contributor_id)
        .join(
            Membership,
            and_(
                Membership.contributor_id == OutboxRow.contributor_id,
                Membership.project_id == OutboxRow.project_id,
            ),
        )
        .where(
            OutboxRow.project_id == project_id,
            OutboxRow.kind == kind,
            OutboxRow.body.in_(list(bodies)),
            Membership.status.in_(list(statuses)),
            *_since(since),
        )
        .distinct()
    )
    return {person for person in found.all() if person is not None}


async def projects_whose_leads_wrote(
    session: AsyncSession, contributor_id: int, *, kinds: Collection[str], since: datetime
) -> list[int]:
    """The projects whose leads sent this person a message of one of these kinds since then,
    the latest first."""
    rows = await session.execute(
        select(OutboxRow.project_id)
        .where(
            OutboxRow.contact_point_id.in_(_points_of(contributor_id)),
            OutboxRow.kind.in_(list(kinds)),
            OutboxRow.project_id.is_not(None),
            *_since(since),
        )
        .order_by(OutboxRow.id.desc())
    )
    latest: list[int] = []
    for (project_id,) in rows.all():
        if project_id not in latest:
            latest.append(project_id)
    return latest
