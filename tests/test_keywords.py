"""The command words: case, spaces, punctuation and Telegram /commands make no difference."""

from __future__ import annotations

import pytest

from flows.i18n import translator
from flows.keywords import Command, parse

EN = translator("en")


@pytest.mark.parametrize(
    ("text", "command", "rest"),
    [
        ("HELP", Command.HELP, ""),
        ("help", Command.HELP, ""),
        ("  Help.  ", Command.HELP, ""),
        ("help!", Command.HELP, ""),
        ("/help", Command.HELP, ""),
        ("/help@coproduce_test_bot", Command.HELP, ""),
        ("STOP", Command.STOP, ""),
        ("Stop please", Command.STOP, "please"),
        ("unsubscribe", Command.STOP, ""),
        ("/start", Command.START, ""),
        ("start   again ", Command.START, "again"),
        ("?", Command.HELP, ""),
        ("Cancel my place at the meeting", None, "Cancel my place at the meeting"),
        ("helpful idea about buses", None, "helpful idea about buses"),
        ("", None, ""),
        ("   ", None, ""),
        ("I think   the   times   are wrong", None, "I think the times are wrong"),
    ],
    ids=[
        "upper",
        "lower",
        "spaces-and-full-stop",
        "exclamation",
        "telegram-command",
        "telegram-command-with-bot-name",
        "stop",
        "stop-with-words",
        "unsubscribe-alone",
        "telegram-start",
        "start-with-extra-spaces",
        "question-mark-alone",
        "synonym-inside-a-sentence-is-text",
        "keyword-prefix-is-not-a-keyword",
        "empty",
        "only-spaces",
        "free-text-tidied",
    ],
)
def test_command_words_are_recognised_however_they_are_typed(
    text: str, command: Command | None, rest: str
) -> None:
    parsed = parse(text, EN, EN)
    assert (parsed.command, parsed.rest) == (command, rest)
