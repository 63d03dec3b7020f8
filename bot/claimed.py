"""Getting claimed outbox rows ready to send: what each needs is loaded for all of them at
once, and those that must not go now are set aside in the same transaction.

A row for a channel that is not set up (no credentials, so not in the dispatcher's
channels) fails at once with that reason, so it shows in ``coproduce outbox failed``
instead of waiting unseen; the same words go on by the person's other channel when they
have one that is on and not stopped. It is done here, in the transaction that holds the
claim, so only the worker holding the row fails it and writes the new row, once.

WhatsApp lets us send free text only within 24 hours of the person's last message to us.
A WhatsApp row claimed outside that window is held (``awaits_reply``) instead of sent, and
the approved template goes in its place, once for all that waits ("You have a new message
about ..."); a new template only after the person has written again. When they write, what
was held is due again (``storage.outbox.release_held_for_reply``, called by the inbound
path), and goes as free text because the window is open.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import Channel, ChannelName, EmailFooter, OutboundMessage, known_access_needs
from channels.whatsapp import TEMPLATE_TEXT, TemplateMessage
from flows import texts
from flows.conversation import may_still_send
from flows.i18n import translator, usable_language
from flows.outbound import Message, best_of, bodies_for, written_in_markdown
from flows.unsubscribe import email_footer, unsubscribe_url
from storage.models import MembershipStatus, OutboxRow, OutboxStatus
from storage.outbox import (
    enqueue_many,
    hold_for_reply,
    mark_cancelled,
    mark_failed,
    outbox_values,
)
from storage.outbox_claims import (
    Claim,
    Sendable,
    last_heard_from,
    latest_of_kind,
    load_sendables,
    lock_contact_points,
    open_contact_points,
    project_titles,
)
from storage.projects import organisations_of
from storage.reply_tokens import tokens_for, unsubscribe_secret, unsubscribe_token

log = logging.getLogger(__name__)

# How a lead reads each channel's name in a reason.
CHANNEL_WORDS = {
    ChannelName.SMS: "SMS",
    ChannelName.EMAIL: "email",
    ChannelName.TELEGRAM: "Telegram",
    ChannelName.WHATSAPP: "WhatsApp",
}
# The kind of the outbox row that carries WhatsApp's approved template.
WHATSAPP_TEMPLATE = "whatsapp-template"
# Replies that speak of the channel they answer ("no more texts from us"): on another
# channel they would be wrong, so they fail without going on.
ABOUT_THEIR_CHANNEL = frozenset({"stopped", "started", WHATSAPP_TEMPLATE})

# WhatsApp: free text only this long after the person's last message to us, less a margin
# for the time their message took to reach us and ours will take to reach them.
WHATSAPP_WINDOW = timedelta(hours=24)
WHATSAPP_WINDOW_MARGIN = timedelta(minutes=10)
# A held message is looked at again after this long even if nobody wrote (a template that
# failed is then tried again).
HOLD_LOOKED_AT_AGAIN = timedelta(days=1)
HELD_NOTE = "waiting for the person to write: WhatsApp allows only a template now"
# The template's project name when the message belongs to no project.
NO_PROJECT_NAME = "your project"


def not_set_up(channel: ChannelName) -> str:
    """Why a message for a channel with no settings failed."""
    return f"the {CHANNEL_WORDS[channel]} channel is not set up"


@dataclass(frozen=True)
class Ready:
    """A claimed row with everything needed to send it and record how that went, so no
    transaction is open while it is with the provider."""

    was: OutboxStatus
    channel: Channel
    message: OutboundMessage
    attempts: int
    created_at: datetime
    # Where the time to try again starts: when it was queued, or released after a hold.
    retry_from: datetime
    tried_at: datetime | None
    contact_point_id: int
    had_failures: bool


async def ready_to_send(
    session: AsyncSession,
    claims: list[Claim],
    channels: Mapping[ChannelName, Channel],
    worker_id: str,
    now: datetime,
    *,
    organisation: str | None = None,
    public_url: str | None = None,
) -> list[Ready]:
    """The claimed rows to send now; a row whose person opted out is cancelled, and a row
    for a channel that is not set up fails and goes on by the person's other channel.
    Each email ends with the footer the flows write (``organisation`` is the service's,
    for projects that name none; ``public_url`` makes the one-click unsubscribe link)."""
    was = {claim.id: claim.was for claim in claims}
    sendables = await load_sendables(session, list(was))
    tokens = await tokens_for(
        session,
        {
            (s.contact_point.contributor_id, s.row.project_id)
            for s in sendables
            if s.row.channel == ChannelName.EMAIL and s.contact_point.contributor_id
        },
        now,
    )
    footers = await _footers(session, sendables, organisation, public_url)
    heard = await last_heard_from(
        session,
        ChannelName.WHATSAPP,
        {s.contact_point.address for s in sendables if s.row.channel == ChannelName.WHATSAPP},
    )
    titles = await project_titles(
        session, {s.row.project_id for s in sendables if s.row.kind == WHATSAPP_TEMPLATE}
    )
    ready = []
    not_on: list[Sendable] = []
    held: list[Sendable] = []
    for sendable in sendables:
        row, point = sendable.row, sendable.contact_point
        if row.claimed_by != worker_id:
            continue
        left = sendable.membership_status == MembershipStatus.LEFT
        if not may_still_send(row.kind, point.opted_out_at is not None, left):
            await mark_cancelled(session, row.id, worker_id, "opted out before it was sent")
            log.info("outbox %s: cancelled, the recipient opted out", row.id)
            continue
        channel = channels.get(row.channel)
        if channel is None:
            not_on.append(sendable)
            continue
        # A row that may already be with the provider is looked up, never held.
        if was[row.id] == OutboxStatus.QUEUED and must_wait_for_reply(
            row, heard.get(point.address), now
        ):
            held.append(sendable)
            continue
        token = None
        if point.contributor_id is not None:
            token = tokens.get((point.contributor_id, row.project_id))
        ready.append(
            Ready(
                was=was[row.id],
                channel=channel,
                message=_message(sendable, token, footers.get(row.id), titles),
                attempts=row.attempts,
                created_at=row.created_at,
                retry_from=row.released_at or row.created_at,
                tried_at=row.sent_at,
                contact_point_id=point.id,
                had_failures=point.failures > 0,
            )
        )
    if not_on:
        await _fail_and_send_on(session, not_on, channels, worker_id, now)
    if held:
        await _hold_for_their_reply(session, held, heard, worker_id, now)
    return ready


def must_wait_for_reply(row: OutboxRow, last_heard: datetime | None, now: datetime) -> bool:
    """True for WhatsApp free text outside the 24 hours after the person's last message."""
    if row.channel != ChannelName.WHATSAPP or row.kind == WHATSAPP_TEMPLATE:
        return False
    return last_heard is None or now - last_heard >= WHATSAPP_WINDOW - WHATSAPP_WINDOW_MARGIN


