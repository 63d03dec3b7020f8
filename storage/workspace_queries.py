"""What the leads' workspace reads: counts over all the projects a lead leads, a page of a
project's people, and the messages its members sent, each in a fixed number of statements
whatever the number of rows (grouped counts and joins, never a query per row)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import (
    Answer,
    CheckState,
    Comment,
    CommentWindow,
    ContactPoint,
    Contributor,
    InboundMessageRow,
    InboundStatus,
    LeadKind,
    Membership,
    MembershipStatus,
    OutboxRow,
    OutboxStatus,
    Project,
    ProjectLead,
    Question,
    QuestionDirection,
    QuestionResponse,
)

# Messages that did not reach their person (UNKNOWN, "may have arrived", is not counted).
FAILED_DELIVERY = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED)
# Comments that need no response: a lead kept them back, or their author took them back.
NO_RESPONSE_NEEDED = (CheckState.HIDDEN, CheckState.WITHDRAWN)


# Projects a lead leads


async def projects_led_as(
    session: AsyncSession, contributor_id: int, project_ids: Collection[int]
) -> list[tuple[Project, LeadKind]]:
    """Those of ``project_ids`` this person leads, with their kind of lead, by code."""
    if not project_ids:
        return []
    rows = await session.execute(
        select(Project, ProjectLead.kind)
        .join(ProjectLead, ProjectLead.project_id == Project.id)
        .where(ProjectLead.contributor_id == contributor_id, Project.id.in_(list(project_ids)))
        .order_by(Project.code)
    )
    return [(project, kind) for project, kind in rows.all()]


async def open_windows_close(
    session: AsyncSession, project_ids: Collection[int], now: datetime
) -> dict[int, datetime]:
    """For each project with a comment window open at ``now``, when the last of them closes."""
    return dict(
        await _grouped(
            session,
            select(CommentWindow.project_id, func.max(CommentWindow.closes_at))
            .where(CommentWindow.opens_at <= now, CommentWindow.closes_at > now)
            .group_by(CommentWindow.project_id),
            project_ids,
        )
    )


async def waiting_check_counts(
    session: AsyncSession, project_ids: Collection[int]
) -> dict[int, int]:
    """Comments, members' questions and replies to the leads' questions held for a check."""
    totals: dict[int, int] = defaultdict(int)
    measures = [
        select(Comment.project_id, func.count())
        .where(Comment.check_state == CheckState.WAITING)
        .group_by(Comment.project_id),
        select(Question.project_id, func.count())
        .where(
            Question.check_state == CheckState.WAITING,
            Question.direction == QuestionDirection.TO_LEADS,
        )
        .group_by(Question.project_id),
        select(Question.project_id, func.count())
        .select_from(QuestionResponse)
        .join(Question, Question.id == QuestionResponse.question_id)
        .where(QuestionResponse.check_state == CheckState.WAITING)
        .group_by(Question.project_id),
    ]
    for query in measures:
        for project_id, count in await _grouped(session, query, project_ids):
            totals[project_id] += count
    return dict(totals)


async def comments_needing_response(
    session: AsyncSession, project_ids: Collection[int]
) -> dict[int, int]:
    query = (
        select(Comment.project_id, func.count())
        .where(Comment.response_status.is_(None), Comment.check_state.not_in(NO_RESPONSE_NEEDED))
        .group_by(Comment.project_id)
    )
    return dict(await _grouped(session, query, project_ids))


async def unanswered_question_counts(
    session: AsyncSession, project_ids: Collection[int]
) -> dict[int, int]:
    """Members' questions to the leads with no written answer yet."""
    answered = exists().where(Answer.question_id == Question.id)
    query = (
        select(Question.project_id, func.count())
        .where(Question.direction == QuestionDirection.TO_LEADS, ~answered)
        .group_by(Question.project_id)
    )
    return dict(await _grouped(session, query, project_ids))


async def invited_not_joined_counts(
    session: AsyncSession, project_ids: Collection[int]
) -> dict[int, int]:
    query = (
        select(Membership.project_id, func.count())
        .where(Membership.status == MembershipStatus.INVITED)
        .group_by(Membership.project_id)
    )
    return dict(await _grouped(session, query, project_ids))


