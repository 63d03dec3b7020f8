"""Polls: a lead asks the group to choose; members answer by number or by the words of a
choice on any channel, may change their answer until the close, and everyone gets the
result in words and numbers at the close."""

from __future__ import annotations

import pytest

from flows import lead_polls
from flows.lead_actions import Actor
from flows.poll_choices import shape_of
from storage.db import transaction
from storage.errors import InvalidInput, NotFound
from storage.models import Poll, PollAnswer
from storage.personal_data import export_contributor
from tests.test_lead_words import ANN, BEA, LEAD, all_of, care1, heard

OPERATOR = Actor("test")
VISITS = ["Longer visits", "The same carer", "More notice of changes"]
POLL_TO_ANN = (
    "A poll from the CARE1 leads (number 1):\n"
    "What matters most to you?\n"
    "Reply with a number:\n"
    "1 Longer visits\n"
    "2 The same carer\n"
    "3 More notice of changes\n"
    "You can change your answer until Monday 30 November 2026 at 09:00.\n"
    "Your answer is anonymous. Everyone will see only the totals."
)


async def polled(bot, shape=None, **options):  # type: ignore[no-untyped-def]
    """CARE1 (Lee leads; Ann on SMS, Bea on Telegram) with a poll sent to both."""
    lee, ann, bea = await care1(bot)
    async with transaction(bot.sessions) as session:
        _, poll, reached = await lead_polls.create_poll(
            session,
            OPERATOR,
            "CARE1",
            "What matters most to you?",
            shape or shape_of(choices=VISITS),
            now=bot.clock.now(),
            **options,
        )
    assert reached == 3  # Lee is a member as well as a lead
    return poll.id, lee, ann, bea


async def answers(bot) -> list[tuple[int | None, int | None, str | None]]:  # type: ignore[no-untyped-def]
    return [(a.contributor_id, a.choice, a.other) for a in await all_of(bot, PollAnswer)]


async def test_every_member_gets_the_numbered_choices_and_telegram_buttons_mirror_them(
    bot,
) -> None:
    await polled(bot)
    sent = await bot.delivered()
    [to_ann] = [m for m in sent if m.address == ANN]
    [to_bea] = [m for m in sent if m.address == BEA]
    assert to_ann.body == POLL_TO_ANN
    assert to_bea.body == POLL_TO_ANN
    assert to_bea.choices == ("1 Longer visits", "2 The same carer", "3 More notice of changes")
    assert {m.address for m in sent if m.body == POLL_TO_ANN} == {ANN, BEA, LEAD}


async def test_a_member_answers_by_number_or_words_changes_it_and_the_last_answer_counts(
    bot,
) -> None:
    number, _, ann, bea = await polled(bot)
    await bot.delivered()
    await bot.send_in("sms", ANN, "2 - ymweliadau hirach")
    assert (await heard(bot))[ANN] == [
        "Thank you. Your answer to poll 1 is: 2 The same carer. "
        "To change it, reply again before Monday 30 November 2026 at 09:00."
    ]
    await bot.send_in("telegram", BEA, "3 More notice of changes")  # a button
    await heard(bot)
    await bot.send_in("sms", ANN, "longer visits")
    assert (await heard(bot))[ANN][0].startswith(
        "Thank you. Your answer to poll 1 is: 1 Longer visits."
    )
    assert sorted(await answers(bot)) == [(ann.id, 1, None), (bea.id, 3, None)]
    async with bot.sessions() as session:
        report = await lead_polls.poll_results(session, OPERATOR, number)
    assert report.total == 2
    assert [(c.label, c.count, c.share) for c in report.choices] == [
        ("1 Longer visits", 1, "50%"),
        ("2 The same carer", 0, "0%"),
        ("3 More notice of changes", 1, "50%"),
    ]
    assert report.summary == (
        "Longer visits and More notice of changes were chosen equally, by 1 person each, "
        "of 2 who answered."
    )
    assert [a.name for a in report.answers] == [None, None], "an anonymous poll names no one"


@pytest.mark.parametrize("reply", ["4", "0", "#9"], ids=["four", "nought", "hash-nine"])
async def test_a_number_that_is_no_choice_gets_the_choices_again_and_nothing_is_kept(
    bot, reply: str
) -> None:
    await polled(bot)
    await bot.delivered()
    await bot.send_in("sms", ANN, reply)
    assert (await heard(bot))[ANN] == [
        "Please reply with a number from 1 to 3 for the CARE1 poll (number 1):\n"
        "1 Longer visits\n2 The same carer\n3 More notice of changes"
    ]
    assert await answers(bot) == []


async def test_words_that_are_no_choice_get_the_choices_again_when_they_have_nowhere_to_go(
    bot,
) -> None:
    await polled(bot)
    await bot.delivered()
    await bot.send_in("sms", ANN, "Something else entirely")
    [again] = (await heard(bot))[ANN]
    assert again.startswith("Please reply with a number from 1 to 3 for the CARE1 poll")
    assert await answers(bot) == []


