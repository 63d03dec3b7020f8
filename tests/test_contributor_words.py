"""The contributor's words (JOIN, LEAVE, DECLARE, NONE, COMMENT, QUESTION, BRIEF, NAME ME,
ANONYMOUS, LANGUAGE, HELP), free text and numbered choices, through the real flows."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from channels.base import ChannelName
from flows.briefs import publish_brief
from flows.windows import open_comment_window
from storage.db import transaction
from storage.memberships import join
from storage.models import (
    Comment,
    Contributor,
    Declaration,
    LeadKind,
    Membership,
    MembershipStatus,
    OutboxRow,
    OutboxStatus,
    Question,
    QuestionDirection,
    Sharing,
)
from storage.projects import create_project, find_project
from tests.helpers import add_person, add_project

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM
ANN = "+447700900001"
BEA = "5001"
LEAD = "9001"


NAMED_FROM_NOW = (
    "From now on, we will share your comments with your name. What you sent before stays "
    "without it. To add your name to one of them, reply NAME ME and its number."
)


async def heard(bot) -> dict[str, list[str]]:
    """What was sent since the last look: the bodies each address received, in order."""
    said: dict[str, list[str]] = defaultdict(list)
    for message in await bot.delivered():
        said[message.address].append(message.body)
    return dict(said)


async def lead_of(bot, *codes: str, members=(), invited=()):  # type: ignore[no-untyped-def]
    """A lead on Telegram, projects they lead, and people who joined or were invited before."""
    lead = await add_person(bot.sessions, "Lee", telegram=LEAD)
    for code in codes:
        await add_project(bot.sessions, code, leads=[lead], members=[*members, *invited])
        async with transaction(bot.sessions) as session:
            project = await find_project(session, code)
            for person in members:
                await join(session, project, person.id, bot.clock.now(), "test")
    return lead


async def open_comments(bot, *codes: str) -> None:
    async with transaction(bot.sessions) as session:
        for code in codes:
            await open_comment_window(
                session, await find_project(session, code), now=bot.clock.now()
            )
    for message in await bot.delivered():
        assert message.body.startswith("Comments on ")


async def publish(bot, code: str, text: str) -> None:
    async with transaction(bot.sessions) as session:
        project = await find_project(session, code)
        await publish_brief(
            session,
            project,
            text=text,
            summary=None,
            note=None,
            alt_formats={},
            now=bot.clock.now(),
        )


async def all_of(bot, model):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return (await session.scalars(select(model).order_by(model.id))).all()


async def status_in(bot, person: Contributor, code: str) -> Membership | None:
    async with bot.sessions() as session:
        project = await find_project(session, code)
        return await session.scalar(
            select(Membership).where(
                Membership.project_id == project.id, Membership.contributor_id == person.id
            )
        )


# JOIN


async def test_invited_person_who_replies_join_is_welcomed_and_the_lead_is_told(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", invited=[ann])
    await bot.send_in(SMS, ANN, "join")
    said = await heard(bot)
    assert said[ANN] == [
        "Welcome to CARE1. Thank you for taking part. Is there anything in this project that "
        "could affect you, your health or your money? We call this an interest, and we ask "
        "everyone. Reply NONE if not. Or reply DECLARE and tell us about it."
    ]
    assert said[LEAD] == ["Ann has joined CARE1."]
    found = await status_in(bot, ann, "CARE1")
    assert found.status == MembershipStatus.JOINED and found.joined_at is not None


async def test_join_with_a_code_joins_only_that_project(bot) -> None:
    bea = await add_person(bot.sessions, "Bea", telegram=BEA)
    await lead_of(bot, "CARE1", "CARE2", invited=[bea])
    await bot.send_in(TELEGRAM, BEA, "JOIN care2")
    said = await heard(bot)
    assert said[BEA][0].startswith("Welcome to CARE2.")
    assert said[LEAD] == ["Bea has joined CARE2."]
    assert (await status_in(bot, bea, "CARE1")).status == MembershipStatus.INVITED
    assert (await status_in(bot, bea, "CARE2")).status == MembershipStatus.JOINED


async def test_join_of_a_project_they_were_not_invited_to_is_refused(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1")
    await bot.send_in(SMS, ANN, "JOIN CARE1")
    assert await heard(bot) == {
        ANN: ["You have not been invited to CARE1. Ask its lead to add you."]
    }
    assert await status_in(bot, ann, "CARE1") is None


async def test_join_with_a_code_nobody_uses_says_no_project_has_it(bot) -> None:
    await add_person(bot.sessions, "Ann", phone=ANN)
    await bot.send_in(SMS, ANN, "JOIN PARKS9")
    assert await heard(bot) == {
        ANN: ["We cannot find a project called PARKS9. Please check the code."]
    }
    assert await all_of(bot, Membership) == []


async def test_anyone_can_join_a_project_open_to_all(bot) -> None:
    lead = await add_person(bot.sessions, "Lee", telegram=LEAD)
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    async with transaction(bot.sessions) as session:
        await create_project(
            session,
            code="OPEN1",
            title="Open to all",
            leads=[(lead, LeadKind.STAFF)],
            now=bot.clock.now(),
            open_to_all=True,
            sharing=Sharing.OPEN,
        )
    await bot.send_in(SMS, ANN, "JOIN OPEN1")
    said = await heard(bot)
    assert said[ANN][0].startswith("Welcome to OPEN1.")
    assert said[LEAD] == ["Ann has joined OPEN1."]
    assert (await status_in(bot, ann, "OPEN1")).status == MembershipStatus.JOINED


async def test_join_when_already_in_the_project_says_so(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "JOIN CARE1")
    assert await heard(bot) == {ANN: ["You are already in CARE1."]}


# LEAVE


async def test_leave_alone_in_one_project_records_when_and_tells_the_leads(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "LEAVE")
    said = await heard(bot)
    assert said[ANN] == [
        "You have left CARE1. You will get no more messages about it. Thank you for your "
        "help. To join again, reply JOIN CARE1."
    ]
    assert said[LEAD] == [
        "Ann left CARE1 on Monday 23 November 2026 at 09:00.\nThey did not give a reason.\n"
        "You may want to find someone with similar experience to take part."
    ]
    found = await status_in(bot, ann, "CARE1")
    assert found.status == MembershipStatus.LEFT
    assert found.left_at == bot.clock.now() and found.leave_reason is None


async def test_the_words_after_leave_are_kept_as_the_reason_and_shown_to_the_leads(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "leave I am moving to Leeds")
    said = await heard(bot)
    assert said[ANN][0].startswith("You have left CARE1.")
    assert "Their reason: I am moving to Leeds" in said[LEAD][0]
    assert (await status_in(bot, ann, "CARE1")).leave_reason == "I am moving to Leeds"


async def test_leave_in_two_projects_offers_a_choice_and_2_leaves_the_second(bot) -> None:
    bea = await add_person(bot.sessions, "Bea", telegram=BEA)
    await lead_of(bot, "CARE1", "CARE2", members=[bea])
    await bot.send_in(TELEGRAM, BEA, "LEAVE")
    [choice] = await bot.delivered()
    assert choice.body == (
        "Which project do you want to leave?\n1 CARE1: Project CARE1\n2 CARE2: Project CARE2\n"
        "Reply with the number. This choice lasts one day."
    )
    assert choice.choices == ("1", "2")
    await bot.send_in(TELEGRAM, BEA, "2")
    said = await heard(bot)
    assert said[BEA][0].startswith("You have left CARE2.")
    assert said[LEAD][0].startswith("Bea left CARE2 on")
    assert (await status_in(bot, bea, "CARE1")).status == MembershipStatus.JOINED
    assert (await status_in(bot, bea, "CARE2")).status == MembershipStatus.LEFT


async def test_a_brief_queued_before_someone_left_is_not_sent_to_them(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await publish(bot, "CARE1", "We want better home care.")  # queued, not yet sent
    await bot.send_in(SMS, ANN, "LEAVE")
    said = await heard(bot)
    [left] = said[ANN]  # the confirmation, and not the brief
    assert left.startswith("You have left CARE1.")
    assert any(body.startswith("The brief for Project CARE1") for body in said[LEAD])
    async with bot.sessions() as session:
        brief_to_ann = await session.scalar(
            select(OutboxRow.status).where(OutboxRow.kind == "brief", OutboxRow.channel == SMS)
        )
    assert brief_to_ann == OutboxStatus.CANCELLED
    await publish(bot, "CARE1", "Version two.")
    assert ANN not in await heard(bot)


async def test_someone_who_left_can_join_again_with_the_code(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "LEAVE")
    await bot.delivered()
    bot.clock.advance(days=2)
    await bot.send_in(SMS, ANN, "JOIN CARE1")
    said = await heard(bot)
    assert said[ANN][0].startswith("Welcome to CARE1.")
    assert said[LEAD] == ["Ann has joined CARE1."]
    found = await status_in(bot, ann, "CARE1")
    assert found.status == MembershipStatus.JOINED and found.left_at is None


# DECLARE and NONE


async def test_declare_with_words_is_kept_as_an_interest_and_the_leads_see_it(bot) -> None:
    bea = await add_person(bot.sessions, "Bea", telegram=BEA)
    await lead_of(bot, "CARE1", invited=[bea])
    await bot.send_in(TELEGRAM, BEA, "/join CARE1")
    await bot.delivered()
    await bot.send_in(TELEGRAM, BEA, "declare I am a carer paid by the agency")
    said = await heard(bot)
    assert said[BEA] == [
        "Thank you. We have noted your interest for CARE1. The leads will see it. "
        "To add to it, send DECLARE again."
    ]
    assert said[LEAD] == [
        "Bea declared an interest in CARE1 on Monday 23 November 2026 at 09:00:\n"
        "I am a carer paid by the agency"
    ]
    [declared] = await all_of(bot, Declaration)
    assert declared.has_interest and declared.text == "I am a carer paid by the agency"
    assert declared.contributor_id == bea.id and declared.channel == TELEGRAM


async def test_none_then_declare_keeps_both_declarations_in_order(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "NONE")
    said = await heard(bot)
    assert said[ANN][0].startswith("Thank you. We have noted that you have nothing to declare")
    assert said[LEAD] == [
        "Ann has nothing to declare for CARE1 (Monday 23 November 2026 at 09:00)."
    ]
    bot.clock.advance(days=3)
    await bot.send_in(SMS, ANN, "DECLARE My son works for the agency")
    assert (await heard(bot))[ANN][0].startswith("Thank you. We have noted your interest")
    first, second = await all_of(bot, Declaration)
    assert (first.has_interest, first.text) == (False, None)
    assert (second.has_interest, second.text) == (True, "My son works for the agency")
    assert second.declared_at > first.declared_at


async def test_none_of_the_dates_suit_me_is_a_comment_not_a_declaration(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", invited=[ann])
    await bot.send_in(SMS, ANN, "JOIN")  # now they may be asked to declare
    await bot.delivered()
    await open_comments(bot, "CARE1")
    await bot.send_in(SMS, ANN, "None of the dates suit me")
    [thanks] = await bot.delivered()
    assert thanks.body.startswith("Thank you. We have your comment on CARE1. Its number is 1.")
    assert await all_of(bot, Declaration) == []
    [comment] = await all_of(bot, Comment)
    assert comment.text == "None of the dates suit me"


async def test_none_answered_through_a_numbered_choice_is_still_nothing_to_declare(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", "CARE2", members=[ann])
    await bot.send_in(SMS, ANN, "NONE")
    [choice] = await bot.delivered()
    assert choice.body.startswith("Which project is this declaration for?\n1 CARE1")
    await bot.send_in(SMS, ANN, "2")
    said = await heard(bot)
    assert said[ANN] == [
        "Thank you. We have noted that you have nothing to declare for CARE2. "
        "If that changes, send DECLARE and tell us."
    ]
    assert said[LEAD] == [
        "Ann has nothing to declare for CARE2 (Monday 23 November 2026 at 09:00)."
    ]
    [declared] = await all_of(bot, Declaration)
    assert (declared.has_interest, declared.text) == (False, None)


# COMMENT and QUESTION


async def test_comment_word_stores_the_words_on_the_open_window(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await open_comments(bot, "CARE1")
    await bot.send_in(SMS, ANN, "COMMENT The bus stop is too far")
    [thanks] = await bot.delivered()
    [comment] = await all_of(bot, Comment)
    assert thanks.body.startswith(
        f"Thank you. We have your comment on CARE1. Its number is {comment.id}."
    )
    assert comment.text == "The bus stop is too far"
    assert comment.window_id is not None and not comment.is_late


async def test_question_word_goes_to_the_leads_with_the_number_to_answer(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "QUESTION Who pays for the taxis")
    said = await heard(bot)
    [question] = await all_of(bot, Question)
    assert question.direction == QuestionDirection.TO_LEADS
    assert question.text == "Who pays for the taxis" and question.asked_by == ann.id
    assert said[ANN][0].startswith(f"Thank you. Your question to CARE1 is number {question.id}.")
    assert said[LEAD] == [
        f"Question {question.id} for CARE1, from Ann:\nWho pays for the taxis\n"
        f"To answer, reply ANSWER {question.id} and your answer."
    ]


# BRIEF


async def test_brief_sends_the_newest_version_whole(bot) -> None:
    bea = await add_person(bot.sessions, "Bea", telegram=BEA)
    await lead_of(bot, "CARE1", members=[bea])
    await publish(bot, "CARE1", "First thoughts on home care.")
    bot.clock.advance(days=1)
    await publish(bot, "CARE1", "Second thoughts: home care and respite.")
    await bot.delivered()
    await bot.send_in(TELEGRAM, BEA, "BRIEF")
    [brief] = await bot.delivered()
    assert brief.address == BEA
    assert brief.body.startswith("The brief for Project CARE1 (CARE1), version 2.")
    assert "Second thoughts: home care and respite." in brief.body
    assert "First thoughts" not in brief.body


async def test_brief_asked_by_sms_goes_whole_to_their_email(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN, email="ann@example.org")
    await lead_of(bot, "CARE1", members=[ann])
    await publish(bot, "CARE1", "We want better home care for older people.")
    await bot.delivered()
    await bot.send_in(SMS, ANN, "BRIEF")
    [text] = await bot.delivered(SMS)
    [email] = await bot.delivered(EMAIL)
    assert text.body == "We have sent the whole brief to your email."
    assert email.address == "ann@example.org"
    assert email.subject == "Project CARE1: the brief"
    assert "We want better home care for older people." in email.body


async def test_brief_asked_by_someone_with_only_sms_comes_by_sms(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await publish(bot, "CARE1", "We want better home care for older people.")
    await bot.delivered()
    await bot.send_in(SMS, ANN, "brief")
    [brief] = await bot.delivered()
    assert brief.channel == SMS and brief.address == ANN
    assert brief.body.startswith("The brief for Project CARE1 (CARE1), version 1.")
    assert "We want better home care for older people." in brief.body


async def test_brief_before_one_is_published_says_there_is_none_yet(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "BRIEF")
    assert await heard(bot) == {
        ANN: ["There is no brief for CARE1 yet. We will send it to you when it is ready."]
    }


# NAME ME, ANONYMOUS, LANGUAGE, HELP


async def test_name_me_and_anonymous_decide_whether_later_comments_carry_the_name(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await open_comments(bot, "CARE1")
    await bot.send_in(SMS, ANN, "name me")
    assert await heard(bot) == {ANN: [NAMED_FROM_NOW]}
    await bot.send_in(SMS, ANN, "The carers are always late")
    [named_thanks] = await bot.delivered()
    assert "We will share it with your name. Reply ANONYMOUS to share it without." in (
        named_thanks.body
    )
    await bot.send_in(SMS, ANN, "ANONYMOUS")
    assert await heard(bot) == {
        ANN: ["From now on, we will share your comments without your name."]
    }
    await bot.send_in(SMS, ANN, "The rota changes too often")
    [anonymous_thanks] = await bot.delivered()
    assert "We will share it without your name." in anonymous_thanks.body
    named, anonymous = await all_of(bot, Comment)
    assert named.is_named and not anonymous.is_named
    async with bot.sessions() as session:
        assert (await session.get(Contributor, ann.id)).named_in_comments is False


async def test_language_en_is_confirmed_and_stored(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await bot.send_in(SMS, ANN, "LANGUAGE en")
    assert await heard(bot) == {ANN: ["We will write to you in English from now on."]}
    async with bot.sessions() as session:
        assert (await session.get(Contributor, ann.id)).language == "en"


async def test_a_language_may_be_named_in_the_persons_own_language(bot) -> None:
    gwen = await add_person(bot.sessions, "Gwen", phone=ANN, language="cy")
    piotr = await add_person(bot.sessions, "Piotr", phone="+48500100200", language="pl")
    await bot.send_in(SMS, ANN, "IAITH Saesneg")  # Welsh for "LANGUAGE English"
    await bot.send_in(SMS, "+48500100200", "JĘZYK walijski")  # Polish for "LANGUAGE Welsh"
    said = await heard(bot)
    assert said[ANN] == ["We will write to you in English from now on."]
    assert said["+48500100200"] == ["Iaith eich negeseuon o hyn ymlaen: Cymraeg."]
    async with bot.sessions() as session:
        assert (await session.get(Contributor, gwen.id)).language == "en"
        assert (await session.get(Contributor, piotr.id)).language == "cy"


async def test_language_we_cannot_write_in_lists_those_we_can_and_changes_nothing(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await bot.send_in(SMS, ANN, "LANGUAGE xx")
    assert await heard(bot) == {
        ANN: ["Sorry, we cannot write in xx yet. We can write in: English, Cymraeg, Polski, اردو."]
    }
    async with bot.sessions() as session:
        assert (await session.get(Contributor, ann.id)).language is None


async def test_help_by_sms_during_comments_is_three_lines_starting_with_the_deadline(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await open_comments(bot, "CARE1")
    await bot.send_in(SMS, ANN, "HELP")
    [help_text] = await bot.delivered()
    assert help_text.body.splitlines() == [
        "Reply with your comment on CARE1 by Monday 30 November 2026 at 09:00.",
        "Reply BRIEF for the brief, LEAVE to leave.",
        "Reply STOP to stop all texts.",
    ]


# Telegram commands


async def test_telegram_commands_are_the_same_words(bot) -> None:
    bea = await add_person(bot.sessions, "Bea", telegram=BEA)
    await lead_of(bot, "CARE1", invited=[bea])
    await bot.send_in(TELEGRAM, BEA, "/join CARE1")
    said = await heard(bot)
    assert said[BEA][0].startswith("Welcome to CARE1.")
    await bot.send_in(TELEGRAM, BEA, "/nameme")
    assert await heard(bot) == {BEA: [NAMED_FROM_NOW]}
    assert (await status_in(bot, bea, "CARE1")).status == MembershipStatus.JOINED
    async with bot.sessions() as session:
        assert (await session.get(Contributor, bea.id)).named_in_comments is True


# Free text


async def test_plain_words_with_one_window_open_are_a_comment_on_it(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await open_comments(bot, "CARE1")
    await bot.send_in(SMS, ANN, "More evening visits please")
    [thanks] = await bot.delivered()
    [comment] = await all_of(bot, Comment)
    assert thanks.body.startswith(
        f"Thank you. We have your comment on CARE1. Its number is {comment.id}."
    )
    assert comment.text == "More evening visits please" and comment.contributor_id == ann.id
    assert comment.window_id is not None and not comment.is_late


async def test_plain_words_with_two_windows_open_ask_which_project_then_the_number_picks(
    bot,
) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", "CARE2", members=[ann])
    await open_comments(bot, "CARE1", "CARE2")
    await bot.send_in(SMS, ANN, "More evening visits please")
    [choice] = await bot.delivered()
    assert choice.body.startswith("Which project is your comment for?\n1 CARE1: Project CARE1\n")
    assert await all_of(bot, Comment) == []
    await bot.send_in(SMS, ANN, "2")
    [thanks] = await bot.delivered()
    assert thanks.body.startswith("Thank you. We have your comment on CARE2.")
    [comment] = await all_of(bot, Comment)
    async with bot.sessions() as session:
        assert comment.project_id == (await find_project(session, "CARE2")).id
    assert comment.text == "More evening visits please"


async def test_words_ending_in_a_question_mark_with_no_window_open_are_a_question(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "Why are the carers late?")
    said = await heard(bot)
    [question] = await all_of(bot, Question)
    assert question.text == "Why are the carers late?"
    assert question.direction == QuestionDirection.TO_LEADS
    assert said[ANN][0].startswith(f"Thank you. Your question to CARE1 is number {question.id}.")
    assert said[LEAD][0].startswith(f"Question {question.id} for CARE1, from Ann:")


async def test_plain_words_with_no_window_open_get_a_short_explanation(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await bot.send_in(SMS, ANN, "The carers are always late")
    [reply] = await bot.delivered()
    lines = reply.body.splitlines()
    assert lines[0] == "Sorry, we did not understand that."
    assert len(lines) <= 4
    assert await all_of(bot, Comment) == [] and await all_of(bot, Question) == []


async def test_a_number_when_no_choice_is_waiting_says_so(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", members=[ann])
    await open_comments(bot, "CARE1")
    await bot.send_in(SMS, ANN, "2")
    [reply] = await bot.delivered()
    assert reply.body.startswith("We were not waiting for a number from you.\n")
    assert await all_of(bot, Comment) == []


# Numbered choices


async def test_a_choice_answered_after_a_day_has_ended_and_nothing_is_kept(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", "CARE2", members=[ann])
    await open_comments(bot, "CARE1", "CARE2")
    await bot.send_in(SMS, ANN, "More evening visits please")
    await bot.delivered()
    bot.clock.advance(hours=25)
    await bot.send_in(SMS, ANN, "1")
    assert await heard(bot) == {
        ANN: ["Sorry, that choice has ended. Choices last one day. Please send your message again."]
    }
    assert await all_of(bot, Comment) == []


async def test_a_number_out_of_range_asks_again_and_the_choice_still_works(bot) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await lead_of(bot, "CARE1", "CARE2", members=[ann])
    await open_comments(bot, "CARE1", "CARE2")
    await bot.send_in(SMS, ANN, "More evening visits please")
    await bot.delivered()
    await bot.send_in(SMS, ANN, "3")
    assert await heard(bot) == {ANN: ["Please reply with a number from 1 to 2."]}
    assert await all_of(bot, Comment) == []
    await bot.send_in(SMS, ANN, "1")
    [thanks] = await bot.delivered()
    assert thanks.body.startswith("Thank you. We have your comment on CARE1.")
    assert len(await all_of(bot, Comment)) == 1
