"""Brief versions: every version is kept with its change note; the newest is the brief."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput
from .models import BriefVersion


async def add_brief_version(
    session: AsyncSession,
    *,
    project_id: int,
    text: str,
    summary: str,
    change_note: str | None,
    alt_formats: dict[str, str],
    published_by: int | None,
    now: datetime,
) -> BriefVersion:
    if not text.strip():
        raise InvalidInput("the brief is empty")
    latest = await session.scalar(
        select(func.max(BriefVersion.version)).where(BriefVersion.project_id == project_id)
    )
    brief = BriefVersion(
        project_id=project_id,
        version=(latest or 0) + 1,
        text=text.strip(),
        summary=summary.strip(),
        change_note=change_note.strip() if change_note and change_note.strip() else None,
        alt_formats=dict(alt_formats),
        published_at=now,
        published_by=published_by,
    )
    session.add(brief)
    await session.flush()
    return brief


async def latest_brief(session: AsyncSession, project_id: int) -> BriefVersion | None:
    return await session.scalar(
        select(BriefVersion)
        .where(BriefVersion.project_id == project_id)
        .order_by(BriefVersion.version.desc())
        .limit(1)
    )


async def brief_versions(session: AsyncSession, project_id: int) -> list[BriefVersion]:
    return list(
        (
            await session.scalars(
                select(BriefVersion)
                .where(BriefVersion.project_id == project_id)
                .order_by(BriefVersion.version)
            )
        ).all()
    )
