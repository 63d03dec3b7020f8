"""HELP, STOP and START, and strangers, through the real flows and storage (memory transport)."""

from __future__ import annotations

from sqlalchemy import select

from channels.base import ChannelName
from channels.gsm import count_segments
from storage.db import transaction
from storage.models import ContactPoint, InboundMessageRow, OutboxRow, OutboxStatus
from storage.reply_tokens import token_for
from tests.helpers import add_person, add_project

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM


async def test_help_by_sms_is_three_short_lines_on_sms(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone="+447700900001")
    await add_project(bot.sessions, "CARE1", leads=[ann])
    await bot.send_in(SMS, "+447700900001", "help")
    [reply] = await bot.delivered(SMS)
    assert reply.address == "+447700900001"
    lines = reply.body.splitlines()
    assert len(lines) <= 3
    assert "QUESTION" in reply.body and "BRIEF" in reply.body and "STOP" in reply.body
    assert count_segments(reply.body).segments == 1


async def test_help_on_telegram_answers_on_telegram_and_greets_by_name(bot) -> None:
    await add_person(bot.sessions, "Bea", telegram="5001")
    await bot.send_in(TELEGRAM, "5001", "/help")
    [reply] = await bot.delivered()
    assert reply.channel == TELEGRAM and reply.address == "5001"
    assert reply.body.startswith("Hello Bea.")
    assert "STOP: no more messages here." in reply.body


async def test_email_help_goes_back_by_email_to_the_address_we_hold(bot) -> None:
    person = await add_person(bot.sessions, "Cal", email="cal@example.org")
    async with transaction(bot.sessions) as session:
        token = await token_for(session, person.id, None, bot.clock.now())
    # The reply token and an address we hold for its owner (in any case) say who wrote; the
    # answer goes to the address on record (tests/test_email_origin.py: from other addresses).
    await bot.send_in(EMAIL, "Cal@Example.ORG", "HELP", token=token, subject="Question")
    [reply] = await bot.delivered(EMAIL)
    assert reply.address == "cal@example.org"
    assert reply.subject == "Re: Question"
    assert reply.reply_token == token
    assert reply.in_reply_to is not None
    assert reply.body.startswith("Hello Cal.")


async def test_email_without_a_token_gets_no_answer(bot) -> None:
    await add_person(bot.sessions, "Dee", email="dee@example.org")
    await bot.send_in(EMAIL, "dee@example.org", "HELP", token=None)
    await bot.send_in(EMAIL, "dee@example.org", "HELP", token="notarealtoken")
    await bot.send_in(EMAIL, "dee@example.org", "START", token=None)
    assert await bot.delivered() == []
    async with bot.sessions() as session:
        stored = (await session.scalars(select(InboundMessageRow.text))).all()
    assert stored == ["HELP", "HELP", "START"]


async def test_a_stranger_on_sms_is_told_once_a_day_who_we_are(bot) -> None:
    await bot.send_in(SMS, "+447700900999", "Hi is this the council?")
    [first] = await bot.delivered(SMS)
    assert "ask your project lead to add you" in first.body
    assert count_segments(first.body).segments == 1
    await bot.send_in(SMS, "+447700900999", "Hello?")
    assert await bot.delivered(SMS) == []
    bot.clock.advance(hours=25)
    await bot.send_in(SMS, "+447700900999", "Anyone there?")
    assert len(await bot.delivered(SMS)) == 1


async def test_a_stranger_on_telegram_is_given_their_chat_number_for_the_lead(bot) -> None:
    await bot.send_in(TELEGRAM, "424242", "/start")
    [reply] = await bot.delivered()
    assert "Give them this chat number: 424242" in reply.body


async def test_stop_is_confirmed_once_and_then_nothing_more_is_sent(bot) -> None:
    await add_person(bot.sessions, "Eve", phone="+447700900002")
    await bot.send_in(SMS, "+447700900002", "STOP")
    [confirmation] = await bot.delivered(SMS)
    assert "no more texts" in confirmation.body
    await bot.send_in(SMS, "+447700900002", "stop")
    await bot.send_in(SMS, "+447700900002", "help")
    assert await bot.delivered() == []
    await bot.send_in(SMS, "+447700900002", "START")
    [welcome] = await bot.delivered(SMS)
    assert welcome.body.startswith("Welcome back.")
    await bot.send_in(SMS, "+447700900002", "help")
    assert len(await bot.delivered(SMS)) == 1


async def test_stop_on_sms_leaves_the_other_channels_on(bot) -> None:
    await add_person(bot.sessions, "Fay", phone="+447700900003", telegram="6001")
    await bot.send_in(SMS, "+447700900003", "STOP")
    await bot.delivered(SMS)
    await bot.send_in(TELEGRAM, "6001", "help")
    [reply] = await bot.delivered(TELEGRAM)
    assert reply.body.startswith("Hello Fay.")


async def test_a_message_queued_before_stop_is_not_sent_after_it(bot) -> None:
    await add_person(bot.sessions, "Gus", phone="+447700900004")
    await bot.send_in(SMS, "+447700900004", "help")  # queued, not yet sent
    async with bot.sessions() as session, session.begin():
        point = await session.scalar(select(ContactPoint))
        point.opted_out_at = bot.clock.now()
    assert await bot.delivered() == []
    async with bot.sessions() as session:
        statuses = (await session.scalars(select(OutboxRow.status))).all()
    assert statuses == [OutboxStatus.CANCELLED]


async def test_anything_else_from_a_known_person_gets_a_short_explanation(bot) -> None:
    await add_person(bot.sessions, "Hal", telegram="7001")
    await bot.send_in(TELEGRAM, "7001", "What time is the bus?")
    [reply] = await bot.delivered()
    assert reply.body.startswith("Sorry, we did not understand that.")


async def test_a_redelivered_message_is_answered_once(bot) -> None:
    await add_person(bot.sessions, "Ivy", phone="+447700900005")
    first = await bot.send_in(SMS, "+447700900005", "help", provider_id="SMdup")
    second = await bot.send_in(SMS, "+447700900005", "help", provider_id="SMdup")
    assert first is not None and second is None
    assert len(await bot.delivered(SMS)) == 1
