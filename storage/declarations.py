"""Declarations of interest: each one is a new row, so the history is kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import Declaration


async def record_declaration(
    session: AsyncSession,
    *,
    contributor_id: int,
    project_id: int,
    text: str | None,
    channel: ChannelName | None,
    now: datetime,
) -> Declaration:
    """``text`` None means "nothing to declare"."""
    declaration = Declaration(
        contributor_id=contributor_id,
        project_id=project_id,
        has_interest=text is not None,
        text=text,
        channel=channel,
        declared_at=now,
    )
    session.add(declaration)
    await session.flush()
    return declaration


async def declarations_of(
    session: AsyncSession, contributor_id: int, project_id: int
) -> list[Declaration]:
    return list(
        (
            await session.scalars(
                select(Declaration)
                .where(
                    Declaration.contributor_id == contributor_id,
                    Declaration.project_id == project_id,
                )
                .order_by(Declaration.declared_at, Declaration.id)
            )
        ).all()
    )
