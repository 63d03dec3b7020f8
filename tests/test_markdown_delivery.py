"""A brief, an answer and an announcement are written in Markdown, and each channel sends
them in its own format: real HTML in email with a plain part without marks, Telegram's HTML
parse mode, plain text by SMS, lines wrapped mid-sentence joined. Every other message is
plain text and arrives exactly as written."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from channels.base import ChannelName, OutboundMessage
from channels.gsm import count_segments, sanitise
from channels.markdown import escape, telegram_blocks, to_plain
from channels.sms import SmsChannel, SmsSettings
from channels.telegram import TelegramChannel, TelegramSettings
from flows.announcements import announce
from flows.briefs import publish_brief
from flows.lead_messages import ANNOUNCEMENT, LEAD_MESSAGE
from flows.outbound import MARKDOWN_KINDS
from flows.questions import answer_question
from flows.windows import open_comment_window
from storage.db import transaction
from storage.memberships import join
from storage.models import ContactPoint, LeadKind, Question, Sharing
from storage.projects import add_members, create_project, find_project
from tests.axe_kit import axe_violations, describe, require_axe
from tests.bot_fixture import MemoryBot
from tests.helpers import add_person
from tests.peers.telegram_api import TelegramApiServer, shown_text
from tests.peers.twilio_api import TwilioApiServer
from tests.test_email_accessibility import as_received, html_part

EMAIL, SMS, TELEGRAM = ChannelName.EMAIL, ChannelName.SMS, ChannelName.TELEGRAM
EMA, TOM, SID = "ema@example.net", "5001", "+447700900123"
TELEGRAM_TOKEN = "123456:TEST-token-for-the-local-server"
TWILIO_SID, TWILIO_TOKEN = "AC" + "0" * 32, "twilio-auth-token-for-tests"

BRIEF = """# Visit times

