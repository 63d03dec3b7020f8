"""The email channel: what our mail looks like when it reaches a real SMTP server, how
refusals are classified, and how replies are read and routed by their token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from channels.base import (
    ChannelName,
    MalformedRequest,
    OutboundMessage,
    PermanentSendError,
    ProviderRequest,
    TransientSendError,
)
from channels.email import EmailChannel, EmailSettings, normalise_email
from channels.email_html import render_html
from tests.helpers import START
from tests.peers.smtp_sink import SmtpSink

FIXTURES = Path(__file__).parent / "fixtures" / "email"
TOKEN = "k7q2m4x9v3c8b5n6d1f0g2h4j6"


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
async def mailer(sink: SmtpSink) -> AsyncIterator[EmailChannel]:
    """An email channel sending to the sink; closed after the test, as the service closes it."""
    channel = _channel(sink.port)
    yield channel
    await channel.close()


def _channel(port: int = 9, **overrides: object) -> EmailChannel:
    values: dict[str, object] = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_tls": "none",
        "email_from": "Coproduce <coproduce@example.org>",
    }
    values.update(overrides)
    return EmailChannel(EmailSettings(**values))  # type: ignore[arg-type]


def _outbound(**overrides: object) -> OutboundMessage:
    values: dict[str, object] = {
        "outbox_id": 42,
        "channel": ChannelName.EMAIL,
        "address": "jo@example.net",
        "body": "Hello Jo.\n\nThe brief is ready: https://example.org/brief?v=2&lang=en\n\nThanks.",
        "subject": "Your brief",
        "language": "en",
        "reply_token": TOKEN,
    }
    values.update(overrides)
    return OutboundMessage(**values)  # type: ignore[arg-type]


async def test_mail_arrives_with_plain_text_first_and_accessible_html(
    sink: SmtpSink, mailer: EmailChannel
) -> None:
    provider_id = await mailer.send(_outbound())
    [mail] = sink.take()
    assert mail.rcpt_tos == ["jo@example.net"]
    assert mail.mail_from == "coproduce@example.org"
    message = mail.message
    assert message.get_content_type() == "multipart/alternative"
    plain, rich = message.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert plain.get_content().rstrip("\n") == _outbound().body
    assert rich.get_content_type() == "text/html"
    html = rich.get_content()
    assert '<html lang="en" dir="ltr">' in html
    assert "<title>Your brief</title>" in html
    assert ">Your brief</h1>" in html
    assert "<p>Hello Jo.</p>" in html
    assert '<a href="https://example.org/brief?v=2&amp;lang=en">' in html
    assert message["Message-ID"] == provider_id
    assert "coproduce.42" in provider_id


async def test_mail_carries_the_reply_token_and_says_it_is_automatic(
    sink: SmtpSink, mailer: EmailChannel
) -> None:
    await mailer.send(_outbound(in_reply_to="<their-message@example.net>"))
    message = sink.take()[0].message
    assert message["Reply-To"] == f"coproduce+{TOKEN}@example.org"
    assert (
        message["List-Unsubscribe"].strip()
        == f"<mailto:coproduce+{TOKEN}@example.org?subject=STOP>"
    )
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["In-Reply-To"] == "<their-message@example.net>"
    assert message["From"] == "Coproduce <coproduce@example.org>"
    assert message["Content-Language"] == "en"


async def test_html_for_a_right_to_left_language_says_so(
    sink: SmtpSink, mailer: EmailChannel
) -> None:
    await mailer.send(_outbound(language="ur", body="\u0622\u067e \u06a9\u0627"))
    rich = list(sink.take()[0].message.iter_parts())[1].get_content()
    assert '<html lang="ur" dir="rtl">' in rich


def _main_of(page: str) -> list[str]:
    """The lines inside <main>, the title's <h1> aside."""
    inside = page.split("<main", 1)[1].split("</main>", 1)[0]
    return [line for line in inside.splitlines()[2:] if line]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# Plan\n\nWe meet.", ["<h2>Plan</h2>", "<p>We meet.</p>"]),
        ("## What we ask ##\nTell us.", ["<h2>What we ask</h2>", "<p>Tell us.</p>"]),
        ("# A\n### C\n# D", ["<h2>A</h2>", "<h3>C</h3>", "<h2>D</h2>"]),
        ("#hashtag and # not at the start", ["<p>#hashtag and # not at the start</p>"]),
        (
            "Ask:\n- one\n* two\n  wrapped\nAfter.",
            [
                "<p>Ask:</p>",
                "<ul>",
                "<li>one</li>",
                "<li>two wrapped</li>",
                "</ul>",
                "<p>After.</p>",
            ],
        ),
        ("1. A member: late\n2. Tom: early", ["<p>1. A member: late<br>", "2. Tom: early</p>"]),
        ("-5 degrees <b>", ["<p>-5 degrees &lt;b&gt;</p>"]),
    ],
    ids=[
        "heading-below-h1",
        "closing-hashes",
        "levels-never-skip",
        "not-a-heading",
        "list-with-wrapped-item",
        "numbered-lines-stay-lines",
        "escaped",
    ],
)
def test_html_turns_markdown_headings_and_lists_into_real_ones(
    body: str, expected: list[str]
) -> None:
    assert _main_of(render_html(body, "Title", "en")) == expected


