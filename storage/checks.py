"""What people send, held for a lead's check before the group sees it: finding an item by
its kind and number, what waits, and the text that may be shown to the group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import NotFound
from .models import (
    Answer,
    CheckState,
    Comment,
    Contributor,
    Question,
    QuestionDirection,
    QuestionResponse,
)


class ItemKind(StrEnum):
    """The three things a contributor sends that may be shared, each numbered on its own."""

    COMMENT = "comment"
    QUESTION = "question"
    REPLY = "reply"  # a member's reply to a question the leads asked the group


Item = Comment | Question | QuestionResponse
_MODELS: dict[ItemKind, type[Comment] | type[Question] | type[QuestionResponse]] = {
    ItemKind.COMMENT: Comment,
    ItemKind.QUESTION: Question,
    ItemKind.REPLY: QuestionResponse,
}


def kind_of(item: Item) -> ItemKind:
    return next(kind for kind, model in _MODELS.items() if isinstance(item, model))


def shareable_text(item: Item) -> str | None:
    """What the group may read: the lead's redaction or the words as sent, once shared;
    nothing while it waits, or when it was hidden or withdrawn."""
    if item.check_state != CheckState.SHARED:
        return None
    return item.shared_text or item.text


def author_id(item: Item) -> int | None:
    return item.asked_by if isinstance(item, Question) else item.contributor_id


async def find_item(session: AsyncSession, kind: ItemKind, number: int) -> Item:
    """The comment, contributor's question or reply with this number."""
    item = await session.get(_MODELS[kind], number)
    if isinstance(item, Question) and item.direction != QuestionDirection.TO_LEADS:
        item = None  # the leads' own questions to the group are not checked
    if item is None:
        raise NotFound(f"no {kind} {number}")
    return item


async def project_of(session: AsyncSession, item: Item) -> int:
    if isinstance(item, QuestionResponse):
        question = await session.get(Question, item.question_id)
        assert question is not None
        return question.project_id
    return item.project_id


async def went_out_at(session: AsyncSession, item: Item) -> datetime | None:
    """When the item already reached the group, if it has: a comment in a digest, a
    question with an answer sent to everyone. Replies are only ever shown in the record."""
    if isinstance(item, Comment):
        return item.digested_at
    if isinstance(item, Question):
        return await session.scalar(
            select(func.min(Answer.broadcast_at)).where(Answer.question_id == item.id)
        )
    return None


@dataclass(frozen=True)
class WaitingItem:
    kind: ItemKind
    number: int
    project_id: int
    received_at: datetime
    text: str
    flags: tuple[str, ...]
    author_id: int | None
    named: bool


async def waiting_items(session: AsyncSession, project_id: int) -> list[WaitingItem]:
    """Everything in the project still waiting for a lead's check, oldest first."""
    comments = await session.scalars(
        select(Comment).where(
            Comment.project_id == project_id, Comment.check_state == CheckState.WAITING
        )
    )
    questions = await session.scalars(
        select(Question).where(
            Question.project_id == project_id,
            Question.direction == QuestionDirection.TO_LEADS,
            Question.check_state == CheckState.WAITING,
        )
    )
    replies = await session.scalars(
        select(QuestionResponse)
        .join(Question, Question.id == QuestionResponse.question_id)
        .where(
            Question.project_id == project_id,
            QuestionResponse.check_state == CheckState.WAITING,
        )
    )
    found = [
        *(_waiting(ItemKind.COMMENT, c, project_id, c.received_at) for c in comments),
        *(_waiting(ItemKind.QUESTION, q, project_id, q.asked_at) for q in questions),
        *(_waiting(ItemKind.REPLY, r, project_id, r.received_at) for r in replies),
    ]
    return sorted(found, key=lambda item: (item.received_at, item.kind, item.number))


def _waiting(kind: ItemKind, item: Item, project_id: int, at: datetime) -> WaitingItem:
    return WaitingItem(
        kind,
        item.id,
        project_id,
        at,
        item.text,
        tuple(item.flags or ()),
        author_id(item),
        item.is_named,
    )


async def waiting_in_window(session: AsyncSession, window_id: int) -> int:
    """How many of a window's comments are still being checked."""
    return int(
        await session.scalar(
            select(func.count(Comment.id)).where(
                Comment.window_id == window_id,
                Comment.is_late.is_(False),
                Comment.check_state == CheckState.WAITING,
            )
        )
        or 0
    )


async def author_name(session: AsyncSession, item: Item) -> str | None:
    """The author's name, for the staff leads and for sharing when they chose to be named."""
    person = await session.get(Contributor, author_id(item) or 0)
    return person.name if person is not None and person.erased_at is None else None
