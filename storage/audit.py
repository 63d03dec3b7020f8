"""The append-only audit log: who did what to which project, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import AuditEntry


async def record_audit(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    at: datetime,
    project_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an entry. ``details`` carry ids and choices, never contact details."""
    session.add(
        AuditEntry(actor=actor, action=action, at=at, project_id=project_id, details=details or {})
    )


async def project_audit(session: AsyncSession, project_id: int) -> list[AuditEntry]:
    """A project's entries in time order (the order they were added, for equal times)."""
    return list(
        (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.project_id == project_id)
                .order_by(AuditEntry.at, AuditEntry.id)
            )
        ).all()
    )


async def project_audit_page(
    session: AsyncSession, project_id: int, *, offset: int, limit: int
) -> tuple[int, list[AuditEntry]]:
    """How many entries the project has, and one page of them, newest first."""
    total = await session.scalar(select(func.count()).where(AuditEntry.project_id == project_id))
    entries = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.project_id == project_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return int(total or 0), list(entries.all())
