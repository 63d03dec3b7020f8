"""Mail sent into our inbound SMTP listener with smtplib: stored once, routed by its reply
token, answered by email through the outbox; robots and strangers are not answered."""

from __future__ import annotations

import asyncio
import smtplib
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.smtp_server import InboundMailHandler, start_smtp_listener
from channels.base import ChannelName
from storage.db import transaction
from storage.models import InboundMessageRow, ReplyToken
from storage.reply_tokens import token_for
from tests.helpers import add_person
from tests.live import live_service

FIXTURES = Path(__file__).parent / "fixtures" / "email"


@pytest.fixture
async def live(sqlite_url, clock):
    async with live_service(sqlite_url, clock) as service:
        channel = service.services.channels[ChannelName.EMAIL]
        handler = InboundMailHandler(channel, service.services.inbound, clock)  # type: ignore[arg-type]
        server = await start_smtp_listener(handler, "127.0.0.1", 0, 10 * 1024 * 1024)
        service.smtp_port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        yield service
        server.close()
        await server.wait_closed()


async def _send(port: int, raw: bytes, rcpt: str, mail_from: str = "jo@example.net") -> None:
    def send() -> None:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.sendmail(mail_from, [rcpt], raw)

    await asyncio.to_thread(send)


def _reply(token: str, message_id: str = "<reply-1@example.net>", body: str = "HELP") -> bytes:
    return (
        "From: Jo Bloggs <jo@example.net>\r\n"
        f"To: coproduce+{token}@example.org\r\n"
        "Subject: Re: Your brief\r\n"
        f"Message-ID: {message_id}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"{body}\r\n\r\nOn Mon, 23 Nov 2026 at 10:00, Coproduce wrote:\r\n> Hello Jo.\r\n"
    ).encode()


async def _token(live, email: str = "jo@example.net") -> str:
    person = await add_person(live.services.sessions, "Jo", email=email)
    async with transaction(live.services.sessions) as session:
        return await token_for(session, person.id, None, live.clock.now())


async def test_a_reply_by_email_is_stored_and_answered_by_email(live) -> None:
    token = await _token(live)
    await _send(live.smtp_port, _reply(token), f"coproduce+{token}@example.org")
    await live.settle()
    [mail] = live.smtp.take()
    message = mail.message
    assert mail.rcpt_tos == ["jo@example.net"]
    assert message["Subject"] == "Re: Your brief"
    assert message["In-Reply-To"] == "<reply-1@example.net>"
    assert message["Reply-To"] == f"coproduce+{token}@example.org"
    assert "Hello Jo." in message.get_body(("plain",)).get_content()
    async with live.services.sessions() as session:
        stored = await session.scalar(select(InboundMessageRow))
    assert (stored.text, stored.routing_token) == ("HELP", token)


async def test_the_same_message_id_delivered_twice_is_answered_once(live) -> None:
    token = await _token(live)
    for _ in range(2):
        await _send(
            live.smtp_port, _reply(token, "<same@example.net>"), f"coproduce+{token}@example.org"
        )
    await live.settle()
    assert len(live.smtp.take()) == 1
    async with live.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessageRow)) == 1


async def test_mail_that_cannot_be_stored_is_deferred_and_taken_when_sent_again(live) -> None:
    """The database refuses the row (a trigger standing in for a fault): the sending server
    is told to try later (451, not a bounce), without the reason; its retry is answered."""
    token = await _token(live)
    async with transaction(live.services.sessions) as session:
        await session.execute(
            text(
                "CREATE TRIGGER refuse_inbound BEFORE INSERT ON inbound_messages "
                "BEGIN SELECT RAISE(ABORT, 'secret detail of the fault'); END"
            )
        )
    with pytest.raises(smtplib.SMTPDataError) as deferred:
        await _send(live.smtp_port, _reply(token), f"coproduce+{token}@example.org")
    assert deferred.value.smtp_code == 451
    assert b"secret detail" not in deferred.value.smtp_error

    async with transaction(live.services.sessions) as session:
        await session.execute(text("DROP TRIGGER refuse_inbound"))
    await _send(live.smtp_port, _reply(token), f"coproduce+{token}@example.org")
    await live.settle()
    [mail] = live.smtp.take()
    assert "Hello Jo." in mail.message.get_body(("plain",)).get_content()


