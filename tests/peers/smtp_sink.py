"""A real local SMTP server (aiosmtpd) that receives our mail, and can refuse a recipient
with a chosen reply, as a real MTA would (like Mailman's test MTA)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        # Stored as a mailbox would store it: with the wire's CRLF line ends made LF.
        raw = self.raw.replace(b"\r\n", b"\n")
        return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


@dataclass
class SmtpSink:
    received: list[ReceivedMail] = field(default_factory=list)
    # address -> the SMTP reply to give at RCPT, e.g. "550 5.1.1 No such user"
    refuse: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        """Block until at least ``count`` messages are held (for a service in another process)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.received) >= count, timeout)

    def take(self) -> list[ReceivedMail]:
        with self._lock:
            taken, self.received = self.received, []
        return taken


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        refusal = self._sink.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._sink._arrived:
            self._sink.received.append(
                ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
            )
            self._sink._arrived.notify_all()
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
