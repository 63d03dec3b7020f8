"""Inbound benchmark: signed Twilio webhooks and Telegram updates from 1,000 members in an
open comment window, sent by a separate load-generator process to ``coproduce serve``, and
the same load against a bare Starlette endpoint as the ceiling.

    .venv/bin/python -m bench.inbound [--rate 500] [--seconds 10] [--database-url URL]

Each message is a comment: coproduce stores it, answers the provider, then (after the
answer) stores the comment and queues the thanks. The table gives the answers' rate and
latency at a fixed offered load and at saturation, and how long it took until every
message had been through its flow.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from channels.base import ChannelName
from flows.windows import open_comment_window
from storage.db import create_engine, session_factory, transaction
from storage.models import Comment, InboundMessageRow, InboundStatus
from storage.projects import find_project
from tests.broadcast_kit import TWILIO_SID, TWILIO_TOKEN, add_members
from tests.processes import Service, free_port, service_env

from .kit import PeersProcess, database_name, fresh_database

ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_SECRET = "bench-webhook-secret"
SENDERS = 1000
# Longer than this to get through the flows counts as a failure, not a slow result.
PROCESSING_LIMIT_SECONDS = 600


@dataclass(frozen=True)
class Run:
    what: str
    load: str
    result: dict[str, Any]

    @property
    def rate(self) -> float:
        return self.result["sent"] / self.result["seconds"]

    @property
    def ok(self) -> int:
        return int(self.result["statuses"].get("200", 0))


async def members_in_an_open_window(database_url: str, senders: int) -> None:
    """The members (half on Telegram, half by SMS), and a comment window open for a week."""
    await add_members(database_url, senders, (ChannelName.TELEGRAM, ChannelName.SMS))
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            project = await find_project(session, "BIG")
            await open_comment_window(session, project, now=datetime.now(UTC), days=7)
    finally:
        await engine.dispose()


def load(url: str, options: argparse.Namespace, *, rate: float, first_id: int) -> dict[str, Any]:
    """Run the load generator in its own process and read what it measured."""
    command = [
        sys.executable,
        "-m",
        "bench.load",
        f"--url={url}",
        f"--rate={rate}",
        f"--seconds={options.seconds}",
        f"--connections={options.connections}",
        f"--senders={options.senders}",
        f"--first-id={first_id}",
        f"--telegram-secret={TELEGRAM_SECRET}",
        f"--twilio-sid={TWILIO_SID}",
        f"--twilio-token={TWILIO_TOKEN}",
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


async def processed(database_url: str, expected: int) -> float:
    """Wait until the flow has run for every stored message; returns when that was."""
    engine = create_engine(database_url, reader=True)
    try:
        async with session_factory(engine)() as session:
            deadline = time.perf_counter() + PROCESSING_LIMIT_SECONDS
            while time.perf_counter() < deadline:
                done = await session.scalar(
                    select(func.count()).where(InboundMessageRow.status != InboundStatus.NEW)
                )
                await session.rollback()  # see the rows committed since
                if done >= expected:
                    return time.perf_counter()
                await asyncio.sleep(0.05)
        raise RuntimeError(f"only {done} of {expected} messages went through their flow")
    finally:
        await engine.dispose()


async def comments(database_url: str) -> int:
    engine = create_engine(database_url, reader=True)
    try:
        async with session_factory(engine)() as session:
            return await session.scalar(select(func.count()).select_from(Comment)) or 0
    finally:
        await engine.dispose()


async def against_coproduce(database_url: str, options: argparse.Namespace) -> list[Run]:
    with PeersProcess() as peers:  # only for the channels' start-up check: nothing is sent
        env = service_env(
            database_url=database_url,
            telegram_token=peers.settings["telegram_token"],
            telegram_api_url=peers.settings["telegram_api_url"],
            telegram_webhook_secret=TELEGRAM_SECRET,
            twilio_account_sid=TWILIO_SID,
            twilio_auth_token=TWILIO_TOKEN,
            twilio_from=peers.settings["twilio_from"],
            twilio_api_url=peers.settings["twilio_api_url"],
            log_level="WARNING",
            # Each sender writes many times a minute here; the flood limit would (rightly)
            # leave most of it unanswered, and the flows are what is measured.
            sender_rate="0",
        )
        url = f"http://127.0.0.1:{env['COPRODUCE_HTTP_PORT']}"
        service = Service(env, ROOT, "serve", "--no-worker")
        try:
            await asyncio.to_thread(_wait_until_up, url, service)
            runs = []
            sent = 0
            for label, rate in ((f"{options.rate:g}/s offered", options.rate), ("saturation", 0)):
                began = time.perf_counter()
                result = await asyncio.to_thread(load, url, options, rate=rate, first_id=sent)
                sent += result["sent"]
                result["processed_seconds"] = await processed(database_url, sent) - began
                runs.append(Run("coproduce serve", label, result))
            stored = await comments(database_url)
            if stored != sent:
                raise RuntimeError(f"{sent} comments were sent but {stored} are stored")
            return runs
        finally:
            service.stop()


def against_bare_app(options: argparse.Namespace) -> list[Run]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = subprocess.Popen([sys.executable, "-m", "bench.bare_app", str(port)], cwd=ROOT)
    try:
        _wait_until_up(url, None)
        fixed = load(url, options, rate=options.rate, first_id=0)
        saturated = load(url, options, rate=0, first_id=0)
        return [
            Run("bare Starlette", f"{options.rate:g}/s offered", fixed),
            Run("bare Starlette", "saturation", saturated),
        ]
    finally:
        app.terminate()
        app.wait(timeout=30)


def _wait_until_up(url: str, service: Service | None) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers (the bare app has no /healthz)
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered at {url}" + (f": {service.log}" if service else ""))


def report(runs: list[Run], senders: int, database: str) -> str:
    lines = [
        f"Inbound comments from {senders} senders on {database}",
        f"{'server':<16} {'load':<16} {'sent':>6} {'200s':>6} {'msg/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'all processed s':>15}",
    ]
    for run in runs:
        latency = run.result["latency_ms"]
        processed = run.result.get("processed_seconds")
        lines.append(
            f"{run.what:<16} {run.load:<16} {run.result['sent']:>6} {run.ok:>6} {run.rate:>7.0f} "
            f"{latency['p50']:>7.1f} {latency['p95']:>7.1f} {latency['p99']:>7.1f} "
            f"{'' if processed is None else f'{processed:.1f}':>15}"
        )
    ours, bare = runs[1].rate, runs[3].rate
    lines.append(f"at saturation coproduce answers {ours / bare:.0%} as fast as the bare endpoint")
    return "\n".join(lines)


async def main(argv: Sequence[str] | None = None) -> str:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rate", type=float, default=500, help="the fixed offered load, per second"
    )
    parser.add_argument("--seconds", type=float, default=10, help="how long each load lasts")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--senders", type=int, default=SENDERS)
    parser.add_argument("--database-url", default=None, help="default: a new SQLite file")
    options = parser.parse_args(argv)
    async with fresh_database(options.database_url) as url:
        await members_in_an_open_window(url, options.senders)
        runs = await against_coproduce(url, options)
    runs += await asyncio.to_thread(against_bare_app, options)
    return report(runs, options.senders, database_name(url))


if __name__ == "__main__":
    print(asyncio.run(main(sys.argv[1:])))
