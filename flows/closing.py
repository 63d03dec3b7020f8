"""The end of a project and after: closing it with a review date, the leads' reminder on that
date, and opening it again for comments, complaints or praise after completion.

A closed project keeps working for the people in it: what they send is kept (comments are
marked late, as after any window), questions reach the leads and are answered, and a brief
can still be published. Only new meetings and comment windows wait until it is reopened.

The reminder is a job named for the close it belongs to. When it runs it checks that the
project is still closed by that same close, so after a reopen, or a new close with another
date, the old reminder does nothing and only the new one speaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.errors import InvalidInput
from storage.jobs import schedule_job
from storage.memberships import leads_of, members_to_tell
from storage.models import CommentWindow, Meeting, Project, ProjectStatus, WindowExtension
from storage.windows import meeting_ends_at, open_window

from .i18n import format_day, format_when
from .outbound import Message, Reader, send_to, send_to_leads, send_to_members

# The reminder reaches the leads at the start of the working day, in the project's zone.
REVIEW_REMINDER_AT = time(9, 0)


def refuse_if_closed(project: Project) -> None:
    """New meetings and comment windows wait until a closed project is reopened."""
    if project.status == ProjectStatus.CLOSED:
        raise InvalidInput(
            f"{project.code} is closed; reopen it first (coproduce project reopen "
            f"{project.code} --reason ...)"
        )


def closed_text(reader: Reader, project: Project, review_on: date) -> Message:
    t = reader.t
    lines = [
        t.gettext("We have finished {code}. Thank you for taking part.").format(code=project.code),
        t.gettext("We will look back at it on {day} and tell you what changed.").format(
            day=format_day(review_on, reader.language)
        ),
    ]
    subject = t.gettext("{title}: thank you for taking part").format(title=project.title)
    return Message(reader.paragraphs(lines), subject=subject)


def review_due_text(reader: Reader, project: Project) -> Message:
    t = reader.t
    lines = [
        t.gettext("Today is the review date for {code}.").format(code=project.code),
        t.gettext("Please look back at what changed, and tell the members what you found."),
    ]
    subject = t.gettext("{title}: the review date is today").format(title=project.title)
    return Message(reader.paragraphs(lines), subject=subject)


def reopened_text(reader: Reader, project: Project, reason: str) -> Message:
    t = reader.t
    lines = [
        t.gettext("We have opened {code} again.").format(code=project.code),
        t.gettext("The reason: {reason}").format(reason=reason),
    ]
    subject = t.gettext("{title}: open again").format(title=project.title)
    return Message(reader.paragraphs(lines), subject=subject)


def review_job_name(project: Project) -> str:
    assert project.closed_at is not None
    return f"project:{project.id}:review:{project.closed_at.isoformat()}"


async def close_project(
    session: AsyncSession,
    project: Project,
    *,
    review_on: date,
    now: datetime,
    actor: str = "cli",
) -> int:
    """Close with a review date in the future, thank every member, and schedule the leads'
    reminder for that date; returns how many members were told."""
    zone = ZoneInfo(project.time_zone)
    if project.status == ProjectStatus.CLOSED:
        raise InvalidInput(
            f"{project.code} is already closed, with its review on "
            f"{project.review_on}; reopen it first to close it again"
        )
    today = now.astimezone(zone).date()
    if review_on <= today:
        raise InvalidInput(f"the review date must be in the future, after {today.isoformat()}")
    await _refuse_while_comments_may_come(session, project, now)

    project.status = ProjectStatus.CLOSED
    project.closed_at = now
    project.review_on = review_on
    await schedule_job(
        session,
        name=review_job_name(project),
        kind="project-review",
        due_at=datetime.combine(review_on, REVIEW_REMINDER_AT, tzinfo=zone).astimezone(UTC),
        now=now,
        payload={"project_id": project.id, "closed_at": now.isoformat()},
    )
    reached = await send_to_members(
        session,
        project,
        kind="project-closed",
        render=lambda reader: closed_text(reader, project, review_on),
        now=now,
    )
    await record_audit(
        session,
        actor=actor,
        action="project.close",
        at=now,
        project_id=project.id,
        details={"review_on": review_on.isoformat(), "reached": reached},
    )
    return reached


async def _refuse_while_comments_may_come(
    session: AsyncSession, project: Project, now: datetime
) -> None:
    """Everyone keeps the whole comment window they were promised after each meeting."""
    window = await open_window(session, project.id, now)
    if window is not None:
        closes = format_when(window.closes_at, "en", project.time_zone)
        raise InvalidInput(
            f"comments on {project.code} are open until {closes}; close the project after that"
        )
    # A meeting whose comments are still to come: not cancelled, with no window of its own
    # and none it kept open, and not so long ago that its comments would have closed.
    waiting = (
        await session.scalars(
            select(Meeting)
            .where(
                Meeting.project_id == project.id,
                Meeting.cancelled_at.is_(None),
                ~exists().where(CommentWindow.meeting_id == Meeting.id),
                ~exists().where(WindowExtension.meeting_id == Meeting.id),
            )
            .order_by(Meeting.starts_at)
        )
    ).all()
    meeting = next(
        (m for m in waiting if meeting_ends_at(m) + timedelta(days=m.window_days) > now), None
    )
    if meeting is not None:
        when = format_when(meeting.starts_at, "en", project.time_zone)
        raise InvalidInput(
            f"the {project.code} meeting on {when} has comments still to come; "
            "close the project after they close"
        )


async def reopen_project(
    session: AsyncSession,
    project: Project,
    *,
    reason: str,
    now: datetime,
    actor: str = "cli",
) -> int:
    """Make a closed project active again; every member and lead is told why. Returns how
    many were told. The review date stays as it was until the project is closed again."""
    reason = " ".join(reason.split())
    if project.status != ProjectStatus.CLOSED:
        raise InvalidInput(f"{project.code} is not closed, so there is nothing to reopen")
    if not reason:
        raise InvalidInput("reopening needs a reason; it is sent to every member")
    project.status = ProjectStatus.ACTIVE
    project.closed_at = None

    def render(reader: Reader) -> Message:
        return reopened_text(reader, project, reason)

    reached = await send_to_members(
        session, project, kind="project-reopened", render=render, now=now
    )
    members = {member.id for member in await members_to_tell(session, project.id)}
    for lead in await leads_of(session, project.id):
        if lead.id not in members:  # a lead who never joined as a member hears of it too
            reached += await send_to(
                session,
                lead,
                project,
                kind="project-reopened",
                render=render,
                now=now,
                hold_at_night=True,
            )
    await record_audit(
        session,
        actor=actor,
        action="project.reopen",
        at=now,
        project_id=project.id,
        details={"reason": reason, "reached": reached},
    )
    return reached


async def run_review_reminder(
    session: AsyncSession, payload: Mapping[str, Any], now: datetime
) -> None:
    """On the review date, remind the leads, if the project is still closed by that close."""
    project = await session.get(Project, int(payload["project_id"]))
    if (
        project is None
        or project.status != ProjectStatus.CLOSED
        or project.closed_at is None
        or project.closed_at.isoformat() != payload["closed_at"]
    ):
        return  # reopened, or closed again with a new date whose own job will speak
    reached = await send_to_leads(
        session,
        project,
        kind="project-review",
        render=lambda reader: review_due_text(reader, project),
        now=now,
        hold_at_night=True,
    )
    await record_audit(
        session,
        actor="scheduler",
        action="project.review_reminder",
        at=now,
        project_id=project.id,
        details={"review_on": str(project.review_on), "reached": reached},
    )
