"""What a provider tells us besides a person's words, and what we do about it.

The channel only says what happened (``InboundMessage.event``); this module decides.

- ``stopped`` (Twilio Advanced Opt-Out's OptOutType=STOP, whatever the words: ARRET, REVOKE;
  a Telegram user blocking the bot): the contact point is stopped, with the opt-out in the
  consent history. Nothing is sent: Twilio has already confirmed it to the person (ours would
  fail with 21610), and a Telegram user who blocked the bot cannot be written to.
- ``started`` (OptOutType=START; unblocking the bot): the contact point is open again, with
  the opt-in in the consent history. Twilio confirms a START itself, so only Telegram gets our
  short welcome back. A start from someone who was not stopped changes nothing, and
  unblocking the bot does not take back a STOP the person typed.
- ``help`` (OptOutType=HELP): our own help, in the person's language, as for HELP alone
  (:mod:`flows.runner` reads it so).
- ``edited`` (a Telegram message changed): an edit of a comment while its window is open
  replaces its words, the earlier words kept (``comment_edits``), and the person is told we
  have the change. After the close, the new words are kept as a late comment, stored from
  the edit's own inbound row, whose ``edit_of`` names the message edited. An edit of anything
  else (a keyword, a question, an answer) is not read: the first message was acted on, and
  acting again on new words could join, leave or ask twice; the person is asked to send a
  new message instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName, InboundEvent
from storage.comments import add_comment, change_comment_text, comment_of_message, find_comment
from storage.consents import at_the_provider, latest_contact_consent, said_how
from storage.models import CheckState, CommentWindow, InboundMessageRow, Project

from . import texts
from .context import Exchange
from .effects import EditComment, Effect, Reply, StartChannel, StopChannel
from .i18n import Translator
from .outbound import Message, Reader
from .sender import Sender
from .sharing import check_on_arrival

# Channels whose provider confirms an opt-in to the person itself (Twilio Advanced Opt-Out).
START_CONFIRMED_BY_PROVIDER = frozenset({ChannelName.SMS})
# How each opt-out or opt-in seen by the provider is written in the consent history (after
# the channel's name: "sms STOP at the provider", "telegram blocked the bot").
BLOCKED, UNBLOCKED = "blocked the bot", "unblocked the bot"
CONSENT_WORDS = {
    (ChannelName.TELEGRAM, InboundEvent.STOPPED): BLOCKED,
    (ChannelName.TELEGRAM, InboundEvent.STARTED): UNBLOCKED,
}
PROVIDER_WORDS = {InboundEvent.STOPPED: "STOP", InboundEvent.STARTED: "START"}
# Where an opt-in the provider saw takes back only the opt-outs it saw too: unblocking the
# Telegram bot takes back blocking it (as the update or a refused send says), not a STOP.
TAKEN_BACK_BY_PROVIDER = {
    ChannelName.TELEGRAM: frozenset(
        {
            said_how(ChannelName.TELEGRAM, BLOCKED),
            at_the_provider(ChannelName.TELEGRAM, "opted out"),
        }
    )
}
# Checks whose outcome an edit undoes: the new words are checked again. A comment hidden by
# a lead or withdrawn by its author stays so.
CHECKED_AGAIN = frozenset({CheckState.WAITING, CheckState.SHARED})


@dataclass(frozen=True)
class EditedComment:
    """The comment an edited message became, and whether its window has closed since."""

    comment_id: int
    late: bool


async def load_edited_comment(
    session: AsyncSession, row: InboundMessageRow, now: datetime
) -> EditedComment | None:
    """The comment that the message an edit replaces became, if it became one."""
    if not row.edit_of:
        return None
    comment = await comment_of_message(session, row.channel, row.sender, row.edit_of)
    if comment is None:
        return None
    window = await session.get(CommentWindow, comment.window_id) if comment.window_id else None
    open_ = window is not None and window.opens_at <= now < window.closes_at
    return EditedComment(comment.id, late=comment.is_late or not open_)


async def event_effects(
    session: AsyncSession,
    row: InboundMessageRow,
    sender: Sender,
    text: str,
    t: Translator,
    now: datetime,
) -> list[Effect] | None:
    """What to do about a stored message that is an event; None when the conversation
    reads it (words, and ``help``)."""
    try:
        event = InboundEvent(row.event)
    except ValueError:
        return None
    if event == InboundEvent.STARTED and not await _opt_in_takes_back_the_opt_out(session, sender):
        return []  # unblocking the bot does not take back a STOP they typed
    edited = await load_edited_comment(session, row, now) if event == InboundEvent.EDITED else None
    return respond_to_event(event, sender, text, t, edited)


async def _opt_in_takes_back_the_opt_out(session: AsyncSession, sender: Sender) -> bool:
    """Whether an opt-in the provider saw may open this person's channel again: not when
    they stopped it by a word of their own where the provider could not know of it."""
    taken_back = TAKEN_BACK_BY_PROVIDER.get(sender.channel)
    if taken_back is None or not sender.contributor_id or not sender.opted_out:
        return True
    last = await latest_contact_consent(session, sender.contributor_id, sender.channel)
    return last is None or last.given or last.how in taken_back


def respond_to_event(
    event: InboundEvent,
    sender: Sender,
    text: str,
    t: Translator,
    edited: EditedComment | None = None,
) -> list[Effect] | None:
    """What to do about an event the provider saw; None for words (and for ``help``), which
    the conversation reads."""
    match event:
        case InboundEvent.STOPPED:
            return [] if sender.opted_out else [StopChannel(_consent_word(sender, event))]
        case InboundEvent.STARTED:
            if not sender.opted_out:
                return []  # nothing was stopped; the provider has answered them already
            effects: list[Effect] = [StartChannel(_consent_word(sender, event))]
            if sender.channel not in START_CONFIRMED_BY_PROVIDER and sender.is_known:
                effects.append(Reply("started", texts.started_text(t, sender.channel)))
            return effects
        case InboundEvent.EDITED:
            if not sender.is_known or sender.opted_out or not text:
                return []
            if edited is None:
                return [Reply("edit-not-read", edit_not_read(t))]
            return [EditComment(edited.comment_id, text, late=edited.late)]
    return None


def _consent_word(sender: Sender, event: InboundEvent) -> str:
    return CONSENT_WORDS.get((sender.channel, event), f"{PROVIDER_WORDS[event]} at the provider")


def edit_not_read(t: Translator) -> str:
    return t.gettext(
        "You changed a message you sent us. We only read changes to comments, so we did not "
        "read this change. Please send what you meant as a new message."
    )


def change_thanks(reader: Reader, project: Project, number: int, held: bool) -> str:
    t = reader.t
    said = t.gettext(
        "Thank you. We have your change to your comment on {code}. Its number is {number}."
    ).format(code=project.code, number=number)
    if held:
        said += " " + t.gettext("The leads will read it before it is shared with the group.")
    return said


def late_change_text(reader: Reader, project: Project, number: int, late: int) -> str:
    return reader.t.gettext(
        "Thank you. Comments on {code} have closed, so comment {number} stays as it was. "
        "We have kept your change for the leads as a late comment. Its number is {late}."
    ).format(code=project.code, number=number, late=late)


async def apply_comment_edit(exchange: Exchange, effect: EditComment) -> None:
    """Replace the comment's words (open window) or keep them as a late comment, and say so."""
    session, person, now = exchange.session, exchange.contributor, exchange.now
    comment = await find_comment(session, effect.comment_id)
    project = await session.get(Project, comment.project_id)
    assert project is not None
    if effect.late:
        late = await add_comment(
            session,
            project_id=project.id,
            window_id=comment.window_id,
            contributor_id=person.id,
            channel=exchange.point.channel,
            text=effect.text,
            is_late=True,
            is_named=person.named_in_comments,
            inbound_message_id=exchange.inbound_id,
            now=now,
        )
        await check_on_arrival(session, project, late, person, now)
        await exchange.reply(
            "comment-change-late",
            lambda r: Message(late_change_text(r, project, comment.id, late.id)),
            project=project,
        )
        return
    await change_comment_text(session, comment, effect.text, exchange.inbound_id, now)
    if comment.check_state in CHECKED_AGAIN:
        # The words a lead approved or redacted are gone: the new ones are checked afresh.
        comment.shared_text = None
        comment.checked_by = None
        comment.checked_at = None
        await check_on_arrival(session, project, comment, person, now)
    held = comment.check_state == CheckState.WAITING
    await exchange.reply(
        "comment-changed",
        lambda r: Message(change_thanks(r, project, comment.id, held)),
        project=project,
    )
