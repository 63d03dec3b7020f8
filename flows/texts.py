"""The words of the messages this service sends about itself (help, STOP, START).

One idea per message, short sentences, every choice something to type. SMS versions stay
short: help on SMS is at most three short lines.
"""

from __future__ import annotations

from channels.base import ChannelName

from .i18n import Translator
from .keywords import Command, keyword_words


def help_text(t: Translator, channel: ChannelName, name: str | None) -> str:
    if channel == ChannelName.SMS:
        return _command_lines(t, channel)
    greeting = t.gettext("Hello {name}.").format(name=name) if name else t.gettext("Hello.")
    return "\n\n".join(
        [
            greeting,
            t.gettext("You can write to us here in your own words."),
            _command_lines(t, channel),
        ]
    )


def not_understood_text(t: Translator, channel: ChannelName) -> str:
    separator = "\n" if channel == ChannelName.SMS else "\n\n"
    return t.gettext("Sorry, we did not understand that.") + separator + _command_lines(t, channel)


def _command_lines(t: Translator, channel: ChannelName) -> str:
    words = keyword_words(t)
    stop, start, help_ = words[Command.STOP], words[Command.START], words[Command.HELP]
    if channel == ChannelName.SMS:
        lines = [
            t.gettext("Reply {stop} to stop texts.").format(stop=stop),
            t.gettext("Reply {start} to start them again.").format(start=start),
            t.gettext("Reply {help} to see this again.").format(help=help_),
        ]
    else:
        lines = [
            t.gettext("Send {stop} to get no more messages here.").format(stop=stop),
            t.gettext("Send {start} to get messages here again.").format(start=start),
            t.gettext("Send {help} to see this list again.").format(help=help_),
        ]
    return "\n".join(lines)


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
