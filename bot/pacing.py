"""Rate limits as token buckets: one for a channel overall and, where the provider asks for
it (Telegram: about one message a second per chat), one per address.

Buckets measure real time (monotonic), not the application's clock: they pace the
provider's API, which lives in real time. A rate of 0 means no limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from channels.base import ChannelName

# Per-address buckets that have filled up again are forgotten once there are this many.
_FORGET_AFTER = 10_000


class TokenBucket:
    """``rate`` tokens a second, holding at most ``burst``.

    A take larger than what the bucket holds waits until the bucket is full and then goes
    into debt, so a long SMS (several segments) is never stuck, and the debt delays what
    comes after it: over any stretch of time the rate holds.
    """

    def __init__(
        self, rate: float, burst: float, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self._now = now
        self._tokens = self.burst
        self._updated = now()
        self._lock = asyncio.Lock()

    @property
    def full(self) -> bool:
        self._refill()
        return self._tokens >= self.burst

    async def take(self, amount: float = 1.0) -> None:
        if self.rate <= 0:
            return
        # One taker at a time, in arrival order: nobody overtakes a waiting long message.
        async with self._lock:
            self._refill()
            need = min(amount, self.burst)
            if self._tokens < need:
                await asyncio.sleep((need - self._tokens) / self.rate)
                self._refill()
            self._tokens -= amount

    def _refill(self) -> None:
        now = self._now()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now


@dataclass(frozen=True)
class Pace:
    """A channel's limits: ``per_second`` overall and ``per_address_per_second`` for each
    recipient (0 turns either off)."""

    per_second: float = 0.0
    per_address_per_second: float = 0.0


class Pacer:
    """The buckets of every channel; :meth:`wait` returns when a send may go."""

    def __init__(self, paces: Mapping[ChannelName, Pace]) -> None:
        self._paces = dict(paces)
        # A second's worth of burst overall; one message at a time for each address.
        self._overall = {
            name: TokenBucket(pace.per_second, pace.per_second)
            for name, pace in self._paces.items()
            if pace.per_second > 0
        }
        self._per_address: dict[tuple[ChannelName, str], TokenBucket] = {}

    async def wait(self, channel: ChannelName, address: str, cost: int = 1) -> None:
        pace = self._paces.get(channel)
        if pace is None:
            return
        if pace.per_address_per_second > 0:
            await self._bucket_for(channel, address, pace).take(cost)
        overall = self._overall.get(channel)
        if overall is not None:
            await overall.take(cost)

    def _bucket_for(self, channel: ChannelName, address: str, pace: Pace) -> TokenBucket:
        key = (channel, address)
        bucket = self._per_address.get(key)
        if bucket is None:
            if len(self._per_address) >= _FORGET_AFTER:
                self._per_address = {k: b for k, b in self._per_address.items() if not b.full}
            bucket = TokenBucket(pace.per_address_per_second, 1.0)
            self._per_address[key] = bucket
        return bucket