async def test_a_question_while_a_poll_waits_is_a_question_and_the_poll_still_waits(bot) -> None:
    _, _, ann, _ = await polled(bot)
    await bot.delivered()
    await bot.send_in("sms", ANN, "QUESTION When is the next meeting?")
    assert (await heard(bot))[ANN][0].startswith("Thank you. Your question to CARE1 is number")
    await bot.send_in("sms", ANN, "3")
    await heard(bot)
    assert await answers(bot) == [(ann.id, 3, None)]


async def test_a_poll_that_takes_own_words_keeps_them_as_the_answer(bot) -> None:
    _, _, ann, _ = await polled(bot, allows_other=True)
    [first, *_] = [m.body for m in await bot.delivered() if m.address == ANN]
    assert "\nOr reply in your own words.\n" in first
    await bot.send_in("sms", ANN, "A carer who speaks Polish")
    assert (await heard(bot))[ANN][0].startswith(
        "Thank you. We have your answer to poll 1 in your own words."
    )
    assert await answers(bot) == [(ann.id, None, "A carer who speaks Polish")]


async def test_poll_and_its_number_answers_a_poll_whatever_else_waits(bot) -> None:
    number, _, ann, _ = await polled(bot)
    await bot.delivered()
    await bot.send_in("sms", ANN, "QUESTION Is there parking?")  # still waiting after this
    await heard(bot)
    await bot.send_in("sms", ANN, f"POLL {number} the same carer")
    assert (await heard(bot))[ANN][0].startswith("Thank you. Your answer to poll 1 is: 2")
    await bot.send_in("sms", ANN, "POLL 99 2")
    assert (await heard(bot))[ANN] == ["We cannot find poll 99. Please check the number."]
    await bot.send_in("sms", ANN, f"POLL {number} 7")
    assert (await heard(bot))[ANN][0].startswith("Please reply with a number from 1 to 3")
    assert await answers(bot) == [(ann.id, 2, None)]


async def test_at_the_close_everyone_gets_the_result_in_words_then_numbers(bot) -> None:
    await polled(bot)
    await bot.delivered()
    await bot.send_in("sms", ANN, "1")
    await bot.send_in("telegram", BEA, "1")
    await bot.send_in("telegram", LEAD, "2")
    await bot.delivered()
    bot.clock.advance(days=7)
    await bot.services.scheduler.run_due()
    results = {m.address: m.body for m in await bot.delivered()}
    assert results[ANN] == (
        "The CARE1 poll (number 1) has closed.\n"
        "What matters most to you?\n"
        "Most people (2 of 3) chose Longer visits.\n"
        "1 Longer visits: 2 (67%)\n"
        "2 The same carer: 1 (33%)\n"
        "3 More notice of changes: 0 (0%)"
    )
    assert set(results) == {ANN, BEA, LEAD}
    [poll] = await all_of(bot, Poll)
    assert poll.closed_at == bot.clock.now()
    await bot.send_in("sms", ANN, "3")
    assert (await heard(bot))[ANN] == [
        "The CARE1 poll (number 1) closed on Monday 30 November 2026 at 09:00."
    ]
    assert sorted(a[1] for a in await answers(bot)) == [1, 1, 2], "a late answer changes nothing"


# Leads' polls by message, and what is refused


async def test_a_lead_sends_a_poll_by_message_and_is_told_how_many_it_reached(bot) -> None:
    await care1(bot)
    await bot.send_in("telegram", LEAD, "POLL CARE1 Which day suits you? / Monday / Tuesday")
    said = await heard(bot)
    assert said[ANN] == [
        "A poll from the CARE1 leads (number 1):\n"
        "Which day suits you?\n"
        "Reply with a number:\n"
        "1 Monday\n"
        "2 Tuesday\n"
        "You can change your answer until Monday 30 November 2026 at 09:00.\n"
        "Your answer is anonymous. Everyone will see only the totals."
    ]
    assert said[LEAD][-1] == (
        "Poll 1 has gone to 3 members of CARE1. It closes on Monday 30 November 2026 at 09:00."
    )


@pytest.mark.parametrize(
    "words",
    [
        "POLL CARE1 Which day suits you? / Monday",
        "POLL CARE1 Which day? / A / B / C / D / E / F / G / H",
        "POLL CARE1 Which day? / Monday / monday",
        "POLL CARE1 Which day? / Monday / " + "a very long choice that goes on and on for ever",
        "POLL CARE1 / Monday / Tuesday",
    ],
    ids=["one-choice", "eight-choices", "the-same-twice", "too-long", "no-question"],
)
async def test_a_poll_the_group_could_not_answer_well_is_refused_and_nothing_is_sent(
    bot, words: str
) -> None:
    await care1(bot)
    await bot.send_in("telegram", LEAD, words)
    assert await heard(bot) == {
        LEAD: [
            "To send a poll, write POLL CARE1, your question, then each choice after a /. "
            "For example: POLL CARE1 Which day suits you? / Monday / Tuesday. "
            "Give from 2 to 7 short choices."
        ]
    }
    assert await all_of(bot, Poll) == []


