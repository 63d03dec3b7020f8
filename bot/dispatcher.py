"""The outbox dispatcher: claims due rows, re-checks opt-outs, sends, records the outcome.

A worker claims only as many rows as it can send at once (its concurrency), so a row it
holds is a row in flight: if the worker is killed, at most that many messages can reach
their person twice. A row is claimed in one short transaction, sent with no transaction
open (a slow provider must never hold the database), and its outcome recorded in another.
Everything a batch of claimed rows needs is loaded in one transaction (``bot/claimed.py``),
and outcomes that finish together are written together (``bot/outcomes.py``): the cost in
commits is per batch, not per message.

A row for a channel that is not in ``channels`` (one with no settings) fails when it is
claimed, and goes on by the person's other channel where they have one (``bot/claimed.py``):
every worker should be given the same channel settings.

Outcomes: a transient failure puts the row back with a later attempt time (the provider's
own pause when it gave one) until ``retry_for`` has passed; a permanent one marks it failed
with the reason and flags the address, and stops the address when the provider says the
person opted out with it (Twilio 21610, a blocked Telegram bot); a lost answer marks it
unknown, and it is looked up (where the provider can be asked) before any resend, never
sent blindly twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.base import (
    Channel,
    ChannelName,
    OutboundMessage,
    PermanentSendError,
    TransientSendError,
    UncertainSendError,
)
from storage.consents import stop_at_provider
from storage.db import transaction
from storage.models import OutboxStatus
from storage.outbox import (
    flag_contact_point,
    mark_failed,
    mark_retry,
    mark_sending,
    mark_sent,
    mark_unknown,
)
from storage.outbox_claims import Claim, claim_due

from .claimed import Ready, ready_to_send
from .clock import Clock
from .outcomes import OutcomeWriter, Sent, Write
from .pacing import Pacer

log = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
# Seconds added at most to a pause the provider asked for, and the shortest pause kept (a
# provider answering "0" again and again must not make a worker spin).
MOST_PAUSE_JITTER = 1.0
SHORTEST_PAUSE = 1.0
# A message whose answer was lost is looked up after this long: time for the provider's
# status callback, which settles it without asking.
LOOK_UP_AFTER = timedelta(minutes=1)


def retry_delay(attempts: int, retry_after: float | None, rng: Callable[[], float]) -> timedelta:
    """The provider's own pause when it asked for one (Telegram's retry_after, Twilio's
    Retry-After; at least a second), plus a jitter of at most a tenth of it and never more
    than a second, so that messages paused together do not all come back in the same
    instant; otherwise exponential backoff with jitter (between half and all of the step)."""
    if retry_after is not None:
        pause = max(retry_after, SHORTEST_PAUSE)
        return timedelta(seconds=pause + min(pause / 10, MOST_PAUSE_JITTER) * rng())
    step = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)
    return step * (0.5 + rng() / 2)


class Dispatcher:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[ChannelName, Channel],
        clock: Clock,
        *,
        worker_id: str | None = None,
        concurrency: int = 10,
        lease: timedelta = timedelta(minutes=5),
        poll_seconds: float = 1.0,
        retry_for: timedelta = timedelta(hours=24),
        pacer: Pacer | None = None,
        rng: Callable[[], float] = random.random,
        organisation: str | None = None,
        public_url: str | None = None,
    ) -> None:
        self._sessions = sessions
        self._channels = channels
        self._clock = clock
        self.worker_id = worker_id or f"dispatcher-{uuid.uuid4().hex[:12]}"
        self._concurrency = max(concurrency, 1)
        self._lease = lease
        self._poll_seconds = poll_seconds
        self.retry_for = retry_for
        self._pacer = pacer or Pacer({})
        self._rng = rng
        # For the footer of every email (COPRODUCE_ORGANISATION, COPRODUCE_PUBLIC_URL).
        self._organisation = organisation
        self._public_url = public_url
        self._wake = asyncio.Event()
        self._outcomes = OutcomeWriter(sessions, self.worker_id)

    def wake(self) -> None:
        """Something was queued: look now rather than at the next poll."""
        self._wake.set()

    async def dispatch_due(self) -> int:
        """Claim as many due rows as can be sent at once, send them, wait for the outcomes;
        returns how many were claimed."""
        claims = await self._claim(self._concurrency)
        ready = await self._prepare(claims)
        await asyncio.gather(*(self._deliver_safely(one) for one in ready))
        return len(claims)

    async def dispatch_all_due(self) -> int:
        """Send until nothing is due (tests and one-shot runs)."""
        total = 0
        while claimed := await self.dispatch_due():
            total += claimed
        return total

    async def run(self, stop: asyncio.Event) -> None:
        """Keep ``concurrency`` sends going while rows are due; on ``stop``, claim nothing
        more and finish the sends in flight."""
        in_flight: set[asyncio.Task[None]] = set()
        # Claim when a batch's worth of room is free, not for each send that finishes: a
        # claim costs a transaction, whether it takes one row or many.
        batch = max(1, self._concurrency // 4)
        try:
            while not stop.is_set():
                free = self._concurrency - len(in_flight)
                claims: list[Claim] = []
                if free >= batch or not in_flight:
                    self._wake.clear()
                    try:
                        claims = await self._claim(free)
                    except Exception:
                        log.exception("the dispatcher could not claim messages; trying again")
                for one in await self._prepare(claims):
                    task = asyncio.create_task(self._deliver_safely(one))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                if self._concurrency - len(in_flight) < batch:
                    # Too little room for a batch: claim again when a send finishes.
                    await _first_of(stop.wait(), *in_flight)
                elif not claims:
                    # Nothing was due: wait to be woken, or poll.
                    await _first_of(stop.wait(), self._wake.wait(), seconds=self._poll_seconds)
        finally:
            if in_flight:
                log.info("finishing %d messages in flight before stopping", len(in_flight))
                await asyncio.gather(*in_flight, return_exceptions=True)

    async def _claim(self, limit: int) -> list[Claim]:
        lookup_channels = [name for name, ch in self._channels.items() if ch.can_look_up]
        async with transaction(self._sessions) as session:
            return await claim_due(
                session,
                self._clock.now(),
                limit,
                self._lease,
                worker_id=self.worker_id,
                lookup_channels=lookup_channels,
            )

    async def _prepare(self, claims: list[Claim]) -> list[Ready]:
        """Get the claimed rows ready in one transaction for all of them. If that fails,
        each is tried alone, so one bad row cannot hold up the rest: a row that still fails
        stays claimed until its lease runs out, and is claimed again then."""
        if not claims:
            return []
        try:
            async with transaction(self._sessions) as session:
                return await ready_to_send(
                    session,
                    claims,
                    self._channels,
                    self.worker_id,
                    self._clock.now(),
                    organisation=self._organisation,
                    public_url=self._public_url,
                )
        except Exception:
            if len(claims) == 1:
                log.exception("outbox %s: could not get it ready to send", claims[0].id)
                return []
            log.warning("%d claimed messages could not be got ready together", len(claims))
        ready = []
        for claim in claims:
            ready += await self._prepare([claim])
        return ready

    async def _deliver_safely(self, ready: Ready) -> None:
        try:
            await self._deliver(ready)
        except Exception:
            # The row stays claimed and is claimed again when its lease runs out.
            log.exception("outbox %s: could not record the outcome", ready.message.outbox_id)

    async def _deliver(self, ready: Ready) -> None:
        channel, message = ready.channel, ready.message
        outbox_id, attempts, created_at = message.outbox_id, ready.attempts, ready.created_at
        if ready.was in (OutboxStatus.UNKNOWN, OutboxStatus.SENDING) and channel.can_look_up:
            tried_at = ready.tried_at
            sent_after = tried_at if ready.was == OutboxStatus.UNKNOWN and tried_at else created_at
            if not await self._settle_by_look_up(channel, message, sent_after, attempts):
                return
        await self._pacer.wait(message.channel, message.address, channel.cost(message))
        tried_at = self._clock.now()
        try:
            provider_id = await channel.send(message)
        except TransientSendError as error:
            await self._retry_or_give_up(
                outbox_id,
                error.reason,
                error.retry_after,
                attempts,
                ready.retry_from,
                error.parts_sent,
            )
            return
        except PermanentSendError as error:
            log.warning("outbox %s: failed for good: %s", outbox_id, error.reason)
            await self._outcomes.write(
                _failed_for_good(ready, self.worker_id, error, self._clock.now())
            )
            return
        except UncertainSendError as error:
            await self._record_unknown(channel, outbox_id, error.reason, tried_at)
            return
        except Exception as error:
            # A bug or a library surprise: keep the message and try again later.
            log.exception("outbox %s: unexpected error while sending", outbox_id)
            await self._retry_or_give_up(
                outbox_id, f"unexpected {type(error).__name__}", None, attempts, ready.retry_from
            )
            return
        clear = ready.contact_point_id if ready.had_failures else None
        await self._outcomes.write(Sent(outbox_id, provider_id, self._clock.now(), clear))

    async def _settle_by_look_up(
        self, channel: Channel, message: OutboundMessage, sent_after: datetime, attempts: int
    ) -> bool:
        """Ask the provider about a message it may have; True when it surely does not."""
        outbox_id = message.outbox_id
        try:
            provider_id = await channel.look_up(message, sent_after)
        except Exception as error:
            reason = getattr(error, "reason", type(error).__name__)
            log.warning(
                "outbox %s: could not look it up (%s); asking again later", outbox_id, reason
            )
            delay = retry_delay(attempts, getattr(error, "retry_after", None), self._rng)
            await self._mark(
                mark_unknown,
                outbox_id,
                f"could not ask the provider whether it has it: {reason}",
                tried_at=sent_after,
                look_up_at=self._clock.now() + delay,
            )
            return False
        if provider_id is not None:
            log.info("outbox %s: the provider has it (%s); not sent again", outbox_id, provider_id)
            await self._mark(mark_sent, outbox_id, provider_id, self._clock.now())
            return False
        log.info("outbox %s: the provider does not have it; sending", outbox_id)
        return await self._mark(mark_sending, outbox_id)

    async def _record_unknown(
        self, channel: Channel, outbox_id: int, reason: str, tried_at: datetime
    ) -> None:
        if channel.can_look_up:
            note = f"{reason}; it will be looked up before it is sent again"
            look_up_at = self._clock.now() + LOOK_UP_AFTER
        else:
            note = f"{reason}; it may have arrived, so it is not sent again"
            look_up_at = tried_at
        log.warning("outbox %s: unknown: %s", outbox_id, note)
        await self._mark(mark_unknown, outbox_id, note, tried_at=tried_at, look_up_at=look_up_at)

    async def _retry_or_give_up(
        self,
        outbox_id: int,
        reason: str,
        retry_after: float | None,
        attempts: int,
        retry_from: datetime,
        parts_sent: int = 0,
    ) -> None:
        now = self._clock.now()
        delay = retry_delay(attempts, retry_after, self._rng)
        if now + delay > retry_from + self.retry_for:
            log.warning("outbox %s: giving up after %d tries: %s", outbox_id, attempts, reason)
            await self._mark(mark_failed, outbox_id, f"gave up after {attempts} tries: {reason}")
            return
        log.info("outbox %s: %s; trying again in %s", outbox_id, reason, delay)
        await self._mark(mark_retry, outbox_id, reason, now + delay, parts_sent)

    async def _mark(
        self, mark: Callable[..., Awaitable[bool]], outbox_id: int, *args: object, **kwargs: object
    ) -> bool:
        """Record an outcome for a row this worker holds, together with others (see
        ``OutcomeWriter``); True when the row took it."""
        return await self._outcomes.write(
            lambda session: mark(session, outbox_id, self.worker_id, *args, **kwargs)
        )


def _failed_for_good(
    ready: Ready, worker_id: str, error: PermanentSendError, now: datetime
) -> Write:
    async def write(session: AsyncSession) -> bool:
        if not await mark_failed(session, ready.message.outbox_id, worker_id, error.reason):
            return False
        await flag_contact_point(session, ready.contact_point_id, error.reason, now)
        if error.opted_out:
            # The person opted out at the provider: nothing more goes to this address until
            # they opt in again, and their consent history says where it was said.
            await stop_at_provider(session, ready.contact_point_id, now)
        return True

    return write


async def _first_of(*waitables: Awaitable[object], seconds: float | None = None) -> None:
    """Wait until any of these finishes (or the timeout passes); cancel the waits we made."""
    made = [asyncio.ensure_future(w) for w in waitables]
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait(made, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for future, waitable in zip(made, waitables, strict=True):
            if future is not waitable:
                future.cancel()
