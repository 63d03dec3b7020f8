"""Who an email is from: a reply token counts only from an address we hold for its owner;
with no token, only a From address the trusted relay checked (DMARC pass) counts; mail that
loops back to us is never answered; STOP always works."""

from __future__ import annotations

from email.message import EmailMessage

import pytest

from channels.base import ChannelName, MalformedRequest, ProviderRequest
from channels.email import EmailChannel, EmailSettings
from storage.db import transaction
from storage.models import Comment, ContactPoint, InboundMessageRow, Question
from storage.reply_tokens import token_for
from tests.helpers import START, add_person, add_project
from tests.test_contributor_words import all_of, heard, lead_of, open_comments

EMAIL = ChannelName.EMAIL
RELAY = "mx.council.example"
OTHER_ADDRESS = "We got a reply to our email from an address we do not know."


def _channel(trusted: str | None = RELAY) -> EmailChannel:
    return EmailChannel(
        EmailSettings(
            smtp_host="127.0.0.1",
            email_from="Coproduce <coproduce@example.org>",
            trusted_authserv_id=trusted,
        )
    )


def _mail(**headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = headers.pop("From", "Jo <jo@example.net>")
    message["To"] = headers.pop("To", "coproduce@example.org")
    message["Message-ID"] = headers.pop("Message_ID", "<m1@example.net>")
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("My comment.")
    return message.as_bytes()


def _parse(raw: bytes, channel: EmailChannel | None = None, mail_from: str = "jo@example.net"):
    request = ProviderRequest(body=raw, received_at=START, envelope_from=mail_from)
    return (channel or _channel()).parse(request)


# --- loops: never answered ----------------------------------------------------------------

OURS = "<1763900000.123.456.coproduce.42@example.org>"
OURS_TOO = "<1763900001.123.789.coproduce.43@example.org>"


@pytest.mark.parametrize(
    ("headers", "mail_from"),
    [
        ({"Message_ID": OURS}, "jo@example.net"),
        ({"From": "Coproduce <coproduce@example.org>"}, "jo@example.net"),
        ({}, "coproduce@example.org"),
        ({"References": f"<a@example.net> {OURS} <b@example.net> {OURS_TOO}"}, "jo@example.net"),
    ],
    ids=[
        "our own message come back",
        "From our own address",
        "sent by our own address",
        "a thread citing two of our messages",
    ],
)
def test_mail_that_loops_back_to_us_is_dropped(headers, mail_from) -> None:
    assert _parse(_mail(**headers), mail_from=mail_from) == []


def test_a_persons_reply_to_one_of_our_messages_is_read() -> None:
    [message] = _parse(_mail(In_Reply_To=OURS, References=f"<a@example.net> {OURS}"))
    assert message.text == "My comment."


# --- the trusted relay's DMARC result -----------------------------------------------------


@pytest.mark.parametrize(
    ("results", "trusted", "verified"),
    [
        ([f"{RELAY}; spf=pass; dkim=pass; dmarc=pass header.from=example.net"], RELAY, True),
        ([f"{RELAY} 1; dmarc=pass (p=reject dis=none) header.from=EXAMPLE.NET"], RELAY, True),
        ([f"{RELAY}; dmarc=pass (a (b (c)); d) header.from=example.net"], RELAY, True),
        ([f"{RELAY}; dmarc=fail (dmarc=pass) header.from=example.net"], RELAY, False),
        ([f"{RELAY}; dmarc=fail header.from=example.net"], RELAY, False),
        ([f"{RELAY}; dmarc=pass header.from=elsewhere.example"], RELAY, False),
        (["mx.forger.example; dmarc=pass header.from=example.net"], RELAY, False),
        (
            [
                f"{RELAY}; dmarc=fail header.from=example.net",
                f"{RELAY}; dmarc=pass header.from=example.net",
            ],
            RELAY,
            False,
        ),
        ([f"{RELAY}; dmarc=pass header.from=example.net"], None, False),
        ([], RELAY, False),
    ],
    ids=[
        "pass from the trusted relay",
        "pass with a version and a comment",
        "pass with nested comments",
        "a pass inside a comment is no pass",
        "fail",
        "pass for another domain",
        "pass from a relay we do not trust",
        "only the topmost result of the relay counts",
        "no relay is trusted",
        "no result at all",
    ],
)
def test_a_from_address_counts_only_when_the_trusted_relay_passed_it(
    results, trusted, verified
) -> None:
    message = EmailMessage()
    for value in results:
        message["Authentication-Results"] = value
    message["From"] = "Jo <jo@example.net>"
    message["Message-ID"] = "<m2@example.net>"
    message.set_content("Hello")
    [parsed] = _parse(message.as_bytes(), _channel(trusted))
    assert parsed.sender_verified is verified


def test_two_from_addresses_are_never_verified() -> None:
    raw = _mail(Authentication_Results=f"{RELAY}; dmarc=pass header.from=example.net")
    raw = raw.replace(b"From: Jo <jo@example.net>", b"From: Jo <jo@example.net>, x@evil.example")
    [parsed] = _parse(raw)
    assert parsed.sender_verified is False


def test_a_token_longer_than_ours_can_be_is_not_a_token() -> None:
    [parsed] = _parse(_mail(To="coproduce+" + "a" * 65 + "@example.org"))
    assert parsed.routing_token is None
    [fits] = _parse(_mail(To="coproduce+" + "A" * 24 + "@example.org"))
    assert fits.routing_token == "a" * 24


# --- the flow: whose mail it is ------------------------------------------------------------


@pytest.fixture
async def jo(bot):  # type: ignore[no-untyped-def]
    """Jo, by email, commenting on CARE1, with the reply token of our mail to her."""
    person = await add_person(bot.sessions, "Jo", email="jo@example.net")
    await lead_of(bot, "CARE1", members=[person])
    await open_comments(bot, "CARE1")
    async with transaction(bot.sessions) as session:
        bot.token = await token_for(session, person.id, None, bot.clock.now())
    return bot


async def test_a_reply_token_used_from_another_address_acts_for_nobody(jo) -> None:
    for text in ("Forwarded: I agree.", "And another thing."):
        await jo.send_in(EMAIL, "friend@example.org", text, token=jo.token)
    # Jo is told once, at her own address; the friend hears nothing; nothing is kept as hers.
    said = await heard(jo)
    assert list(said) == ["jo@example.net"] and len(said["jo@example.net"]) == 1
    assert said["jo@example.net"][0].startswith(OTHER_ADDRESS)
    assert await all_of(jo, Comment) == []
    stored = await all_of(jo, InboundMessageRow)
    assert [row.contact_point_id for row in stored] == [None, None]


async def test_a_lead_token_forwarded_to_someone_else_cannot_ask_the_group(bot) -> None:
    lead = await add_person(bot.sessions, "Lee", email="lee@council.example")
    await add_project(bot.sessions, "CARE2", leads=[lead])
    async with transaction(bot.sessions) as session:
        token = await token_for(session, lead.id, None, bot.clock.now())
    await bot.send_in(EMAIL, "x@elsewhere.example", "ASK CARE2 Shall we meet?", token=token)
    await heard(bot)
    assert await all_of(bot, Question) == []


async def test_stop_from_another_address_still_stops_the_token_holder(jo) -> None:
    await jo.send_in(EMAIL, "jo.work@example.org", "STOP", token=jo.token)
    [stopped] = (await heard(jo))["jo@example.net"]
    assert stopped.startswith("You will get no more messages from us here.")
    [point] = [p for p in await all_of(jo, ContactPoint) if p.address == "jo@example.net"]
    assert point.opted_out_at is not None


async def test_stop_with_more_words_from_another_address_only_stops(jo) -> None:
    # From Jo's own address these words would be a comment (comments are open); from another
    # address holding her token, stopping is all they may do.
    await jo.send_in(EMAIL, "jo.work@example.org", "Stop sending these, thanks", token=jo.token)
    [stopped] = (await heard(jo))["jo@example.net"]
    assert stopped.startswith("You will get no more messages from us here.")
    assert await all_of(jo, Comment) == []


async def test_stop_as_the_subject_wins_over_a_body_the_mail_program_wrote(jo) -> None:
    body = "This message was automatically generated by Gmail."
    await jo.send_in(EMAIL, "jo@example.net", body, token=jo.token, subject="STOP")
    [stopped] = (await heard(jo))["jo@example.net"]
    assert stopped.startswith("You will get no more messages from us here.")
    assert await all_of(jo, Comment) == []


async def test_mail_without_a_token_is_read_only_when_the_relay_checked_the_from(jo) -> None:
    await jo.send_in(EMAIL, "jo@example.net", "Unchecked words.")
    assert await heard(jo) == {}
    await jo.send_in(EMAIL, "Jo@Example.net", "Checked words.", sender_verified=True)
    [thanks] = (await heard(jo))["jo@example.net"]
    assert thanks.startswith("Thank you. We have your comment on CARE1.")
    assert [c.text for c in await all_of(jo, Comment)] == ["Checked words."]


async def test_a_checked_address_we_do_not_hold_is_still_a_stranger(jo) -> None:
    await jo.send_in(EMAIL, "someone@example.org", "Hello?", sender_verified=True)
    assert await heard(jo) == {}


def test_mail_with_headers_too_large_to_read_is_refused() -> None:
    with pytest.raises(MalformedRequest):
        _parse(_mail(X_Padding="a" * 70_000))
