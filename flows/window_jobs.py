"""When a window's messages are due: a digest each day at the project's digest time, one
reminder about two days before the close, and the closing digest at the first digest time
after the close. Jobs carry the closing time they were made for, so after an extension the
old reminder and close do nothing and the new ones take over; digests are named by their
day, so scheduling again never queues a second one for the same day.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.jobs import reschedule_job, schedule_job
from storage.models import CommentWindow, Project

from .quiet_hours import digest_time_before, digest_time_from, digest_times

REMINDER_BEFORE_CLOSE = timedelta(hours=48)


def reminder_time(project: Project, window: CommentWindow) -> datetime:
    """The last digest time at least two days before the close: the reminder never says
    "two days left" when there is less."""
    return digest_time_before(project, window.closes_at - REMINDER_BEFORE_CLOSE)


async def schedule_window_jobs(
    session: AsyncSession, project: Project, window: CommentWindow, now: datetime
) -> None:
    """Queue (or move to the project's current times) the window's digests, reminder and
    close."""
    closes = window.closes_at
    payload = {"window_id": window.id, "closes_at": closes.isoformat()}
    await _schedule(
        session,
        name=f"window:{window.id}:close:{closes.isoformat()}",
        kind="window-close",
        due_at=digest_time_from(project, closes),
        now=now,
        payload=payload,
    )
    reminder_at = reminder_time(project, window)
    if reminder_at > now and reminder_at > window.opens_at:
        await _schedule(
            session,
            name=f"window:{window.id}:reminder:{closes.isoformat()}",
            kind="window-reminder",
            due_at=reminder_at,
            now=now,
            payload=payload,
        )
    zone = ZoneInfo(project.time_zone)
    for due in digest_times(project, after=max(window.opens_at, now), before=closes):
        await _schedule(
            session,
            name=f"window:{window.id}:digest:{due.astimezone(zone).date().isoformat()}",
            kind="window-daily-digest",
            due_at=due,
            now=now,
            payload={"window_id": window.id},
        )


async def _schedule(
    session: AsyncSession,
    *,
    name: str,
    kind: str,
    due_at: datetime,
    now: datetime,
    payload: dict[str, object],
) -> None:
    """Queue the job, or move it when it is already queued (the project's times changed)."""
    if not await schedule_job(
        session, name=name, kind=kind, due_at=due_at, now=now, payload=payload
    ):
        await reschedule_job(session, name, due_at)
