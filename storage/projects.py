"""Projects, their leads and their members."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .audit import record_audit
from .errors import InvalidInput, NotFound
from .models import (
    Contributor,
    LeadKind,
    Membership,
    MembershipStatus,
    Project,
    ProjectLead,
    Sharing,
)

# Short enough to type on a phone keypad, plain enough to read aloud: letters and digits.
_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")


def normalise_code(code: str) -> str:
    cleaned = code.strip().upper()
    if not _CODE.match(cleaned):
        raise InvalidInput(
            f"project code '{code}' must be 2 to 12 letters or digits, starting with a letter"
        )
    return cleaned


async def create_project(
    session: AsyncSession,
    *,
    code: str,
    title: str,
    leads: Sequence[tuple[Contributor, LeadKind]],
    now: datetime,
    time_zone: str = "Europe/London",
    default_language: str = "en",
    open_to_all: bool = False,
    sharing: Sharing = Sharing.CHECKED,
    actor: str = "cli",
    digest_at: str = "10:00",
    quiet_hours: tuple[str, str] = ("21:00", "08:00"),
    organisation: str | None = None,
) -> Project:
    """A new project with its leads, who are also made members so they hear what members hear."""
    code = normalise_code(code)
    title = " ".join(title.split())
    if not title:
        raise InvalidInput("a project needs a title")
    if not leads:
        raise InvalidInput("a project needs at least one lead")
    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(f"unknown time zone '{time_zone}'") from error
    if await session.scalar(select(Project.id).where(Project.code == code)) is not None:
        raise InvalidInput(f"project {code} already exists")

    project = Project(
        code=code,
        title=title,
        time_zone=time_zone,
        default_language=default_language,
        open_to_all=open_to_all,
        sharing=sharing,
        created_at=now,
        digest_at=digest_at,
        quiet_from=quiet_hours[0],
        quiet_until=quiet_hours[1],
        organisation=organisation_name(organisation),
    )
    session.add(project)
    await session.flush()
    seen: set[int] = set()
    for contributor, kind in leads:
        if contributor.id in seen:
            continue
        seen.add(contributor.id)
        session.add(
            ProjectLead(
                project_id=project.id, contributor_id=contributor.id, kind=kind, added_at=now
            )
        )
        session.add(
            Membership(
                project_id=project.id,
                contributor_id=contributor.id,
                status=MembershipStatus.JOINED,
                invited_at=now,
                joined_at=now,
            )
        )
    await record_audit(
        session,
        actor=actor,
        action="project.create",
        at=now,
        project_id=project.id,
        details={"code": code, "leads": sorted(seen), "sharing": sharing.value},
    )
    await session.flush()
    return project


# As long as the column holds; a name longer than this is a sentence, not a name.
ORGANISATION_LIMIT = 200


def organisation_name(typed: str | None) -> str | None:
    """The organisation's name as typed, spaces tidied; None for none (blank)."""
    name = " ".join((typed or "").split())
    if len(name) > ORGANISATION_LIMIT:
        raise InvalidInput(f"an organisation's name has at most {ORGANISATION_LIMIT} characters")
    return name or None


async def organisations_of(session: AsyncSession, project_ids: set[int]) -> dict[int, str]:
    """The organisation each of these projects names itself, for those that name one."""
    if not project_ids:
        return {}
    found = await session.execute(
        select(Project.id, Project.organisation).where(
            Project.id.in_(project_ids), Project.organisation.is_not(None)
        )
    )
    return {project_id: name for project_id, name in found.all() if name}


async def find_project(session: AsyncSession, code: str) -> Project:
    project = await session.scalar(select(Project).where(Project.code == code.strip().upper()))
    if project is None:
        raise NotFound(f"no project {code.strip().upper()}")
    return project


@dataclass(frozen=True)
class MembersAdded:
    added: tuple[int, ...]
    already: tuple[int, ...]


async def add_members(
    session: AsyncSession,
    project: Project,
    contributors: Sequence[Contributor],
    now: datetime,
    actor: str = "cli",
) -> MembersAdded:
    """Invite contributors; those already in the project (or who left it) are left as they are."""
    existing = set(
        (
            await session.scalars(
                select(Membership.contributor_id).where(Membership.project_id == project.id)
            )
        ).all()
    )
    added: list[int] = []
    already: list[int] = []
    for contributor in contributors:
        if contributor.id in existing:
            already.append(contributor.id)
            continue
        existing.add(contributor.id)
        session.add(
            Membership(
                project_id=project.id,
                contributor_id=contributor.id,
                status=MembershipStatus.INVITED,
                invited_at=now,
            )
        )
        added.append(contributor.id)
    if added:
        await record_audit(
            session,
            actor=actor,
            action="project.add_members",
            at=now,
            project_id=project.id,
            details={"contributors": added},
        )
    await session.flush()
    return MembersAdded(tuple(added), tuple(already))


@dataclass(frozen=True)
class ProjectSummary:
    project: Project
    lead_ids: tuple[int, ...]
    member_count: int


async def list_projects(session: AsyncSession) -> list[ProjectSummary]:
    projects = (await session.scalars(select(Project).order_by(Project.code))).all()
    leads = (
        await session.execute(
            select(ProjectLead.project_id, ProjectLead.contributor_id).order_by(
                ProjectLead.contributor_id
            )
        )
    ).all()
    counts = dict(
        (
            await session.execute(
                select(Membership.project_id, func.count())
                .where(Membership.status != MembershipStatus.LEFT)
                .group_by(Membership.project_id)
            )
        ).all()
    )
    return [
        ProjectSummary(
            project=project,
            lead_ids=tuple(c for p, c in leads if p == project.id),
            member_count=counts.get(project.id, 0),
        )
        for project in projects
    ]
