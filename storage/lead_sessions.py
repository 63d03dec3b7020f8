"""One-time sign-in links and signed-in sessions of the leads' workspace, and the service's
own secrets. Callers pass tokens; only their SHA-256 hashes are stored or looked up."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from .models import FormSubmission, LeadSession, ServiceSecret, SignInLink


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """32 random bytes, URL-safe: unguessable, and short enough for an SMS."""
    return secrets.token_urlsafe(32)


async def _add_token(
    session: AsyncSession,
    model: type[SignInLink] | type[LeadSession],
    contributor_id: int,
    now: datetime,
    expires_at: datetime,
) -> str:
    """A new token for a link or a session; only its hash is stored."""
    token = new_token()
    session.add(
        model(
            token_hash=token_hash(token),
            contributor_id=contributor_id,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()
    return token


async def add_sign_in_link(
    session: AsyncSession, contributor_id: int, *, now: datetime, expires_at: datetime
) -> str:
    return await _add_token(session, SignInLink, contributor_id, now, expires_at)


async def usable_link(session: AsyncSession, token: str, now: datetime) -> SignInLink | None:
    """The link this token opens, if it is unused and in time."""
    link = await session.scalar(
        select(SignInLink).where(SignInLink.token_hash == token_hash(token))
    )
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    return link


async def use_link(session: AsyncSession, link: SignInLink, now: datetime) -> bool:
    """Mark the link used; False if another request used it first (it counts once)."""
    result = await session.execute(
        update(SignInLink)
        .where(SignInLink.id == link.id, SignInLink.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1


async def start_session(
    session: AsyncSession, contributor_id: int, *, now: datetime, expires_at: datetime
) -> str:
    return await _add_token(session, LeadSession, contributor_id, now, expires_at)


async def live_session(session: AsyncSession, token: str, now: datetime) -> LeadSession | None:
    row = await session.scalar(
        select(LeadSession).where(LeadSession.token_hash == token_hash(token))
    )
    if row is None or row.ended_at is not None or row.expires_at <= now:
        return None
    return row


async def end_session(session: AsyncSession, token: str, now: datetime) -> None:
    await session.execute(
        update(LeadSession)
        .where(LeadSession.token_hash == token_hash(token), LeadSession.ended_at.is_(None))
        .values(ended_at=now)
    )


async def service_secret(session: AsyncSession, name: str) -> str:
    """The named secret, made on first use; two processes starting together agree on one."""
    found = await session.get(ServiceSecret, name)
    if found is not None:
        return found.value
    try:
        async with session.begin_nested():
            session.add(ServiceSecret(name=name, value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass
    found = await session.get(ServiceSecret, name, populate_existing=True)
    assert found is not None
    return found.value


async def claim_form(
    session: AsyncSession, form_id: str, contributor_id: int, now: datetime
) -> bool:
    """Record that a form is being acted on; False if it already was. In the caller's
    transaction, so a form whose action fails can be sent again."""
    try:
        async with session.begin_nested():
            session.add(FormSubmission(form_id=form_id, contributor_id=contributor_id, used_at=now))
    except IntegrityError:
        return False
    return True
