"""The inbound path: store the message (once per provider id), acknowledge, then run its flow.

Storing commits before the provider is answered, so an acknowledged message is never lost;
the flow runs afterwards in its own transaction, and a message whose flow did not run (the
process stopped in between) is picked up by :meth:`InboundService.process_leftovers`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.base import InboundMessage
from flows.runner import handle_inbound
from storage.db import transaction
from storage.inbound import (
    claim_inbound,
    record_processing_failure,
    store_inbound,
    unprocessed_inbound,
)
from storage.models import InboundMessageRow

from .clock import Clock

log = logging.getLogger(__name__)


class InboundService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        default_language: str = "en",
        on_outbox: Callable[[], None] = lambda: None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._default_language = default_language
        self._on_outbox = on_outbox
        self._tasks: set[asyncio.Task[None]] = set()
        # Messages from one sender are handled in the order they came (NAME ME, then a
        # comment): each waits for the one before it from the same address.
        self._senders: dict[int, tuple[str, str]] = {}
        self._last_from: dict[tuple[str, str], asyncio.Task[None]] = {}

    async def accept(self, message: InboundMessage) -> int | None:
        """Store a message; returns its id, or None when the provider id was seen before."""
        async with transaction(self._sessions) as session:
            inbound_id = await store_inbound(session, message, self._clock.now())
        if inbound_id is not None:
            self._senders[inbound_id] = (message.channel, message.sender)
        else:
            log.info(
                "%s message %s was already stored; ignored", message.channel, message.provider_id
            )
        return inbound_id

    def process_later(self, inbound_id: int) -> None:
        """Run the flow after the provider has been answered."""
        sender = self._senders.pop(inbound_id, None)
        before = self._last_from.get(sender) if sender else None

        async def in_turn() -> None:
            if before is not None:
                await asyncio.wait([before])
            await self.process(inbound_id)

        task = asyncio.create_task(in_turn())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if sender is not None:
            self._last_from[sender] = task
            task.add_done_callback(
                lambda done: (
                    self._last_from.pop(sender) if self._last_from.get(sender) is done else None
                )
            )

    async def drain(self) -> None:
        """Wait for every message handed to :meth:`process_later` to be handled."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def process(self, inbound_id: int) -> None:
        """Run the flow for one stored message; its effects commit with the "processed" mark."""
        self._senders.pop(inbound_id, None)  # when called directly, not by process_later
        now = self._clock.now()
        try:
            async with transaction(self._sessions) as session:
                if not await claim_inbound(session, inbound_id, now):
                    return
                row = await session.get(InboundMessageRow, inbound_id)
                assert row is not None
                await handle_inbound(session, row, now, self._default_language)
        except Exception as error:
            log.exception("inbound %s: the flow failed; it will be tried again", inbound_id)
            async with transaction(self._sessions) as session:
                await record_processing_failure(
                    session, inbound_id, f"{type(error).__name__}: {error}"
                )
            return
        self._on_outbox()

    async def process_leftovers(self, older_than: timedelta = timedelta(seconds=30)) -> int:
        """Handle messages that were stored but never processed; returns how many were tried."""
        async with transaction(self._sessions) as session:
            ids = await unprocessed_inbound(session, self._clock.now() - older_than)
        for inbound_id in ids:
            await self.process(inbound_id)
        return len(ids)
