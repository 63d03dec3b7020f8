"""How often someone may ask for a sign-in link: per address typed and per client.

Counted in this process's memory: the workspace is served by the one ``coproduce serve``
process. Several web processes would each allow this many.
"""

from __future__ import annotations

from collections import defaultdict, deque
from datetime import datetime, timedelta


class SlidingLimit:
    """At most ``times`` events per key within ``within``."""

    def __init__(self, times: int, within: timedelta) -> None:
        self.times = times
        self.within = within
        self._seen: dict[str, deque[datetime]] = defaultdict(deque)

    def allow(self, key: str, now: datetime) -> bool:
        """Count this event; False (and not counted) when the key is over its limit."""
        seen = self._seen[key]
        while seen and seen[0] <= now - self.within:
            seen.popleft()
        if len(seen) >= self.times:
            return False
        seen.append(now)
        if len(self._seen) > 10_000:  # a flood of new keys must not grow memory for ever
            self._forget_old(now)
        return True

    def _forget_old(self, now: datetime) -> None:
        for key in [k for k, v in self._seen.items() if not v or v[-1] <= now - self.within]:
            del self._seen[key]


# Three links in a quarter of an hour is plenty for a person; a client (one IP address, maybe
# an office behind one) may ask for twenty.
LINK_WINDOW = timedelta(minutes=15)
PER_ADDRESS = 3
PER_CLIENT = 20
