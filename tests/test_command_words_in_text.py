"""HELP, BRIEF, LANGUAGE, STOP and START at the start of longer words: while the words have
somewhere to go (an open comment window, a lead's question waiting for a reply), they are kept
as the person wrote them, with a note on how to use the word; sent alone, or with only what the
word takes, they still work as before."""

from __future__ import annotations

from sqlalchemy import select

from channels.base import ChannelName
from flows.windows import open_comment_window
from storage.db import transaction
from storage.models import Comment, ContactPoint, Contributor, QuestionResponse
from storage.projects import find_project
from tests.helpers import add_person
from tests.test_contributor_words import all_of, heard, lead_of, publish

SMS, TELEGRAM = ChannelName.SMS, ChannelName.TELEGRAM
LEAD = "9001"
ANN = "+447700900001"
PIOTR = "+48500100200"


async def opted_out(bot) -> bool:  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        point = await session.scalar(select(ContactPoint).where(ContactPoint.address == ANN))
        return point.opted_out_at is not None


async def a_member_with_comments_open(bot, name: str = "Ann", **where):  # type: ignore[no-untyped-def]
    person = await add_person(bot.sessions, name, **(where or {"phone": ANN}))
    await lead_of(bot, "CARE1", members=[person])
    async with transaction(bot.sessions) as session:
        await open_comment_window(
            session, await find_project(session, "CARE1"), now=bot.clock.now()
        )
    await bot.delivered()  # the window's opening, in the person's language
    return person


async def test_help_at_the_start_of_a_comment_is_kept_as_the_comment(bot) -> None:
    await a_member_with_comments_open(bot)
    await bot.send_in(SMS, ANN, "Help for carers is hard to find")
    [comment] = await all_of(bot, Comment)
    assert comment.text == "Help for carers is hard to find"
    thanks, note = (await heard(bot))[ANN]
    assert thanks.startswith(
        f"Thank you. We have your comment on CARE1. Its number is {comment.id}."
    )
    assert note == "If you meant HELP, reply HELP on its own."
    await bot.send_in(SMS, ANN, "Help!")
    [help_text] = (await heard(bot))[ANN]
    assert help_text.startswith("Reply with your comment on CARE1 by Monday 30 November 2026")


async def test_stop_at_the_start_of_a_comment_keeps_it_and_stops_nothing(bot) -> None:
    await a_member_with_comments_open(bot)
    await bot.send_in(SMS, ANN, "Stop cutting the day centre hours")
    [comment] = await all_of(bot, Comment)
    assert comment.text == "Stop cutting the day centre hours"
    assert (await heard(bot))[ANN][1] == "If you meant STOP, reply STOP on its own."
    assert not await opted_out(bot)
    await bot.send_in(SMS, ANN, "STOP")
    [stopped] = (await heard(bot))[ANN]
    assert "no more texts" in stopped
    assert await opted_out(bot)


async def test_stop_with_words_when_nothing_could_keep_them_still_stops(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])  # no comment window, no question waiting
    await bot.send_in(SMS, ANN, "Stop please")
    [stopped] = (await heard(bot))[ANN]
    assert "no more texts" in stopped
    assert await opted_out(bot)
    assert await all_of(bot, Comment) == []


async def test_start_brief_and_language_at_the_start_of_comments_are_kept(bot) -> None:
    await a_member_with_comments_open(bot)
    await publish(bot, "CARE1", "The plan for home care visits.")
    await bot.delivered()
    for words in (
        "Start times are too early for me",
        "Brief was far too long to read",
        "Language in the letters is hard",
    ):
        await bot.send_in(SMS, ANN, words)
    comments = await all_of(bot, Comment)
    assert [c.text for c in comments] == [
        "Start times are too early for me",
        "Brief was far too long to read",
        "Language in the letters is hard",
    ]
    notes = [body for body in (await heard(bot))[ANN] if body.startswith("If you meant")]
    assert notes == [
        "If you meant START, reply START on its own.",
        "If you meant BRIEF, reply BRIEF on its own.",
        "If you meant LANGUAGE, reply LANGUAGE on its own.",
    ]
    async with bot.sessions() as session:
        assert (
            await session.scalar(select(Contributor).where(Contributor.name == "Ann"))
        ).language is None


async def test_the_words_with_what_they_take_still_work_while_comments_are_open(bot) -> None:
    await a_member_with_comments_open(bot)
    await publish(bot, "CARE1", "The plan for home care visits.")
    await bot.delivered()
    await bot.send_in(SMS, ANN, "BRIEF CARE1")
    [brief] = (await heard(bot))[ANN]
    assert "The plan for home care visits." in brief
    await bot.send_in(SMS, ANN, "HELP CARE1")
    [help_text] = (await heard(bot))[ANN]
    assert help_text.startswith("Reply with your comment on CARE1")
    await bot.send_in(SMS, ANN, "LANGUAGE Cymraeg")
    [welsh] = (await heard(bot))[ANN]
    assert welsh != "" and "English" not in welsh
    assert await all_of(bot, Comment) == []
    async with bot.sessions() as session:
        assert (
            await session.scalar(select(Contributor).where(Contributor.name == "Ann"))
        ).language == "cy"


async def test_in_polish_opis_at_the_start_of_a_comment_is_kept_and_the_note_is_polish(
    bot,
) -> None:
    await a_member_with_comments_open(bot, "Piotr", phone=PIOTR, language="pl")
    await bot.send_in(SMS, PIOTR, "Opis jest za długi")
    [comment] = await all_of(bot, Comment)
    assert comment.text == "Opis jest za długi"
    assert (await heard(bot))[PIOTR][1] == "Jeśli chodziło o OPIS, odpisz samo słowo OPIS."


async def test_help_at_the_start_of_a_reply_to_a_leads_question_is_the_answer(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(TELEGRAM, LEAD, "ASK CARE1 What would make the visits better?")
    await bot.delivered()
    await bot.send_in(SMS, ANN, "Help with the shopping")
    [reply] = await all_of(bot, QuestionResponse)
    assert reply.text == "Help with the shopping"
    assert (await heard(bot))[ANN][-1] == "If you meant HELP, reply HELP on its own."
