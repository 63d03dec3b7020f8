"""Who is in which project: joining, leaving, and the people a message goes to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from channels.base import ChannelName

from .audit import record_audit
from .models import (
    ContactPoint,
    Contributor,
    LeadKind,
    Membership,
    MembershipStatus,
    Project,
    ProjectLead,
)


async def memberships_of(
    session: AsyncSession, contributor_id: int
) -> list[tuple[Membership, Project]]:
    rows = await session.execute(
        select(Membership, Project)
        .join(Project, Project.id == Membership.project_id)
        .where(Membership.contributor_id == contributor_id)
        .order_by(Project.code)
    )
    return [(membership, project) for membership, project in rows.all()]


async def membership(
    session: AsyncSession, project_id: int, contributor_id: int
) -> Membership | None:
    return await session.scalar(
        select(Membership).where(
            Membership.project_id == project_id, Membership.contributor_id == contributor_id
        )
    )


async def led_project_ids(session: AsyncSession, contributor_id: int) -> set[int]:
    """The projects this person may act for as a lead: those they lead and have joined. A
    lead who left a project, or is only invited to it, may not. (``leads_of``, who the
    leads' notices go to, leaves out those who left, but not those who never joined.) An
    erased person is no one: the channels take them for a stranger, and the command line
    cannot find them."""
    return set(
        (
            await session.scalars(
                select(ProjectLead.project_id)
                .join(
                    Membership,
                    (Membership.project_id == ProjectLead.project_id)
                    & (Membership.contributor_id == ProjectLead.contributor_id),
                )
                .where(
                    ProjectLead.contributor_id == contributor_id,
                    Membership.status == MembershipStatus.JOINED,
                )
            )
        ).all()
    )


async def join(
    session: AsyncSession, project: Project, contributor_id: int, now: datetime, actor: str
) -> Membership:
    """Join (or join again after leaving); made from nothing only for an open project."""
    found = await membership(session, project.id, contributor_id)
    if found is None:
        found = Membership(project_id=project.id, contributor_id=contributor_id, invited_at=now)
        session.add(found)
    found.status = MembershipStatus.JOINED
    found.joined_at = now
    found.left_at = None
    await record_audit(
        session,
        actor=actor,
        action="membership.join",
        at=now,
        project_id=project.id,
        details={"contributor": contributor_id},
    )
    await session.flush()
    return found


async def leave(
    session: AsyncSession,
    found: Membership,
    reason: str | None,
    now: datetime,
    actor: str,
) -> None:
    found.status = MembershipStatus.LEFT
    found.left_at = now
    found.leave_reason = reason or None
    await record_audit(
        session,
        actor=actor,
        action="membership.leave",
        at=now,
        project_id=found.project_id,
        details={"contributor": found.contributor_id, "reason_given": bool(reason)},
    )
    await session.flush()


async def members_to_tell(
    session: AsyncSession,
    project_id: int,
    exclude: Sequence[int] = (),
    statuses: Sequence[MembershipStatus] = (MembershipStatus.JOINED,),
) -> list[Contributor]:
    """The project's members with their addresses: by default those who joined (those only
    invited get the brief and their invitation, nothing else)."""
    query = (
        select(Contributor)
        .join(Membership, Membership.contributor_id == Contributor.id)
        .where(
            Membership.project_id == project_id,
            Membership.status.in_(list(statuses)),
            Contributor.erased_at.is_(None),
        )
        .options(selectinload(Contributor.contact_points))
        .order_by(Contributor.id)
    )
    if exclude:
        query = query.where(Contributor.id.not_in(list(exclude)))
    return list((await session.scalars(query)).all())


class Address(NamedTuple):
    """One contact point that has not been stopped, as a broadcast needs it."""

    id: int
    contributor_id: int
    channel: ChannelName
    failures: int
    opted_out_at: datetime | None = None


class Addressee(NamedTuple):
    """A member as a broadcast needs them: how to write to them, and their addresses."""

    id: int
    language: str | None
    access_needs: list[str]
    preferred_channel: ChannelName
    contact_points: list[Address]


# Members read per page: enough to make few round trips, few enough that a broadcast to
# 100,000 holds only one page in memory.
PAGE_SIZE = 1000


async def addressee_pages(
    session: AsyncSession,
    project_id: int,
    exclude: Sequence[int] = (),
    statuses: Sequence[MembershipStatus] = (MembershipStatus.JOINED,),
    size: int = PAGE_SIZE,
) -> AsyncIterator[list[Addressee]]:
    """The same people as ``members_to_tell``, in pages in the order of their ids, as plain
    values: a broadcast streams through them and never loads everyone at once."""
    after = 0
    while True:
        query = (
            select(
                Contributor.id,
                Contributor.language,
                Contributor.access_needs,
                Contributor.preferred_channel,
            )
            .join(Membership, Membership.contributor_id == Contributor.id)
            .where(
                Membership.project_id == project_id,
                Membership.status.in_(list(statuses)),
                Contributor.erased_at.is_(None),
                # Paged along the (project, contributor) index of memberships: each page is
                # a short range read, whatever the size of the project.
                Membership.contributor_id > after,
            )
            .order_by(Membership.contributor_id)
            .limit(size)
        )
        if exclude:
            query = query.where(Contributor.id.not_in(list(exclude)))
        people = (await session.execute(query)).all()
        if not people:
            return
        points: dict[int, list[Address]] = {person.id: [] for person in people}
        found = await session.execute(
            select(
                ContactPoint.id,
                ContactPoint.contributor_id,
                ContactPoint.channel,
                ContactPoint.failures,
            )
            .where(
                ContactPoint.contributor_id.in_(list(points)), ContactPoint.opted_out_at.is_(None)
            )
            .order_by(ContactPoint.id)
        )
        for point in found.all():
            points[point[1]].append(Address(*point))
        yield [
            Addressee(cid, language, needs or [], channel, points[cid])
            for cid, language, needs, channel in people
        ]
        after = people[-1].id


async def leads_of(session: AsyncSession, project_id: int) -> list[Contributor]:
    """The leads who hear of the project: not erased, and not among those who left it (a lead
    who never joined as a member still hears)."""
    left = select(Membership.contributor_id).where(
        Membership.project_id == project_id, Membership.status == MembershipStatus.LEFT
    )
    return list(
        (
            await session.scalars(
                select(Contributor)
                .join(ProjectLead, ProjectLead.contributor_id == Contributor.id)
                .where(
                    ProjectLead.project_id == project_id,
                    Contributor.erased_at.is_(None),
                    Contributor.id.not_in(left),
                )
                .options(selectinload(Contributor.contact_points))
                .order_by(Contributor.id)
            )
        ).all()
    )


async def lead_kinds(session: AsyncSession, project_id: int) -> dict[int, LeadKind]:
    """Each lead of the project and whether they lead from the team or as a contributor."""
    rows = await session.execute(
        select(ProjectLead.contributor_id, ProjectLead.kind).where(
            ProjectLead.project_id == project_id
        )
    )
    return {contributor_id: kind for contributor_id, kind in rows}
