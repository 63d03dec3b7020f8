"""A lead's polls, for every way a lead reaches us (the command line, the lead words over
the channels, the workspace): found, checked that the actor leads the project, and passed to
:mod:`flows.polls`, as :mod:`flows.lead_actions` does for everything else."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.errors import InvalidInput, NotFound
from storage.models import Poll, Project
from storage.polls import find_poll, project_polls

from . import polls
from .context import Exchange
from .effects import LeadPoll
from .lead_actions import Actor, authorise, led_project
from .outbound import Message, Reader
from .poll_choices import PollShape, shape_of
from .poll_reports import PollReport, poll_report
from .times import local_time


async def create_poll(
    session: AsyncSession,
    actor: Actor,
    code: str,
    question: str,
    shape: PollShape,
    *,
    now: datetime,
    closes: str | None = None,
    allows_other: bool = False,
    named: bool = False,
) -> tuple[Project, Poll, int]:
    """``closes`` is 'YYYY-MM-DD HH:MM' in the project's time zone (None: in a week)."""
    project = await led_project(session, actor, code)
    closes_at = local_time(closes, project.time_zone) if closes else None
    poll, reached = await polls.create_poll(
        session,
        project,
        question,
        shape,
        now=now,
        closes_at=closes_at,
        allows_other=allows_other,
        named=named,
        asked_by=actor.contributor_id,
        actor=actor.label,
    )
    return project, poll, reached


async def poll_over_channel(exchange: Exchange, actor: Actor, effect: LeadPoll) -> None:
    """POLL CODE question / A / B from a lead: the poll goes out, and the lead is told."""
    project = await exchange.session.get(Project, effect.project_id)
    assert project is not None  # the id comes from the situation loaded in this transaction
    _, poll, reached = await create_poll(
        exchange.session,
        actor,
        project.code,
        effect.question,
        shape_of(choices=list(effect.choices)),
        now=exchange.now,
    )

    def sent(reader: Reader) -> Message:
        return Message(
            reader.t.ngettext(
                "Poll {number} has gone to {count} member of {code}. It closes on {when}.",
                "Poll {number} has gone to {count} members of {code}. It closes on {when}.",
                reached,
            ).format(
                number=poll.id, count=reached, code=project.code, when=reader.when(poll.closes_at)
            )
        )

    await exchange.reply("poll-sent", sent, project=project)


async def close_poll(
    session: AsyncSession,
    actor: Actor,
    number: int,
    *,
    now: datetime,
    code: str | None = None,
) -> int:
    """Close a poll before its time; the result goes to every member at once. With ``code``,
    a poll of another project is not found (as the workspace's page for one project needs)."""
    poll = await find_poll(session, number)
    project = await _authorise(session, actor, poll)
    if code is not None and project.code != code.upper():
        raise NotFound(f"no poll {number} in {code.upper()}")
    if poll.closed_at is not None:
        raise InvalidInput(f"poll {poll.id} is already closed")
    return await polls.close_poll(session, poll, now=now, actor=actor.label)


async def poll_results(session: AsyncSession, actor: Actor, number: int) -> PollReport:
    """The tally of one poll, open or closed, for a lead of its project."""
    poll = await find_poll(session, number)
    project = await _authorise(session, actor, poll)
    return await poll_report(session, poll, project)


async def polls_of(session: AsyncSession, actor: Actor, code: str) -> list[PollReport]:
    """Every poll of a project, newest last, with its tally (no answers listed)."""
    project = await led_project(session, actor, code)
    return [
        await poll_report(session, poll, project, with_answers=False)
        for poll in await project_polls(session, project.id)
    ]


async def _authorise(session: AsyncSession, actor: Actor, poll: Poll) -> Project:
    project = await session.get(Project, poll.project_id)
    assert project is not None  # a poll's project is its foreign key
    await authorise(session, project, actor)
    return project
