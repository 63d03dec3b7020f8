"""Polls and each member's latest answer; the tally is counted in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .errors import NotFound
from .models import Contributor, Poll, PollAnswer
from .upsert import insert_unless_exists


async def add_poll(
    session: AsyncSession,
    *,
    project_id: int,
    question: str,
    shape: str,
    size: int,
    labels: list[str],
    allows_other: bool,
    is_named: bool,
    asked_by: int | None,
    now: datetime,
    closes_at: datetime,
) -> Poll:
    poll = Poll(
        project_id=project_id,
        question=question,
        shape=shape,
        size=size,
        labels=labels,
        allows_other=allows_other,
        is_named=is_named,
        asked_by=asked_by,
        opened_at=now,
        closes_at=closes_at,
    )
    session.add(poll)
    await session.flush()
    return poll


async def find_poll(session: AsyncSession, poll_id: int) -> Poll:
    poll = await session.get(Poll, poll_id) if 0 < poll_id < 2**31 else None
    if poll is None:
        raise NotFound(f"no poll {poll_id}")
    return poll


async def project_polls(session: AsyncSession, project_id: int) -> list[Poll]:
    return list(
        (
            await session.scalars(
                select(Poll).where(Poll.project_id == project_id).order_by(Poll.id)
            )
        ).all()
    )


async def record_poll_answer(
    session: AsyncSession,
    poll: Poll,
    *,
    contributor_id: int,
    choice: int | None,
    other: str | None,
    channel: ChannelName | None,
    now: datetime,
) -> bool:
    """Keep a member's answer; a later one replaces the earlier. True when it was their first."""
    values = {"choice": choice, "other": other, "channel": channel, "answered_at": now}
    added = await insert_unless_exists(
        session,
        PollAnswer.__table__,
        {"poll_id": poll.id, "contributor_id": contributor_id, "changes": 0, **values},
        ["poll_id", "contributor_id"],
    )
    if added is None:
        await session.execute(
            update(PollAnswer)
            .where(PollAnswer.poll_id == poll.id, PollAnswer.contributor_id == contributor_id)
            .values(changes=PollAnswer.changes + 1, **values)
            .execution_options(synchronize_session=False)
        )
    return added is not None


@dataclass(frozen=True)
class Tally:
    """How many chose each choice (``counts[0]`` is choice 1), and how many typed their own."""

    counts: tuple[int, ...]
    other: int

    @property
    def total(self) -> int:
        return sum(self.counts) + self.other


async def tally(session: AsyncSession, poll: Poll) -> Tally:
    rows = await session.execute(
        select(PollAnswer.choice, func.count())
        .where(PollAnswer.poll_id == poll.id)
        .group_by(PollAnswer.choice)
    )
    by_choice = {choice: count for choice, count in rows}
    return Tally(
        tuple(by_choice.get(n, 0) for n in range(1, poll.size + 1)), by_choice.get(None, 0)
    )


@dataclass(frozen=True)
class GivenAnswer:
    """One answer as the leads may see it: who (for a named poll), which choice, what words."""

    name: str | None
    choice: int | None
    other: str | None
    answered_at: datetime
    changes: int


async def given_answers(session: AsyncSession, poll: Poll) -> list[GivenAnswer]:
    """Every answer, oldest first; a name only for a named poll (and never for an erased
    person, whose name is already gone)."""
    rows = await session.execute(
        select(
            Contributor.name,
            Contributor.erased_at,
            PollAnswer.choice,
            PollAnswer.other,
            PollAnswer.answered_at,
            PollAnswer.changes,
        )
        .outerjoin(Contributor, Contributor.id == PollAnswer.contributor_id)
        .where(PollAnswer.poll_id == poll.id)
        .order_by(PollAnswer.answered_at, PollAnswer.id)
    )
    return [
        GivenAnswer(
            name if poll.is_named and name and erased_at is None else None,
            choice,
            other,
            answered_at,
            changes,
        )
        for name, erased_at, choice, other, answered_at, changes in rows
    ]


async def answer_of(session: AsyncSession, poll_id: int, contributor_id: int) -> PollAnswer | None:
    return await session.scalar(
        select(PollAnswer).where(
            PollAnswer.poll_id == poll_id, PollAnswer.contributor_id == contributor_id
        )
    )
