"""The co-production checklist without reading the whole record: the same rules
(:func:`flows.record_checklist.checklist`), decided on counts the database makes. A project
of 10,000 members and 5,000 comments needs a handful of small queries, not every row."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_date
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Answer,
    BriefVersion,
    Comment,
    LeadKind,
    Meeting,
    Membership,
    MembershipStatus,
    OutboxRow,
    Project,
    ProjectLead,
    Question,
    QuestionDirection,
    ResponseStatus,
)

from .record import BRIEF_KINDS, HANDED_OVER, MeetingLine, Window, project_windows
from .record_checklist import Check, Facts, checklist, is_open
from .responsibility import commitment_facts


async def meetings_and_windows(
    session: AsyncSession, project: Project
) -> tuple[tuple[MeetingLine, ...], tuple[Window, ...]]:
    meetings = (
        await session.scalars(
            select(Meeting).where(Meeting.project_id == project.id).order_by(Meeting.starts_at)
        )
    ).all()
    windows = await project_windows(session, project.id, {m.id: m for m in meetings})
    lines = tuple(
        MeetingLine(m.starts_at, m.minutes, m.place, m.cancelled_at, m.cancel_reason)
        for m in meetings
    )
    return lines, windows


async def project_checklist(
    session: AsyncSession, project: Project, now: datetime
) -> tuple[Check, ...]:
    meetings, windows = await meetings_and_windows(session, project)
    return checklist(await project_facts(session, project), meetings, windows, now)


async def project_facts(session: AsyncSession, project: Project) -> Facts:
    kinds = list(
        await session.scalars(select(ProjectLead.kind).where(ProjectLead.project_id == project.id))
    )
    first_brief = await session.scalar(
        select(func.min(BriefVersion.published_at)).where(BriefVersion.project_id == project.id)
    )
    briefs = await _count(
        session, select(BriefVersion.id).where(BriefVersion.project_id == project.id)
    )
    staying = select(Membership.contributor_id).where(
        Membership.project_id == project.id, Membership.status != MembershipStatus.LEFT
    )
    members = await _count(session, staying)
    reached = 0
    if first_brief is not None:
        reached = (
            await session.scalar(
                select(func.count(distinct(OutboxRow.contributor_id))).where(
                    OutboxRow.project_id == project.id,
                    OutboxRow.kind.in_(BRIEF_KINDS),
                    OutboxRow.created_at >= first_brief,
                    OutboxRow.status.in_(HANDED_OVER),
                    OutboxRow.contributor_id.in_(staying),
                )
            )
            or 0
        )
    comments = select(Comment.id).where(Comment.project_id == project.id)
    unanswered = comments.where(
        Comment.response_status.is_(None) | (Comment.response_status == ResponseStatus.UNDER_REVIEW)
    )
    questions = await _members_questions(session, project)
    return Facts(
        leads=len(kinds),
        contributor_leads=sum(1 for kind in kinds if kind == LeadKind.CONTRIBUTOR),
        briefs=briefs,
        reached=reached,
        members=members,
        comments=await _count(session, comments),
        unanswered_comments=await _count(session, unanswered),
        questions=len(questions),
        open_questions=sum(1 for still_open in questions.values() if still_open),
        review_on=format_date(project.review_on, "EEEE d MMMM y", locale="en_GB")
        if project.review_on
        else None,
        commitment=await commitment_facts(session, project),
    )


async def _members_questions(session: AsyncSession, project: Project) -> dict[int, bool]:
    """Each member's question to the leads, and whether it is still open (its latest answer
    decides, as in the record)."""
    rows = await session.execute(
        select(Question.id, Question.check_state, Answer.id, Answer.broadcast_at)
        .outerjoin(Answer, Answer.question_id == Question.id)
        .where(Question.project_id == project.id, Question.direction == QuestionDirection.TO_LEADS)
        .order_by(Question.id, Answer.answered_at)
    )
    found: dict[int, bool] = {}
    for question, check, answer, broadcast_at in rows:
        found[question] = is_open(answer is not None, broadcast_at, check)
    return found


async def _count(session: AsyncSession, query) -> int:  # type: ignore[no-untyped-def]
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0
