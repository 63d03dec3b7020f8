"""A few SMTP connections to one server, opened when a send needs one and kept for the next.

Opening a connection costs a TCP handshake, a greeting, EHLO, often STARTTLS and a login;
a burst of mail would otherwise pay that for every message, and many providers limit how
many connections one client may hold. The pool lends a connection for one transaction and
runs its steps (MAIL, RCPT, DATA) one at a time; what a failure at each step means is the
email channel's to say.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib.email import flatten_message

from .base import PermanentSendError


class PooledConnection:
    """One connection lent for one mail transaction: ``start_mail``, ``add_recipient``,
    ``send_message``, and ``reset`` after a refused MAIL or RCPT.

    Only a connection left between transactions (the end of DATA answered, or RSET
    accepted) goes back to the pool; any other (an error mid-transaction, a cancelled
    send) is closed.
    """

    def __init__(
        self,
        open_connection: Callable[[], Awaitable[aiosmtplib.SMTP]],
        idle: aiosmtplib.SMTP | None,
        timeout: float,
    ) -> None:
        self._open_connection = open_connection
        self._timeout = timeout
        self.smtp = idle
        self.between_transactions = True
        self._content = b""
        self._encoding = "ascii"

    async def start_mail(self, sender: str, recipient: str, email: EmailMessage) -> None:
        """MAIL FROM, on a connection opened now if the pool had none idle."""
        if self.smtp is not None:
            try:
                await self._mail(self.smtp, sender, recipient, email)
                return
            except (aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPSenderRefused) as error:
                if not _server_closed(error):
                    raise
                # The server dropped this idle connection (its timeout, a restart): not a
                # failure of this mail, so once more on a fresh connection.
                self.discard()
        self.smtp = await self._open_connection()
        await self._mail(self.smtp, sender, recipient, email)

    async def add_recipient(self, recipient: str) -> None:
        await self._connected().rcpt(recipient, encoding=self._encoding)

    async def send_message(self) -> None:
        """DATA and the message; returns once the server has answered its end."""
        await self._connected().data(self._content)
        self.between_transactions = True

    async def reset(self) -> None:
        """RSET, so the connection can carry the next mail; closed when the server no
        longer answers sensibly."""
        if self.smtp is None:
            return
        try:
            await self.smtp.rset(timeout=self._timeout)
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            self.discard()
        else:
            self.between_transactions = True

    def discard(self) -> None:
        """Close the connection at once; it is not given back to the pool."""
        if self.smtp is not None:
            self.smtp.close()
            self.smtp = None

    async def _mail(
        self, smtp: aiosmtplib.SMTP, sender: str, recipient: str, email: EmailMessage
    ) -> None:
        # The server's extensions decide the MAIL options and how the message is encoded.
        utf8 = not (sender + recipient).isascii()
        options: list[str] = []
        if utf8:
            if not smtp.supports_extension("smtputf8"):
                raise PermanentSendError("the SMTP server cannot take a non-ASCII address")
            options.append("SMTPUTF8")
        eight_bit = smtp.supports_extension("8bitmime")
        if eight_bit:
            options.append("BODY=8BITMIME")
        self._content = flatten_message(email, utf8=utf8, cte_type="8bit" if eight_bit else "7bit")
        if smtp.supports_extension("size"):
            # RFC 1870: lets the server refuse an oversized message before it is sent.
            options.insert(0, f"SIZE={len(self._content)}")
        self._encoding = "utf-8" if utf8 else "ascii"
        self.between_transactions = False
        await smtp.mail(sender, options=options, encoding=self._encoding)

    def _connected(self) -> aiosmtplib.SMTP:
        if self.smtp is None:
            raise aiosmtplib.SMTPServerDisconnected("no connection for this transaction")
        return self.smtp


def _server_closed(error: Exception) -> bool:
    # 421: the server is closing the connection (RFC 5321 section 3.8), which is how some
    # answer a command on a connection they have already timed out.
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return error.code == 421
    return isinstance(error, aiosmtplib.SMTPServerDisconnected)


class SmtpPool:
    """At most ``size`` connections open at once; a send waits while all are lent out.

    ``open_connection`` returns a connected, greeted (and where configured, logged-in)
    client. Connections are opened lazily and given back after each transaction; one the
    server closed while idle is dropped when next taken. ``timeout`` bounds the pool's own
    commands (RSET, QUIT).
    """

    def __init__(
        self,
        open_connection: Callable[[], Awaitable[aiosmtplib.SMTP]],
        size: int,
        timeout: float,
    ) -> None:
        if size < 1:
            raise ValueError("an SMTP pool needs room for at least one connection")
        self._open_connection = open_connection
        self._timeout = timeout
        self._slots = asyncio.Semaphore(size)
        self._idle: list[aiosmtplib.SMTP] = []
        self._lent: set[PooledConnection] = set()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[PooledConnection]:
        """A connection of one's own for one transaction; waits while all are lent out."""
        async with self._slots:
            lent = PooledConnection(self._open_connection, self._take_idle(), self._timeout)
            self._lent.add(lent)
            try:
                yield lent
            finally:
                self._lent.discard(lent)
                self._give_back(lent)

    async def close(self) -> None:
        """QUIT every idle connection and close any still lent out (their sends fail)."""
        idle, self._idle = self._idle, []
        for lent in list(self._lent):
            lent.discard()
        await asyncio.gather(*(self._quit(smtp) for smtp in idle))

    def _take_idle(self) -> aiosmtplib.SMTP | None:
        while self._idle:
            # The most recently used first: it is the least likely to have timed out.
            smtp = self._idle.pop()
            if smtp.is_connected:
                return smtp
            smtp.close()
        return None

    def _give_back(self, lent: PooledConnection) -> None:
        smtp = lent.smtp
        if smtp is None:
            return
        if lent.between_transactions and smtp.is_connected:
            self._idle.append(smtp)
        else:
            lent.discard()

    async def _quit(self, smtp: aiosmtplib.SMTP) -> None:
        try:
            await smtp.quit(timeout=self._timeout)
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            pass  # the server is going or gone; closing our end is all that is left
        finally:
            smtp.close()
