"""WhatsApp through Twilio: the same signed webhooks as SMS, told apart by the ``whatsapp:``
prefix Twilio puts on WhatsApp numbers, and sending with the same twilio client.

Addresses are stored as plain E.164 numbers (+447700900123), as SMS numbers are: the
``whatsapp:`` prefix is Twilio's way of naming the channel, so it is taken off what comes in
and put on what goes out here, at the edge, and nowhere else.

WhatsApp lets a business send free text only within 24 hours of the person's last message;
outside that window only an approved template may go. Which to send is not decided here (see
``bot/claimed.py``): a :class:`TemplateMessage` is sent as the template named by
``COPRODUCE_TWILIO_WHATSAPP_TEMPLATE``, anything else as free text.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from twilio.base.exceptions import TwilioRestException

from .base import (
    ChannelName,
    DeliveryReport,
    InboundMessage,
    MalformedRequest,
    OutboundMessage,
    PermanentSendError,
    ProviderRequest,
    cut_text,
)
from .markdown import to_plain
from .twilio_account import (
    DELIVERY_ERROR_CODES,
    PERMANENT_DELIVERY_CODES,
    TEXT_LIMIT,
    TwilioAccount,
    classify,
    first,
    form,
    media_count,
    message_sid,
    read_delivery_report,
    status_callback_url,
)

PREFIX = "whatsapp:"
# Twilio takes at most 1,600 characters in one WhatsApp message; there are no segments and
# no GSM-7 rules. Longer texts are queued as several messages (flows/outbound.py).

# The approved text of the template (COPRODUCE_TWILIO_WHATSAPP_TEMPLATE) with its one
# variable. WhatsApp sends the approved words, not ours, so this is not translated: it is
# what the record shows as sent.
TEMPLATE_TEXT = "You have a new message about {project}. Reply to read it."

# Twilio error codes of WhatsApp sends (https://www.twilio.com/docs/api/errors) for which
# trying again can never help; the SMS ones apply as well.
PERMANENT_ERROR_CODES: dict[int, str] = {
    63003: "the number is not on WhatsApp",
    63024: "not a valid WhatsApp recipient",
}

# Error codes that come with a failed or undelivered WhatsApp status callback.
WHATSAPP_DELIVERY_ERROR_CODES: dict[str, str] = {
    **DELIVERY_ERROR_CODES,
    "63003": "the number is not on WhatsApp",
    "63016": "free text outside the 24 hours after the person's last message",
    "63024": "not a valid WhatsApp recipient",
    "63032": "the person has chosen not to get messages from businesses",
}
WHATSAPP_PERMANENT_DELIVERY_CODES = PERMANENT_DELIVERY_CODES | {"63003", "63024"}


class WhatsAppSettings(BaseSettings):
    """The Twilio account settings are the SMS channel's; the sender and template are its own."""

    model_config = SettingsConfigDict(env_prefix="COPRODUCE_", env_file=".env", extra="ignore")

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    # whatsapp:+14155238886 (the prefix may be left off), or a Messaging Service SID (MG...).
    twilio_whatsapp_from: str | None = None
    # The Content SID (HX...) of the approved template sent outside the 24-hour window.
    twilio_whatsapp_template: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    public_url: str | None = None
    twilio_timeout: float = 30.0

    def off_reason(self) -> str | None:
        # Without a template, nobody who has not written in the last day could be reached.
        for name in (
            "twilio_whatsapp_from",
            "twilio_account_sid",
            "twilio_auth_token",
            "twilio_whatsapp_template",
        ):
            if not getattr(self, name):
                return f"COPRODUCE_{name.upper()} is not set"
        return None


@dataclass(frozen=True)
class TemplateMessage(OutboundMessage):
    """The approved template in place of free text; ``body`` is its text as sent, for the
    record, and ``variables`` fill its numbered places ({"1": the project's name})."""

    variables: tuple[tuple[str, str], ...] = ()


def is_whatsapp(request: ProviderRequest) -> bool:
    """True when a Twilio webhook request is about WhatsApp (its From or To carries the
    ``whatsapp:`` prefix); an unreadable request is not (the SMS channel refuses it)."""
    try:
        params = form(request)
    except MalformedRequest:
        return False
    return any((first(params, name) or "").startswith(PREFIX) for name in ("From", "To"))


