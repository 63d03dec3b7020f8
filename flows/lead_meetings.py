"""The leads' meeting actions, for the command line and the workspace alike: add a meeting
(asking who is coming, if the lead wants), change or cancel one, and see who is coming.

As in :mod:`flows.lead_actions` (whose rule for acting as a lead these use), each function
finds what it is about, checks the actor may act there as a lead and calls the flow that
decides; the adapters only read the input and write the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import NotFound
from storage.models import LeadKind, Meeting, Project
from storage.windows import find_meeting, project_meetings

from . import attendance, lead_actions, meeting_changes
from .attendance import AttendanceList
from .lead_actions import Actor
from .times import local_time


async def led_meeting(
    session: AsyncSession, actor: Actor, meeting_id: int, code: str | None = None
) -> tuple[Project, Meeting, LeadKind]:
    """The meeting, its project and how the actor leads it, for an actor who may lead it.
    With ``code``, a meeting of another project is not found."""
    meeting = await find_meeting(session, meeting_id)
    project = await session.get(Project, meeting.project_id)
    assert project is not None  # a meeting's project is kept while the meeting is
    if code is not None and code.strip().upper() != project.code:
        await lead_actions.led_project(session, actor, code)  # not theirs: refused as such
        raise NotFound(f"no meeting {meeting_id} in {code.strip().upper()}")
    _, kind = await lead_actions.led_project_as(session, actor, project.code)
    return project, meeting, kind


async def add_meeting(
    session: AsyncSession,
    actor: Actor,
    code: str,
    *,
    starts: str,
    minutes: int,
    place: str | None,
    window_days: int | None,
    ask_attendance: bool,
    now: datetime,
) -> tuple[Project, Meeting, int]:
    """Record a meeting and invite the members; with ``ask_attendance`` they are also asked
    whether they are coming. ``starts`` is 'YYYY-MM-DD HH:MM' in the project's zone."""
    project, meeting, reached = await lead_actions.add_meeting(
        session,
        actor,
        code,
        starts=starts,
        minutes=minutes,
        place=place,
        window_days=window_days,
        now=now,
    )
    if ask_attendance:
        await attendance.start_asking(session, project, meeting, now=now, actor=actor.label)
    return project, meeting, reached


async def change_meeting(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    *,
    starts: str | None,
    place: str | None,
    reason: str,
    now: datetime,
    code: str | None = None,
) -> tuple[Project, Meeting, int]:
    """A new time ('YYYY-MM-DD HH:MM' in the project's zone), a new place, or both."""
    project, meeting, _ = await led_meeting(session, actor, meeting_id, code)
    reached = await meeting_changes.change_meeting(
        session,
        project,
        meeting,
        starts_at=local_time(starts, project.time_zone) if starts else None,
        place=place,
        reason=reason,
        now=now,
        actor=actor.label,
    )
    return project, meeting, reached


async def cancel_meeting(
    session: AsyncSession,
    actor: Actor,
    meeting_id: int,
    *,
    reason: str,
    now: datetime,
    code: str | None = None,
) -> tuple[Project, Meeting, int]:
    project, meeting, _ = await led_meeting(session, actor, meeting_id, code)
    reached = await meeting_changes.cancel_meeting(
        session, project, meeting, reason=reason, now=now, actor=actor.label
    )
    return project, meeting, reached


async def meeting_attendance(
    session: AsyncSession, actor: Actor, meeting_id: int, *, code: str | None = None
) -> tuple[Project, AttendanceList]:
    """Who is coming, as much as this lead may see (see :func:`attendance.attendance_list`)."""
    project, meeting, kind = await led_meeting(session, actor, meeting_id, code)
    return project, await attendance.attendance_list(session, project, meeting, kind)


# For the workspace's pages


@dataclass(frozen=True)
class MeetingView:
    id: int
    starts_at: datetime
    minutes: int
    place: str | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    asks_attendance: bool
    # Not cancelled and not started: it may still be changed or cancelled.
    ahead: bool


def _view(meeting: Meeting, now: datetime) -> MeetingView:
    return MeetingView(
        id=meeting.id,
        starts_at=meeting.starts_at,
        minutes=meeting.minutes,
        place=meeting.place,
        cancelled_at=meeting.cancelled_at,
        cancel_reason=meeting.cancel_reason,
        asks_attendance=meeting.ask_attendance,
        ahead=meeting_changes.is_ahead(meeting, now),
    )


async def meetings_of(
    session: AsyncSession, actor: Actor, code: str, now: datetime
) -> tuple[Project, tuple[MeetingView, ...]]:
    project = await lead_actions.led_project(session, actor, code)
    meetings = await project_meetings(session, project.id)
    return project, tuple(_view(meeting, now) for meeting in meetings)


async def one_meeting(
    session: AsyncSession, actor: Actor, code: str, meeting_id: int, now: datetime
) -> tuple[Project, MeetingView, AttendanceList | None]:
    """One meeting of the project, and who is coming if it asked."""
    project, meeting, kind = await led_meeting(session, actor, meeting_id, code)
    answers = None
    if meeting.ask_attendance:
        answers = await attendance.attendance_list(session, project, meeting, kind)
    return project, _view(meeting, now), answers
