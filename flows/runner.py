"""Running a flow for one stored inbound message: load the situation, decide, apply.

Called inside the transaction that claimed the message, so the state change, the outbox
rows and the "processed" mark commit together or not at all.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName, InboundEvent
from storage.contributors import contact_point_for_sender
from storage.conversations import clear_state, set_state
from storage.inbound import recent_from_sender
from storage.memberships import membership
from storage.models import (
    CommentWindow,
    ConsentTopic,
    ContactPoint,
    Contributor,
    InboundMessageRow,
    MembershipStatus,
    OutboxRow,
    Project,
)
from storage.outbox import enqueue
from storage.questions import find_question

from . import attendance, lead_actions, lead_polls, lead_reviews, polls, replies, reviews, texts
from .briefs import send_latest_brief
from .comments import record_comment
from .context import Exchange
from .conversation import respond
from .effects import (
    AddComment,
    AnswerAttendance,
    AnswerPoll,
    AnswerReview,
    AskLeads,
    AskReviewAgain,
    ClearPending,
    Declare,
    EditComment,
    Effect,
    Join,
    LeadAnswer,
    LeadAsk,
    LeadCheck,
    LeadExtend,
    LeadPoll,
    LeadRespond,
    Leave,
    NameOne,
    OfferChoice,
    PassToLeads,
    Reply,
    ReplyToQuestion,
    RestartReview,
    SendBrief,
    SetLanguage,
    SetNamed,
    SetPending,
    SignOffReview,
    StartChannel,
    StopChannel,
    Withdraw,
)
from .email_sender import email_origin, tell_of_other_address
from .i18n import Translator, language_name, translator, usable_language
from .keywords import Command, ParsedText, parse, tidy
from .lead_actions import Actor
from .lead_channel import check_over_channel, respond_over_channel
from .membership import declare_interest, join_project, leave_project
from .outbound import Message
from .provider_events import apply_comment_edit, event_effects
from .questions import ask_leads, record_reply
from .sender import Sender
from .situation import REFERRING, Situation, load_situation, read_reference
from .unread import Unread

log = logging.getLogger(__name__)

# Someone we do not know is told who we are at most once a day, so two auto-responders can
# never keep each other talking.
UNKNOWN_SENDER_QUIET = timedelta(hours=24)
CHOICE_LASTS = timedelta(days=1)
FLOOD_WINDOW = timedelta(minutes=1)


async def handle_inbound(
    session: AsyncSession,
    row: InboundMessageRow,
    now: datetime,
    default_language: str,
    sender_rate: int | None = None,
) -> None:
    """Decide on and apply what one inbound message asks for. A sender who wrote more than
    ``sender_rate`` messages in the last minute is not answered (the message is kept), except
    for STOP, until they slow down: a person never needs that many, a loop between two
    robots does."""
    loaded = await _load_sender(session, row, now, default_language)
    if loaded is None:
        log.info("inbound %s: no known sender (channel %s); not answered", row.id, row.channel)
        return
    sender, point, contributor, from_them = loaded
    t = translator(sender.language)
    english = translator("en")
    text = tidy(row.text or "")
    parsed = _stop_in_subject(row, t, english) or parse(text, t, english)
    if not from_them and parsed.command != Command.STOP:
        log.info("inbound %s: a reply token used from another address; not read", row.id)
        await tell_of_other_address(session, point, sender.language, now)
        return
    row.contact_point_id = point.id
    if row.event != InboundEvent.TEXT:
        # An opt-out, opt-in or edit the provider saw: decided by flows.provider_events.
        if (effects := await event_effects(session, row, sender, text, t, now)) is not None:
            await _apply(session, effects, row, point, contributor, now)
            return
        if row.event == InboundEvent.HELP:
            parsed = ParsedText(Command.HELP, "")  # a help word the provider knows, any language
    if parsed.command == Command.STOP:
        if not from_them or await _flooding(session, row, sender_rate):
            # Here stopping is all that may be done, whatever words follow STOP.
            parsed = ParsedText(Command.STOP, "")
    elif await _flooding(session, row, sender_rate):
        log.warning(
            "inbound %s: contact point %s sent more than %d messages in a minute; "
            "kept but not answered",
            row.id,
            point.id,
            sender_rate,
        )
        return
    if contributor is None:
        situation = Situation(sender=sender, now=now)
    else:
        reference = read_reference(parsed.rest, t, english) if parsed.command in REFERRING else None
        situation = await load_situation(
            session, sender, parsed, now, contributor.named_in_comments, reference
        )
    unread = Unread(attachments=row.attachments, cut=row.cut_from is not None, unsure=row.unsure)
    effects = respond(situation, parsed, text, t, unread)
    await _apply(session, effects, row, point, contributor, now)


def _stop_in_subject(
    row: InboundMessageRow, t: Translator, english: Translator
) -> ParsedText | None:
    """STOP as the whole subject of an email wins over its body: it is what the mailto link in
    our List-Unsubscribe header sends, and mail programs add a body of their own to it."""
    if row.channel != ChannelName.EMAIL or not row.subject:
        return None
    subject = re.sub(r"^\s*(?:re|aw|sv|fw|fwd)\s*:\s*", "", row.subject, flags=re.IGNORECASE)
    parsed = parse(tidy(subject), t, english)
    return parsed if parsed.command == Command.STOP and not parsed.rest else None


async def _flooding(session: AsyncSession, row: InboundMessageRow, sender_rate: int | None) -> bool:
    if not sender_rate:
        return False
    since = row.stored_at - FLOOD_WINDOW
    return await recent_from_sender(session, row, since) > sender_rate


async def _load_sender(
    session: AsyncSession, row: InboundMessageRow, now: datetime, default_language: str
) -> tuple[Sender, ContactPoint, Contributor | None, bool] | None:
    """The sender, their contact point and contributor, and whether the message is theirs
    (False for an email whose reply token is theirs but whose From address is not)."""
    from_them = True
    if row.channel == ChannelName.EMAIL:
        origin = await email_origin(session, row)
        if origin is None:
            return None
        point, from_them = origin.point, origin.from_them
    else:
        point = await contact_point_for_sender(session, row.channel, row.sender, now)

    contributor = (
        await session.get(Contributor, point.contributor_id) if point.contributor_id else None
    )
    if contributor is not None and contributor.erased_at is not None:
        contributor = None
    helped_recently = False
    if contributor is None:
        helped_recently = (
            await session.scalar(
                select(OutboxRow.id)
                .where(
                    OutboxRow.contact_point_id == point.id,
                    OutboxRow.kind == "unknown-sender",
                    OutboxRow.created_at > now - UNKNOWN_SENDER_QUIET,
                )
                .limit(1)
            )
        ) is not None
    sender = Sender(
        contact_point_id=point.id,
        channel=point.channel,
        address=point.address,
        language=usable_language(contributor.language if contributor else None, default_language),
        opted_out=point.opted_out_at is not None,
        contributor_id=contributor.id if contributor else None,
        name=contributor.name if contributor else None,
        helped_recently=helped_recently,
    )
    return sender, point, contributor, from_them


async def _apply(
    session: AsyncSession,
    effects: list[Effect],
    row: InboundMessageRow,
    point: ContactPoint,
    contributor: Contributor | None,
    now: datetime,
) -> None:
    if contributor is None:
        # Someone we do not know: only STOP/START and a short reply are possible.
        for effect in effects:
            await _apply_to_stranger(session, effect, row, point, now)
        return
    await session.refresh(contributor, ["contact_points"])
    subject = (
        _reply_subject(row.subject, contributor.language)
        if row.channel == ChannelName.EMAIL
        else None
    )
    exchange = Exchange(session, contributor, point, now, row.id, subject)
    for effect in effects:
        await apply_effect(exchange, effect)


async def _apply_to_stranger(
    session: AsyncSession,
    effect: Effect,
    row: InboundMessageRow,
    point: ContactPoint,
    now: datetime,
) -> None:
    match effect:
        case StopChannel():
            point.opted_out_at = now
        case StartChannel():
            point.opted_out_at = None
        case Reply():
            await enqueue(
                session,
                contact_point=point,
                kind=effect.kind,
                body=effect.body,
                language="en",
                now=now,
                reply_to_inbound_id=row.id,
            )


async def apply_effect(exchange: Exchange, effect: Effect) -> None:
    session, person, now = exchange.session, exchange.contributor, exchange.now
    lead = Actor.lead(person.id)  # lead words are refused by the step to anyone else
    match effect:
        case StopChannel():
            exchange.point.opted_out_at = now
            await exchange.record_consent(ConsentTopic.CONTACT, False, effect.word)
        case StartChannel():
            exchange.point.opted_out_at = None
            await exchange.record_consent(ConsentTopic.CONTACT, True, effect.word)
        case EditComment():
            await apply_comment_edit(exchange, effect)
        case Reply():
            await exchange.reply(effect.kind, effect.body, choices=effect.choices)
        case OfferChoice():
            data = {"purpose": effect.purpose, "options": list(effect.options), **effect.data}
            await set_state(session, person.id, "choose", data, now + CHOICE_LASTS, now)
        case ClearPending():
            await clear_state(session, person.id)
        case SetPending():
            await set_state(session, person.id, effect.state, effect.data, effect.expires_at, now)
        case AnswerAttendance():
            await attendance.record_answer(exchange, effect)
        case AnswerPoll():
            await polls.record_answer(exchange, effect)
        case AnswerReview():
            await reviews.record_answer(exchange, effect)
        case AskReviewAgain():
            await reviews.ask_again(exchange, effect)
        case RestartReview():
            await reviews.restart(exchange, effect)
        case SignOffReview():
            await lead_reviews.sign_off_over_channel(exchange, effect)
        case Join():
            await join_project(exchange, await _project(session, effect.project_id))
        case Leave():
            await leave_project(exchange, await _project(session, effect.project_id), effect.reason)
        case Declare():
            await declare_interest(
                exchange, await _project(session, effect.project_id), effect.text
            )
        case AddComment():
            window = (
                await session.get(CommentWindow, effect.window_id) if effect.window_id else None
            )
            project = await _project(session, effect.project_id)
            await record_comment(
                exchange,
                project,
                window,
                effect.text,
                late=effect.late,
                also_question=effect.also_question,
            )
        case AskLeads():
            await ask_leads(exchange, await _project(session, effect.project_id), effect.text)
        case PassToLeads():
            # Kept as the message itself: the leads' inbox shows it as needing their reply.
            project = await _project(session, effect.project_id)
            if effect.while_declaring:
                await exchange.reply(
                    "note-on-joining",
                    lambda r: Message(replies.passed_while_declaring(r.t)),
                    project=project,
                )
            else:
                await exchange.reply(
                    "passed-to-leads",
                    lambda r: Message(replies.passed_to_leads(r.t)),
                    project=project,
                )
        case ReplyToQuestion():
            question = await find_question(session, effect.question_id)
            project = await _project(session, question.project_id)
            await record_reply(exchange, question, project, effect.text)
        case SendBrief():
            project = await _project(session, effect.project_id)
            found = await membership(session, project.id, person.id)
            await send_latest_brief(
                session,
                person,
                exchange.point,
                project,
                invited=found is not None and found.status == MembershipStatus.INVITED,
                now=now,
                reply_to_inbound_id=exchange.inbound_id,
            )
        case SetNamed():
            person.named_in_comments = effect.named
            word = "NAME ME" if effect.named else "ANONYMOUS"
            await exchange.record_consent(ConsentTopic.NAMED, effect.named, word)
        case SetLanguage():
            person.language = effect.language
            name = language_name(effect.language)
            await exchange.reply("language", lambda r: Message(replies.language_set(r.t, name)))
        case LeadAsk():
            code = (await _project(session, effect.project_id)).code
            await lead_actions.ask_group(session, lead, code, effect.text, now=now)
        case LeadPoll():
            await lead_polls.poll_over_channel(exchange, lead, effect)
        case LeadAnswer():
            await lead_actions.answer_question(
                session, lead, effect.question_id, effect.text, now=now
            )
        case LeadExtend():
            await lead_actions.extend_window(
                session,
                lead,
                (await _project(session, effect.project_id)).code,
                until=effect.until,
                reason=effect.reason,
                now=now,
            )
        case LeadRespond():
            await respond_over_channel(exchange, effect.comment_id, effect.status, effect.reason)
        case LeadCheck() | Withdraw() | NameOne():
            await check_over_channel(exchange, effect)


async def _project(session: AsyncSession, project_id: int) -> Project:
    project = await session.get(Project, project_id)
    assert project is not None  # ids come from the situation loaded in this transaction
    return project


def _reply_subject(their_subject: str | None, language: str | None) -> str:
    if their_subject and their_subject.strip():
        cleaned = their_subject.strip()
        return cleaned if cleaned.lower().startswith("re:") else f"Re: {cleaned}"
    return texts.reply_subject(translator(usable_language(language)))