def whatsapp_address(number: str) -> str:
    """Twilio's name for a number on WhatsApp: ``whatsapp:+447700900123``."""
    return number if number.startswith(PREFIX) or number.startswith("MG") else PREFIX + number


class WhatsAppChannel:
    name: ClassVar[ChannelName] = ChannelName.WHATSAPP
    # Twilio lists the messages it holds, so a send whose answer was lost can be looked up.
    can_look_up: ClassVar[bool] = True

    def __init__(self, settings: WhatsAppSettings) -> None:
        if settings.off_reason():
            raise ValueError(settings.off_reason())
        self._settings = settings
        # The same Twilio account as the SMS channel, held apart: its own client and closing.
        self._twilio = TwilioAccount.from_settings(settings)
        self._sender = whatsapp_address(settings.twilio_whatsapp_from or "")

    async def start(self) -> None:
        await self._twilio.start()

    async def close(self) -> None:
        await self._twilio.close()

    # --- inbound ---------------------------------------------------------------------------

    def is_genuine(self, request: ProviderRequest) -> bool:
        return self._twilio.is_genuine(request)

    def parse(self, request: ProviderRequest) -> Sequence[InboundMessage]:
        params = form(request)
        sid = message_sid(params)
        sender = first(params, "From") or ""
        if not sid or not sender.startswith(PREFIX):
            raise MalformedRequest(
                "an inbound WhatsApp message needs MessageSid and a whatsapp: From"
            )
        text, cut_from = cut_text(first(params, "Body") or "", TEXT_LIMIT)
        return [
            InboundMessage(
                channel=self.name,
                sender=sender.removeprefix(PREFIX)[:320],
                text=text,
                provider_id=sid[:255],
                received_at=request.received_at,
                attachments=media_count(first(params, "NumMedia")),
                cut_from=cut_from,
            )
        ]

    def parse_status(self, request: ProviderRequest) -> DeliveryReport | None:
        """A status callback as a report, or None when the status is only a step on the way
        ("read" too: WhatsApp's read receipt changes nothing we record)."""
        return read_delivery_report(request)

    # --- outbound --------------------------------------------------------------------------

    def cost(self, message: OutboundMessage) -> int:
        """One Twilio message: WhatsApp has no segments."""
        return 1

    async def send(self, message: OutboundMessage) -> str:
        kwargs: dict[str, object] = {"to": whatsapp_address(message.address)}
        if isinstance(message, TemplateMessage):
            kwargs["content_sid"] = self._settings.twilio_whatsapp_template
            kwargs["content_variables"] = json.dumps(dict(message.variables))
        else:
            kwargs["body"] = _text(message)
        sender = self._sender
        kwargs["messaging_service_sid" if sender.startswith("MG") else "from_"] = sender
        if self._settings.public_url:
            # The same status callback as SMS; our id rides in the URL Twilio signs.
            kwargs["status_callback"] = status_callback_url(
                self._settings.public_url, message.outbox_id
            )
        return await self._twilio.create_message(kwargs, _classify_whatsapp)

    async def look_up(self, message: OutboundMessage, sent_after: datetime) -> str | None:
        """The sid of a message Twilio holds to this person with this text (a template's as
        approved), created since ``sent_after`` less a little slack; None when it has none."""
        # A Messaging Service may have sent from any of its numbers: then filter by "to" only.
        from_ = self._sender if self._sender.startswith(PREFIX) else None
        body = message.body if isinstance(message, TemplateMessage) else _text(message)
        return await self._twilio.find_message(
            whatsapp_address(message.address), from_, body, sent_after
        )


def _text(message: OutboundMessage) -> str:
    """The words as WhatsApp shows them: Markdown as plain text (its own marks differ)."""
    return to_plain(message.body) if message.markdown else message.body


def _classify_whatsapp(error: TwilioRestException, retry_after: float | None) -> Exception:
    code = int(error.code) if error.code else None
    if code in PERMANENT_ERROR_CODES:
        return PermanentSendError(f"Twilio {code}: {PERMANENT_ERROR_CODES[code]}")
    return classify(error, retry_after)
