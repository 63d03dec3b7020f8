"""Reading a new contributor from what someone typed (the command line, a CSV row, the
workspace's form): addresses normalised, the language and channel checked, access needs in
our own words where we know them."""

from __future__ import annotations

from channels.base import AccessNeed, ChannelName
from channels.email import normalise_email
from channels.sms import normalise_phone
from channels.telegram import normalise_chat_id
from storage.contributors import NewContributor

from .i18n import parse_language


def contributor_from_fields(
    *,
    name: str,
    email: str | None,
    phone: str | None,
    telegram: str | None,
    language: str | None,
    channel: str | None,
    access_needs: str | None,
    region: str,
    whatsapp: str | None = None,
) -> NewContributor:
    """Check and normalise what was typed; raises ValueError with a one-line reason.

    Someone who prefers WhatsApp and gave only a mobile number is on WhatsApp at that
    number (the workspace's form asks for one number): it is kept for SMS too."""
    preferred = parse_channel(channel)
    if preferred == ChannelName.WHATSAPP and not (whatsapp and whatsapp.strip()):
        whatsapp = phone
    return NewContributor(
        name=name,
        addresses=parse_addresses(email, phone, telegram, region, whatsapp=whatsapp),
        language=parse_language(language) if language and language.strip() else None,
        preferred_channel=preferred,
        access_needs=parse_access_needs(access_needs),
    )


def parse_addresses(
    email: str | None,
    phone: str | None,
    telegram: str | None,
    region: str,
    *,
    whatsapp: str | None = None,
) -> dict[ChannelName, str]:
    """The addresses typed (blank ones left out), normalised; ValueError if one is not valid.
    A WhatsApp number is kept in E.164 like an SMS number, without Twilio's ``whatsapp:``."""
    addresses: dict[ChannelName, str] = {}
    if email and email.strip():
        addresses[ChannelName.EMAIL] = normalise_email(email)
    if phone and phone.strip():
        addresses[ChannelName.SMS] = normalise_phone(phone, region)
    if telegram and telegram.strip():
        addresses[ChannelName.TELEGRAM] = normalise_chat_id(telegram)
    if whatsapp and whatsapp.strip():
        addresses[ChannelName.WHATSAPP] = normalise_phone(
            whatsapp.strip().removeprefix("whatsapp:"), region
        )
    return addresses


def parse_channel(channel: str | None) -> ChannelName | None:
    if not channel or not channel.strip():
        return None
    try:
        return ChannelName(channel.strip().lower())
    except ValueError:
        choices = ", ".join(c.value for c in ChannelName)
        raise ValueError(f"channel '{channel}' is not one of {choices}") from None


def parse_access_needs(raw: str | None) -> tuple[str, ...]:
    """Needs we act on in our own words ("Easy Read" -> easy-read); others as written, for
    the leads to read ("step-free access")."""
    found: dict[str, str] = {}
    for part in (raw or "").replace(";", ",").split(","):
        written = " ".join(part.split())
        if written:
            need = AccessNeed.parse(written)
            if need is None:
                found.setdefault(written.casefold(), written)
            else:
                found.setdefault(need.value, need.value)
    return tuple(found.values())
