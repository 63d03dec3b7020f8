"""Email sends share a few SMTP connections: how many are opened, how a connection the server
dropped is replaced, and what a failure at each step of the transaction means."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import pytest

from channels.base import (
    Channel,
    ChannelName,
    OutboundMessage,
    PermanentSendError,
    TransientSendError,
    UncertainSendError,
)
from channels.email import EmailChannel, EmailSettings
from tests.peers.faults import Faults
from tests.peers.smtp_sink import SmtpSink, _free_port

MakeChannel = Callable[..., EmailChannel]


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
async def channel_to() -> AsyncIterator[MakeChannel]:
    """Email channels pointed at a port, closed when the test ends."""
    made: list[EmailChannel] = []

    def make(port: int, **overrides: object) -> EmailChannel:
        values: dict[str, object] = {
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_tls": "none",
            "smtp_timeout": 0.5,
            "email_from": "Coproduce <coproduce@example.org>",
        }
        values.update(overrides)
        channel = EmailChannel(EmailSettings(**values))  # type: ignore[arg-type]
        made.append(channel)
        return channel

    yield make
    for channel in made:
        await channel.close()


def _outbound(number: int = 1, address: str | None = None) -> OutboundMessage:
    return OutboundMessage(
        outbox_id=number,
        channel=ChannelName.EMAIL,
        address=address or f"person{number}@example.net",
        body=f"Message number {number}.",
        subject="Your brief",
    )


def _message_ids(sink: SmtpSink) -> list[str]:
    return [str(mail.message["Message-ID"]) for mail in sink.take()]


async def test_twenty_sends_over_two_connections_all_arrive(
    sink: SmtpSink, channel_to: MakeChannel
) -> None:
    channel = channel_to(sink.port, smtp_connections=2)
    await asyncio.gather(*(channel.send(_outbound(n)) for n in range(1, 21)))
    recipients = sorted(mail.rcpt_tos[0] for mail in sink.take())
    assert recipients == sorted(f"person{n}@example.net" for n in range(1, 21))
    assert sink.connections <= 2


async def test_mails_sent_one_after_another_share_one_connection(
    sink: SmtpSink, channel_to: MakeChannel
) -> None:
    channel = channel_to(sink.port)
    for number in range(1, 6):
        await channel.send(_outbound(number))
    assert len(sink.take()) == 5
    assert sink.connections == 1


async def test_ten_concurrent_sends_arrive_exactly_once(
    sink: SmtpSink, channel_to: MakeChannel
) -> None:
    channel = channel_to(sink.port, smtp_connections=3)
    provider_ids = await asyncio.gather(*(channel.send(_outbound(n)) for n in range(1, 11)))
    assert sorted(_message_ids(sink)) == sorted(provider_ids)
    assert len(set(provider_ids)) == 10
    assert sink.most_open_connections <= 3


async def test_the_pool_reconnects_after_the_mail_server_restarted(
    channel_to: MakeChannel,
) -> None:
    with SmtpSink() as before:
        channel = channel_to(before.port)
        await channel.send(_outbound(1))
    with SmtpSink(port=before.port) as after:
        await channel.send(_outbound(2))
        assert [mail.rcpt_tos for mail in after.take()] == [["person2@example.net"]]
        assert after.connections == 1


@pytest.mark.parametrize("client_noticed", [True, False], ids=["noticed", "not-yet-noticed"])
async def test_a_connection_the_server_dropped_is_replaced_without_a_failure(
    sink: SmtpSink, channel_to: MakeChannel, client_noticed: bool
) -> None:
    channel = channel_to(sink.port)
    await channel.send(_outbound(1))
    sink.drop_connections()
    if client_noticed:
        await asyncio.sleep(0.1)  # the client's loop reads the server's close
    await channel.send(_outbound(2))
    assert len(sink.take()) == 2
    assert sink.connections == 2


async def test_a_mail_answered_after_the_timeout_is_uncertain_and_held_once(
    channel_to: MakeChannel,
) -> None:
    faults = Faults(slow={"slow@example.net"}, slow_seconds=0.8)
    with SmtpSink(faults=faults) as sink:
        channel = channel_to(sink.port, smtp_timeout=0.5)
        sent_at = time.monotonic()
        with pytest.raises(UncertainSendError):
            await channel.send(_outbound(1, address="slow@example.net"))
        gave_up_at = time.monotonic()
        [held] = sink.take()
        assert held.rcpt_tos == ["slow@example.net"]
        # The server had taken it before we stopped waiting for its answer.
        assert sent_at <= held.at <= gave_up_at
        # The connection that timed out is not reused for the next mail.
        await channel.send(_outbound(2))
        assert [mail.rcpt_tos for mail in sink.take()] == [["person2@example.net"]]
        assert sink.connections == 2


async def test_a_send_cancelled_midway_does_not_hand_its_connection_to_the_next_mail(
    channel_to: MakeChannel,
) -> None:
    faults = Faults(slow={"slow@example.net"}, slow_seconds=0.8)
    with SmtpSink(faults=faults) as sink:
        channel = channel_to(sink.port, smtp_connections=1)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(channel.send(_outbound(1, address="slow@example.net")), 0.2)
        await channel.send(_outbound(2))
        assert sorted(mail.rcpt_tos[0] for mail in sink.take()) == [
            "person2@example.net",
            "slow@example.net",
        ]


@pytest.mark.parametrize(
    ("fault", "reply"),
    [({"transient_ratio": 1.0}, "451"), ({"too_many_ratio": 1.0}, "421")],
    ids=["try-again-later", "slow-down"],
)
async def test_a_busy_server_at_data_is_a_transient_failure(
    channel_to: MakeChannel, fault: dict[str, float], reply: str
) -> None:
    faults = Faults(**fault)  # type: ignore[arg-type]
    with SmtpSink(faults=faults) as sink:
        channel = channel_to(sink.port)
        with pytest.raises(TransientSendError, match=reply):
            await channel.send(_outbound(1))
        assert sink.take() == []
        faults.transient_ratio = faults.too_many_ratio = 0.0
        await channel.send(_outbound(1))
        assert len(sink.take()) == 1


async def test_a_refused_recipient_is_permanent_and_the_connection_carries_the_next_mail(
    sink: SmtpSink, channel_to: MakeChannel
) -> None:
    sink.refuse["gone@example.net"] = "550 5.1.1 No such user"
    channel = channel_to(sink.port)
    with pytest.raises(PermanentSendError, match="550"):
        await channel.send(_outbound(1, address="gone@example.net"))
    await channel.send(_outbound(2))
    assert [mail.rcpt_tos for mail in sink.take()] == [["person2@example.net"]]
    assert sink.connections == 1


async def test_an_unreachable_server_is_transient_and_mail_flows_once_it_is_up(
    channel_to: MakeChannel,
) -> None:
    port = _free_port()
    channel = channel_to(port, smtp_connections=1)
    with pytest.raises(TransientSendError, match="could not reach"):
        await channel.send(_outbound(1))
    with SmtpSink(port=port) as sink:
        await channel.send(_outbound(1))
        assert len(sink.take()) == 1


async def test_closing_the_channel_leaves_no_connection_open(
    sink: SmtpSink, channel_to: MakeChannel
) -> None:
    channel = channel_to(sink.port, smtp_connections=3)
    await asyncio.gather(*(channel.send(_outbound(n)) for n in range(1, 7)))
    assert sink.open_connections >= 1
    await channel.close()
    assert sink.wait_until_no_connection_is_open()
    assert sink.open_connections == 0


async def test_email_cannot_be_asked_about_a_send_and_each_mail_costs_one(
    channel_to: MakeChannel,
) -> None:
    channel = channel_to(_free_port())
    assert isinstance(channel, Channel)
    assert channel.can_look_up is False
    assert channel.cost(_outbound(1)) == 1
    with pytest.raises(NotImplementedError, match="SMTP cannot be asked"):
        await channel.look_up(_outbound(1), datetime(2025, 1, 1, tzinfo=UTC))