async def failed_delivery_counts(
    session: AsyncSession, project_ids: Collection[int]
) -> dict[int, int]:
    query = (
        select(OutboxRow.project_id, func.count())
        .where(OutboxRow.status.in_(FAILED_DELIVERY))
        .group_by(OutboxRow.project_id)
    )
    return dict(await _grouped(session, query, project_ids))


async def _grouped(
    session: AsyncSession, query: Select[Any], project_ids: Collection[int]
) -> list[tuple[int, Any]]:
    """(project id, value) from ``query``, whose first column is the project id, for
    ``project_ids`` only."""
    if not project_ids:
        return []
    project_id = query.selected_columns[0]
    rows = await session.execute(query.where(project_id.in_(list(project_ids))))
    return [(project, value) for project, value in rows.all()]


# A project's people


async def member_count(session: AsyncSession, project_id: int) -> int:
    query = select(func.count()).where(Membership.project_id == project_id)
    return int(await session.scalar(query) or 0)


async def member_page(
    session: AsyncSession, project_id: int, *, offset: int, limit: int
) -> list[tuple[Membership, Contributor, LeadKind | None]]:
    """Everyone with a membership (invited, joined or left) and their kind of lead if they
    lead it, by name; the erased first, as they have none."""
    erased = Contributor.erased_at.is_not(None)
    by_name = case((erased, ""), else_=func.lower(Contributor.name))
    rows = await session.execute(
        select(Membership, Contributor, ProjectLead.kind)
        .join(Contributor, Contributor.id == Membership.contributor_id)
        .outerjoin(
            ProjectLead,
            and_(
                ProjectLead.project_id == Membership.project_id,
                ProjectLead.contributor_id == Membership.contributor_id,
            ),
        )
        .where(Membership.project_id == project_id)
        .order_by(by_name, Contributor.id)
        .offset(offset)
        .limit(limit)
    )
    return [(member, person, kind) for member, person, kind in rows.all()]


async def stopped_channels(
    session: AsyncSession, contributor_ids: Collection[int]
) -> dict[int, tuple[ChannelName, ...]]:
    """The channels each person has stopped (STOP on that contact point)."""
    if not contributor_ids:
        return {}
    rows = await session.execute(
        select(ContactPoint.contributor_id, ContactPoint.channel)
        .where(
            ContactPoint.contributor_id.in_(list(contributor_ids)),
            ContactPoint.opted_out_at.is_not(None),
        )
        .order_by(ContactPoint.id)
    )
    stopped: dict[int, list[ChannelName]] = defaultdict(list)
    for contributor_id, channel in rows.all():
        stopped[contributor_id].append(channel)
    return {person: tuple(channels) for person, channels in stopped.items()}


async def last_inbound_at(
    session: AsyncSession, contributor_ids: Collection[int]
) -> dict[int, datetime]:
    """When each person's latest message reached us, from any of their contact points."""
    if not contributor_ids:
        return {}
    rows = await session.execute(
        select(ContactPoint.contributor_id, func.max(InboundMessageRow.received_at))
        .join(ContactPoint, ContactPoint.id == InboundMessageRow.contact_point_id)
        .where(ContactPoint.contributor_id.in_(list(contributor_ids)))
        .group_by(ContactPoint.contributor_id)
    )
    return {person: at for person, at in rows.all()}


async def failed_deliveries_to(
    session: AsyncSession, project_id: int, contributor_ids: Collection[int]
) -> dict[int, int]:
    if not contributor_ids:
        return {}
    rows = await session.execute(
        select(OutboxRow.contributor_id, func.count())
        .where(
            OutboxRow.project_id == project_id,
            OutboxRow.contributor_id.in_(list(contributor_ids)),
            OutboxRow.status.in_(FAILED_DELIVERY),
        )
        .group_by(OutboxRow.contributor_id)
    )
    return {person: count for person, count in rows.all()}


# What a project's members sent