async def test_a_poll_from_a_member_who_does_not_lead_the_project_is_refused(bot) -> None:
    await care1(bot)
    await bot.send_in("sms", ANN, "POLL CARE1 Which day? / Monday / Tuesday")
    assert (await heard(bot))[ANN] == ["Only the leads of CARE1 can do that. Nothing has changed."]
    assert await all_of(bot, Poll) == []


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"choices": ["Yes"]}, "a poll needs from 2 to 7 choices; 1 were given"),
        ({"choices": list("ABCDEFGH")}, "a poll needs from 2 to 7 choices; 8 were given"),
        ({"choices": ["A", ""]}, "a choice cannot be empty"),
        ({"scale": "0-5"}, "'0-5' is not a scale: write it as 1-N, for example 1-5"),
        ({"scale": "1-10"}, "a scale goes from 1 to between 2 and 7; 1-10 is not one"),
        ({"scale": "1-5", "labels": ["Poor", "OK", "Great"]}, "a scale of 1-5 takes 5 labels"),
        ({"choices": ["A", "B"], "yes_no": True}, "give the choices, a scale such as 1-5"),
    ],
    ids=["one", "eight", "empty", "from-nought", "ten-points", "three-labels", "two-shapes"],
)
def test_a_poll_shape_that_cannot_be_sent_is_refused_with_the_reason(given, refusal) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as refused:
        shape_of(**given)
    assert str(refused.value).startswith(refusal)


# Languages, names and who may answer


async def test_yes_and_no_are_read_in_any_language_we_write_and_each_reader_sees_their_own(
    bot,
) -> None:
    _, _, ann, bea = await polled(bot, shape_of(yes_no=True))
    await bot.delivered()
    async with transaction(bot.sessions) as session:
        (await session.get(type(bea), bea.id)).language = "cy"
    await bot.send_in("sms", ANN, "Tak")  # Polish, from someone who reads English
    assert (await heard(bot))[ANN][0].startswith("Thank you. Your answer to poll 1 is: 1 Yes.")
    await bot.send_in("telegram", BEA, "Na")
    assert (await heard(bot))[BEA][0].startswith("Diolch. Eich ateb i bôl 1 yw: 2 Na.")
    assert sorted(await answers(bot)) == [(ann.id, 1, None), (bea.id, 2, None)]


async def test_a_named_poll_shows_the_leads_who_chose_what_and_says_so_to_members(bot) -> None:
    number, _, _, _ = await polled(bot, named=True)
    [first, *_] = [m.body for m in await bot.delivered() if m.address == ANN]
    assert first.endswith("\nThe leads will see your name with your answer.")
    await bot.send_in("sms", ANN, "3")
    await heard(bot)
    async with bot.sessions() as session:
        report = await lead_polls.poll_results(session, OPERATOR, number)
    assert [(a.name, a.choice) for a in report.answers] == [("Ann", 3)]


async def test_someone_who_left_the_project_cannot_answer_its_poll(bot) -> None:
    number, _, _, _ = await polled(bot)
    await bot.delivered()
    await bot.send_in("sms", ANN, "LEAVE CARE1")
    await heard(bot)
    await bot.send_in("sms", ANN, f"POLL {number} 1")
    assert (await heard(bot))[ANN] == ["You are not in CARE1."]
    assert await answers(bot) == []


async def test_a_lead_of_another_project_cannot_read_or_close_a_poll(bot) -> None:
    number, _, _, bea = await polled(bot)
    await bot.delivered()
    async with transaction(bot.sessions) as session:
        with pytest.raises(InvalidInput, match="is not a lead of CARE1"):
            await lead_polls.poll_results(session, Actor.lead(bea.id), number)
        with pytest.raises(InvalidInput, match="is not a lead of CARE1"):
            await lead_polls.close_poll(session, Actor.lead(bea.id), number, now=bot.clock.now())
    [poll] = await all_of(bot, Poll)
    assert poll.closed_at is None


async def test_a_members_poll_answers_are_in_what_we_hold_about_them(bot) -> None:
    _, _, ann, _ = await polled(bot, allows_other=True)
    await bot.delivered()
    await bot.send_in("sms", ANN, "1")
    await bot.send_in("sms", ANN, "Visits at the same time each day")
    await bot.delivered()
    async with bot.sessions() as session:
        held = await export_contributor(session, ann.id, bot.clock.now())
    assert [
        (a["project"], a["question"], a["choice"], a["own_words"], a["changes"])
        for a in held["poll_answers"]
    ] == [("CARE1", "What matters most to you?", None, "Visits at the same time each day", 1)]


async def test_closing_a_poll_through_another_projects_page_finds_no_poll(bot) -> None:
    number, _, _, _ = await polled(bot)
    await bot.delivered()
    async with transaction(bot.sessions) as session:
        with pytest.raises(NotFound, match="no poll 1 in PARK2"):
            await lead_polls.close_poll(
                session, OPERATOR, number, now=bot.clock.now(), code="PARK2"
            )
    [poll] = await all_of(bot, Poll)
    assert poll.closed_at is None
