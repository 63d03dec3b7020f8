"""Turning what a person typed into a command word and the rest of their text.

The words come from the catalog (context ``keyword``) so each language has its own, and the
English words always work too. Case, extra spaces, surrounding punctuation and a Telegram
``/command`` (with or without ``@botname``) make no difference.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from .i18n import Translator


class Command(StrEnum):
    HELP = "help"
    STOP = "stop"
    START = "start"


def keyword_words(t: Translator) -> dict[Command, str]:
    """The word for each command in one language (as the catalog gives it)."""
    return {
        # TRANSLATORS: a command word people type to get help. One word, capital letters.
        Command.HELP: t.pgettext("keyword", "HELP"),
        # TRANSLATORS: a command word people type to stop all messages on this channel.
        Command.STOP: t.pgettext("keyword", "STOP"),
        # TRANSLATORS: a command word people type to start messages again after STOP.
        Command.START: t.pgettext("keyword", "START"),
    }


# Other words that mean the same when sent on their own (the carriers' opt-out words among
# them); only a message that is just the word counts, so "Cancel my place..." stays text.
_SYNONYMS: dict[str, Command] = {
    "unsubscribe": Command.STOP,
    "stopall": Command.STOP,
    "end": Command.STOP,
    "quit": Command.STOP,
    "cancel": Command.STOP,
    "unstop": Command.START,
    "resume": Command.START,
    "info": Command.HELP,
    "?": Command.HELP,
}

_EDGE_PUNCTUATION = " \t\r\n.,;:!¡¿\"'“”‘’«»()[]{}-–—…"
_TELEGRAM_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?=\s|$)")


@dataclass(frozen=True)
class ParsedText:
    command: Command | None
    rest: str


def _fold(word: str) -> str:
    return unicodedata.normalize("NFKC", word).casefold().strip(_EDGE_PUNCTUATION)


def tidy(text: str) -> str:
    """Collapse runs of white space and trim it and stray punctuation from the ends."""
    return " ".join(text.split()).strip(" ")


def parse(text: str, t: Translator, english: Translator) -> ParsedText:
    """Find the command word at the start of ``text`` in the person's language or English."""
    cleaned = tidy(text)
    match = _TELEGRAM_COMMAND.match(cleaned)
    if match:
        cleaned = match.group(1) + cleaned[match.end() :]
    if not cleaned:
        return ParsedText(None, "")
    head, _, tail = cleaned.partition(" ")
    folded = _fold(head)
    words: dict[str, Command] = {}
    for table in (keyword_words(english), keyword_words(t)):
        for command, word in table.items():
            words[_fold(word)] = command
    command = words.get(folded)
    if command is None and not tail:
        command = _SYNONYMS.get(folded)
    if command is None:
        return ParsedText(None, cleaned)
    return ParsedText(command, tidy(tail).strip(_EDGE_PUNCTUATION + " "))
