"""A sender who writes faster than COPRODUCE_SENDER_RATE (20 a minute by default): every
message is kept, the ones past the limit are not answered, STOP still works, and once the
sender slows down they are answered again."""

from __future__ import annotations

from sqlalchemy import func, select

from channels.base import ChannelName
from storage.models import InboundMessageRow
from tests.helpers import add_person

SMS = ChannelName.SMS  # not Telegram: its one message a second to a chat would slow the test


async def _stored(bot) -> int:
    async with bot.sessions() as session:
        return await session.scalar(select(func.count()).select_from(InboundMessageRow))


async def test_a_flood_is_kept_but_answered_only_up_to_the_limit(bot) -> None:
    await add_person(bot.sessions, "Bea", phone="+447700900001")
    for _ in range(25):
        await bot.send_in(SMS, "+447700900001", "help")
        bot.clock.advance(seconds=1)
    assert len(await bot.delivered(SMS)) == 20
    assert await _stored(bot) == 25

    bot.clock.advance(seconds=60)  # the last minute now holds none of them
    await bot.send_in(SMS, "+447700900001", "help")
    [answer] = await bot.delivered(SMS)
    assert answer.body.startswith("You are not in a project now.")  # the help, for Bea


async def test_one_senders_flood_does_not_silence_another(bot) -> None:
    await add_person(bot.sessions, "Bea", phone="+447700900001")
    await add_person(bot.sessions, "Cal", phone="+447700900002")
    for _ in range(30):
        await bot.send_in(SMS, "+447700900001", "help")
    await bot.send_in(SMS, "+447700900002", "help")
    answers = await bot.delivered(SMS)
    assert [a.address for a in answers].count("+447700900002") == 1
    assert [a.address for a in answers].count("+447700900001") == 20


async def test_stop_is_honoured_in_the_middle_of_a_flood(bot) -> None:
    await add_person(bot.sessions, "Bea", phone="+447700900001")
    for _ in range(21):
        await bot.send_in(SMS, "+447700900001", "help")
    assert len(await bot.delivered(SMS)) == 20
    await bot.send_in(SMS, "+447700900001", "stop")
    [confirmation] = await bot.delivered(SMS)
    assert "STOP" in confirmation.body or "START" in confirmation.body
