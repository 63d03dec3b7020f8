"""A project's message times: when its daily digest goes and its quiet hours. Changing them
moves the open window's digests, reminder and close to the new times."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.errors import InvalidInput
from storage.models import Project
from storage.windows import open_window

from .quiet_hours import clock_time
from .window_jobs import schedule_window_jobs


def quiet_hours_of(text: str) -> tuple[str, str]:
    """Quiet hours typed as "21:00-08:00" (or "none" for no quiet hours)."""
    if text.strip().casefold() in {"none", "off"}:
        return "00:00", "00:00"
    start, separator, end = text.partition("-")
    if not separator:
        raise InvalidInput(f"'{text}' is not quiet hours like 21:00-08:00")
    return hh_mm(start), hh_mm(end)


def hh_mm(text: str) -> str:
    """A typed local time, as stored: "9:30" is "09:30"."""
    return clock_time(text).strftime("%H:%M")


async def set_message_times(
    session: AsyncSession,
    project: Project,
    *,
    digest_at: str | None,
    quiet_hours: str | None,
    now: datetime,
    actor: str,
) -> Project:
    """Set the digest time and/or quiet hours; the open window's jobs follow."""
    if digest_at is None and quiet_hours is None:
        raise InvalidInput("say what to change: a digest time, quiet hours, or both")
    before = {"digest_at": project.digest_at, "quiet_hours": _quiet(project)}
    if digest_at is not None:
        project.digest_at = hh_mm(digest_at)
    if quiet_hours is not None:
        project.quiet_from, project.quiet_until = quiet_hours_of(quiet_hours)
    window = await open_window(session, project.id, now)
    if window is not None:
        await schedule_window_jobs(session, project, window, now)
    await record_audit(
        session,
        actor=actor,
        action="project.message-times",
        at=now,
        project_id=project.id,
        details={
            "from": before,
            "to": {"digest_at": project.digest_at, "quiet_hours": _quiet(project)},
        },
    )
    return project


def _quiet(project: Project) -> str:
    if project.quiet_from == project.quiet_until:
        return "none"
    return f"{project.quiet_from}-{project.quiet_until}"


def describe_message_times(project: Project) -> str:
    """The times as leads read them: "digest at 10:00; quiet 21:00 to 08:00"."""
    quiet = _quiet(project)
    if quiet == "none":
        return f"digest at {project.digest_at}; no quiet hours"
    return f"digest at {project.digest_at}; quiet {project.quiet_from} to {project.quiet_until}"
