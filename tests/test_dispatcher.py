"""The outbox dispatcher: nothing is lost when a send fails, and opt-outs hold at send time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.dispatcher import retry_delay
from channels.base import ChannelName, PermanentSendError, TransientSendError
from storage.db import transaction
from storage.models import ContactPoint, OutboxRow, OutboxStatus
from storage.outbox import enqueue
from storage.outbox_claims import claim_due
from storage.workers import hold_lease
from tests.helpers import add_person

SMS = ChannelName.SMS


async def _queue_help(bot, phone: str = "+447700900010") -> None:
    await add_person(bot.sessions, "Jo", phone=phone)
    await bot.send_in(SMS, phone, "help")


async def _row(bot) -> OutboxRow:
    async with bot.sessions() as session:
        return (await session.scalars(select(OutboxRow))).one()


async def test_a_sent_message_records_the_provider_id(bot) -> None:
    await _queue_help(bot)
    [message] = await bot.delivered(SMS)
    row = await _row(bot)
    assert row.status == OutboxStatus.SENT
    assert row.provider_id == "memory-sms-1"
    assert row.sent_at == bot.clock.now()
    assert message.outbox_id == row.id


async def test_messages_sent_together_are_recorded_together_each_with_its_own_id(
    bot, caplog
) -> None:
    phones = [f"+44770090002{n}" for n in range(4)]
    for phone in phones:
        await _queue_help(bot, phone)
    delivered = await bot.delivered(SMS)
    async with bot.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all()
    assert [row.status for row in rows] == [OutboxStatus.SENT] * 4
    assert sorted(row.provider_id for row in rows) == sorted(f"memory-sms-{n}" for n in range(1, 5))
    assert {m.outbox_id for m in delivered} == {row.id for row in rows}
    assert "could not be written together" not in caplog.text


async def test_a_transient_failure_keeps_the_message_and_tries_again_later(bot) -> None:
    await _queue_help(bot)
    bot.memory[SMS].fail_next.append(TransientSendError("provider busy"))
    assert await bot.delivered() == []
    row = await _row(bot)
    assert row.status == OutboxStatus.QUEUED
    assert row.last_error == "provider busy"
    assert row.next_attempt_at > bot.clock.now()
    bot.clock.advance(minutes=2)
    [message] = await bot.delivered(SMS)
    assert "STOP" in message.body
    assert (await _row(bot)).status == OutboxStatus.SENT


async def test_a_provider_pause_request_is_respected(bot) -> None:
    await _queue_help(bot)
    bot.memory[SMS].fail_next.append(TransientSendError("slow down", retry_after=600))
    await bot.delivered()
    row = await _row(bot)
    assert row.next_attempt_at >= bot.clock.now() + timedelta(seconds=600)
    bot.clock.advance(seconds=599)
    assert await bot.delivered() == []
    bot.clock.advance(seconds=2)
    assert len(await bot.delivered()) == 1


async def test_a_permanent_failure_is_marked_failed_with_its_reason(bot) -> None:
    await _queue_help(bot)
    bot.memory[SMS].fail_next.append(PermanentSendError("not a mobile number"))
    assert await bot.delivered() == []
    row = await _row(bot)
    assert (row.status, row.last_error) == (OutboxStatus.FAILED, "not a mobile number")
    bot.clock.advance(days=2)
    assert await bot.delivered() == []


async def test_a_message_for_a_channel_that_is_not_set_up_fails_at_once_with_the_reason(
    bot,
) -> None:
    await _queue_help(bot)
    sms_channel = bot.services.dispatcher._channels.pop(SMS)
    try:
        await bot.services.dispatcher.dispatch_all_due()
    finally:
        bot.services.dispatcher._channels[SMS] = sms_channel
    row = await _row(bot)
    assert (row.status, row.last_error) == (OutboxStatus.FAILED, "the SMS channel is not set up")
    # Failed for good: the channel coming back does not send it after all.
    bot.clock.advance(minutes=6)
    assert await bot.delivered() == []


async def _queue_and_claim_for(bot, worker_id: str) -> None:
    await add_person(bot.sessions, "Kit", phone="+447700900011")
    async with transaction(bot.sessions) as session:
        point = await session.scalar(select(ContactPoint))
        await enqueue(
            session, contact_point=point, kind="help", body="Hi", language="en", now=bot.clock.now()
        )
    async with transaction(bot.sessions) as session:
        claimed = await claim_due(
            session, bot.clock.now(), 10, timedelta(minutes=5), worker_id=worker_id
        )
    assert len(claimed) == 1


async def test_a_row_held_by_a_live_worker_waits_until_its_claim_runs_out(bot) -> None:
    async with transaction(bot.sessions) as session:
        await hold_lease(
            session,
            worker_id="other",
            host="elsewhere",
            pid=1,
            now=bot.clock.now(),
            ttl=timedelta(hours=1),
            exclusive=False,
        )
    await _queue_and_claim_for(bot, "other")
    # The other worker is alive and holds it: nothing is sent until its claim runs out.
    assert await bot.delivered() == []
    bot.clock.advance(minutes=6)
    [message] = await bot.delivered(SMS)
    assert message.body == "Hi"


async def test_a_row_whose_worker_is_gone_is_claimed_again_at_once(bot) -> None:
    # "gone" never held a lease (or lost it): its claim counts for nothing.
    await _queue_and_claim_for(bot, "gone")
    [message] = await bot.delivered(SMS)
    assert message.body == "Hi"


def test_retry_delays_grow_and_are_capped() -> None:
    always_full = lambda: 1.0  # noqa: E731
    delays = [retry_delay(n, None, always_full) for n in range(1, 10)]
    assert delays[0] == timedelta(seconds=30)
    assert delays[1] == timedelta(seconds=60)
    assert delays == sorted(delays)
    assert delays[-1] == timedelta(hours=1)
    assert retry_delay(1, None, lambda: 0.0) == timedelta(seconds=15)
