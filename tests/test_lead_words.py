"""The leads' words over the channels (ASK, ANSWER, EXTEND), and their refusals: what a
refused word changes is nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from channels.base import ChannelName
from flows.windows import extend_comment_window, open_comment_window
from storage.db import transaction
from storage.errors import InvalidInput
from storage.memberships import join
from storage.models import (
    Answer,
    Comment,
    CommentWindow,
    Declaration,
    Question,
    QuestionDirection,
    QuestionResponse,
    WindowExtension,
)
from storage.projects import find_project
from storage.reply_tokens import token_for
from tests.helpers import add_person, add_project

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM
ANN = "+447700900001"
BEA = "5001"
LEAD = "9001"
# Comments opened at the helpers' START (Monday 23 November 2026, 09:00 UTC) for 7 days.
FIRST_CLOSE = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


async def heard(bot) -> dict[str, list[str]]:
    """What was sent since the last look: the bodies each address received, in order."""
    said: dict[str, list[str]] = defaultdict(list)
    for message in await bot.delivered():
        said[message.address].append(message.body)
    return dict(said)


async def care1(bot, *, comments_open: bool = False):  # type: ignore[no-untyped-def]
    """CARE1, led by Lee on Telegram, with Ann (SMS) and Bea (Telegram) already in it."""
    lead = await add_person(bot.sessions, "Lee", telegram=LEAD)
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    bea = await add_person(bot.sessions, "Bea", telegram=BEA)
    await add_project(bot.sessions, "CARE1", leads=[lead], members=[ann, bea])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        for person in (ann, bea):
            await join(session, project, person.id, bot.clock.now(), "test")
        if comments_open:
            await open_comment_window(session, project, now=bot.clock.now())
    for message in await bot.delivered():
        assert message.body.startswith("Comments on CARE1 are open")
    return lead, ann, bea


async def all_of(bot, model):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return (await session.scalars(select(model).order_by(model.id))).all()


async def lead_asks_and_ann_replies_plainly(bot) -> None:  # type: ignore[no-untyped-def]
    """Lee asks the group; Ann's plain reply is thanked and kept as her answer."""
    await bot.send_in(TELEGRAM, LEAD, "ASK CARE1 Which evening suits you?")
    await bot.delivered()
    await bot.send_in(SMS, ANN, "Tuesdays are best")
    [thanks] = await bot.delivered()
    assert thanks.body.startswith("Thank you. We have your answer to question")
    [response] = await all_of(bot, QuestionResponse)
    assert response.text == "Tuesdays are best"


async def closes_at(bot) -> datetime:
    [window] = await all_of(bot, CommentWindow)
    return window.closes_at


# ASK


async def test_a_lead_asks_every_member_and_a_plain_reply_is_kept_as_an_answer(bot) -> None:
    await care1(bot)
    await bot.send_in(TELEGRAM, LEAD, "ASK CARE1 Which evening suits you for the next meeting?")
    said = await heard(bot)
    [question] = await all_of(bot, Question)
    assert question.direction == QuestionDirection.TO_GROUP
    assert question.text == "Which evening suits you for the next meeting?"
    pushed = (
        f"A question from the CARE1 leads (number {question.id}):\n"
        "Which evening suits you for the next meeting?\n"
        "Just reply to this message with your answer."
    )
    assert said[ANN] == [pushed] and said[BEA] == [pushed]
    assert said[LEAD] == [pushed]
    await bot.send_in(SMS, ANN, "Tuesdays are best")
    assert await heard(bot) == {ANN: [f"Thank you. We have your answer to question {question.id}."]}
    [response] = await all_of(bot, QuestionResponse)
    assert (response.question_id, response.text, response.channel) == (
        question.id,
        "Tuesdays are best",
        SMS,
    )


async def test_a_member_who_joined_by_message_can_reply_plainly_to_a_lead_question(bot) -> None:
    lead = await add_person(bot.sessions, "Lee", telegram=LEAD)
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await add_project(bot.sessions, "CARE1", leads=[lead], members=[ann])
    await bot.send_in(SMS, ANN, "JOIN")
    await bot.send_in(SMS, ANN, "NONE")
    await bot.delivered()
    bot.clock.advance(days=1)
    await lead_asks_and_ann_replies_plainly(bot)


async def test_ask_from_someone_who_does_not_lead_the_project_is_refused(bot) -> None:
    await care1(bot)
    await bot.send_in(SMS, ANN, "ASK CARE1 Shall we meet at the pub?")
    assert await heard(bot) == {ANN: ["Only the leads of CARE1 can do that. Nothing has changed."]}
    assert await all_of(bot, Question) == []


async def test_ask_the_council_from_someone_who_leads_nothing_is_an_ordinary_comment(bot) -> None:
    await care1(bot, comments_open=True)
    await bot.send_in(SMS, ANN, "Ask the council why buses are late")
    [thanks] = await bot.delivered()
    assert thanks.body.startswith("Thank you. We have your comment on CARE1.")
    [comment] = await all_of(bot, Comment)
    assert comment.text == "Ask the council why buses are late"
    assert await all_of(bot, Question) == []


