"""A channel that keeps what it is given in memory: the real flows and storage run, only the
transport is replaced (as errbot's test backend does). For tests and dry runs."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from .base import (
    ChannelName,
    InboundMessage,
    MalformedRequest,
    OutboundMessage,
    PermanentSendError,
    ProviderRequest,
    TransientSendError,
    UncertainSendError,
)


@dataclass
class MemoryChannel:
    """Stands in for one real channel. ``fail_next`` queues errors to raise on later sends;
    an :class:`UncertainSendError` there means the message was taken but the answer lost.
    With ``can_look_up`` it answers look-ups from everything it ever took."""

    name: ChannelName
    can_look_up: bool = False
    sent: list[OutboundMessage] = field(default_factory=list)
    taken: dict[int, str] = field(default_factory=dict)  # outbox id -> our provider id
    fail_next: list[TransientSendError | PermanentSendError | UncertainSendError] = field(
        default_factory=list
    )
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass

    def is_genuine(self, request: ProviderRequest) -> bool:
        return True

    def parse(self, request: ProviderRequest) -> Sequence[InboundMessage]:
        """Reads ``{"id": ..., "sender": ..., "text": ...}``."""
        try:
            data = json.loads(request.body)
            return [
                InboundMessage(
                    channel=self.name,
                    sender=str(data["sender"]),
                    text=str(data["text"]),
                    provider_id=str(data["id"]),
                    received_at=request.received_at,
                    routing_token=data.get("token"),
                )
            ]
        except (ValueError, KeyError, TypeError) as error:
            raise MalformedRequest(str(error)) from error

    async def send(self, message: OutboundMessage) -> str:
        failure = self.fail_next.pop(0) if self.fail_next else None
        if failure is not None and not isinstance(failure, UncertainSendError):
            raise failure
        self.sent.append(message)
        provider_id = f"memory-{self.name}-{next(self._ids)}"
        self.taken[message.outbox_id] = provider_id
        if failure is not None:
            raise failure
        return provider_id

    def cost(self, message: OutboundMessage) -> int:
        return 1

    async def look_up(self, message: OutboundMessage, sent_after: datetime) -> str | None:
        if not self.can_look_up:
            raise NotImplementedError("this memory channel was made without look-ups")
        return self.taken.get(message.outbox_id)

    def take(self) -> list[OutboundMessage]:
        """Everything sent since the last take, in order; a test reads what it expects."""
        taken, self.sent = self.sent, []
        return taken
