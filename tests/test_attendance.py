"""A meeting that asks who is coming: members reply 1, 2 or 3 (and then say what they need),
by typing or, on Telegram, with buttons that mirror the numbers; the latest answer counts,
and the leads see the list, a contributor lead without the names of those not named."""

from __future__ import annotations

import json

from sqlalchemy import select

from flows import lead_meetings
from flows.lead_actions import Actor
from storage.db import transaction
from storage.leads import add_lead
from storage.models import Attendance, Contributor, LeadKind
from storage.projects import find_project
from tests.test_cli import _ok
from tests.test_cli_leads import project  # noqa: F401 - the CLI's project fixture
from tests.test_lead_words import ANN, BEA, LEAD, all_of, care1, heard
from tests.test_meeting_changes import cancel, change

OPERATOR = Actor("test")
QUESTION = (
    "Are you coming to the CARE1 meeting on Tuesday 1 December 2026 at 18:00?\n"
    "Reply with a number:\n"
    "1 if you are coming\n"
    "2 if you are not coming\n"
    "3 if you are coming and need something, for example help to get there"
)


async def asked(bot):  # type: ignore[no-untyped-def]
    """CARE1 with a meeting on Tuesday 1 December 2026 that asks who is coming."""
    lee, ann, bea = await care1(bot)
    async with transaction(bot.sessions) as session:
        _, meeting, _ = await lead_meetings.add_meeting(
            session,
            OPERATOR,
            "CARE1",
            starts="2026-12-01 18:00",
            minutes=90,
            place=None,
            window_days=7,
            ask_attendance=True,
            now=bot.clock.now(),
        )
    sent = await bot.delivered()
    to_ann = [m.body for m in sent if m.address == ANN]
    assert to_ann[0].startswith("CARE1 meeting: Tuesday 1 December 2026 at 18:00.")
    assert to_ann[1] == QUESTION
    [to_bea] = [m for m in sent if m.address == BEA and m.body == QUESTION]
    assert to_bea.choices == ("1", "2", "3"), "Telegram buttons mirror the numbers"
    return meeting.id, lee, ann, bea


async def answers(bot) -> list[tuple[int, str, str | None]]:  # type: ignore[no-untyped-def]
    return [(a.contributor_id, a.answer, a.need) for a in await all_of(bot, Attendance)]


async def test_a_member_says_they_are_coming_and_the_latest_answer_counts(bot) -> None:
    _, _, ann, _ = await asked(bot)
    await bot.send_in("sms", ANN, "1")
    assert (await heard(bot))[ANN] == [
        "Thank you. We have noted that you are coming to the CARE1 meeting on "
        "Tuesday 1 December 2026 at 18:00. To change your answer, reply 1, 2 or 3."
    ]
    await bot.send_in("sms", ANN, "2.")
    assert (await heard(bot))[ANN] == [
        "Thank you. We have noted that you are not coming to the CARE1 meeting on "
        "Tuesday 1 December 2026 at 18:00. You can still send comments after it. "
        "To change your answer, reply 1, 2 or 3."
    ]
    assert await answers(bot) == [(ann.id, "not-coming", None)]


async def test_a_member_who_needs_something_is_asked_what_and_their_next_message_is_kept(
    bot,
) -> None:
    _, _, _, bea = await asked(bot)
    await bot.send_in("telegram", BEA, "3")
    [asking] = await bot.delivered()
    assert asking.body == (
        "Thank you. We have noted that you are coming to the CARE1 meeting on "
        "Tuesday 1 December 2026 at 18:00.\n\nWhat do you need? Please reply in your own words."
    )
    assert await answers(bot) == [(bea.id, "coming-with-need", None)]
    await bot.send_in("telegram", BEA, "A ramp at the door, please")
    assert (await heard(bot))[BEA] == [
        "Thank you. We have noted what you need, and the leads can see it.\n\n"
        "To change your answer, reply 1, 2 or 3."
    ]
    assert await answers(bot) == [(bea.id, "coming-with-need", "A ramp at the door, please")]


async def test_a_number_out_of_range_is_answered_with_the_choices_and_nothing_is_kept(
    bot,
) -> None:
    await asked(bot)
    await bot.send_in("sms", ANN, "4")
    assert (await heard(bot))[ANN] == [
        "Please reply 1, 2 or 3 about the CARE1 meeting.\n" + QUESTION.split("\n", 1)[1]
    ]
    assert await answers(bot) == []
    await bot.send_in("sms", ANN, "1")
    assert (await heard(bot))[ANN][0].startswith("Thank you. We have noted that you are coming")


