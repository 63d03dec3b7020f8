"""Who is coming to a meeting: each member's latest answer, and the questions still waiting
for one (a member's conversation state while they are asked)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .errors import InvalidInput
from .models import (
    Attendance,
    Contributor,
    ConversationState,
    Membership,
    MembershipStatus,
)
from .upsert import insert_unless_exists

COMING = "coming"
NOT_COMING = "not-coming"
COMING_WITH_NEED = "coming-with-need"
ANSWERS = (COMING, NOT_COMING, COMING_WITH_NEED)

# A member's conversation state while a meeting waits for their answer, and while it waits
# for what they need after they answered 3 (flows.attendance).
WAITING_FOR_ANSWER = "attendance"
WAITING_FOR_NEED = "attendance-need"
WAITING_STATES = (WAITING_FOR_ANSWER, WAITING_FOR_NEED)


async def record_attendance(
    session: AsyncSession,
    *,
    meeting_id: int,
    contributor_id: int,
    answer: str,
    need: str | None,
    now: datetime,
) -> None:
    """Keep a member's answer; a later one replaces the earlier (the latest counts)."""
    if answer not in ANSWERS:
        raise InvalidInput(f"'{answer}' is not one of {', '.join(ANSWERS)}")
    values = {"answer": answer, "need": need if answer == COMING_WITH_NEED else None}
    added = await insert_unless_exists(
        session,
        Attendance.__table__,
        {"meeting_id": meeting_id, "contributor_id": contributor_id, "answered_at": now, **values},
        ["meeting_id", "contributor_id"],
    )
    if added is None:
        await session.execute(
            update(Attendance)
            .where(Attendance.meeting_id == meeting_id, Attendance.contributor_id == contributor_id)
            .values(answered_at=now, **values)
            .execution_options(synchronize_session=False)
        )


class MemberAnswer(NamedTuple):
    """A member of the project and their answer about one meeting (None: not answered)."""

    contributor_id: int
    name: str
    named: bool  # they chose to be named with what they send
    answer: str | None
    need: str | None


async def member_answers(
    session: AsyncSession, meeting_id: int, project_id: int
) -> list[MemberAnswer]:
    """Everyone who is a member now (joined, not erased), by name, with their answer. Those
    who answered and then left the project are not counted."""
    rows = await session.execute(
        select(
            Contributor.id,
            Contributor.name,
            Contributor.named_in_comments,
            Attendance.answer,
            Attendance.need,
        )
        .join(Membership, Membership.contributor_id == Contributor.id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.contributor_id == Contributor.id,
                Attendance.meeting_id == meeting_id,
            ),
        )
        .where(
            Membership.project_id == project_id,
            Membership.status == MembershipStatus.JOINED,
            Contributor.erased_at.is_(None),
        )
        .order_by(Contributor.name, Contributor.id)
    )
    return [MemberAnswer(*row) for row in rows.all()]


async def drop_attendance_questions(session: AsyncSession, meeting_id: int) -> None:
    """No member waits to be asked about this meeting any more (it was cancelled)."""
    await session.execute(
        delete(ConversationState)
        .where(
            ConversationState.state.in_(WAITING_STATES),
            ConversationState.data["meeting_id"].as_integer() == meeting_id,
        )
        .execution_options(synchronize_session=False)
    )
