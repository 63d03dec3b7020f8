"""Flow 4: comments go to all. A daily digest of new comments while the window is open, and
a digest of every comment at the close. Comments are anonymous unless the author chose
NAME ME. Only what was shared after its check goes out (:mod:`flows.sharing`): a digest
counts what is still being checked, and a comment approved after the close goes out in a
short follow-up digest."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.checks import shareable_text, waiting_in_window
from storage.comments import mark_digested, shared_window_comments, take_undigested
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
        lines.append(f"{number}. {author}: {shareable_text(comment)}")
    return "\n".join(lines)


def still_checking(reader: Reader, waiting: int) -> str:
    """The line that counts comments held for a check, so no digest pretends to be all."""
    return reader.t.ngettext(
        "{count} more comment is being checked. We will send it when the leads have read it.",
        "{count} more comments are being checked. We will send them when the leads have read them.",
        waiting,
    ).format(count=waiting)


def daily_digest_text(
    reader: Reader,
    project: Project,
    window: CommentWindow,
    comments: Sequence[Comment],
    names: dict[int, str],
    waiting: int = 0,
) -> Message:
    t = reader.t
    head = t.ngettext(
        "{count} new comment on {code} since yesterday:",
        "{count} new comments on {code} since yesterday:",
        len(comments),
    ).format(count=len(comments), code=project.code)
    foot = t.gettext("Comments close on {when}.").format(when=reader.when(window.closes_at))
    if waiting:
        foot = f"{still_checking(reader, waiting)}\n{foot}"
    subject = t.gettext("{title}: new comments").format(title=project.title)
    return Message(f"{head}\n{comment_lines(reader, comments, names)}\n{foot}", subject=subject)


def close_digest_text(
    reader: Reader,
    project: Project,
    window: CommentWindow,
    comments: Sequence[Comment],
    names: dict[int, str],
    waiting: int = 0,
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
    elif waiting:
        body = closed
    else:
        body = closed + " " + t.gettext("No comments were sent.")
    if waiting:
        body = f"{body}\n{still_checking(reader, waiting)}"
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
    await _send_new_comments(
        session,
        project,
        window,
        now,
        lambda reader, comments, names, waiting: daily_digest_text(
            reader, project, window, comments, names, waiting
        ),
    )


async def run_window_close(
    session: AsyncSession, payload: Mapping[str, Any], now: datetime
) -> None:
    found = await current_window(session, payload)
    if found is None:
        return
    window, project = found
    window.closed_at = now
    comments = await shared_window_comments(session, window.id)
    await mark_digested(session, comments, now)
    waiting = await waiting_in_window(session, window.id)
    names = await _authors(session, comments)
    await send_to_members(
        session,
        project,
        kind="close-digest",
        render=lambda reader: close_digest_text(reader, project, window, comments, names, waiting),
        now=now,
    )
    await record_audit(
        session,
        actor="scheduler",
        action="window.close",
        at=now,
        project_id=project.id,
        details={"window": window.id, "comments": len(comments), "being_checked": waiting},
    )


def followup_text(
    reader: Reader,
    project: Project,
    comments: Sequence[Comment],
    names: dict[int, str],
    waiting: int,
) -> Message:
    t = reader.t
    head = t.ngettext(
        "The leads have checked {count} more comment on {code}:",
        "The leads have checked {count} more comments on {code}:",
        len(comments),
    ).format(count=len(comments), code=project.code)
    body = f"{head}\n{comment_lines(reader, comments, names)}"
    if waiting:
        body = f"{body}\n{still_checking(reader, waiting)}"
    subject = t.gettext("{title}: more comments").format(title=project.title)
    return Message(body, subject=subject)


async def run_followup_digest(
    session: AsyncSession, payload: Mapping[str, Any], now: datetime
) -> None:
    """Comments approved after their window's closing digest, sent together."""
    window = await session.get(CommentWindow, int(payload["window_id"]))
    if window is None or window.closed_at is None:
        return
    project = await session.get(Project, window.project_id)
    assert project is not None
    await _send_new_comments(
        session,
        project,
        window,
        now,
        lambda reader, comments, names, waiting: followup_text(
            reader, project, comments, names, waiting
        ),
    )


async def _send_new_comments(
    session: AsyncSession,
    project: Project,
    window: CommentWindow,
    now: datetime,
    text: Callable[[Reader, Sequence[Comment], dict[int, str], int], Message],
) -> None:
    """Every shared comment not yet sent, to every member, with a count of those still being
    checked; nothing at all when there is no new comment to read (an earlier digest or
    follow-up took them)."""
    comments = await take_undigested(session, window.id, now)
    if not comments:
        return
    waiting = await waiting_in_window(session, window.id)
    names = await _authors(session, comments)
    await send_to_members(
        session,
        project,
        kind="digest",
        render=lambda reader: text(reader, comments, names, waiting),
        now=now,
    )
