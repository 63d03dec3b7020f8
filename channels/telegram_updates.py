"""Reading Telegram updates: what a person in a private chat did, as an InboundMessage.

Telegram's Bot API grows new kinds of update and new fields every few months. Everything is
acknowledged; what has no person behind it is ignored, and what a person sent that we cannot
read (pictures, voice notes, polls, reactions, content newer than this code) is counted so
the flows can tell them that only words are read.
"""

from __future__ import annotations

import dataclasses
import logging
from typing import Any

from telegram import Bot, ChatMemberUpdated, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, UpdateType

from .base import ChannelName, InboundEvent, InboundMessage, MalformedRequest, cut_text

log = logging.getLogger(__name__)

# A text that comes in longer than Telegram allows did not come from Telegram's apps: cut.
TEXT_LIMIT = 4096

# The kinds of update that can come from a person, asked for when polling (a webhook set up
# without allowed_updates gets all of these).
READ_UPDATES = (
    UpdateType.MESSAGE,
    UpdateType.EDITED_MESSAGE,
    UpdateType.BUSINESS_MESSAGE,
    UpdateType.EDITED_BUSINESS_MESSAGE,
    UpdateType.MY_CHAT_MEMBER,
)


def read_update(data: dict[str, Any], bot: Bot) -> list[InboundMessage]:
    """The person's message in an update's JSON (whose update_id is checked already);
    raises :class:`MalformedRequest` for an update whose parts we read are broken."""
    try:
        message = to_inbound(Update.de_json(data, bot))
    except _UNBUILDABLE as error:
        # PTB builds objects from whatever it is given; a field of the wrong shape surfaces
        # here, or when the message is read. A part we never read may be in a shape newer
        # (or older) than the library's: the rest is read without it.
        message = _without_unread_parts(data, bot, error)
    return [message] if message else []


def _without_unread_parts(
    data: dict[str, Any], bot: Bot, error: Exception
) -> InboundMessage | None:
    kind = next((key for key in READ_UPDATES if key in data), None)
    if kind is None:
        log.info("telegram update %s: a kind we do not read; ignored", data["update_id"])
        return None
    part = data[kind]
    if kind not in _MESSAGE_UPDATES or not isinstance(part, dict):
        raise MalformedRequest(f"not a Telegram update: {type(error).__name__}") from error
    words = {key: value for key, value in part.items() if key in _MESSAGE_WORDS}
    unread = any(key not in _MESSAGE_WORDS | _TEXT_DETAILS for key in part)
    try:
        message = to_inbound(Update.de_json({"update_id": data["update_id"], kind: words}, bot))
    except _UNBUILDABLE as again:
        raise MalformedRequest(f"not a Telegram update: {type(again).__name__}") from again
    if message is not None and unread and message.event == InboundEvent.TEXT:
        message = dataclasses.replace(message, attachments=max(message.attachments, 1))
    return message


def to_inbound(update: Update) -> InboundMessage | None:
    """What a person in a private chat did, or None for an update with no person to answer
    (channel posts, group chats, poll states, button presses, kinds of update we do not know).

    A message (or a business message) is read as words; what has no words (a photo, voice
    note, sticker, poll, file, a kind of content newer than this code) is counted in
    ``attachments`` so the person can be told that only words are read. A reaction is
    not: a thumbs-up on our message needs no answer, as a typed one gets only thanks, and
    answering every reaction would be noise. Nor is a request to join a group, which is not
    written to us. An edited message names the message it replaces. A person blocking the
    bot, or unblocking it, is an opt-out or opt-in seen by Telegram.
    """
    if (message := update.message or update.business_message) is not None:
        return _from_message(update, message, InboundEvent.TEXT)
    if (edited := update.edited_message or update.edited_business_message) is not None:
        return _from_message(update, edited, InboundEvent.EDITED)
    if (member := update.my_chat_member) is not None:
        return _from_membership(update, member)
    return _ignored(update)


# What building an update from a request's JSON can raise when a field has the wrong shape.
_UNBUILDABLE = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
    OverflowError,  # a date past what datetime holds
    OSError,  # a date the platform's clock cannot convert
)
_MESSAGE_UPDATES = frozenset(
    {
        UpdateType.MESSAGE,
        UpdateType.EDITED_MESSAGE,
        UpdateType.BUSINESS_MESSAGE,
        UpdateType.EDITED_BUSINESS_MESSAGE,
    }
)
# The fields of a message we read, and those that only describe its words.
_MESSAGE_WORDS = frozenset({"message_id", "date", "edit_date", "chat", "from", "text", "caption"})
_TEXT_DETAILS = frozenset(
    {"entities", "caption_entities", "link_preview_options", "business_connection_id"}
)

# A my_chat_member update about a private chat: the person blocked the bot ("kicked") or
# unblocked it ("member").
_MEMBER_EVENTS = {
    ChatMemberStatus.BANNED: InboundEvent.STOPPED,
    ChatMemberStatus.MEMBER: InboundEvent.STARTED,
}


def _from_message(update: Update, message: Message, event: InboundEvent) -> InboundMessage | None:
    if message.chat.type != ChatType.PRIVATE:
        return _ignored(update)
    text = message.text or message.caption or ""
    chat_id = message.chat.id
    if not isinstance(text, str):
        raise MalformedRequest("a message needs text as a string")
    _check_ids(update, chat_id, message.message_id)
    text, cut_from = cut_text(text, TEXT_LIMIT)
    # A photo, sticker, voice note, poll, file, location or contact: none is read or kept. A
    # message with neither words nor anything we know carries something newer than us.
    unread = 0 if message.effective_attachment is None and text else 1
    ref = f"{chat_id}:{message.message_id}"
    edited = event == InboundEvent.EDITED
    return InboundMessage(
        channel=ChannelName.TELEGRAM,
        sender=str(chat_id),
        text=text,
        provider_id=str(update.update_id),
        received_at=(message.edit_date or message.date) if edited else message.date,
        attachments=0 if edited else unread,
        cut_from=cut_from,
        event=event,
        provider_ref=ref,
        edit_of=ref if edited else None,
    )


def _from_membership(update: Update, change: ChatMemberUpdated) -> InboundMessage | None:
    event = _MEMBER_EVENTS.get(change.new_chat_member.status)  # type: ignore[call-overload]
    if change.chat.type != ChatType.PRIVATE or event is None:
        return _ignored(update)
    _check_ids(update, change.chat.id)
    return InboundMessage(
        channel=ChannelName.TELEGRAM,
        sender=str(change.chat.id),
        text="",
        provider_id=str(update.update_id),
        received_at=change.date,
        event=event,
    )


def _ignored(update: Update) -> None:
    log.info("telegram update %s: nothing from a person to answer; ignored", update.update_id)


def _check_ids(update: Update, *ids: object) -> None:
    for number in (update.update_id, *ids):
        if not isinstance(number, int) or isinstance(number, bool):
            raise MalformedRequest("Telegram's ids are numbers")
        if not _fits_64_bits(number):
            raise MalformedRequest("Telegram's ids fit in 64 bits")


def _fits_64_bits(number: int) -> bool:
    return -(2**63) <= number < 2**63
