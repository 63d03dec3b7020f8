"""An email reply whose own words we cannot tell from the earlier emails it quotes is not
filed: nothing is kept or shared, the person is asked to send just their words, and the
leads see all of its unquoted lines in their inbox as "could not tell what they wrote"."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from channels.base import ChannelName, InboundMessage
from flows import lead_actions
from flows.lead_actions import Actor
from flows.workspace_people import InboxOutcome, project_inbox
from storage.db import transaction
from storage.memberships import join
from storage.models import Comment, ContactPoint, LeadKind, Question
from storage.projects import find_project
from storage.reply_tokens import token_for
from tests.helpers import add_person, add_project
from tests.test_responses import cli

EMAIL = ChannelName.EMAIL
ASKED = (
    "We could not tell which words in your email are yours, so we have not kept it. "
    "Please send just your message again, without the earlier emails under it."
)
# What the channel could not sort out: a short line it kept, and all the unquoted lines.
KEPT = "Hi,"
UNQUOTED = (
    "Hi,\nThe visits are too short and my mother is rushed.\n"
    "Comments on CARE1 are open until Monday 14 December.\nReply to this email to comment."
)


async def care1_with_ann_by_email(bot, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    """CARE1 with comments open, Ann a member by email; returns her reply token."""
    lee = await add_person(bot.sessions, "Lee Staff", email="lee@council.example")
    ann = await add_person(bot.sessions, "Ann Member", email="ann@example.org", language=language)
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[ann])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, ann.id, bot.clock.now(), "test")
        await lead_actions.open_window(session, Actor("test"), "CARE1", days=7, now=bot.clock.now())
        token = await token_for(session, ann.id, project.id, bot.clock.now())
    await bot.delivered()
    return token


async def test_an_unclear_email_reply_is_not_filed_and_the_person_is_asked(bot) -> None:
    token = await care1_with_ann_by_email(bot)
    bot.clock.advance(minutes=5)
    await bot.send_in(
        EMAIL, "ann@example.org", KEPT, token=token, subject="Re: CARE1", unquoted_text=UNQUOTED
    )
    sent = await bot.delivered()
    assert [m.body for m in sent if m.address == "ann@example.org"] == [ASKED]
    assert not [m for m in sent if m.address == "lee@council.example"]
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count(Comment.id))) == 0
        assert await session.scalar(select(func.count(Question.id))) == 0
        project = await find_project(session, "CARE1")
        [line] = await project_inbox(session, project, LeadKind.STAFF)
    assert line.outcome == InboxOutcome.UNCLEAR and line.unhandled
    assert line.text == UNQUOTED


async def test_the_request_to_send_just_their_words_is_in_their_language(bot) -> None:
    token = await care1_with_ann_by_email(bot, language="cy")
    await bot.send_in(EMAIL, "ann@example.org", "", token=token, unquoted_text=UNQUOTED)
    [asked] = [m for m in await bot.delivered() if m.address == "ann@example.org"]
    assert asked.language == "cy" and asked.body != ASKED


async def test_stop_in_an_unclear_reply_still_stops(bot) -> None:
    token = await care1_with_ann_by_email(bot)
    await bot.send_in(EMAIL, "ann@example.org", "STOP", token=token, unquoted_text="STOP\nHi")
    [confirmed] = [m for m in await bot.delivered() if m.address == "ann@example.org"]
    assert confirmed.body != ASKED
    async with bot.sessions() as session:
        point = await session.scalar(
            select(ContactPoint).where(ContactPoint.address == "ann@example.org")
        )
    assert point is not None and point.opted_out_at is not None


async def test_the_cli_inbox_shows_the_unclear_reply_as_waiting_for_the_leads(
    bot, monkeypatch
) -> None:
    token = await care1_with_ann_by_email(bot)
    await bot.send_in(EMAIL, "ann@example.org", KEPT, token=token, unquoted_text=UNQUOTED)
    await bot.delivered()
    result = await cli(bot, monkeypatch, "inbox", "CARE1", "--unhandled")
    assert result.exit_code == 0, result.output
    assert "unclear which words were theirs" in result.output
    assert "my mother is rushed" in result.output


def test_a_nul_in_the_unquoted_lines_is_dropped_as_in_the_text() -> None:
    # PostgreSQL refuses NUL in text; nobody typed it.
    message = InboundMessage(
        EMAIL, "ann@example.org", "Hi", "m1", datetime.now(UTC), unquoted_text="Hi\x00 there"
    )
    assert message.unquoted_text == "Hi there" and message.unsure
