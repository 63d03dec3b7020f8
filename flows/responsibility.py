"""Who responds, and by when: a lead named for the response to a comment, or for the written
answer to a member's question to the leads, with the day it is due (in the project's zone).

The named lead is told at once. The day before the due day, at the project's digest time,
they are reminded, unless it is done; the day after, if it is still not done, every lead
hears that it passed. A later assignment replaces the earlier (the audit log keeps both):
each job carries the person and the day it was made for, so the old jobs do nothing and the
new ones take over, as a comment window's jobs do after an extension.

A comment's response is done when it has a status other than under review; a question's
written answer is done when the leads have answered it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.audit import record_audit
from storage.errors import InvalidInput, NotFound
from storage.jobs import schedule_job
from storage.memberships import led_project_ids
from storage.models import (
    Answer,
    Comment,
    Contributor,
    Membership,
    Project,
    ProjectLead,
    Question,
    QuestionDirection,
    ResponseStatus,
)
from storage.questions import is_answered

from .i18n import format_day
from .lead_messages import Sent, send_once
from .outbound import Message, Reader, send_to, send_to_leads
from .quiet_hours import digest_time_from
from .record_checklist import Commitment, needs_response

Item = Comment | Question
JOB_KIND = "response-due"


def item_kind(item: Item) -> str:
    return "comment" if isinstance(item, Comment) else "question"


def assigned_text(reader: Reader, project: Project, item: Item, due_on: date) -> Message:
    """What the named lead is told at once."""
    t = reader.t
    if isinstance(item, Comment):
        # TRANSLATORS: {day} is a day written out with its weekday: Tuesday 1 December 2026.
        text = t.gettext(
            "You are responsible for the response to comment {number} on {code}, by {day}."
        )
    else:
        # TRANSLATORS: {day} is a day written out with its weekday: Tuesday 1 December 2026.
        text = t.gettext(
            "You are responsible for the written answer to question {number} on {code}, by {day}."
        )
    subject = t.gettext("{title}: you are named for a response").format(title=project.title)
    return Message(_filled(text, reader, project, item, due_on), subject=subject)


def reminder_text(reader: Reader, project: Project, item: Item, due_on: date) -> Message:
    """The named lead's reminder, the day before the due day."""
    t = reader.t
    if isinstance(item, Comment):
        # TRANSLATORS: {day} is a day written out with its weekday: Tuesday 1 December 2026.
        text = t.gettext("A reminder: the response to comment {number} on {code} is due by {day}.")
    else:
        # TRANSLATORS: {day} is a day written out with its weekday: Tuesday 1 December 2026.
        text = t.gettext(
            "A reminder: the written answer to question {number} on {code} is due by {day}."
        )
    subject = t.gettext("{title}: a response is due soon").format(title=project.title)
    return Message(_filled(text, reader, project, item, due_on), subject=subject)


def overdue_text(
    reader: Reader, project: Project, item: Item, due_on: date, named: str | None
) -> Message:
    """What every lead hears the day after the due day, when it is still not done."""
    t = reader.t
    if isinstance(item, Comment):
        # TRANSLATORS: {day} is a day written out with its weekday: Tuesday 1 December 2026.
        text = t.gettext("The response to comment {number} on {code} was due on {day}.")
    else:
        # TRANSLATORS: {day} is a day written out with its weekday: Tuesday 1 December 2026.
        text = t.gettext("The written answer to question {number} on {code} was due on {day}.")
    if named is None:  # the named lead was erased
        who = t.gettext("No one is named for it now.")
    else:
        # TRANSLATORS: {name} is the name of the lead named for the response.
        who = t.gettext("{name} is named for it.").format(name=named)
    subject = t.gettext("{title}: a response is late").format(title=project.title)
    return Message(
        reader.paragraphs([_filled(text, reader, project, item, due_on), who]), subject=subject
    )


def _filled(text: str, reader: Reader, project: Project, item: Item, day: date) -> str:
    return text.format(number=item.id, code=project.code, day=format_day(day, reader.language))


