"""Twilio as it really behaves: Advanced Opt-Out marks a text as STOP, START or HELP whatever
its words and answers the person itself; a number that opted out at the carrier is refused
with 21610; a 429 says how long to wait. Through the webhook, the flows, the dispatcher and
the real twilio client against the local Twilio server."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from bot.dispatcher import retry_delay
from channels import gsm
from channels.base import (
    ChannelName,
    InboundEvent,
    OutboundMessage,
    ProviderRequest,
    TransientSendError,
)
from channels.sms import SmsChannel, SmsSettings
from flows.i18n import translator
from flows.keywords import Command, keyword_words
from storage.consents import consents_of
from storage.db import transaction
from storage.models import ContactPoint, OutboxRow, OutboxStatus
from storage.outbox import enqueue
from tests.helpers import START, add_person, twilio_signature
from tests.live import PUBLIC_URL, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, live_service
from tests.peers.faults import Faults

ANN = "+447700900001"


@pytest.fixture
async def live(database_url, clock):
    async with live_service(database_url, clock) as service:
        yield service


_sids = iter(range(1, 10_000))


async def _text_in(live, body: str, opt_out_type: str | None = None) -> None:
    """Ann's text reaches the webhook as Twilio posts it, and is handled; what is due is sent."""
    params = {"MessageSid": f"SM{next(_sids):032x}", "From": ANN, "To": TWILIO_FROM, "Body": body}
    if opt_out_type:
        params["OptOutType"] = opt_out_type
    response = await live.http.post(
        "/sms/inbound",
        content=urlencode(params),
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "x-twilio-signature": twilio_signature(
                TWILIO_TOKEN, PUBLIC_URL + "/sms/inbound", params
            ),
        },
    )
    assert response.status_code == 200
    await live.settle()


async def _point(live) -> ContactPoint:
    async with live.services.sessions() as session:
        return await session.scalar(select(ContactPoint).where(ContactPoint.address == ANN))


async def _history(live, person_id: int) -> list[tuple[bool, str]]:
    async with live.services.sessions() as session:
        return [(c.given, c.how) for c in await consents_of(session, person_id)]


async def _rows(live) -> list[OutboxRow]:
    async with live.services.sessions() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


@pytest.mark.parametrize(
    ("body", "opt_out_type", "event"),
    [
        ("ARRET", "STOP", InboundEvent.STOPPED),
        ("revoke", "STOP", InboundEvent.STOPPED),
        ("UNSTOP", "START", InboundEvent.STARTED),
        ("INFO", "HELP", InboundEvent.HELP),
        ("stop cutting the hours", None, InboundEvent.TEXT),
    ],
    ids=["arret", "revoke", "unstop", "info", "no-opt-out-type"],
)
def test_twilio_opt_out_type_says_what_a_text_is_whatever_its_words(
    body: str, opt_out_type: str | None, event: InboundEvent
) -> None:
    channel = SmsChannel(
        SmsSettings(
            twilio_account_sid=TWILIO_SID,
            twilio_auth_token=TWILIO_TOKEN,  # type: ignore[arg-type]
            twilio_from=TWILIO_FROM,
        )
    )
    params = {"MessageSid": "SM1", "From": ANN, "Body": body}
    if opt_out_type:
        params["OptOutType"] = opt_out_type
    [message] = channel.parse(ProviderRequest(body=urlencode(params).encode(), received_at=START))
    assert (message.event, message.text) == (event, body)


async def test_a_stop_twilio_confirmed_stops_the_number_and_we_send_no_confirmation(live) -> None:
    ann = await add_person(live.services.sessions, "Ann", phone=ANN, language="pl")
    await _text_in(live, "ARRET", "STOP")
    assert live.twilio_api.take() == []
    assert await _rows(live) == []  # no confirmation of ours, so none failing with 21610
    assert (await _point(live)).opted_out_at == live.clock.now()
    assert (await _history(live, ann.id))[-1] == (False, "sms STOP at the provider")
    # Twilio may send the same opt-out again: nothing more is recorded.
    await _text_in(live, "STOP", "STOP")
    assert len(await _history(live, ann.id)) == 2


async def test_a_start_twilio_confirmed_opens_the_number_again_without_a_second_welcome(
    live,
) -> None:
    ann = await add_person(live.services.sessions, "Ann", phone=ANN)
    await _text_in(live, "STOP", "STOP")
    live.clock.advance(hours=1)
    await _text_in(live, "UNSTOP", "START")
    assert live.twilio_api.take() == []  # Twilio's own confirmation is the one she gets
    assert (await _point(live)).opted_out_at is None
    assert await _history(live, ann.id) == [
        (True, "added by a lead (cli)"),
        (False, "sms STOP at the provider"),
        (True, "sms START at the provider"),
    ]
    await _text_in(live, "help")
    assert len(live.twilio_api.take()) == 1  # her number is open again


