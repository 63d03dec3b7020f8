"""The contract every channel keeps, and the messages that cross it.

A channel turns what a provider sent into :class:`InboundMessage` values and sends one
:class:`OutboundMessage` at a time. It holds no business rules: it never decides who may do
what, only what the provider said and whether the provider really said it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Protocol, runtime_checkable


class ChannelName(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"


class AccessNeed(StrEnum):
    """The access needs that change what we send a person.

    Four are met by another format of a document (a link the brief carries); ``plain-text``
    by how an email is built. People have other needs too ("step-free access"): those are
    kept as written, for the leads to read, and change nothing here.
    """

    EASY_READ = "easy-read"
    LARGE_PRINT = "large-print"
    AUDIO = "audio"
    BSL = "bsl"
    PLAIN_TEXT = "plain-text"

    @classmethod
    def parse(cls, written: str) -> AccessNeed | None:
        """The need meant by what someone typed ("Easy Read", "British Sign Language",
        "text only"), or None for a need we do not know."""
        key = " ".join(re.sub(r"[\W_]+", " ", written.casefold()).split())
        return _NEED_SPELLINGS.get(key)

    @property
    def is_format(self) -> bool:
        """True for a need met by another format of a document, such as an easy read PDF."""
        return self is not AccessNeed.PLAIN_TEXT


# What people type for each need, lower case, punctuation as spaces.
_NEED_SPELLINGS: dict[str, AccessNeed] = {
    spelling: need
    for need, spellings in {
        AccessNeed.EASY_READ: ("easy read", "easyread", "easy to read", "easy read version"),
        AccessNeed.LARGE_PRINT: ("large print", "largeprint", "big print", "large text"),
        AccessNeed.AUDIO: ("audio", "audio version", "audio recording"),
        AccessNeed.BSL: ("bsl", "british sign language", "bsl video"),
        AccessNeed.PLAIN_TEXT: (
            "plain text",
            "plaintext",
            "plain text only",
            "text only",
            "plain text email",
            "no html",
        ),
    }.items()
    for spelling in spellings
}


def known_access_needs(written: Iterable[str]) -> frozenset[AccessNeed]:
    """The needs among those stored for a person that change what we send."""
    return frozenset(need for need in map(AccessNeed.parse, written) if need is not None)


@dataclass(frozen=True)
class ProviderRequest:
    """What a provider handed us, before we trust or understand it.

    Webhooks fill ``url`` (as the provider called it), ``headers`` (lower-case names) and
    ``body``; inbound SMTP fills ``body`` with the raw message and the envelope fields.
    ``received_at`` comes from the application's clock.
    """

    body: bytes
    received_at: datetime
    url: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    envelope_from: str | None = None
    envelope_to: tuple[str, ...] = ()


def content_type_is(request: ProviderRequest, expected: str) -> bool:
    """True when the request is of the media type ``expected``, or says nothing of its type
    (only a webhook request has headers; a provider that names another type is not one we
    understand)."""
    declared = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return declared in ("", expected)


class InboundEvent(StrEnum):
    """What an inbound message is, beyond words a person typed.

    ``stopped`` and ``started`` are opt-outs and opt-ins the provider saw (Twilio Advanced
    Opt-Out's OptOutType, a Telegram user blocking or unblocking the bot), whatever words came
    with them; ``help`` asks for help the same way. ``edited`` replaces the text of the message
    named by ``edit_of``.
    """

    TEXT = "text"
    STOPPED = "stopped"
    STARTED = "started"
    HELP = "help"
    EDITED = "edited"


@dataclass(frozen=True)
class InboundMessage:
    """One message from a person, normalised at the edge.

    ``sender`` is the address on that channel (E.164 number, chat id, email address);
    ``provider_id`` is the provider's own id (Telegram update_id, Twilio MessageSid, email
    Message-ID) and makes redelivery harmless; ``routing_token`` is the token from a reply
    address, which identifies an email sender.

    What we cannot read is left out but counted, so the person can be told: ``attachments``
    is how many pictures, files, voice notes or stickers came with the text (none are kept);
    ``cut_from`` is the length of a text longer than the channel allows, of which ``text``
    holds the start. ``sender_verified`` is True only for email whose From address the
    trusted relay checked (DMARC pass in its Authentication-Results).
    """

    channel: ChannelName
    sender: str
    text: str
    provider_id: str
    received_at: datetime
    routing_token: str | None = None
    subject: str | None = None
    attachments: int = 0
    cut_from: int | None = None
    sender_verified: bool = False
    event: InboundEvent = InboundEvent.TEXT
    # The provider's own id of the message, where it differs from ``provider_id`` (a Telegram
    # update carries "chat:message_id"); an edit names the message it replaces by it.
    provider_ref: str | None = None
    edit_of: str | None = None
    # Set when the channel could not tell which words are the person's own (an email reply
    # whose new text is empty or much shorter than its unquoted lines): all the unquoted
    # lines, for the leads to read. Such a message is never shared (see ``unsure``).
    unquoted_text: str | None = None

    def __post_init__(self) -> None:
        # NUL is never a character anyone typed, and PostgreSQL refuses it in text.
        for name in ("sender", "text", "provider_id", "routing_token", "subject", "unquoted_text"):
            value = getattr(self, name)
            if value is not None and "\x00" in value:
                object.__setattr__(self, name, value.replace("\x00", ""))

    @property
    def unsure(self) -> bool:
        """True when the channel could not tell which words are the person's own."""
        return self.unquoted_text is not None


