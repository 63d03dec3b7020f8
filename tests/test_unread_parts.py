"""What we cannot read: pictures, voice messages, files and stickers are counted, never kept,
and a text longer than its channel allows is cut; the person is told each time, in their
language, and only their words become a comment."""

from __future__ import annotations

import json
from email.message import EmailMessage
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from channels.base import ChannelName, ProviderRequest
from channels.email import EmailChannel, EmailSettings
from storage.models import Comment, InboundMessageRow
from tests.helpers import START, add_person, telegram_update, twilio_signature
from tests.live import PUBLIC_URL, TELEGRAM_SECRET, TWILIO_TOKEN, live_service
from tests.test_contributor_words import all_of, heard, lead_of, open_comments

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM
TELEGRAM_HEADERS = {
    "content-type": "application/json",
    "x-telegram-bot-api-secret-token": TELEGRAM_SECRET,
}
ONLY_WORDS = "We can only read words you type."
WORDS_KEPT = "We got your words. We cannot read pictures, voice messages or files"
CUT = "Your message was too long. We kept the start"
PHOTO = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
STICKER = {
    "file_id": "s1",
    "file_unique_id": "u2",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}
VOICE = {"file_id": "v1", "file_unique_id": "u3", "duration": 4}


# --- the flow: what the person is told, what is kept --------------------------------------


@pytest.fixture
async def commenting(bot):  # type: ignore[no-untyped-def]
    """Ann, on SMS, in CARE1 while its comment window is open."""
    ann = await add_person(bot.sessions, "Ann", phone="+447700900001")
    await lead_of(bot, "CARE1", members=[ann])
    await open_comments(bot, "CARE1")
    return bot


async def test_a_picture_with_no_words_is_not_a_comment_and_the_sender_is_told(
    commenting,
) -> None:
    await commenting.send_in(SMS, "+447700900001", "", attachments=1)
    said = await heard(commenting)
    assert said == {"+447700900001": [said["+447700900001"][0]]}
    assert said["+447700900001"][0].startswith(ONLY_WORDS)
    assert await all_of(commenting, Comment) == []


async def test_words_with_a_picture_become_the_comment_and_the_picture_is_mentioned(
    commenting,
) -> None:
    await commenting.send_in(SMS, "+447700900001", "Here is the rota.", attachments=2)
    thanks, note = (await heard(commenting))["+447700900001"]
    assert thanks.startswith("Thank you. We have your comment on CARE1.")
    assert note.startswith(WORDS_KEPT)
    [comment] = await all_of(commenting, Comment)
    assert comment.text == "Here is the rota."


async def test_a_cut_text_is_kept_as_far_as_it_goes_and_the_note_quotes_its_end(
    commenting,
) -> None:
    start = "Visits are late. The carers are kind but they never have the time to stay"
    await commenting.send_in(SMS, "+447700900001", start, cut_from=2400)
    thanks, note = (await heard(commenting))["+447700900001"]
    assert thanks.startswith("Thank you.")
    assert note == (
        'Your message was too long. We kept the start, up to "have the time to stay". '
        "Please send the rest in a new message."
    )
    [comment] = await all_of(commenting, Comment)
    assert comment.text == start


async def test_the_note_is_in_the_senders_language(bot) -> None:
    await add_person(bot.sessions, "Cai", telegram="5005", language="cy")
    await bot.send_in(TELEGRAM, "5005", "", attachments=1)
    [reply] = (await heard(bot))["5005"]
    assert reply.startswith("Dim ond geiriau rydych chi'n eu teipio")


async def test_stop_with_a_picture_still_stops_and_a_stranger_gets_no_note(bot) -> None:
    await add_person(bot.sessions, "Ann", phone="+447700900001")
    await bot.send_in(SMS, "+447700900001", "STOP", attachments=1)
    [stopped] = (await heard(bot))["+447700900001"]
    assert stopped.startswith("You will get no more texts from us.")
    await bot.send_in(SMS, "+447700900009", "", attachments=1)
    [stranger] = (await heard(bot))["+447700900009"]
    assert ONLY_WORDS not in stranger and stranger.startswith("This number is for people")


# --- the channels: counted and cut at the edge --------------------------------------------


@pytest.fixture
async def live(database_url, clock):
    async with live_service(database_url, clock) as service:
        await add_person(service.services.sessions, "Bea", telegram="5001", phone="+447700900001")
        yield service


async def _stored(live) -> list[InboundMessageRow]:
    async with live.services.sessions() as session:
        return list((await session.scalars(select(InboundMessageRow))).all())


@pytest.mark.parametrize(
    ("extra", "attachments"),
    [
        ({"photo": PHOTO}, 1),
        ({"sticker": STICKER}, 1),
        ({"voice": VOICE}, 1),
        ({"photo": PHOTO, "caption": "My letter"}, 1),
        ({}, 0),
    ],
    ids=["a photo", "a sticker", "a voice message", "a photo with a caption", "words only"],
)
async def test_telegram_counts_what_it_cannot_read(live, extra, attachments) -> None:
    update = telegram_update(11, 5001, "HELP", **extra)
    if extra:
        del update["message"]["text"]
    response = await live.http.post(
        "/telegram/webhook", content=json.dumps(update), headers=TELEGRAM_HEADERS
    )
    assert response.status_code == 200
    await live.settle()
    [row] = await _stored(live)
    assert (row.text, row.attachments) == (
        extra.get("caption", "HELP" if not extra else ""),
        attachments,
    )
    replies = [message.text for message in live.telegram_api.take()]
    if not attachments:
        assert len(replies) == 1 and ONLY_WORDS not in replies[0] and WORDS_KEPT not in replies[0]
    elif "caption" in extra:
        assert replies[-1].startswith(WORDS_KEPT)  # after the answer to "My letter"
    else:
        assert len(replies) == 1 and replies[0].startswith(ONLY_WORDS)


