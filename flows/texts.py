"""The words of the messages about the service itself: to strangers, and for STOP and START.

One idea per message, short sentences, every choice something to type. Help for people we
know depends on where they are, so it lives in :mod:`flows.replies`.
"""

from __future__ import annotations

from channels.base import ChannelName

from .i18n import Translator
from .keywords import Command, keyword_words


def unknown_sender_text(t: Translator, channel: ChannelName, address: str) -> str:
    words = keyword_words(t)
    if channel == ChannelName.TELEGRAM:
        return "\n\n".join(
            [
                t.gettext("Hello. This chat is for people taking part in our projects."),
                t.gettext("To join, ask your project lead to add you."),
                t.gettext("Give them this chat number: {number}").format(number=address),
            ]
        )
    return " ".join(
        [
            t.gettext("This number is for people taking part in our projects."),
            t.gettext("To join, ask your project lead to add you."),
            t.gettext("Reply {stop} for no more texts.").format(stop=words[Command.STOP]),
        ]
    )


def stopped_text(t: Translator, channel: ChannelName) -> str:
    words = keyword_words(t)
    if channel == ChannelName.SMS:
        return t.gettext(
            "You will get no more texts from us. Reply {start} to start again."
        ).format(start=words[Command.START])
    return t.gettext(
        "You will get no more messages from us here. Send {start} to start again."
    ).format(start=words[Command.START])


def started_text(t: Translator, channel: ChannelName) -> str:
    words = keyword_words(t)
    if channel == ChannelName.SMS:
        return t.gettext(
            "Welcome back. You will get our texts again. Reply {stop} to stop."
        ).format(stop=words[Command.STOP])
    return t.gettext(
        "Welcome back. You will get our messages here again. Send {stop} to stop."
    ).format(stop=words[Command.STOP])


def reply_subject(t: Translator) -> str:
    return t.gettext("Your message to us")


def other_address_text(t: Translator) -> str:
    return t.gettext(
        "We got a reply to our email from an address we do not know. We did not use it. "
        "If it was you, please reply from this address."
    )
