"""When a project's messages go: quiet hours hold what nobody asked for until the morning,
digests go at the project's digest time, and leads can change both."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from flows.lead_actions import Actor, set_message_times
from flows.quiet_hours import digest_time_from, digest_times, held_until
from flows.windows import open_comment_window
from storage.db import transaction
from storage.models import OutboxRow, Project, ScheduledJob
from storage.projects import find_project
from tests.bot_fixture import MemoryBot
from tests.helpers import START, add_person, add_project
from tests.test_cli import coproduce
from tests.workspace_kit import STAFF_EMAIL, care1, workspace

LONDON = ZoneInfo("Europe/London")


def _project(quiet_from: str = "21:00", quiet_until: str = "08:00") -> Project:
    return Project(
        code="CARE1",
        title="Care",
        time_zone="Europe/London",
        digest_at="10:00",
        quiet_from=quiet_from,
        quiet_until=quiet_until,
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "held"),
    [
        ("2026-12-07 20:59", None),
        ("2026-12-07 21:00", "2026-12-08 08:00"),
        ("2026-12-08 05:17", "2026-12-08 08:00"),
        ("2026-12-08 08:00", None),
        # The clocks go forward on 28 March 2027: 08:00 that morning is 07:00 UTC.
        ("2027-03-27 23:30", "2027-03-28 08:00"),
    ],
    ids=["before", "at the start", "in the night", "at the end", "over a change of clocks"],
)
def test_quiet_hours_hold_until_the_local_morning(now: str, held: str | None) -> None:
    until = held_until(_project(), at(now))
    assert until == (at(held) if held else None)


def test_quiet_hours_within_one_day_and_none_at_all() -> None:
    lunch = _project("12:00", "14:00")
    assert held_until(lunch, at("2026-12-07 13:00")) == at("2026-12-07 14:00")
    assert held_until(lunch, at("2026-12-07 22:00")) is None
    assert held_until(_project("00:00", "00:00"), at("2026-12-07 03:00")) is None


def test_digests_fall_at_the_digest_time_each_day() -> None:
    project = _project()
    times = digest_times(project, after=at("2026-11-24 05:17"), before=at("2026-11-27 05:17"))
    assert times == [at("2026-11-24 10:00"), at("2026-11-25 10:00"), at("2026-11-26 10:00")]
    assert digest_time_from(project, at("2026-12-01 05:17")) == at("2026-12-01 10:00")
    assert digest_time_from(project, at("2026-12-01 10:00")) == at("2026-12-01 10:00")


async def test_a_broadcast_in_the_night_waits_but_a_reply_to_someone_who_wrote_does_not(
    bot: MemoryBot,
) -> None:
    lee = await add_person(bot.sessions, "Lee", email="lee@example.org")
    ann = await add_person(bot.sessions, "Ann", phone="+447700900401")
    await add_project(bot.sessions, "CARE1", [lee], [ann])
    await bot.send_in("sms", "+447700900401", "JOIN CARE1")
    await bot.delivered()
    bot.clock.advance(hours=13)  # 22:00 in London
    async with transaction(bot.sessions) as session:
        await open_comment_window(
            session, await find_project(session, "CARE1"), now=bot.clock.now()
        )
    assert await bot.delivered() == []
    await bot.send_in("sms", "+447700900401", "Buses stop at six.")
    [thanks] = await bot.delivered()
    assert thanks.body.startswith("Thank you. We have your comment on CARE1.")
    bot.clock.advance(hours=10)  # 08:00
    opened = await bot.delivered()
    assert {m.address for m in opened} == {"lee@example.org", "+447700900401"}
    assert all("are open until" in m.body for m in opened)


async def test_leads_change_the_digest_time_and_the_open_window_follows(bot: MemoryBot) -> None:
    lee = await add_person(bot.sessions, "Lee", email="lee@example.org")
    await add_project(bot.sessions, "CARE1", [lee])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        window = await open_comment_window(session, project, now=bot.clock.now(), days=3)
    await bot.delivered()
    async with transaction(bot.sessions) as session:
        await set_message_times(
            session,
            Actor.lead(lee.id),
            "CARE1",
            digest_at="16:30",
            quiet_hours="22:00-07:00",
            now=bot.clock.now(),
        )
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        jobs = (
            await session.scalars(
                select(ScheduledJob).where(ScheduledJob.kind == "window-daily-digest")
            )
        ).all()
    assert (project.digest_at, project.quiet_from, project.quiet_until) == (
        "16:30",
        "22:00",
        "07:00",
    )
    assert sorted(job.due_at for job in jobs) == [
        START.replace(hour=16, minute=30) + timedelta(days=day) for day in range(3)
    ]
    assert window.closes_at == START + timedelta(days=3)


async def test_a_bad_time_is_refused_and_nothing_changes(bot: MemoryBot) -> None:
    lee = await add_person(bot.sessions, "Lee", email="lee@example.org")
    await add_project(bot.sessions, "CARE1", [lee])
    for digest, quiet in (("25:00", None), (None, "21:00"), (None, "nine-eight")):
        with pytest.raises(ValueError, match="is not"):
            async with transaction(bot.sessions) as session:
                await set_message_times(
                    session,
                    Actor.lead(lee.id),
                    "CARE1",
                    digest_at=digest,
                    quiet_hours=quiet,
                    now=bot.clock.now(),
                )
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
    assert (project.digest_at, project.quiet_from, project.quiet_until) == (
        "10:00",
        "21:00",
        "08:00",
    )


async def test_the_command_line_says_when_a_broadcast_waits_for_the_morning(
    bot: MemoryBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    lee = await add_person(bot.sessions, "Lee", email="lee@example.org")
    await add_project(bot.sessions, "CARE1", [lee])
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", bot.services.settings.database_url)
    # Quiet hours around the real time now, as the command uses the real clock.
    local = datetime.now(LONDON)
    quiet = f"{local - timedelta(hours=2):%H:%M}-{local + timedelta(hours=2):%H:%M}"
    updated = await asyncio.to_thread(
        coproduce, "project", "update", "CARE1", "--quiet-hours", quiet, "--digest-at", "9:30"
    )
    assert updated.exit_code == 0, updated.output
    assert updated.stdout.strip() == (
        f"CARE1: digest at 09:30; quiet {quiet.replace('-', ' to ')}."
    )
    opened = await asyncio.to_thread(coproduce, "window", "open", "CARE1")
    assert opened.exit_code == 0, opened.output
    assert "quiet hours" in opened.stderr and "so the messages will go at" in opened.stderr
    async with bot.sessions() as session:
        rows = (await session.scalars(select(OutboxRow))).all()
    assert rows and all(row.next_attempt_at > datetime.now(UTC) for row in rows)
    refused = await asyncio.to_thread(coproduce, "project", "update", "CARE1", "--digest-at", "x")
    assert refused.exit_code == 1 and "is not a time like 10:00" in refused.stderr


async def test_leads_set_the_times_in_the_workspace(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        path = "/lead/p/CARE1/settings"
        page = await ws.http.get(path)
        assert 'value="10:00"' in page.text and 'value="21:00"' in page.text
        bad = await ws.post(
            path, {"action": "times", "digest_at": "ten", "quiet_from": "21:00", "quiet_until": "8"}
        )
        assert bad.status_code == 400
        assert bad.text.count("Enter a time like 10:00") >= 2  # in the summary and the field
        saved = await ws.post(
            path,
            {
                "action": "times",
                "digest_at": "09:00",
                "quiet_from": "20:00",
                "quiet_until": "07:30",
            },
        )
        assert saved.status_code == 303
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
    assert (project.digest_at, project.quiet_from, project.quiet_until) == (
        "09:00",
        "20:00",
        "07:30",
    )
