"""The transactional outbox: rows written with the change that caused them, sent by id."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName

from .models import (
    ContactPoint,
    OutboxRow,
    OutboxStatus,
)
from .upsert import insert_from_select

# A delivery report may only move a message forward, never back to "sent".
_REPORTABLE = {
    OutboxStatus.DELIVERED: {OutboxStatus.SENT, OutboxStatus.UNDELIVERED},
    OutboxStatus.UNDELIVERED: {OutboxStatus.SENT},
    OutboxStatus.FAILED: {OutboxStatus.SENT, OutboxStatus.UNDELIVERED},
}


def outbox_values(
    *,
    contact_point_id: int,
    channel: ChannelName,
    contributor_id: int | None,
    kind: str,
    body: str,
    language: str,
    now: datetime,
    subject: str | None = None,
    project_id: int | None = None,
    choices: Sequence[str] = (),
    reply_to_inbound_id: int | None = None,
    not_before: datetime | None = None,
) -> dict[str, object]:
    """One queued message as column values, for ``enqueue`` or ``enqueue_many``; a message
    held (by the project's quiet hours) is not sent before ``not_before``."""
    return {
        "contact_point_id": contact_point_id,
        "channel": channel,
        "contributor_id": contributor_id,
        "project_id": project_id,
        "kind": kind,
        "language": language,
        "subject": subject,
        "body": body,
        "choices": list(choices),
        "reply_to_inbound_id": reply_to_inbound_id,
        "status": OutboxStatus.QUEUED,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": max(now, not_before) if not_before else now,
    }


async def enqueue(
    session: AsyncSession,
    *,
    contact_point: ContactPoint,
    kind: str,
    body: str,
    language: str,
    now: datetime,
    subject: str | None = None,
    project_id: int | None = None,
    choices: Sequence[str] = (),
    reply_to_inbound_id: int | None = None,
) -> OutboxRow:
    row = OutboxRow(
        **outbox_values(
            contact_point_id=contact_point.id,
            channel=contact_point.channel,
            contributor_id=contact_point.contributor_id,
            kind=kind,
            body=body,
            language=language,
            now=now,
            subject=subject,
            project_id=project_id,
            choices=choices,
            reply_to_inbound_id=reply_to_inbound_id,
        )
    )
    session.add(row)
    await session.flush()
    return row


async def enqueue_many(session: AsyncSession, rows: Sequence[dict[str, object]]) -> None:
    """Queue several rows in one statement."""
    if rows:
        # The table, not the class: the ORM's bulk path does per-row work we do not need.
        await session.execute(insert(OutboxRow.__table__), list(rows))


async def enqueue_to_points(
    session: AsyncSession,
    contact_point_ids: Sequence[int],
    *,
    kind: str,
    bodies: Sequence[str],
    language: str,
    now: datetime,
    subject: str | None = None,
    project_id: int | None = None,
    choices: Sequence[str] = (),
    not_before: datetime | None = None,
) -> None:
    """The same message to many addresses (a broadcast): the database writes the rows from
    the contact points, one statement per part, so the cost per person is one id. A
    broadcast held by quiet hours is not sent before ``not_before``."""
    if not contact_point_ids:
        return
    constants = {
        "project_id": project_id,
        "kind": kind,
        "language": language,
        "subject": subject,
        "choices": list(choices),
        "status": OutboxStatus.QUEUED,
        "attempts": 0,
        "created_at": now,
        "next_attempt_at": max(now, not_before) if not_before else now,
    }
    for body in bodies:
        await insert_from_select(
            session,
            OutboxRow.__table__,
            {
                "contact_point_id": ContactPoint.id,
                "channel": ContactPoint.channel,
                "contributor_id": ContactPoint.contributor_id,
            },
            ContactPoint.id.in_(list(contact_point_ids)),
            {**constants, "body": body},
        )


# What "sent" means, in one statement for one message or (executemany) a batch: compiled
# once, so recording a sent message costs no statement building. Like ``_finish``, it only
# touches a row this worker still holds.
_OUTBOX = OutboxRow.__table__
_SENT = (
    update(_OUTBOX)
    .where(
        _OUTBOX.c.id == bindparam("b_id"),
        _OUTBOX.c.claimed_by == bindparam("b_worker"),
        # Not IN (...): a list parameter cannot be used with executemany.
        or_(_OUTBOX.c.status == OutboxStatus.SENDING, _OUTBOX.c.status == OutboxStatus.UNKNOWN),
    )
    .values(
        status=OutboxStatus.SENT,
        provider_id=bindparam("b_provider_id"),
        sent_at=bindparam("b_sent_at"),
        lease_until=None,
        claimed_by=None,
        last_error=None,
    )
)


def _sent_values(
    worker_id: str, outbox_id: int, provider_id: str, at: datetime
) -> dict[str, object]:
    return {"b_id": outbox_id, "b_worker": worker_id, "b_provider_id": provider_id, "b_sent_at": at}


async def mark_sent(
    session: AsyncSession, outbox_id: int, worker_id: str, provider_id: str, now: datetime
) -> bool:
    result = await session.execute(_SENT, _sent_values(worker_id, outbox_id, provider_id, now))
    return result.rowcount == 1


async def mark_many_sent(
    session: AsyncSession, worker_id: str, sent: Sequence[tuple[int, str, datetime]]
) -> None:
    """``mark_sent`` for many (outbox id, provider id, when) at once."""
    if sent:
        await session.execute(_SENT, [_sent_values(worker_id, *one) for one in sent])


async def mark_retry(
    session: AsyncSession,
    outbox_id: int,
    worker_id: str,
    error: str,
    next_attempt_at: datetime,
    parts_sent: int = 0,
) -> bool:
    """Back in the queue for another try; ``parts_sent``, when more than none, is how many
    parts of a long text have arrived (they are not sent again)."""
    more = {"parts_sent": parts_sent} if parts_sent else {}
    return await _finish(
        session,
        outbox_id,
        worker_id,
        status=OutboxStatus.QUEUED,
        next_attempt_at=next_attempt_at,
        last_error=error[:2000],
        **more,
    )


async def mark_unknown(
    session: AsyncSession,
    outbox_id: int,
    worker_id: str,
    error: str,
    *,
    tried_at: datetime,
    look_up_at: datetime,
) -> bool:
    """The provider may have it: keep it out of the queue until it is looked up (or for
    good, on a channel that cannot be asked). ``sent_at`` holds when it was tried."""
    return await _finish(
        session,
        outbox_id,
        worker_id,
        status=OutboxStatus.UNKNOWN,
        sent_at=tried_at,
        next_attempt_at=look_up_at,
        last_error=error[:2000],
    )


async def mark_sending(session: AsyncSession, outbox_id: int, worker_id: str) -> bool:
    """A looked-up row the provider does not have: this worker now sends it."""
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == outbox_id,
            OutboxRow.claimed_by == worker_id,
            OutboxRow.status.in_([OutboxStatus.UNKNOWN, OutboxStatus.SENDING]),
        )
        .values(status=OutboxStatus.SENDING)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def hold_for_reply(
    session: AsyncSession, outbox_id: int, worker_id: str, note: str, look_again_at: datetime
) -> bool:
    """Back in the queue, held until the person writes to us (``release_held_for_reply``);
    it is looked at again at ``look_again_at`` in any case. Holding is not a try."""
    return await _finish(
        session,
        outbox_id,
        worker_id,
        status=OutboxStatus.QUEUED,
        awaits_reply=True,
        next_attempt_at=look_again_at,
        attempts=OutboxRow.attempts - 1,
        last_error=note[:2000],
    )


