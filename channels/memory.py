"""A channel that keeps what it is given in memory: the real flows and storage run, only the
transport is replaced (as errbot's test backend does). For tests and dry runs."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

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
    """Stands in for one real channel. ``fail_next`` queues errors to raise on later sends."""

    name: ChannelName
    can_look_up: ClassVar[bool] = False
    sent: list[OutboundMessage] = field(default_factory=list)
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
        if self.fail_next:
            raise self.fail_next.pop(0)
        self.sent.append(message)
        return f"memory-{self.name}-{next(self._ids)}"

    def cost(self, message: OutboundMessage) -> int:
        return 1

    async def look_up(self, message: OutboundMessage, sent_after: datetime) -> str | None:
        raise NotImplementedError("the memory channel keeps no record to look up")

    def take(self) -> list[OutboundMessage]:
        """Everything sent since the last take, in order; a test reads what it expects."""
        taken, self.sent = self.sent, []
        return taken
