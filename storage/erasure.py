"""Erasing a person: their personal data goes, the project's record stays.

What goes: their name (replaced by ``ERASED_NAME``), language and access needs, every
address (the contact point rows stay, with a placeholder address and stopped, because the
outbox rows that count reach belong to them), the text of their declarations, what they wrote
when they left a project, the bodies of messages they sent us and of messages sent to them,
their reply tokens and any conversation in progress. Messages still queued for them are
cancelled, never sent. Messages to other people that name them or quote their declarations
lose their bodies too (lead notices such as "Ann Lee has joined"), and are cancelled if they
were not sent yet.

What stays: their comments, questions and replies, with no name beside them (everything
that shows names shows "a contributor" or "A member" for an erased person); whether they
declared an interest, and when; their memberships; and their consents, whose "how" never
holds an address or a name. An audit entry says who erased whom (by id) and when, and each
project they were in has one too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .audit import record_audit
from .consents import record_consent
from .models import (
    ConsentTopic,
    ContactPoint,
    ConversationState,
    Declaration,
    InboundMessageRow,
    Membership,
    OutboxRow,
    OutboxStatus,
    ReplyToken,
)
from .personal_data import contributor_by_id

ERASED_NAME = "Erased contributor"
CANCELLED_BY_ERASURE = "cancelled: contributor erased"
# Queued rows, and rows whose sending is in doubt (which a worker would look up and send
# again), are cancelled. A row a worker is sending at this moment keeps its body; its address
# is stopped, so the dispatcher's check before sending cancels any later attempt.
_TO_CANCEL = (OutboxStatus.QUEUED, OutboxStatus.UNKNOWN)
# What a cancelled row holds, whether cancelled in one statement or row by row.
_CANCELLED = {
    "status": OutboxStatus.CANCELLED,
    "last_error": CANCELLED_BY_ERASURE,
    "lease_until": None,
    "claimed_by": None,
}


@dataclass(frozen=True)
class Erasure:
    contributor_id: int
    already_erased: bool
    cancelled: int = 0


async def erase_contributor(
    session: AsyncSession, contributor_id: int, *, actor: str, now: datetime
) -> Erasure:
    """Remove a person's personal data (see the module docstring); a second time does nothing."""
    person = await contributor_by_id(session, contributor_id)
    if person.erased_at is not None:
        return Erasure(person.id, already_erased=True)
    name = person.name
    points = (
        await session.scalars(select(ContactPoint).where(ContactPoint.contributor_id == person.id))
    ).all()
    point_ids = [point.id for point in points]
    declared = [
        text
        for text in (
            await session.scalars(
                select(Declaration.text).where(
                    Declaration.contributor_id == person.id, Declaration.text.is_not(None)
                )
            )
        ).all()
        if text and text.strip()
    ]
    to_them = or_(OutboxRow.contributor_id == person.id, OutboxRow.contact_point_id.in_(point_ids))

    cancelled = await session.execute(
        update(OutboxRow)
        .where(to_them, OutboxRow.status.in_(_TO_CANCEL))
        .values(**_CANCELLED)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboxRow)
        .where(to_them, OutboxRow.status != OutboxStatus.SENDING)
        .values(subject=None, body=None)
        .execution_options(synchronize_session=False)
    )
    cancelled_mentions = await _forget_mentions(session, name, declared)

    await session.execute(
        update(InboundMessageRow)
        .where(InboundMessageRow.contact_point_id.in_(point_ids))
        .values(sender="erased", subject=None, text=None, unquoted_text=None, routing_token=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Declaration)
        .where(Declaration.contributor_id == person.id)
        .values(text=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Membership)
        .where(Membership.contributor_id == person.id)
        .values(leave_reason=None, notice=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(ReplyToken).where(ReplyToken.contributor_id == person.id))
    await session.execute(
        delete(ConversationState).where(ConversationState.contributor_id == person.id)
    )
    for point in points:
        # The row stays (the outbox rows that count reach hang on it); the address goes, and
        # the placeholder keeps (channel, address) unique.
        point.address = f"erased:{point.id}"
        point.opted_out_at = point.opted_out_at or now
        point.verified = False
        point.failure_reason = None

    for point in points:
        await _withdraw(session, person.id, ConsentTopic.CONTACT, now, point.channel)
    await _withdraw(session, person.id, ConsentTopic.NAMED, now)
    await _withdraw(session, person.id, ConsentTopic.DECLARATIONS, now)

    person.name = ERASED_NAME
    person.language = None
    person.access_needs = []
    person.named_in_comments = False
    person.erased_at = now
    count = (cancelled.rowcount or 0) + cancelled_mentions
    await record_audit(
        session,
        actor=actor,
        action="erase",
        at=now,
        details={"contributor_id": person.id, "cancelled_messages": count},
    )
    # And in each project they were in, so that the project's own log shows it too.
    for project_id in await session.scalars(
        select(Membership.project_id).where(Membership.contributor_id == person.id)
    ):
        await record_audit(
            session,
            actor=actor,
            action="membership.erase",
            at=now,
            project_id=project_id,
            details={"contributor_id": person.id},
        )
    await session.flush()
    return Erasure(person.id, already_erased=False, cancelled=count)


async def _withdraw(
    session: AsyncSession,
    contributor_id: int,
    topic: ConsentTopic,
    now: datetime,
    channel: ChannelName | None = None,
) -> None:
    await record_consent(
        session,
        contributor_id=contributor_id,
        topic=topic,
        channel=channel,
        given=False,
        how="erased",
        now=now,
    )


async def _forget_mentions(session: AsyncSession, name: str, declared: list[str]) -> int:
    """Clear the bodies of messages to others that name this person or quote what they
    declared, and cancel those not sent yet (a lead notice waiting for a lead's channel to
    come back would otherwise still carry the name); returns how many were cancelled. Names
    are matched whole and case-sensitively, so "Jo" leaves "JOIN" be."""
    clues = [OutboxRow.body.contains(name, autoescape=True)]
    clues += [OutboxRow.subject.contains(name, autoescape=True)]
    clues += [OutboxRow.body.contains(text, autoescape=True) for text in declared]
    rows = (
        await session.scalars(
            select(OutboxRow).where(OutboxRow.status != OutboxStatus.SENDING, or_(*clues))
        )
    ).all()
    whole_name = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    cancelled = 0
    for row in rows:
        said = f"{row.subject or ''}\n{row.body or ''}"
        if whole_name.search(said) or any(text in said for text in declared):
            row.subject = None
            row.body = None
            if row.status in _TO_CANCEL:
                for column, value in _CANCELLED.items():
                    setattr(row, column, value)
                cancelled += 1
    return cancelled
