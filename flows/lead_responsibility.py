"""A lead names who responds, and by when, for every way a lead reaches us (the command line,
the workspace): the comment or question found, checked that the actor leads its project, and
passed to :mod:`flows.responsibility`, as in :mod:`flows.lead_actions`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.comments import find_comment
from storage.contributors import find_contributor
from storage.errors import InvalidInput
from storage.models import Contributor, Membership, MembershipStatus, Project, ProjectLead
from storage.questions import find_question

from . import responsibility
from .lead_actions import Actor, authorise
from .lead_messages import Sent


@dataclass(frozen=True)
class Named:
    """Who was named for the response to a comment or question, by when, and whether they
    have the message that says so."""

    project: Project
    number: int
    person: Contributor
    due_on: date
    told: Sent


@dataclass(frozen=True)
class Naming:
    """For a lead's form: the leads who may be named, and who is named now, by when."""

    leads: tuple[tuple[int, str], ...]  # (contributor id, name)
    named_id: int | None
    named: str | None  # None: no one, or someone erased
    due_on: date | None


async def naming_of(session: AsyncSession, project: Project, item: responsibility.Item) -> Naming:
    """The leads of the project who may be named (those who may act as its leads: they lead
    it and have joined it), and the assignment that stands on ``item``."""
    leads = (
        await session.execute(
            select(Contributor.id, Contributor.name)
            .join(ProjectLead, ProjectLead.contributor_id == Contributor.id)
            .join(
                Membership,
                (Membership.project_id == ProjectLead.project_id)
                & (Membership.contributor_id == Contributor.id),
            )
            .where(
                ProjectLead.project_id == project.id,
                Membership.status == MembershipStatus.JOINED,
                Contributor.erased_at.is_(None),
            )
            .order_by(Contributor.name, Contributor.id)
        )
    ).all()
    named = await session.get(Contributor, item.assigned_to) if item.assigned_to else None
    return Naming(
        tuple((person, name) for person, name in leads),
        item.assigned_to,
        named.name if named is not None and named.erased_at is None else None,
        item.due_on,
    )


def due_day(text: str) -> date:
    """The due day as typed: YYYY-MM-DD, in the project's zone."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidInput(f"'{text}' is not a date like YYYY-MM-DD") from error


async def assign_comment(
    session: AsyncSession,
    actor: Actor,
    comment_id: int,
    person: str,
    *,
    due_on: date,
    now: datetime,
) -> Named:
    """Name a lead (an id or email) for the response to a comment, due by ``due_on``."""
    comment = await find_comment(session, comment_id)
    return await _assign(session, actor, comment, person, due_on, now)


async def assign_question(
    session: AsyncSession,
    actor: Actor,
    question_id: int,
    person: str,
    *,
    due_on: date,
    now: datetime,
) -> Named:
    """Name a lead (an id or email) for the written answer to a member's question."""
    question = await find_question(session, question_id)
    return await _assign(session, actor, question, person, due_on, now)


async def _assign(
    session: AsyncSession,
    actor: Actor,
    item: responsibility.Item,
    person: str,
    due_on: date,
    now: datetime,
) -> Named:
    project = await session.get(Project, item.project_id)
    assert project is not None  # a comment or question belongs to a project
    await authorise(session, project, actor)
    lead = await find_contributor(session, person)
    told = await responsibility.assign_response(
        session, project, item, lead, due_on, now=now, actor=actor.label
    )
    return Named(project, item.id, lead, due_on, told)
