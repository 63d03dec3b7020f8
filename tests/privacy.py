"""Whose contact details a message may carry: its recipient's, and nobody else's.

:func:`read_directory` reads every contact point and reply token from the database;
:func:`contact_leaks` says which of other people's details (email address, phone number in
any usual format, Telegram chat id, reply token) a delivered message carries, in its body,
subject, buttons, any header or its envelope. :func:`deliveries_at` reads every message the
local peers were handed; :func:`memory_deliveries` reads what memory channels took.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import phonenumbers
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from channels.base import ChannelName, OutboundMessage
from storage.models import ContactPoint, ReplyToken
from tests.live import Live

_FORMATS = (
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
    phonenumbers.PhoneNumberFormat.RFC3966,
)


@dataclass(frozen=True)
class Delivery:
    """One message as a provider was handed it: where to, and every part a person could
    read (``(what, text)`` pairs such as ``("Subject", ...)`` or ``("body", ...)``)."""

    channel: ChannelName
    to: str
    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Detail:
    """One person's contact detail: an address on a channel, or a reply token."""

    owner: int | None  # the contributor; None for a sender we do not know
    kind: str  # "email", "sms", "telegram" or "reply token"
    value: str

    def found_in(self, text: str) -> bool:
        if self.kind == ChannelName.SMS:
            return self.value in numbers_in(text) or any(
                form in text for form in phone_forms(self.value)
            )
        if self.kind == ChannelName.TELEGRAM:
            # A chat id is a number: only a whole number, not digits inside a longer one.
            return re.search(rf"(?<!\d){re.escape(self.value)}(?!\d)", text) is not None
        return self.value.casefold() in text.casefold()


@dataclass(frozen=True)
class Directory:
    details: tuple[Detail, ...]

    def owner_of(self, channel: ChannelName, address: str) -> int | None:
        for detail in self.details:
            if detail.kind == channel and detail.value == address:
                return detail.owner
        return None

    def of_others(self, channel: ChannelName, address: str) -> list[Detail]:
        """Everyone's details but those of the person at ``address``."""
        owner = self.owner_of(channel, address)
        return [
            d
            for d in self.details
            if not (owner is not None and d.owner == owner)
            and not (d.kind == channel and d.value == address)
        ]

    @property
    def addresses(self) -> list[Detail]:
        return [d for d in self.details if d.kind != "reply token"]

    @property
    def reply_tokens(self) -> list[str]:
        return [d.value for d in self.details if d.kind == "reply token"]


async def read_directory(sessions: async_sessionmaker[AsyncSession]) -> Directory:
    async with sessions() as session:
        points = (await session.scalars(select(ContactPoint))).all()
        tokens = (await session.scalars(select(ReplyToken))).all()
    # An erased person's points keep a placeholder ("erased:12"), which is nobody's address.
    return Directory(
        tuple(
            Detail(p.contributor_id, str(p.channel), p.address)
            for p in points
            if not p.address.startswith("erased:")
        )
        + tuple(Detail(t.contributor_id, "reply token", t.token) for t in tokens)
    )


def phone_forms(e164: str) -> set[str]:
    """The ways people write this number: +447700900101, +44 7700 900101, 07700 900101,
    07700900101, 447700900101, tel:+44-7700-900101."""
    number = phonenumbers.parse(e164)
    forms = {phonenumbers.format_number(number, f) for f in _FORMATS}
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return forms | {re.sub(r"\D", "", national), e164.lstrip("+")}


def numbers_in(text: str) -> set[str]:
    """Every phone number written in ``text``, however spaced or bracketed, as E.164."""
    found = phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE)
    e164 = phonenumbers.PhoneNumberFormat.E164
    return {phonenumbers.format_number(match.number, e164) for match in found}


def contact_leaks(directory: Directory, deliveries: Iterable[Delivery]) -> list[str]:
    """One line for each other person's detail found in a message, saying where."""
    leaks = []
    for delivery in deliveries:
        for detail in directory.of_others(delivery.channel, delivery.to):
            for what, text in delivery.parts:
                if detail.found_in(text):
                    leaks.append(
                        f"{delivery.channel} message to {delivery.to}: its {what} carries the "
                        f"{detail.kind} {detail.value} of contributor {detail.owner}"
                    )
    return leaks


def deliveries_at(live: Live) -> list[Delivery]:
    """Every message the local SMTP, Twilio and Telegram servers were handed in the test."""
    found = []
    for mail in live.smtp.history:
        message = mail.message
        parts = [("envelope", " ".join([mail.mail_from, *mail.rcpt_tos]))]
        parts += [(name, str(value)) for name, value in message.items()]
        parts += [
            (part.get_content_type(), str(part.get_content()))
            for part in message.walk()
            if not part.is_multipart()
        ]
        parts.append(("raw message", mail.raw.decode("utf-8", "replace")))
        found.append(Delivery(ChannelName.EMAIL, mail.rcpt_tos[0], tuple(parts)))
    for sms in live.twilio_api.history:
        found.append(Delivery(ChannelName.SMS, sms.to, (("body", sms.body),)))
    for sent in live.telegram_api.history:
        parts = [("text", sent.text)]
        if sent.reply_markup:
            parts.append(("buttons", json.dumps(sent.reply_markup, ensure_ascii=False)))
        found.append(Delivery(ChannelName.TELEGRAM, str(sent.chat_id), tuple(parts)))
    return found


def memory_deliveries(messages: Sequence[OutboundMessage]) -> list[Delivery]:
    return [
        Delivery(
            m.channel,
            m.address,
            (
                ("body", m.body),
                ("subject", m.subject or ""),
                ("choices", " ".join(m.choices)),
                ("reply token", m.reply_token or ""),
            ),
        )
        for m in messages
    ]
