"""Comments on a project, which of them have gone out in a daily digest, and the leads'
response to each."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .errors import InvalidInput, NotFound
from .models import CheckState, Comment, CommentEdit, InboundMessageRow, ResponseStatus


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


async def comment_of_message(
    session: AsyncSession, channel: ChannelName, sender: str, provider_ref: str
) -> Comment | None:
    """The comment a person's message became, found by the provider's own id of the message
    (what an edit of it names); None when that message was not a comment."""
    return await session.scalar(
        select(Comment)
        .join(InboundMessageRow, InboundMessageRow.id == Comment.inbound_message_id)
        .where(
            InboundMessageRow.channel == channel,
            InboundMessageRow.sender == sender,
            InboundMessageRow.provider_ref == provider_ref,
            # A late comment kept from an earlier edit is not the comment edited.
            InboundMessageRow.event != "edited",
        )
        .order_by(Comment.id)
        .limit(1)
    )


async def comment_a_late_edit_changes(session: AsyncSession, late: Comment) -> Comment | None:
    """For a late comment kept from an edit made after its window closed, the comment whose
    words the edit would have changed (the edit's inbound row names the message); None for
    any other comment."""
    row = (
        await session.get(InboundMessageRow, late.inbound_message_id)
        if late.inbound_message_id
        else None
    )
    if row is None or row.event != "edited" or not row.edit_of:
        return None
    return await comment_of_message(session, row.channel, row.sender, row.edit_of)


async def change_comment_text(
    session: AsyncSession,
    comment: Comment,
    text: str,
    inbound_message_id: int | None,
    now: datetime,
) -> CommentEdit:
    """Replace a comment's words with its author's new ones, keeping the words before."""
    if not text.strip():
        raise InvalidInput("a comment needs some words")
    edit = CommentEdit(
        comment_id=comment.id,
        text_before=comment.text,
        edited_at=now,
        inbound_message_id=inbound_message_id,
    )
    session.add(edit)
    comment.text = text.strip()
    await session.flush()
    return edit


async def comment_edits(session: AsyncSession, comment_id: int) -> list[CommentEdit]:
    """A comment's earlier words, oldest first."""
    return list(
        (
            await session.scalars(
                select(CommentEdit)
                .where(CommentEdit.comment_id == comment_id)
                .order_by(CommentEdit.edited_at, CommentEdit.id)
            )
        ).all()
    )


async def shared_window_comments(session: AsyncSession, window_id: int) -> list[Comment]:
    """The comments made while a window was open and shared so far, oldest first (late ones,
    and those waiting for a check, hidden or withdrawn, are left out)."""
    return list(
        (
            await session.scalars(
                select(Comment)
                .where(
                    Comment.window_id == window_id,
                    Comment.is_late.is_(False),
                    Comment.check_state == CheckState.SHARED,
                )
                .order_by(Comment.received_at, Comment.id)
            )
        ).all()
    )


async def mark_digested(session: AsyncSession, comments: list[Comment], now: datetime) -> None:
    ids = [c.id for c in comments if c.digested_at is None]
    if ids:
        await session.execute(
            update(Comment)
            .where(Comment.id.in_(ids))
            .values(digested_at=now)
            # Objects loaded in this session see it too (a hide in the same transaction
            # must know the words went out).
            .execution_options(synchronize_session="evaluate")
        )


async def take_undigested(session: AsyncSession, window_id: int, now: datetime) -> list[Comment]:
    """The window's shared comments not yet in a digest, marked as in one now."""
    comments = list(
        (
            await session.scalars(
                select(Comment)
                .where(
                    Comment.window_id == window_id,
                    Comment.is_late.is_(False),
                    Comment.digested_at.is_(None),
                    Comment.check_state == CheckState.SHARED,
                )
                .order_by(Comment.received_at, Comment.id)
            )
        ).all()
    )
    await mark_digested(session, comments, now)
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
