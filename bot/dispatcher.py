"""The outbox dispatcher: claims due rows, re-checks opt-outs, sends, records the outcome.

A row is claimed in one short transaction, sent with no transaction open (a slow provider
must never hold the database), and its outcome recorded in another. A failed send never
loses the row: a transient failure puts it back in the queue with a later attempt time, a
permanent one marks it failed with the reason for leads to see.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable, Mapping
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.base import (
    Channel,
    ChannelName,
    OutboundMessage,
    PermanentSendError,
    TransientSendError,
)
from flows.conversation import may_still_send
from storage.db import transaction
from storage.models import MembershipStatus
from storage.outbox import (
    claim_due,
    load_sendable,
    mark_cancelled,
    mark_failed,
    mark_retry,
    mark_sent,
)
from storage.reply_tokens import token_for

from .clock import Clock

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# A channel that is off keeps its messages; they are looked at again this often.
CHANNEL_OFF_RETRY = timedelta(minutes=5)


def retry_delay(attempts: int, retry_after: float | None, rng: Callable[[], float]) -> timedelta:
    """Exponential backoff with jitter (between half and all of the step), and never sooner
    than the provider asked."""
    step = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)
    delay = step * (0.5 + rng() / 2)
    if retry_after is not None:
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[ChannelName, Channel],
        clock: Clock,
        *,
        batch: int = 50,
        concurrency: int = 10,
        lease: timedelta = timedelta(minutes=5),
        poll_seconds: float = 1.0,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self._sessions = sessions
        self._channels = channels
        self._clock = clock
        self._batch = batch
        self._limit = asyncio.Semaphore(concurrency)
        self._lease = lease
        self._poll_seconds = poll_seconds
        self._rng = rng
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    async def dispatch_due(self) -> int:
        """Claim and send one batch of due rows; returns how many were claimed."""
        async with transaction(self._sessions) as session:
            ids = await claim_due(session, self._clock.now(), self._batch, self._lease)
        if ids:
            await asyncio.gather(*(self._deliver_limited(outbox_id) for outbox_id in ids))
        return len(ids)

    async def dispatch_all_due(self) -> int:
        """Send until nothing is due (tests and one-shot runs)."""
        total = 0
        while claimed := await self.dispatch_due():
            total += claimed
        return total

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                claimed = await self.dispatch_due()
            except Exception:
                log.exception("the dispatcher could not claim messages; trying again shortly")
                claimed = 0
            if claimed >= self._batch:
                continue
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait(
                    waiters, timeout=self._poll_seconds, return_when="FIRST_COMPLETED"
                )
            for waiter in waiters:
                waiter.cancel()

    async def _deliver_limited(self, outbox_id: int) -> None:
        async with self._limit:
            try:
                await self._deliver(outbox_id)
            except Exception:
                # The row stays "sending" and is claimed again when its lease runs out.
                log.exception("outbox %s: could not record the outcome", outbox_id)

    async def _deliver(self, outbox_id: int) -> None:
        now = self._clock.now()
        async with transaction(self._sessions) as session:
            sendable = await load_sendable(session, outbox_id)
            if sendable is None:
                return
            row, point = sendable.row, sendable.contact_point
            left = sendable.membership_status == MembershipStatus.LEFT
            if not may_still_send(row.kind, point.opted_out_at is not None, left):
                await mark_cancelled(session, outbox_id, "opted out before it was sent")
                log.info("outbox %s: cancelled, the recipient opted out", outbox_id)
                return
            channel = self._channels.get(row.channel)
            if channel is None:
                await mark_retry(
                    session, outbox_id, f"the {row.channel} channel is off", now + CHANNEL_OFF_RETRY
                )
                return
            reply_token = None
            if row.channel == ChannelName.EMAIL and point.contributor_id is not None:
                reply_token = await token_for(session, point.contributor_id, row.project_id, now)
            message = OutboundMessage(
                outbox_id=row.id,
                channel=row.channel,
                address=point.address,
                body=row.body or "",
                language=row.language,
                subject=row.subject,
                reply_token=reply_token,
                in_reply_to=sendable.in_reply_to,
                choices=tuple(row.choices or ()),
            )
            attempts = row.attempts

        try:
            provider_id = await channel.send(message)
        except TransientSendError as error:
            delay = retry_delay(attempts, error.retry_after, self._rng)
            log.warning("outbox %s: %s; trying again in %s", outbox_id, error.reason, delay)
            await self._record(mark_retry, outbox_id, error.reason, self._clock.now() + delay)
        except PermanentSendError as error:
            log.warning("outbox %s: failed for good: %s", outbox_id, error.reason)
            await self._record(mark_failed, outbox_id, error.reason)
        except Exception as error:
            # A bug or a library surprise: keep the message and try again later.
            log.exception("outbox %s: unexpected error while sending", outbox_id)
            delay = retry_delay(attempts, None, self._rng)
            await self._record(
                mark_retry,
                outbox_id,
                f"unexpected {type(error).__name__}",
                self._clock.now() + delay,
            )
        else:
            await self._record(mark_sent, outbox_id, provider_id, self._clock.now())

    async def _record(self, mark: Callable[..., object], outbox_id: int, *args: object) -> None:
        async with transaction(self._sessions) as session:
            await mark(session, outbox_id, *args)  # type: ignore[misc]
