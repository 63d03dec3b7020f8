"""Email: sending with aiosmtplib, and reading the mail our inbound SMTP listener receives.

Sends share a small pool of SMTP connections (:mod:`channels.smtp_pool`). Each message is one
transaction of separate steps (MAIL, RCPT, DATA) so that a failure can be placed: before
DATA nothing was taken, while a lost answer to the end of DATA means the server may hold the
message, and SMTP gives no way to ask it afterwards.

Every message we send is multipart/alternative with the plain text first and a simple HTML
part (:mod:`channels.email_html`), unless the person asked for plain text only. Its Reply-To
carries an unguessable token for that contributor and project (``local+TOKEN@domain``): a
reply is matched by that token, never by From alone.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from email import errors as email_errors
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid, parseaddr
from typing import ClassVar, Literal

import aiosmtplib
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from .base import (
    AccessNeed,
    ChannelName,
    InboundMessage,
    MalformedRequest,
    OutboundMessage,
    PermanentSendError,
    ProviderRequest,
    TransientSendError,
    UncertainSendError,
)
from .email_html import render_html, with_footer
from .email_inbound import (
    attachment_count,
    automatic_reason,
    inbound_text,
    own_message_id,
    recipients,
    verified_sender,
)
from .markdown import to_plain
from .smtp_pool import PooledConnection, SmtpPool

log = logging.getLogger(__name__)

# The new text of a reply is cut here: about 3,000 words, far more than anyone writes in a
# comment, and a bound on what a digest can be made to carry.
TEXT_LIMIT = 20_000
# Real headers, long Received chains and signatures included, take a few kilobytes; the
# stdlib's header parser slows down far more than linearly on huge ones.
HEADERS_LIMIT = 64 * 1024
# Our reply tokens are lower-case base32 (storage.reply_tokens) and fit the column (64);
# anything else is not one of ours.
_TOKEN = re.compile(r"^[a-z0-9]{1,64}$")


class EmailSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPRODUCE_", env_file=".env", extra="ignore")

    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: Literal["none", "starttls", "tls"] = "starttls"
    smtp_timeout: float = 30.0
    # At most this many connections to the SMTP server at once; further sends wait.
    smtp_connections: int = Field(default=4, ge=1)
    email_from: str | None = None
    # The authserv-id of the relay that checks inbound mail and adds Authentication-Results
    # (RFC 8601). Mail from a known address with no reply token is read only when that relay
    # says the From address passed DMARC; unset, such mail is never read.
    trusted_authserv_id: str | None = None

    def off_reason(self) -> str | None:
        if not self.smtp_host:
            return "COPRODUCE_SMTP_HOST is not set"
        if not self.email_from:
            return "COPRODUCE_EMAIL_FROM is not set"
        try:
            split_address(self.email_from)
        except ValueError as error:
            return f"COPRODUCE_EMAIL_FROM: {error}"
        return None


def split_address(value: str) -> tuple[str, str, str]:
    """``"Name <local@domain>"`` → (display name, local part, domain)."""
    name, address = parseaddr(value)
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain:
        raise ValueError(f"'{value}' is not an email address")
    return name, local, domain.lower()


def normalise_email(raw: str) -> str:
    _, address = parseaddr(raw.strip())
    local, at, domain = address.rpartition("@")
    if not at or not local or "." not in domain or " " in address:
        raise ValueError(f"'{raw}' is not an email address")
    return address.lower()


class EmailChannel:
    name: ClassVar[ChannelName] = ChannelName.EMAIL
    # SMTP has no command to ask whether a message was taken.
    can_look_up: ClassVar[bool] = False

    def __init__(self, settings: EmailSettings) -> None:
        if settings.off_reason():
            raise ValueError(settings.off_reason())
        self._settings = settings
        self._display_name, self._local, self.domain = split_address(settings.email_from or "")
        self._own_ids = own_message_id(self.domain)
        self._pool = SmtpPool(
            self._open_connection, settings.smtp_connections, settings.smtp_timeout
        )

    async def start(self) -> None:
        """Nothing to open: the first sends open the connections they need."""

    async def close(self) -> None:
        """QUIT every pooled SMTP connection."""
        await self._pool.close()

    # --- addresses -------------------------------------------------------------------------

    def reply_address(self, token: str) -> str:
        return f"{self._local}+{token}@{self.domain}"

    def accepts_recipient(self, address: str) -> bool:
        """Mail for our own domain is ours to read; anything else would be relaying."""
        _, _, domain = parseaddr(address)[1].rpartition("@")
        return domain.lower() == self.domain

    def token_in(self, address: str) -> str | None:
        local, _, domain = parseaddr(address)[1].rpartition("@")
        base, plus, token = local.partition("+")
        if domain.lower() != self.domain or not plus or base.lower() != self._local.lower():
            return None
        token = token.lower()
        return token if _TOKEN.match(token) else None

    # --- inbound ---------------------------------------------------------------------------

    def is_genuine(self, request: ProviderRequest) -> bool:
        # Mail carries no provider signature; the reply token in the address, or the trusted
        # relay's DMARC result, is the proof, and it is checked when the message is routed.
        return True

    def parse(self, request: ProviderRequest) -> Sequence[InboundMessage]:
        if _header_block_size(request.body) > HEADERS_LIMIT:
            raise MalformedRequest("the headers are too large to read")
        try:
            message = BytesParser(policy=policy.default).parsebytes(request.body)
        except Exception as error:  # the parser is lenient; anything it raises is malformed
            raise MalformedRequest(f"unreadable email: {type(error).__name__}") from error
        try:
            return self._read(message, request)
        except (IndexError, ValueError, RecursionError, email_errors.MessageError) as error:
            # The stdlib header parser still trips over some malformed parameter lists, and
            # recurses once per "(" of nested comments in a header.
            raise MalformedRequest(f"unreadable email headers: {type(error).__name__}") from error

    def _read(self, message: EmailMessage, request: ProviderRequest) -> list[InboundMessage]:
        own_address = f"{self._local}@{self.domain}".lower()
        reason = automatic_reason(message, request.envelope_from, own_address, self._own_ids)
        if reason:
            log.info("inbound email dropped without an answer: %s", reason)
            return []
        token = next(
            (t for t in map(self.token_in, recipients(request.envelope_to, message)) if t), None
        )
        sender = parseaddr(str(message.get("From", "")))[1].lower()
        provider_id = str(message.get("Message-ID", "")).strip()
        if not provider_id:
            provider_id = "sha256:" + hashlib.sha256(request.body).hexdigest()
        read = inbound_text(message, TEXT_LIMIT)
        return [
            InboundMessage(
                channel=self.name,
                sender=sender[:320],
                text=read.text,
                provider_id=provider_id[:255],
                received_at=request.received_at,
                routing_token=token,
                subject=str(message.get("Subject", "")).strip()[:998] or None,
                attachments=attachment_count(message),
                cut_from=read.cut_from,
                sender_verified=verified_sender(message, self._settings.trusted_authserv_id),
                unquoted_text=read.unquoted_text,
            )
        ]

    # --- outbound --------------------------------------------------------------------------

    def build(self, message: OutboundMessage) -> EmailMessage:
        """The MIME message for one outbox row (separate from sending so it can be checked)."""
        email = EmailMessage(policy=policy.SMTP)
        email["From"] = Address(self._display_name, self._local, self.domain)
        email["To"] = message.address
        email["Subject"] = message.subject or ""
        email["Date"] = formatdate(usegmt=True)
        email["Message-ID"] = make_msgid(
            idstring=f"coproduce.{message.outbox_id}", domain=self.domain
        )
        # RFC 3834: other robots must not answer us (no out-of-office ping-pong).
        email["Auto-Submitted"] = "auto-generated"
        unsubscribe = []
        if message.footer and message.footer.unsubscribe_url:
            unsubscribe.append(f"<{message.footer.unsubscribe_url}>")
        if message.reply_token:
            reply_to = self.reply_address(message.reply_token)
            email["Reply-To"] = reply_to
            unsubscribe.append(f"<mailto:{reply_to}?subject=STOP>")
        if unsubscribe:
            email["List-Unsubscribe"] = ", ".join(unsubscribe)
        if message.footer and message.footer.unsubscribe_url:
            # RFC 8058: a mail program may stop the emails with one POST to the link.
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        if message.in_reply_to:
            email["In-Reply-To"] = message.in_reply_to
            email["References"] = message.in_reply_to
        footer = message.footer.text if message.footer else ""
        # A Markdown body's plain part is the text as it reads, without the marks.
        body = to_plain(message.body) if message.markdown else message.body
        # The footer goes after the signature delimiter, which mail programs (and our reply
        # reader) leave out of a reply.
        plain = f"{body}\n\n-- \n{footer}" if footer else body
        email.set_content(plain, cte="quoted-printable")
        # Someone who asked for plain text gets only that: many mail programs show the HTML
        # part whenever there is one, whatever the reader set.
        if AccessNeed.PLAIN_TEXT not in message.access_needs:
            page = render_html(
                message.body,
                message.subject or "",
                message.language,
                large_print=AccessNeed.LARGE_PRINT in message.access_needs,
                markdown=message.markdown,
            )
            email.add_alternative(
                with_footer(page, footer) if footer else page,
                subtype="html",
                cte="quoted-printable",
            )
        # After the body: setting content clears every Content-* header.
        email["Content-Language"] = message.language
        return email

    def cost(self, message: OutboundMessage) -> int:
        return 1

    async def look_up(self, message: OutboundMessage, sent_after: datetime) -> str | None:
        raise NotImplementedError(
            "SMTP cannot be asked whether a server took a message; an email whose send "
            "ended uncertain must not be sent again blindly"
        )

    async def send(self, message: OutboundMessage) -> str:
        email = self.build(message)
        async with self._pool.connection() as connection:
            await self._deliver(connection, message.address, email)
        return str(email["Message-ID"])

    async def _deliver(
        self, connection: PooledConnection, recipient: str, email: EmailMessage
    ) -> None:
        """One mail transaction; raises the channel's send errors, placed by phase."""
        try:
            await connection.start_mail(f"{self._local}@{self.domain}", recipient, email)
            await connection.add_recipient(recipient)
        except aiosmtplib.SMTPRecipientRefused as error:
            await connection.reset()
            raise _classify_code(error.code, error.message) from error
        except aiosmtplib.SMTPSenderRefused as error:
            # Our sender address, not the person's: keep the mail until the setting is fixed.
            await connection.reset()
            log.error("the SMTP server refused our sender address; check COPRODUCE_EMAIL_FROM")
            raise TransientSendError(f"SMTP refused our sender ({error.code})") from error
        except aiosmtplib.SMTPAuthenticationError as error:
            connection.discard()
            log.error("the SMTP server refused our login; check COPRODUCE_SMTP_USERNAME/PASSWORD")
            raise TransientSendError(f"SMTP login refused ({error.code})") from error
        except aiosmtplib.SMTPResponseException as error:
            # Refused before any recipient was named (greeting, EHLO, STARTTLS): the server
            # or our settings, never the person's address, so the mail is kept and retried.
            connection.discard()
            log.warning("the SMTP server refused the connection: %s", error.code)
            words = _server_words(error.message)
            raise TransientSendError(f"SMTP {error.code}: {words}") from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            connection.discard()
            raise TransientSendError(
                f"could not reach the SMTP server: {type(error).__name__}"
            ) from error
        try:
            await connection.send_message()
        except aiosmtplib.SMTPResponseException as error:
            connection.discard()
            raise _classify_code(error.code, error.message) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            # The message went out; the server may have taken it without us hearing so.
            # (aiosmtplib sends DATA and the message in one call, so a lost answer to the
            # DATA command itself lands here too: rarer, and the safe side.)
            connection.discard()
            raise UncertainSendError(
                f"no answer from the SMTP server after the message: {type(error).__name__}"
            ) from error

    async def _open_connection(self) -> aiosmtplib.SMTP:
        settings = self._settings
        smtp = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            use_tls=settings.smtp_tls == "tls",
            start_tls=settings.smtp_tls == "starttls",
            timeout=settings.smtp_timeout,
        )
        await smtp.connect()  # greeting, STARTTLS and login as configured
        try:
            if smtp.is_ehlo_or_helo_needed:
                # Now rather than at MAIL: the extensions decide how the message is encoded.
                try:
                    await smtp.ehlo()
                except aiosmtplib.SMTPHeloError:
                    if not smtp.is_connected:
                        raise
                    await smtp.helo()
        except BaseException:
            smtp.close()
            raise
        return smtp


def _header_block_size(raw: bytes) -> int:
    """Bytes before the first empty line (the whole message when it has none)."""
    ends = [found for found in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if found >= 0]
    return min(ends, default=len(raw))


def _classify_code(code: int, text: str) -> Exception:
    # SMTP: 4xx means "try again later", 5xx means "never" (RFC 5321 section 4.2.1).
    if 400 <= code < 500:
        return TransientSendError(f"SMTP {code}: {_server_words(text)}")
    return PermanentSendError(f"SMTP {code}: {_server_words(text)}")


# Servers quote the address they refuse ("550 5.1.1 <ann@example.net>: User unknown"). The
# reason is logged and shown to leads, who need the code and the words, not the address.
_QUOTED_ADDRESS = re.compile(r"<?[^\s<>@\"(),:;\[\]]+@[\w-]+(?:\.[\w-]+)+>?")


def _server_words(text: str) -> str:
    """An SMTP server's reply text with every email address in it replaced by "<address>"."""
    return _QUOTED_ADDRESS.sub("<address>", text)
