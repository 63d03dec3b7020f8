"""The SMS channel with the real twilio client against a local Twilio-speaking server:
sending, failures classified, looking a text up after a lost answer, inbound and status
callbacks checked with RequestValidator."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from channels.base import (
    ChannelName,
    MalformedRequest,
    OutboundMessage,
    PermanentSendError,
    ProviderRequest,
    TransientSendError,
    UncertainSendError,
)
from channels.sms import SmsChannel, SmsSettings, normalise_phone
from tests.helpers import START, twilio_signature
from tests.peers.faults import Faults
from tests.peers.twilio_api import TwilioApiServer

SID = "AC" + "0" * 32
TOKEN = "twilio-auth-token-for-tests"
PUBLIC = "https://coproduce.example.org"


@pytest.fixture
def twilio_api():
    with TwilioApiServer(SID, TOKEN) as server:
        yield server


def _settings(api_url: str, **overrides: object) -> SmsSettings:
    values: dict[str, object] = {
        "twilio_account_sid": SID,
        "twilio_auth_token": TOKEN,
        "twilio_from": "+447700900500",
        "twilio_api_url": api_url,
        "public_url": PUBLIC,
    }
    values.update(overrides)
    return SmsSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
async def channel(twilio_api: TwilioApiServer):
    channel = SmsChannel(_settings(twilio_api.url))
    yield channel
    await channel.close()


def _outbound(body: str, to: str = "+447700900123", outbox_id: int = 1) -> OutboundMessage:
    return OutboundMessage(outbox_id=outbox_id, channel=ChannelName.SMS, address=to, body=body)


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _signed(path: str, params: dict[str, str], token: str = TOKEN) -> ProviderRequest:
    url = PUBLIC + path
    return ProviderRequest(
        body=urlencode(params).encode(),
        received_at=START,
        url=url,
        headers={"x-twilio-signature": twilio_signature(token, url, params)},
    )


async def test_a_text_is_sent_from_our_number_with_a_status_callback(channel, twilio_api) -> None:
    sid = await channel.send(_outbound("Reply HELP for help.", outbox_id=42))
    [sent] = twilio_api.take()
    assert sent.sid == sid and sid.startswith("SM")
    assert (sent.to, sent.sender, sent.body) == (
        "+447700900123",
        "+447700900500",
        "Reply HELP for help.",
    )
    assert sent.status_callback == PUBLIC + "/sms/status?outbox=42"


async def test_word_processor_punctuation_is_cleaned_before_sending(channel, twilio_api) -> None:
    await channel.send(_outbound("It\u2019s on Tuesday \u2013 see you\u2026"))
    [sent] = twilio_api.take()
    assert sent.body == "It's on Tuesday - see you..."


async def test_a_messaging_service_sender_is_passed_as_such(twilio_api) -> None:
    channel = SmsChannel(_settings(twilio_api.url, twilio_from="MG" + "1" * 32))
    await channel.send(_outbound("Hi"))
    await channel.close()
    [sent] = twilio_api.take()
    assert sent.sender == "MG" + "1" * 32


async def test_an_invalid_number_is_a_permanent_failure(channel, twilio_api) -> None:
    twilio_api.invalid_numbers.add("+447700900999")
    with pytest.raises(PermanentSendError, match="21211"):
        await channel.send(_outbound("Hi", to="+447700900999"))


@pytest.mark.parametrize("status", [500, 503, 429], ids=["500", "503", "429"])
async def test_server_errors_and_rate_limits_are_transient(channel, twilio_api, status) -> None:
    twilio_api.fail_next.append(status)
    with pytest.raises(TransientSendError):
        await channel.send(_outbound("Hi"))
    assert twilio_api.take() == []


async def test_wrong_credentials_keep_the_message_for_later(twilio_api) -> None:
    channel = SmsChannel(_settings(twilio_api.url, twilio_auth_token="wrong"))
    with pytest.raises(TransientSendError, match="credentials"):
        await channel.send(_outbound("Hi"))
    await channel.close()


async def test_a_closed_port_is_transient_for_sending_and_looking_up() -> None:
    channel = SmsChannel(_settings(_closed_port_url()))
    with pytest.raises(TransientSendError, match="could not reach"):
        await channel.send(_outbound("Hi"))
    with pytest.raises(TransientSendError, match="could not reach"):
        await channel.look_up(_outbound("Hi"), datetime.now(UTC))
    await channel.close()


async def test_a_text_answered_too_late_is_uncertain_and_look_up_finds_it(twilio_api) -> None:
    twilio_api.faults = Faults(slow={"+447700900123"}, slow_seconds=0.6)
    channel = SmsChannel(_settings(twilio_api.url, twilio_timeout=0.3))
    message = _outbound("See you Tuesday")
    sent_after = datetime.now(UTC)
    with pytest.raises(UncertainSendError):
        await channel.send(message)
    assert channel.can_look_up
    [held] = twilio_api.take()
    twilio_api.sent.append(held)  # take() empties the list the list endpoint reads
    assert await channel.look_up(message, sent_after) == held.sid
    await channel.close()


async def test_running_out_of_time_before_the_request_went_out_is_transient(twilio_api) -> None:
    # So short a time runs out while connecting, before a byte of the request is written.
    channel = SmsChannel(_settings(twilio_api.url, twilio_timeout=0.000001))
    with pytest.raises(TransientSendError, match="TimeoutError"):
        await channel.send(_outbound("Hi"))
    assert twilio_api.take() == []
    await channel.close()


@pytest.mark.parametrize(
    ("body", "to"),
    [("Another text", "+447700900123"), ("See you Tuesday", "+447700900777")],
    ids=["other-body-same-number", "same-body-other-number"],
)
async def test_look_up_finds_nothing_when_twilio_has_no_such_text(
    channel, twilio_api, body: str, to: str
) -> None:
    await channel.send(_outbound(body, to=to))
    assert await channel.look_up(_outbound("See you Tuesday"), datetime.now(UTC)) is None


@pytest.mark.parametrize(
    ("sent_after", "found"),
    [(START + timedelta(seconds=30), True), (START + timedelta(minutes=5), False)],
    ids=["clocks-a-little-apart", "an-older-identical-text"],
)
async def test_look_up_allows_a_little_clock_slack_but_not_an_older_text(
    sent_after: datetime, found: bool
) -> None:
    with TwilioApiServer(SID, TOKEN, clock=lambda: START) as twilio_api:
        channel = SmsChannel(_settings(twilio_api.url))
        sid = await channel.send(_outbound("See you Tuesday"))
        assert await channel.look_up(_outbound("See you Tuesday"), sent_after) == (
            sid if found else None
        )
        await channel.close()


async def test_look_up_matches_the_text_as_cleaned_for_sending(channel, twilio_api) -> None:
    message = _outbound("It\u2019s on Tuesday \u2013 see you\u2026")
    sid = await channel.send(message)
    assert await channel.look_up(message, datetime.now(UTC)) == sid


async def test_look_up_through_a_messaging_service_filters_by_recipient_only(twilio_api) -> None:
    channel = SmsChannel(_settings(twilio_api.url, twilio_from="MG" + "1" * 32))
    sid = await channel.send(_outbound("Hi"))
    assert await channel.look_up(_outbound("Hi"), datetime.now(UTC)) == sid
    await channel.close()


async def test_scheduled_faults_refuse_the_seeded_share_of_texts(channel, twilio_api) -> None:
    schedule = {"transient_ratio": 0.2, "too_many_ratio": 0.1, "seed": 7}
    twilio_api.faults = Faults(**schedule)
    replay = Faults(**schedule)
    expected_refusals = sum(replay.draw() is not None for _ in range(40))
    refused = 0
    for n in range(40):
        try:
            await channel.send(_outbound(f"Text {n}"))
        except TransientSendError:
            refused += 1
    assert refused == expected_refusals
    assert 6 <= refused <= 18  # about 30% of 40
    assert len(twilio_api.take()) == 40 - refused


@pytest.mark.parametrize(
    ("body", "segments"),
    [
        ("", 1),
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("\u2019" * 160, 1),
        ("\u0175" * 70, 1),
        ("\u0175" * 71, 2),
        ("\u0175" * 135, 3),
    ],
    ids=[
        "empty",
        "gsm7-single",
        "gsm7-two",
        "gsm7-two-full",
        "gsm7-three",
        "curly-quotes-cleaned-to-gsm7",
        "ucs2-single",
        "ucs2-two",
        "ucs2-three",
    ],
)
def test_a_text_costs_its_segments(channel, body: str, segments: int) -> None:
    assert channel.cost(_outbound(body)) == segments


def test_an_inbound_text_with_a_valid_signature_is_genuine_and_read(channel) -> None:
    params = {"MessageSid": "SM123", "From": "+447700900123", "To": "+447700900500", "Body": "HELP"}
    request = _signed("/sms/inbound", params)
    assert channel.is_genuine(request)
    [message] = channel.parse(request)
    assert (message.sender, message.text, message.provider_id) == ("+447700900123", "HELP", "SM123")


@pytest.mark.parametrize(
    "tamper",
    ["wrong-token", "changed-body", "no-signature", "other-url"],
)
def test_an_inbound_text_with_a_bad_signature_is_not_genuine(channel, tamper: str) -> None:
    params = {"MessageSid": "SM123", "From": "+447700900123", "Body": "HELP"}
    request = _signed("/sms/inbound", params, token="wrong" if tamper == "wrong-token" else TOKEN)
    if tamper == "changed-body":
        request = ProviderRequest(
            body=urlencode({**params, "Body": "STOP"}).encode(),
            received_at=START,
            url=request.url,
            headers=request.headers,
        )
    elif tamper == "no-signature":
        request = ProviderRequest(body=request.body, received_at=START, url=request.url)
    elif tamper == "other-url":
        request = ProviderRequest(
            body=request.body, received_at=START, url=PUBLIC + "/elsewhere", headers=request.headers
        )
    assert not channel.is_genuine(request)


@pytest.mark.parametrize(
    "body",
    [b"From=%2B447700900123&Body=hi", b"MessageSid=SM1&Body=hi", b"\xff\xfe=\xff"],
    ids=["no-sid", "no-from", "invalid-utf8"],
)
def test_an_inbound_text_missing_what_we_need_is_malformed(channel, body: bytes) -> None:
    with pytest.raises(MalformedRequest):
        channel.parse(ProviderRequest(body=body, received_at=START))


def test_a_final_status_callback_becomes_a_delivery_report(channel) -> None:
    request = _signed(
        "/sms/status", {"MessageSid": "SM9", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    )
    report = channel.parse_status(request)
    assert (report.provider_id, report.status, report.error_code) == ("SM9", "undelivered", "30003")


def test_a_sent_status_callback_is_reported(channel) -> None:
    request = _signed("/sms/status", {"MessageSid": "SM9", "MessageStatus": "sent"})
    report = channel.parse_status(request)
    assert (report.provider_id, report.status) == ("SM9", "sent")


@pytest.mark.parametrize("status", ["queued", "sending", "accepted", "scheduled"])
def test_an_in_between_status_callback_changes_nothing(channel, status: str) -> None:
    request = _signed("/sms/status", {"MessageSid": "SM9", "MessageStatus": status})
    assert channel.parse_status(request) is None


@pytest.mark.parametrize(
    ("query", "outbox_id"),
    [("?outbox=42", 42), ("", None), ("?outbox=x", None)],
    ids=["our-id", "no-id", "not-a-number"],
)
def test_a_status_callback_names_our_outbox_id_from_its_signed_url(
    channel, query: str, outbox_id: int | None
) -> None:
    request = _signed("/sms/status" + query, {"MessageSid": "SM9", "MessageStatus": "delivered"})
    assert channel.is_genuine(request)
    assert channel.parse_status(request).outbox_id == outbox_id


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 7700 900123", "+447700900123"),
        ("(07700) 900-123", "+447700900123"),
        ("+48 601 234 567", "+48601234567"),
    ],
    ids=["uk-local", "uk-international", "uk-punctuated", "polish"],
)
def test_phone_numbers_are_stored_as_e164_with_gb_as_the_default(raw: str, e164: str) -> None:
    assert normalise_phone(raw, "GB") == e164


@pytest.mark.parametrize(
    "raw", ["12", "not a number", "+44 1234"], ids=["short", "words", "too-short-uk"]
)
def test_things_that_are_not_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="phone number"):
        normalise_phone(raw, "GB")
