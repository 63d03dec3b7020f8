"""A real local SMTP server (aiosmtpd) that receives our mail, and can refuse a recipient
with a chosen reply, as a real MTA would (like Mailman's test MTA). Given a ``login`` (user,
password) it takes mail only after AUTH with those, as a provider's submission server does.

With a :class:`Faults` schedule it also fails at DATA as busy servers do: "451 try again
later", "421 slow down" (then closes the connection, as 421 means), or it takes a message
and answers only after ``slow_seconds``, past the client's timeout. It counts the client
connections it serves, so a test can see connections being reused and closed.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
import warnings
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from tests.peers.faults import Fault, Faults


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    # time.monotonic() when the sink took the message (before any slow answer).
    at: float = field(default_factory=time.monotonic)

    @property
    def message(self) -> EmailMessage:
        # Stored as a mailbox would store it: with the wire's CRLF line ends made LF.
        raw = self.raw.replace(b"\r\n", b"\n")
        return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


@dataclass
class SmtpSink:
    """Start it with ``with SmtpSink() as sink``; pass ``port=`` to come back on the port of
    a sink that was stopped, as a restarted mail server would."""

    received: list[ReceivedMail] = field(default_factory=list)
    # Everything ever taken, which ``take`` leaves alone (for checks over a whole test).
    history: list[ReceivedMail] = field(default_factory=list)
    # address -> the SMTP reply to give at RCPT, e.g. "550 5.1.1 No such user"
    refuse: dict[str, str] = field(default_factory=dict)
    faults: Faults | None = None
    port: int = 0
    # (user, password) to require before MAIL; changing it later refuses the old login.
    login: tuple[str, str] | None = None
    # Client connections that greeted the sink (EHLO or HELO); the controller's own
    # start-up probe never greets, so it is not counted.
    connections: int = field(default=0, init=False)
    # Of those, how many are open now, and the most that were open at once.
    open_connections: int = field(default=0, init=False)
    most_open_connections: int = field(default=0, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)
    _greeted: set[_SinkServer] = field(default_factory=set, init=False)

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)
        self.port = self.port or _free_port()
        auth: dict[str, Any] = {}
        if self.login is not None:
            # Plain AUTH without TLS: this is a local test server.
            auth = {"authenticator": self._authenticate, "auth_required": True}
            auth["auth_require_tls"] = False
            # What this local server is for; aiosmtpd warns of it at each connection.
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
        self._controller = _Controller(
            self, _Handler(self), hostname="127.0.0.1", port=self.port, **auth
        )

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        # Named so that a test reading the log can tell the server's records from ours.
        self._controller._thread.name = f"peer-smtp-{self.port}"  # type: ignore[union-attr]
        return self

    def __exit__(self, *exc: object) -> None:
        # Stopping cancels every session, which closes its connection, as a stopped
        # mail server's connections end with it.
        self._controller.stop()

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        """Block until at least ``count`` messages are held (for a service in another process)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.received) >= count, timeout)

    def wait_until_no_connection_is_open(self, timeout: float = 5.0) -> bool:
        """Block until every client connection has ended (the client's close reaches the
        sink a moment after the client returns)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: self.open_connections == 0, timeout)

    def drop_connections(self) -> None:
        """Close every client connection from the server's side, as an MTA's idle timeout
        does, and wait until the sink has seen them end."""
        with self._lock:
            servers = list(self._greeted)
        if not servers:
            return
        done = threading.Event()

        def close_all() -> None:
            for server in servers:
                if server.transport is not None:
                    server.transport.close()
            done.set()

        self._controller.loop.call_soon_threadsafe(close_all)
        done.wait(5.0)
        with self._arrived:
            self._arrived.wait_for(lambda: not self._greeted, 5.0)

    def take(self) -> list[ReceivedMail]:
        with self._lock:
            taken, self.received = self.received, []
        return taken

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        given = (
            (data.login.decode(), data.password.decode())
            if isinstance(data, LoginPassword)
            else None
        )
        # handled=False: aiosmtpd answers a refusal with "535 5.7.8" itself.
        return AuthResult(success=given == self.login, handled=False)

    def _greet(self, server: _SinkServer) -> None:
        with self._lock:
            if server in self._greeted:
                return  # a second EHLO on the same connection
            self._greeted.add(server)
            self.connections += 1
            self.open_connections += 1
            self.most_open_connections = max(self.most_open_connections, self.open_connections)

    def _ended(self, server: _SinkServer) -> None:
        with self._arrived:
            if server in self._greeted:
                self._greeted.discard(server)
                self.open_connections -= 1
                self._arrived.notify_all()

    def _store(self, envelope: Any) -> None:
        mail = ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        with self._arrived:
            self.received.append(mail)
            self.history.append(mail)
            self._arrived.notify_all()


class _SinkServer(SMTP):
    """aiosmtpd's server, telling the sink when a connection ends (there is no handler
    hook for that)."""

    def __init__(self, sink: SmtpSink, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sink = sink

    def connection_lost(self, error: Exception | None) -> None:
        super().connection_lost(error)
        self._sink._ended(self)


class _Controller(Controller):
    def __init__(self, sink: SmtpSink, handler: Any, **kwargs: Any) -> None:
        super().__init__(handler, **kwargs)
        self._sink = sink

    def factory(self) -> SMTP:
        return _SinkServer(self._sink, self.handler, **self.SMTP_kwargs)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self._sink = sink

    async def handle_HELO(self, server: Any, session: Any, envelope: Any, hostname: str) -> str:
        session.host_name = hostname
        self._sink._greet(server)
        return f"250 {server.hostname}"

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        self._sink._greet(server)
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        refusal = self._sink.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        faults = self._sink.faults
        fault = faults.draw() if faults else None
        if fault is Fault.TRANSIENT:
            return "451 4.3.0 Try again later"
        if fault is Fault.TOO_MANY:
            # 421 closes the connection (RFC 5321 section 3.8); the reply is written first,
            # as aiosmtpd writes it as soon as this returns, before the close runs.
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.7.0 Too many messages, slow down"
        self._sink._store(envelope)
        if faults and any(faults.answer_slowly(r) for r in envelope.rcpt_tos):
            # Taken, but answered after the client has given up waiting.
            await asyncio.sleep(faults.slow_seconds)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