async def test_a_start_from_a_number_that_was_not_stopped_changes_nothing(live) -> None:
    ann = await add_person(live.services.sessions, "Ann", phone=ANN)
    await _text_in(live, "START", "START")
    assert live.twilio_api.take() == []
    assert await _history(live, ann.id) == [(True, "added by a lead (cli)")]


async def test_a_help_word_twilio_knows_gets_our_help_in_the_persons_language(live) -> None:
    await add_person(live.services.sessions, "Ann", phone=ANN, language="pl")
    await _text_in(live, "POMOCY", "HELP")
    [sent] = live.twilio_api.take()
    t = translator("pl")
    expected = "\n".join(
        [
            t.gettext("You are not in a project now. A project lead can add you."),
            t.gettext("Reply {stop} to stop all texts.").format(
                stop=keyword_words(t)[Command.STOP]
            ),
        ]
    )
    assert sent.body == gsm.sanitise(expected)


async def test_a_number_that_opted_out_at_the_carrier_is_stopped_and_never_retried(live) -> None:
    ann = await add_person(live.services.sessions, "Ann", phone=ANN)
    live.twilio_api.opted_out_numbers.add(ANN)
    await _text_in(live, "help")
    assert live.twilio_api.take() == []
    [row] = await _rows(live)
    assert row.status == OutboxStatus.FAILED
    assert (
        row.last_error
        == "Twilio 21610: the person replied STOP to our number at their phone company"
    )
    assert (await _point(live)).opted_out_at == live.clock.now()
    assert (await _history(live, ann.id))[-1] == (False, "sms opted out at the provider")
    # Not tried again, and what is queued for her later is not sent either.
    async with transaction(live.services.sessions) as session:
        point = await session.get(ContactPoint, (await _point(live)).id)
        later = await enqueue(
            session,
            contact_point=point,
            kind="broadcast",
            body="News",
            language="en",
            now=live.clock.now(),
        )
    live.clock.advance(days=1)
    await live.settle()
    assert live.twilio_api.take() == []
    first, second = await _rows(live)
    assert (first.attempts, second.id, second.status) == (1, later.id, OutboxStatus.CANCELLED)


async def test_a_twilio_429_is_tried_again_after_the_retry_after_it_gave(database_url, clock):
    async with live_service(
        database_url, clock, twilio_faults=Faults(too_many_ratio=1.0, retry_after=2)
    ) as live:
        await add_person(live.services.sessions, "Ann", phone=ANN)
        await _text_in(live, "help")
        [row] = await _rows(live)
        wait = (row.next_attempt_at - live.clock.now()).total_seconds()
        assert row.status == OutboxStatus.QUEUED and 2 <= wait <= 2.2  # never 20 seconds
        live.twilio_api.faults = Faults()
        live.clock.advance(seconds=1)
        await live.settle()
        assert live.twilio_api.take() == []
        live.clock.advance(seconds=2)
        await live.settle()
        assert len(live.twilio_api.take()) == 1


async def test_the_twilio_channel_reads_the_pause_from_the_retry_after_header(live) -> None:
    live.twilio_api.faults = Faults(too_many_ratio=1.0, retry_after=2)
    channel = live.services.channels[ChannelName.SMS]
    message = OutboundMessage(outbox_id=1, channel=ChannelName.SMS, address=ANN, body="Hi")
    with pytest.raises(TransientSendError) as caught:
        await channel.send(message)
    assert caught.value.retry_after == 2


@pytest.mark.parametrize(
    ("retry_after", "rng", "seconds"),
    [(2, 0.0, 2.0), (2, 1.0, 2.2), (600, 1.0, 601.0), (0, 1.0, 1.1)],
    ids=["two-seconds", "two-seconds-most-jitter", "long-pause-jitter-capped", "zero-is-a-second"],
)
def test_a_pause_the_provider_asked_for_is_kept_with_at_most_a_small_jitter(
    retry_after: float, rng: float, seconds: float
) -> None:
    for attempts in (1, 5):
        delay = retry_delay(attempts, retry_after, lambda: rng)
        assert delay == pytest.approx(timedelta(seconds=seconds), abs=timedelta(microseconds=1))
