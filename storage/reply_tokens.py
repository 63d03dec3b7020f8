"""Reply tokens: the unguessable part of the address a contributor's email replies go to."""

from __future__ import annotations

import base64
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ReplyToken
from .upsert import insert_many_unless_exist, insert_unless_exists


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


async def tokens_for(
    session: AsyncSession, pairs: set[tuple[int, int | None]], now: datetime
) -> dict[tuple[int, int | None], str]:
    """``token_for`` for many contributor-and-project pairs: one query when all exist."""
    found = await _tokens_of(session, pairs)
    missing = pairs - found.keys()
    with_project = {(cid, pid) for cid, pid in missing if pid is not None}
    if with_project:
        # All at once; a token made meanwhile by someone else wins, as in ``token_for``.
        await insert_many_unless_exist(
            session,
            ReplyToken.__table__,
            [
                {"token": new_token(), "contributor_id": cid, "project_id": pid, "created_at": now}
                for cid, pid in with_project
            ],
            ["contributor_id", "project_id"],
        )
        found.update(await _tokens_of(session, with_project))
    for contributor_id, project_id in missing - found.keys():
        # Without a project the unique index cannot decide (NULLs differ): one at a time.
        found[(contributor_id, project_id)] = await token_for(
            session, contributor_id, project_id, now
        )
    return found


async def _tokens_of(
    session: AsyncSession, pairs: set[tuple[int, int | None]]
) -> dict[tuple[int, int | None], str]:
    if not pairs:
        return {}
    rows = await session.execute(
        select(ReplyToken.contributor_id, ReplyToken.project_id, ReplyToken.token).where(
            ReplyToken.contributor_id.in_({contributor_id for contributor_id, _ in pairs})
        )
    )
    return {(cid, pid): token for cid, pid, token in rows if (cid, pid) in pairs}


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
