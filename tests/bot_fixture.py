"""The ``bot`` fixture: the real flows on real storage, with memory channels as transport.

A test says what arrives and reads what goes out; the fixture fails a test that leaves a
sent message unread, so nothing a person would receive goes unchecked, and a test in which
anyone was sent another person's contact details (see ``tests/privacy.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import pytest

from bot.services import Services, build_services
from bot.settings import Settings
from channels.base import ChannelName, InboundEvent, InboundMessage, OutboundMessage
from channels.memory import MemoryChannel
from tests.helpers import ManualClock, hold_worker_lease, upgrade_database
from tests.privacy import contact_leaks, memory_deliveries, read_directory


@dataclass
class KeptMemoryChannel(MemoryChannel):
    """A memory channel that also keeps everything it took, after the test has read it."""

    kept: list[OutboundMessage] = field(default_factory=list)

    async def send(self, message: OutboundMessage) -> str:
        held = len(self.sent)
        try:
            return await super().send(message)
        finally:
            self.kept += self.sent[held:]


class MemoryBot:
    def __init__(self, services: Services, memory: dict[ChannelName, MemoryChannel]) -> None:
        self.services = services
        self.memory = memory
        self.clock: ManualClock = services.clock  # type: ignore[assignment]
        self._ids = itertools.count(1)

    @property
    def sessions(self):  # type: ignore[no-untyped-def]
        return self.services.sessions

    async def send_in(
        self,
        channel: ChannelName,
        sender: str,
        text: str,
        *,
        provider_id: str | None = None,
        token: str | None = None,
        subject: str | None = None,
        attachments: int = 0,
        cut_from: int | None = None,
        sender_verified: bool = False,
        unquoted_text: str | None = None,
        event: InboundEvent = InboundEvent.TEXT,
        provider_ref: str | None = None,
        edit_of: str | None = None,
    ) -> int | None:
        """A message arrives and is handled, as the webhook and the flow would do it.
        ``unquoted_text`` makes it an email reply whose own words the channel could not tell
        (``text`` is what it kept of them)."""
        message = InboundMessage(
            channel=channel,
            sender=sender,
            text=text,
            provider_id=provider_id or f"test-{next(self._ids)}",
            received_at=self.clock.now(),
            routing_token=token,
            subject=subject,
            attachments=attachments,
            cut_from=cut_from,
            sender_verified=sender_verified,
            unquoted_text=unquoted_text,
            event=event,
            provider_ref=provider_ref,
            edit_of=edit_of,
        )
        inbound_id = await self.services.inbound.accept(message)
        if inbound_id is not None:
            await self.services.inbound.process(inbound_id)
        return inbound_id

    async def delivered(self, channel: ChannelName | None = None) -> list[OutboundMessage]:
        """Send everything due and return what went out (on one channel, or all)."""
        await self.services.dispatcher.dispatch_all_due()
        names = [channel] if channel else list(self.memory)
        return [message for name in names for message in self.memory[name].take()]

    async def unread(self) -> list[OutboundMessage]:
        await self.services.dispatcher.dispatch_all_due()
        return [message for channel in self.memory.values() for message in channel.sent]


@asynccontextmanager
async def memory_bot(
    database_url: str, clock: ManualClock, sender_rate: int = 20, public_url: str | None = None
) -> AsyncIterator[MemoryBot]:
    """The real services on a fresh database, sending through memory channels (``sender_rate``
    is ``COPRODUCE_SENDER_RATE``; 0 turns the flood limit off; ``public_url`` is
    ``COPRODUCE_PUBLIC_URL``, which puts the unsubscribe link in emails)."""
    memory: dict[ChannelName, MemoryChannel] = {
        name: KeptMemoryChannel(name) for name in ChannelName
    }
    await upgrade_database(database_url)
    services = await build_services(
        Settings(database_url=database_url, sender_rate=sender_rate, public_url=public_url),
        clock=clock,
        channels=memory,
    )
    await hold_worker_lease(services)
    try:
        yield MemoryBot(services, memory)
    finally:
        await services.close()


@pytest.fixture
async def bot(database_url: str, clock: ManualClock) -> AsyncIterator[MemoryBot]:
    async with memory_bot(database_url, clock) as memory_bot_:
        yield memory_bot_
        left = await memory_bot_.unread()
        assert not left, f"the test left messages unread: {[(m.channel, m.body) for m in left]}"
        kept = [m for c in memory_bot_.memory.values() for m in getattr(c, "kept", [])]
        directory = await read_directory(memory_bot_.sessions)
        assert contact_leaks(directory, memory_deliveries(kept)) == []
