"""Reply tokens: the unguessable part of the address a contributor's email replies go to."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ReplyToken
from .upsert import insert_unless_exists


def new_token() -> str:
    # 120 random bits, lower-case base32: survives mail systems that fold the case of addresses.
    return base64.b32encode(secrets.token_bytes(15)).decode("ascii").lower()


async def token_for(
    session: AsyncSession, contributor_id: int, project_id: int | None, now: datetime
) -> str:
    """The token for this contributor and project, made the first time it is needed."""
    existing = await _find(session, contributor_id, project_id)
    if existing is not None:
        return existing
    await insert_unless_exists(
        session,
        ReplyToken.__table__,
        {
            "token": new_token(),
            "contributor_id": contributor_id,
            "project_id": project_id,
            "created_at": now,
        },
        ["contributor_id", "project_id"],
        key="token",
    )
    found = await _find(session, contributor_id, project_id)
    assert found is not None
    return found


async def _find(session: AsyncSession, contributor_id: int, project_id: int | None) -> str | None:
    project_match = (
        ReplyToken.project_id.is_(None)
        if project_id is None
        else ReplyToken.project_id == project_id
    )
    return await session.scalar(
        select(ReplyToken.token).where(ReplyToken.contributor_id == contributor_id, project_match)
    )


async def resolve_token(session: AsyncSession, token: str) -> ReplyToken | None:
    return await session.get(ReplyToken, token.strip().lower())