async def release_held_for_reply(
    session: AsyncSession, contact_point_id: int, now: datetime
) -> int:
    """The person wrote to us from this address: what was held for their reply is due now.
    Returns how many messages were released."""
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.contact_point_id == contact_point_id,
            OutboxRow.awaits_reply.is_(True),
            OutboxRow.status == OutboxStatus.QUEUED,
        )
        .values(awaits_reply=False, next_attempt_at=now, last_error=None, released_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


async def mark_failed(session: AsyncSession, outbox_id: int, worker_id: str, error: str) -> bool:
    return await _finish(
        session, outbox_id, worker_id, status=OutboxStatus.FAILED, last_error=error[:2000]
    )


async def mark_cancelled(
    session: AsyncSession, outbox_id: int, worker_id: str, reason: str
) -> bool:
    return await _finish(
        session, outbox_id, worker_id, status=OutboxStatus.CANCELLED, last_error=reason
    )


async def release(session: AsyncSession, outbox_id: int, worker_id: str) -> bool:
    """Give a claimed row back to the queue untouched (the worker is stopping)."""
    return await _finish(
        session,
        outbox_id,
        worker_id,
        status=OutboxStatus.QUEUED,
        attempts=OutboxRow.attempts - 1,
    )


async def _finish(session: AsyncSession, outbox_id: int, worker_id: str, **values: object) -> bool:
    # Only a row this worker still holds is updated; a row reclaimed after a lost lease is
    # left to whoever holds it now.
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.id == outbox_id,
            OutboxRow.claimed_by == worker_id,
            OutboxRow.status.in_([OutboxStatus.SENDING, OutboxStatus.UNKNOWN]),
        )
        .values(lease_until=None, claimed_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


async def flag_contact_point(
    session: AsyncSession, contact_point_id: int, reason: str, now: datetime
) -> None:
    """Count a permanent failure against an address (see ``ContactPoint.failures``)."""
    await session.execute(
        update(ContactPoint)
        .where(ContactPoint.id == contact_point_id)
        .values(failures=ContactPoint.failures + 1, failed_at=now, failure_reason=reason[:2000])
        .execution_options(synchronize_session=False)
    )


async def flag_contact_point_of(
    session: AsyncSession, channel: ChannelName, provider_id: str, reason: str, now: datetime
) -> None:
    """Count a delivery report that says the address can never be reached against it."""
    point_id = await session.scalar(
        select(OutboxRow.contact_point_id).where(
            OutboxRow.channel == channel, OutboxRow.provider_id == provider_id
        )
    )
    if point_id is not None:
        await flag_contact_point(session, point_id, reason, now)


async def clear_contact_point_failures(session: AsyncSession, contact_point_id: int) -> None:
    await session.execute(
        update(ContactPoint)
        .where(ContactPoint.id == contact_point_id, ContactPoint.failures > 0)
        .values(failures=0)
        .execution_options(synchronize_session=False)
    )


async def record_delivery_report(
    session: AsyncSession,
    channel: ChannelName,
    provider_id: str,
    status: OutboxStatus,
    error: str | None,
    *,
    outbox_id: int | None = None,
    now: datetime | None = None,
) -> bool:
    """Apply a provider's delivery report; returns False when no row could take it.

    A report that names our outbox id also settles a row whose send had not returned yet,
    or whose answer was lost (``unknown``): the provider has it, under ``provider_id``.
    """
    if outbox_id is not None:
        row = await session.get(OutboxRow, outbox_id)
        if row is not None and row.channel == channel and row.provider_id in (None, provider_id):
            if row.status in (OutboxStatus.SENDING, OutboxStatus.UNKNOWN):
                row.provider_id = provider_id
                row.sent_at = row.sent_at or now
                row.lease_until = row.claimed_by = None
                row.status = status
                if error:
                    row.last_error = error
                return True
            if row.status == status:
                return True  # the same report again
    allowed_from = _REPORTABLE.get(status, set())
    values: dict[str, object] = {"status": status}
    if error:
        values["last_error"] = error
    if not allowed_from:
        return False
    result = await session.execute(
        update(OutboxRow)
        .where(
            OutboxRow.channel == channel,
            OutboxRow.provider_id == provider_id,
            OutboxRow.status.in_(allowed_from),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0
