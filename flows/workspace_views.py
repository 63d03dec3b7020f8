"""What the leads' workspace shows, read for it: the projects a person leads with what needs
them, and a project's audit log; a project's people and what its members sent (with what
became of each message) are read in :mod:`flows.workspace_people` and offered here too.

Values only: codes and numbers, never words (the templates translate the codes). Every read
takes a fixed number of statements, however many rows it covers (grouped counts and joins in
:mod:`storage.workspace_queries`, never a query per row).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage import workspace_queries as q
from storage.audit import project_audit_page
from storage.memberships import led_project_ids
from storage.models import LeadKind, Project, ProjectStatus

from .workspace_people import (
    OUTCOME_OF_REPLY,
    InboxLine,
    InboxOutcome,
    PeoplePage,
    PersonLine,
    project_inbox,
    project_people,
)

__all__ = [
    "OUTCOME_OF_REPLY",
    "AuditLine",
    "AuditPage",
    "InboxLine",
    "InboxOutcome",
    "PeoplePage",
    "PersonLine",
    "ProjectCard",
    "lead_projects",
    "project_audit",
    "project_inbox",
    "project_people",
]

DAY = timedelta(days=1)


@dataclass(frozen=True)
class ProjectCard:
    code: str
    title: str
    status: ProjectStatus
    lead_kind: LeadKind
    window_closes_at: datetime | None  # the open window's close (the latest, if several)
    days_left: int | None  # whole days to that close, a part day counting as one
    waiting_check: int  # comments, questions and replies held for a lead's check
    needing_response: int  # comments with no response, not hidden or withdrawn
    unanswered_questions: int  # members' questions to the leads with no answer
    invited_not_joined: int
    failed_deliveries: int  # failed or undelivered messages of the project


async def lead_projects(
    session: AsyncSession, contributor_id: int, now: datetime
) -> list[ProjectCard]:
    """The projects this person leads and has joined, by code, with what needs the leads."""
    ids = await led_project_ids(session, contributor_id)
    led = await q.projects_led_as(session, contributor_id, ids)
    if not led:
        return []
    closes = await q.open_windows_close(session, ids, now)
    waiting = await q.waiting_check_counts(session, ids)
    needing = await q.comments_needing_response(session, ids)
    unanswered = await q.unanswered_question_counts(session, ids)
    invited = await q.invited_not_joined_counts(session, ids)
    failed = await q.failed_delivery_counts(session, ids)
    return [
        ProjectCard(
            code=project.code,
            title=project.title,
            status=project.status,
            lead_kind=kind,
            window_closes_at=closes.get(project.id),
            days_left=_days_until(closes.get(project.id), now),
            waiting_check=waiting.get(project.id, 0),
            needing_response=needing.get(project.id, 0),
            unanswered_questions=unanswered.get(project.id, 0),
            invited_not_joined=invited.get(project.id, 0),
            failed_deliveries=failed.get(project.id, 0),
        )
        for project, kind in led
    ]


def _days_until(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else math.ceil((moment - now) / DAY)


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str  # as stored: "contributor:3", "cli:<login name>"...
    action: str
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    total: int
    entries: tuple[AuditLine, ...]


async def project_audit(
    session: AsyncSession, project: Project, *, offset: int = 0, limit: int = 100
) -> AuditPage:
    """One page of the project's audit log, newest first."""
    total, entries = await project_audit_page(session, project.id, offset=offset, limit=limit)
    return AuditPage(
        total,
        tuple(AuditLine(e.at, e.actor, e.action, dict(e.details or {})) for e in entries),
    )
