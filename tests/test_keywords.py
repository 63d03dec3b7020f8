"""The command words: case, accents, spaces, punctuation and Telegram /commands make no
difference, in every language."""

from __future__ import annotations

import pytest

from flows.i18n import Translator, translator
from flows.keywords import Command, _fold, parse

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


PL, UR = translator("pl"), translator("ur")


@pytest.mark.parametrize(
    ("text", "t", "command"),
    [
        ("ZAPISZ CARE1", PL, Command.JOIN),
        ("zapisz", PL, Command.JOIN),
        ("JEZYK cy", PL, Command.LANGUAGE),
        ("język cy", PL, Command.LANGUAGE),
        ("odpowiedz 3 tak", PL, Command.ANSWER),
        ("JOIN CARE1", PL, Command.JOIN),
        ("نہیں", UR, Command.NONE),
        ("نہیں۔", UR, Command.NONE),
        ("\u0646\u0647\u064a\u06ba", UR, Command.NONE),
        ("شامل CARE1", UR, Command.JOIN),
        ("مدد؟", UR, Command.HELP),
        ("help", UR, Command.HELP),
    ],
    ids=[
        "polish-word",
        "polish-lower-case",
        "polish-without-accents",
        "polish-with-accents",
        "polish-answer-without-accent",
        "english-word-in-polish",
        "urdu-word",
        "urdu-full-stop",
        "urdu-typed-on-an-arabic-keyboard",
        "urdu-with-a-code",
        "urdu-question-mark",
        "english-word-in-urdu",
    ],
)
def test_command_words_are_recognised_in_the_persons_language(
    text: str, t: Translator, command: Command
) -> None:
    assert parse(text, t, EN).command == command


def test_the_polish_l_with_stroke_may_be_typed_as_l() -> None:
    assert _fold("ŁĄKA") == _fold("laka")
