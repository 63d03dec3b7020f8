"""Someone who joins while a project is under way is told where things stand: the open
comment window and when it closes, the newest brief, and the leads' open question."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.briefs import latest_brief
from storage.models import BriefVersion, CommentWindow, Project, Question, QuestionDirection
from storage.windows import open_window

from .context import Exchange
from .i18n import format_day
from .keywords import Command, keyword_words
from .outbound import Message, Reader
from .questions import REPLYING_FOR


async def _open_group_question(
    session: AsyncSession, project: Project, exchange: Exchange
) -> Question | None:
    """The leads' newest question to the group, while replies to it are still taken."""
    return await session.scalar(
        select(Question)
        .where(
            Question.project_id == project.id,
            Question.direction == QuestionDirection.TO_GROUP,
            Question.asked_at > exchange.now - REPLYING_FOR,
        )
        .order_by(Question.asked_at.desc(), Question.id.desc())
        .limit(1)
    )


def where_things_stand(
    reader: Reader,
    project: Project,
    window: CommentWindow | None,
    brief: BriefVersion | None,
    question: Question | None,
) -> Message:
    t = reader.t
    words = keyword_words(t)
    parts = []
    if window is not None and reader.sms:  # fewer words: SMS is kept to two parts
        parts.append(
            t.gettext("Comments on {code} are open until {when}.").format(
                code=project.code, when=reader.when(window.closes_at)
            )
        )
    elif window is not None:
        parts.append(
            t.gettext(
                "Comments on {code} are open now, until {when}. To comment, reply with your "
                "comment in your own words."
            ).format(code=project.code, when=reader.when(window.closes_at))
        )
    if brief is not None and reader.sms:
        parts.append(
            t.gettext("Reply {brief} for the newest brief.").format(brief=words[Command.BRIEF])
        )
    elif brief is not None:
        parts.append(
            t.gettext("The newest brief is from {day}. Reply {brief} to get it.").format(
                day=format_day(
                    brief.published_at.astimezone(ZoneInfo(reader.time_zone)).date(),
                    reader.language,
                ),
                brief=words[Command.BRIEF],
            )
        )
    if question is not None:
        parts.append(
            t.gettext(
                "The leads have asked everyone: {question} To answer, send {answer} {number} "
                "and your answer."
            ).format(question=question.text, answer=words[Command.ANSWER], number=question.id)
        )
    subject = t.gettext("{title}: where things stand").format(title=project.title)
    return Message(reader.paragraphs(parts), subject=subject)


async def tell_where_things_stand(exchange: Exchange, project: Project) -> None:
    """After JOIN: if comments are open or the leads have asked something, say so."""
    session = exchange.session
    window = await open_window(session, project.id, exchange.now)
    question = await _open_group_question(session, project, exchange)
    if window is None and question is None:
        return
    brief = await latest_brief(session, project.id)
    await exchange.reply(
        "where-things-stand",
        lambda reader: where_things_stand(reader, project, window, brief, question),
        project=project,
    )