We want **home care** visits in Millbrook to be _fairer_ and more
reliable for older people. Read [the council's plan](https://example.org/x) or
https://example.org/care_plan_2026.

## What we ask
- What works now
- What does not work

1. Tell us by email
2. Or reply to this message
"""

# A system message as flows write it: numbered choices, an address with underscores, a
# time, a star, lines that must stay lines.
SYSTEM = (
    "You are in two projects. Which one is your comment for?\n"
    "1. CARE1\n"
    "2. CARE2\n"
    "* Reply 1 or 2.\n"
    "Write to under_score@example.org before 10:00 (a_b_c).\n"
    "# is not a heading here"
)


@pytest.fixture
def telegram_api():
    with TelegramApiServer(TELEGRAM_TOKEN) as server:
        yield server


@pytest.fixture
async def telegram(telegram_api: TelegramApiServer):
    channel = TelegramChannel(
        TelegramSettings(telegram_token=TELEGRAM_TOKEN, telegram_api_url=telegram_api.url)
    )
    yield channel
    await channel.close()


@pytest.fixture
def twilio_api():
    with TwilioApiServer(TWILIO_SID, TWILIO_TOKEN) as server:
        yield server


@pytest.fixture
async def sms(twilio_api: TwilioApiServer):
    channel = SmsChannel(
        SmsSettings(
            twilio_account_sid=TWILIO_SID,
            twilio_auth_token=TWILIO_TOKEN,
            twilio_from="+447700900500",
            twilio_api_url=twilio_api.url,
            public_url="https://coproduce.example.org",
        )
    )
    yield channel
    await channel.close()


async def _project_with_members(bot: MemoryBot) -> None:
    """CARE1 with a member on each channel, all joined."""
    lead = await add_person(bot.sessions, "Lee", email="lee@council.example")
    people = [
        await add_person(bot.sessions, "Ema", email=EMA),
        await add_person(bot.sessions, "Tom", telegram=TOM),
        await add_person(bot.sessions, "Sid", phone=SID),
    ]
    now = bot.clock.now
    async with transaction(bot.sessions) as session:
        project = await create_project(
            session,
            code="CARE1",
            title="Home care in Millbrook",
            leads=[(lead, LeadKind.STAFF)],
            now=now(),
            sharing=Sharing.OPEN,
        )
        await add_members(session, project, people, now())
        for person in people:
            await join(session, project, person.id, now(), "test")
    await bot.delivered()


async def _brief_as_queued(bot: MemoryBot) -> dict[str, list[OutboundMessage]]:
    """The brief each member is handed by the dispatcher: email and Telegram whole, SMS the
    short form, and the whole brief by SMS to one who asks for it with BRIEF."""
    await _project_with_members(bot)
    async with transaction(bot.sessions) as session:
        await publish_brief(
            session,
            await find_project(session, "CARE1"),
            text=BRIEF,
            summary=None,
            note=None,
            alt_formats={},
            now=bot.clock.now(),
        )
    got = {message.address: [message] for message in await bot.delivered()}
    await bot.send_in(SMS, SID, "BRIEF CARE1")
    return {
        "email": got[EMA],
        "telegram": got[TOM],
        "sms": got[SID],
        "sms whole": await bot.delivered(),
    }


async def test_a_brief_by_email_is_real_html_and_a_plain_part_without_marks(bot) -> None:
    [message] = (await _brief_as_queued(bot))["email"]
    assert message.markdown
    mail = as_received(message)
    plain, _ = mail.iter_parts()
    text = plain.get_content()
    assert "**" not in text and "_fairer_" not in text and "#" not in text
    assert "\nVisit times\n" in text
    assert "to be fairer and more reliable for older people." in text  # wrapped line joined
    assert "Read the council's plan (https://example.org/x) or" in text
    assert "https://example.org/care_plan_2026." in text
    assert "- What works now\n- What does not work" in text
    assert "1. Tell us by email\n2. Or reply to this message" in text

    page = html_part(mail)
    assert "<h2>Visit times</h2>" in page and "<h3>What we ask</h3>" in page
    assert "<strong>home care</strong>" in page and "<em>fairer</em>" in page
    assert "fairer</em> and more reliable for older people." in page
    assert '<a href="https://example.org/x">the council\'s plan</a>' in page
    assert (
        '<a href="https://example.org/care_plan_2026">https://example.org/care_plan_2026</a>'
        in page
    )
    assert "<ul>\n<li>What works now</li>\n<li>What does not work</li>\n</ul>" in page
    assert "<ol>\n<li>Tell us by email</li>" in page
    main = page.split("<main", 1)[1].split("</main>", 1)[0]
    assert "**" not in main and "<br>" not in main


async def test_a_brief_in_html_passes_axe(bot) -> None:
    require_axe()
    [message] = (await _brief_as_queued(bot))["email"]
    violations = axe_violations({"brief": html_part(as_received(message))})
    assert not violations["brief"], "axe found:\n" + describe(violations)


async def test_a_brief_on_telegram_goes_in_html_parse_mode_with_the_tags_telegram_knows(
    bot, telegram, telegram_api
) -> None:
    [message] = (await _brief_as_queued(bot))["telegram"]
    assert message.markdown
    await telegram.send(message)
    [sent] = telegram_api.take()
    assert sent.parse_mode == "HTML"
    text = sent.text
    assert "<b>Visit times</b>\n\n" in text and "<b>What we ask</b>" in text
    assert "<b>home care</b>" in text and "<i>fairer</i>" in text
    assert '<a href="https://example.org/x">the council\'s plan</a>' in text
    assert "fairer</i> and more reliable for older people." in text
    assert "• What works now\n• What does not work" in text
    assert "1. Tell us by email\n2. Or reply to this message" in text
    assert not re.search(r"</?(?:h\d|p|ul|ol|li|br|strong|em)\b", text)
    assert "**" not in (shown_text(text) or "**")


async def test_a_brief_by_sms_is_plain_text_counted_as_sent(bot, sms, twilio_api) -> None:
    queued = await _brief_as_queued(bot)
    messages = [*queued["sms"], *queued["sms whole"]]
    assert len(messages) >= 2 and all(message.markdown for message in messages)
    for message in messages:
        cost = sms.cost(message)
        await sms.send(message)
        [sent] = twilio_api.take()
        assert "**" not in sent.body and "_fairer_" not in sent.body and "#" not in sent.body
        assert cost == count_segments(sent.body).segments
    shown = "\n".join(sent.body for sent in twilio_api.history)
    assert "We want home care visits in Millbrook to be fairer and more reliable" in shown
    assert "Read the council's plan (https://example.org/x) or" in shown
    assert "- What works now\n- What does not work" in shown


async def test_the_markdown_cost_is_counted_on_the_text_sent_not_the_marks(sms) -> None:
    marks = "**[a](https://example.org/a)** " * 30
    message = OutboundMessage(1, SMS, SID, marks.strip(), markdown=True)
    as_written = count_segments(sanitise(message.body)).segments
    sent = ("a (https://example.org/a) " * 30).strip()
    assert sms.cost(message) == count_segments(sent).segments
    assert sms.cost(message) < as_written


@pytest.mark.parametrize("channel", [EMAIL, TELEGRAM, SMS], ids=["email", "telegram", "sms"])
async def test_a_system_message_arrives_exactly_as_written(
    channel, telegram, telegram_api, sms, twilio_api
) -> None:
    address = {EMAIL: EMA, TELEGRAM: TOM, SMS: SID}[channel]
    message = OutboundMessage(1, channel, address, SYSTEM, subject="Which project?")
    if channel == EMAIL:
        plain, rich = as_received(message).iter_parts()
        assert plain.get_content().rstrip("\n") == SYSTEM
        assert "1. CARE1<br>" in rich.get_content()
        assert "under_score@example.org before 10:00 (a_b_c)" in rich.get_content()
    elif channel == TELEGRAM:
        await telegram.send(message)
        [sent] = telegram_api.take()
        assert (sent.text, sent.parse_mode) == (SYSTEM, None)
    else:
        await sms.send(message)
        [sent] = twilio_api.take()
        assert sent.body == SYSTEM


async def test_system_messages_from_the_flows_are_not_marked_as_markdown(bot) -> None:
    await _project_with_members(bot)
    async with transaction(bot.sessions) as session:
        await open_comment_window(
            session, await find_project(session, "CARE1"), now=bot.clock.now()
        )
    opened = await bot.delivered()
    await bot.send_in(TELEGRAM, TOM, "HELP")
    helped = await bot.delivered()
    assert opened and helped
    assert not any(message.markdown for message in [*opened, *helped])


async def test_a_lead_announcement_with_lt_and_amp_arrives_intact_on_telegram(
    bot, telegram, telegram_api
) -> None:
    await _project_with_members(bot)
    words = "Bring <your notes> & a pen: 2 < 3 and **please** be on time."
    tom = await _ids(bot, TOM)
    async with transaction(bot.sessions) as session:
        await announce(
            session,
            await find_project(session, "CARE1"),
            to=tom,
            text=words,
            now=bot.clock.now(),
            actor="test",
        )
    [message] = await bot.delivered()
    assert message.markdown
    await telegram.send(message)
    [sent] = telegram_api.take()
    assert sent.parse_mode == "HTML"
    assert "Bring <your notes> & a pen: 2 < 3 and please be on time." in (
        shown_text(sent.text) or ""
    )
    assert "<b>please</b>" in sent.text


async def test_a_question_with_marks_in_it_arrives_as_asked_with_the_answer(
    bot, telegram, telegram_api
) -> None:
    await _project_with_members(bot)
    asked = "Is 5 < 6 & *why* does 1. come first?"
    await bot.send_in(TELEGRAM, TOM, f"QUESTION {asked}")
    await bot.delivered()
    async with transaction(bot.sessions) as session:
        question = await session.scalar(select(Question).where(Question.text == asked))
        assert question is not None
        await answer_question(session, question, "Because **we** said so.", now=bot.clock.now())
    sent_to_tom = [m for m in await bot.delivered() if m.address == TOM]
    assert sent_to_tom and all(m.markdown for m in sent_to_tom)
    await telegram.send(sent_to_tom[0])
    [sent] = telegram_api.take()
    shown = shown_text(sent.text) or ""
    assert asked in shown and "Because we said so." in shown
    assert "\n\nThe answer from the leads:\n\n" in shown


async def test_html_telegram_cannot_read_goes_again_as_plain_text(telegram, telegram_api) -> None:
    telegram_api.refuse_html_next = 1
    await telegram.send(OutboundMessage(1, TELEGRAM, TOM, BRIEF, markdown=True))
    [sent] = telegram_api.take()
    assert sent.parse_mode is None
    assert "Visit times\n\nWe want home care visits" in sent.text
    assert "the council's plan (https://example.org/x)" in sent.text
    assert "<" not in sent.text and "**" not in sent.text


async def test_a_long_markdown_text_goes_to_telegram_in_parts_split_between_blocks(
    telegram, telegram_api
) -> None:
    body = "\n\n".join(f"## Part {n}\n\nSome **bold** words. " + "word " * 150 for n in range(12))
    message = OutboundMessage(1, TELEGRAM, TOM, body, markdown=True)
    parts = telegram.cost(message)
    await telegram.send(message)
    sent = telegram_api.take()
    assert len(sent) == parts > 1
    assert all(part.parse_mode == "HTML" and shown_text(part.text) for part in sent)
    shown = "\n\n".join(shown_text(part.text) or "" for part in sent)
    assert all(f"Part {n}\n\nSome bold words. word" in shown for n in range(12))


def test_the_kinds_written_by_leads_are_the_markdown_kinds() -> None:
    assert {
        *(ANNOUNCEMENT, LEAD_MESSAGE),
        *("brief", "invitation", "answer", "your-answer"),
    } == MARKDOWN_KINDS


async def _ids(bot: MemoryBot, address: str) -> tuple[int, ...]:
    async with transaction(bot.sessions) as session:
        found = await session.scalar(select(ContactPoint).where(ContactPoint.address == address))
        assert found is not None
        return (found.contributor_id,)


# Any text at all: the marks, the escapes, web addresses and line breaks mixed.
_PIECES = st.sampled_from(
    [*"ab 1.*_-#>`[]()<>&\\!|~+=\n\t:/", "https://x.org/a_b", "&amp;", "  \n", "é", "10:00"]
)


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_any_markdown_makes_html_telegram_can_read(text: str) -> None:
    assert all(shown_text(block) is not None for block in telegram_blocks(text))


@given(st.lists(_PIECES, max_size=40).map("".join))
def test_a_contributors_words_escaped_read_back_as_written(text: str) -> None:
    def words(lines: str) -> list[str]:
        return [" ".join(line.split()) for line in lines.split("\n") if line.strip()]

    assert words(to_plain(escape(text))) == words(text)