async def test_a_telegram_text_over_4096_characters_is_cut_at_a_space(live) -> None:
    words = "word " * 1000  # 5,000 characters
    update = telegram_update(12, 5001, words.strip())
    response = await live.http.post(
        "/telegram/webhook", content=json.dumps(update), headers=TELEGRAM_HEADERS
    )
    assert response.status_code == 200
    [row] = await _stored(live)
    assert len(row.text) <= 4096 and row.text.endswith("word")
    assert row.cut_from == 4999
    await live.settle()
    assert [m.text for m in live.telegram_api.take()][-1].startswith(CUT)


async def test_an_mms_and_an_sms_over_1600_characters_are_counted_and_cut(live) -> None:
    for sid, body, media in (("SM" + "1" * 32, "", "2"), ("SM" + "2" * 32, "x " * 1000, "0")):
        params = {"MessageSid": sid, "From": "+447700900001", "Body": body, "NumMedia": media}
        signature = twilio_signature(TWILIO_TOKEN, PUBLIC_URL + "/sms/inbound", params)
        response = await live.http.post(
            "/sms/inbound",
            content=urlencode(params),
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": signature,
            },
        )
        assert response.status_code == 200
    picture, long = sorted(await _stored(live), key=lambda row: row.id)
    assert (picture.text, picture.attachments, picture.cut_from) == ("", 2, None)
    assert (len(long.text) <= 1600, long.attachments, long.cut_from) == (True, 0, 2000)
    await live.settle()
    first, *rest = live.twilio_api.take()
    assert first.body.startswith(ONLY_WORDS)
    assert rest[-1].body.startswith(CUT)


def _email(parts: list[tuple[str, bytes | str, dict[str, str]]]) -> bytes:
    message = EmailMessage()
    message["From"] = "jo@example.net"
    message["To"] = "coproduce+abc@example.org"
    message["Subject"] = "Re: CARE1"
    message["Message-ID"] = "<m1@example.net>"
    message.set_content("My comment.")
    message.add_alternative("<p>My comment.</p>", subtype="html")
    for kind, content, headers in parts:
        maintype, subtype = kind.split("/")
        if maintype == "text":
            message.add_attachment(content, subtype=subtype, filename="notes.txt")
        else:
            message.add_attachment(content, maintype=maintype, subtype=subtype, **headers)
    return message.as_bytes()


def _related_logo() -> bytes:
    """An HTML body with a logo placed in it (multipart/related, Content-ID): a signature."""
    message = EmailMessage()
    message["From"] = "jo@example.net"
    message["To"] = "coproduce+abc@example.org"
    message.set_content("My comment.")
    message.add_alternative('<p>My comment.</p><img src="cid:logo1">', subtype="html")
    html = message.get_payload()[1]
    html.add_related(b"\x89PNG....", maintype="image", subtype="png", cid="<logo1>")
    return message.as_bytes()


@pytest.mark.parametrize(
    ("raw", "attachments"),
    [
        (_email([]), 0),
        (_email([("image/jpeg", b"\xff\xd8\xff", {"filename": "letter.jpg"})]), 1),
        (
            _email(
                [
                    ("application/pdf", b"%PDF-1.4", {"filename": "rota.pdf"}),
                    ("audio/ogg", b"OggS", {"filename": "voice.ogg"}),
                    ("text/plain", "more notes", {}),
                ]
            ),
            3,
        ),
        (_email([("application/pgp-signature", b"-----BEGIN PGP", {})]), 0),
        (_related_logo(), 0),
    ],
    ids=[
        "text and its HTML version",
        "a photo",
        "a file, a voice message and a text file",
        "a signature",
        "a logo inside the HTML",
    ],
)
def test_email_counts_the_parts_it_does_not_read(raw: bytes, attachments: int) -> None:
    channel = EmailChannel(
        EmailSettings(smtp_host="127.0.0.1", email_from="Coproduce <coproduce@example.org>")
    )
    [message] = channel.parse(ProviderRequest(body=raw, received_at=START))
    assert (message.text, message.attachments) == ("My comment.", attachments)


def test_an_email_over_20000_characters_is_cut() -> None:
    channel = EmailChannel(
        EmailSettings(smtp_host="127.0.0.1", email_from="Coproduce <coproduce@example.org>")
    )
    message = EmailMessage()
    message["From"] = "jo@example.net"
    message.set_content("long " * 5000)
    [parsed] = channel.parse(ProviderRequest(body=message.as_bytes(), received_at=START))
    assert len(parsed.text) <= 20_000 and parsed.text.endswith("long")
    assert parsed.cut_from == 24_999
