"""The leads' list of comments in the workspace, a page at a time, and responding from a form
that may have gone stale.

Who wrote a comment is shown to a staff lead; a contributor lead sees the author only if the
author chose NAME ME before they sent it (the same rule as the digests and the record).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from storage.comments import find_comment
from storage.errors import InvalidInput
from storage.models import CheckState, Comment, Contributor, LeadKind, Project, ResponseStatus

from . import lead_actions
from .lead_actions import Actor


class Show(StrEnum):
    WAITING = "waiting"  # held for a lead's check
    RESPOND = "respond"  # no response yet, or still under review
    ALL = "all"


@dataclass(frozen=True)
class CommentView:
    number: int
    author: str | None  # None: not this lead's to know (or the person was erased)
    channel: ChannelName | None
    received_at: datetime
    late: bool
    text: str  # as sent
    shared_text: str | None  # a lead's redaction, if any
    check: CheckState
    flags: tuple[str, ...]
    hide_reason: str | None
    response: ResponseStatus | None
    reason: str | None
    responded_at: datetime | None
    version: str  # what the lead saw: a form sent with an older one is stale


@dataclass(frozen=True)
class CommentsPage:
    total: int
    comments: tuple[CommentView, ...]


def version_of(comment: Comment) -> str:
    """The state a lead's form was made from: its check and its response."""
    responded = comment.responded_at.isoformat() if comment.responded_at else ""
    return f"{comment.check_state}|{comment.response_status or ''}|{responded}"


def _shown(show: Show):  # type: ignore[no-untyped-def]
    if show == Show.WAITING:
        return Comment.check_state == CheckState.WAITING
    if show == Show.RESPOND:
        return Comment.check_state.not_in((CheckState.HIDDEN, CheckState.WITHDRAWN)) & (
            Comment.response_status.is_(None)
            | (Comment.response_status == ResponseStatus.UNDER_REVIEW)
        )
    return None


async def comments_page(
    session: AsyncSession,
    project: Project,
    viewer: LeadKind,
    show: Show,
    *,
    offset: int = 0,
    limit: int = 50,
    number: int | None = None,
) -> CommentsPage:
    """Newest first (or the one comment ``number``); two queries whatever the page size."""
    where = [Comment.project_id == project.id]
    if number is not None:
        where.append(Comment.id == number)
    condition = _shown(show)
    if condition is not None:
        where.append(condition)
    total = await session.scalar(select(func.count()).select_from(Comment).where(*where)) or 0
    rows = (
        await session.execute(
            select(Comment, Contributor.name)
            .outerjoin(Contributor, Contributor.id == Comment.contributor_id)
            .where(*where)
            .order_by(Comment.id.desc())
            .offset(offset)
            .limit(limit)
        )
    ).all()
    return CommentsPage(
        total,
        tuple(
            CommentView(
                number=c.id,
                author=name if name and (viewer == LeadKind.STAFF or c.is_named) else None,
                channel=c.channel,
                received_at=c.received_at,
                late=c.is_late,
                text=c.text,
                shared_text=c.shared_text,
                check=c.check_state,
                flags=tuple(c.flags or ()),
                hide_reason=c.hide_reason,
                response=c.response_status,
                reason=c.response_reason,
                responded_at=c.responded_at,
                version=version_of(c),
            )
            for c, name in rows
        ),
    )


class Changed(InvalidInput):
    """Someone acted on the item after this form was made; nothing was done."""


async def unchanged(session: AsyncSession, comment_id: int, version: str | None) -> None:
    """Refuse a form made from an older state of the comment (another lead acted, or the
    same form was sent twice). With no version (the command line) there is nothing to check."""
    if version is None:
        return
    if version_of(await find_comment(session, comment_id)) != version:
        raise Changed(f"comment {comment_id} has changed since the page was loaded")


async def respond(
    session: AsyncSession,
    actor: Actor,
    comment_ids: list[int],
    versions: dict[int, str],
    status: ResponseStatus,
    reason: str | None,
    *,
    now: datetime,
) -> list[int]:
    """The same response to each comment, in one transaction: all or none. Returns the
    comments whose authors were told."""
    told = []
    for comment_id in comment_ids:
        await unchanged(session, comment_id, versions.get(comment_id))
        _, _, author_told = await lead_actions.respond_to_comment(
            session, actor, comment_id, status, reason, now=now
        )
        if author_told:
            told.append(comment_id)
    return told
