"""The emails a member gets, built by the real flows and the real email channel, in English and
in Urdu (right to left): the HTML part passes axe-core in headless Chromium with no violations
(WCAG 2 A and AA, and axe's best practices), and the plain text comes first, whole.

The axe check needs Chromium and ``npm ci --prefix tests/axe`` (see tests/axe_kit.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser

from sqlalchemy import select

from channels.base import ChannelName, OutboundMessage
from channels.email import EmailChannel, EmailSettings
from channels.markdown import to_plain
from flows.briefs import publish_brief
from flows.questions import answer_question
from flows.windows import open_comment_window
from storage.db import transaction
from storage.memberships import join
from storage.models import LeadKind, Question, Sharing
from storage.projects import add_members, create_project, find_project
from tests.axe_kit import axe_violations, describe, require_axe
from tests.bot_fixture import MemoryBot
from tests.helpers import add_person

EMAIL = ChannelName.EMAIL
EASY_READ = "https://example.org/care1/easy-read.pdf"


@dataclass(frozen=True)
class Story:
    """One project's life, in one language, as its email reader sees it."""

    code: str
    language: str
    direction: str
    title: str
    brief: str
    comments: tuple[str, ...]
    question: str
    answer: str


ENGLISH = Story(
    code="CARE1",
    language="en",
    direction="ltr",
    title="Home care in Millbrook",
    brief="""# Better home care

We want home care visits in Millbrook to be fairer and more reliable for older people.
We will meet three times and write a plan with you.

## What we ask
- What works now
- What does not work
- What you would change

## When we meet
* Tuesday 1 December 2026 at 18:00, Millbrook Library
* Tuesday 12 January 2027 at 18:00, online
""",
    comments=(
        "Visits are often cut short and nobody tells me why.",
        "The carers change every week, so my dad never knows who is coming.",
    ),
    question="Who pays for the taxi to the meetings?",
    answer="The council pays for a taxi to every meeting. Tell us a day before.",
)

URDU = Story(
    code="CARE2",
    language="ur",
    direction="rtl",
    title="مل بروک میں گھر پر دیکھ بھال",
    brief="""# گھر پر دیکھ بھال کو بہتر بنانا

ہم مل بروک میں بزرگوں کے لیے گھر پر دیکھ بھال کے دوروں کو
زیادہ منصفانہ اور قابلِ بھروسہ بنانا چاہتے ہیں۔
ہم تین بار ملیں گے اور آپ کے ساتھ مل کر ایک منصوبہ لکھیں گے۔

## ہم آپ سے کیا پوچھ رہے ہیں
- اب کیا ٹھیک چل رہا ہے
- کیا ٹھیک نہیں چل رہا
- آپ کیا بدلنا چاہیں گے
""",
    comments=(
        "ملاقاتیں اکثر دیر سے ہوتی ہیں اور کوئی ہمیں نہیں بتاتا۔",
        "ہفتے کے آخر میں زیادہ ملاقاتیں ہونی چاہئیں۔",
    ),
    question="میٹنگ تک ٹیکسی کا خرچہ کون دے گا؟",
    answer="کونسل ہر میٹنگ کے لیے ٹیکسی کا خرچہ دے گی۔",
)


def _to(address: str, sent: list[OutboundMessage]) -> list[OutboundMessage]:
    return [message for message in sent if message.address == address]


async def live_a_project(bot: MemoryBot, story: Story) -> dict[str, OutboundMessage]:
    """Brief, comments open, a day's comments, an answer to a member's question and a reply
    to HELP, through the real flows; returns what one member got. Everyone here reads email
    (Telegram's one message a second to a chat would make the test wait)."""
    code = story.code.lower()
    reader_address, commenter_address = f"ema.{code}@example.net", f"sam.{code}@example.net"
    lead = await add_person(bot.sessions, "Lee", email=f"lee.{code}@council.example")
    reader = await add_person(bot.sessions, "Ema", email=reader_address, language=story.language)
    commenter = await add_person(
        bot.sessions, "Sam", email=commenter_address, language=story.language
    )
    now = bot.clock.now
    async with transaction(bot.sessions) as session:
        project = await create_project(
            session,
            code=story.code,
            title=story.title,
            leads=[(lead, LeadKind.STAFF)],
            now=now(),
            default_language=story.language,
            sharing=Sharing.OPEN,
        )
        await add_members(session, project, [reader, commenter], now())
        for person in (reader, commenter):
            await join(session, project, person.id, now(), "test")
    await bot.delivered()

    got: dict[str, OutboundMessage] = {}
    async with transaction(bot.sessions) as session:
        await publish_brief(
            session,
            await find_project(session, story.code),
            text=story.brief,
            summary=None,
            note=None,
            alt_formats={"easy-read": EASY_READ},
            now=now(),
        )
    sent = await bot.delivered()
    [got["brief"]] = _to(reader_address, sent)
    [commenters_brief] = _to(commenter_address, sent)
    token = commenters_brief.reply_token

    async with transaction(bot.sessions) as session:
        await open_comment_window(session, await find_project(session, story.code), now=now())
    [got["comments open"]] = _to(reader_address, await bot.delivered())

    for comment in story.comments:
        await bot.send_in(EMAIL, commenter_address, comment, token=token)
    bot.clock.advance(days=1)
    await bot.services.scheduler.run_due()
    [got["daily digest"]] = _to(reader_address, await bot.delivered())

    await bot.send_in(EMAIL, commenter_address, f"QUESTION {story.question}", token=token)
    await bot.delivered()
    async with transaction(bot.sessions) as session:
        question = await session.scalar(select(Question).where(Question.text == story.question))
        await answer_question(session, question, story.answer, now=now())
    [got["answer"]] = _to(reader_address, await bot.delivered())

    await bot.send_in(EMAIL, reader_address, "HELP", token=got["brief"].reply_token)
    [got["reply to HELP"]] = await bot.delivered()
    return {f"{story.language} {kind}": message for kind, message in got.items()}


