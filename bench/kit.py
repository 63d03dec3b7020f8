"""What every benchmark needs: a fresh database, the local providers in their own process,
a member list written in bulk, and a way to report a stage."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from channels.base import Channel, ChannelName
from storage.db import create_engine, normalise_database_url
from storage.migrate import upgrade
from tests.broadcast_kit import CHANNELS, channels_for


@dataclass(frozen=True)
class Timing:
    what: str
    messages: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else float("inf")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def database_name(url: str) -> str:
    return "SQLite" if url.startswith("sqlite") else "PostgreSQL"


@asynccontextmanager
async def fresh_database(server_url: str | None) -> AsyncIterator[str]:
    """A new database at the latest schema: a SQLite file in a temporary folder, or, given
    a PostgreSQL URL, a new database on that server, dropped afterwards."""
    if server_url is None or normalise_database_url(server_url).startswith("sqlite"):
        with tempfile.TemporaryDirectory(prefix="coproduce-bench-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
            await _upgrade(url)
            yield url
        return
    admin_url = make_url(normalise_database_url(server_url))
    name = f"coproduce_bench_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        await _upgrade(url)
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def _upgrade(url: str) -> None:
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def channel_of(n: int) -> ChannelName:
    return CHANNELS[n % len(CHANNELS)]


class PeersProcess:
    """``with PeersProcess() as peers:`` the local Telegram, Twilio and SMTP servers
    (tests/peers) in a process of their own (``python -m bench.peers``), so what they do is
    not measured as ours and they do not take turns with us for Python's interpreter lock."""

    def __enter__(self) -> PeersProcess:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.peers"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        assert self._process.stdin is not None and self._process.stdout is not None
        self._in, self._out = self._process.stdin, self._process.stdout
        first = self._out.readline()
        if not first:
            raise RuntimeError("the local providers did not start")
        self.settings: dict[str, str] = json.loads(first)
        return self

    def __exit__(self, *exc: object) -> None:
        self._in.close()  # the providers stop at the end of their input
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def total(self) -> int:
        """How many messages the providers hold between them."""
        self._in.write("total\n")
        self._in.flush()
        return int(self._out.readline())

    def channels(self) -> dict[ChannelName, Channel]:
        return channels_for(self.settings)
