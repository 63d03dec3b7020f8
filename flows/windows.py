"""Flow 3: meetings and the comment window after each one.

When a meeting ends its window opens (a scheduled job) and every member is told the closing
date and how to comment. A reminder goes 48 hours before the close; an extension needs a
reason, which goes to everyone. Jobs carry the closing time they were made for, so after an
extension the old reminder and close do nothing and the new ones take over.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.errors import InvalidInput
from storage.jobs import schedule_job
from storage.models import CommentWindow, Meeting, Project
from storage.windows import (
    add_meeting,
    create_window,
    meeting_ends_at,
    meeting_has_window,
    open_window,
    record_extension,
)

from .closing import refuse_if_closed
from .keywords import Command, keyword_words
from .outbound import Message, Reader, send_to_members
from .window_jobs import schedule_window_jobs


def meeting_text(reader: Reader, project: Project, meeting: Meeting) -> Message:
    t = reader.t
    lines = [
        t.gettext("{code} meeting: {when}.").format(
            code=project.code, when=reader.when(meeting.starts_at)
        ),
    ]
    if meeting.place:
        lines.append(t.gettext("Place: {place}.").format(place=meeting.place))
    lines.append(
        t.ngettext(
            "If you cannot come, you can still send comments for {days} day after it.",
            "If you cannot come, you can still send comments for {days} days after it.",
            meeting.window_days,
        ).format(days=meeting.window_days)
    )
    subject = t.gettext("{title}: next meeting").format(title=project.title)
    return Message(reader.paragraphs(lines), subject=subject)


async def add_project_meeting(
    session: AsyncSession,
    project: Project,
    *,
    starts_at: datetime,
    minutes: int,
    place: str | None,
    window_days: int | None,
    now: datetime,
    actor: str = "cli",
) -> tuple[Meeting, int]:
    """Record a meeting, invite the members (if it is still ahead) and schedule its window."""
    refuse_if_closed(project)
    meeting = await add_meeting(
        session,
        project_id=project.id,
        starts_at=starts_at,
        minutes=minutes,
        place=place,
        window_days=window_days or project.window_days,
        now=now,
    )
    await schedule_job(
        session,
        name=f"meeting:{meeting.id}:window-open",
        kind="window-open",
        due_at=meeting_ends_at(meeting),
        now=now,
        payload={"meeting_id": meeting.id},
    )
    reached = 0
    if starts_at > now:
        reached = await send_to_members(
            session,
            project,
            kind="meeting",
            render=lambda reader: meeting_text(reader, project, meeting),
            now=now,
        )
    await record_audit(
        session,
        actor=actor,
        action="meeting.add",
        at=now,
        project_id=project.id,
        details={"meeting": meeting.id, "starts_at": starts_at.isoformat()},
    )
    return meeting, reached


@dataclass(frozen=True)
class LateMeeting:
    """A meeting recorded after it ended: its comments close ``closes_at`` (None when that
    has passed and no window will open), and ``window_days`` would give people a full
    window from now."""

    closes_at: datetime | None
    window_days: int


def late_meeting(project: Project, meeting: Meeting, now: datetime) -> LateMeeting | None:
    """Whether a meeting was recorded too late for people to have the project's full time
    for comments after it (its window counts from when it ended)."""
    ended = meeting_ends_at(meeting)
    closes = ended + timedelta(days=meeting.window_days)
    if ended > now or closes - now >= timedelta(days=project.window_days):
        return None
    needed = math.ceil((now + timedelta(days=project.window_days) - ended) / timedelta(days=1))
    return LateMeeting(closes if closes > now else None, needed)


def window_open_text(reader: Reader, project: Project, window: CommentWindow) -> Message:
    t = reader.t
    words = keyword_words(t)
    first = t.gettext("Comments on {code} are open until {when}.").format(
        code=project.code, when=reader.when(window.closes_at)
    )
    how = t.gettext("To comment, reply with your comment in your own words.")
    other = t.gettext("Or start with {comment} {code} if you are in more than one project.").format(
        comment=words[Command.COMMENT], code=project.code
    )
    subject = t.gettext("{title}: send us your comments").format(title=project.title)
    if reader.sms:
        return Message(f"{first} {how}", subject=subject)
    return Message("\n\n".join([first, how, other]), subject=subject)


async def open_comment_window(
    session: AsyncSession,
    project: Project,
    *,
    now: datetime,
    days: int | None = None,
    closes_at: datetime | None = None,
    meeting_id: int | None = None,
    actor: str = "cli",
) -> CommentWindow:
    """Open the project's one window now (for ``days``, or until ``closes_at``), tell every
    member, and schedule its reminder, digests and close. Refused while one is open."""
    days = days or project.window_days
    if days < 1:
        raise InvalidInput("a comment window lasts at least a day")
    if meeting_id is None:
        refuse_if_closed(project)
    if current := await open_window(session, project.id, now):
        raise InvalidInput(
            f"comments on {project.code} are already open until "
            f"{current.closes_at:%Y-%m-%d %H:%M} UTC; extend the window instead"
        )
    window = await create_window(
        session,
        project_id=project.id,
        # When it really opened, for the record: a meeting recorded late opens its window
        # when it is recorded, not when it ended.
        opens_at=now,
        closes_at=closes_at or now + timedelta(days=days),
        meeting_id=meeting_id,
    )
    await schedule_window_jobs(session, project, window, now)
    await send_to_members(
        session,
        project,
        kind="window-open",
        render=lambda reader: window_open_text(reader, project, window),
        now=now,
    )
    await record_audit(
        session,
        actor=actor,
        action="window.open",
        at=now,
        project_id=project.id,
        details={"window": window.id, "closes_at": window.closes_at.isoformat()},
    )
    return window


def extension_text(reader: Reader, project: Project, window: CommentWindow, reason: str) -> Message:
    t = reader.t
    first = t.gettext("Comments on {code} are now open for longer, until {when}.").format(
        code=project.code, when=reader.when(window.closes_at)
    )
    why = t.gettext("The reason: {reason}").format(reason=reason)
    subject = t.gettext("{title}: more time for comments").format(title=project.title)
    return Message(reader.paragraphs([first, why]), subject=subject)


async def extend_comment_window(
    session: AsyncSession,
    project: Project,
    *,
    until: datetime,
    reason: str,
    now: datetime,
    extended_by: int | None = None,
    actor: str = "cli",
) -> CommentWindow:
    """Move the open window's close; refused without a reason. Everyone is told why."""
    window = await open_window(session, project.id, now)
    if window is None:
        raise InvalidInput(
            f"comments on {project.code} are not open, so there is nothing to extend"
        )
    extension = await record_extension(
        session, window, new_closes_at=until, reason=reason, extended_by=extended_by, now=now
    )
    await schedule_window_jobs(session, project, window, now)
    await send_to_members(
        session,
        project,
        kind="window-extended",
        render=lambda reader: extension_text(reader, project, window, extension.reason),
        now=now,
    )
    await record_audit(
        session,
        actor=actor,
        action="window.extend",
        at=now,
        project_id=project.id,
        details={
            "window": window.id,
            "from": extension.previous_closes_at.isoformat(),
            "to": extension.new_closes_at.isoformat(),
            "reason": extension.reason,
        },
    )
    return window


