"""A meeting that changes (a new time, a new place or both) or is cancelled, before it starts.

Every member is told, with the reason, in their language and with the dates written out.
The meeting's comment window follows it: a new time moves the job that opens the window to
the new end; a cancelled meeting's job is settled without running, so no window opens.
A meeting that asks who is coming asks again after a change (an answer may change with the
time or the place); after a cancellation no one is asked any more.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.attendance import drop_attendance_questions
from storage.audit import record_audit
from storage.errors import InvalidInput
from storage.jobs import cancel_job, reschedule_job, schedule_job
from storage.models import Meeting, Project
from storage.windows import (
    meeting_ends_at,
    move_meeting,
    record_cancellation,
    tidy_words,
)

from .attendance import ask_who_is_coming
from .closing import refuse_if_closed
from .outbound import Message, Reader, send_to_members


class MeetingRefused(InvalidInput):
    """A change or cancellation that cannot be made; nothing was changed."""


class MeetingStarted(MeetingRefused):
    """The meeting has started (or is over): what happened cannot be changed."""


class MeetingCancelled(MeetingRefused):
    """The meeting was cancelled already."""


class TimeGone(MeetingRefused):
    """The new time is not in the future."""


class NothingToChange(MeetingRefused):
    """Neither a new time nor a new place was given, or they are the ones it has."""


class ReasonNeeded(MeetingRefused):
    """Every member is told why, so a reason must be given."""


def window_open_job(meeting: Meeting) -> str:
    """The name flows.windows gives the job that opens the meeting's comment window."""
    return f"meeting:{meeting.id}:window-open"


def is_ahead(meeting: Meeting, now: datetime) -> bool:
    """Whether the meeting may still be changed or cancelled: not cancelled, not started."""
    return meeting.cancelled_at is None and meeting.starts_at > now


def _refuse_unless_ahead(project: Project, meeting: Meeting, now: datetime, doing: str) -> None:
    refuse_if_closed(project)
    if meeting.cancelled_at is not None:
        raise MeetingCancelled(f"meeting {meeting.id} is already cancelled")
    if not is_ahead(meeting, now):
        raise MeetingStarted(f"meeting {meeting.id} has already started, so it cannot be {doing}")


def _reason(reason: str, doing: str) -> str:
    tidied = tidy_words(reason)
    if not tidied:
        raise ReasonNeeded(f"a {doing} needs a reason; it is sent to every member")
    return tidied


def changed_text(
    reader: Reader,
    project: Project,
    meeting: Meeting,
    *,
    was: datetime,
    place_changed: bool,
    reason: str,
) -> Message:
    t = reader.t
    if meeting.starts_at != was:
        first = t.gettext("The {code} meeting has moved to {new}. It was on {old}.").format(
            code=project.code, old=reader.when(was), new=reader.when(meeting.starts_at)
        )
    else:
        first = t.gettext("The {code} meeting on {when} is in a new place.").format(
            code=project.code, when=reader.when(meeting.starts_at)
        )
    lines = [first]
    if meeting.place and (place_changed or meeting.starts_at != was):
        lines.append(t.gettext("Place: {place}.").format(place=meeting.place))
    lines.append(t.gettext("The reason: {reason}").format(reason=reason))
    subject = t.gettext("{title}: the meeting has changed").format(title=project.title)
    return Message(reader.paragraphs(lines), subject=subject)


async def change_meeting(
    session: AsyncSession,
    project: Project,
    meeting: Meeting,
    *,
    starts_at: datetime | None,
    place: str | None,
    reason: str,
    now: datetime,
    actor: str = "cli",
) -> int:
    """Move a meeting that is still ahead to a new time or place (or both); every member is
    told what changed and why. Returns how many were told."""
    _refuse_unless_ahead(project, meeting, now, "changed")
    new_place = tidy_words(place) or None
    if starts_at is None and new_place is None:
        raise NothingToChange("give the meeting a new time or a new place, or both")
    if starts_at is not None and starts_at <= now:
        raise TimeGone("the new time must be in the future")
    why = _reason(reason, "change")
    was, place_was = meeting.starts_at, meeting.place
    new_start = starts_at or was
    place_changed = new_place is not None and new_place != place_was
    if new_start == was and not place_changed:
        raise NothingToChange(f"meeting {meeting.id} is already at that time and place")
    await move_meeting(
        session, meeting, starts_at=new_start, place=new_place if place_changed else place_was
    )
    if new_start != was:
        # The window opens when the meeting ends, so its job follows the new end.
        name, ends = window_open_job(meeting), meeting_ends_at(meeting)
        if not await reschedule_job(session, name, ends):
            await schedule_job(
                session,
                name=name,
                kind="window-open",
                due_at=ends,
                now=now,
                payload={"meeting_id": meeting.id},
            )
    reached = await send_to_members(
        session,
        project,
        kind="meeting-changed",
        render=lambda reader: changed_text(
            reader, project, meeting, was=was, place_changed=place_changed, reason=why
        ),
        now=now,
    )
    if meeting.ask_attendance:
        await ask_who_is_coming(session, project, meeting, now=now)
    await record_audit(
        session,
        actor=actor,
        action="meeting.change",
        at=now,
        project_id=project.id,
        details={
            "meeting": meeting.id,
            "from": was.isoformat(),
            "to": new_start.isoformat(),
            "place_changed": place_changed,
            "reason": why,
        },
    )
    return reached


def cancelled_text(reader: Reader, project: Project, meeting: Meeting, reason: str) -> Message:
    t = reader.t
    first = t.gettext("The {code} meeting on {when} is cancelled.").format(
        code=project.code, when=reader.when(meeting.starts_at)
    )
    why = t.gettext("The reason: {reason}").format(reason=reason)
    subject = t.gettext("{title}: the meeting is cancelled").format(title=project.title)
    return Message(reader.paragraphs([first, why]), subject=subject)


async def cancel_meeting(
    session: AsyncSession,
    project: Project,
    meeting: Meeting,
    *,
    reason: str,
    now: datetime,
    actor: str = "cli",
) -> int:
    """Cancel a meeting that is still ahead: every member is told why, no comment window
    opens after it and no one is asked any more whether they are coming."""
    _refuse_unless_ahead(project, meeting, now, "cancelled")
    why = _reason(reason, "cancellation")
    await record_cancellation(session, meeting, reason=why, now=now)
    await cancel_job(session, window_open_job(meeting), now)
    await drop_attendance_questions(session, meeting.id)
    reached = await send_to_members(
        session,
        project,
        kind="meeting-cancelled",
        render=lambda reader: cancelled_text(reader, project, meeting, why),
        now=now,
    )
    await record_audit(
        session,
        actor=actor,
        action="meeting.cancel",
        at=now,
        project_id=project.id,
        details={"meeting": meeting.id, "reason": why},
    )
    return reached