async def test_other_words_while_asked_go_where_they_would_and_the_question_still_waits(
    bot,
) -> None:
    _, _, ann, _ = await asked(bot)
    await bot.send_in("sms", ANN, "QUESTION Is there parking?")
    assert (await heard(bot))[ANN][0].startswith("Thank you. Your question to CARE1 is number 1.")
    await bot.send_in("sms", ANN, "1")
    await heard(bot)
    assert await answers(bot) == [(ann.id, "coming", None)]


async def test_once_the_meeting_starts_a_number_is_no_longer_an_answer(bot) -> None:
    await asked(bot)
    bot.clock.advance(days=8, hours=9)  # Tuesday 1 December, 18:00
    await bot.send_in("sms", ANN, "1")
    [reply] = (await heard(bot))[ANN]
    assert reply == (
        "It is too late to answer about the CARE1 meeting on Tuesday 1 December 2026 at 18:00."
    )
    assert await answers(bot) == []
    bot.clock.advance(days=1)  # a day on, a number is no longer read as about the meeting
    await bot.send_in("sms", ANN, "1")
    [reply] = (await heard(bot))[ANN]
    assert "too late" not in reply and "Thank you" not in reply


async def test_after_a_cancellation_no_one_is_asked_any_more(bot) -> None:
    number, _, _, _ = await asked(bot)
    await cancel(bot, number, "Snow.")
    await heard(bot)
    await bot.send_in("sms", ANN, "2")
    [reply] = (await heard(bot))[ANN]
    assert "Thank you" not in reply
    assert await answers(bot) == []


async def test_a_changed_meeting_asks_again_with_its_new_time(bot) -> None:
    number, _, ann, _ = await asked(bot)
    await bot.send_in("sms", ANN, "1")
    await heard(bot)
    await change(bot, number, starts="2026-12-08 18:00", reason="The room is booked.")
    told = (await heard(bot))[ANN]
    assert told[0].startswith("The CARE1 meeting has moved to Tuesday 8 December 2026 at 18:00.")
    assert told[1].startswith(
        "Are you coming to the CARE1 meeting on Tuesday 8 December 2026 at 18:00?"
    )
    await bot.send_in("sms", ANN, "2")
    assert (await heard(bot))[ANN][0].endswith(
        "not coming to the CARE1 meeting on Tuesday 8 December 2026 at 18:00. "
        "You can still send comments after it. To change your answer, reply 1, 2 or 3."
    )
    assert await answers(bot) == [(ann.id, "not-coming", None)]


async def test_the_team_sees_every_name_and_a_contributor_lead_only_those_named(bot) -> None:
    number, lee, _, bea = await asked(bot)
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await add_lead(session, project, bea, LeadKind.CONTRIBUTOR, now=bot.clock.now(), actor="t")
        (await session.get(Contributor, lee.id)).named_in_comments = True
    await bot.send_in("sms", ANN, "3")
    await bot.send_in("sms", ANN, "Someone to meet me at the station")
    await bot.send_in("telegram", LEAD, "1")
    await heard(bot)

    async def seen_by(actor: Actor):  # type: ignore[no-untyped-def]
        async with bot.sessions() as session:
            return (await lead_meetings.meeting_attendance(session, actor, number))[1]

    team = await seen_by(OPERATOR)
    assert (team.coming.count, team.coming.names) == (2, ("Ann", "Lee"))
    assert [(n.name, n.need) for n in team.needs] == [("Ann", "Someone to meet me at the station")]
    assert (team.not_answered.count, team.not_answered.names) == (1, ("Bea",))
    joint = await seen_by(Actor.lead(bea.id))
    assert joint.names_limited
    assert (joint.coming.count, joint.coming.names) == (2, ("Lee",))
    assert [(n.name, n.need) for n in joint.needs] == [(None, "Someone to meet me at the station")]
    assert (joint.not_answered.count, joint.not_answered.names) == (1, ())
    async with bot.sessions() as session:
        assert (await session.scalars(select(Attendance.answer).order_by(Attendance.id))).all() == [
            "coming-with-need",
            "coming",
        ]


def test_the_command_line_asks_who_is_coming_and_lists_the_answers(project) -> None:  # noqa: F811
    out = _ok("meeting", "add", "CARE1", "--at", "2030-01-15 18:00", "--ask-attendance")
    assert out.strip().endswith("Members are asked to reply 1, 2 or 3 to say if they are coming.")
    listed = _ok("meeting", "attendance", "1")
    assert listed.splitlines() == [
        "Meeting 1 of CARE1 on Tuesday 15 January 2030 at 18:00",
        "Coming: 0",
        "Not coming: 0",
        "Not answered: 2: Jo and Lee",
    ]
    as_joint_lead = json.loads(_ok("meeting", "attendance", "1", "--json", "--by", "2"))
    assert as_joint_lead["asked"] is True and as_joint_lead["names_limited"] is True
    assert as_joint_lead["not_answered"] == {"count": 2, "names": []}