def cut_text(text: str, limit: int) -> tuple[str, int | None]:
    """``text`` cut to ``limit`` characters, at a space when one is near the end, and the
    length it had when it was cut (None when it fitted)."""
    if len(text) <= limit:
        return text, None
    start = text[:limit]
    space = start.rfind(" ", limit - 100)
    return (start[:space] if space > 0 else start).rstrip(), len(text)


@dataclass(frozen=True)
class OutboundMessage:
    """One message to one contact point, as the dispatcher hands it to a channel."""

    outbox_id: int
    channel: ChannelName
    address: str
    body: str
    language: str = "en"
    subject: str | None = None
    reply_token: str | None = None
    in_reply_to: str | None = None
    choices: tuple[str, ...] = ()
    # The person's needs that a channel honours itself (plain-text: no HTML part).
    access_needs: frozenset[AccessNeed] = frozenset()
    # Parts of a long text that arrived on an earlier try: the channel sends the rest.
    parts_sent: int = 0
    # Email only: what ends the message, written by the flows.
    footer: EmailFooter | None = None
    # True when the body is Markdown (a brief, an answer, a lead's own words): each channel
    # renders it in its own format (channels.markdown). Any other body is plain text, sent
    # as written.
    markdown: bool = False


@dataclass(frozen=True)
class EmailFooter:
    """The lines that end every email (who sends it, how to reach the leads, how to stop),
    already in the reader's language, and the one-click unsubscribe link (RFC 8058) when
    the service has a public address for it."""

    text: str
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class DeliveryReport:
    """A provider's later word on a message we sent (for example a Twilio status callback).

    ``outbox_id`` is our own id for the message when the provider echoes it back (the Twilio
    StatusCallback URL carries it), so a report can be matched even before the send returned.
    """

    provider_id: str
    status: str
    error_code: str | None = None
    outbox_id: int | None = None


class MalformedRequest(ValueError):
    """The provider's request cannot be understood; the caller answers 400 and stores nothing."""


class TransientSendError(Exception):
    """The send failed for a reason that may pass (timeout, provider busy, 5xx, SMTP 4xx).

    The message is kept and tried again later; ``retry_after`` is the provider's own
    request for a pause, in seconds, when it gave one. ``parts_sent`` is how many parts of a
    long text had arrived when it failed (earlier tries included), so the next try sends
    only the rest.
    """

    def __init__(self, reason: str, retry_after: float | None = None, parts_sent: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.parts_sent = parts_sent


class PermanentSendError(Exception):
    """The send can never succeed as asked (invalid number, bot blocked, mailbox refused).

    The message is marked failed at once, with the reason shown to leads, and the contact
    point is flagged; trying again would only annoy the provider or the person.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    # True when the refusal says the person opted out at the provider (Twilio 21610, a
    # Telegram user who blocked the bot): the contact point is then stopped, not only flagged.
    opted_out: bool = False


class UncertainSendError(Exception):
    """The request reached the provider but its answer did not reach us (a read timeout).

    The provider may have taken the message, so sending again could reach the person twice.
    The message is marked unknown; a channel that can ask the provider (``can_look_up``) is
    asked before any resend, and one that cannot is never sent blindly a second time.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@runtime_checkable
class Channel(Protocol):
    """Parse what the provider sent, check it is genuine, send one message."""

    name: ClassVar[ChannelName]
    # True when :meth:`look_up` can ask the provider whether a message was taken.
    can_look_up: ClassVar[bool]

    async def start(self) -> None:
        """Open clients and connections; may be called once before the first send."""

    async def close(self) -> None:
        """Release clients and connections."""

    def is_genuine(self, request: ProviderRequest) -> bool:
        """True when the request really comes from the provider (signature, secret)."""

    def parse(self, request: ProviderRequest) -> Sequence[InboundMessage]:
        """The person-to-us messages in the request; raises :class:`MalformedRequest`."""

    async def send(self, message: OutboundMessage) -> str:
        """Send one message and return the provider's id for it.

        Raises :class:`TransientSendError`, :class:`PermanentSendError` or
        :class:`UncertainSendError`.
        """

    def cost(self, message: OutboundMessage) -> int:
        """How many of the provider's rate-limited units this send uses (SMS segments,
        Telegram messages, emails); the dispatcher paces sends by it."""

    async def look_up(self, message: OutboundMessage, sent_after: datetime) -> str | None:
        """After an :class:`UncertainSendError`: the provider's id for the message if the
        provider has it, None if it surely does not (so it is safe to send).

        Raises :class:`TransientSendError` when the provider cannot be asked just now. Only
        called when ``can_look_up`` is True.
        """
