"""Sending once: the same response, answer, announcement or lead reply sent twice to the same
person within a day reaches them once, and the second command says so. Other words, a new
day, or a message that failed are sent again."""

from __future__ import annotations

from sqlalchemy import select

from channels.base import ChannelName, PermanentSendError
from flows import lead_actions
from flows.announcements import Group
from flows.lead_actions import Actor
from storage.db import transaction
from storage.memberships import join
from storage.models import Question, ResponseStatus
from storage.projects import find_project
from tests.test_announcements import ANN, BEA, DAN, LEAD, WORDS, Care1, announce, care1
from tests.test_lead_words import heard
from tests.test_responses import REASON, care1_with_comments, cli, sent_after_cli

SMS = ChannelName.SMS
OPERATOR = Actor("test")
ALREADY = "Already sent to them today: not sent again."


async def act(bot, action):  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        return await action(session)


async def respond(bot, comment: int, reason: str = REASON):  # type: ignore[no-untyped-def]
    _, _, told = await act(
        bot,
        lambda s: lead_actions.respond_to_comment(
            s, OPERATOR, comment, ResponseStatus.ADOPTED, reason, now=bot.clock.now()
        ),
    )
    return told


async def test_the_same_response_twice_in_a_day_reaches_its_author_once(bot) -> None:
    _, ann_comment, _ = await care1_with_comments(bot)
    first = await respond(bot, ann_comment)
    assert (first.reached, first.already) == (1, 0)
    assert len((await heard(bot))[ANN]) == 1
    bot.clock.advance(hours=3)
    again = await respond(bot, ann_comment)
    assert (again.reached, again.already, bool(again)) == (0, 1, True)
    assert await heard(bot) == {}
    other = await respond(bot, ann_comment, "We will add weekend visits from April.")
    assert other.reached == 1
    assert "from April" in (await heard(bot))[ANN][0]
    bot.clock.advance(days=1)
    assert (await respond(bot, ann_comment, "We will add weekend visits from April.")).reached
    assert len((await heard(bot))[ANN]) == 1


async def test_a_response_that_failed_is_sent_again(bot) -> None:
    _, ann_comment, _ = await care1_with_comments(bot)
    bot.memory[SMS].fail_next.append(PermanentSendError("the number does not exist"))
    await respond(bot, ann_comment)
    assert await heard(bot) == {}
    assert (await respond(bot, ann_comment)).reached == 1
    assert len((await heard(bot))[ANN]) == 1


async def test_the_command_line_says_a_response_was_already_sent(bot, monkeypatch) -> None:
    _, ann_comment, _ = await care1_with_comments(bot)
    args = ("comment", "respond", str(ann_comment), "--status", "adopted", "--reason", REASON)
    first = await cli(bot, monkeypatch, *args)
    assert "its author is being told" in first.stdout
    second = await cli(bot, monkeypatch, *args)
    assert second.exit_code == 0, second.output
    assert second.stdout.strip() == (f"Comment {ann_comment} on CARE1 is now adopted. {ALREADY}")
    assert len(await sent_after_cli(bot)) == 1


async def a_shared_question(bot) -> tuple[Care1, int]:  # type: ignore[no-untyped-def]
    """Ann asks CARE1's leads a question (CARE1 shares without a check)."""
    care = await care1(bot)
    await bot.send_in(SMS, ANN, "QUESTION Is there parking at the library?")
    await heard(bot)
    async with bot.sessions() as session:
        return care, int(await session.scalar(select(Question.id)))


async def answer(bot, number: int, text: str = "Yes, behind the building."):  # type: ignore[no-untyped-def]
    _, sent = await act(
        bot,
        lambda s: lead_actions.answer_question(s, OPERATOR, number, text, now=bot.clock.now()),
    )
    return sent


async def test_the_same_answer_twice_in_a_day_reaches_each_member_once(bot) -> None:
    care, number = await a_shared_question(bot)
    first = await answer(bot, number)
    assert (first.reached, first.already) == (3, 0)  # Bea, Lee, and Ann as the asker
    assert set(await heard(bot)) == {ANN, BEA, LEAD}
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, care.dan.id, bot.clock.now(), "test")
    again = await answer(bot, number)
    assert (again.reached, again.already) == (1, 3)  # only Dan, who joined since
    assert set(await heard(bot)) == {DAN}


async def test_the_command_line_says_an_answer_was_already_sent(bot, monkeypatch) -> None:
    _, number = await a_shared_question(bot)
    args = ("question", "answer", str(number), "Yes, behind the building.")
    first = await cli(bot, monkeypatch, *args)
    assert first.stdout.strip() == f"The answer to question {number} is going to 3 members."
    second = await cli(bot, monkeypatch, *args)
    assert second.stdout.strip() == ALREADY
    assert len(await sent_after_cli(bot)) == 3


async def test_the_same_announcement_twice_in_a_day_reaches_each_person_once(bot) -> None:
    care = await care1(bot)
    await announce(bot, Group.JOINED)
    await heard(bot)
    again = await announce(bot, Group.ALL)
    assert (again.reached, again.already) == (1, 3)  # Dan, only invited, had not had it
    assert set(await heard(bot)) == {DAN}
    chosen = await announce(bot, (care.ann.id,))
    assert (chosen.reached, chosen.already) == (0, 1)
    assert await heard(bot) == {}


async def test_the_command_line_says_an_announcement_was_already_sent(bot, monkeypatch) -> None:
    await care1(bot)
    args = ("message", "send", "CARE1", "--to", "joined", "--text", WORDS)
    await cli(bot, monkeypatch, *args)
    second = await cli(bot, monkeypatch, *args)
    assert second.exit_code == 0, second.output
    assert second.stdout.strip() == ALREADY
    assert len(await sent_after_cli(bot)) == 3


async def test_the_same_lead_reply_twice_in_a_day_reaches_its_reader_once(bot, monkeypatch) -> None:
    await care1(bot)
    message = await bot.send_in(SMS, ANN, "I cannot find the car park")
    await heard(bot)
    args = ("inbox", "reply", "CARE1", str(message), "Behind the library.")
    first = await cli(bot, monkeypatch, *args)
    assert "is queued" in first.stdout
    second = await cli(bot, monkeypatch, *args)
    assert second.stdout.strip() == ALREADY
    [reply] = await sent_after_cli(bot)
    assert reply.body == "A message from the leads of CARE1: Behind the library."
