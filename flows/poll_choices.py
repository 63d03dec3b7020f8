"""What a poll offers and how a reply picks from it. Pure: no storage, no channel.

A poll has from 2 to 7 choices, each a short label: the leads' own words, the points of a
scale from 1 (each with a label, or only the end points, or none) or yes and no. A reply
picks a choice by its number ("2", "2 - longer visits", the Telegram button "2 Longer
visits"), by the words of a choice, or, for yes and no, by the word in any language we
write. Anything else is no choice at all: the caller decides whether it is the person's own
answer (a poll that takes one), something else they meant, or a reason to ask again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.errors import InvalidInput

from .i18n import Translator, available_languages, translator
from .keywords import fold

CHOICES = "choices"
SCALE = "scale"
YES_NO = "yes-no"
SHAPES = (CHOICES, SCALE, YES_NO)
# Few enough to hold in mind and read on a small screen; short enough for a button.
MOST_CHOICES = 7
LONGEST_LABEL = 40
_SCALE = re.compile(r"^\s*1\s*[-–—]\s*(\d{1,2})\s*$")
# A number at the start, then nothing or something that is not part of a longer number:
# "2", "#2", "2.", "2 - longer visits", "2) Longer visits".
_LEADING_NUMBER = re.compile(r"^#?(\d{1,3})(?:$|[\s.):,;\-–—])")


@dataclass(frozen=True)
class PollShape:
    shape: str
    size: int
    labels: tuple[str, ...]  # empty for yes-no, and for a scale of numbers only


def shape_of(
    *,
    choices: list[str] | None = None,
    scale: str | None = None,
    labels: list[str] | None = None,
    yes_no: bool = False,
) -> PollShape:
    """The poll's shape from what the lead gave: exactly one of ``choices``, ``scale`` ("1-5",
    with ``labels`` for every point or for its two ends) or ``yes_no``. Raises InvalidInput,
    saying why, for anything we would not send."""
    given = sum([choices is not None, scale is not None, yes_no])
    if given != 1:
        raise InvalidInput("give the choices, a scale such as 1-5, or yes or no: one of the three")
    if yes_no:
        return PollShape(YES_NO, 2, ())
    if scale is not None:
        match = _SCALE.match(scale)
        if match is None:
            raise InvalidInput(f"'{scale}' is not a scale: write it as 1-N, for example 1-5")
        size = int(match.group(1))
        if not 2 <= size <= MOST_CHOICES:
            raise InvalidInput(
                f"a scale goes from 1 to between 2 and {MOST_CHOICES}; 1-{size} is not one"
            )
        words = _labels(labels or [])
        if words and len(words) not in (2, size):
            raise InvalidInput(
                f"a scale of 1-{size} takes {size} labels, or 2 for its ends; "
                f"{len(words)} were given"
            )
        return PollShape(SCALE, size, tuple(words))
    words = _labels(choices or [])
    if not 2 <= len(words) <= MOST_CHOICES:
        raise InvalidInput(
            f"a poll needs from 2 to {MOST_CHOICES} choices; {len(words)} were given"
        )
    folded = [fold(word) for word in words]
    if len(set(folded)) < len(folded):
        raise InvalidInput("two of the choices are the same")
    return PollShape(CHOICES, len(words), tuple(words))


def _labels(words: list[str]) -> list[str]:
    cleaned = [" ".join(word.split()) for word in words]
    if any(not word for word in cleaned):
        raise InvalidInput("a choice cannot be empty")
    for word in cleaned:
        if len(word) > LONGEST_LABEL:
            raise InvalidInput(
                f"'{word[:20]}...' is too long for a choice: keep each to "
                f"{LONGEST_LABEL} characters"
            )
    return cleaned


def split_choices(text: str) -> list[str]:
    """ "A|B|C" (the command line) or "A / B / C" (a message) as a list of choices."""
    separator = "|" if "|" in text else "/"
    return [part.strip() for part in text.split(separator)]


def choice_labels(shape: PollShape, t: Translator) -> list[str]:
    """Each choice as the reader sees it after its number."""
    if shape.shape == YES_NO:
        return [t.gettext("Yes"), t.gettext("No")]
    if shape.shape == CHOICES:
        return list(shape.labels)
    if len(shape.labels) == shape.size:
        return list(shape.labels)
    if len(shape.labels) == 2:  # the two ends named, the points between are numbers only
        return [shape.labels[0], *([""] * (shape.size - 2)), shape.labels[1]]
    return [""] * shape.size


def numbered_lines(shape: PollShape, t: Translator) -> list[str]:
    """ "1 Longer visits" for each choice; a scale point with no label is its number alone."""
    return [
        f"{number} {label}".strip() for number, label in enumerate(choice_labels(shape, t), start=1)
    ]


def buttons(shape: PollShape, t: Translator) -> tuple[str, ...]:
    """Telegram's buttons: the same lines as the text, each read back as its number."""
    return tuple(line[: LONGEST_LABEL + 3] for line in numbered_lines(shape, t))


@dataclass(frozen=True)
class OutOfRange:
    """A number that is not one of the choices."""

    number: int


def read_choice(text: str, shape: PollShape, t: Translator) -> int | OutOfRange | None:
    """The choice a reply picks (1-based), a number that picks none, or None for words that
    are not a choice."""
    cleaned = " ".join(text.split())
    match = _LEADING_NUMBER.match(cleaned)
    if match is not None:
        number = int(match.group(1))
        return number if 1 <= number <= shape.size else OutOfRange(number)
    words = fold(cleaned)
    if not words:
        return None
    if shape.shape == YES_NO:
        return _yes_or_no(words)
    return _by_words(words, [fold(label) for label in choice_labels(shape, t)])


def _by_words(words: str, labels: list[str]) -> int | None:
    """The one choice whose words are the reply, or are in it as whole words, or the reply
    is the start of; None when no choice or several fit."""
    for test in (
        lambda label: label == words,
        lambda label: re.search(rf"(?<!\w){re.escape(label)}(?!\w)", words) is not None,
        lambda label: len(words) >= 3 and label.startswith(words),
    ):
        fits = [number for number, label in enumerate(labels, start=1) if label and test(label)]
        if len(fits) == 1:
            return fits[0]
        if len(fits) > 1:
            return None
    return None


def yes_no_words(t: Translator) -> tuple[list[str], list[str]]:
    """The words that mean yes and no in one language (the catalog gives several each)."""
    # TRANSLATORS: the words people may type to answer "yes" to a yes-or-no poll, with
    # commas between them. Lower case.
    yes = t.pgettext("poll-word", "yes, y, yeah, yep")
    # TRANSLATORS: the words people may type to answer "no" to a yes-or-no poll, with
    # commas between them. Lower case.
    no = t.pgettext("poll-word", "no, n, nope")
    return _word_list(yes), _word_list(no)


def _word_list(words: str) -> list[str]:
    return [folded for word in words.split(",") if (folded := fold(word))]


def _yes_or_no(words: str) -> int | None:
    first = words.split(" ")[0]
    for language in available_languages():
        yes, no = yes_no_words(translator(language))
        if words in yes or first in yes:
            return 1
        if words in no or first in no:
            return 2
    return None
