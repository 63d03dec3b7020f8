"""Scheduled job handlers, by job kind. The scheduler claims a due job and calls its handler
inside a transaction; the handler's changes and outbox rows commit with the job's "done".

A job of a kind not listed here is retried and then marked failed, so a newer release can
still pick it up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .closing import run_review_reminder
from .digests import run_daily_digest, run_followup_digest, run_window_close
from .polls import run_poll_close
from .responsibility import run_response_due
from .windows import run_window_open, run_window_reminder

JobHandler = Callable[[AsyncSession, Mapping[str, Any], datetime], Awaitable[None]]

JOB_HANDLERS: dict[str, JobHandler] = {
    "window-open": run_window_open,
    "window-reminder": run_window_reminder,
    "window-daily-digest": run_daily_digest,
    "window-close": run_window_close,
    "window-followup-digest": run_followup_digest,
    "project-review": run_review_reminder,
    "poll-close": run_poll_close,
    "response-due": run_response_due,
}
