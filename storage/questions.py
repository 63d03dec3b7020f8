"""Questions (to the leads, or from the leads to the group), answers and members' replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .errors import InvalidInput, NotFound
from .models import Answer, CheckState, Question, QuestionDirection, QuestionResponse


def _words(text: str, what: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput(f"{what} needs some words")
    return cleaned


async def add_question(
    session: AsyncSession,
    *,
    project_id: int,
    direction: QuestionDirection,
    asked_by: int | None,
    text: str,
    channel: ChannelName | None,
    now: datetime,
) -> Question:
    question = Question(
        project_id=project_id,
        direction=direction,
        asked_by=asked_by,
        text=_words(text, "a question"),
        channel=channel,
        asked_at=now,
        # The leads' own question goes to the group as they wrote it; a contributor's waits
        # for flows.sharing to check it.
        check_state=CheckState.SHARED
        if direction == QuestionDirection.TO_GROUP
        else CheckState.WAITING,
    )
    session.add(question)
    await session.flush()
    return question


async def find_question(session: AsyncSession, question_id: int) -> Question:
    question = await session.get(Question, question_id)
    if question is None:
        raise NotFound(f"no question {question_id}")
    return question


async def add_answer(
    session: AsyncSession,
    question: Question,
    *,
    text: str,
    answered_by: int | None,
    now: datetime,
    broadcast: bool = True,
) -> Answer:
    answer = Answer(
        question_id=question.id,
        text=_words(text, "an answer"),
        answered_by=answered_by,
        answered_at=now,
        # The broadcast is queued in the same transaction; none for a question not shared.
        broadcast_at=now if broadcast else None,
    )
    session.add(answer)
    await session.flush()
    return answer


async def add_response(
    session: AsyncSession,
    question: Question,
    *,
    contributor_id: int,
    text: str,
    channel: ChannelName | None,
    now: datetime,
) -> QuestionResponse:
    response = QuestionResponse(
        question_id=question.id,
        contributor_id=contributor_id,
        text=_words(text, "a reply"),
        channel=channel,
        received_at=now,
    )
    session.add(response)
    await session.flush()
    return response


async def answers_to(session: AsyncSession, question_id: int) -> list[Answer]:
    return list(
        (
            await session.scalars(
                select(Answer).where(Answer.question_id == question_id).order_by(Answer.id)
            )
        ).all()
    )


async def responses_to(session: AsyncSession, question_id: int) -> list[QuestionResponse]:
    return list(
        (
            await session.scalars(
                select(QuestionResponse)
                .where(QuestionResponse.question_id == question_id)
                .order_by(QuestionResponse.id)
            )
        ).all()
    )


async def project_questions(session: AsyncSession, project_id: int) -> list[Question]:
    return list(
        (
            await session.scalars(
                select(Question).where(Question.project_id == project_id).order_by(Question.id)
            )
        ).all()
    )


async def is_answered(session: AsyncSession, question_id: int) -> bool:
    """Whether the leads have written an answer to the question (to everyone or not)."""
    found = await session.scalar(
        select(Answer.id).where(Answer.question_id == question_id).limit(1)
    )
    return found is not None
