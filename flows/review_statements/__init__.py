"""The statements a review asks people to rate from 1 to 5: what good co-production looks
like, in plain words. Pure: no storage, no channel.

Our default set ships as one text file per language we write (``en.txt``, ``cy.txt``...),
one statement a line, in the same order in every language: a rating of statement 3 is a
rating of the same statement whatever language the person read it in. A project may rate
its own set instead (:func:`read_statements`), which everyone reads as written.

Each statement is asked on its own, with the scale from 1 (not at all) to 5 (completely)
written out a line each and the skip word on the last line; Telegram's buttons are those
same lines (:func:`statement_text`), and :func:`read_rating` reads a reply to one.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Protocol

from storage.errors import InvalidInput

from ..i18n import SOURCE_LANGUAGE, Translator, translator
from ..keywords import fold
from ..outbound import Message, Reader
from ..poll_choices import SCALE, OutOfRange, PollShape, read_choice

# Few enough to answer one at a time on a phone; short enough for one text message each.
MOST_STATEMENTS = 12
LONGEST_STATEMENT = 160
TOP = 5  # ratings go from 1 to TOP


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.lstrip("\ufeff").splitlines()]


@cache
def default_statements(language: str = SOURCE_LANGUAGE) -> tuple[str, ...]:
    """Our default set in ``language``, or in English when we have none in it (or one that
    does not match the English statement for statement)."""
    english = _packaged(SOURCE_LANGUAGE)
    assert english is not None  # shipped with the package
    found = _packaged(language) if language != SOURCE_LANGUAGE else english
    return found if found is not None and len(found) == len(english) else english


def _packaged(language: str) -> tuple[str, ...] | None:
    if not language.isalpha():
        return None
    path = resources.files(__name__).joinpath(f"{language}.txt")
    if not path.is_file():
        return None
    return tuple(line for line in _lines(path.read_text(encoding="utf-8")) if line)


def statement_for(statements: list[str], own: bool, number: int, language: str) -> str:
    """Statement ``number`` (1-based) of a round as one reader reads it: the project's own as
    written, ours in the reader's language."""
    if not own:
        ours = default_statements(language)
        if len(ours) == len(statements):
            return ours[number - 1]
    return statements[number - 1]


def read_statements(text: str) -> list[str]:
    """A project's own statements from a file's text, one a line (blank lines ignored).
    Raises InvalidInput, saying why, for a set we would not send."""
    found: list[tuple[int, str]] = [
        (number, line) for number, line in enumerate(_lines(text), start=1) if line
    ]
    if not found:
        raise InvalidInput("the file has no statements: write one statement on each line")
    if len(found) > MOST_STATEMENTS:
        raise InvalidInput(
            f"the file has {len(found)} statements; a review takes at most {MOST_STATEMENTS}, "
            "so that people can answer them one at a time"
        )
    seen: dict[str, int] = {}
    for number, line in found:
        if len(line) > LONGEST_STATEMENT:
            raise InvalidInput(
                f"line {number} is {len(line)} characters long; keep each statement to "
                f"{LONGEST_STATEMENT} characters, so it fits in one text message"
            )
        if line.casefold() in seen:
            raise InvalidInput(f"line {number} says the same as line {seen[line.casefold()]}")
        seen[line.casefold()] = number
    return [line for _, line in found]


def decode_statements(data: bytes) -> list[str]:
    """:func:`read_statements` of a file's bytes, which must be UTF-8 text."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"the file is not UTF-8 text (byte {error.start + 1} cannot be read); "
            "save it as UTF-8 and try again"
        ) from None
    return read_statements(text)


# Asking and reading a rating


def skip_word(t: Translator) -> str:
    # TRANSLATORS: the word people type to leave out one statement of the project's review
    # (or to add nothing at its end). One word, capital letters.
    return t.pgettext("review-word", "SKIP")


def ok_word(t: Translator) -> str:
    # TRANSLATORS: the word after REVIEW and before the project code with which the review
    # panel signs the review off: REVIEW OK CARE1. One short word, capital letters.
    return t.pgettext("review-word", "OK")


def is_skip(text: str, t: Translator) -> bool:
    """The whole message is the skip word, in their language or in English."""
    english = translator(SOURCE_LANGUAGE)
    return fold(text) in {fold(skip_word(t)), fold(skip_word(english))}


def is_ok(word: str, t: Translator) -> bool:
    english = translator(SOURCE_LANGUAGE)
    return fold(word) in {fold(ok_word(t)), fold(ok_word(english))}


def _scale(t: Translator) -> PollShape:
    # TRANSLATORS: the two ends of the review's scale: 1 "Not at all" ... 5 "Completely".
    return PollShape(SCALE, TOP, (t.gettext("Not at all"), t.gettext("Completely")))


def read_rating(text: str, t: Translator) -> int | OutOfRange | None:
    """The rating a reply gives (its number, or the words of an end of the scale), a number
    off the scale, or None for words that are no rating (the skip word among them)."""
    return None if is_skip(text, t) else read_choice(text, _scale(t), t)


def _buttons(t: Translator) -> tuple[str, ...]:
    low, high = _scale(t).labels
    return (f"1 {low}", *(str(n) for n in range(2, TOP)), f"{TOP} {high}", skip_word(t))


class Round(Protocol):
    """What a statement is asked from: a round's statements (storage.models.Review)."""

    statements: list[str]
    own_statements: bool


def statement_text(reader: Reader, round_: Round, number: int, first: str | None = None) -> Message:
    """Statement ``number`` with the scale to reply with; ``first`` is a line before it."""
    t = reader.t
    said = statement_for(round_.statements, round_.own_statements, number, reader.language)
    lines = [
        *([first] if first else []),
        t.gettext("Statement {number} of {count}:").format(
            number=number, count=len(round_.statements)
        ),
        said,
        t.gettext("How true is this for you? Reply with a number:"),
        *_buttons(t)[:-1],
        t.gettext("{skip} to leave this one out").format(skip=skip_word(t)),
    ]
    return Message("\n".join(lines), choices=_buttons(t))


def again_text(reader: Reader, round_: Round, number: int) -> Message:
    """The statement once more, after a reply that was no rating."""
    first = reader.t.gettext("Please reply with a number from 1 to {top}, or {skip}.").format(
        top=TOP, skip=skip_word(reader.t)
    )
    return statement_text(reader, round_, number, first)
