"""A lead changes or cancels a meeting: every member is told what changed and why, with the
dates written out; the comment window follows the meeting (or, when it is cancelled, never
opens); and a change that cannot be made is refused in one line with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from flows import lead_meetings
from flows.lead_actions import Actor, NotALead
from storage.db import transaction
from storage.errors import InvalidInput
from storage.models import AuditEntry, CommentWindow, Meeting, OutboxRow, ScheduledJob
from tests.helpers import add_person, add_project
from tests.test_cli import _ok, coproduce
from tests.test_cli_leads import _rows, project  # noqa: F401 - the CLI's project fixture
from tests.test_lead_words import ANN, BEA, LEAD, all_of, care1, heard

OPERATOR = Actor("test")


async def add_meeting(bot, starts: str = "2026-12-01 18:00", *, place: str | None = None):  # type: ignore[no-untyped-def]
    """A 90-minute meeting of CARE1 (the lead words' project); the invitations are read."""
    async with transaction(bot.sessions) as session:
        _, meeting, _ = await lead_meetings.add_meeting(
            session,
            OPERATOR,
            "CARE1",
            starts=starts,
            minutes=90,
            place=place,
            window_days=7,
            ask_attendance=False,
            now=bot.clock.now(),
        )
    sent = await heard(bot)
    assert sorted(sent) == sorted([ANN, BEA, LEAD])
    return meeting.id


async def change(bot, number: int, actor: Actor = OPERATOR, **asked):  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        return await lead_meetings.change_meeting(
            session, actor, number, now=bot.clock.now(), **{"starts": None, "place": None, **asked}
        )


async def cancel(bot, number: int, reason: str, actor: Actor = OPERATOR):  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        return await lead_meetings.cancel_meeting(
            session, actor, number, reason=reason, now=bot.clock.now()
        )


async def window_job(bot) -> ScheduledJob:  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return await session.scalar(select(ScheduledJob).where(ScheduledJob.kind == "window-open"))


async def test_a_moved_meeting_tells_every_member_the_new_time_and_why(bot) -> None:
    await care1(bot)
    number = await add_meeting(bot, place="The library")
    _, meeting, reached = await change(
        bot, number, starts="2026-12-02 18:30", reason="The room is being painted."
    )
    assert reached == 3
    told = await heard(bot)
    assert told[ANN] == [
        "The CARE1 meeting has moved to Wednesday 2 December 2026 at 18:30. "
        "It was on Tuesday 1 December 2026 at 18:00. Place: The library. "
        "The reason: The room is being painted."
    ]
    assert told[BEA] == [
        "The CARE1 meeting has moved to Wednesday 2 December 2026 at 18:30. "
        "It was on Tuesday 1 December 2026 at 18:00.\n\nPlace: The library.\n\n"
        "The reason: The room is being painted."
    ]
    assert meeting.starts_at == datetime(2026, 12, 2, 18, 30, tzinfo=UTC)
    job = await window_job(bot)
    assert job.due_at == datetime(2026, 12, 2, 20, 0, tzinfo=UTC), "comments open when it ends"


async def test_a_new_place_alone_is_a_change_and_the_time_stays(bot) -> None:
    await care1(bot)
    number = await add_meeting(bot)
    await change(bot, number, place="  The town   hall ", reason="More room.")
    told = await heard(bot)
    assert told[ANN] == [
        "The CARE1 meeting on Tuesday 1 December 2026 at 18:00 is in a new place. "
        "Place: The town hall. The reason: More room."
    ]
    [meeting] = await all_of(bot, Meeting)
    assert meeting.place == "The town hall"
    assert (await window_job(bot)).due_at == datetime(2026, 12, 1, 19, 30, tzinfo=UTC)


async def test_comments_open_when_the_moved_meeting_ends_not_when_it_would_have(bot) -> None:
    await care1(bot)
    number = await add_meeting(bot)
    await change(bot, number, starts="2026-12-03 18:00", reason="The speaker is ill.")
    await heard(bot)
    bot.clock.advance(days=8, hours=11)  # Tuesday 1 December, 20:00: the old end has passed
    await bot.services.scheduler.run_due()
    assert await all_of(bot, CommentWindow) == []
    bot.clock.advance(days=2)  # Thursday 3 December, 20:00: the new end has passed
    await bot.services.scheduler.run_due()
    [window] = await all_of(bot, CommentWindow)
    assert window.meeting_id == number
    told = await heard(bot)
    assert told[ANN][0].startswith("Comments on CARE1 are open until")


async def test_a_cancelled_meeting_tells_everyone_why_and_opens_no_window(bot) -> None:
    await care1(bot)
    number = await add_meeting(bot)
    _, meeting, reached = await cancel(bot, number, "  The  venue has closed. ")
    assert reached == 3
    told = await heard(bot)
    assert told[ANN] == [
        "The CARE1 meeting on Tuesday 1 December 2026 at 18:00 is cancelled. "
        "The reason: The venue has closed."
    ]
    assert meeting.cancelled_at == bot.clock.now()
    assert meeting.cancel_reason == "The venue has closed."
    assert (await window_job(bot)).status == "done"
    bot.clock.advance(days=9)
    await bot.services.scheduler.run_due()
    assert await all_of(bot, CommentWindow) == []
    assert await heard(bot) == {}


async def _nothing_changes(bot, attempt) -> None:  # type: ignore[no-untyped-def]
    """The attempt is refused, and no meeting, message, job or audit entry changes."""

    async def state() -> tuple[object, ...]:
        async with bot.sessions() as session:
            meetings = [
                (m.starts_at, m.place, m.cancelled_at)
                for m in await session.scalars(select(Meeting).order_by(Meeting.id))
            ]
            jobs = [(j.due_at, j.status) for j in await session.scalars(select(ScheduledJob))]
            counts = [
                await session.scalar(select(func.count()).select_from(model))
                for model in (OutboxRow, AuditEntry)
            ]
            return meetings, jobs, counts

    before = await state()
    with pytest.raises(InvalidInput) as refused:
        await attempt()
    assert await state() == before
    return str(refused.value)


REFUSED = {
    "a time in the past": (
        lambda bot, n: change(bot, n, starts="2026-11-22 18:00", reason="Sooner."),
        "the new time must be in the future",
    ),
    "no reason": (
        lambda bot, n: change(bot, n, starts="2026-12-02 18:00", reason="  "),
        "a change needs a reason; it is sent to every member",
    ),
    "nothing new": (
        lambda bot, n: change(bot, n, reason="Why not."),
        "give the meeting a new time or a new place, or both",
    ),
    "the same time": (
        lambda bot, n: change(bot, n, starts="2026-12-01 18:00", reason="Why not."),
        "meeting 1 is already at that time and place",
    ),
    "a cancellation with no reason": (
        lambda bot, n: cancel(bot, n, ""),
        "a cancellation needs a reason; it is sent to every member",
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
async def test_a_change_that_cannot_be_made_is_refused_in_one_line(bot, case: str) -> None:
    await care1(bot)
    number = await add_meeting(bot)
    attempt, message = REFUSED[case]
    assert await _nothing_changes(bot, lambda: attempt(bot, number)) == message


async def test_a_meeting_that_has_started_can_be_neither_changed_nor_cancelled(bot) -> None:
    await care1(bot)
    number = await add_meeting(bot)
    bot.clock.advance(days=8, hours=9)  # Tuesday 1 December, 18:00
    for attempt in (
        lambda: change(bot, number, starts="2026-12-20 18:00", reason="Later."),
        lambda: cancel(bot, number, "Too late."),
    ):
        refusal = await _nothing_changes(bot, attempt)
        assert refusal.startswith("meeting 1 has already started, so it cannot be")


async def test_a_cancelled_meeting_cannot_be_cancelled_again_or_changed(bot) -> None:
    await care1(bot)
    number = await add_meeting(bot)
    await cancel(bot, number, "Snow.")
    await heard(bot)
    for attempt in (
        lambda: cancel(bot, number, "Snow again."),
        lambda: change(bot, number, place="Elsewhere", reason="Moved."),
    ):
        assert await _nothing_changes(bot, attempt) == "meeting 1 is already cancelled"


async def test_only_a_lead_of_the_project_may_change_it_and_it_is_audited_under_them(
    bot,
) -> None:
    lee, _, _ = await care1(bot)
    pat = await add_person(bot.sessions, "Pat", telegram="9002")
    await add_project(bot.sessions, "PARK2", leads=[pat])
    number = await add_meeting(bot)
    with pytest.raises(NotALead):
        await cancel(bot, number, "Not mine.", actor=Actor.lead(pat.id))
    await change(bot, number, place="Hall", reason="Bigger.", actor=Actor.lead(lee.id))
    await cancel(bot, number, "Snow.", actor=Actor.lead(lee.id))
    await heard(bot)
    entries = [(e.action, e.actor, e.details) for e in await all_of(bot, AuditEntry)][-2:]
    assert entries == [
        (
            "meeting.change",
            f"contributor:{lee.id}",
            {
                "meeting": number,
                "from": "2026-12-01T18:00:00+00:00",
                "to": "2026-12-01T18:00:00+00:00",
                "place_changed": True,
                "reason": "Bigger.",
            },
        ),
        ("meeting.cancel", f"contributor:{lee.id}", {"meeting": number, "reason": "Snow."}),
    ]


def test_the_command_line_changes_and_cancels_a_meeting(project) -> None:  # noqa: F811
    _ok("meeting", "add", "CARE1", "--at", "2030-01-15 18:00", "--place", "The library")
    out = _ok("meeting", "change", "1", "--at", "2030-01-16 18:30", "--reason", "Room booked")
    assert out.strip() == (
        "Meeting 1 of CARE1 is now on Wednesday 16 January 2030 at 18:30, at The library. "
        "2 members told what changed and why."
    )
    assert _rows("SELECT due_at FROM scheduled_jobs") == [("2030-01-16 20:00:00.000000",)]
    refused = coproduce("meeting", "change", "1", "--at", "2001-01-01 10:00", "--reason", "x")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == "Error: the new time must be in the future"
    out = _ok("meeting", "cancel", "1", "--reason", "Snow")
    assert out.strip() == (
        "Meeting 1 of CARE1 on Wednesday 16 January 2030 at 18:30 is cancelled. "
        "2 members told why. No comment window will open after it."
    )
    again = coproduce("meeting", "cancel", "1", "--reason", "Snow")
    assert again.exit_code == 1 and again.stderr.strip() == "Error: meeting 1 is already cancelled"
    assert _rows("SELECT status FROM scheduled_jobs") == [("done",)]
    notices = _rows("SELECT body FROM outbox WHERE kind = 'meeting-cancelled'")
    assert len(notices) == 2 and all("The reason: Snow" in body for (body,) in notices)
