"""Comments on a project, which of them have gone out in a daily digest, and the leads'
response to each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .errors import InvalidInput, NotFound
from .models import Comment, ResponseStatus


async def add_comment(
    session: AsyncSession,
    *,
    project_id: int,
    window_id: int | None,
    contributor_id: int | None,
    channel: ChannelName | None,
    text: str,
    is_late: bool,
    is_named: bool,
    inbound_message_id: int | None,
    now: datetime,
) -> Comment:
    if not text.strip():
        raise InvalidInput("a comment needs some words")
    comment = Comment(
        project_id=project_id,
        window_id=window_id,
        contributor_id=contributor_id,
        channel=channel,
        text=text.strip(),
        received_at=now,
        is_late=is_late,
        is_named=is_named,
        inbound_message_id=inbound_message_id,
    )
    session.add(comment)
    await session.flush()
    return comment


async def window_comments(session: AsyncSession, window_id: int) -> list[Comment]:
    """The comments made while a window was open, oldest first (late ones are left out)."""
    return list(
        (
            await session.scalars(
                select(Comment)
                .where(Comment.window_id == window_id, Comment.is_late.is_(False))
                .order_by(Comment.received_at, Comment.id)
            )
        ).all()
    )


async def take_undigested(session: AsyncSession, window_id: int, now: datetime) -> list[Comment]:
    """The window's comments not yet in a daily digest, marked as in one now."""
    comments = list(
        (
            await session.scalars(
                select(Comment)
                .where(
                    Comment.window_id == window_id,
                    Comment.is_late.is_(False),
                    Comment.digested_at.is_(None),
                )
                .order_by(Comment.received_at, Comment.id)
            )
        ).all()
    )
    if comments:
        await session.execute(
            update(Comment)
            .where(Comment.id.in_([c.id for c in comments]))
            .values(digested_at=now)
            .execution_options(synchronize_session=False)
        )
    return comments


async def project_comments(session: AsyncSession, project_id: int) -> list[Comment]:
    return list(
        (
            await session.scalars(
                select(Comment)
                .where(Comment.project_id == project_id)
                .order_by(Comment.received_at, Comment.id)
            )
        ).all()
    )


async def find_comment(session: AsyncSession, comment_id: int) -> Comment:
    comment = await session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"no comment {comment_id}")
    return comment


async def record_response(
    session: AsyncSession,
    comment: Comment,
    *,
    status: ResponseStatus,
    reason: str | None,
    responded_by: int | None,
    now: datetime,
) -> Comment:
    """Set the leads' response, replacing any earlier one (the audit log keeps them all)."""
    reason = " ".join((reason or "").split()) or None
    if reason is None and status != ResponseStatus.UNDER_REVIEW:
        raise InvalidInput(
            f"a response of {status} needs a reason; the comment's author is sent it"
        )
    comment.response_status = status
    comment.response_reason = reason
    comment.responded_at = now
    comment.responded_by = responded_by
    await session.flush()
    return comment
