"""The SMS channel with the real twilio client against a local Twilio-speaking server:
sending, failures classified, inbound and status callbacks checked with RequestValidator."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from channels.base import (
    ChannelName,
    MalformedRequest,
    OutboundMessage,
    PermanentSendError,
    ProviderRequest,
    TransientSendError,
)
from channels.sms import SmsChannel, SmsSettings, normalise_phone
from tests.helpers import START, twilio_signature
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


def _outbound(body: str, to: str = "+447700900123") -> OutboundMessage:
    return OutboundMessage(outbox_id=1, channel=ChannelName.SMS, address=to, body=body)


def _signed(path: str, params: dict[str, str], token: str = TOKEN) -> ProviderRequest:
    url = PUBLIC + path
    return ProviderRequest(
        body=urlencode(params).encode(),
        received_at=START,
        url=url,
        headers={"x-twilio-signature": twilio_signature(token, url, params)},
    )


async def test_a_text_is_sent_from_our_number_with_a_status_callback(channel, twilio_api) -> None:
    sid = await channel.send(_outbound("Reply HELP for help."))
    [sent] = twilio_api.take()
    assert sent.sid == sid and sid.startswith("SM")
    assert (sent.to, sent.sender, sent.body) == (
        "+447700900123",
        "+447700900500",
        "Reply HELP for help.",
    )
    assert sent.status_callback == PUBLIC + "/sms/status"


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


async def test_an_unreachable_twilio_is_transient() -> None:
    channel = SmsChannel(_settings("http://127.0.0.1:9"))
    with pytest.raises(TransientSendError):
        await channel.send(_outbound("Hi"))
    await channel.close()


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


def test_an_in_between_status_callback_changes_nothing(channel) -> None:
    request = _signed("/sms/status", {"MessageSid": "SM9", "MessageStatus": "sent"})
    assert channel.parse_status(request) is None


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