async def test_mail_for_another_domain_is_refused_as_relaying(live) -> None:
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        await _send(live.smtp_port, _reply("x"), "someone@gmail.com")
    code, _ = refused.value.recipients["someone@gmail.com"]
    assert code == 550


async def test_mail_with_an_unknown_token_is_kept_but_not_answered(live) -> None:
    await _token(live)
    await _send(live.smtp_port, _reply("notarealtoken"), "coproduce+notarealtoken@example.org")
    await live.settle()
    assert live.smtp.take() == []
    async with live.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessageRow)) == 1


FIXTURE_TOKEN = "k7q2m4x9v3c8b5n6d1f0g2h4j6"


async def _person_with_fixture_token(live) -> None:
    person = await add_person(live.services.sessions, "Jo", email="jo.bloggs@gmail.com")
    async with transaction(live.services.sessions) as session:
        session.add(
            ReplyToken(token=FIXTURE_TOKEN, contributor_id=person.id, created_at=live.clock.now())
        )


async def test_a_real_client_reply_to_a_known_token_is_answered(live) -> None:
    await _person_with_fixture_token(live)
    raw = (FIXTURES / "gmail.eml").read_bytes()
    await _send(
        live.smtp_port, raw, f"coproduce+{FIXTURE_TOKEN}@example.org", "jo.bloggs@gmail.com"
    )
    await live.settle()
    [mail] = live.smtp.take()
    assert mail.rcpt_tos == ["jo.bloggs@gmail.com"]


@pytest.mark.parametrize(
    ("fixture", "mail_from"),
    [("auto_reply.eml", "jo.bloggs@gmail.com"), ("bounce.eml", "")],
    ids=["out-of-office", "bounce"],
)
async def test_robots_are_never_answered(live, fixture: str, mail_from: str) -> None:
    await _person_with_fixture_token(live)
    raw = (FIXTURES / fixture).read_bytes()
    await _send(live.smtp_port, raw, f"coproduce+{FIXTURE_TOKEN}@example.org", mail_from)
    await live.settle()
    assert live.smtp.take() == []


async def test_mail_over_the_size_limit_is_refused_with_552_and_not_stored(live) -> None:
    token = await _token(live)
    channel = live.services.channels[ChannelName.EMAIL]
    handler = InboundMailHandler(channel, live.services.inbound, live.clock)  # type: ignore[arg-type]
    server = await start_smtp_listener(handler, "127.0.0.1", 0, 5000)
    port = server.sockets[0].getsockname()[1]
    big = _reply(token, body="Some words.\r\n" * 1000)  # about 13 kB

    def declared_then_streamed() -> tuple[int, int]:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
            client.ehlo()
            declared, _ = client.mail("jo@example.net", [f"SIZE={len(big)}"])
            client.rset()
            client.mail("jo@example.net")  # no SIZE: the limit holds while reading
            client.rcpt(f"coproduce+{token}@example.org")
            streamed, _ = client.data(big)
        return declared, streamed

    try:
        assert await asyncio.to_thread(declared_then_streamed) == (552, 552)
    finally:
        server.close()
        await server.wait_closed()
    await live.settle()
    assert live.smtp.take() == []
    async with live.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(InboundMessageRow)) == 0


async def test_a_reply_whose_own_words_are_unclear_is_held_and_the_person_asked(live) -> None:
    # Written only under the signature delimiter: we cannot be sure which words are theirs.
    token = await _token(live)
    headers, _ = _reply(token).split(b"\r\n\r\n", 1)
    raw = headers + (
        b"\r\n\r\n--\r\nThe bus stop by the school must stay, my son needs it every day.\r\n"
        b"\r\nOn Mon, 23 Nov 2026 at 10:00, Coproduce wrote:\r\n> Hello Jo.\r\n"
    )
    await _send(live.smtp_port, raw, f"coproduce+{token}@example.org")
    await live.settle()
    [mail] = live.smtp.take()
    assert "could not tell which words" in mail.message.get_body(("plain",)).get_content()
    async with live.services.sessions() as session:
        stored = await session.scalar(select(InboundMessageRow))
    assert (stored.text, stored.unsure) == ("", True)
    assert (
        stored.unquoted_text == "The bus stop by the school must stay, my son needs it every day."
    )
