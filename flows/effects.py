"""What a flow decides: values describing what to store and what to send.

:mod:`flows.conversation` returns these; :mod:`flows.runner` applies them to storage in the
transaction that handles the message. Nothing is sent from a flow: a reply is an outbox row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.checks import ItemKind
from storage.models import ResponseStatus


@dataclass(frozen=True)
class Reply:
    """A message back to the contact point the inbound message came from."""

    kind: str
    body: str
    subject: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class StopChannel:
    """The person asked for no more messages on this contact point; ``word`` is how, for
    their consent history (STOP, or an opt-out the provider saw)."""

    word: str = "STOP"


@dataclass(frozen=True)
class StartChannel:
    """The person asked for messages on this contact point again."""

    word: str = "START"


@dataclass(frozen=True)
class EditComment:
    """The author changed the words of a comment (an edited Telegram message): the comment
    takes them while its window is open; after, they are kept as a late comment."""

    comment_id: int
    text: str
    late: bool


@dataclass(frozen=True)
class OfferChoice:
    """Wait a day for a number: ``options`` are project (or other) ids, in the order shown.
    ``purpose`` and ``data`` say what to do with the one chosen."""

    purpose: str
    options: tuple[int, ...]
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ClearPending:
    """The choice (or question to reply to) that was waiting is dealt with or has expired."""


@dataclass(frozen=True)
class SetPending:
    """Wait for the person's next message in a named state (see flows.attendance)."""

    state: str
    data: dict[str, Any]
    expires_at: datetime | None


@dataclass(frozen=True)
class AnswerAttendance:
    """A member's answer to "are you coming?": kept (the latest counts) and acknowledged."""

    meeting_id: int
    answer: str  # one of storage.attendance.ANSWERS
    need: str | None = None


@dataclass(frozen=True)
class AnswerPoll:
    """A member's answer to a poll: a choice's number, or (for POLL n and their words, or a
    poll that takes them) words still to be read against the poll's choices."""

    poll_id: int
    choice: int | None = None
    words: str | None = None


@dataclass(frozen=True)
class AnswerReview:
    """A reply to the review step waiting for this person: a rating of statement ``step``
    from 1 to 5 (None: they skipped it) or, after the last statement, their own words
    (None: they had nothing to add)."""

    review_id: int
    step: int
    rating: int | None = None
    words: str | None = None


@dataclass(frozen=True)
class AskReviewAgain:
    """The statement that waits for a rating, once more: after a number off the scale, or
    words that had nowhere else to go. Nothing is kept."""

    review_id: int
    step: int


@dataclass(frozen=True)
class RestartReview:
    """REVIEW CODE: the project's review again from its first statement."""

    project_id: int


@dataclass(frozen=True)
class SignOffReview:
    """REVIEW OK CODE, with their words or none: a panel member signs the review off."""

    code: str
    words: str | None = None


@dataclass(frozen=True)
class Join:
    project_id: int


@dataclass(frozen=True)
class Leave:
    project_id: int
    reason: str | None


@dataclass(frozen=True)
class Declare:
    project_id: int
    text: str | None  # None: nothing to declare


@dataclass(frozen=True)
class AddComment:
    project_id: int
    window_id: int | None
    text: str
    late: bool
    # It reads as a question: the leads get it as one too, so it is answered.
    also_question: bool = False


@dataclass(frozen=True)
class AskLeads:
    project_id: int
    text: str


@dataclass(frozen=True)
class PassToLeads:
    """Words with nowhere else to go, kept for the project's leads (its inbox shows them as
    needing their reply): a reply to their message or announcement, or a note sent while we
    wait for a declaration of interest (``while_declaring``)."""

    project_id: int
    while_declaring: bool = False


@dataclass(frozen=True)
class ReplyToQuestion:
    question_id: int
    text: str


@dataclass(frozen=True)
class SendBrief:
    project_id: int


@dataclass(frozen=True)
class SetNamed:
    named: bool


@dataclass(frozen=True)
class SetLanguage:
    language: str


@dataclass(frozen=True)
class LeadAsk:
    project_id: int
    text: str


@dataclass(frozen=True)
class LeadPoll:
    """A lead's poll sent by message: POLL CODE question / A / B / C."""

    project_id: int
    question: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class LeadAnswer:
    question_id: int
    text: str


@dataclass(frozen=True)
class LeadExtend:
    project_id: int
    until: datetime
    reason: str


@dataclass(frozen=True)
class LeadRespond:
    comment_id: int
    status: ResponseStatus
    reason: str | None


@dataclass(frozen=True)
class LeadCheck:
    """A lead's APPROVE (reason None) or HIDE (with the reason the author is told)."""

    kind: ItemKind
    number: int
    hide_reason: str | None = None


@dataclass(frozen=True)
class Withdraw:
    """The author takes back their own comment, question or answer."""

    kind: ItemKind
    number: int


@dataclass(frozen=True)
class NameOne:
    """NAME ME with a number: the author's name goes with that one earlier item."""

    kind: ItemKind
    number: int


Effect = (
    Reply
    | StopChannel
    | StartChannel
    | OfferChoice
    | ClearPending
    | SetPending
    | AnswerAttendance
    | AnswerPoll
    | AnswerReview
    | AskReviewAgain
    | RestartReview
    | SignOffReview
    | Join
    | Leave
    | Declare
    | AddComment
    | AskLeads
    | PassToLeads
    | ReplyToQuestion
    | SendBrief
    | SetNamed
    | SetLanguage
    | LeadAsk
    | LeadPoll
    | LeadAnswer
    | LeadExtend
    | LeadRespond
    | LeadCheck
    | Withdraw
    | NameOne
)


def only_not_understood(effects: list[Effect]) -> bool:
    """True when all a step decided was to say it did not understand (a waiting poll or
    review statement then asks its own question again instead)."""
    return bool(effects) and all(
        isinstance(effect, Reply) and effect.kind == "not-understood" for effect in effects
    )