def reminder_text(reader: Reader, project: Project, window: CommentWindow) -> Message:
    t = reader.t
    body = t.gettext(
        "Two days left: comments on {code} close on {when}. Reply with your comments before then."
    ).format(code=project.code, when=reader.when(window.closes_at))
    subject = t.gettext("{title}: two days left to comment").format(title=project.title)
    return Message(body, subject=subject)


async def current_window(
    session: AsyncSession, payload: Mapping[str, Any]
) -> tuple[CommentWindow, Project] | None:
    """The window a job is for, if it still closes when the job was made for."""
    window = await session.get(CommentWindow, int(payload["window_id"]))
    if window is None:
        return None
    if "closes_at" in payload and window.closes_at.isoformat() != payload["closes_at"]:
        return None  # the window was extended; the job made for the new close takes over
    project = await session.get(Project, window.project_id)
    return (window, project) if project is not None else None


async def run_window_open(session: AsyncSession, payload: Mapping[str, Any], now: datetime) -> None:
    """A meeting has ended: open the project's window, or, when one is open, keep it open
    until the comments on this meeting are due too. A project has one window at a time."""
    meeting = await session.get(Meeting, int(payload["meeting_id"]))
    if meeting is None or meeting.cancelled_at is not None:
        return
    if await meeting_has_window(session, meeting.id):
        return
    project = await session.get(Project, meeting.project_id)
    assert project is not None
    closes = meeting_ends_at(meeting) + timedelta(days=meeting.window_days)
    current = await open_window(session, project.id, now)
    if current is not None:
        await carry_on_after_meeting(session, project, current, meeting, closes, now)
        return
    if closes <= now:
        return  # recorded too late for any comments; the lead was told when adding it
    await open_comment_window(
        session, project, now=now, closes_at=closes, meeting_id=meeting.id, actor="scheduler"
    )


def carried_on_text(reader: Reader, project: Project, window: CommentWindow) -> Message:
    t = reader.t
    body = t.gettext(
        "After the latest meeting, comments on {code} are now open until {when}."
    ).format(code=project.code, when=reader.when(window.closes_at))
    subject = t.gettext("{title}: more time for comments").format(title=project.title)
    return Message(body, subject=subject)


async def carry_on_after_meeting(
    session: AsyncSession,
    project: Project,
    window: CommentWindow,
    meeting: Meeting,
    closes: datetime,
    now: datetime,
) -> None:
    """A meeting ended while comments were open: the open window takes its comments, and
    closes when they are due if that is later. Everyone hears the one new date, once."""
    if closes <= window.closes_at:
        return  # it already stays open long enough for this meeting's comments
    await record_extension(
        session,
        window,
        new_closes_at=closes,
        reason=f"meeting {meeting.id} ended while comments were open",
        extended_by=None,
        now=now,
        meeting_id=meeting.id,
    )
    await schedule_window_jobs(session, project, window, now)
    await send_to_members(
        session,
        project,
        kind="window-extended",
        render=lambda reader: carried_on_text(reader, project, window),
        now=now,
    )
    await record_audit(
        session,
        actor="scheduler",
        action="window.after-meeting",
        at=now,
        project_id=project.id,
        details={"window": window.id, "meeting": meeting.id, "to": closes.isoformat()},
    )


async def run_window_reminder(
    session: AsyncSession, payload: Mapping[str, Any], now: datetime
) -> None:
    found = await current_window(session, payload)
    if found is None:
        return
    window, project = found
    await send_to_members(
        session,
        project,
        kind="window-reminder",
        render=lambda reader: reminder_text(reader, project, window),
        now=now,
    )