def as_received(message: OutboundMessage) -> EmailMessage:
    """The MIME email the channel builds, read back as a mail client reads it."""
    channel = EmailChannel(
        EmailSettings(
            smtp_host="127.0.0.1",
            smtp_port=9,
            smtp_tls="none",
            email_from="Coproduce <coproduce@example.org>",
        )
    )
    # What arrives over SMTP ends lines with CRLF; a mail client reads them as line ends.
    raw = channel.build(message).as_bytes().replace(b"\r\n", b"\n")
    return BytesParser(policy=policy.default).parsebytes(raw)  # type: ignore[return-value]


def html_part(mail: EmailMessage) -> str:
    return mail.get_body(("html",)).get_content()  # type: ignore[union-attr]


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.in_body = False
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.in_body = self.in_body or tag == "body"

    def handle_data(self, data: str) -> None:
        if self.in_body:
            self.text.append(data)


def visible_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return " ".join(" ".join(parser.text).split())


async def test_every_kind_of_email_passes_axe_in_english_and_in_urdu(bot) -> None:
    require_axe()
    emails = {**await live_a_project(bot, ENGLISH), **await live_a_project(bot, URDU)}
    pages = {name: html_part(as_received(message)) for name, message in emails.items()}
    violations = axe_violations(pages)
    assert set(violations) == set(pages)
    assert not any(violations.values()), "axe found:\n" + describe(violations)


async def test_each_email_is_its_whole_text_first_then_html_in_its_language(bot) -> None:
    for story in (ENGLISH, URDU):
        for name, message in (await live_a_project(bot, story)).items():
            mail = as_received(message)
            assert mail.get_content_type() == "multipart/alternative", name
            plain, rich = mail.iter_parts()
            assert plain.get_content_type() == "text/plain", name
            # Every email ends with the footer the flows wrote, after the signature line.
            assert message.footer is not None, name
            text, footer = plain.get_content().rstrip("\n").split("\n\n-- \n")
            # A brief or an answer is Markdown: its plain part is the text without the marks.
            as_sent = to_plain(message.body) if message.markdown else message.body
            assert (text, footer) == (as_sent, message.footer.text), name
            assert rich.get_content_type() == "text/html", name
            page = rich.get_content()
            assert f'<html lang="{story.language}" dir="{story.direction}">' in page, name
            # The HTML says all the text says: every line, Markdown marks aside.
            shown = visible_text(page)
            for line in as_sent.splitlines():
                words = " ".join(re.sub(r"^\s*(#+|[-*])\s+", "", line).split())
                assert words in shown, f"{name}: the HTML lost {words!r}"


async def test_the_brief_in_html_has_the_subject_as_h1_real_headings_a_list_and_the_link(
    bot,
) -> None:
    emails = await live_a_project(bot, URDU)
    brief = emails["ur brief"]
    page = html_part(as_received(brief))
    assert brief.subject and brief.subject.startswith(URDU.title)
    assert re.search(rf"<h1[^>]*>{re.escape(brief.subject)}</h1>", page)
    assert "<h2>گھر پر دیکھ بھال کو بہتر بنانا</h2>" in page
    assert "<h3>ہم آپ سے کیا پوچھ رہے ہیں</h3>" in page
    assert "<ul>\n<li>اب کیا ٹھیک چل رہا ہے</li>" in page
    assert page.count("<li>") == 3
    assert f'<a href="{EASY_READ}">{EASY_READ}</a>' in page
