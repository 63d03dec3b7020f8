"""Where a contributor is in a conversation: a numbered choice waiting, a question to reply
to. Kept in the database so a restart loses nothing."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Contributor, ConversationState
from .upsert import insert_from_select


async def pending_state(session: AsyncSession, contributor_id: int) -> ConversationState | None:
    return await session.get(ConversationState, contributor_id)


async def set_state(
    session: AsyncSession,
    contributor_id: int,
    state: str,
    data: dict[str, Any],
    expires_at: datetime,
    now: datetime,
) -> None:
    row = await session.get(ConversationState, contributor_id)
    if row is None:
        session.add(
            ConversationState(
                contributor_id=contributor_id,
                state=state,
                data=data,
                expires_at=expires_at,
                updated_at=now,
            )
        )
    else:
        row.state, row.data, row.expires_at, row.updated_at = state, data, expires_at, now
    await session.flush()


async def set_states(
    session: AsyncSession,
    contributor_ids: list[int],
    state: str,
    data: dict[str, Any],
    expires_at: datetime,
    now: datetime,
) -> None:
    """The same state for many people at once (a question to a whole group)."""
    if not contributor_ids:
        return
    await session.execute(
        delete(ConversationState).where(ConversationState.contributor_id.in_(contributor_ids))
    )
    await insert_from_select(
        session,
        ConversationState.__table__,
        {"contributor_id": Contributor.id},
        Contributor.id.in_(contributor_ids),
        {"state": state, "data": data, "expires_at": expires_at, "updated_at": now},
    )


async def clear_state(session: AsyncSession, contributor_id: int) -> None:
    await session.execute(
        delete(ConversationState).where(ConversationState.contributor_id == contributor_id)
    )


async def states_of(
    session: AsyncSession, contributor_ids: list[int], now: datetime
) -> dict[int, str]:
    """Each contributor's state that has not expired yet."""
    if not contributor_ids:
        return {}
    rows = await session.execute(
        select(ConversationState.contributor_id, ConversationState.state).where(
            ConversationState.contributor_id.in_(contributor_ids),
            (ConversationState.expires_at.is_(None)) | (ConversationState.expires_at > now),
        )
    )
    return dict(rows.all())
