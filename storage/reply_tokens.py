"""Reply tokens: the unguessable part of the address a contributor's email replies go to;
and unsubscribe tokens, the unguessable part of the link that stops email to one address."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .lead_sessions import service_secret
from .models import ContactPoint, ReplyToken
from .upsert import insert_many_unless_exist, insert_unless_exists

# An unsubscribe token is the contact point's id and a MAC of it and its address, so it can
# only stop that one address, and stops working if the address is changed. Not a reply
# token: one that leaked in a link (a forwarded email, a proxy's log) can stop the emails,
# never write as the person.
_UNSUBSCRIBE = re.compile(r"^([1-9][0-9]{0,9})-([a-z2-7]{32})$")
# The largest id an INTEGER column holds; a larger number in a token names no address (and
# must not reach PostgreSQL, which would refuse it).
_LARGEST_ID = 2**31 - 1


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


async def unsubscribe_secret(session: AsyncSession) -> str:
    return await service_secret(session, "unsubscribe")


def unsubscribe_token(secret: str, point_id: int, address: str) -> str:
    """The token of the link that stops email to this address (no storage: it is a MAC)."""
    return f"{point_id}-{_mac(secret, point_id, address)}"


async def point_of_unsubscribe_token(
    session: AsyncSession, token: str, *, lock: bool = False
) -> ContactPoint | None:
    """The contact point a genuine unsubscribe token names; None for any other token.
    ``lock`` holds the row until the transaction ends (PostgreSQL), so two clicks at once
    stop it once."""
    found = _UNSUBSCRIBE.match(token.strip().lower())
    if found is None or int(found.group(1)) > _LARGEST_ID:
        return None
    point = await session.get(ContactPoint, int(found.group(1)), with_for_update=lock)
    if point is None:
        return None
    expected = _mac(await unsubscribe_secret(session), point.id, point.address)
    return point if hmac.compare_digest(found.group(2), expected) else None


def _mac(secret: str, point_id: int, address: str) -> str:
    digest = hmac.new(
        secret.encode(), f"unsubscribe:{point_id}:{address}".encode(), hashlib.sha256
    ).digest()
    # 160 bits, lower-case base32: no padding, nothing a URL or a mail program changes.
    return base64.b32encode(digest[:20]).decode("ascii").lower()
