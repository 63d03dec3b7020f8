"""What we could not read in a message, and the short notes that tell the person so.

A channel reads only words: a picture, voice message or file is counted but not kept, and a
text longer than the channel allows is cut. The person is told each time, so nobody thinks a
photo of a letter or the end of a long comment reached the leads when it did not.
"""

from __future__ import annotations

from dataclasses import dataclass

from .effects import Reply
from .i18n import Translator

# The end of a cut text is quoted back in the note, so the person knows where to go on from.
QUOTED_WORDS = 5


@dataclass(frozen=True)
class Unread:
    """``attachments``: parts we did not read; ``cut``: True when ``text`` is only the start;
    ``unsure``: True when we could not tell which words of an email reply are the person's."""

    attachments: int = 0
    cut: bool = False
    unsure: bool = False


NOTHING_UNREAD = Unread()


def only_words_read(t: Translator) -> Reply:
    """A message with no words at all, only a picture, voice message, file or sticker."""
    return Reply(
        "only-words",
        t.gettext(
            "We can only read words you type. We cannot read pictures, voice messages or "
            "files. Please send your message as words."
        ),
    )


def unclear_reply(t: Translator) -> Reply:
    """An email reply whose own words we could not find among the earlier emails it quotes:
    nothing is kept or shared, the leads see it in their inbox, and the person is asked."""
    return Reply(
        "unclear-reply",
        t.gettext(
            "We could not tell which words in your email are yours, so we have not kept it. "
            "Please send just your message again, without the earlier emails under it."
        ),
    )


def unread_notes(unread: Unread, text: str, t: Translator) -> list[Reply]:
    """The notes that go after the answer to a message we read only part of."""
    notes = []
    if unread.cut:
        end = " ".join(text.split()[-QUOTED_WORDS:])
        notes.append(
            Reply(
                "text-cut",
                t.gettext(
                    'Your message was too long. We kept the start, up to "{end}". '
                    "Please send the rest in a new message."
                ).format(end=end),
            )
        )
    if unread.attachments:
        notes.append(
            Reply(
                "attachment-not-read",
                t.gettext(
                    "We got your words. We cannot read pictures, voice messages or files, "
                    "so we did not keep those."
                ),
            )
        )
    return notes
