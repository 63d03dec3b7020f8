"""Everything held about one person, gathered for ``coproduce contributor export``.

The keys are stable (the README lists them); dates are ISO 8601 in UTC. Only what is about
this person is included: their own rows, and of other people's only what was sent to them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .consents import consents_of
from .errors import NotFound
from .models import (
    Answer,
    Comment,
    CommentEdit,
    ContactPoint,
    Contributor,
    Declaration,
    InboundMessageRow,
    Membership,
    OutboxRow,
    Poll,
    PollAnswer,
    Project,
    ProjectLead,
    Question,
    QuestionResponse,
    Review,
    ReviewComment,
    ReviewPanelMember,
    ReviewRating,
)

EXPORT_FORMAT = "coproduce-export/1"


def _when(value: datetime | None) -> str | None:
    # As every CSV and JSON the CLI writes (bot/cli/common.iso_time): UTC, to the second.
    return value.astimezone(UTC).replace(microsecond=0).isoformat() if value is not None else None


async def contributor_by_id(session: AsyncSession, contributor_id: int) -> Contributor:
    """A contributor by id, erased or not (export and erase still need to find them)."""
    contributor = await session.get(Contributor, contributor_id)
    if contributor is None:
        raise NotFound(f"no contributor {contributor_id}")
    return contributor


async def contact_point_ids(session: AsyncSession, contributor_id: int) -> list[int]:
    return list(
        (
            await session.scalars(
                select(ContactPoint.id).where(ContactPoint.contributor_id == contributor_id)
            )
        ).all()
    )


async def export_contributor(
    session: AsyncSession, contributor_id: int, now: datetime
) -> dict[str, Any]:
    """Everything held about a person, as plain JSON-ready data."""
    person = await contributor_by_id(session, contributor_id)
    points = (
        await session.scalars(
            select(ContactPoint)
            .where(ContactPoint.contributor_id == person.id)
            .order_by(ContactPoint.id)
        )
    ).all()
    point_ids = [point.id for point in points]
    codes = dict((await session.execute(select(Project.id, Project.code))).all())
    comments = await _rows(session, Comment, Comment.contributor_id == person.id)
    edits = await _edits(session, [c.id for c in comments])
    return {
        "format": EXPORT_FORMAT,
        "exported_at": _when(now),
        "contributor": {
            "id": person.id,
            "name": person.name,
            "language": person.language,
            "preferred_channel": person.preferred_channel,
            "access_needs": list(person.access_needs),
            "named_in_comments": person.named_in_comments,
            "created_at": _when(person.created_at),
            "erased_at": _when(person.erased_at),
        },
        "contact_points": [
            {
                "id": point.id,
                "channel": point.channel,
                "address": point.address,
                "stopped_at": _when(point.opted_out_at),
                "created_at": _when(point.created_at),
                "failures": point.failures,
                "failure_reason": point.failure_reason,
            }
            for point in points
        ],
        "memberships": await _memberships(session, person.id, codes),
        "leads": [
            {
                "project": codes.get(lead.project_id),
                "kind": lead.kind,
                "since": _when(lead.added_at),
            }
            for lead in await _rows(session, ProjectLead, ProjectLead.contributor_id == person.id)
        ],
        "declarations": [
            {
                "id": d.id,
                "project": codes.get(d.project_id),
                "has_interest": d.has_interest,
                "text": d.text,
                "channel": d.channel,
                "declared_at": _when(d.declared_at),
            }
            for d in await _rows(session, Declaration, Declaration.contributor_id == person.id)
        ],
        "comments": [
            {
                "id": c.id,
                "project": codes.get(c.project_id),
                "text": c.text,
                "channel": c.channel,
                "received_at": _when(c.received_at),
                "late": c.is_late,
                "named": c.is_named,
                # Whether the group saw it, and the leads' edited version if they shared one.
                "shared": c.check_state,
                "shared_as": c.shared_text,
                "response_status": c.response_status,
                "response_reason": c.response_reason,
                "responded_at": _when(c.responded_at),
                # What it said before its author changed it, oldest first.
                "earlier_texts": [
                    {"text": e.text_before, "changed_at": _when(e.edited_at)}
                    for e in edits.get(c.id, [])
                ],
            }
            for c in comments
        ],
        "questions": await _questions(session, person.id, codes),
        "replies": await _replies(session, person.id, codes),
        "poll_answers": await _poll_answers(session, person.id, codes),
        "review_answers": await _review_answers(session, person.id, codes),
        "consents": [
            {
                "topic": consent.topic,
                "channel": consent.channel,
                "given": consent.given,
                "at": _when(consent.at),
                "how": consent.how,
            }
            for consent in await consents_of(session, person.id)
        ],
        "messages_sent": [
            {
                "id": row.id,
                "kind": row.kind,
                "channel": row.channel,
                "project": codes.get(row.project_id or 0),
                "status": row.status,
                "created_at": _when(row.created_at),
                "sent_at": _when(row.sent_at),
                "subject": row.subject,
                "body": row.body,
            }
            for row in await _rows(
                session,
                OutboxRow,
                or_(
                    OutboxRow.contributor_id == person.id,
                    OutboxRow.contact_point_id.in_(point_ids),
                ),
            )
        ],
        "messages_received": [
            {
                "id": row.id,
                "channel": row.channel,
                "received_at": _when(row.received_at),
                "subject": row.subject,
                "text": row.text,
            }
            for row in await _rows(
                session, InboundMessageRow, InboundMessageRow.contact_point_id.in_(point_ids)
            )
        ],
    }


async def _poll_answers(
    session: AsyncSession, contributor_id: int, codes: dict[int, str]
) -> list[dict[str, Any]]:
    """Their latest answer to each poll: the choice's number, or their own words."""
    rows = await session.execute(
        select(Poll, PollAnswer)
        .join(PollAnswer, PollAnswer.poll_id == Poll.id)
        .where(PollAnswer.contributor_id == contributor_id)
        .order_by(PollAnswer.id)
    )
    return [
        {
            "poll": poll.id,
            "project": codes.get(poll.project_id),
            "question": poll.question,
            "choice": answer.choice,
            "own_words": answer.other,
            "channel": answer.channel,
            "answered_at": _when(answer.answered_at),
            "changes": answer.changes,
        }
        for poll, answer in rows
    ]


