"""``coproduce worker`` as real processes sending a big broadcast to the local providers:
killed in the middle it loses nothing, stopped with SIGTERM it finishes what it holds,
several share the work on PostgreSQL, and on SQLite only one sends at a time."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from storage.models import OutboxStatus
from tests.broadcast_kit import Peers, make_broadcast, outbox_statuses, running_peers
from tests.helpers import upgrade_database
from tests.processes import Service, service_env

CONCURRENCY = 10
WORKING = "sending messages and running scheduled jobs"
WAITING = "is already sending from this SQLite database"
UNFINISHED = (OutboxStatus.QUEUED, OutboxStatus.SENDING)


@pytest.fixture
def workers() -> Iterator[list[Service]]:
    started: list[Service] = []
    yield started
    for service in started:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait()


def _start(started: list[Service], env: dict[str, str], cwd: Path) -> Service:
    service = Service(env, cwd, "worker")
    started.append(service)
    return service


def _env(database_url: str, peers: Peers) -> dict[str, str]:
    return service_env(
        database_url=database_url,
        dispatch_concurrency=str(CONCURRENCY),
        poll_seconds="0.2",
        **peers.settings(),
    )


async def _until(condition: Callable[[], bool], what: str, seconds: float = 240) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.05)


async def _until_finished(database_url: str, seconds: float = 240) -> Counter[OutboxStatus]:
    deadline = time.monotonic() + seconds
    while True:
        statuses = await outbox_statuses(database_url)
        if not any(statuses[s] for s in UNFINISHED):
            return statuses
        if time.monotonic() > deadline:
            raise AssertionError(f"the outbox did not drain: {statuses}")
        await asyncio.sleep(0.25)


def _duplicates(received: Counter) -> int:
    return sum(n - 1 for n in received.values())


async def test_a_worker_killed_mid_broadcast_loses_nothing_when_started_again(
    database_url, tmp_path, workers
) -> None:
    await upgrade_database(database_url)
    expected = await make_broadcast(database_url, 2000)
    with running_peers() as peers:
        env = _env(database_url, peers)
        first = _start(workers, env, tmp_path)
        await _until(lambda: peers.total() >= 600, "the first 600 messages")
        first.kill()
        at_the_kill = await outbox_statuses(database_url)
        assert at_the_kill[OutboxStatus.QUEUED] > 0  # killed in the middle
        in_flight = at_the_kill[OutboxStatus.SENDING]
        assert in_flight <= CONCURRENCY

        second = _start(workers, env, tmp_path)
        statuses = await _until_finished(database_url)
        assert second.stop() == 0
        received = peers.received()

    assert statuses == Counter({OutboxStatus.SENT: 2000})
    assert set(received) == set(expected)  # every recipient got the message
    assert _duplicates(received) <= in_flight <= CONCURRENCY
    if in_flight:
        assert f"stopped while sending {in_flight} messages" in second.log


async def test_sigterm_finishes_the_sends_in_flight_and_the_next_worker_sends_nothing_twice(
    database_url, tmp_path, workers
) -> None:
    await upgrade_database(database_url)
    expected = await make_broadcast(database_url, 900)
    with running_peers() as peers:
        env = _env(database_url, peers)
        first = _start(workers, env, tmp_path)
        await _until(lambda: peers.total() >= 200, "the first 200 messages")
        assert first.stop(signal.SIGTERM) == 0
        after_stop = await outbox_statuses(database_url)
        assert after_stop[OutboxStatus.SENDING] == 0  # nothing left held
        assert after_stop[OutboxStatus.QUEUED] > 0  # it stopped claiming
        assert "stopped" in first.lines[-1]

        second = _start(workers, env, tmp_path)
        await _until_finished(database_url)
        assert second.stop() == 0
        received = peers.received()
    assert set(received) == set(expected)
    assert _duplicates(received) == 0


async def test_three_workers_on_postgresql_share_a_broadcast_with_no_duplicates(
    postgres_url, tmp_path, workers
) -> None:
    database_url = postgres_url
    await upgrade_database(database_url)
    with running_peers() as peers:
        env = _env(database_url, peers)
        started = [_start(workers, env, tmp_path) for _ in range(3)]
        for worker in started:
            worker.wait_for_line(WORKING)
        expected = await make_broadcast(database_url, 3000)
        statuses = await _until_finished(database_url)
        for worker in started:
            assert worker.stop() == 0
        received = peers.received()
    assert statuses == Counter({OutboxStatus.SENT: 3000})
    assert set(received) == set(expected)
    assert _duplicates(received) == 0
    for worker in started:
        assert WAITING not in worker.log


async def test_a_second_worker_on_sqlite_refuses_to_send_and_takes_over_when_the_first_stops(
    sqlite_url, tmp_path, workers
) -> None:
    await upgrade_database(sqlite_url)
    with running_peers() as peers:
        env = _env(sqlite_url, peers)
        first = _start(workers, env, tmp_path)
        first.wait_for_line(WORKING)
        second = _start(workers, env, tmp_path)
        refusal = second.wait_for_line(WAITING)
        assert f"pid {first.process.pid}" in refusal

        # With the first one paused, nobody sends: the second really refuses.
        os.kill(first.process.pid, signal.SIGSTOP)
        expected = await make_broadcast(sqlite_url, 60)
        await asyncio.sleep(3)
        assert peers.total() == 0
        os.kill(first.process.pid, signal.SIGCONT)
        await _until_finished(sqlite_url)
        assert set(peers.received()) == set(expected)

        assert first.stop() == 0
        second.wait_for_line(WORKING)
        more = await make_broadcast(sqlite_url, 30, first=1000, code="MORE")
        await _until_finished(sqlite_url)
        assert second.stop() == 0
        received = peers.received()
    assert set(received) == set(expected) | set(more)
    assert _duplicates(received) == 0