async def messages_from_members(
    session: AsyncSession,
    project_id: int,
    *,
    after_id: int | None,
    limit: int,
    message_id: int | None = None,
    before_id: int | None = None,
) -> list[tuple[InboundMessageRow, Contributor, Membership]]:
    """Messages from anyone with a membership in the project, newest first (between
    ``after_id`` and ``before_id`` when given), leaving out those that went to another
    project (a comment on it, or a reply sent for it).

    A handled message names its contact point. One not handled yet (or whose handling failed)
    does not, so it is matched on its channel and sender address; an email whose sender is
    known only by its reply token is then not matched until it is handled.
    """
    handled_from = InboundMessageRow.contact_point_id == ContactPoint.id
    waiting_from = and_(
        InboundMessageRow.contact_point_id.is_(None),
        InboundMessageRow.status != InboundStatus.PROCESSED,
        ContactPoint.channel == InboundMessageRow.channel,
        ContactPoint.address == InboundMessageRow.sender,
    )
    for_another_project = or_(
        exists().where(
            OutboxRow.reply_to_inbound_id == InboundMessageRow.id,
            OutboxRow.project_id.is_not(None),
            OutboxRow.project_id != project_id,
        ),
        exists().where(
            Comment.inbound_message_id == InboundMessageRow.id, Comment.project_id != project_id
        ),
    )
    query = (
        select(InboundMessageRow, Contributor, Membership)
        .join(ContactPoint, or_(handled_from, waiting_from))
        .join(Contributor, Contributor.id == ContactPoint.contributor_id)
        .join(
            Membership,
            and_(Membership.contributor_id == Contributor.id, Membership.project_id == project_id),
        )
        .where(~for_another_project)
        .order_by(InboundMessageRow.id.desc())
        .limit(limit)
    )
    if after_id is not None:
        query = query.where(InboundMessageRow.id > after_id)
    if before_id is not None:
        query = query.where(InboundMessageRow.id < before_id)
    if message_id is not None:
        query = query.where(InboundMessageRow.id == message_id)
    return [(row, person, member) for row, person, member in (await session.execute(query)).all()]


async def comments_made_from(
    session: AsyncSession, inbound_ids: Collection[int]
) -> dict[int, Comment]:
    """The comment each message became, by the message's id (comments keep that link)."""
    if not inbound_ids:
        return {}
    comments = await session.scalars(
        select(Comment).where(Comment.inbound_message_id.in_(list(inbound_ids)))
    )
    return {
        comment.inbound_message_id: comment for comment in comments if comment.inbound_message_id
    }


async def reply_kinds(session: AsyncSession, inbound_ids: Collection[int]) -> dict[int, set[str]]:
    """The kinds of the replies written to each message, by the message's id."""
    if not inbound_ids:
        return {}
    rows = await session.execute(
        select(OutboxRow.reply_to_inbound_id, OutboxRow.kind)
        .where(OutboxRow.reply_to_inbound_id.in_(list(inbound_ids)))
        .distinct()
    )
    kinds: dict[int, set[str]] = defaultdict(set)
    for inbound_id, kind in rows.all():
        kinds[inbound_id].add(kind)
    return dict(kinds)


Moment = tuple[int, datetime]  # (author, when their message was handled)
Made = tuple[int, bool]  # (the question's number, whether it carries the author's name)


async def named_choices_at(
    session: AsyncSession, project_id: int, moments: Sequence[Moment]
) -> tuple[dict[Moment, list[Made]], dict[Moment, list[Made]]]:
    """Each question to the leads, and each reply to the leads' questions, that an author
    made at one of ``moments``: the number of the question it is (or answers), and whether
    it carries their name: (questions, replies).

    Neither keeps the message it came from; both are stamped with the moment the message
    was handled, so that moment and the author find them (a list: more than one may match).
    """
    questions: dict[Moment, list[Made]] = defaultdict(list)
    replies: dict[Moment, list[Made]] = defaultdict(list)
    if not moments:
        return questions, replies
    authors = list({author for author, _ in moments})
    times = list({at for _, at in moments})
    asked = await session.execute(
        select(Question.asked_by, Question.asked_at, Question.id, Question.is_named).where(
            Question.project_id == project_id,
            Question.direction == QuestionDirection.TO_LEADS,
            Question.asked_by.in_(authors),
            Question.asked_at.in_(times),
        )
    )
    for author, at, number, named in asked.all():
        questions[(author, at)].append((number, named))
    replied = await session.execute(
        select(
            QuestionResponse.contributor_id,
            QuestionResponse.received_at,
            Question.id,
            QuestionResponse.is_named,
        )
        .join(Question, Question.id == QuestionResponse.question_id)
        .where(
            Question.project_id == project_id,
            QuestionResponse.contributor_id.in_(authors),
            QuestionResponse.received_at.in_(times),
        )
    )
    for author, at, number, named in replied.all():
        replies[(author, at)].append((number, named))
    return questions, replies
