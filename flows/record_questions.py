"""The questions in the project record: members' questions to the leads with their written
answers, and the leads' questions to the group with every member's reply.

What people send is shown as it was shared (:func:`storage.checks.shareable_text`), or as a
sentence saying why it was not; the leads' version adds the words as sent where they differ.
A member is named only if they chose to be with what they sent and has not been erased.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from storage.checks import Item, shareable_text
from storage.models import Answer, CheckState, Question, QuestionDirection, QuestionResponse

A_MEMBER = "A member"


@dataclass(frozen=True)
class QuestionLine:
    number: int
    asked_by: str
    asked_at: datetime
    text: str  # as shared, or why it was not
    answer: str | None
    answered_at: datetime | None
    broadcast_at: datetime | None
    check: CheckState = CheckState.SHARED
    original: str | None = None  # the leads' version only: the words as sent, if different


@dataclass(frozen=True)
class ReplyLine:
    """A member's reply to a question the leads asked the group."""

    number: int
    author: str
    channel: ChannelName | None
    received_at: datetime
    text: str  # as shared, or why it was not
    check: CheckState = CheckState.SHARED
    original: str | None = None  # as for questions


@dataclass(frozen=True)
class GroupQuestionLine:
    """A question the leads asked every member, with every reply to it."""

    number: int
    asked_at: datetime
    text: str
    reply_count: int
    replies: tuple[ReplyLine, ...]


def public_text(item: Item) -> str:
    """The words the public record shows: only what was shared, never what waits for a
    check, was hidden or was withdrawn."""
    shown = shareable_text(item)
    if shown is not None:
        return shown
    return {
        CheckState.WAITING: "(Being checked by the leads before it is shared.)",
        CheckState.HIDDEN: "(Not shared with the group: the leads kept it back.)",
        CheckState.WITHDRAWN: "(Withdrawn by the person who wrote it.)",
    }.get(item.check_state, "")


def words_as_sent(item: Item, for_leads: bool) -> str | None:
    """For the leads: the words as sent, when the record shows other words."""
    if not for_leads or public_text(item) == item.text:
        return None
    return item.text


def shown_name(names: dict[int, str], person: int | None, named: bool) -> str:
    """The author's name if they chose to be named and still have one; else "A member"."""
    return names.get(person, A_MEMBER) if named and person else A_MEMBER


def named_repliers(project_id: int) -> Select[tuple[int | None]]:
    """Who replied to the leads' questions and chose to be named: for the record's names."""
    return (
        select(QuestionResponse.contributor_id)
        .join(Question, Question.id == QuestionResponse.question_id)
        .where(Question.project_id == project_id, QuestionResponse.is_named.is_(True))
    )


def _asked(project_id: int, direction: QuestionDirection, part: tuple[int, int] | None) -> Select:
    """The ids of the project's questions one way, or of one page of them."""
    asked = select(Question.id).where(
        Question.project_id == project_id, Question.direction == direction
    )
    if part is not None:
        asked = asked.order_by(Question.id).offset(part[0]).limit(part[1])
    return asked


async def members_questions(
    session: AsyncSession,
    project_id: int,
    names: dict[int, str],
    for_leads: bool,
    part: tuple[int, int] | None,
) -> tuple[QuestionLine, ...]:
    """Members' questions to the leads, each with its written answer. The asker is named
    only if they chose to be when they asked."""
    asked = _asked(project_id, QuestionDirection.TO_LEADS, part)
    rows = (
        await session.execute(
            select(Question, Answer)
            .outerjoin(Answer, Answer.question_id == Question.id)
            .where(Question.id.in_(asked))
            .order_by(Question.id, Answer.answered_at)
        )
    ).all()
    latest: dict[int, QuestionLine] = {}
    for question, answer in rows:
        latest[question.id] = QuestionLine(
            question.id,
            shown_name(names, question.asked_by, question.is_named),
            question.asked_at,
            public_text(question),
            answer.text if answer else None,
            answer.answered_at if answer else None,
            answer.broadcast_at if answer else None,
            question.check_state,
            words_as_sent(question, for_leads),
        )
    return tuple(latest.values())


async def group_questions(
    session: AsyncSession,
    project_id: int,
    names: dict[int, str],
    for_leads: bool,
    part: tuple[int, int] | None,
) -> tuple[GroupQuestionLine, ...]:
    """The leads' questions to the group (or one page of them), oldest first, each with its
    replies: two queries, whatever the number of members who replied."""
    asked = _asked(project_id, QuestionDirection.TO_GROUP, part)
    questions = (
        await session.execute(
            select(Question.id, Question.asked_at, Question.text)
            .where(Question.id.in_(asked))
            .order_by(Question.id)
        )
    ).all()
    # Plain rows, not ORM objects: every member of a large project may reply.
    rows = await session.execute(
        select(
            QuestionResponse.id,
            QuestionResponse.question_id,
            QuestionResponse.contributor_id,
            QuestionResponse.is_named,
            QuestionResponse.channel,
            QuestionResponse.received_at,
            QuestionResponse.text,
            QuestionResponse.shared_text,
            QuestionResponse.check_state,
        )
        .where(QuestionResponse.question_id.in_(asked))
        .order_by(QuestionResponse.id)
    )
    replies: dict[int, list[ReplyLine]] = {}
    for r in rows:
        replies.setdefault(r.question_id, []).append(
            ReplyLine(
                r.id,
                shown_name(names, r.contributor_id, r.is_named),
                r.channel,
                r.received_at,
                public_text(r),
                r.check_state,
                words_as_sent(r, for_leads),
            )
        )
    return tuple(
        GroupQuestionLine(
            q.id, q.asked_at, q.text, len(replies.get(q.id, ())), tuple(replies.get(q.id, ()))
        )
        for q in questions
    )
