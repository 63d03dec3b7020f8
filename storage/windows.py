"""Meetings and the comment windows that open after them, with their extensions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput, NotFound
from .models import CommentWindow, Meeting, WindowExtension


async def add_meeting(
    session: AsyncSession,
    *,
    project_id: int,
    starts_at: datetime,
    minutes: int,
    place: str | None,
    window_days: int,
    now: datetime,
) -> Meeting:
    if minutes < 1:
        raise InvalidInput("a meeting lasts at least a minute")
    if window_days < 1:
        raise InvalidInput("a comment window lasts at least a day")
    meeting = Meeting(
        project_id=project_id,
        starts_at=starts_at,
        minutes=minutes,
        place=" ".join(place.split()) if place else None,
        window_days=window_days,
        created_at=now,
    )
    session.add(meeting)
    await session.flush()
    return meeting


def meeting_ends_at(meeting: Meeting) -> datetime:
    return meeting.starts_at + timedelta(minutes=meeting.minutes)


async def create_window(
    session: AsyncSession,
    *,
    project_id: int,
    opens_at: datetime,
    closes_at: datetime,
    meeting_id: int | None = None,
) -> CommentWindow:
    if closes_at <= opens_at:
        raise InvalidInput("a comment window must close after it opens")
    window = CommentWindow(
        project_id=project_id,
        meeting_id=meeting_id,
        opens_at=opens_at,
        closes_at=closes_at,
        original_closes_at=closes_at,
    )
    session.add(window)
    await session.flush()
    return window


async def window_for_meeting(session: AsyncSession, meeting_id: int) -> CommentWindow | None:
    return await session.scalar(
        select(CommentWindow).where(CommentWindow.meeting_id == meeting_id).limit(1)
    )


async def meeting_has_window(session: AsyncSession, meeting_id: int) -> bool:
    """Whether the comments on this meeting already have a window: one it opened, or the
    open one it kept open for longer."""
    if await window_for_meeting(session, meeting_id) is not None:
        return True
    moved = await session.scalar(
        select(WindowExtension.id).where(WindowExtension.meeting_id == meeting_id).limit(1)
    )
    return moved is not None


async def open_window(
    session: AsyncSession, project_id: int, now: datetime
) -> CommentWindow | None:
    """The project's open window (the newest, if meetings were close together)."""
    return (await open_windows(session, [project_id], now)).get(project_id)


async def open_windows(
    session: AsyncSession, project_ids: list[int], now: datetime
) -> dict[int, CommentWindow]:
    """Each project's open window, for the projects that have one (the newest wins)."""
    if not project_ids:
        return {}
    windows = (
        await session.scalars(
            select(CommentWindow)
            .where(
                CommentWindow.project_id.in_(project_ids),
                CommentWindow.opens_at <= now,
                CommentWindow.closes_at > now,
            )
            .order_by(CommentWindow.opens_at, CommentWindow.id)
        )
    ).all()
    return {window.project_id: window for window in windows}


async def last_closed_windows(
    session: AsyncSession, project_ids: list[int], now: datetime
) -> dict[int, CommentWindow]:
    """Each project's most recently closed window."""
    if not project_ids:
        return {}
    windows = (
        await session.scalars(
            select(CommentWindow)
            .where(CommentWindow.project_id.in_(project_ids), CommentWindow.closes_at <= now)
            .order_by(CommentWindow.closes_at, CommentWindow.id)
        )
    ).all()
    return {window.project_id: window for window in windows}


async def record_extension(
    session: AsyncSession,
    window: CommentWindow,
    *,
    new_closes_at: datetime,
    reason: str,
    extended_by: int | None,
    now: datetime,
    meeting_id: int | None = None,
) -> WindowExtension:
    reason = " ".join(reason.split())
    if not reason:
        raise InvalidInput("an extension needs a reason; it is sent to every member")
    if new_closes_at <= window.closes_at:
        raise InvalidInput("the new closing time must be later than the current one")
    if new_closes_at <= now:
        raise InvalidInput("the new closing time must be in the future")
    extension = WindowExtension(
        window_id=window.id,
        previous_closes_at=window.closes_at,
        new_closes_at=new_closes_at,
        reason=reason,
        extended_by=extended_by,
        extended_at=now,
        meeting_id=meeting_id,
    )
    window.closes_at = new_closes_at
    session.add(extension)
    await session.flush()
    return extension


async def find_meeting(session: AsyncSession, meeting_id: int) -> Meeting:
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(f"no meeting {meeting_id}")
    return meeting


def tidy_words(text: str | None) -> str:
    """White space of any kind as single spaces: a place or a reason as one clean line."""
    return " ".join(text.split()) if text else ""


async def move_meeting(
    session: AsyncSession, meeting: Meeting, *, starts_at: datetime, place: str | None
) -> None:
    """Give the meeting its new start and place (its length stays as it was)."""
    meeting.starts_at = starts_at
    meeting.place = tidy_words(place) or None
    await session.flush()


async def record_cancellation(
    session: AsyncSession, meeting: Meeting, *, reason: str, now: datetime
) -> None:
    meeting.cancelled_at = now
    meeting.cancel_reason = tidy_words(reason)
    await session.flush()


async def project_meetings(session: AsyncSession, project_id: int) -> list[Meeting]:
    """The project's meetings, the earliest first."""
    return list(
        (
            await session.scalars(
                select(Meeting)
                .where(Meeting.project_id == project_id)
                .order_by(Meeting.starts_at, Meeting.id)
            )
        ).all()
    )
