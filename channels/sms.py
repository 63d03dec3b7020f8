"""SMS through Twilio: signed inbound webhooks, delivery status callbacks, and sending.

The Twilio client, the signature check and the reading of Twilio's forms are the account's
(``channels/twilio_account.py``), shared with WhatsApp; the rules of texts are here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import ClassVar

import phonenumbers
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import gsm
from .base import (
    ChannelName,
    DeliveryReport,
    InboundEvent,
    InboundMessage,
    MalformedRequest,
    OutboundMessage,
    ProviderRequest,
    cut_text,
)
from .twilio_account import (
    DELIVERY_ERROR_CODES as DELIVERY_ERROR_CODES,
)
from .twilio_account import (
    PERMANENT_DELIVERY_CODES as PERMANENT_DELIVERY_CODES,
)
from .twilio_account import (
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

# Twilio's OptOutType on an inbound text, under Advanced Opt-Out: the words matched one of the
# sender's opt-out, opt-in or help keywords (in any language it is set up for), and Twilio has
# already answered the person itself.
OPT_OUT_TYPES: dict[str, InboundEvent] = {
    "STOP": InboundEvent.STOPPED,
    "START": InboundEvent.STARTED,
    "HELP": InboundEvent.HELP,
}


class SmsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPRODUCE_", env_file=".env", extra="ignore")

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_from: str | None = None
    twilio_api_url: str = "https://api.twilio.com"
    public_url: str | None = None
    twilio_timeout: float = 30.0

    def off_reason(self) -> str | None:
        for name in ("twilio_account_sid", "twilio_auth_token", "twilio_from"):
            if not getattr(self, name):
                return f"COPRODUCE_{name.upper()} is not set"
        return None


class SmsChannel:
    name: ClassVar[ChannelName] = ChannelName.SMS
    # Twilio lists the messages it holds, so a send whose answer was lost can be looked up.
    can_look_up: ClassVar[bool] = True

    def __init__(self, settings: SmsSettings) -> None:
        if settings.off_reason():
            raise ValueError(settings.off_reason())
        self._settings = settings
        self._twilio = TwilioAccount.from_settings(settings)

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
        sender = first(params, "From")
        if not sid or not sender:
            raise MalformedRequest("an inbound SMS needs MessageSid and From")
        if sender.startswith("whatsapp:"):
            # Twilio's WhatsApp numbers: the WhatsApp channel's (channels/whatsapp.py).
            raise MalformedRequest("a WhatsApp message is not an SMS")
        text, cut_from = cut_text(first(params, "Body") or "", TEXT_LIMIT)
        return [
            InboundMessage(
                channel=self.name,
                sender=sender[:320],
                text=text,
                provider_id=sid[:255],
                received_at=request.received_at,
                attachments=media_count(first(params, "NumMedia")),
                cut_from=cut_from,
                event=OPT_OUT_TYPES.get(
                    (first(params, "OptOutType") or "").strip().upper(), InboundEvent.TEXT
                ),
            )
        ]

    def parse_status(self, request: ProviderRequest) -> DeliveryReport | None:
        """A status callback as a report, or None when the status is only a step on the way."""
        return read_delivery_report(request)

    # --- outbound --------------------------------------------------------------------------

    def cost(self, message: OutboundMessage) -> int:
        """Segments: Twilio bills and rate-limits each one as a text of its own."""
        return max(1, gsm.count_segments(gsm.sms_text(message)).segments)

    async def send(self, message: OutboundMessage) -> str:
        sender = self._settings.twilio_from or ""
        kwargs: dict[str, object] = {"to": message.address, "body": gsm.sms_text(message)}
        # A Messaging Service SID (MG...) lets Twilio pick the number; otherwise a number or
        # an alphanumeric sender id.
        kwargs["messaging_service_sid" if sender.startswith("MG") else "from_"] = sender
        if self._settings.public_url:
            kwargs["status_callback"] = status_callback_url(
                self._settings.public_url, message.outbox_id
            )
        return await self._twilio.create_message(kwargs, classify)

    async def look_up(self, message: OutboundMessage, sent_after: datetime) -> str | None:
        """The sid of a text Twilio holds to this number with this body, created since
        ``sent_after`` (less a little slack), or None when it has none."""
        sender = self._settings.twilio_from or ""
        # A Messaging Service may have sent from any of its numbers: then filter by "to" only.
        from_ = sender if sender.startswith("+") else None
        return await self._twilio.find_message(
            message.address, from_, gsm.sms_text(message), sent_after
        )


def normalise_phone(raw: str, region: str = "GB") -> str:
    """A phone number as E.164 (+447700900123); raises ValueError when it is not one."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise ValueError(f"'{raw}' is not a phone number") from error
    # "Possible" (the right length for its country), not "valid": the library's list of
    # allocated ranges lags behind real life, and refusing a real person's new number is worse
    # than letting Twilio refuse a wrong one (that failure is shown to leads).
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValueError(f"'{raw}' is not a phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
