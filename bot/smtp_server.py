"""The inbound SMTP listener (aiosmtpd) where a relay or MX delivers replies to us.

It takes mail only for our own domain (it is not a relay), stores each message before
answering 250, and runs the flow after the answer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

from channels.base import MalformedRequest, ProviderRequest
from channels.email import EmailChannel

from .clock import Clock
from .inbound import InboundService

log = logging.getLogger(__name__)

UNREADABLE = "550 5.6.0 The message could not be read"


class InboundMailHandler:
    """aiosmtpd handler: the hooks it calls are named by aiosmtpd (``handle_RCPT``...)."""

    def __init__(self, channel: EmailChannel, inbound: InboundService, clock: Clock) -> None:
        self._channel = channel
        self._inbound = inbound
        self._clock = clock

    # aiosmtpd calls hooks by these names.
    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if not self._channel.accepts_recipient(address):
            return (
                f"550 5.7.1 Relaying denied: this server only takes mail for {self._channel.domain}"
            )
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        request = ProviderRequest(
            body=raw,
            received_at=self._clock.now(),
            envelope_from=envelope.mail_from,
            envelope_to=tuple(envelope.rcpt_tos),
        )
        try:
            messages = self._channel.parse(request)
        except MalformedRequest as error:
            log.info("inbound email refused: %s", error)
            return UNREADABLE
        except Exception:
            # A message we cannot take apart will not read better next time: refuse for good.
            log.exception("inbound email refused: reading it failed")
            return UNREADABLE
        try:
            ids = [await self._inbound.accept(message) for message in messages]
        except Exception:
            # Not stored: ask the sending server to try again later, and say nothing of why.
            log.exception("inbound email could not be stored; the sender will try again")
            return "451 4.3.0 Temporary failure, please try again later"
        for inbound_id, message in zip(ids, messages, strict=True):
            if inbound_id is not None:
                self._inbound.process_later(inbound_id, message)
        return "250 OK: message accepted"


async def start_smtp_listener(
    handler: InboundMailHandler, host: str, port: int, max_bytes: int
) -> asyncio.Server:
    """Listen on the running event loop (not in aiosmtpd's Controller thread): one loop."""
    loop = asyncio.get_running_loop()

    def protocol() -> Any:
        return SMTP(handler, data_size_limit=max_bytes, enable_SMTPUTF8=True, ident="coproduce")

    return await loop.create_server(protocol, host=host, port=port)
