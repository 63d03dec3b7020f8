"""The webhooks end to end: a message sent in by Telegram or SMS is checked, stored once even
when delivered twice (or at the same moment), and answered on the same channel through the
outbox and the real client library."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select, text

from channels.base import ChannelName
from storage.db import transaction
from storage.models import ContactPoint, InboundMessageRow, OutboxRow, OutboxStatus
from tests.helpers import add_person, telegram_update, twilio_signature
from tests.live import PUBLIC_URL, TELEGRAM_SECRET, TWILIO_TOKEN, live_service
from tests.peers.faults import Faults


@pytest.fixture
async def live(database_url, clock):
    async with live_service(database_url, clock) as service:
        yield service


def _telegram(live, update: dict, secret: str | None = TELEGRAM_SECRET):
    headers = {"content-type": "application/json"}
    if secret is not None:
        headers["x-telegram-bot-api-secret-token"] = secret
    return live.http.post("/telegram/webhook", content=json.dumps(update), headers=headers)


def _sms(live, params: dict[str, str], path: str = "/sms/inbound", signature: str | None = None):
    body = urlencode(params)
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": signature
        or twilio_signature(TWILIO_TOKEN, PUBLIC_URL + path, params),
    }
    return live.http.post(path, content=body, headers=headers)


async def _ann_asks_for_help(live, sid_letter: str):
    """Ann texts HELP (in a message whose sid is made of ``sid_letter``); our answer to her."""
    await add_person(live.services.sessions, "Ann", phone="+447700900001")
    params = {"MessageSid": "SM" + sid_letter * 32, "From": "+447700900001", "Body": "help"}
    await _sms(live, params)
    await live.settle()
    [sent] = live.twilio_api.take()
    return sent


async def _count(live, model) -> int:
    async with live.services.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


async def test_health_check_reports_the_database_and_channels(live) -> None:
    response = await live.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "channels": {"email": "on", "sms": "on", "telegram": "on", "whatsapp": "off"},
    }


async def test_health_is_answered_while_a_long_write_holds_the_database(live) -> None:
    """A broadcast to thousands holds the writing connection for seconds; the health check
    must not wait for it (a load balancer would take the service for dead)."""
    async with transaction(live.services.sessions) as session:
        await session.execute(text("UPDATE outbox SET attempts = attempts"))  # writing now
        # Far shorter than the pool's 30 s wait for the one writing connection on SQLite.
        response = await asyncio.wait_for(live.http.get("/healthz"), timeout=10)
    assert response.status_code == 200 and response.json()["database"] == "ok"


async def test_a_telegram_message_is_answered_in_the_same_chat(live) -> None:
    await add_person(live.services.sessions, "Bea", telegram="5001")
    response = await _telegram(live, telegram_update(100, 5001, "help"))
    assert response.status_code == 200
    await live.settle()
    [sent] = live.telegram_api.take()
    assert sent.chat_id == 5001
    assert sent.text.startswith("Hello Bea.")


async def test_a_telegram_update_delivered_twice_is_stored_and_answered_once(live) -> None:
    await add_person(live.services.sessions, "Bea", telegram="5001")
    update = telegram_update(101, 5001, "help")
    assert (await _telegram(live, update)).status_code == 200
    assert (await _telegram(live, update)).status_code == 200
    await live.settle()
    assert len(live.telegram_api.take()) == 1
    assert await _count(live, InboundMessageRow) == 1


async def test_concurrent_deliveries_of_one_update_are_stored_and_answered_once(live) -> None:
    await add_person(live.services.sessions, "Bea", telegram="5001")
    update = telegram_update(102, 5001, "help")
    responses = await asyncio.gather(*(_telegram(live, update) for _ in range(6)))
    assert [r.status_code for r in responses] == [200] * 6
    await live.settle()
    assert len(live.telegram_api.take()) == 1
    assert await _count(live, InboundMessageRow) == 1


@pytest.mark.parametrize("secret", ["wrong-secret", "", None], ids=["wrong", "empty", "missing"])
async def test_a_telegram_update_without_the_right_secret_is_refused(live, secret) -> None:
    response = await _telegram(live, telegram_update(103, 5001, "help"), secret=secret)
    assert response.status_code == 403
    await live.settle()
    assert await _count(live, InboundMessageRow) == 0
    assert live.telegram_api.take() == []


async def test_a_malformed_telegram_update_is_refused_and_nothing_is_stored(live) -> None:
    response = await live.http.post(
        "/telegram/webhook",
        content=b"{not json",
        headers={"x-telegram-bot-api-secret-token": TELEGRAM_SECRET},
    )
    assert response.status_code == 400
    assert await _count(live, InboundMessageRow) == 0


async def test_a_text_is_answered_by_text_through_twilio(live) -> None:
    await add_person(live.services.sessions, "Ann", phone="+447700900001")
    params = {
        "MessageSid": "SM" + "a" * 32,
        "From": "+447700900001",
        "To": "+447700900500",
        "Body": "HELP",
    }
    response = await _sms(live, params)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    assert "<Response" in response.text and "<Message" not in response.text
    await live.settle()
    [sent] = live.twilio_api.take()
    assert sent.to == "+447700900001"
    assert "STOP" in sent.body
    async with live.services.sessions() as session:
        reply_id = await session.scalar(select(OutboxRow.id))
    assert sent.status_callback == f"{PUBLIC_URL}/sms/status?outbox={reply_id}"


async def test_a_text_delivered_twice_is_stored_and_answered_once(live) -> None:
    await add_person(live.services.sessions, "Ann", phone="+447700900001")
    params = {"MessageSid": "SM" + "b" * 32, "From": "+447700900001", "Body": "help"}
    await _sms(live, params)
    await _sms(live, params)
    await live.settle()
    assert len(live.twilio_api.take()) == 1
    assert await _count(live, InboundMessageRow) == 1


async def test_a_text_with_a_wrong_signature_is_refused_and_nothing_is_stored(live) -> None:
    params = {"MessageSid": "SM" + "c" * 32, "From": "+447700900001", "Body": "STOP"}
    response = await _sms(live, params, signature="bm90IHRoZSByaWdodCBzaWduYXR1cmU=")
    assert response.status_code == 403
    await live.settle()
    assert await _count(live, InboundMessageRow) == 0
    assert live.twilio_api.take() == []


async def test_a_status_callback_records_delivery(live) -> None:
    sent = await _ann_asks_for_help(live, "d")
    response = await _sms(
        live, {"MessageSid": sent.sid, "MessageStatus": "delivered"}, path="/sms/status"
    )
    assert response.status_code == 200
    async with live.services.sessions() as session:
        row = await session.scalar(select(OutboxRow))
    assert (row.provider_id, row.status) == (sent.sid, OutboxStatus.DELIVERED)


async def test_an_undelivered_report_keeps_the_reason_for_leads(live) -> None:
    sent = await _ann_asks_for_help(live, "e")
    params = {"MessageSid": sent.sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    await _sms(live, params, path="/sms/status")
    async with live.services.sessions() as session:
        row = await session.scalar(select(OutboxRow))
    assert row.status == OutboxStatus.UNDELIVERED
    assert row.last_error == "Twilio 30003: the phone is off or out of reach"


async def test_a_status_callback_with_a_wrong_signature_changes_nothing(live) -> None:
    response = await _sms(
        live, {"MessageSid": "SMx", "MessageStatus": "failed"}, path="/sms/status", signature="bad"
    )
    assert response.status_code == 403


async def test_webhooks_of_a_channel_that_is_off_answer_404(live) -> None:
    live.services.channels.pop(ChannelName.TELEGRAM)
    response = await _telegram(live, telegram_update(104, 5001, "help"))
    assert response.status_code == 404


async def test_concurrent_deliveries_of_one_text_are_stored_and_answered_once(live) -> None:
    await add_person(live.services.sessions, "Ann", phone="+447700900001")
    params = {"MessageSid": "SM" + "c" * 32, "From": "+447700900001", "Body": "help"}
    responses = await asyncio.gather(*(_sms(live, params) for _ in range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    await live.settle()
    assert len(live.twilio_api.take()) == 1
    assert await _count(live, InboundMessageRow) == 1


@pytest.fixture
async def slow_twilio(database_url, clock):
    faults = Faults(slow={"+447700900001"}, slow_seconds=0.6)
    async with live_service(
        database_url, clock, twilio_faults=faults, twilio_timeout=0.3
    ) as service:
        yield service


async def _unknown_reply(live) -> tuple[OutboxRow, str]:
    """Ann texts in; Twilio takes our reply but answers too late: the reply is unknown."""
    sent = await _ann_asks_for_help(live, "f")
    async with live.services.sessions() as session:
        row = await session.scalar(select(OutboxRow))
    assert (row.status, row.provider_id) == (OutboxStatus.UNKNOWN, None)
    assert sent.status_callback == f"{PUBLIC_URL}/sms/status?outbox={row.id}"
    return row, sent.sid


async def test_a_status_callback_settles_a_text_whose_answer_was_lost(slow_twilio) -> None:
    live = slow_twilio
    row, sid = await _unknown_reply(live)
    params = {"MessageSid": sid, "MessageStatus": "delivered"}
    response = await _sms(live, params, path=f"/sms/status?outbox={row.id}")
    assert response.status_code == 200
    async with live.services.sessions() as session:
        row = await session.get(OutboxRow, row.id)
    assert (row.status, row.provider_id) == (OutboxStatus.DELIVERED, sid)
    live.clock.advance(minutes=5)
    await live.settle()
    assert live.twilio_api.take() == []  # never sent twice


async def test_a_text_whose_answer_was_lost_is_looked_up_not_sent_twice(slow_twilio) -> None:
    live = slow_twilio
    row, sid = await _unknown_reply(live)
    live.clock.advance(minutes=2)
    await live.settle()
    assert live.twilio_api.take() == []
    async with live.services.sessions() as session:
        row = await session.get(OutboxRow, row.id)
    assert (row.status, row.provider_id) == (OutboxStatus.SENT, sid)


async def test_a_status_callback_with_an_outbox_id_it_does_not_match_changes_nothing(
    live,
) -> None:
    sent = await _ann_asks_for_help(live, "a")
    async with live.services.sessions() as session:
        row = await session.scalar(select(OutboxRow))
    # Someone replays a report for another message with our row's id: the sid must match.
    params = {"MessageSid": "SM" + "9" * 32, "MessageStatus": "failed", "ErrorCode": "30005"}
    await _sms(live, params, path=f"/sms/status?outbox={row.id}")
    async with live.services.sessions() as session:
        row = await session.get(OutboxRow, row.id)
    assert (row.status, row.provider_id) == (OutboxStatus.SENT, sent.sid)


async def test_a_report_that_the_number_does_not_exist_counts_against_the_address(live) -> None:
    sent = await _ann_asks_for_help(live, "b")
    params = {"MessageSid": sent.sid, "MessageStatus": "failed", "ErrorCode": "30005"}
    await _sms(live, params, path="/sms/status")
    async with live.services.sessions() as session:
        point = await session.scalar(select(ContactPoint))
    assert point.failures == 1
    assert point.failure_reason == "Twilio 30005: the number does not exist"


async def test_a_phone_that_is_off_does_not_count_against_the_address(live) -> None:
    sent = await _ann_asks_for_help(live, "8")
    params = {"MessageSid": sent.sid, "MessageStatus": "undelivered", "ErrorCode": "30003"}
    await _sms(live, params, path="/sms/status")
    async with live.services.sessions() as session:
        point = await session.scalar(select(ContactPoint))
    assert point.failures == 0