# ANSWER


async def test_a_lead_answer_goes_to_every_member_and_the_asker_is_told(bot) -> None:
    await care1(bot)
    await bot.send_in(SMS, ANN, "QUESTION Who pays for the taxis?")
    await bot.delivered()
    [question] = await all_of(bot, Question)
    n = question.id
    await bot.send_in(TELEGRAM, LEAD, f"ANSWER {n} The council pays for them.")
    said = await heard(bot)
    assert said[ANN] == [
        f"Your question {n} has been answered. We have sent the answer to everyone in CARE1.\n\n"
        "Who pays for the taxis?\n\nThe answer from the leads:\n\nThe council pays for them."
    ]
    everyone = (
        f"Question {n} in CARE1:\n\nWho pays for the taxis?\n\n"
        "The answer from the leads:\n\nThe council pays for them."
    )
    assert said[BEA] == [everyone] and said[LEAD] == [everyone]
    [answer] = await all_of(bot, Answer)
    assert (answer.question_id, answer.text) == (n, "The council pays for them.")


async def test_an_answer_from_a_member_who_is_not_a_lead_is_refused(bot) -> None:
    await care1(bot)
    await bot.send_in(SMS, ANN, "QUESTION Who pays for the taxis?")
    await bot.delivered()
    [question] = await all_of(bot, Question)
    await bot.send_in(TELEGRAM, BEA, f"ANSWER {question.id} Nobody does")
    assert await heard(bot) == {BEA: ["Only the leads of CARE1 can do that. Nothing has changed."]}
    assert await all_of(bot, Answer) == []


async def test_a_lead_can_answer_by_replying_to_an_email(bot) -> None:
    lead = await add_person(bot.sessions, "Lee", email="lee@example.org")
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await add_project(bot.sessions, "CARE1", leads=[lead], members=[ann])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, ann.id, bot.clock.now(), "test")
        token = await token_for(session, lead.id, project.id, bot.clock.now())
    await bot.send_in(SMS, ANN, "QUESTION Who pays for the taxis?")
    [thanks] = await bot.delivered(SMS)
    [notice] = await bot.delivered(EMAIL)
    assert thanks.body.startswith("Thank you. Your question to CARE1 is number")
    assert notice.address == "lee@example.org" and notice.reply_token == token
    [question] = await all_of(bot, Question)
    # Email is known by the token and an address we hold for its owner (tests/test_email_origin
    # shows a lead's token from another address doing nothing).
    await bot.send_in(
        EMAIL, "lee@example.org", f"ANSWER {question.id} The council does.", token=token
    )
    [answered] = await bot.delivered(SMS)
    assert answered.body.startswith(f"Your question {question.id} has been answered.")
    [to_lead] = await bot.delivered(EMAIL)
    assert to_lead.address == "lee@example.org"
    assert to_lead.body.endswith("The answer from the leads:\n\nThe council does.")
    [answer] = await all_of(bot, Answer)
    assert answer.answered_by == lead.id


# EXTEND


async def test_a_lead_extends_comments_with_a_reason_every_member_reads(bot) -> None:
    await care1(bot, comments_open=True)
    await bot.send_in(TELEGRAM, LEAD, "EXTEND CARE1 2026-12-05 The library was shut for two days")
    said = await heard(bot)
    told = (
        "Comments on CARE1 are now open for longer, until Saturday 5 December 2026 at 09:00."
        "\n\nThe reason: The library was shut for two days"
    )
    assert said[BEA] == [told] and said[LEAD] == [told]
    assert said[ANN] == [told.replace("\n\n", " ")]
    new_close = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    assert await closes_at(bot) == new_close
    [extension] = await all_of(bot, WindowExtension)
    assert extension.reason == "The library was shut for two days"
    assert (extension.previous_closes_at, extension.new_closes_at) == (FIRST_CLOSE, new_close)


async def test_extend_without_a_reason_is_refused_and_the_close_stays(bot) -> None:
    await care1(bot, comments_open=True)
    await bot.send_in(TELEGRAM, LEAD, "EXTEND CARE1 2026-12-05")
    assert await heard(bot) == {
        LEAD: ["Please give a reason for the extension. Everyone will see it."]
    }
    assert await closes_at(bot) == FIRST_CLOSE
    assert await all_of(bot, WindowExtension) == []


async def test_extend_to_a_date_before_the_current_close_is_refused(bot) -> None:
    await care1(bot, comments_open=True)
    await bot.send_in(TELEGRAM, LEAD, "EXTEND CARE1 2026-11-28 More time please")
    assert await heard(bot) == {
        LEAD: ["The new date must be after the current close, Monday 30 November 2026 at 09:00."]
    }
    assert await closes_at(bot) == FIRST_CLOSE
    assert await all_of(bot, WindowExtension) == []


