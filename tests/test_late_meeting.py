"""A meeting recorded after it ended tells the truth: the lead is warned how little time
people will have, its window opens when it is recorded (and the record says so), and the
checklist counts the days people really had."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from flows.checklist_facts import project_checklist
from flows.record import project_record
from flows.record_render import render
from flows.windows import add_project_meeting
from storage.db import transaction
from storage.models import CommentWindow, WindowExtension
from storage.projects import find_project
from tests.bot_fixture import MemoryBot
from tests.helpers import START, add_person, add_project
from tests.test_cli import coproduce

SEVEN_DAYS = "At least 7 days for comments after every meeting"


async def _care1(bot: MemoryBot) -> None:
    lee = await add_person(bot.sessions, "Lee", email="lee@example.org")
    await add_project(bot.sessions, "CARE1", [lee])


async def _meeting(bot: MemoryBot, starts: datetime, window_days: int | None = None) -> None:
    async with transaction(bot.sessions) as session:
        await add_project_meeting(
            session,
            await find_project(session, "CARE1"),
            starts_at=starts,
            minutes=60,
            place=None,
            window_days=window_days,
            now=bot.clock.now(),
        )
    await bot.services.scheduler.run_due()
    await bot.delivered()


async def _seven_days_met(bot: MemoryBot) -> bool:
    async with bot.sessions() as session:
        checks = await project_checklist(
            session, await find_project(session, "CARE1"), bot.clock.now()
        )
    return next(c.passed for c in checks if c.criterion == SEVEN_DAYS)


async def test_a_meeting_recorded_six_days_late_opens_now_and_fails_the_seven_days(
    bot: MemoryBot,
) -> None:
    await _care1(bot)
    await _meeting(bot, START - timedelta(days=6, hours=1))  # ended six days ago
    async with bot.sessions() as session:
        [window] = (await session.scalars(select(CommentWindow))).all()
        project = await find_project(session, "CARE1")
        record = render(await project_record(session, project, now=bot.clock.now()), "md")
    assert window.opens_at == START, "it opened when it was recorded"
    assert window.closes_at == START + timedelta(days=1)
    assert "Monday 23 November 2026 at 09:00" in record and "1 day" in record
    bot.clock.advance(days=2)
    assert not await _seven_days_met(bot)


async def test_a_late_meeting_given_more_days_meets_the_seven_days(bot: MemoryBot) -> None:
    await _care1(bot)
    await _meeting(bot, START - timedelta(days=6, hours=1), window_days=13)
    bot.clock.advance(days=8)
    await bot.services.scheduler.run_due()
    await bot.delivered()
    assert await _seven_days_met(bot)


async def test_a_meeting_recorded_after_its_comments_would_have_closed_opens_nothing(
    bot: MemoryBot,
) -> None:
    await _care1(bot)
    await _meeting(bot, START - timedelta(days=9))
    async with bot.sessions() as session:
        assert (await session.scalars(select(CommentWindow))).all() == []
    assert not await _seven_days_met(bot)


async def test_a_meeting_that_ends_while_comments_are_open_moves_the_one_close(
    bot: MemoryBot,
) -> None:
    await _care1(bot)
    await _meeting(bot, START + timedelta(hours=1))
    await _meeting(bot, START + timedelta(days=1, hours=1))
    bot.clock.advance(hours=3)
    await bot.services.scheduler.run_due()
    await bot.delivered()
    bot.clock.advance(days=1)
    await bot.services.scheduler.run_due()
    told = await bot.delivered()
    async with bot.sessions() as session:
        [window] = (await session.scalars(select(CommentWindow))).all()
        [moved] = (await session.scalars(select(WindowExtension))).all()
    assert window.closes_at == START + timedelta(days=8, hours=2)
    assert moved.meeting_id is not None and moved.previous_closes_at == START + timedelta(
        days=7, hours=2
    )
    assert [m.body for m in told] == [
        "After the latest meeting, comments on CARE1 are now open until "
        "Tuesday 1 December 2026 at 11:00."
    ]
    bot.clock.advance(days=8)
    await bot.services.scheduler.run_due()
    await bot.delivered()
    assert await _seven_days_met(bot)


@pytest.mark.parametrize(
    ("ended_days_ago", "warning"),
    [
        (6, "comments will close in 1 day; use --window-days 14 to give people 7 days from now."),
        (9, "too long ago for comments to open after it; use --window-days 17 to give people"),
    ],
    ids=["six days late", "nine days late"],
)
# The meeting ended that many days and half an hour ago: a full week from now needs a day more.
async def test_the_command_line_warns_of_a_meeting_recorded_late(
    bot: MemoryBot, monkeypatch: pytest.MonkeyPatch, ended_days_ago: int, warning: str
) -> None:
    await _care1(bot)
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", bot.services.settings.database_url)
    started = datetime.now(UTC) - timedelta(days=ended_days_ago, minutes=90)
    at = started.astimezone(ZoneInfo("Europe/London"))
    result = await asyncio.to_thread(
        coproduce, "meeting", "add", "CARE1", "--at", f"{at:%Y-%m-%d %H:%M}", "--minutes", "60"
    )
    assert result.exit_code == 0, result.output
    assert warning in " ".join(result.stderr.split())
