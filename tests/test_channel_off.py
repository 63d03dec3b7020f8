"""Nothing waits silently: a message for a channel that is not set up fails at once with that
reason, goes on by the person's other channel where they have one (and have not stopped it),
and the leads see it in ``coproduce outbox failed`` and ``outbox status``."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager

import pytest
from sqlalchemy import select

from bot.services import build_services
from bot.settings import Settings
from channels.base import ChannelName, TransientSendError
from flows.membership import invite_members
from storage.db import transaction
from storage.models import Contributor, OutboxRow, OutboxStatus
from storage.projects import find_project
from tests.bot_fixture import KeptMemoryChannel, MemoryBot
from tests.helpers import ManualClock, add_person, add_project, hold_worker_lease, upgrade_database
from tests.test_cli import coproduce

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM
SAM_PHONE, SAM_EMAIL, SAM_CHAT = "+447700900201", "sam@example.net", "5001"
NOT_SET_UP = "the SMS channel is not set up"


@asynccontextmanager
async def service_with(
    database_url: str, clock: ManualClock, on: Collection[ChannelName]
) -> AsyncIterator[MemoryBot]:
    """The real service with only these channels set up, as ``coproduce serve`` builds it
    when the others have no settings."""
    memory = {name: KeptMemoryChannel(name) for name in on}
    off = {name: "no settings in this test" for name in ChannelName if name not in on}
    await upgrade_database(database_url)
    services = await build_services(
        Settings(database_url=database_url), clock=clock, channels=memory, off_reasons=off
    )
    await hold_worker_lease(services)
    try:
        yield MemoryBot(services, memory)  # type: ignore[arg-type]
    finally:
        await services.close()


@pytest.fixture
async def sms_off(database_url: str, clock: ManualClock) -> AsyncIterator[MemoryBot]:
    async with service_with(database_url, clock, on=(EMAIL, TELEGRAM)) as bot:
        yield bot
        left = await bot.unread()
        assert not left, f"the test left messages unread: {[(m.channel, m.body) for m in left]}"


async def invite(bot: MemoryBot, *people: Contributor) -> None:
    """CARE1, led by Lee (on email), invites these people: each is sent an invitation."""
    lead = await add_person(bot.sessions, "Lee", email="lee@council.example")
    await add_project(bot.sessions, "CARE1", leads=[lead])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await invite_members(session, project, list(people), bot.clock.now())


async def rows_to(bot: MemoryBot, channel: ChannelName) -> list[OutboxRow]:
    async with bot.sessions() as session:
        found = await session.scalars(
            select(OutboxRow).where(OutboxRow.channel == channel).order_by(OutboxRow.id)
        )
        return list(found.all())


async def cli(bot: MemoryBot, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    """Run ``coproduce`` on the bot's database, in a thread as a separate command would."""
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", bot.services.settings.database_url)
    result = await asyncio.to_thread(coproduce, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


async def test_an_invitation_by_text_fails_when_sms_is_not_set_up_and_arrives_by_email(
    sms_off, monkeypatch
) -> None:
    sam = await add_person(sms_off.sessions, "Sam", phone=SAM_PHONE, email=SAM_EMAIL, preferred=SMS)
    await invite(sms_off, sam)
    [queued] = await rows_to(sms_off, SMS)
    arrived = await sms_off.delivered(EMAIL)
    [by_email] = [m for m in arrived if m.address == SAM_EMAIL]
    assert by_email.body == queued.body and "JOIN CARE1" in by_email.body
    assert by_email.subject == "Project CARE1"
    [failed] = await rows_to(sms_off, SMS)
    assert (failed.status, failed.last_error) == (
        OutboxStatus.FAILED,
        f"{NOT_SET_UP}; it went on by email",
    )
    [went_on] = [row for row in await rows_to(sms_off, EMAIL) if row.id == by_email.outbox_id]
    assert (went_on.kind, went_on.project_id, went_on.language, went_on.status) == (
        failed.kind,
        failed.project_id,
        failed.language,
        OutboxStatus.SENT,
    )
    listed = (await cli(sms_off, monkeypatch, "outbox", "failed", "CARE1")).splitlines()
    assert listed[0].startswith(f"{failed.id} failed sms to Sam ({SAM_PHONE}), invitation")
    assert listed[1].strip() == f"{NOT_SET_UP}; it went on by email"


async def test_someone_reachable_only_by_text_is_shown_failed_with_the_reason(
    sms_off, monkeypatch
) -> None:
    ria = await add_person(sms_off.sessions, "Ria", phone="+447700900202")
    await invite(sms_off, ria)
    assert await sms_off.delivered() == []
    [failed] = await rows_to(sms_off, SMS)
    assert (failed.status, failed.last_error) == (OutboxStatus.FAILED, NOT_SET_UP)
    listed = await cli(sms_off, monkeypatch, "outbox", "failed")
    assert "failed sms to Ria (+447700900202), invitation" in listed
    assert f"    {NOT_SET_UP}\n" in listed
    status = (await cli(sms_off, monkeypatch, "outbox", "status", "CARE1")).splitlines()
    assert status[status.index("Why messages failed:") + 1].split(maxsplit=1) == ["1", NOT_SET_UP]


async def test_a_channel_the_person_stopped_is_not_used_to_reach_them(sms_off) -> None:
    sam = await add_person(
        sms_off.sessions, "Sam", phone=SAM_PHONE, telegram=SAM_CHAT, preferred=SMS
    )
    await sms_off.send_in(TELEGRAM, SAM_CHAT, "STOP")
    [stopped] = await sms_off.delivered(TELEGRAM)
    assert "START" in stopped.body
    await invite(sms_off, sam)
    assert await sms_off.delivered(TELEGRAM) == []
    [failed] = await rows_to(sms_off, SMS)
    assert (failed.status, failed.last_error) == (OutboxStatus.FAILED, NOT_SET_UP)


@pytest.mark.parametrize(
    ("off", "other", "reason"),
    [
        (SMS, TELEGRAM, "the SMS channel is not set up; it went on by Telegram"),
        (EMAIL, SMS, "the email channel is not set up; it went on by SMS"),
        (TELEGRAM, EMAIL, "the Telegram channel is not set up; it went on by email"),
    ],
    ids=["sms", "email", "telegram"],
)
async def test_each_channel_that_is_not_set_up_says_so_and_the_other_one_carries_it(
    database_url, clock, off, other, reason
) -> None:
    addresses = {SMS: SAM_PHONE, EMAIL: SAM_EMAIL, TELEGRAM: SAM_CHAT}
    named = {SMS: "phone", EMAIL: "email", TELEGRAM: "telegram"}
    on = [channel for channel in ChannelName if channel != off]
    async with service_with(database_url, clock, on=on) as bot:
        sam = await add_person(
            bot.sessions,
            "Sam",
            preferred=off,
            **{named[off]: addresses[off], named[other]: addresses[other]},
        )
        await invite(bot, sam)
        arrived = [m for m in await bot.delivered() if m.address == addresses[other]]
        [failed] = await rows_to(bot, off)
        assert [m.channel for m in arrived] == [other]
        assert arrived[0].body == failed.body
        assert (failed.status, failed.last_error) == (OutboxStatus.FAILED, reason)


async def test_messages_queued_before_a_start_without_sms_fail_and_go_on_when_due(
    database_url, clock
) -> None:
    """Queued while SMS worked (one waiting to be tried again), then the service starts
    with no Twilio settings: when they are due they fail and go on, and a reply to a text
    goes by email as a new email, not as an answer in someone else's thread."""
    async with service_with(database_url, clock, on=list(ChannelName)) as full:
        sam = await add_person(
            full.sessions, "Sam", phone=SAM_PHONE, email=SAM_EMAIL, preferred=SMS
        )
        await full.send_in(SMS, SAM_PHONE, "help")
        full.memory[SMS].fail_next.append(TransientSendError("provider busy"))
        assert await full.delivered() == []
        await invite(full, sam)
    async with service_with(database_url, clock, on=(EMAIL, TELEGRAM)) as bot:
        [retrying, invitation] = await rows_to(bot, SMS)
        assert retrying.status == OutboxStatus.QUEUED and retrying.next_attempt_at > clock.now()
        first = [m for m in await bot.delivered(EMAIL) if m.address == SAM_EMAIL]
        assert [m.body for m in first] == [invitation.body]
        clock.advance(hours=1)
        [reply] = await bot.delivered(EMAIL)
        assert reply.body == retrying.body and "STOP" in reply.body
        assert (reply.subject, reply.in_reply_to) == ("Your message to us", None)
        assert [row.status for row in await rows_to(bot, SMS)] == [OutboxStatus.FAILED] * 2


async def test_a_text_to_someone_who_then_stopped_texts_is_cancelled_not_sent_by_email(
    database_url, clock
) -> None:
    async with service_with(database_url, clock, on=list(ChannelName)) as full:
        sam = await add_person(
            full.sessions, "Sam", phone=SAM_PHONE, email=SAM_EMAIL, preferred=SMS
        )
        await invite(full, sam)
        await full.send_in(SMS, SAM_PHONE, "STOP")
    async with service_with(database_url, clock, on=(EMAIL, TELEGRAM)) as bot:
        arrived = [m for m in await bot.delivered() if m.address == SAM_EMAIL]
        assert arrived == []
        by_kind = {row.kind: row for row in await rows_to(bot, SMS)}
        assert by_kind["invitation"].status == OutboxStatus.CANCELLED
        # "You will get no more texts" is about texts: it is not sent on by email.
        assert (by_kind["stopped"].status, by_kind["stopped"].last_error) == (
            OutboxStatus.FAILED,
            NOT_SET_UP,
        )


async def test_workers_sharing_a_postgresql_queue_fail_each_message_once_and_send_it_on_once(
    postgres_url, clock
) -> None:
    async with (
        service_with(postgres_url, clock, on=(EMAIL,)) as one,
        service_with(postgres_url, clock, on=(EMAIL,)) as other,
    ):
        people = [
            await add_person(
                one.sessions,
                f"P{n}",
                phone=f"+4477009003{n:02}",
                email=f"p{n}@example.net",
                preferred=SMS,
            )
            for n in range(40)
        ]
        await invite(one, *people)
        await asyncio.gather(
            one.services.dispatcher.dispatch_all_due(),
            other.services.dispatcher.dispatch_all_due(),
        )
        arrived = [
            m.address
            for bot in (one, other)
            for m in bot.memory[EMAIL].take()
            if m.address != "lee@council.example"
        ]
        assert sorted(arrived) == sorted(f"p{n}@example.net" for n in range(40))
        failed = await rows_to(one, SMS)
        assert [row.last_error for row in failed] == [f"{NOT_SET_UP}; it went on by email"] * 40
