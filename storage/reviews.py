"""The project's review: its rounds, each person's latest rating of each statement and their
closing words, and the panel who sign a round off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import (
    Contributor,
    Membership,
    MembershipStatus,
    ProjectLead,
    Review,
    ReviewComment,
    ReviewPanelMember,
    ReviewRating,
)
from .upsert import insert_unless_exists


async def add_review(
    session: AsyncSession,
    *,
    project_id: int,
    year: int,
    statements: list[str],
    own_statements: bool,
    started_by: int | None,
    now: datetime,
    closes_at: datetime,
) -> Review:
    review = Review(
        project_id=project_id,
        year=year,
        statements=statements,
        own_statements=own_statements,
        started_by=started_by,
        started_at=now,
        closes_at=closes_at,
    )
    session.add(review)
    await session.flush()
    return review


async def project_reviews(session: AsyncSession, project_id: int) -> list[Review]:
    """Every round, oldest first."""
    return list(
        (
            await session.scalars(
                select(Review).where(Review.project_id == project_id).order_by(Review.id)
            )
        ).all()
    )


async def latest_review(session: AsyncSession, project_id: int) -> Review | None:
    return await session.scalar(
        select(Review).where(Review.project_id == project_id).order_by(Review.id.desc()).limit(1)
    )


async def is_lead(session: AsyncSession, project_id: int, contributor_id: int) -> bool:
    found = await session.scalar(
        select(ProjectLead.contributor_id).where(
            ProjectLead.project_id == project_id, ProjectLead.contributor_id == contributor_id
        )
    )
    return found is not None


async def lead_ids(session: AsyncSession, project_id: int) -> list[int]:
    """Every lead of the project who has not been erased."""
    return list(
        (
            await session.scalars(
                select(ProjectLead.contributor_id)
                .join(Contributor, Contributor.id == ProjectLead.contributor_id)
                .where(ProjectLead.project_id == project_id, Contributor.erased_at.is_(None))
                .order_by(ProjectLead.added_at, ProjectLead.contributor_id)
            )
        ).all()
    )


async def may_take_part(session: AsyncSession, project_id: int, contributor_id: int) -> bool:
    """A member who joined, or a lead who has not left: the people a review asks."""
    status = await session.scalar(
        select(Membership.status).where(
            Membership.project_id == project_id, Membership.contributor_id == contributor_id
        )
    )
    if status == MembershipStatus.JOINED:
        return True
    return status != MembershipStatus.LEFT and await is_lead(session, project_id, contributor_id)


async def record_rating(
    session: AsyncSession,
    review: Review,
    *,
    contributor_id: int,
    statement: int,
    rating: int | None,
    as_lead: bool,
    channel: ChannelName | None,
    now: datetime,
) -> None:
    """Keep a rating (None: they skipped the statement); a later one replaces the earlier."""
    values = {"rating": rating, "as_lead": as_lead, "channel": channel, "rated_at": now}
    keys = {"review_id": review.id, "contributor_id": contributor_id, "statement": statement}
    added = await insert_unless_exists(
        session,
        ReviewRating.__table__,
        {**keys, **values},
        ["review_id", "contributor_id", "statement"],
    )
    if added is None:
        await session.execute(
            update(ReviewRating)
            .where(
                ReviewRating.review_id == review.id,
                ReviewRating.contributor_id == contributor_id,
                ReviewRating.statement == statement,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )


async def record_review_comment(
    session: AsyncSession,
    review: Review,
    *,
    contributor_id: int,
    text: str,
    is_named: bool,
    as_lead: bool,
    channel: ChannelName | None,
    now: datetime,
) -> None:
    """Keep their closing words; words sent again replace the earlier."""
    values = {
        "text": text,
        "is_named": is_named,
        "as_lead": as_lead,
        "channel": channel,
        "received_at": now,
    }
    added = await insert_unless_exists(
        session,
        ReviewComment.__table__,
        {"review_id": review.id, "contributor_id": contributor_id, **values},
        ["review_id", "contributor_id"],
    )
    if added is None:
        await session.execute(
            update(ReviewComment)
            .where(
                ReviewComment.review_id == review.id,
                ReviewComment.contributor_id == contributor_id,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class GivenRating:
    statement: int
    rating: int | None  # None: skipped
    as_lead: bool


async def ratings_of(session: AsyncSession, review_id: int) -> list[GivenRating]:
    rows = await session.execute(
        select(ReviewRating.statement, ReviewRating.rating, ReviewRating.as_lead)
        .where(ReviewRating.review_id == review_id)
        .order_by(ReviewRating.statement, ReviewRating.id)
    )
    return [GivenRating(statement, rating, as_lead) for statement, rating, as_lead in rows]


async def raters(session: AsyncSession, review_id: int) -> int:
    """How many people rated at least one statement (a skip is not a rating)."""
    people = await session.scalars(
        select(ReviewRating.contributor_id)
        .where(ReviewRating.review_id == review_id, ReviewRating.rating.is_not(None))
        .distinct()
    )
    return len(people.all())


@dataclass(frozen=True)
class GivenComment:
    name: str | None  # None for an erased person
    is_named: bool
    as_lead: bool
    text: str
    received_at: datetime


async def comments_of(session: AsyncSession, review_id: int) -> list[GivenComment]:
    rows = await session.execute(
        select(
            Contributor.name,
            Contributor.erased_at,
            ReviewComment.is_named,
            ReviewComment.as_lead,
            ReviewComment.text,
            ReviewComment.received_at,
        )
        .outerjoin(Contributor, Contributor.id == ReviewComment.contributor_id)
        .where(ReviewComment.review_id == review_id)
        .order_by(ReviewComment.received_at, ReviewComment.id)
    )
    return [
        GivenComment(name if erased_at is None else None, is_named, as_lead, text, at)
        for name, erased_at, is_named, as_lead, text, at in rows
    ]


@dataclass(frozen=True)
class PanelSeat:
    contributor_id: int | None
    name: str | None  # None for an erased person
    is_lead: bool
    added_at: datetime
    signed_off_at: datetime | None
    words: str | None


async def panel_of(session: AsyncSession, review_id: int) -> list[PanelSeat]:
    """The panel: the leads first, then the peer leaders, each in the order they were added."""
    rows = await session.execute(
        select(
            ReviewPanelMember.contributor_id,
            Contributor.name,
            Contributor.erased_at,
            ReviewPanelMember.is_lead,
            ReviewPanelMember.added_at,
            ReviewPanelMember.signed_off_at,
            ReviewPanelMember.words,
        )
        .outerjoin(Contributor, Contributor.id == ReviewPanelMember.contributor_id)
        .where(ReviewPanelMember.review_id == review_id)
        .order_by(ReviewPanelMember.is_lead.desc(), ReviewPanelMember.id)
    )
    return [
        PanelSeat(person, name if erased_at is None else None, lead, added, signed, words)
        for person, name, erased_at, lead, added, signed, words in rows
    ]


async def set_panel(
    session: AsyncSession,
    review: Review,
    seats: Sequence[tuple[int, bool]],
    now: datetime,
) -> list[int]:
    """The panel becomes exactly ``seats`` (contributor id, is a lead); those already on it
    keep their sign-off. Returns the ids newly added."""
    wanted = dict(seats)
    await session.execute(
        delete(ReviewPanelMember).where(
            ReviewPanelMember.review_id == review.id,
            ReviewPanelMember.contributor_id.not_in(list(wanted)),
        )
    )
    added = []
    for person, lead in seats:
        new = await insert_unless_exists(
            session,
            ReviewPanelMember.__table__,
            {"review_id": review.id, "contributor_id": person, "is_lead": lead, "added_at": now},
            ["review_id", "contributor_id"],
        )
        if new is not None:
            added.append(person)
    return added


async def sign_off(
    session: AsyncSession,
    review_id: int,
    contributor_id: int,
    *,
    words: str | None,
    channel: ChannelName | None,
    now: datetime,
) -> bool:
    """Their sign-off of the round (signing again keeps the new words); False when they are
    not on its panel."""
    seat = await session.scalar(
        select(ReviewPanelMember).where(
            ReviewPanelMember.review_id == review_id,
            ReviewPanelMember.contributor_id == contributor_id,
        )
    )
    if seat is None:
        return False
    seat.signed_off_at = now
    seat.words = words or seat.words
    seat.channel = channel
    await session.flush()
    return True