async def test_extending_a_window_with_an_empty_reason_raises_and_stores_nothing(bot) -> None:
    await care1(bot, comments_open=True)
    with pytest.raises(InvalidInput, match="needs a reason"):
        async with transaction(bot.sessions) as session:
            await extend_comment_window(
                session,
                await find_project(session, "CARE1"),
                until=FIRST_CLOSE + timedelta(days=3),
                reason="",
                now=bot.clock.now(),
            )
    assert await closes_at(bot) == FIRST_CLOSE
    assert await all_of(bot, WindowExtension) == []
    assert await bot.delivered() == []


async def test_a_choice_left_unanswered_days_ago_does_not_stop_a_plain_reply(bot) -> None:
    lead, ann, _ = await care1(bot)
    await add_project(bot.sessions, "CARE2", leads=[lead], members=[ann])
    await bot.send_in(SMS, ANN, "LEAVE")  # a numbered choice Ann never answers
    await bot.delivered()
    bot.clock.advance(days=2)
    await lead_asks_and_ann_replies_plainly(bot)


async def test_after_leaving_a_project_its_question_no_longer_takes_plain_words(bot) -> None:
    """Ann leaves CARE1 while its leads' question waits for her reply; her next words are a
    comment on CARE2, where comments are open, not a reply refused for CARE1."""
    lead, ann, _ = await care1(bot)
    await add_project(bot.sessions, "CARE2", leads=[lead], members=[ann])
    async with transaction(bot.sessions) as session:
        care2 = await find_project(session, "CARE2")
        await join(session, care2, ann.id, bot.clock.now(), "test")
        await open_comment_window(session, care2, now=bot.clock.now())
    await bot.send_in(TELEGRAM, LEAD, "ASK CARE1 Which evening suits you?")
    await bot.send_in(SMS, ANN, "LEAVE CARE1")
    await bot.delivered()
    await bot.send_in(SMS, ANN, "The bus stop is too far away")
    [comment] = await all_of(bot, Comment)
    assert (comment.project_id, comment.text) == (care2.id, "The bus stop is too far away")
    assert await all_of(bot, QuestionResponse) == []
    [thanks] = (await heard(bot))[ANN]
    assert thanks.startswith("Thank you. We have your comment on CARE2.")


async def test_a_member_in_the_middle_of_a_choice_can_answer_by_number(bot) -> None:
    lead, ann, _ = await care1(bot)
    await add_project(bot.sessions, "CARE2", leads=[lead], members=[ann])
    await bot.send_in(SMS, ANN, "LEAVE")
    await bot.delivered()
    await bot.send_in(TELEGRAM, LEAD, "ASK CARE1 Which evening suits you?")
    await bot.delivered()
    [question] = await all_of(bot, Question)
    await bot.send_in(SMS, ANN, f"ANSWER {question.id} Tuesdays are best")
    assert await heard(bot) == {ANN: [f"Thank you. We have your answer to question {question.id}."]}
    [response] = await all_of(bot, QuestionResponse)
    assert response.text == "Tuesdays are best"


async def test_a_bare_lead_word_from_a_lead_is_explained_not_kept_as_a_comment(bot) -> None:
    lead = await add_person(bot.sessions, "Lena", telegram="9100")
    await add_project(bot.sessions, "CARE9", leads=[lead])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE9")
        await open_comment_window(session, project, now=bot.clock.now())
    await bot.delivered()
    await bot.send_in(TELEGRAM, "9100", "EXTEND")
    await bot.send_in(TELEGRAM, "9100", "ask")
    await bot.send_in(TELEGRAM, "9100", "Answer")
    replies = [m.body for m in await bot.delivered()]
    assert replies[0].startswith("Please write EXTEND CARE9, the new date")
    assert replies[1] == "Please write ASK, the project code and your question."
    assert replies[2] == "Please write ANSWER, the question number and your answer."
    async with bot.sessions() as session:
        assert (await session.scalars(select(Comment))).all() == []


async def test_none_in_reply_to_a_lead_question_is_the_answer_not_a_declaration(bot) -> None:
    await care1(bot)
    await bot.send_in(TELEGRAM, LEAD, "ASK CARE1 Which of these dates is a problem for you?")
    await heard(bot)
    await bot.send_in(SMS, ANN, "None.")
    assert (await heard(bot))[ANN][0].startswith("Thank you. We have your answer to question")
    [response] = await all_of(bot, QuestionResponse)
    assert response.text == "None."
    assert await all_of(bot, Declaration) == []


async def test_an_answer_to_a_number_too_big_to_be_a_question_is_not_found(bot) -> None:
    await care1(bot)
    await bot.send_in(TELEGRAM, LEAD, "ANSWER 99999999999 Yes")
    await bot.send_in(TELEGRAM, LEAD, "ANSWER ۱۲ Yes")  # Urdu digits are a number too
    assert await heard(bot) == {
        LEAD: ["We cannot find question 99999999999.", "We cannot find question ۱۲."]
    }
    assert await all_of(bot, Answer) == []
