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
- PASSED_TO_LEADS: words with nowhere else to go from someone the leads wrote to in the last
  days (a reply to their message or announcement): kept for the leads, to answer.
- NOTE_ON_JOINING: words with nowhere else to go sent while we waited for a declaration of
  interest: kept for the leads (they may be about the sender's health, so only the team's
  leads read them, as with declarations).
- SMALL_TALK: thanks, OK or a thumbs-up, answered kindly; nothing to do.
- UNCLEAR: an email reply whose own words we could not tell from the earlier emails it
  quotes; nothing was kept, the person was asked to send just their words, and the line
  shows all of its unquoted lines for the leads to read.
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

A lead's own reply to a message (``inbox reply``) does not change what it became; the line
says a lead replied. A line is *unhandled* when nothing was done with it (PASSED_TO_LEADS,
NOTE_ON_JOINING, UNCLEAR, ATTACHMENT_ONLY, NOT_JOINED, WINDOW_CLOSED, NOT_UNDERSTOOD, WAITING,
FAILED) and no lead has replied to it.

A message that went to another project (a comment on it, or a reply sent for it) is not
shown. To a lead chosen from the contributors (a team lead sees everything) a line does not
show who sent a comment, question or reply whose author did not choose to be named, nor who
sent a WITHDRAWN line (its number points at what they had sent) or a CHOICE, WAITING or
FAILED line (its words may yet become, or may have been, one of those); those three,
DECLARATION and NOTE_ON_JOINING lines do not show their words either.
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
from .lead_messages import LEAD_MESSAGE


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
    PASSED_TO_LEADS = "passed-to-leads"
    NOTE_ON_JOINING = "note-on-joining"
    SMALL_TALK = "small-talk"
    UNCLEAR = "unclear"
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
    # Words kept for the leads (flows.conversation.free_text, applied by flows.runner).
    "passed-to-leads": InboxOutcome.PASSED_TO_LEADS,
    "note-on-joining": InboxOutcome.NOTE_ON_JOINING,
    "small-talk": InboxOutcome.SMALL_TALK,  # flows.small_talk: thanks, OK, a thumbs-up
    "unclear-reply": InboxOutcome.UNCLEAR,  # flows.unread.unclear_reply
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
# A lead's own answer to the message (flows.lead_messages): not what the service made of it.
LEAD_REPLIES = frozenset({LEAD_MESSAGE})
# What nothing was done with: until a lead replies, a line for the leads to look at.
NOTHING_DONE = frozenset(
    {
        InboxOutcome.PASSED_TO_LEADS,
        InboxOutcome.NOTE_ON_JOINING,
        InboxOutcome.UNCLEAR,
        InboxOutcome.ATTACHMENT_ONLY,
        InboxOutcome.NOT_JOINED,
        InboxOutcome.WINDOW_CLOSED,
        InboxOutcome.NOT_UNDERSTOOD,
        InboxOutcome.WAITING,
        InboxOutcome.FAILED,
    }
)
# Lines that show a contributor lead neither who sent them nor their words.
_HIDDEN_FROM_CONTRIBUTOR_LEADS = frozenset(
    {InboxOutcome.WITHDRAWN, InboxOutcome.CHOICE, InboxOutcome.WAITING, InboxOutcome.FAILED}
)
# Lines whose words a contributor lead does not read: a declaration, and words sent while
# we waited for one (they may be health data too).
_WORDS_FOR_STAFF_ONLY = frozenset({InboxOutcome.DECLARATION, InboxOutcome.NOTE_ON_JOINING})
_KEPT_ANONYMOUS = (InboxOutcome.QUESTION, InboxOutcome.REPLY)
# Messages read at a time while looking for those nothing was done with.
UNHANDLED_BATCH = 200


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
    # The comment or question it became, or the leads' question it answers.
    number: int | None = None
    lead_replied: bool = False  # a lead has written back to its sender about it

    @property
    def unhandled(self) -> bool:
        """Nothing was done with it, and no lead has replied to it."""
        return self.outcome in NOTHING_DONE and not self.lead_replied


Sent = tuple[InboundMessageRow, Contributor, Membership]
Made = dict[q.Moment, list[q.Made]]


