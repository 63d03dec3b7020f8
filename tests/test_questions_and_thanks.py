"""Questions stay questions and thanks are only thanks, in every language we write.

While comments are open, a message that ends in a question mark or starts with a question
word of the writer's language is kept as a comment and sent to the leads as a question, so
it is answered. "Thanks", "diolch", "dziękuję", "شکریہ", "ok" or a thumbs-up is answered
kindly and kept as nothing the leads must answer."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from channels.base import ChannelName
from flows.i18n import translator
from flows.lead_actions import Actor, ask_group
from flows.windows import open_comment_window
from storage.db import transaction
from storage.memberships import join
from storage.models import Comment, Question, QuestionDirection, QuestionResponse
from storage.projects import find_project
from tests.bot_fixture import MemoryBot
from tests.helpers import add_person, add_project

SMS = ChannelName.SMS
ANN = "+447700900501"
LEE = "lee@example.org"

QUESTIONS = [
    ("en", "Will the new contracts pay carers for travel time"),
    ("en", "The buses stop at six?"),
    ("cy", "Pam mae'r ymweliadau mor fyr"),
    ("cy", "Beth fydd yn digwydd i'r cynllun"),
    ("pl", "Czy opiekunowie dostaną zwrot za dojazd"),
    ("pl", "Kiedy będzie następne spotkanie"),
    ("ur", "کیا دیکھ بھال کرنے والوں کو سفر کا معاوضہ ملے گا"),
    ("ur", "دورے اتنے چھوٹے کیوں ہیں؟"),
]
STATEMENTS = [
    ("en", "Visits are too short and the carers rush."),
    ("cy", "Mae'r ymweliadau yn rhy fyr."),
    ("pl", "Wizyty są za krótkie."),
    ("ur", "دورے بہت چھوٹے ہوتے ہیں۔"),
]
THANKS = [
    ("en", "Thanks"),
    ("en", "ok"),
    ("en", "👍🏽"),
    ("en", "Thank you very much for everything!"),
    ("cy", "Diolch yn fawr am bopeth"),
    ("cy", "diolch"),
    ("pl", "Dziękuję bardzo!"),
    ("pl", "dziekuje"),
    ("ur", "شکریہ"),
    ("ur", "بہت شکریہ 🙏"),
]


async def _member(bot: MemoryBot, language: str, *, window: bool) -> None:
    lee = await add_person(bot.sessions, "Lee", email=LEE)
    ann = await add_person(bot.sessions, "Ann", phone=ANN, language=language)
    await add_project(bot.sessions, "CARE1", [lee], [ann])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, ann.id, bot.clock.now(), "test")
        if window:
            await open_comment_window(session, project, now=bot.clock.now(), days=7)
    await bot.delivered()


async def _count(bot: MemoryBot, model) -> int:  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return await session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(("language", "text"), QUESTIONS, ids=[q[1][:24] for q in QUESTIONS])
async def test_a_question_while_comments_are_open_is_also_put_to_the_leads(
    bot: MemoryBot, language: str, text: str
) -> None:
    await _member(bot, language, window=True)
    await bot.send_in(SMS, ANN, text)
    async with bot.sessions() as session:
        comment = await session.scalar(select(Comment))
        question = await session.scalar(select(Question))
    assert comment is not None and comment.text == text
    assert question is not None and question.text == text
    assert question.direction == QuestionDirection.TO_LEADS
    got = await bot.delivered()
    [thanks] = [m for m in got if m.address == ANN]
    t = translator(language)
    told = t.gettext(
        "It asks a question, so the leads will also answer it in writing. "
        "Its question number is {number}."
    ).format(number=question.id)
    assert thanks.language == language and told in thanks.body
    assert any(text in m.body for m in got if m.address == LEE), "the leads are told"


@pytest.mark.parametrize(("language", "text"), STATEMENTS, ids=[s[0] for s in STATEMENTS])
async def test_a_statement_is_only_a_comment(bot: MemoryBot, language: str, text: str) -> None:
    await _member(bot, language, window=True)
    await bot.send_in(SMS, ANN, text)
    assert await _count(bot, Comment) == 1
    assert await _count(bot, Question) == 0
    await bot.delivered()


@pytest.mark.parametrize("language", ["en", "cy", "pl", "ur"])
async def test_thanks_are_answered_kindly_and_not_filed(bot: MemoryBot, language: str) -> None:
    await _member(bot, language, window=True)
    t = translator(language)
    for text in [said for written, said in THANKS if written == language]:
        await bot.send_in(SMS, ANN, text)
        [reply] = await bot.delivered()
        assert reply.address == ANN and reply.language == language
        assert reply.body == t.gettext("Thank you for your message. You do not need to reply.")
    assert await _count(bot, Comment) == 0
    assert await _count(bot, Question) == 0


async def test_thanks_after_the_close_is_not_a_late_comment(bot: MemoryBot) -> None:
    await _member(bot, "cy", window=True)
    bot.clock.advance(days=8)
    await bot.services.scheduler.run_due()
    await bot.delivered()
    await bot.send_in(SMS, ANN, "Diolch yn fawr am bopeth")
    [reply] = await bot.delivered()
    assert reply.body == "Diolch am eich neges. Does dim angen i chi ateb."
    assert await _count(bot, Comment) == 0


async def test_ok_in_answer_to_a_leads_question_is_the_answer(bot: MemoryBot) -> None:
    await _member(bot, "en", window=False)
    async with transaction(bot.sessions) as session:
        await ask_group(
            session, Actor("test"), "CARE1", "Does Tuesday suit you?", now=bot.clock.now()
        )
    await bot.delivered()
    await bot.send_in(SMS, ANN, "ok")
    await bot.delivered()
    async with bot.sessions() as session:
        answers = (await session.scalars(select(QuestionResponse.text))).all()
    assert answers == ["ok"]


async def test_thanks_with_more_to_say_is_kept(bot: MemoryBot) -> None:
    await _member(bot, "en", window=True)
    await bot.send_in(SMS, ANN, "Thanks, but the evening visits are still too late")
    await bot.delivered()
    assert await _count(bot, Comment) == 1
