"""The inbound path: store the message (once per provider id), acknowledge, then run its flow.

Storing commits before the provider is answered, so an acknowledged message is never lost.
Messages that arrive together are stored together, in one transaction (one disk sync for
all of them), and every request waits for that commit.

Flows run afterwards, in lanes: the messages of one sender always go to the same lane and
are handled there in the order they came (NAME ME, then a comment). A lane handles what is
waiting in one transaction, each message inside a savepoint of its own, so one commit covers
many flows and a flow that fails undoes only its own work. A lane gives way between messages
when messages are waiting to be stored, so acknowledging the providers comes first. A message
whose flow did not run (the process stopped in between) is picked up by
:meth:`InboundService.process_leftovers`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.base import InboundMessage
from flows.runner import handle_inbound
from storage.db import transaction
from storage.inbound import (
    claim_inbound,
    record_processing_failure,
    store_inbound,
    store_inbound_many,
    unprocessed_inbound,
)
from storage.models import InboundMessageRow
from storage.outbox import release_held_for_reply

from .clock import Clock
from .log_guards import hide_values

log = logging.getLogger(__name__)

# Messages stored by one statement (ten columns each, well inside SQLite's parameter limit).
STORE_BATCH = 200
# A lane commits after this long, even with messages left, so its work is not held back.
FLOW_COMMIT_SECONDS = 0.1

Waiting = tuple[InboundMessage, "asyncio.Future[int | None]"]


class InboundService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        clock: Clock,
        default_language: str = "en",
        on_outbox: Callable[[], None] = lambda: None,
        lanes: int = 1,
        sender_rate: int | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._default_language = default_language
        self._on_outbox = on_outbox
        self._sender_rate = sender_rate
        self._to_store: list[Waiting] = []
        self._storing: asyncio.Task[None] | None = None
        self._lanes = [_Lane() for _ in range(max(1, lanes))]

    async def accept(self, message: InboundMessage) -> int | None:
        """Store a message; returns its id, or None when the provider id was seen before."""
        stored: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        self._to_store.append((message, stored))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_waiting())
        inbound_id = await stored
        if inbound_id is None:
            log.info(
                "%s message %s was already stored; ignored", message.channel, message.provider_id
            )
        return inbound_id

    async def _store_waiting(self) -> None:
        while self._to_store:
            batch, self._to_store = self._to_store[:STORE_BATCH], self._to_store[STORE_BATCH:]
            try:
                async with transaction(self._sessions) as session:
                    ids = await store_inbound_many(
                        session, [message for message, _ in batch], self._clock.now()
                    )
            except Exception:
                log.exception("storing %d messages together failed; storing each alone", len(batch))
                await self._store_each(batch)
            else:
                for (_, stored), inbound_id in zip(batch, ids, strict=True):
                    if not stored.done():
                        stored.set_result(inbound_id)

    async def _store_each(self, batch: list[Waiting]) -> None:
        for message, stored in batch:
            try:
                async with transaction(self._sessions) as session:
                    inbound_id = await store_inbound(session, message, self._clock.now())
            except Exception as error:
                # Not stored: the request fails, so the provider sends the message again.
                if not stored.done():
                    stored.set_exception(error)
            else:
                if not stored.done():
                    stored.set_result(inbound_id)

    def process_later(self, inbound_id: int, message: InboundMessage) -> None:
        """Run the flow of a stored message after the provider has been answered, in its
        sender's lane (one sender's messages are handled in the order they came)."""
        lane = self._lanes[hash((message.channel, message.sender)) % len(self._lanes)]
        lane.waiting.append(inbound_id)
        if lane.task is None or lane.task.done():
            lane.task = asyncio.create_task(self._run_lane(lane))

    async def drain(self) -> None:
        """Wait for every message accepted so far to be stored and handed to its flow."""
        while True:
            tasks = [self._storing, *(lane.task for lane in self._lanes)]
            running = [task for task in tasks if task is not None and not task.done()]
            if not running:
                return
            await asyncio.gather(*running, return_exceptions=True)

    async def _run_lane(self, lane: _Lane) -> None:
        while lane.waiting:
            try:
                await self._process_together(lane)
            except Exception:
                log.exception("inbound: a batch of flows failed; each is tried alone")
                taken, lane.taken = lane.taken, []
                for inbound_id in taken:
                    await self.process(inbound_id)

    async def _process_together(self, lane: _Lane) -> None:
        """Flows of the waiting messages in one transaction, one savepoint each, until the time
        is up or messages are waiting to be stored."""
        failed: list[tuple[int, Exception]] = []
        handled = 0
        deadline = time.monotonic() + FLOW_COMMIT_SECONDS
        async with self._sessions() as outer, outer.begin():
            connection = await outer.connection()
            while lane.waiting and (not lane.taken or not self._must_yield(deadline)):
                inbound_id = lane.waiting.pop(0)
                lane.taken.append(inbound_id)
                now = self._clock.now()
                try:
                    async with (
                        self._sessions(
                            bind=connection, join_transaction_mode="create_savepoint"
                        ) as session,
                        session.begin(),
                    ):
                        handled += await self._run_flow(session, inbound_id, now)
                except Exception as error:
                    log.exception("inbound %s: the flow failed; it will be tried again", inbound_id)
                    failed.append((inbound_id, error))
        lane.taken = []
        await self._record_failures(failed)
        if handled:
            self._on_outbox()

    def _must_yield(self, deadline: float) -> bool:
        return bool(self._to_store) or time.monotonic() >= deadline

    async def _run_flow(self, session: AsyncSession, inbound_id: int, now: datetime) -> int:
        """Claim a message and run its flow; 1 when this call handled it, 0 when another did."""
        if not await claim_inbound(session, inbound_id, now):
            return 0
        row = await session.get(InboundMessageRow, inbound_id)
        assert row is not None
        await handle_inbound(session, row, now, self._default_language, self._sender_rate)
        if row.contact_point_id is not None:
            # They wrote: what WhatsApp's 24-hour rule held for their reply may go now.
            await release_held_for_reply(session, row.contact_point_id, now)
        return 1

    async def _record_failures(self, failed: list[tuple[int, Exception]]) -> None:
        if not failed:
            return
        async with transaction(self._sessions) as session:
            for inbound_id, error in failed:
                await record_processing_failure(
                    session, inbound_id, hide_values(f"{type(error).__name__}: {error}")
                )

    async def process(self, inbound_id: int) -> None:
        """Run the flow for one stored message; its effects commit with the "processed" mark."""
        now = self._clock.now()
        try:
            async with transaction(self._sessions) as session:
                handled = await self._run_flow(session, inbound_id, now)
        except Exception as error:
            log.exception("inbound %s: the flow failed; it will be tried again", inbound_id)
            await self._record_failures([(inbound_id, error)])
            return
        if handled:
            self._on_outbox()

    async def process_leftovers(self, older_than: timedelta = timedelta(seconds=30)) -> int:
        """Handle messages that were stored but never processed; returns how many were tried."""
        async with transaction(self._sessions) as session:
            ids = await unprocessed_inbound(session, self._clock.now() - older_than)
        for inbound_id in ids:
            await self.process(inbound_id)
        return len(ids)


class _Lane:
    """Messages waiting for their flows, handled one after another by one task."""

    def __init__(self) -> None:
        self.waiting: list[int] = []
        self.taken: list[int] = []  # in the transaction now running
        self.task: asyncio.Task[None] | None = None