async def _hold_for_their_reply(
    session: AsyncSession,
    held: list[Sendable],
    heard: Mapping[str, datetime],
    worker_id: str,
    now: datetime,
) -> None:
    """Hold each row until its person writes, and queue the template to each person who has
    not had one since they last wrote."""
    first_held: dict[int, Sendable] = {}
    for sendable in held:
        first_held.setdefault(sendable.contact_point.id, sendable)
    await lock_contact_points(session, first_held)
    templates = await latest_of_kind(session, first_held, WHATSAPP_TEMPLATE)
    titles = await project_titles(session, {s.row.project_id for s in first_held.values()})
    for sendable in held:
        await hold_for_reply(
            session, sendable.row.id, worker_id, HELD_NOTE, now + HOLD_LOOKED_AT_AGAIN
        )
    new_templates = []
    for point_id, sendable in first_held.items():
        last_template = templates.get(point_id)
        last_heard = heard.get(sendable.contact_point.address)
        if last_template is not None and (last_heard is None or last_template > last_heard):
            continue  # one template for each time they go quiet
        row = sendable.row
        name = titles.get(row.project_id or 0, NO_PROJECT_NAME)
        new_templates.append(
            outbox_values(
                contact_point_id=point_id,
                channel=ChannelName.WHATSAPP,
                contributor_id=sendable.contact_point.contributor_id,
                kind=WHATSAPP_TEMPLATE,
                body=TEMPLATE_TEXT.format(project=name),
                language="en",
                now=now,
                project_id=row.project_id,
            )
        )
    log.info(
        "WhatsApp: %d messages held for their person's reply, %d templates queued",
        len(held),
        len(new_templates),
    )
    await enqueue_many(session, new_templates)


