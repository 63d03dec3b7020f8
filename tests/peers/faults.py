"""Faults a local provider injects on a schedule the test sets, the same for every peer.

A test gives a peer a :class:`Faults` and the peer asks it, for each send, whether to fail and
how. Draws come from a seeded random generator, so a run can be repeated exactly.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from enum import StrEnum


class Fault(StrEnum):
    TRANSIENT = "transient"  # HTTP 5xx, SMTP 451
    TOO_MANY = "too-many"  # HTTP 429 with retry_after


@dataclass
class Faults:
    """What to do to sends: a share of transient errors, a share of "slow down" answers, and
    recipients whose first send is taken but answered only after ``slow_seconds`` (past the
    client's timeout). Permanent refusals stay with each peer (blocked chats, invalid
    numbers, refused mailboxes), as real providers keep them."""

    transient_ratio: float = 0.0
    too_many_ratio: float = 0.0
    retry_after: int = 1
    slow: set[str] = field(default_factory=set)
    slow_seconds: float = 2.0
    seed: int = 0
    _random: random.Random = field(init=False)
    _answered_slowly: set[str] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._random = random.Random(self.seed)

    def draw(self) -> Fault | None:
        """The fault for this send, if any (call once per send attempt)."""
        with self._lock:
            roll = self._random.random()
        if roll < self.transient_ratio:
            return Fault.TRANSIENT
        if roll < self.transient_ratio + self.too_many_ratio:
            return Fault.TOO_MANY
        return None

    def answer_slowly(self, recipient: str) -> bool:
        """True the first time a slow recipient is sent to: take the message, answer late."""
        with self._lock:
            if recipient not in self.slow or recipient in self._answered_slowly:
                return False
            self._answered_slowly.add(recipient)
            return True
