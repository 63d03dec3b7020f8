"""Scheduled job handlers, by job kind. The scheduler claims a due job and calls its handler
inside a transaction; the handler's changes and outbox rows commit with the job's "done".

Kinds are registered here as the flows that need them arrive (window open and close,
reminders, digests); a job of a kind not listed here is retried and then marked failed, so a
newer release can still pick it up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

JobHandler = Callable[[AsyncSession, Mapping[str, Any], datetime], Awaitable[None]]

JOB_HANDLERS: dict[str, JobHandler] = {}
