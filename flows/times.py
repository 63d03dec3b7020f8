"""Reading the times leads type ("2026-12-01 18:00") in the project's time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from storage.errors import InvalidInput

_DATE_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?$")


def local_time(text: str, time_zone: str, default_time: time | None = None) -> datetime:
    """``YYYY-MM-DD HH:MM`` (or just the date, when a default time is given) in the project's
    zone, as an aware UTC datetime."""
    match = _DATE_TIME.match(" ".join(text.split()))
    if not match or (match.group(2) is None and default_time is None):
        wanted = "YYYY-MM-DD HH:MM" if default_time is None else "YYYY-MM-DD or YYYY-MM-DD HH:MM"
        raise InvalidInput(f"'{text}' is not a date and time like {wanted}")
    try:
        day = date.fromisoformat(match.group(1))
        at = time.fromisoformat(match.group(2).zfill(5)) if match.group(2) else default_time
    except ValueError as error:
        raise InvalidInput(f"'{text}' is not a real date and time") from error
    assert at is not None
    return datetime.combine(day, at, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def local_clock_time(moment: datetime, time_zone: str) -> time:
    return moment.astimezone(ZoneInfo(time_zone)).time().replace(second=0, microsecond=0)
