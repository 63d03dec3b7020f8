"""A poll's result in words first ("Most people (6 of 9) chose 3"), then the numbers, in the
reader's language. Pure: it takes the poll's shape and its tally."""

from __future__ import annotations

from storage.polls import Tally

from .i18n import Translator, format_share
from .poll_choices import SCALE, PollShape, choice_labels


def choice_name(shape: PollShape, number: int, t: Translator) -> str:
    """How a sentence names a choice: its words, or a scale point's number (with its label)."""
    label = choice_labels(shape, t)[number - 1]
    if shape.shape == SCALE:
        return f"{number} ({label})" if label else str(number)
    return label


def listed(names: list[str], t: Translator) -> str:
    """ "A, B and C" in the reader's language."""
    if len(names) == 1:
        return names[0]
    # TRANSLATORS: the end of a list of two or more things: "A, B and C". {first} is every
    # item but the last, with commas between them.
    return t.gettext("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])


def summary(shape: PollShape, tally: Tally, t: Translator) -> str:
    """One sentence saying what most people chose."""
    total = tally.total
    if total == 0:
        return t.gettext("No one answered.")
    top = max(tally.counts)
    if top == 0:
        return t.ngettext(
            "The one answer was in the person's own words.",
            "All {total} answers were in people's own words.",
            total,
        ).format(total=total)
    chosen = [n for n, count in enumerate(tally.counts, start=1) if count == top]
    names = [choice_name(shape, n, t) for n in chosen]
    if total == 1:
        return t.gettext("One person answered. They chose {choice}.").format(choice=names[0])
    if len(chosen) > 1:
        return t.ngettext(
            "{choices} were chosen equally, by {count} person each, of {total} who answered.",
            "{choices} were chosen equally, by {count} people each, of {total} who answered.",
            top,
        ).format(choices=listed(names, t), count=top, total=total)
    if top * 2 > total:
        return t.gettext("Most people ({count} of {total}) chose {choice}.").format(
            count=top, total=total, choice=names[0]
        )
    return t.ngettext(
        "More people chose {choice} than any other answer: {count} person of {total}.",
        "More people chose {choice} than any other answer: {count} people of {total}.",
        top,
    ).format(count=top, total=total, choice=names[0])


def number_lines(shape: PollShape, tally: Tally, t: Translator, language: str) -> list[str]:
    """Each choice with how many chose it and their share: "1 Longer visits: 6 (67%)"."""
    total = tally.total
    lines = [
        t.gettext("{choice}: {count} ({share})").format(
            choice=f"{number} {label}".strip(),
            count=count,
            share=format_share(count, total, language),
        )
        for number, (label, count) in enumerate(
            zip(choice_labels(shape, t), tally.counts, strict=True), start=1
        )
    ]
    if tally.other:
        lines.append(
            t.gettext("In their own words: {count} ({share})").format(
                count=tally.other, share=format_share(tally.other, total, language)
            )
        )
    return lines
