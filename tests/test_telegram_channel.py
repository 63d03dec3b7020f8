"""The Telegram channel with the real python-telegram-bot ``Bot`` against a local Bot API
server: sending, long messages, failures classified, webhook updates read and checked."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import socket
from datetime import UTC, datetime

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
from channels.telegram import TelegramChannel, TelegramSettings, split_message
from tests.helpers import START, telegram_update
from tests.peers.faults import Faults
from tests.peers.telegram_api import TelegramApiServer

TOKEN = "123456:TEST-token-for-the-local-server"
SECRET = "webhook-secret-0123456789"


@pytest.fixture
def telegram_api():
    with TelegramApiServer(TOKEN) as server:
        yield server


@pytest.fixture
async def channel(telegram_api: TelegramApiServer):
    settings = TelegramSettings(
        telegram_token=TOKEN, telegram_webhook_secret=SECRET, telegram_api_url=telegram_api.url
    )
    channel = TelegramChannel(settings)
    yield channel
    await channel.close()


def _outbound(text: str, address: str = "5001", choices: tuple[str, ...] = ()) -> OutboundMessage:
    return OutboundMessage(
        outbox_id=1, channel=ChannelName.TELEGRAM, address=address, body=text, choices=choices
    )


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _request(body: bytes, secret: str | None = SECRET) -> ProviderRequest:
    headers = {"x-telegram-bot-api-secret-token": secret} if secret is not None else {}
    return ProviderRequest(body=body, received_at=START, headers=headers)


async def test_a_message_reaches_the_chat_through_the_bot_api(channel, telegram_api) -> None:
    provider_id = await channel.send(_outbound("Hello Bea."))
    [sent] = telegram_api.take()
    assert (sent.chat_id, sent.text, str(sent.message_id)) == (5001, "Hello Bea.", provider_id)
    assert telegram_api.calls[:2] == ["getMe", "sendMessage"]


async def test_choices_are_mirrored_as_buttons_under_the_typed_list(channel, telegram_api) -> None:
    await channel.send(_outbound("Reply 1 to join or 2 to hear more.", choices=("1", "2")))
    [sent] = telegram_api.take()
    assert sent.text == "Reply 1 to join or 2 to hear more."
    assert [row[0]["text"] for row in sent.reply_markup["keyboard"]] == ["1", "2"]


async def test_a_long_message_arrives_in_parts_split_between_paragraphs(
    channel, telegram_api
) -> None:
    paragraphs = [f"Paragraph {n}. " + "word " * 150 for n in range(12)]
    await channel.send(_outbound("\n\n".join(paragraphs)))
    sent = telegram_api.take()
    assert len(sent) > 1
    assert all(len(part.text) <= 4096 for part in sent)
    assert all(part.text.startswith("Paragraph") for part in sent)
    rejoined = "\n\n".join(part.text for part in sent)
    assert rejoined == "\n\n".join(paragraphs)


async def test_a_long_message_failing_after_its_first_part_goes_on_from_the_next(
    channel, telegram_api
) -> None:
    paragraphs = [f"Paragraph {n}. " + "word " * 150 for n in range(12)]
    text = "\n\n".join(paragraphs)
    parts = split_message(text)
    telegram_api.fail_next = [0, 500]  # the first part goes; the second meets a server error
    with pytest.raises(TransientSendError) as failed:
        await channel.send(_outbound(text))
    assert failed.value.parts_sent == 1
    assert [m.text for m in telegram_api.take()] == parts[:1]
    again = dataclasses.replace(_outbound(text), parts_sent=failed.value.parts_sent)
    assert channel.cost(again) == len(parts) - 1
    await channel.send(again)
    assert [m.text for m in telegram_api.take()] == parts[1:]


def test_splitting_never_loses_text_even_without_paragraphs() -> None:
    text = "x" * 9000
    parts = split_message(text, limit=4000)
    assert [len(p) for p in parts] == [4000, 4000, 1000]
    assert "".join(parts) == text


async def test_a_person_who_blocked_the_bot_is_a_permanent_failure(channel, telegram_api) -> None:
    telegram_api.blocked_chats.add(5001)
    with pytest.raises(PermanentSendError, match="blocked"):
        await channel.send(_outbound("Hello"))


async def test_flood_control_is_a_transient_failure_with_the_pause_asked_for(
    channel, telegram_api
) -> None:
    telegram_api.fail_next.append(429)
    with pytest.raises(TransientSendError) as caught:
        await channel.send(_outbound("Hello"))
    assert caught.value.retry_after == 7


async def test_a_server_error_is_transient(channel, telegram_api) -> None:
    telegram_api.fail_next.append(502)
    with pytest.raises(TransientSendError):
        await channel.send(_outbound("Hello"))


async def test_an_unreachable_api_is_transient() -> None:
    settings = TelegramSettings(telegram_token=TOKEN, telegram_api_url=_closed_port_url())
    channel = TelegramChannel(settings)
    with pytest.raises(TransientSendError, match="could not reach"):
        await channel.send(_outbound("Hello"))
    await channel.close()


async def test_an_api_gone_between_sends_is_transient() -> None:
    with TelegramApiServer(TOKEN) as telegram_api:
        channel = TelegramChannel(
            TelegramSettings(telegram_token=TOKEN, telegram_api_url=telegram_api.url)
        )
        await channel.send(_outbound("Hello"))
    with pytest.raises(TransientSendError, match="could not reach"):
        await channel.send(_outbound("Hello again"))
    await channel.close()


async def test_a_message_answered_too_late_is_uncertain_and_arrives_once(telegram_api) -> None:
    telegram_api.faults = Faults(slow={"5001"}, slow_seconds=0.6)
    channel = TelegramChannel(
        TelegramSettings(
            telegram_token=TOKEN, telegram_api_url=telegram_api.url, telegram_timeout=0.3
        )
    )
    await channel.start()
    with pytest.raises(UncertainSendError):
        await channel.send(_outbound("Hello Bea."))
    assert [sent.text for sent in telegram_api.take()] == ["Hello Bea."]
    await channel.close()


async def test_scheduled_flood_control_gives_the_pause_asked_for(channel, telegram_api) -> None:
    telegram_api.faults = Faults(too_many_ratio=1.0, retry_after=3)
    with pytest.raises(TransientSendError) as caught:
        await channel.send(_outbound("Hello"))
    assert caught.value.retry_after == 3
    assert telegram_api.take() == []


async def test_scheduled_faults_refuse_the_seeded_share_of_messages(channel, telegram_api) -> None:
    schedule = {"transient_ratio": 0.2, "too_many_ratio": 0.1, "seed": 7}
    telegram_api.faults = Faults(**schedule)
    replay = Faults(**schedule)
    expected = [replay.draw() for _ in range(40)]
    refusals: list[float | None] = []
    for n in range(40):
        try:
            await channel.send(_outbound(f"Message {n}"))
        except TransientSendError as error:
            refusals.append(error.retry_after)
    assert len(refusals) == sum(fault is not None for fault in expected)
    assert 6 <= len(refusals) <= 18  # about 30% of 40
    assert refusals.count(1.0) == sum(fault == "too-many" for fault in expected)
    assert len(telegram_api.take()) == 40 - len(refusals)


async def test_concurrent_sends_do_not_wait_for_each_other(telegram_api) -> None:
    chats = [str(5001 + n) for n in range(8)]
    telegram_api.faults = Faults(slow=set(chats), slow_seconds=0.5)
    channel = TelegramChannel(
        TelegramSettings(telegram_token=TOKEN, telegram_api_url=telegram_api.url)
    )
    await channel.start()
    await asyncio.gather(*(channel.send(_outbound("Hello", address=chat)) for chat in chats))
    taken = [sent.at for sent in telegram_api.take()]
    assert len(taken) == 8
    assert max(taken) - min(taken) < 0.5  # all taken before the first answer came back
    await channel.close()


async def test_telegram_cannot_be_asked_about_a_sent_message(channel) -> None:
    assert channel.can_look_up is False
    with pytest.raises(NotImplementedError, match="cannot be asked"):
        await channel.look_up(_outbound("Hello"), datetime.now(UTC))


@pytest.mark.parametrize(
    ("paragraphs", "parts"),
    [(1, 1), (12, 3)],
    ids=["short", "long"],
)
def test_a_message_costs_the_parts_it_is_sent_in(channel, paragraphs: int, parts: int) -> None:
    text = "\n\n".join(f"Paragraph {n}. " + "word " * 150 for n in range(paragraphs))
    assert channel.cost(_outbound(text)) == parts == len(split_message(text))


def test_a_private_message_update_becomes_an_inbound_message(channel) -> None:
    body = json.dumps(telegram_update(41, 5001, "help")).encode()
    [message] = channel.parse(_request(body))
    assert (message.channel, message.sender, message.text) == ("telegram", "5001", "help")
    assert message.provider_id == "41"
    assert message.received_at == START


@pytest.mark.parametrize(
    "update",
    [
        telegram_update(6, -100123, "hello group", chat={"id": -100123, "type": "group"}),
        {
            "update_id": 7,
            "callback_query": {
                "id": "1",
                "from": {"id": 1, "is_bot": False, "first_name": "A"},
                "chat_instance": "c",
            },
        },
    ],
    ids=["group-chat", "button-press"],
)
def test_updates_that_are_not_a_private_message_are_ignored(channel, update) -> None:
    assert channel.parse(_request(json.dumps(update).encode())) == []


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"message": {}}', b'{"update_id": "x"}', b"\xff\xfe"],
    ids=["not-json", "a-list", "no-update-id", "text-update-id", "invalid-utf8"],
)
def test_a_malformed_update_is_refused(channel, body: bytes) -> None:
    with pytest.raises(MalformedRequest):
        channel.parse(_request(body))


@pytest.mark.parametrize(
    ("secret", "genuine"),
    [(SECRET, True), ("wrong", False), ("", False), (None, False)],
    ids=["right-secret", "wrong-secret", "empty-secret", "no-header"],
)
def test_only_updates_carrying_the_webhook_secret_are_genuine(channel, secret, genuine) -> None:
    assert channel.is_genuine(_request(b"{}", secret)) is genuine


def test_without_a_configured_secret_no_update_is_genuine(telegram_api) -> None:
    channel = TelegramChannel(
        TelegramSettings(telegram_token=TOKEN, telegram_api_url=telegram_api.url)
    )
    assert channel.is_genuine(_request(b"{}", "")) is False
    assert channel.is_genuine(_request(b"{}", "anything")) is False


async def test_polling_fetches_updates_after_the_offset(channel, telegram_api) -> None:
    telegram_api.queue_update(telegram_update(10, 5001, "one"))
    telegram_api.queue_update(telegram_update(11, 5001, "two"))
    updates = await channel.fetch_updates(None, wait_seconds=0)
    assert [u.update_id for u in updates] == [10, 11]
    assert await channel.fetch_updates(12, wait_seconds=0) == []