async def is_done(session: AsyncSession, item: Item) -> bool:
    """The response is given: a status other than under review, or a written answer."""
    if isinstance(item, Comment):
        return not needs_response(item.response_status)
    return await is_answered(session, item.id)


def today_in(project: Project, now: datetime) -> date:
    return now.astimezone(ZoneInfo(project.time_zone)).date()


async def assign_response(
    session: AsyncSession,
    project: Project,
    item: Item,
    person: Contributor,
    due_on: date,
    *,
    now: datetime,
    actor: str,
) -> Sent:
    """Name a lead of the project for the response to ``item`` by ``due_on``, replacing any
    earlier assignment; tell them, and queue their reminder and the leads' notice for when
    the day has passed. Returns what became of the message to them."""
    kind = item_kind(item)
    if item.project_id != project.id:
        raise NotFound(f"no {kind} {item.id} in {project.code}")
    if isinstance(item, Question) and item.direction != QuestionDirection.TO_LEADS:
        raise InvalidInput(
            f"question {item.id} was asked by the leads to the group; only a member's "
            "question to the leads waits for a written answer"
        )
    if await is_done(session, item):
        done = "has a response" if isinstance(item, Comment) else "is answered"
        raise InvalidInput(f"{kind} {item.id} already {done}; name someone before it is done")
    today = today_in(project, now)
    if due_on < today:
        raise InvalidInput(
            f"the due date {due_on.isoformat()} is in the past (today is "
            f"{today.isoformat()} in {project.time_zone})"
        )
    if person.erased_at is not None or project.id not in await led_project_ids(session, person.id):
        raise InvalidInput(
            f"contributor {person.id} is not a lead of {project.code}; name one of its leads"
        )
    item.assigned_to = person.id
    item.due_on = due_on
    await _schedule(session, project, item, now=now)
    await session.refresh(person, ["contact_points"])
    told = await send_once(
        session,
        person,
        project,
        kind="response-assigned",
        render=lambda reader: assigned_text(reader, project, item, due_on),
        now=now,
        hold_at_night=True,
    )
    await record_audit(
        session,
        actor=actor,
        action=f"{kind}.assign",
        at=now,
        project_id=project.id,
        details={
            kind: item.id,
            "assigned_to": person.id,
            "due_on": due_on.isoformat(),
            "told": bool(told),
        },
    )
    await session.flush()
    return told


def _at_digest_time(project: Project, day: date) -> datetime:
    """The project's digest time on that local day."""
    return digest_time_from(project, datetime.combine(day, time(0), ZoneInfo(project.time_zone)))


async def _schedule(session: AsyncSession, project: Project, item: Item, *, now: datetime) -> None:
    """The reminder the day before the due day (unless that has passed) and the leads'
    notice the day after. Named for the person and the day, so a reassignment queues its
    own and the old ones find they are no longer meant."""
    assert item.due_on is not None and item.assigned_to is not None
    kind = item_kind(item)
    payload = {
        "item": kind,
        "id": item.id,
        "due_on": item.due_on.isoformat(),
        "assigned_to": item.assigned_to,
    }
    name = f"response:{kind}:{item.id}:{item.due_on.isoformat()}:lead-{item.assigned_to}"
    remind_at = _at_digest_time(project, item.due_on - timedelta(days=1))
    if remind_at > now:
        await schedule_job(
            session,
            name=f"{name}:reminder",
            kind=JOB_KIND,
            due_at=remind_at,
            now=now,
            payload={**payload, "stage": "reminder"},
        )
    await schedule_job(
        session,
        name=f"{name}:overdue",
        kind=JOB_KIND,
        due_at=_at_digest_time(project, item.due_on + timedelta(days=1)),
        now=now,
        payload={**payload, "stage": "overdue"},
    )


