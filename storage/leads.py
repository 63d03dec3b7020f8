"""Changing a project's leads after it was created: a lead joins the team, or steps down.

A new lead is made a member who has joined (lead powers need both, see
``memberships.led_project_ids``). A lead who steps down stays a member, with a member's words
only; removing the last lead is refused.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .audit import record_audit
from .errors import InvalidInput
from .memberships import join, membership
from .models import Contributor, LeadKind, MembershipStatus, Project, ProjectLead


async def project_leads(session: AsyncSession, project_id: int) -> list[ProjectLead]:
    return list(
        (
            await session.scalars(
                select(ProjectLead)
                .where(ProjectLead.project_id == project_id)
                .order_by(ProjectLead.contributor_id)
            )
        ).all()
    )


async def add_lead(
    session: AsyncSession,
    project: Project,
    person: Contributor,
    kind: LeadKind,
    *,
    now: datetime,
    actor: str,
) -> None:
    if await session.get(ProjectLead, (project.id, person.id)) is not None:
        raise InvalidInput(f"contributor {person.id} already leads {project.code}")
    session.add(
        ProjectLead(project_id=project.id, contributor_id=person.id, kind=kind, added_at=now)
    )
    found = await membership(session, project.id, person.id)
    if found is None or found.status != MembershipStatus.JOINED:
        await join(session, project, person.id, now, actor)
    await record_audit(
        session,
        actor=actor,
        action="project.add_lead",
        at=now,
        project_id=project.id,
        details={"contributor_id": person.id, "kind": str(kind)},
    )
    await session.flush()


async def remove_lead(
    session: AsyncSession, project: Project, person: Contributor, *, now: datetime, actor: str
) -> None:
    lead = await session.get(ProjectLead, (project.id, person.id))
    if lead is None:
        raise InvalidInput(f"contributor {person.id} is not a lead of {project.code}")
    if len(await project_leads(session, project.id)) == 1:
        raise InvalidInput(
            f"contributor {person.id} is the only lead of {project.code}; add another lead first"
        )
    await session.delete(lead)
    await record_audit(
        session,
        actor=actor,
        action="project.remove_lead",
        at=now,
        project_id=project.id,
        details={"contributor_id": person.id},
    )
    await session.flush()
