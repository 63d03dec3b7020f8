"""Who is in which project: joining, leaving, and the people a message goes to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from .audit import record_audit
from .models import Contributor, Membership, MembershipStatus, Project, ProjectLead


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
    return set(
        (
            await session.scalars(
                select(ProjectLead.project_id).where(ProjectLead.contributor_id == contributor_id)
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


async def leads_of(session: AsyncSession, project_id: int) -> list[Contributor]:
    return list(
        (
            await session.scalars(
                select(Contributor)
                .join(ProjectLead, ProjectLead.contributor_id == Contributor.id)
                .where(ProjectLead.project_id == project_id, Contributor.erased_at.is_(None))
                .options(selectinload(Contributor.contact_points))
                .order_by(Contributor.id)
            )
        ).all()
    )
