"""The leads' view of questions in the workspace: members' questions with their answers, and
the questions the leads asked the group with the replies. A contributor lead sees who asked
or replied only if that person chose NAME ME (as for comments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.checks import Item, ItemKind, author_name, find_item, project_of
from storage.errors import NotFound
from storage.models import (
    Answer,
    CheckState,
    Contributor,
    LeadKind,
    Project,
    Question,
    QuestionDirection,
    QuestionResponse,
)
from storage.questions import answers_to


@dataclass(frozen=True)
class ReplyView:
    number: int
    author: str | None
    received_at: datetime
    text: str
    check: CheckState


@dataclass(frozen=True)
class QuestionView:
    number: int
    to_group: bool
    asker: str | None  # None: not this lead's to know
    asked_at: datetime
    text: str
    check: CheckState
    answer: str | None
    answered_at: datetime | None
    replies: tuple[ReplyView, ...] = ()


def _author(name: str | None, named: bool, viewer: LeadKind) -> str | None:
    return name if name and (viewer == LeadKind.STAFF or named) else None


async def project_questions(
    session: AsyncSession, project: Project, viewer: LeadKind, *, limit: int = 200
) -> tuple[QuestionView, ...]:
    """Newest first; three queries whatever the number of questions and replies."""
    rows = (
        await session.execute(
            select(Question, Contributor.name)
            .outerjoin(Contributor, Contributor.id == Question.asked_by)
            .where(Question.project_id == project.id)
            .order_by(Question.id.desc())
            .limit(limit)
        )
    ).all()
    ids = [question.id for question, _ in rows]
    answers: dict[int, Answer] = {}
    for answer in await session.scalars(
        select(Answer).where(Answer.question_id.in_(ids)).order_by(Answer.answered_at)
    ):
        answers[answer.question_id] = answer  # the latest answer counts
    replies: dict[int, list[ReplyView]] = {}
    for reply, name in await session.execute(
        select(QuestionResponse, Contributor.name)
        .outerjoin(Contributor, Contributor.id == QuestionResponse.contributor_id)
        .where(QuestionResponse.question_id.in_(ids))
        .order_by(QuestionResponse.id)
    ):
        replies.setdefault(reply.question_id, []).append(
            ReplyView(
                reply.id,
                _author(name, reply.is_named, viewer),
                reply.received_at,
                reply.text,
                reply.check_state,
            )
        )
    return tuple(
        QuestionView(
            number=question.id,
            to_group=question.direction == QuestionDirection.TO_GROUP,
            asker=None
            if question.direction == QuestionDirection.TO_GROUP
            else _author(name, question.is_named, viewer),
            asked_at=question.asked_at,
            text=question.text,
            check=question.check_state,
            answer=answers[question.id].text if question.id in answers else None,
            answered_at=answers[question.id].answered_at if question.id in answers else None,
            replies=tuple(replies.get(question.id, ())),
        )
        for question, name in rows
    )


async def already_answered(session: AsyncSession, question_id: int) -> bool:
    """A form to answer a question that has since been answered (by another lead, or the
    same form sent twice) must not send a second answer to everyone."""
    return bool(await answers_to(session, question_id))


@dataclass(frozen=True)
class ItemView:
    """A question or a reply as a lead checks it."""

    kind: ItemKind
    number: int
    author: str | None
    text: str
    shared_text: str | None
    check: CheckState
    flags: tuple[str, ...]
    hide_reason: str | None
    version: str


def check_version(item: Item) -> str:
    """What a checking form was made from; a form sent with an older one is stale."""
    checked = item.checked_at.isoformat() if item.checked_at else ""
    return f"{item.check_state}|{checked}"


async def item_for_check(
    session: AsyncSession, project: Project, viewer: LeadKind, kind: ItemKind, number: int
) -> ItemView:
    """A question or reply of this project (NotFound for any other), as the viewer may see it."""
    item = await find_item(session, kind, number)
    if await project_of(session, item) != project.id:
        raise NotFound(f"no {kind} {number} in {project.code}")
    named = item.is_named if isinstance(item, Question | QuestionResponse) else False
    name = await author_name(session, item)
    return ItemView(
        kind=kind,
        number=item.id,
        author=_author(name, named, viewer),
        text=item.text,
        shared_text=item.shared_text,
        check=item.check_state,
        flags=tuple(item.flags or ()),
        hide_reason=item.hide_reason,
        version=check_version(item),
    )


async def unchanged_item(session: AsyncSession, kind: ItemKind, number: int, version: str) -> bool:
    return check_version(await find_item(session, kind, number)) == version
