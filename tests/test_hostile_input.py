"""Hostile and broken requests to the webhooks: each gets a clear 4xx (or a 200 for what we
only ignore), never a 500, and nothing is stored or sent for any of them."""

from __future__ import annotations

import json
import random
from collections import Counter
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from storage.models import InboundMessageRow, OutboxRow
from tests.helpers import add_person, telegram_update, twilio_signature
from tests.live import PUBLIC_URL, TELEGRAM_SECRET, TWILIO_TOKEN, live_service

TELEGRAM = {"content-type": "application/json", "x-telegram-bot-api-secret-token": TELEGRAM_SECRET}
LIMIT = 1024 * 1024  # COPRODUCE_MAX_REQUEST_BYTES by default


@pytest.fixture
async def live(database_url, clock):
    async with live_service(database_url, clock) as service:
        await add_person(service.services.sessions, "Bea", telegram="5001", phone="+447700900001")
        yield service


async def _nothing_kept(live) -> None:
    async with live.services.sessions() as session:
        for model in (InboundMessageRow, OutboxRow):
            assert await session.scalar(select(func.count()).select_from(model)) == 0, model


def _signed_sms(params: dict[str, str], path: str = "/sms/inbound") -> tuple[str, dict]:
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio_signature(TWILIO_TOKEN, PUBLIC_URL + path, params),
    }
    return urlencode(params), headers