def test_html_of_a_message_without_a_subject_is_titled_by_its_first_sentence() -> None:
    page = render_html("Welcome to CARE1. Do you have an interest to declare?", "", "en")
    assert "<title>Welcome to CARE1.</title>" in page
    assert ">Welcome to CARE1.</h1>" in page


async def test_a_refused_mailbox_is_a_permanent_failure(
    sink: SmtpSink, mailer: EmailChannel
) -> None:
    sink.refuse["gone@example.net"] = "550 5.1.1 No such user"
    with pytest.raises(PermanentSendError, match="550"):
        await mailer.send(_outbound(address="gone@example.net"))
    assert sink.take() == []


async def test_a_full_mailbox_is_a_transient_failure(sink: SmtpSink, mailer: EmailChannel) -> None:
    sink.refuse["full@example.net"] = "452 4.2.2 Mailbox full"
    with pytest.raises(TransientSendError, match="452"):
        await mailer.send(_outbound(address="full@example.net"))


async def test_an_unreachable_mail_server_is_transient() -> None:
    with pytest.raises(TransientSendError):
        await _channel(9).send(_outbound())


def _inbound(name: str, to: str = f"coproduce+{TOKEN}@example.org", sender: str = "x@y.org"):
    return ProviderRequest(
        body=(FIXTURES / name).read_bytes(),
        received_at=START,
        envelope_from=sender,
        envelope_to=(to,),
    )


@pytest.mark.parametrize(
    "fixture",
    [
        "gmail.eml",
        "outlook.eml",
        "apple_mail.eml",
        "plain_text_client.eml",
        "html_only.eml",
        "welsh_reply.eml",
    ],
)
def test_a_reply_is_routed_by_the_token_in_the_address_it_was_sent_to(fixture: str) -> None:
    [message] = _channel().parse(_inbound(fixture))
    assert message.routing_token == TOKEN
    assert message.channel == ChannelName.EMAIL
    assert message.provider_id.startswith("<") and message.provider_id.endswith(">")
    assert message.text
    assert ">" not in message.text.splitlines()[0]


def test_a_reply_to_an_address_without_a_token_has_no_route() -> None:
    [message] = _channel().parse(_inbound("gmail.eml", to="coproduce@example.org"))
    assert message.routing_token is None


def test_the_token_is_read_whatever_case_the_relay_used() -> None:
    [message] = _channel().parse(_inbound("gmail.eml", to=f"Coproduce+{TOKEN.upper()}@Example.ORG"))
    assert message.routing_token == TOKEN


@pytest.mark.parametrize(
    ("fixture", "envelope_from"),
    [("auto_reply.eml", "jo@example.net"), ("bounce.eml", "")],
    ids=["out-of-office", "bounce"],
)
def test_machine_written_mail_is_dropped_without_an_answer(
    fixture: str, envelope_from: str
) -> None:
    assert _channel().parse(_inbound(fixture, sender=envelope_from)) == []


@pytest.mark.parametrize(
    "header",
    [
        "Precedence: bulk",
        "Precedence: auto_reply",
        "X-Autoreply: yes",
        "Auto-Submitted: auto-generated",
    ],
)
def test_mail_marked_as_automatic_is_dropped(header: str) -> None:
    raw = (
        f"From: jo@example.net\r\nTo: coproduce+{TOKEN}@example.org\r\n{header}\r\n"
        "Subject: Away\r\nMessage-ID: <a@b>\r\n\r\nI am away.\r\n"
    ).encode()
    request = ProviderRequest(body=raw, received_at=START, envelope_from="jo@example.net")
    assert _channel().parse(request) == []


def test_mail_without_a_message_id_gets_a_stable_id_from_its_content() -> None:
    raw = f"From: jo@example.net\r\nTo: coproduce+{TOKEN}@example.org\r\n\r\nHello\r\n".encode()
    request = ProviderRequest(
        body=raw, received_at=START, envelope_to=(f"coproduce+{TOKEN}@example.org",)
    )
    [first] = _channel().parse(request)
    [again] = _channel().parse(request)
    assert first.provider_id == again.provider_id
    assert first.provider_id.startswith("sha256:")


def test_only_mail_for_our_own_domain_is_accepted() -> None:
    channel = _channel()
    assert channel.accepts_recipient(f"coproduce+{TOKEN}@example.org")
    assert channel.accepts_recipient("anything@EXAMPLE.org")
    assert not channel.accepts_recipient("someone@gmail.com")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("Jo@Example.NET", "jo@example.net"), ("  Jo Bloggs <jo@example.net> ", "jo@example.net")],
)
def test_email_addresses_are_stored_in_lower_case(raw: str, clean: str) -> None:
    assert normalise_email(raw) == clean


@pytest.mark.parametrize(
    "raw", ["jo", "jo@", "@example.net", "jo@localhost", "jo bloggs@example.net"]
)
def test_things_that_are_not_email_addresses_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match="email address"):
        normalise_email(raw)


def test_an_unreadable_message_is_not_a_crash() -> None:
    request = ProviderRequest(body=b"\xff\xfe\x00garbage", received_at=START)
    try:
        messages = _channel().parse(request)
    except MalformedRequest:
        return
    assert all(m.routing_token is None for m in messages)
