"""What happens to a message when sending goes wrong: answers lost after the provider took
it, failures that go on too long, addresses that fail for good, and claims by workers that
are alive or gone."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from channels.base import ChannelName, PermanentSendError, TransientSendError, UncertainSendError
from flows.outbound import Message, send_to
from storage.db import transaction
from storage.models import ContactPoint, Contributor, OutboxRow, OutboxStatus
from storage.outbox_claims import claim_due
from tests.helpers import add_person

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM


async def _tell(bot, contributor_id: int, text: str) -> None:
    """Queue a message to a person on their best channel, as any flow does."""
    async with transaction(bot.sessions) as session:
        contributor = await session.scalar(
            select(Contributor)
            .where(Contributor.id == contributor_id)
            .options(selectinload(Contributor.contact_points))
        )
        assert await send_to(
            session,
            contributor,
            None,
            kind="notice",
            render=lambda reader: Message(text),
            now=bot.clock.now(),
        )


async def _rows(bot) -> list[OutboxRow]:
    async with bot.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def _point(bot, channel: ChannelName) -> ContactPoint:
    async with bot.sessions() as session:
        return (
            await session.scalars(select(ContactPoint).where(ContactPoint.channel == channel))
        ).one()


async def test_a_lost_answer_on_a_channel_that_cannot_be_asked_is_never_sent_again(bot) -> None:
    person = await add_person(bot.sessions, "Ada", telegram="5001")
    bot.memory[TELEGRAM].fail_next.append(UncertainSendError("Telegram did not answer in time"))
    await _tell(bot, person.id, "The brief is ready.")
    [arrived] = await bot.delivered(TELEGRAM)  # the provider took it; only its answer was lost
    assert arrived.body == "The brief is ready."
    [row] = await _rows(bot)
    assert row.status == OutboxStatus.UNKNOWN
    assert "not sent again" in (row.last_error or "")
    bot.clock.advance(days=2)
    assert await bot.delivered() == []
    assert (await _rows(bot))[0].status == OutboxStatus.UNKNOWN


async def test_a_lost_answer_is_looked_up_and_not_sent_again_when_the_provider_has_it(bot) -> None:
    person = await add_person(bot.sessions, "Ben", phone="+447700900201")
    bot.memory[SMS].can_look_up = True
    bot.memory[SMS].fail_next.append(UncertainSendError("Twilio did not answer in time"))
    await _tell(bot, person.id, "Comments are open until Friday.")
    assert len(await bot.delivered(SMS)) == 1
    [row] = await _rows(bot)
    assert (row.status, row.provider_id) == (OutboxStatus.UNKNOWN, None)
    bot.clock.advance(minutes=2)
    assert await bot.delivered() == []  # looked up, found, so not sent again
    [row] = await _rows(bot)
    assert row.status == OutboxStatus.SENT
    assert row.provider_id == bot.memory[SMS].taken[row.id]


async def test_a_lost_request_the_provider_does_not_have_is_sent_after_the_look_up(bot) -> None:
    person = await add_person(bot.sessions, "Cal", phone="+447700900202")
    memory = bot.memory[SMS]
    memory.can_look_up = True
    memory.fail_next.append(UncertainSendError("Twilio did not answer in time"))
    await _tell(bot, person.id, "Comments are open until Friday.")
    assert len(await bot.delivered(SMS)) == 1
    memory.taken.clear()  # this time the provider never got it
    bot.clock.advance(minutes=2)
    [again] = await bot.delivered(SMS)
    assert again.body == "Comments are open until Friday."
    assert (await _rows(bot))[0].status == OutboxStatus.SENT


async def test_a_message_that_keeps_failing_is_given_up_after_the_retry_period(bot) -> None:
    person = await add_person(bot.sessions, "Dee", phone="+447700900203")
    memory = bot.memory[SMS]
    memory.fail_next.extend(TransientSendError("Twilio answered 503") for _ in range(40))
    await _tell(bot, person.id, "Hello")
    for _ in range(40):
        await bot.delivered()
        bot.clock.advance(hours=1, minutes=1)
    [row] = await _rows(bot)
    assert row.status == OutboxStatus.FAILED
    assert row.last_error is not None
    assert row.last_error.startswith("gave up after ")
    assert "Twilio answered 503" in row.last_error
    # Within the day it was tried again and again; after the day, never.
    assert 10 <= row.attempts <= 30
    memory.fail_next.clear()
    assert await bot.delivered() == []


async def test_an_address_that_fails_for_good_twice_gives_way_to_the_other_channel(bot) -> None:
    person = await add_person(
        bot.sessions, "Eve", phone="+447700900204", email="eve@example.org", preferred=SMS
    )
    sms = bot.memory[SMS]
    for n in (1, 2):
        sms.fail_next.append(PermanentSendError("Twilio 21614: not a mobile number"))
        await _tell(bot, person.id, f"Message {n}")
        assert await bot.delivered() == []
        point = await _point(bot, SMS)
        assert point.failures == n
        assert point.failure_reason == "Twilio 21614: not a mobile number"
    await _tell(bot, person.id, "Message 3")
    [by_email] = await bot.delivered(EMAIL)
    assert (by_email.address, by_email.body) == ("eve@example.org", "Message 3")
    statuses = [row.status for row in await _rows(bot)]
    assert statuses == [OutboxStatus.FAILED, OutboxStatus.FAILED, OutboxStatus.SENT]


async def test_one_failure_is_not_enough_to_change_channel_and_a_delivery_clears_it(bot) -> None:
    person = await add_person(
        bot.sessions, "Fay", phone="+447700900205", email="fay@example.org", preferred=SMS
    )
    bot.memory[SMS].fail_next.append(PermanentSendError("Twilio 21614: not a mobile number"))
    await _tell(bot, person.id, "First")
    assert await bot.delivered() == []
    await _tell(bot, person.id, "Second")
    [by_sms] = await bot.delivered(SMS)
    assert by_sms.body == "Second"
    assert (await _point(bot, SMS)).failures == 0


async def test_a_person_with_only_one_address_is_still_tried_there(bot) -> None:
    person = await add_person(bot.sessions, "Gus", phone="+447700900206")
    for _ in range(2):
        bot.memory[SMS].fail_next.append(PermanentSendError("Twilio 21614: not a mobile number"))
        await _tell(bot, person.id, "Try")
        await bot.delivered()
    await _tell(bot, person.id, "Maybe the number works now")
    [message] = await bot.delivered(SMS)
    assert message.body == "Maybe the number works now"


async def test_a_message_stopped_before_sending_is_cancelled_even_after_a_lost_answer(bot) -> None:
    person = await add_person(bot.sessions, "Hal", phone="+447700900207")
    memory = bot.memory[SMS]
    memory.can_look_up = True
    memory.fail_next.append(UncertainSendError("Twilio did not answer in time"))
    await _tell(bot, person.id, "Hello")
    assert len(await bot.delivered(SMS)) == 1
    memory.taken.clear()
    await bot.send_in(SMS, "+447700900207", "STOP")
    [stopped] = await bot.delivered(SMS)
    assert stopped.body.startswith("You will get no more texts from us.")
    bot.clock.advance(minutes=2)
    assert await bot.delivered() == []
    assert (await _rows(bot))[0].status == OutboxStatus.CANCELLED


async def test_retry_for_can_be_set_shorter(bot) -> None:
    bot.services.dispatcher.retry_for = timedelta(minutes=10)
    person = await add_person(bot.sessions, "Ivy", phone="+447700900208")
    bot.memory[SMS].fail_next.extend(TransientSendError("busy") for _ in range(10))
    await _tell(bot, person.id, "Hello")
    for _ in range(10):
        await bot.delivered()
        bot.clock.advance(minutes=3)
    [row] = await _rows(bot)
    assert row.status == OutboxStatus.FAILED
    assert row.attempts < 6


async def _claim_for_a_worker_that_dies(bot) -> int:
    async with transaction(bot.sessions) as session:
        [claim] = await claim_due(
            session, bot.clock.now(), 10, timedelta(minutes=5), worker_id="died"
        )
    return claim.id


async def test_a_text_whose_worker_died_mid_send_is_looked_up_and_not_sent_twice(bot) -> None:
    person = await add_person(bot.sessions, "Jo", phone="+447700900209")
    memory = bot.memory[SMS]
    memory.can_look_up = True
    await _tell(bot, person.id, "Hello")
    outbox_id = await _claim_for_a_worker_that_dies(bot)
    memory.taken[outbox_id] = "SM-taken-before-the-crash"  # its send had gone through
    assert await bot.delivered() == []
    [row] = await _rows(bot)
    assert (row.status, row.provider_id) == (OutboxStatus.SENT, "SM-taken-before-the-crash")


async def test_a_text_whose_worker_died_before_sending_is_sent_after_the_look_up(bot) -> None:
    person = await add_person(bot.sessions, "Kay", phone="+447700900210")
    bot.memory[SMS].can_look_up = True
    await _tell(bot, person.id, "Hello")
    await _claim_for_a_worker_that_dies(bot)
    [message] = await bot.delivered(SMS)
    assert message.body == "Hello"
    assert (await _rows(bot))[0].status == OutboxStatus.SENT
