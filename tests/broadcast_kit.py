"""A big broadcast and the three local providers it goes to, for the delivery tests.

``make_broadcast`` stores people (one address each, the channels in turn), makes them
members of a project and asks the group a question through the real flow, which queues one
message for each. ``Peers`` runs the local Telegram, Twilio and SMTP servers, gives the
settings that point a ``coproduce worker`` (or in-process channels) at them, and counts what
each recipient received.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, insert, select

from channels import (
    EmailChannel,
    EmailSettings,
    SmsChannel,
    SmsSettings,
    TelegramChannel,
    TelegramSettings,
)
from channels.base import Channel, ChannelName
from flows.questions import ask_group
from storage.db import create_engine, session_factory, transaction
from storage.models import (
    ContactPoint,
    Contributor,
    LeadKind,
    Membership,
    MembershipStatus,
    OutboxRow,
    OutboxStatus,
    Sharing,
)
from storage.projects import create_project, find_project
from tests.peers.faults import Faults
from tests.peers.smtp_sink import SmtpSink
from tests.peers.telegram_api import TelegramApiServer
from tests.peers.twilio_api import TwilioApiServer

TELEGRAM_TOKEN = "777:broadcast-token"
TWILIO_SID = "AC" + "7" * 32
TWILIO_TOKEN = "broadcast-twilio-token"
TWILIO_FROM = "+447700900777"
EMAIL_FROM = "Coproduce <coproduce@example.org>"
CHANNELS = (ChannelName.TELEGRAM, ChannelName.SMS, ChannelName.EMAIL)

Recipient = tuple[ChannelName, str]


def address(channel: ChannelName, n: int) -> str:
    if channel == ChannelName.TELEGRAM:
        return str(100_000 + n)
    if channel == ChannelName.SMS:
        return f"+4477{n:08d}"
    return f"person{n}@example.net"


async def make_broadcast(
    database_url: str,
    people: int,
    channels: tuple[ChannelName, ...] = CHANNELS,
    *,
    first: int = 0,
    code: str = "BIG",
    questions: int = 1,
) -> list[Recipient]:
    """Queue one message (one per question) to each of ``people`` new members of a new
    project, numbered from ``first`` so several broadcasts can go to different people;
    returns who should receive it."""
    await add_members(database_url, people, channels, first=first, code=code)
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            project = await find_project(session, code)
            for n in range(questions):
                _, reached = await ask_group(
                    session, project, f"Question {n + 1}: which evening suits you?", now=now()
                )
                assert reached == people
    finally:
        await engine.dispose()
    return [
        (channels[n % len(channels)], address(channels[n % len(channels)], n))
        for n in range(first, first + people)
    ]


# Members are written this many at a time, so writing 100,000 holds few in memory.
CHUNK = 5000


async def add_members(
    database_url: str,
    people: int,
    channels: tuple[ChannelName, ...] = CHANNELS,
    *,
    first: int = 0,
    code: str = "BIG",
) -> None:
    """A new project and ``people`` members who joined it, numbered from ``first``, one
    address each, the channels in turn, written in bulk."""
    at = now()
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            lead = Contributor(name="Lead", preferred_channel=ChannelName.EMAIL, created_at=at)
            session.add(lead)
            await session.flush()
            project = await create_project(
                session,
                code=code,
                title="A big group",
                leads=[(lead, LeadKind.STAFF)],
                now=at,
                sharing=Sharing.OPEN,
            )
            # Sent by the real clock at any hour: quiet hours would hold a broadcast queued
            # in the evening until the morning.
            project.quiet_from = project.quiet_until = "00:00"
            base = await session.scalar(select(func.coalesce(func.max(Contributor.id), 0))) or 0
            for start in range(first, first + people, CHUNK):
                numbered = [
                    (base + 1 + n - first, channels[n % len(channels)], n)
                    for n in range(start, min(start + CHUNK, first + people))
                ]
                await session.execute(
                    insert(Contributor.__table__),
                    [
                        {
                            "id": cid,
                            "name": f"Person {n}",
                            "preferred_channel": channel,
                            "access_needs": [],
                            "named_in_comments": False,
                            "created_at": at,
                        }
                        for cid, channel, n in numbered
                    ],
                )
                await session.execute(
                    insert(ContactPoint.__table__),
                    [
                        {
                            "contributor_id": cid,
                            "channel": channel,
                            "address": address(channel, n),
                            "verified": True,
                            "failures": 0,
                            "created_at": at,
                        }
                        for cid, channel, n in numbered
                    ],
                )
                await session.execute(
                    insert(Membership.__table__),
                    [
                        {
                            "project_id": project.id,
                            "contributor_id": cid,
                            "status": MembershipStatus.JOINED,
                            "invited_at": at,
                            "joined_at": at,
                        }
                        for cid, _, _ in numbered
                    ],
                )
    finally:
        await engine.dispose()


def now() -> datetime:
    return datetime.now(UTC)


async def outbox_statuses(database_url: str) -> Counter[OutboxStatus]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.execute(
                select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
            )
            return Counter(dict(rows.all()))  # type: ignore[arg-type]
    finally:
        await engine.dispose()


@dataclass
class Peers:
    telegram: TelegramApiServer
    twilio: TwilioApiServer
    smtp: SmtpSink

    def received(self) -> Counter[Recipient]:
        """How many times each recipient got a message (held messages are not taken)."""
        counts: Counter[Recipient] = Counter()
        counts.update((ChannelName.TELEGRAM, str(m.chat_id)) for m in list(self.telegram.sent))
        counts.update((ChannelName.SMS, m.to) for m in list(self.twilio.sent))
        counts.update(
            (ChannelName.EMAIL, rcpt) for mail in list(self.smtp.received) for rcpt in mail.rcpt_tos
        )
        return counts

    def total(self) -> int:
        return len(self.telegram.sent) + len(self.twilio.sent) + len(self.smtp.received)

    def settings(self) -> dict[str, str]:
        """The settings that point ``coproduce`` at these peers, with no rate limits."""
        return {
            "telegram_token": TELEGRAM_TOKEN,
            "telegram_api_url": self.telegram.url,
            "twilio_account_sid": TWILIO_SID,
            "twilio_auth_token": TWILIO_TOKEN,
            "twilio_from": TWILIO_FROM,
            "twilio_api_url": self.twilio.url,
            "smtp_host": "127.0.0.1",
            "smtp_port": str(self.smtp.port),
            "smtp_tls": "none",
            "email_from": EMAIL_FROM,
            "telegram_rate": "0",
            "telegram_chat_rate": "0",
            "twilio_mps": "0",
            "smtp_rate": "0",
        }

    def channels(self, timeout: float = 10.0) -> dict[ChannelName, Channel]:
        """Real channels pointed at these peers, for a service in this process."""
        return channels_for(self.settings(), timeout)


def channels_for(settings: dict[str, str], timeout: float = 10.0) -> dict[ChannelName, Channel]:
    """Real channels pointed at the peers that ``settings`` names (``Peers.settings``)."""
    return {
        ChannelName.TELEGRAM: TelegramChannel(
            TelegramSettings(
                telegram_token=settings["telegram_token"],
                telegram_api_url=settings["telegram_api_url"],
                telegram_timeout=timeout,
            )
        ),
        ChannelName.SMS: SmsChannel(
            SmsSettings(
                twilio_account_sid=settings["twilio_account_sid"],
                twilio_auth_token=settings["twilio_auth_token"],
                twilio_from=settings["twilio_from"],
                twilio_api_url=settings["twilio_api_url"],
                twilio_timeout=timeout,
            )
        ),
        ChannelName.EMAIL: EmailChannel(
            EmailSettings(
                smtp_host=settings["smtp_host"],
                smtp_port=int(settings["smtp_port"]),
                smtp_tls="none",
                smtp_timeout=timeout,
                email_from=settings["email_from"],
            )
        ),
    }


class running_peers(ExitStack):
    """``with running_peers(faults) as peers:`` the three local providers, sharing one
    fault schedule (or none); ``clock`` stamps what Twilio holds, for a service that runs
    on a test's clock."""

    def __init__(
        self, faults: Faults | None = None, clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__()
        self._faults = faults
        self._clock = clock

    def __enter__(self) -> Peers:  # type: ignore[override]
        super().__enter__()
        telegram = TelegramApiServer(TELEGRAM_TOKEN)
        twilio = TwilioApiServer(TWILIO_SID, TWILIO_TOKEN)
        if self._clock is not None:
            twilio.clock = self._clock  # its look-ups compare with the service's clock
        smtp = SmtpSink()
        if self._faults is not None:
            telegram.faults = self._faults
            twilio.faults = self._faults
            smtp.faults = self._faults
        return Peers(
            self.enter_context(telegram), self.enter_context(twilio), self.enter_context(smtp)
        )
