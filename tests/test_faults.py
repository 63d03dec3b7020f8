"""A broadcast to 500 people through providers that misbehave on a set schedule: 30% passing
errors, "slow down" answers, addresses refused for good, answers that come too late. Every
message that can be delivered arrives exactly once; every one that cannot is failed with
its reason."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.services import build_services
from bot.settings import Settings
from channels.base import ChannelName
from channels.telegram import split_message
from storage.db import transaction
from storage.models import ContactPoint, OutboxRow, OutboxStatus
from storage.outbox import enqueue
from tests.broadcast_kit import address, make_broadcast, running_peers
from tests.helpers import ManualClock, add_person, upgrade_database
from tests.peers.faults import Faults

TELEGRAM, SMS, EMAIL = ChannelName.TELEGRAM, ChannelName.SMS, ChannelName.EMAIL
# make_broadcast numbers people 0..499 and gives them Telegram, SMS, email in turn.
REFUSED = {
    (TELEGRAM, address(TELEGRAM, 3)): "blocked",
    (TELEGRAM, address(TELEGRAM, 30)): "blocked",
    (SMS, address(SMS, 4)): "Twilio 21211",
    (SMS, address(SMS, 40)): "Twilio 21211",
    (EMAIL, address(EMAIL, 5)): "SMTP 550",
    (EMAIL, address(EMAIL, 50)): "SMTP 550",
}
SLOW = {
    (TELEGRAM, address(TELEGRAM, 6)),
    (SMS, address(SMS, 7)),
    (SMS, address(SMS, 70)),
    (EMAIL, address(EMAIL, 8)),
}


async def test_a_broadcast_through_faulty_providers_reaches_everyone_once(database_url) -> None:
    await upgrade_database(database_url)
    expected = set(await make_broadcast(database_url, 500))
    assert set(REFUSED) | SLOW <= expected
    clock = ManualClock(datetime.now(UTC) + timedelta(seconds=1))
    faults = Faults(
        transient_ratio=0.3,
        too_many_ratio=0.05,
        retry_after=2,
        slow={address for _, address in SLOW},
        # Far past the client's 0.5 s: a test process stalled by a busy machine reads an
        # answer that came in while it was stalled before noticing its own timeout.
        slow_seconds=3.0,
        seed=20261123,
    )
    with running_peers(faults, clock=clock.now) as peers:
        peers.telegram.blocked_chats.update(int(a) for c, a in REFUSED if c == TELEGRAM)
        peers.twilio.invalid_numbers.update(a for c, a in REFUSED if c == SMS)
        peers.smtp.refuse.update(
            {a: "550 5.1.1 No such mailbox here" for c, a in REFUSED if c == EMAIL}
        )
        services = await build_services(
            Settings(
                database_url=database_url,
                dispatch_concurrency=20,
                telegram_rate=0,
                telegram_chat_rate=0,
                twilio_mps=0,
                smtp_rate=0,
            ),
            clock=clock,
            channels=peers.channels(timeout=0.5),
        )
        try:
            for _ in range(30):  # each round sends what is due, then an hour passes
                await services.dispatcher.dispatch_all_due()
                clock.advance(hours=1)
            async with services.sessions() as session:
                rows = (
                    await session.execute(
                        select(OutboxRow, ContactPoint.address).join(
                            ContactPoint, ContactPoint.id == OutboxRow.contact_point_id
                        )
                    )
                ).all()
        finally:
            await services.close()
        received = peers.received()

    outcome = {(row.channel, where): row for row, where in rows}
    assert set(outcome) == expected
    deliverable = expected - set(REFUSED)
    assert {r: received[r] for r in deliverable} == dict.fromkeys(deliverable, 1)
    assert not set(received) & set(REFUSED)
    for recipient, reason in REFUSED.items():
        row = outcome[recipient]
        assert row.status == OutboxStatus.FAILED
        assert reason in (row.last_error or ""), (recipient, row.last_error)
    # The provider took them but answered too late. Twilio was asked and said it has them;
    # Telegram and SMTP cannot be asked, so those were not sent again and say why.
    for recipient in SLOW:
        row = outcome[recipient]
        if recipient[0] == SMS:
            assert row.status == OutboxStatus.SENT and row.provider_id
        else:
            assert row.status == OutboxStatus.UNKNOWN
            assert "not sent again" in (row.last_error or "")
    unknown = {r for r in SLOW if r[0] != SMS}
    statuses = Counter(row.status for row in outcome.values())
    assert statuses == Counter(
        {
            OutboxStatus.SENT: len(deliverable - unknown),
            OutboxStatus.FAILED: len(REFUSED),
            OutboxStatus.UNKNOWN: len(unknown),
        }
    )
    # The faults really happened: many messages needed more than one try.
    assert sum(row.attempts > 1 for row in outcome.values()) > 100


async def test_a_long_telegram_text_cut_off_halfway_is_finished_not_repeated(
    database_url,
) -> None:
    """The second of three parts meets a server error: the next try sends the second and
    third, so the person reads each part once, in order."""
    await upgrade_database(database_url)
    clock = ManualClock(datetime.now(UTC) + timedelta(seconds=1))
    text = "\n\n".join(f"Paragraph {n}. " + "word " * 150 for n in range(12))
    with running_peers(clock=clock.now) as peers:
        services = await build_services(
            Settings(database_url=database_url, telegram_rate=0, telegram_chat_rate=0),
            clock=clock,
            channels=peers.channels(timeout=5),
        )
        try:
            bea = await add_person(services.sessions, "Bea", telegram="5001")
            async with transaction(services.sessions) as session:
                [point] = await session.scalars(
                    select(ContactPoint).where(ContactPoint.contributor_id == bea.id)
                )
                await enqueue(
                    session,
                    contact_point=point,
                    # Plain text, so the parts are the text's own paragraphs (a brief is
                    # Markdown, sent in Telegram's HTML).
                    kind="digest",
                    body=text,
                    language="en",
                    now=clock.now(),
                )
            peers.telegram.fail_next = [0, 500]
            await services.dispatcher.dispatch_all_due()
            clock.advance(hours=1)
            await services.dispatcher.dispatch_all_due()
            async with services.sessions() as session:
                row = await session.scalar(select(OutboxRow))
        finally:
            await services.close()
        got = [m.text for m in peers.telegram.history]

    assert got == split_message(text) and len(got) == 3
    assert (row.status, row.attempts, row.parts_sent) == (OutboxStatus.SENT, 2, 1)
