"""The conversation step: one inbound message from a known or unknown sender in, effects out.

Pure: it reads the sender snapshot and the text and returns what to do. It never touches
storage or a channel.
"""

from __future__ import annotations

from channels.base import ChannelName, InboundMessage

from . import texts
from .effects import Effect, Reply, StartChannel, StopChannel
from .i18n import Translator
from .keywords import Command, parse
from .sender import Sender

# Message kinds that may go to a contact point after it opted out: only the confirmation of
# the opt-out itself, sent once.
SENT_EVEN_AFTER_STOP = frozenset({"stopped"})


def respond(
    sender: Sender, message: InboundMessage, t: Translator, english: Translator
) -> list[Effect]:
    """Decide what to do about one message."""
    parsed = parse(message.text, t, english)

    if parsed.command == Command.STOP:
        if sender.opted_out:
            return []  # confirmed once already; answering again could start a loop
        return [StopChannel(), Reply("stopped", texts.stopped_text(t, sender.channel))]

    if parsed.command == Command.START:
        if not sender.opted_out:
            return [_help(sender, t)]
        return [StartChannel(), Reply("started", texts.started_text(t, sender.channel))]

    if sender.opted_out:
        return []  # they asked for silence on this channel; the message is still stored

    if not sender.is_known:
        if sender.channel == ChannelName.EMAIL or sender.helped_recently:
            return []
        return [
            Reply("unknown-sender", texts.unknown_sender_text(t, sender.channel, sender.address))
        ]

    if parsed.command == Command.HELP:
        return [_help(sender, t)]
    return [Reply("not-understood", texts.not_understood_text(t, sender.channel))]


def _help(sender: Sender, t: Translator) -> Reply:
    if not sender.is_known:
        return Reply("unknown-sender", texts.unknown_sender_text(t, sender.channel, sender.address))
    return Reply("help", texts.help_text(t, sender.channel, sender.name))


def may_still_send(kind: str, opted_out: bool, left_project: bool) -> bool:
    """Checked by the dispatcher just before sending, so an opt-out made after a message was
    queued still holds."""
    if left_project:
        return False
    return not opted_out or kind in SENT_EVEN_AFTER_STOP
