"""Rate limits: the local Telegram server never sees more than the configured rate, per chat
and overall, and a long SMS counts as the segments it is sent in."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from bot.dispatcher import Dispatcher
from bot.pacing import Pace, Pacer, TokenBucket
from channels.base import ChannelName
from storage.db import create_engine, session_factory
from tests.broadcast_kit import make_broadcast, running_peers
from tests.helpers import ManualClock, upgrade_database


def _worst_excess(times: list[float], rate: float, burst: float) -> float:
    """How far the busiest stretch of arrivals went over what a token bucket allows
    (``burst`` + ``rate`` x its length); 0 or less means the limit held everywhere."""
    times = sorted(times)
    worst = float("-inf")
    for i in range(len(times)):
        for j in range(i, len(times)):
            allowed = burst + rate * (times[j] - times[i])
            worst = max(worst, (j - i + 1) - allowed)
    return worst


async def test_telegram_sends_stay_within_the_overall_and_per_chat_rates(sqlite_url) -> None:
    await upgrade_database(sqlite_url)
    # 4 chats x 8 messages: without limits all 32 would go in a fraction of a second.
    await make_broadcast(sqlite_url, 4, (ChannelName.TELEGRAM,), questions=8)
    overall, per_chat = 12.0, 3.0
    engine = create_engine(sqlite_url)
    with running_peers() as peers:
        channels = peers.channels()
        dispatcher = Dispatcher(
            session_factory(engine),
            {ChannelName.TELEGRAM: channels[ChannelName.TELEGRAM]},
            ManualClock(datetime.now(UTC) + timedelta(seconds=1)),
            concurrency=16,
            pacer=Pacer({ChannelName.TELEGRAM: Pace(overall, per_chat)}),
        )
        started = time.monotonic()
        assert await dispatcher.dispatch_all_due() == 32
        elapsed = time.monotonic() - started
        await channels[ChannelName.TELEGRAM].close()
    await engine.dispose()
    sent = peers.telegram.sent
    assert len(sent) == 32
    # 8 messages to each chat at 3 a second take over 2.3 seconds.
    assert elapsed >= 7 / per_chat * 0.95
    # Small slack for the network: arrival times are not send times.
    assert _worst_excess([m.at for m in sent], overall, overall) <= 1
    by_chat: dict[int, list[float]] = defaultdict(list)
    for message in sent:
        by_chat[message.chat_id].append(message.at)
    assert sorted(len(times) for times in by_chat.values()) == [8, 8, 8, 8]
    assert max(_worst_excess(times, per_chat, 1) for times in by_chat.values()) <= 1


async def test_one_chat_gets_no_more_than_its_rate_even_when_the_channel_has_room() -> None:
    pacer = Pacer({ChannelName.TELEGRAM: Pace(per_second=100, per_address_per_second=4)})
    times = []
    for _ in range(6):
        await pacer.wait(ChannelName.TELEGRAM, "5001")
        times.append(time.monotonic())
    # The first goes at once; each later one waits its quarter of a second.
    assert times[-1] - times[0] >= 5 / 4 * 0.95
    other = time.monotonic()
    await pacer.wait(ChannelName.TELEGRAM, "5002")
    assert time.monotonic() - other < 0.2  # another chat is not held up


async def test_a_long_message_takes_its_whole_cost_and_delays_what_follows() -> None:
    bucket = TokenBucket(rate=10, burst=2)
    started = time.monotonic()
    await bucket.take(5)  # more than the bucket holds: goes at once, into debt
    assert time.monotonic() - started < 0.1
    await bucket.take(1)  # waits for the debt of 3 and its own token: 0.4 s
    assert time.monotonic() - started >= 0.4 * 0.95


async def test_a_rate_of_zero_means_no_limit() -> None:
    pacer = Pacer({ChannelName.SMS: Pace(0)})
    started = time.monotonic()
    for _ in range(1000):
        await pacer.wait(ChannelName.SMS, "+447700900001", cost=3)
    assert time.monotonic() - started < 0.5
