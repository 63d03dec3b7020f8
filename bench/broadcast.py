"""Broadcast benchmark: how fast an answer to N members is queued and delivered, beside the
limit (the same messages sent straight through the same channel adapters, no database).

    .venv/bin/python -m bench.broadcast --people 10000
    .venv/bin/python -m bench.broadcast --people 10000 --database-url postgresql+asyncpg://...

Members are a mix of email, SMS and Telegram, one address each. The local providers
(tests/peers: a Telegram Bot API server, a Twilio REST server, an aiosmtpd sink) run in this
process, for the dispatcher and for the limit alike. Rate limits are off.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.services import build_services
from bot.settings import Settings
from channels.base import ChannelName, OutboundMessage
from flows.questions import ask_group
from storage.db import create_engine, session_factory, transaction
from storage.migrate import prepare
from storage.projects import find_project
from tests.broadcast_kit import Peers, make_broadcast, running_peers
from tests.helpers import hold_worker_lease

QUESTION = "Would an evening meeting suit you better? Reply with yes or no."


@dataclass(frozen=True)
class Timing:
    what: str
    messages: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else float("inf")


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def members(database_url: str, people: int) -> list[tuple[ChannelName, str]]:
    """The project and its members, written in bulk (not part of the measure); returns
    each member's channel and address."""
    engine = create_engine(database_url)
    try:
        await prepare(engine)
    finally:
        await engine.dispose()
    return await make_broadcast(database_url, people, questions=0)


async def enqueue(database_url: str) -> Timing:
    """Ask every member a question through the real flow: one transaction."""
    engine = create_engine(database_url)
    try:
        sessions = session_factory(engine)
        started = time.perf_counter()
        async with transaction(sessions) as session:
            project = await find_project(session, "BIG")
            _, reached = await ask_group(session, project, QUESTION, now=datetime.now(UTC))
        return Timing("enqueue (one transaction)", reached, time.perf_counter() - started)
    finally:
        await engine.dispose()


async def dispatch(database_url: str, peers: Peers, expected: int, concurrency: int) -> Timing:
    """The worker's dispatcher sending everything queued to the local providers."""
    settings = Settings(
        database_url=database_url,
        dispatch_concurrency=concurrency,
        **peers.settings(),  # type: ignore[arg-type]
    )
    services = await build_services(settings, channels=peers.channels())
    try:
        await hold_worker_lease(services)
        stop = asyncio.Event()
        started = time.perf_counter()
        running = asyncio.create_task(services.dispatcher.run(stop))
        # The providers run in threads: what they hold is the only sign that all arrived.
        while peers.total() < expected:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        seconds = time.perf_counter() - started
        stop.set()
        await running
        return Timing("dispatch (database to providers)", expected, seconds)
    finally:
        await services.close()


async def limit(peers: Peers, messages: Sequence[OutboundMessage], concurrency: int) -> Timing:
    """The same messages through the same channel adapters, as fast as they go."""
    channels = peers.channels()
    gate = asyncio.Semaphore(concurrency)

    async def send(message: OutboundMessage) -> None:
        async with gate:
            await channels[message.channel].send(message)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(send(message) for message in messages))
        return Timing("limit (no database)", len(messages), time.perf_counter() - started)
    finally:
        for channel in channels.values():
            await channel.close()


def report(timings: list[Timing], people: int, database: str) -> str:
    lines = [
        f"Broadcast to {people} members on {database}",
        f"{'stage':<36} {'messages':>9} {'seconds':>9} {'msg/s':>9}",
    ]
    lines += [f"{t.what:<36} {t.messages:>9} {t.seconds:>9.2f} {t.rate:>9.0f}" for t in timings]
    return "\n".join(lines)


async def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coproduce-bench-") as folder:
        url = options.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        everyone = await members(url, options.people)
        timings = [await enqueue(url)]
        with running_peers() as peers:
            timings.append(await dispatch(url, peers, options.people, options.concurrency))
            sent = [
                OutboundMessage(
                    outbox_id=n, channel=channel, address=address, body=QUESTION, subject="BIG"
                )
                for n, (channel, address) in enumerate(everyone, start=1)
            ]
            timings.append(await limit(peers, sent, options.concurrency))
        database = "SQLite" if url.startswith("sqlite") else "PostgreSQL"
        text = report(timings, options.people, database)
        ratio = timings[1].rate / timings[2].rate
        text += f"\ndispatch reaches {ratio:.0%} of the limit; peak RSS {peak_rss_mb():.0f} MB"
        return text


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1:])))
