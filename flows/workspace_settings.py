"""What the workspace's project settings page shows: the project's leads by name and kind,
and whether comments are still open (a project cannot close while they may still come); and
naming the organisation a project speaks for, from the page or the command line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.models import Contributor, LeadKind, Project, ProjectLead
from storage.projects import organisation_name

from .lead_actions import Actor, led_project


@dataclass(frozen=True)
class LeadLine:
    contributor_id: int
    name: str
    kind: LeadKind


async def project_leads(session: AsyncSession, project: Project) -> tuple[LeadLine, ...]:
    rows = await session.execute(
        select(ProjectLead.contributor_id, Contributor.name, ProjectLead.kind)
        .join(Contributor, Contributor.id == ProjectLead.contributor_id)
        .where(ProjectLead.project_id == project.id)
        .order_by(ProjectLead.kind.desc(), Contributor.name)
    )
    return tuple(LeadLine(person, name, kind) for person, name, kind in rows)


async def set_organisation(
    session: AsyncSession, actor: Actor, code: str, organisation: str | None, *, now: datetime
) -> Project:
    """Name the organisation the project's invitations and emails speak for; blank names
    none, and the service's (COPRODUCE_ORGANISATION) is named instead, if it is set."""
    project = await led_project(session, actor, code)
    before = project.organisation
    project.organisation = organisation_name(organisation)
    if project.organisation != before:
        await record_audit(
            session,
            actor=actor.label,
            action="project.organisation",
            at=now,
            project_id=project.id,
            details={"from": before, "to": project.organisation},
        )
    return project