async def _review_answers(
    session: AsyncSession, contributor_id: int, codes: dict[int, str]
) -> list[dict[str, Any]]:
    """Each round of a project's review they took part in: their latest rating of each
    statement (None: skipped), the words they added, and their sign-off on its panel."""
    ratings = (
        await session.scalars(
            select(ReviewRating)
            .where(ReviewRating.contributor_id == contributor_id)
            .order_by(ReviewRating.review_id, ReviewRating.statement)
        )
    ).all()
    said = {
        c.review_id: c
        for c in await _rows(session, ReviewComment, ReviewComment.contributor_id == contributor_id)
    }
    seats = {
        s.review_id: s
        for s in await _rows(
            session, ReviewPanelMember, ReviewPanelMember.contributor_id == contributor_id
        )
    }
    found = []
    for review_id in sorted({r.review_id for r in ratings} | set(said) | set(seats)):
        review = await session.get(Review, review_id)
        assert review is not None  # the foreign key cascades
        comment, seat = said.get(review_id), seats.get(review_id)
        found.append(
            {
                "review": review.id,
                "project": codes.get(review.project_id),
                "year": review.year,
                "ratings": [
                    {
                        "statement": r.statement,
                        "text": review.statements[r.statement - 1],
                        "rating": r.rating,
                        "skipped": r.rating is None,
                        "channel": r.channel,
                        "rated_at": _when(r.rated_at),
                    }
                    for r in ratings
                    if r.review_id == review_id
                ],
                "comment": comment.text if comment else None,
                "comment_named": comment.is_named if comment else None,
                "commented_at": _when(comment.received_at) if comment else None,
                "on_panel": seat is not None,
                "signed_off_at": _when(seat.signed_off_at) if seat else None,
                "sign_off_words": seat.words if seat else None,
            }
        )
    return found


async def _edits(session: AsyncSession, comment_ids: list[int]) -> dict[int, list[CommentEdit]]:
    found: dict[int, list[CommentEdit]] = {}
    if comment_ids:
        for edit in await session.scalars(
            select(CommentEdit)
            .where(CommentEdit.comment_id.in_(comment_ids))
            .order_by(CommentEdit.id)
        ):
            found.setdefault(edit.comment_id, []).append(edit)
    return found


async def _rows(session: AsyncSession, model: Any, where: Any) -> list[Any]:
    order = model.id if hasattr(model, "id") else model.project_id
    return list((await session.scalars(select(model).where(where).order_by(order))).all())


async def _memberships(
    session: AsyncSession, contributor_id: int, codes: dict[int, str]
) -> list[dict[str, Any]]:
    return [
        {
            "project": codes.get(m.project_id),
            "status": m.status,
            "invited_at": _when(m.invited_at),
            "joined_at": _when(m.joined_at),
            "left_at": _when(m.left_at),
            "leave_reason": m.leave_reason,
            "notice": m.notice,
        }
        for m in await _rows(session, Membership, Membership.contributor_id == contributor_id)
    ]


async def _questions(
    session: AsyncSession, contributor_id: int, codes: dict[int, str]
) -> list[dict[str, Any]]:
    """Questions they asked, with the leads' answers (not who answered)."""
    found = []
    for question in await _rows(session, Question, Question.asked_by == contributor_id):
        answers = await _rows(session, Answer, Answer.question_id == question.id)
        found.append(
            {
                "id": question.id,
                "project": codes.get(question.project_id),
                "direction": question.direction,
                "text": question.text,
                "channel": question.channel,
                "asked_at": _when(question.asked_at),
                "answers": [
                    {
                        "text": answer.text,
                        "answered_at": _when(answer.answered_at),
                        "broadcast_at": _when(answer.broadcast_at),
                    }
                    for answer in answers
                ],
            }
        )
    return found


async def _replies(
    session: AsyncSession, contributor_id: int, codes: dict[int, str]
) -> list[dict[str, Any]]:
    """Their replies to questions the leads put to every member."""
    found = []
    responses = await _rows(
        session, QuestionResponse, QuestionResponse.contributor_id == contributor_id
    )
    for response in responses:
        question = await session.get(Question, response.question_id)
        assert question is not None  # the foreign key cascades
        found.append(
            {
                "id": response.id,
                "project": codes.get(question.project_id),
                "question_id": question.id,
                "question": question.text,
                "text": response.text,
                "channel": response.channel,
                "received_at": _when(response.received_at),
            }
        )
    return found
