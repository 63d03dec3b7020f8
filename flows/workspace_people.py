"""A project's people and what its members sent, for the leads' workspace: codes and values,
never words, in a fixed number of statements per page.

What became of each message in the inbox:

- WAITING / FAILED: not handled yet / its handling failed (the message's own status).
- COMMENT / LATE_COMMENT: a comment kept it (a comment names the message it came from).

Otherwise the replies written to the message decide: outbox rows name the message they
answer (``reply_to_inbound_id``), and :data:`OUTCOME_OF_REPLY` maps their kinds, the first
that fits winning:

- QUESTION, REPLY (to the leads' question), DECLARATION, JOINED, LEFT, STOPPED: thanked for
  or confirmed as one.
- WITHDRAWN: its author took back something they had sent (WITHDRAW and a number).
- CHOICE: the person was offered a numbered choice of projects; their number comes next.
- ATTACHMENT_ONLY: only a picture, voice message or file and no words (also when, on a
  channel they had stopped, it was not answered).
- NOT_JOINED: words from someone invited, not joined, while a window was open.
- WINDOW_CLOSED: words from a member, not a question, with no window open (nor just closed)
  to take them; they were told we did not understand.
- NOT_UNDERSTOOD: other words that went nowhere: a number with no choice waiting, or one out
  of range or too late, or words from someone not (or no longer) a member.
- COMMAND: any other keyword answered (HELP, BRIEF, LANGUAGE, NAME ME, a lead's RESPOND...).
- NO_REPLY: handled with no answer to its sender: a lead's ASK, ANSWER or EXTEND (the group
  got the result), words on a channel its sender had stopped, or too many in a minute.

A message that went to another project (a comment on it, or a reply sent for it) is not
shown. To a lead chosen from the contributors (a team lead sees everything) a line does not
show who sent a comment, question or reply whose author did not choose to be named, nor who
sent a WITHDRAWN line (its number points at what they had sent) or a CHOICE, WAITING or
FAILED line (its words may yet become, or may have been, one of those); those three and
DECLARATION lines do not show their words either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from storage import workspace_queries as q
from storage.models import (
    Comment,
    Contributor,
    InboundMessageRow,
    InboundStatus,
    LeadKind,
    Membership,
    MembershipStatus,
    Project,
)

from .keywords import ParsedText, tidy


@dataclass(frozen=True)
class PersonLine:
    contributor_id: int
    name: str  # empty for someone erased
    state: MembershipStatus
    invited_at: datetime
    joined_at: datetime | None
    left_at: datetime | None
    leave_reason: str | None
    stopped: tuple[ChannelName, ...]  # channels on which they sent STOP
    channel: ChannelName | None  # preferred
    language: str | None
    access_needs: tuple[str, ...]
    last_message_at: datetime | None  # their latest message, from any of their addresses
    failed_deliveries: int  # failed or undelivered messages of this project to them
    lead_kind: LeadKind | None  # None: not a lead


@dataclass(frozen=True)
class PeoplePage:
    total: int
    people: tuple[PersonLine, ...]


async def project_people(
    session: AsyncSession,
    project: Project,
    viewer: LeadKind,
    *,
    offset: int = 0,
    limit: int = 100,
) -> PeoplePage:
    """One page of the project's people by name. Both kinds of lead run the project
    together, so ``viewer`` changes nothing here: both see names, and the reasons people
    gave for leaving."""
    total = await q.member_count(session, project.id)
    members = await q.member_page(session, project.id, offset=offset, limit=limit)
    ids = [person.id for _, person, _ in members]
    stopped = await q.stopped_channels(session, ids)
    last = await q.last_inbound_at(session, ids)
    failed = await q.failed_deliveries_to(session, project.id, ids)
    people = tuple(
        PersonLine(
            contributor_id=person.id,
            name="" if person.erased_at else person.name,
            state=member.status,
            invited_at=member.invited_at,
            joined_at=member.joined_at,
            left_at=member.left_at,
            leave_reason=member.leave_reason,
            stopped=stopped.get(person.id, ()),
            channel=person.preferred_channel,
            language=person.language,
            access_needs=tuple(person.access_needs or ()),
            last_message_at=last.get(person.id),
            failed_deliveries=failed.get(person.id, 0),
            lead_kind=kind,
        )
        for member, person, kind in members
    )
    return PeoplePage(total, people)


class InboxOutcome(StrEnum):
    """What became of a message a member sent (how each is decided: the module docstring)."""

    COMMENT = "comment"
    LATE_COMMENT = "late-comment"
    QUESTION = "question"
    REPLY = "reply"
    DECLARATION = "declaration"
    JOINED = "joined"
    LEFT = "left"
    STOPPED = "stopped"
    WITHDRAWN = "withdrawn"
    CHOICE = "choice"
    ATTACHMENT_ONLY = "attachment-only"
    NOT_JOINED = "not-joined"
    WINDOW_CLOSED = "window-closed"
    NOT_UNDERSTOOD = "not-understood"
    COMMAND = "command"
    NO_REPLY = "no-reply"
    WAITING = "waiting"
    FAILED = "failed"


# Kinds of the replies to a message (``Exchange.reply`` and ``Reply`` in the flows) that say
# what it became, the first found winning. Any other kind is a keyword answered (COMMAND).
OUTCOME_OF_REPLY: dict[str, InboxOutcome] = {
    "comment-thanks": InboxOutcome.COMMENT,  # flows.comments; the comment's own link wins
    "question-thanks": InboxOutcome.QUESTION,  # flows.questions.ask_leads
    "reply-thanks": InboxOutcome.REPLY,  # flows.questions.record_reply
    "declared": InboxOutcome.DECLARATION,  # flows.membership.declare_interest (DECLARE, NONE)
    "joined": InboxOutcome.JOINED,  # flows.membership.join_project
    "left": InboxOutcome.LEFT,  # flows.membership.leave_project
    "stopped": InboxOutcome.STOPPED,  # flows.conversation.respond
    "withdrawn": InboxOutcome.WITHDRAWN,  # flows.lead_channel, the author's WITHDRAW n
    "choice": InboxOutcome.CHOICE,  # flows.commands.offer
    "only-words": InboxOutcome.ATTACHMENT_ONLY,  # flows.unread.only_words_read
    "join-first": InboxOutcome.NOT_JOINED,  # flows.conversation.free_text, flows.commands
    # Words with nowhere to go (flows.conversation.free_text), or a number with no choice
    # waiting: from a member, the first is WINDOW_CLOSED (see _words_found_no_window).
    "not-understood": InboxOutcome.NOT_UNDERSTOOD,
    "choice-again": InboxOutcome.NOT_UNDERSTOOD,  # a number out of range
    "choice-expired": InboxOutcome.NOT_UNDERSTOOD,  # a number after the choice ended
}
# Notes sent beside the answer (flows.unread, flows.conversation): they say nothing of what
# the message became.
NOTES = frozenset({"meant-word", "text-cut", "attachment-not-read"})
# Lines that show a contributor lead neither who sent them nor their words.
_HIDDEN_FROM_CONTRIBUTOR_LEADS = frozenset(
    {InboxOutcome.WITHDRAWN, InboxOutcome.CHOICE, InboxOutcome.WAITING, InboxOutcome.FAILED}
)
_KEPT_ANONYMOUS = (InboxOutcome.QUESTION, InboxOutcome.REPLY)


@dataclass(frozen=True)
class InboxLine:
    id: int
    received_at: datetime
    channel: ChannelName
    contributor_id: int | None  # None: not this lead's to know
    name: str | None  # None: not this lead's to know; empty for someone erased
    text: str | None  # None: not this lead's to read, or let go after the retention period
    attachments: int  # pictures, voice messages or files we could not read
    outcome: InboxOutcome


Sent = tuple[InboundMessageRow, Contributor, Membership]


async def project_inbox(
    session: AsyncSession,
    project: Project,
    viewer: LeadKind,
    *,
    after_id: int | None = None,
    limit: int = 50,
    message_id: int | None = None,
) -> tuple[InboxLine, ...]:
    """What the project's members sent, newest first (with ``after_id``, only what came
    after that message), each with what became of it, as much as ``viewer`` may see."""
    sent = await q.messages_from_members(
        session, project.id, after_id=after_id, limit=limit, message_id=message_id
    )
    ids = [row.id for row, _, _ in sent]
    comments = await q.comments_made_from(session, ids)
    kinds = await q.reply_kinds(session, ids)
    outcomes = {
        row.id: _outcome(row, member, comments.get(row.id), kinds.get(row.id, set()))
        for row, _, member in sent
    }
    shown = await _authors_shown(session, project, viewer, sent, comments, outcomes)
    lines = []
    for row, person, _ in sent:
        outcome = outcomes[row.id]
        author = shown.get(row.id, True)
        hide_words = viewer == LeadKind.CONTRIBUTOR and (
            outcome in _HIDDEN_FROM_CONTRIBUTOR_LEADS or outcome == InboxOutcome.DECLARATION
        )
        lines.append(
            InboxLine(
                id=row.id,
                received_at=row.received_at,
                channel=row.channel,
                contributor_id=person.id if author else None,
                name=("" if person.erased_at else person.name) if author else None,
                text=None if hide_words else row.text,
                attachments=row.attachments or 0,
                outcome=outcome,
            )
        )
    return tuple(lines)


def _outcome(
    row: InboundMessageRow, member: Membership, comment: Comment | None, kinds: set[str]
) -> InboxOutcome:
    if row.status == InboundStatus.NEW:
        return InboxOutcome.WAITING
    if row.status == InboundStatus.FAILED:
        return InboxOutcome.FAILED
    if comment is not None:
        return InboxOutcome.LATE_COMMENT if comment.is_late else InboxOutcome.COMMENT
    answers = kinds - NOTES
    found = next((outcome for kind, outcome in OUTCOME_OF_REPLY.items() if kind in answers), None)
    if "not-understood" in answers and found == InboxOutcome.NOT_UNDERSTOOD:
        return InboxOutcome.WINDOW_CLOSED if _words_found_no_window(row, member) else found
    if found is not None:
        return found
    if kinds:
        return InboxOutcome.COMMAND
    if row.attachments and not (row.text or "").strip():
        return InboxOutcome.ATTACHMENT_ONLY
    return InboxOutcome.NO_REPLY


def _words_found_no_window(row: InboundMessageRow, member: Membership) -> bool:
    """For a message answered "not understood": words (not a bare number) from someone who
    was a joined member then, which only happens when no window was open to take them."""
    at, joined_at, left_at = row.processed_at, member.joined_at, member.left_at
    if at is None or joined_at is None or joined_at > at or (left_at and left_at <= at):
        return False
    words = tidy(row.text or "")
    return bool(words) and ParsedText(None, words).number is None


async def _authors_shown(
    session: AsyncSession,
    project: Project,
    viewer: LeadKind,
    sent: list[Sent],
    comments: dict[int, Comment],
    outcomes: dict[int, InboxOutcome],
) -> dict[int, bool]:
    """For a contributor lead, whether each line may show who sent it (missing: it may)."""
    if viewer != LeadKind.CONTRIBUTOR:
        return {}
    asked = [(row, person) for row, person, _ in sent if outcomes[row.id] in _KEPT_ANONYMOUS]
    moments = [(person.id, row.processed_at) for row, person in asked if row.processed_at]
    questions, replies = await q.named_choices_at(session, project.id, moments)
    shown: dict[int, bool] = {}
    for row, person, _ in sent:
        outcome = outcomes[row.id]
        if outcome in (InboxOutcome.COMMENT, InboxOutcome.LATE_COMMENT):
            shown[row.id] = comments[row.id].is_named
        elif outcome in _KEPT_ANONYMOUS:
            found = questions if outcome == InboxOutcome.QUESTION else replies
            named = found.get((person.id, row.processed_at), []) if row.processed_at else []
            # Named only when surely so: one that cannot be found stays anonymous.
            shown[row.id] = bool(named) and all(named)
        elif outcome in _HIDDEN_FROM_CONTRIBUTOR_LEADS:
            shown[row.id] = False
    return shown
