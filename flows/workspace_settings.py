"""What the workspace's project settings page shows: the project's leads by name and kind,
and whether comments are still open (a project cannot close while they may still come)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Contributor, LeadKind, Project, ProjectLead


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
