"""Turning what a person typed into a command word and the rest of their text.

The words come from the catalog (context ``keyword``) so each language has its own, and the
English words always work too. Case, accents, extra spaces, surrounding punctuation and a Telegram
``/command`` (with or without ``@botname``) make no difference. A word may be a phrase of
several words ("NAME ME"); Telegram commands write it joined up (``/nameme``).
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
    JOIN = "join"
    LEAVE = "leave"
    DECLARE = "declare"
    NONE = "none"
    COMMENT = "comment"
    QUESTION = "question"
    BRIEF = "brief"
    NAME_ME = "name-me"
    ANONYMOUS = "anonymous"
    LANGUAGE = "language"
    # The author of a comment, question or answer takes it back before (or from) sharing.
    WITHDRAW = "withdraw"
    # A member's answer to a poll by its number (POLL 4 2); from a lead, a new poll.
    POLL = "poll"
    # The project's review: REVIEW CODE answers it again from the start; REVIEW OK CODE
    # signs it off, from someone on its panel.
    REVIEW = "review"
    # Lead words: only for the leads of the project named.
    ASK = "ask"
    ANSWER = "answer"
    EXTEND = "extend"
    RESPOND = "respond"
    APPROVE = "approve"
    HIDE = "hide"


def keyword_words(t: Translator) -> dict[Command, str]:
    """The word for each command in one language (as the catalog gives it)."""
    return {
        # TRANSLATORS: a command word people type to get help. One word, capital letters.
        Command.HELP: t.pgettext("keyword", "HELP"),
        # TRANSLATORS: a command word people type to stop all messages on this channel.
        Command.STOP: t.pgettext("keyword", "STOP"),
        # TRANSLATORS: a command word people type to start messages again after STOP.
        Command.START: t.pgettext("keyword", "START"),
        # TRANSLATORS: a command word to join a project they were invited to.
        Command.JOIN: t.pgettext("keyword", "JOIN"),
        # TRANSLATORS: a command word to leave one project.
        Command.LEAVE: t.pgettext("keyword", "LEAVE"),
        # TRANSLATORS: a command word to declare an interest (something that may affect them).
        Command.DECLARE: t.pgettext("keyword", "DECLARE"),
        # TRANSLATORS: a command word meaning "I have no interest to declare".
        Command.NONE: t.pgettext("keyword", "NONE"),
        # TRANSLATORS: a command word to send a comment on a project.
        Command.COMMENT: t.pgettext("keyword", "COMMENT"),
        # TRANSLATORS: a command word to ask the project leads a question.
        Command.QUESTION: t.pgettext("keyword", "QUESTION"),
        # TRANSLATORS: a command word to get the project brief (the papers for the project).
        Command.BRIEF: t.pgettext("keyword", "BRIEF"),
        # TRANSLATORS: command words: "share my name with my comments". May be several words.
        Command.NAME_ME: t.pgettext("keyword", "NAME ME"),
        # TRANSLATORS: a command word: "do not share my name with my comments".
        Command.ANONYMOUS: t.pgettext("keyword", "ANONYMOUS"),
        # TRANSLATORS: a command word to change the language of messages, e.g. LANGUAGE cy.
        Command.LANGUAGE: t.pgettext("keyword", "LANGUAGE"),
        # TRANSLATORS: a command word to answer a poll by its number (POLL 4 2); leads use
        # it to send a poll.
        Command.POLL: t.pgettext("keyword", "POLL"),
        # TRANSLATORS: a command word to answer the project's review again (REVIEW CARE1);
        # the review's panel sign it off with it (REVIEW OK CARE1).
        Command.REVIEW: t.pgettext("keyword", "REVIEW"),
        # TRANSLATORS: a lead's command word to ask every member a question.
        Command.ASK: t.pgettext("keyword", "ASK"),
        # TRANSLATORS: a command word to answer a question by its number.
        Command.ANSWER: t.pgettext("keyword", "ANSWER"),
        # TRANSLATORS: a lead's command word to keep comments open for longer.
        Command.EXTEND: t.pgettext("keyword", "EXTEND"),
        # TRANSLATORS: a lead's command word to say what will be done about a comment.
        Command.RESPOND: t.pgettext("keyword", "RESPOND"),
        # TRANSLATORS: a command word to take back your own comment so it is not shared.
        Command.WITHDRAW: t.pgettext("keyword", "WITHDRAW"),
        # TRANSLATORS: a lead's command word to share a comment with the group as written.
        Command.APPROVE: t.pgettext("keyword", "APPROVE"),
        # TRANSLATORS: a lead's command word to keep a comment from the group.
        Command.HIDE: t.pgettext("keyword", "HIDE"),
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

# Words that count only when they are the whole message (or are followed by a project code
# or a question number): "None of the dates suit me" is a comment, not a declaration.
ALONE_OR_WITH_A_CODE = frozenset({Command.NONE, Command.ANONYMOUS, Command.NAME_ME})

# Latin punctuation, and the Urdu and Arabic full stop, comma, semicolon and question mark
# ("HELP?" is HELP, as "مدد؟" is).
_EDGE_PUNCTUATION = " \t\r\n.,;:!?¡¿\"'“”‘’«»()[]{}-–—…۔،؛؟"
# Letters typed for others: Arabic keyboards' for the Urdu ones, and the Polish ł (a letter
# of its own, not an l with an accent) as the l people type on a phone without Polish keys.
_SAME_LETTER = str.maketrans(
    {"\u064a": "\u06cc", "\u0643": "\u06a9", "\u0647": "\u06c1", "\u0142": "l"}
)
# Marks that end a question, in the scripts we write in.
QUESTION_MARKS = ("?", "؟")
_TELEGRAM_COMMAND = re.compile(r"^/([A-Za-z0-9_]+)(?:@[A-Za-z0-9_]+)?(?=\s|$)")
_NUMBER = re.compile(r"^#?(\d{1,6})$")


@dataclass(frozen=True)
class ParsedText:
    command: Command | None
    rest: str

    @property
    def number(self) -> int | None:
        """The number typed, when the whole message is one (an answer to a numbered choice)."""
        if self.command is not None:
            return None
        match = _NUMBER.match(self.rest.strip(_EDGE_PUNCTUATION))
        return int(match.group(1)) if match else None


def _fold(word: str) -> str:
    # Accents are dropped too: on a basic phone "WYJDZ" is typed as often as "WYJDŹ", and
    # both sides of every comparison are folded alike, so no word is lost. Letters are
    # matched after decomposing: the Urdu "ئ" of "رائے" is an Arabic yeh under its hamza.
    decomposed = unicodedata.normalize("NFKD", word.casefold()).translate(_SAME_LETTER)
    # Invisible marks (zero-width spaces, direction marks, a byte order mark) go as well:
    # phones and copy-paste add them, and "STOP" with one attached must still stop.
    bare = "".join(
        c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
    )
    return unicodedata.normalize("NFKC", bare).strip(_EDGE_PUNCTUATION)


def fold(text: str) -> str:
    """Text as words are compared: case, accents, invisible marks and the punctuation at
    its ends make no difference (as for command words)."""
    return _fold(text)


def tidy(text: str) -> str:
    """Collapse runs of white space and trim it from the ends."""
    return " ".join(text.split()).strip(" ")


def _phrases(t: Translator, english: Translator) -> list[tuple[tuple[str, ...], Command]]:
    """Every command word as folded words, longest first so "NAME ME" wins over "NAME"."""
    found: dict[tuple[str, ...], Command] = {}
    for table in (keyword_words(english), keyword_words(t)):
        for command, word in table.items():
            words = tuple(_fold(part) for part in word.split())
            found[words] = command
            if len(words) > 1:
                found[("".join(words),)] = command  # /nameme on Telegram
    return sorted(found.items(), key=lambda item: -len(item[0]))


def parse(text: str, t: Translator, english: Translator) -> ParsedText:
    """Find the command word at the start of ``text`` in the person's language or English."""
    cleaned = tidy(text)
    match = _TELEGRAM_COMMAND.match(cleaned)
    if match:
        cleaned = match.group(1) + cleaned[match.end() :]
    if not cleaned:
        return ParsedText(None, "")
    words = cleaned.split(" ")
    folded = [_fold(word) for word in words]
    for phrase, command in _phrases(t, english):
        if tuple(folded[: len(phrase)]) == phrase:
            # "COMMENT: text." keeps its full stop; only what joins it to the word goes.
            rest = tidy(" ".join(words[len(phrase) :])).lstrip(_EDGE_PUNCTUATION + " ")
            return ParsedText(command, rest)
    if len(words) == 1 and folded[0] in _SYNONYMS:
        return ParsedText(_SYNONYMS[folded[0]], "")
    if cleaned.strip() == "?":
        return ParsedText(Command.HELP, "")
    return ParsedText(None, cleaned)