async def project_inbox(
    session: AsyncSession,
    project: Project,
    viewer: LeadKind,
    *,
    after_id: int | None = None,
    limit: int = 50,
    message_id: int | None = None,
    unhandled: bool = False,
) -> tuple[InboxLine, ...]:
    """What the project's members sent, newest first (with ``after_id``, only what came
    after that message), each with what became of it, as much as ``viewer`` may see. With
    ``unhandled``, only the messages nothing was done with and no lead has replied to."""
    if not unhandled:
        return await _inbox_page(
            session, project, viewer, after_id=after_id, limit=limit, message_id=message_id
        )
    found: list[InboxLine] = []
    before = None
    while len(found) < limit:
        lines = await _inbox_page(
            session,
            project,
            viewer,
            after_id=after_id,
            before_id=before,
            limit=UNHANDLED_BATCH,
            message_id=message_id,
        )
        found += [line for line in lines if line.unhandled]
        if len(lines) < UNHANDLED_BATCH:
            break
        before = lines[-1].id
    return tuple(found[:limit])


async def _inbox_page(
    session: AsyncSession,
    project: Project,
    viewer: LeadKind,
    *,
    after_id: int | None,
    limit: int,
    message_id: int | None,
    before_id: int | None = None,
) -> tuple[InboxLine, ...]:
    sent = await q.messages_from_members(
        session,
        project.id,
        after_id=after_id,
        before_id=before_id,
        limit=limit,
        message_id=message_id,
    )
    ids = [row.id for row, _, _ in sent]
    comments = await q.comments_made_from(session, ids)
    kinds = await q.reply_kinds(session, ids)
    outcomes = {
        row.id: _outcome(row, member, comments.get(row.id), kinds.get(row.id, set()))
        for row, _, member in sent
    }
    asked = [(row, person) for row, person, _ in sent if outcomes[row.id] in _KEPT_ANONYMOUS]
    moments = [(person.id, row.processed_at) for row, person in asked if row.processed_at]
    questions, replies = await q.named_choices_at(session, project.id, moments)
    lines = []
    for row, person, _ in sent:
        outcome = outcomes[row.id]
        made = _made(row, person, outcome, questions, replies)
        author = _author_shown(viewer, outcome, comments.get(row.id), made)
        hide_words = viewer == LeadKind.CONTRIBUTOR and (
            outcome in _HIDDEN_FROM_CONTRIBUTOR_LEADS or outcome in _WORDS_FOR_STAFF_ONLY
        )
        numbers = {number for number, _ in made}
        comment = comments.get(row.id)
        lines.append(
            InboxLine(
                id=row.id,
                received_at=row.received_at,
                channel=row.channel,
                contributor_id=person.id if author else None,
                name=("" if person.erased_at else person.name) if author else None,
                text=None if hide_words else _words(row, outcome),
                attachments=row.attachments or 0,
                outcome=outcome,
                number=comment.id if comment else (numbers.pop() if len(numbers) == 1 else None),
                lead_replied=bool(kinds.get(row.id, set()) & LEAD_REPLIES),
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
    kinds = kinds - LEAD_REPLIES
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


def _words(row: InboundMessageRow, outcome: InboxOutcome) -> str | None:
    """The words a line shows: for a reply we could not read, all its unquoted lines."""
    if outcome == InboxOutcome.UNCLEAR and row.unquoted_text:
        return row.unquoted_text
    return row.text


def _words_found_no_window(row: InboundMessageRow, member: Membership) -> bool:
    """For a message answered "not understood": words (not a bare number) from someone who
    was a joined member then, which only happens when no window was open to take them."""
    at, joined_at, left_at = row.processed_at, member.joined_at, member.left_at
    if at is None or joined_at is None or joined_at > at or (left_at and left_at <= at):
        return False
    words = tidy(row.text or "")
    return bool(words) and ParsedText(None, words).number is None


def _made(
    row: InboundMessageRow,
    person: Contributor,
    outcome: InboxOutcome,
    questions: Made,
    replies: Made,
) -> list[q.Made]:
    """For a question or a reply to the leads' question: what it is, found by its author and
    the moment it was handled (neither keeps the message it came from)."""
    if outcome not in _KEPT_ANONYMOUS or row.processed_at is None:
        return []
    found = questions if outcome == InboxOutcome.QUESTION else replies
    return found.get((person.id, row.processed_at), [])


def _author_shown(
    viewer: LeadKind, outcome: InboxOutcome, comment: Comment | None, made: list[q.Made]
) -> bool:
    """Whether a line may show who sent it: always to a team lead; to a contributor lead,
    only for what its author chose to sign."""
    if viewer != LeadKind.CONTRIBUTOR:
        return True
    if outcome in (InboxOutcome.COMMENT, InboxOutcome.LATE_COMMENT):
        assert comment is not None
        return comment.is_named
    if outcome in _KEPT_ANONYMOUS:
        # Named only when surely so: one that cannot be found stays anonymous.
        return bool(made) and all(named for _, named in made)
    return outcome not in _HIDDEN_FROM_CONTRIBUTOR_LEADS
