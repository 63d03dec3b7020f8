"""Broadcast benchmark: how fast an answer to N members is queued and delivered, beside the
limit (the same messages sent straight through the same channel adapters, no database).

    .venv/bin/python -m bench.broadcast --people 10000
    .venv/bin/python -m bench.broadcast --people 10000 --database-url postgresql://127.0.0.1/test

Members are a mix of email, SMS and Telegram, one address each. The local providers
(tests/peers: a Telegram Bot API server, a Twilio REST server, an aiosmtpd sink) run in a
process of their own. Rate limits are off.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services import build_services
from bot.settings import Settings
from channels.base import Channel, ChannelName, OutboundMessage
from flows.questions import answer_question
from flows.sharing import approve
from storage.checks import ItemKind
from storage.db import create_engine, session_factory, transaction
from storage.models import Contributor, OutboxRow, OutboxStatus, Question, QuestionDirection
from storage.projects import find_project
from storage.questions import add_question
from tests.broadcast_kit import add_members, address
from tests.helpers import hold_worker_lease

from .kit import (
    PeersProcess,
    Timing,
    channel_of,
    database_name,
    fresh_database,
    peak_rss_mb,
)

ANSWER = "Yes: the meeting on Tuesday will also be open by phone. Reply if you want the number."


async def enqueue(database_url: str) -> Timing:
    """A member asked the leads a question and a lead shared it; the answer goes to every
    member through the real flow, in one transaction. Only the answer is timed."""
    engine = create_engine(database_url)
    try:
        sessions = session_factory(engine)
        async with transaction(sessions) as session:
            project = await find_project(session, "BIG")
            asker = await session.scalar(select(func.max(Contributor.id)))
            question = await add_question(
                session,
                project_id=project.id,
                direction=QuestionDirection.TO_LEADS,
                asked_by=asker,
                text="Can I join the meeting by phone?",
                channel=None,
                now=datetime.now(UTC),
            )
            # A lead has read it and shared it, as every question is before it is answered.
            await approve(session, ItemKind.QUESTION, question.id, now=datetime.now(UTC))
        started = time.perf_counter()
        async with transaction(sessions) as session:
            question = await session.get_one(Question, question.id)
            reached = await answer_question(session, question, ANSWER, now=datetime.now(UTC))
        return Timing("enqueue (one transaction)", reached, time.perf_counter() - started)
    finally:
        await engine.dispose()


async def dispatch(
    database_url: str, peers: PeersProcess, expected: int, concurrency: int
) -> Timing:
    """The worker's dispatcher sending everything queued to the local providers; done when
    the providers hold every message."""
    settings = Settings(
        database_url=database_url,
        dispatch_concurrency=concurrency,
        **peers.settings,  # type: ignore[arg-type]
    )
    services = await build_services(settings, channels=peers.channels())
    try:
        await hold_worker_lease(services)
        stop = asyncio.Event()
        started = time.perf_counter()
        running = asyncio.create_task(services.dispatcher.run(stop))
        while peers.total() < expected:  # noqa: ASYNC110 - the providers are another process
            await asyncio.sleep(0.01)
        seconds = time.perf_counter() - started
        stop.set()
        await running
        await _all_recorded_sent(services.sessions, expected)
        return Timing("dispatch (database to providers)", expected, seconds)
    finally:
        await services.close()


async def _all_recorded_sent(sessions: async_sessionmaker[AsyncSession], expected: int) -> None:
    """A delivery counts only if the outbox says so: the measure is honest or it fails."""
    async with sessions() as session:
        sent = await session.scalar(
            select(func.count()).where(OutboxRow.status == OutboxStatus.SENT)
        )
    if sent != expected:
        raise RuntimeError(f"the providers have {expected} messages but {sent} are recorded sent")


async def limit(channels: dict[ChannelName, Channel], people: int, concurrency: int) -> Timing:
    """The same number of messages through the same channel adapters, with the same number
    at once, as fast as they go: no database, nothing rendered, nothing recorded."""
    messages = _messages(people)

    async def sender() -> None:
        for message in messages:  # shared: each sender takes the next one
            await channels[message.channel].send(message)

    try:
        started = time.perf_counter()
        await asyncio.gather(*(sender() for _ in range(concurrency)))
        return Timing("limit (no database)", people, time.perf_counter() - started)
    finally:
        for channel in channels.values():
            await channel.close()


def _messages(people: int) -> Iterator[OutboundMessage]:
    for n in range(people):
        channel = channel_of(n)
        yield OutboundMessage(
            outbox_id=n + 1,
            channel=channel,
            address=address(channel, n),
            body=ANSWER,
            subject="BIG: the leads answered",
        )


def report(timings: list[Timing], people: int, database: str) -> str:
    lines = [
        f"Broadcast to {people} members on {database}",
        f"{'stage':<36} {'messages':>9} {'seconds':>9} {'msg/s':>9}",
    ]
    lines += [f"{t.what:<36} {t.messages:>9} {t.seconds:>9.2f} {t.rate:>9.0f}" for t in timings]
    return "\n".join(lines)


async def measure(options: argparse.Namespace) -> tuple[str, list[Timing]]:
    async with fresh_database(options.database_url) as url:
        await add_members(url, options.people)
        profiler = _profiler(options.profile)
        with profiler:
            timings = [await enqueue(url)]
            if not options.enqueue_only:
                timings += await delivery(url, options)
        if options.profile:
            Path(options.profile).write_text(profiler.output_html())  # type: ignore[attr-defined]  # noqa: ASYNC240
        return database_name(url), timings


async def delivery(url: str, options: argparse.Namespace) -> list[Timing]:
    """The dispatcher's delivery of what was queued, and (unless told not to) the limit."""
    with PeersProcess() as peers:
        timings = [await dispatch(url, peers, options.people, options.concurrency)]
        if not options.no_limit:
            timings.append(await limit(peers.channels(), options.people, options.concurrency))
    return timings


def _profiler(path: str | None) -> Any:
    if not path:
        return nullcontext()
    from pyinstrument import Profiler

    return Profiler(async_mode="enabled")


async def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    parser.add_argument("--no-limit", action="store_true", help="skip the no-database limit")
    parser.add_argument("--enqueue-only", action="store_true", help="measure only the enqueue")
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    parser.add_argument("--profile", metavar="FILE", help="write a pyinstrument HTML profile")
    options = parser.parse_args(argv)
    database, timings = await measure(options)
    if options.json:
        return json.dumps(
            {
                "people": options.people,
                "database": database,
                "stages": {t.what.split()[0]: [t.messages, t.seconds] for t in timings},
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        )
    lines = [report(timings, options.people, database)]
    if len(timings) == 3:
        lines.append(f"dispatch reaches {timings[1].rate / timings[2].rate:.0%} of the limit")
    lines.append(f"peak RSS {peak_rss_mb():.0f} MB")
    return "\n".join(lines)


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1:])))