async def _fail_and_send_on(
    session: AsyncSession,
    sendables: list[Sendable],
    channels: Mapping[ChannelName, Channel],
    worker_id: str,
    now: datetime,
) -> None:
    """Fail each row whose channel is not set up; queue its words again to the person's
    other address where they have one on a channel that is on and not stopped."""
    people = [s.contributor.id for s in sendables if s.contributor]
    points = await open_contact_points(session, people, list(channels))
    titles = await project_titles(session, {s.row.project_id for s in sendables})
    for sendable in sendables:
        row, person = sendable.row, sendable.contributor
        other = None
        if person is not None and row.kind not in ABOUT_THEIR_CHANNEL:
            other = best_of(points.get(person.id, []), person.preferred_channel)
        # Without the new rows' ids, so that failures group by reason in ``outbox status``.
        reason = not_set_up(row.channel)
        if other is not None:
            reason += f"; it went on by {CHANNEL_WORDS[other.channel]}"
        if not await mark_failed(session, row.id, worker_id, reason):
            continue
        log.warning("outbox %s: failed: %s", row.id, reason)
        if other is None:
            continue
        subject = None
        if other.channel == ChannelName.EMAIL:
            subject = row.subject or titles.get(row.project_id or 0) or _reply_subject(row)
        await enqueue_many(
            session,
            [
                outbox_values(
                    contact_point_id=other.id,
                    channel=other.channel,
                    contributor_id=other.contributor_id,
                    kind=row.kind,
                    body=body,
                    language=row.language,
                    now=now,
                    subject=subject,
                    project_id=row.project_id,
                    choices=row.choices or (),
                    reply_to_inbound_id=row.reply_to_inbound_id,
                )
                for body in bodies_for(other.channel, Message(row.body or ""))
            ],
        )


def _reply_subject(row: OutboxRow) -> str:
    # A message outside any project answers something the person sent: say so, as an
    # email reply with no subject of theirs does.
    return texts.reply_subject(translator(usable_language(row.language)))


async def _footers(
    session: AsyncSession,
    sendables: list[Sendable],
    organisation: str | None,
    public_url: str | None,
) -> dict[int, EmailFooter]:
    """Each email's footer, by outbox id, in its reader's language; the organisation is the
    project's own, else the service's."""
    emails = [s for s in sendables if s.row.channel == ChannelName.EMAIL]
    if not emails:
        return {}
    named = await organisations_of(session, {s.row.project_id for s in emails if s.row.project_id})
    secret = await unsubscribe_secret(session) if public_url else None
    footers = {}
    for sendable in emails:
        row, point = sendable.row, sendable.contact_point
        url = None
        if secret is not None:
            url = unsubscribe_url(public_url, unsubscribe_token(secret, point.id, point.address))
        speaking_for = named.get(row.project_id or 0, organisation)
        footers[row.id] = EmailFooter(email_footer(row.language, speaking_for, url), url)
    return footers


def _message(
    sendable: Sendable,
    reply_token: str | None,
    footer: EmailFooter | None = None,
    titles: Mapping[int, str] | None = None,
) -> OutboundMessage:
    row, point = sendable.row, sendable.contact_point
    if row.kind == WHATSAPP_TEMPLATE:
        # The project's name as it is now, in the words sent and in the look-up alike.
        name = (titles or {}).get(row.project_id or 0, NO_PROJECT_NAME)
        return TemplateMessage(
            outbox_id=row.id,
            channel=row.channel,
            address=point.address,
            body=TEMPLATE_TEXT.format(project=name),
            language=row.language,
            variables=(("1", name),),
        )
    # Read when claimed, so a need recorded after the row was queued still counts.
    needs = sendable.contributor.access_needs if sendable.contributor else ()
    return OutboundMessage(
        outbox_id=row.id,
        channel=row.channel,
        address=point.address,
        body=row.body or "",
        language=row.language,
        subject=row.subject,
        reply_token=reply_token,
        in_reply_to=sendable.in_reply_to,
        choices=tuple(row.choices or ()),
        access_needs=known_access_needs(needs or ()),
        parts_sent=row.parts_sent,
        footer=footer,
        markdown=written_in_markdown(row.kind),
    )
