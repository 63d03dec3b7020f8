"""When a project's messages may go: its quiet hours and its daily digest time.

No scheduled or broadcast message is sent in the quiet hours (21:00 to 08:00 in the
project's zone unless the project says otherwise): it is queued as usual and held until the
morning. A direct reply to someone who has just written is never held. Digests go once a
day at the project's digest time (10:00 by default).
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.errors import InvalidInput
from storage.models import Project


def clock_time(text: str) -> time:
    """A local time typed as HH:MM ("10:00", "9:30")."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError as error:
        raise InvalidInput(f"'{text}' is not a time like 10:00") from error


def _at(day: datetime, clock: time, zone: ZoneInfo) -> datetime:
    """That local clock time on the local day of ``day``, in UTC (real local time, so a
    change of the clocks in spring or autumn is followed)."""
    return datetime.combine(day.date(), clock, tzinfo=zone).astimezone(UTC)


def held_until(project: Project, now: datetime) -> datetime | None:
    """When quiet hours end, if ``now`` falls in them; None when a message may go now."""
    zone = ZoneInfo(project.time_zone)
    start, end = clock_time(project.quiet_from), clock_time(project.quiet_until)
    if start == end:
        return None  # no quiet hours
    local = now.astimezone(zone)
    moment = local.time()
    if start < end:  # quiet within one day, e.g. 13:00 to 14:00
        quiet = start <= moment < end
        return _at(local, end, zone) if quiet else None
    # Quiet over midnight, e.g. 21:00 to 08:00.
    if moment >= start:
        return _at(local + timedelta(days=1), end, zone)
    if moment < end:
        return _at(local, end, zone)
    return None


def send_time(project: Project, due: datetime) -> datetime:
    """The first moment at or after ``due`` outside the project's quiet hours."""
    return held_until(project, due) or due


def digest_times(project: Project, after: datetime, before: datetime) -> list[datetime]:
    """Each day's digest time strictly after ``after`` and strictly before ``before``."""
    zone = ZoneInfo(project.time_zone)
    clock = clock_time(project.digest_at)
    day = after.astimezone(zone)
    times = []
    while (moment := _at(day, clock, zone)) < before:
        if moment > after:
            times.append(moment)
        day += timedelta(days=1)
    return times


def digest_time_from(project: Project, moment: datetime) -> datetime:
    """The first digest time at or after ``moment``."""
    zone = ZoneInfo(project.time_zone)
    clock = clock_time(project.digest_at)
    local = moment.astimezone(zone)
    today = _at(local, clock, zone)
    return today if today >= moment else _at(local + timedelta(days=1), clock, zone)


def digest_time_before(project: Project, moment: datetime) -> datetime:
    """The last digest time at or before ``moment``."""
    zone = ZoneInfo(project.time_zone)
    clock = clock_time(project.digest_at)
    local = moment.astimezone(zone)
    today = _at(local, clock, zone)
    return today if today <= moment else _at(local - timedelta(days=1), clock, zone)