async def run_response_due(
    session: AsyncSession, payload: Mapping[str, Any], now: datetime
) -> None:
    """Remind the named lead the day before, or tell every lead the day after, if the
    response is still not done and the job is for the assignment that stands."""
    model = Comment if payload["item"] == "comment" else Question
    item = await session.get(model, int(payload["id"]))
    if (
        item is None
        or item.due_on is None
        or item.due_on.isoformat() != payload["due_on"]
        or item.assigned_to != payload["assigned_to"]
    ):
        return  # reassigned, or its person is gone: the assignment that stands has its jobs
    if await is_done(session, item):
        return
    project = await session.get(Project, item.project_id)
    assert project is not None
    due_on = item.due_on
    person = await session.get(
        Contributor, item.assigned_to, options=[selectinload(Contributor.contact_points)]
    )
    if payload["stage"] == "reminder":
        if person is None or person.erased_at is not None or today_in(project, now) > due_on:
            return  # nobody to remind, or the day has passed: the leads' notice speaks
        reached = int(
            await send_to(
                session,
                person,
                project,
                kind="response-reminder",
                render=lambda reader: reminder_text(reader, project, item, due_on),
                now=now,
                hold_at_night=True,
            )
        )
    else:
        named = person.name if person is not None and person.erased_at is None else None
        reached = await send_to_leads(
            session,
            project,
            kind="response-overdue",
            render=lambda reader: overdue_text(reader, project, item, due_on, named),
            now=now,
            hold_at_night=True,
        )
    await record_audit(
        session,
        actor="scheduler",
        action=f"{payload['item']}.response_{payload['stage']}",
        at=now,
        project_id=project.id,
        details={payload["item"]: item.id, "due_on": due_on.isoformat(), "reached": reached},
    )


async def commitment_facts(session: AsyncSession, project: Project) -> Commitment:
    """The project's :class:`~flows.record_checklist.Commitment`, counted in the database:
    the same for the whole record and for a page that shows only the checklist."""
    comments = Comment.project_id == project.id
    questions = (Question.project_id == project.id) & (
        Question.direction == QuestionDirection.TO_LEADS
    )
    responded = Comment.response_status.is_not(None) & (
        Comment.response_status != ResponseStatus.UNDER_REVIEW
    )
    answered_at = (
        select(func.min(Answer.answered_at))
        .where(Answer.question_id == Question.id)
        .scalar_subquery()
    )
    responses = unnamed = 0
    for model, where in ((Comment, comments), (Question, questions)):
        total, nobody = (
            await session.execute(
                select(func.count(), func.count().filter(model.assigned_to.is_(None))).where(where)
            )
        ).one()
        responses, unnamed = responses + total, unnamed + (nobody or 0)
    waiting: dict[date, int] = {}
    for model, where in (
        (Comment, comments & ~responded),
        (Question, questions & answered_at.is_(None)),
    ):
        rows = await session.execute(
            select(model.due_on, func.count())
            .where(where, model.due_on.is_not(None))
            .group_by(model.due_on)
        )
        for day, count in rows:
            waiting[day] = waiting.get(day, 0) + count
    # Only those given that had a due day, two columns each: whether one was late is decided
    # on its local day, which the database cannot tell portably.
    given = [
        *(
            await session.execute(
                select(Comment.due_on, Comment.responded_at).where(
                    comments, responded, Comment.due_on.is_not(None)
                )
            )
        ),
        *(
            await session.execute(
                select(Question.due_on, answered_at).where(
                    questions, Question.due_on.is_not(None), answered_at.is_not(None)
                )
            )
        ),
    ]
    zone = ZoneInfo(project.time_zone)
    return Commitment(
        responses=responses,
        unnamed=unnamed,
        late=sum(1 for due_on, at in given if at.astimezone(zone).date() > due_on),
        waiting=tuple(sorted(waiting.items())),
        involved_from=await _first_invitation(session, project),
        closed_at=project.closed_at,
        time_zone=project.time_zone,
    )


async def _first_invitation(session: AsyncSession, project: Project) -> datetime:
    """When the first member who is not a lead was invited (the leads were made members
    when the project was made, or when they became leads); the project's creation if no
    one was."""
    leads = select(ProjectLead.contributor_id).where(ProjectLead.project_id == project.id)
    first = await session.scalar(
        select(func.min(Membership.invited_at)).where(
            Membership.project_id == project.id, Membership.contributor_id.not_in(leads)
        )
    )
    return first or project.created_at