@pytest.mark.parametrize("path", ["/telegram/webhook", "/sms/inbound", "/sms/status"])
async def test_a_body_over_the_limit_is_refused_with_413(live, path) -> None:
    declared = await live.http.post(path, content=b"x" * (LIMIT + 1), headers=TELEGRAM)

    async def streamed():  # no Content-Length: the limit holds while reading
        for _ in range(LIMIT // 65536 + 2):
            yield b"x" * 65536

    chunked = await live.http.post(path, content=streamed(), headers=TELEGRAM)
    assert (declared.status_code, chunked.status_code) == (413, 413)
    await _nothing_kept(live)


async def test_a_long_but_allowed_body_is_read(live) -> None:
    update = telegram_update(7, 5001, "help " + "a" * 3000)
    response = await live.http.post(
        "/telegram/webhook", content=json.dumps(update), headers=TELEGRAM
    )
    assert response.status_code == 200
    await live.settle()
    assert len(live.telegram_api.take()) == 1


MALFORMED_UPDATES = {
    "not JSON": b"{update_id: 1",
    "invalid UTF-8": b'{"update_id": 1, "message": {"text": "\xff\xfe"}}',
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
    "a list": b"[1, 2]",
    "no update_id": json.dumps({"message": {"text": "hi"}}).encode(),
    "update_id true": json.dumps({**telegram_update(1, 5001, "hi"), "update_id": True}).encode(),
    "update_id text": json.dumps({**telegram_update(1, 5001, "hi"), "update_id": "1"}).encode(),
    "no chat": json.dumps(
        {"update_id": 2, "message": {"message_id": 1, "date": 0, "text": "hi"}}
    ).encode(),
    "chat as text": json.dumps(telegram_update(3, 5001, "hi", chat="5001")).encode(),
    "text a number": json.dumps(telegram_update(4, 5001, "hi")).replace('"hi"', "12").encode(),
    "date as text": json.dumps(telegram_update(5, 5001, "hi", date="today")).encode(),
}


@pytest.mark.parametrize("body", MALFORMED_UPDATES.values(), ids=MALFORMED_UPDATES.keys())
async def test_a_malformed_telegram_update_gets_400_and_changes_nothing(live, body) -> None:
    response = await live.http.post("/telegram/webhook", content=body, headers=TELEGRAM)
    assert response.status_code == 400
    await live.settle()
    await _nothing_kept(live)
    assert live.telegram_api.take() == []


IGNORED_UPDATES = {
    # An edited message is read now (tests/test_telegram_updates.py).
    "group message": telegram_update(11, 5001, "hi", chat={"id": -100, "type": "group"}),
    "channel post": {"update_id": 12, "channel_post": telegram_update(0, -100, "x")["message"]},
    "button press": {
        "update_id": 13,
        "callback_query": {
            "id": "1",
            "from": {"id": 5001, "is_bot": False, "first_name": "B"},
            "chat_instance": "1",
            "data": "1",
        },
    },
}


@pytest.mark.parametrize("update", IGNORED_UPDATES.values(), ids=IGNORED_UPDATES.keys())
async def test_an_update_we_do_not_read_is_answered_200_and_ignored(live, update) -> None:
    response = await live.http.post(
        "/telegram/webhook", content=json.dumps(update), headers=TELEGRAM
    )
    assert response.status_code == 200  # so Telegram does not send it again
    await live.settle()
    await _nothing_kept(live)
    assert live.telegram_api.take() == []


def _hostile_requests(seed: int, count: int) -> list[tuple[str, bytes, dict[str, str]]]:
    """Bad requests of every kind, made from a seed so a failure can be replayed."""
    rng = random.Random(seed)
    junk = [
        b"",
        b"\x00" * 64,
        b"\xff\xfe\xfd",
        "é".encode("latin-1"),
        b"<xml/>",
        b"null",
        b"{}",
        b'{"update_id": 1e400}',
        b"%" * 50,
        b"a=%ZZ&b",
        b"From=%2B447700900001&Body=hi",  # no MessageSid, and unsigned
        json.dumps(telegram_update(99, 5001, "help")).encode(),
        rng.randbytes(300),
    ]
    valid_form, signed = _signed_sms(
        {"MessageSid": "SM" + "9" * 32, "From": "+447700900001", "Body": "help"}
    )
    content_types = [
        "application/json",
        "application/x-www-form-urlencoded",
        "text/plain",
        "multipart/form-data; boundary=x",
        "",
    ]
    requests = []
    for _ in range(count):
        path = rng.choice(["/telegram/webhook", "/sms/inbound", "/sms/status"])
        headers = {"content-type": rng.choice(content_types)}
        body = rng.choice(junk)
        trick = rng.randrange(5)
        if trick == 0 and path == "/telegram/webhook":
            headers["x-telegram-bot-api-secret-token"] = TELEGRAM_SECRET  # genuine but broken
            body = rng.choice(list(MALFORMED_UPDATES.values()))
        elif trick == 1:
            headers["x-telegram-bot-api-secret-token"] = rng.choice(
                ["", "wrong", TELEGRAM_SECRET[:-1]]
            )
        elif trick == 2:
            headers["x-twilio-signature"] = signed["x-twilio-signature"]  # signs another body
            body = valid_form.replace("help", "HELP").encode()
        elif trick == 3:
            headers["x-twilio-signature"] = rng.choice(["", "=", "a" * 200])
        requests.append((path, body, headers))
    return requests


async def test_a_signed_request_of_the_wrong_content_type_is_refused(live) -> None:
    update = json.dumps(telegram_update(8, 5001, "help"))
    as_text = {**TELEGRAM, "content-type": "text/plain"}
    telegram = await live.http.post("/telegram/webhook", content=update, headers=as_text)
    params = {"MessageSid": "SM" + "3" * 32, "From": "+447700900001", "Body": "help"}
    body, headers = _signed_sms(params)
    sms = await live.http.post(
        "/sms/inbound", content=body, headers={**headers, "content-type": "application/json"}
    )
    # Twilio signs the fields of a form: a body that is not one cannot be proved genuine.
    assert (telegram.status_code, sms.status_code) == (400, 403)
    await _nothing_kept(live)
    # The same requests with their own types are read.
    assert (await live.http.post("/sms/inbound", content=body, headers=headers)).status_code == 200


async def test_two_hundred_and_fifty_hostile_requests_get_4xx_and_leave_no_trace(live) -> None:
    statuses: Counter[int] = Counter()
    for path, body, headers in _hostile_requests(seed=8, count=250):
        response = await live.http.post(path, content=body, headers=headers)
        assert 400 <= response.status_code < 500, (path, body[:80], headers, response.text)
        statuses[response.status_code] += 1
    await live.settle()
    await _nothing_kept(live)
    assert live.telegram_api.take() == [] and live.twilio_api.take() == []
    assert set(statuses) <= {400, 403}
    assert statuses[400] > 10 and statuses[403] > 100  # both kinds of refusal were exercised
