"""Flow 4: comments go to all. A daily digest of new comments while the window is open, and
a digest of every comment at the close. Comments are anonymous unless the author chose
NAME ME."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.comments import take_undigested, window_comments
from storage.models import Comment, CommentWindow, Contributor, Project

from .outbound import Message, Reader, send_to_members
from .windows import current_window


async def _authors(session: AsyncSession, comments: Sequence[Comment]) -> dict[int, str]:
    named = {c.contributor_id for c in comments if c.is_named and c.contributor_id}
    if not named:
        return {}
    rows = await session.execute(
        select(Contributor.id, Contributor.name).where(
            Contributor.id.in_(named), Contributor.erased_at.is_(None)
        )
    )
    return dict(rows.all())


def comment_lines(reader: Reader, comments: Sequence[Comment], names: dict[int, str]) -> str:
    t = reader.t
    lines = []
    for number, comment in enumerate(comments, start=1):
        name = names.get(comment.contributor_id or 0) if comment.is_named else None
        # TRANSLATORS: who wrote a comment, when they chose not to be named.
        author = name or t.gettext("A member")
        lines.append(f"{number}. {author}: {comment.text}")
    return "\n".join(lines)


def daily_digest_text(
    reader: Reader,
    project: Project,
    window: CommentWindow,
    comments: Sequence[Comment],
    names: dict[int, str],
) -> Message:
    t = reader.t
    head = t.ngettext(
        "{count} new comment on {code} since yesterday:",
        "{count} new comments on {code} since yesterday:",
        len(comments),
    ).format(count=len(comments), code=project.code)
    foot = t.gettext("Comments close on {when}.").format(when=reader.when(window.closes_at))
    subject = t.gettext("{title}: new comments").format(title=project.title)
    return Message(f"{head}\n{comment_lines(reader, comments, names)}\n{foot}", subject=subject)


def close_digest_text(
    reader: Reader,
    project: Project,
    window: CommentWindow,
    comments: Sequence[Comment],
    names: dict[int, str],
) -> Message:
    t = reader.t
    closed = t.gettext("Comments on {code} closed on {when}.").format(
        code=project.code, when=reader.when(window.closes_at)
    )
    if comments:
        head = t.ngettext(
            "We had {count} comment:",
            "We had {count} comments:",
            len(comments),
        ).format(count=len(comments))
        body = f"{closed} {head}\n{comment_lines(reader, comments, names)}"
    else:
        body = closed + " " + t.gettext("No comments were sent.")
    after = t.gettext(
        "The leads will answer every comment. You can still send one. We will keep it and "
        "show that it came late."
    )
    subject = t.gettext("{title}: all the comments").format(title=project.title)
    return Message(f"{body}\n{after}", subject=subject)


async def run_daily_digest(
    session: AsyncSession, payload: Mapping[str, Any], now: datetime
) -> None:
    found = await current_window(session, payload)
    if found is None:
        return
    window, project = found
    if now >= window.closes_at:
        return  # the close digest carries everything
    comments = await take_undigested(session, window.id, now)
    if not comments:
        return
    names = await _authors(session, comments)
    await send_to_members(
        session,
        project,
        kind="digest",
        render=lambda reader: daily_digest_text(reader, project, window, comments, names),
        now=now,
    )


async def run_window_close(
    session: AsyncSession, payload: Mapping[str, Any], now: datetime
) -> None:
    found = await current_window(session, payload)
    if found is None:
        return
    window, project = found
    window.closed_at = now
    comments = await window_comments(session, window.id)
    names = await _authors(session, comments)
    await send_to_members(
        session,
        project,
        kind="close-digest",
        render=lambda reader: close_digest_text(reader, project, window, comments, names),
        now=now,
    )
    await record_audit(
        session,
        actor="scheduler",
        action="window.close",
        at=now,
        project_id=project.id,
        details={"window": window.id, "comments": len(comments)},
    )
