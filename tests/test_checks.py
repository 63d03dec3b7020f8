"""Checking before sharing, over the channels: what is held and who hears of it, the leads'
APPROVE and HIDE, the author's WITHDRAW and NAME ME with a number, the digests that count
what waits, and the refusals that change nothing."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from channels.base import ChannelName
from flows import sharing
from flows.sharing_outcome import Outcome
from flows.windows import open_comment_window
from storage.audit import project_audit
from storage.checks import ItemKind, waiting_items
from storage.db import transaction
from storage.errors import NotFound
from storage.memberships import join
from storage.models import CheckState, Comment, LeadKind, Question, Sharing
from storage.projects import add_members, create_project, find_project
from tests.bot_fixture import memory_bot
from tests.helpers import START, add_person, add_project
from tests.test_lead_words import ANN, BEA, LEAD, all_of, heard

SMS, TELEGRAM = ChannelName.SMS, ChannelName.TELEGRAM
JO = "9002"  # the joint lead, a contributor, on Telegram
CAL = "+447700900003"  # a member of another project
CLOSE = START + timedelta(days=7)
# The closing digest goes at the project's digest time (10:00) after the close.
CLOSING_DIGEST = CLOSE.replace(hour=10)


async def checked_care1(bot, *, sharing_mode: Sharing = Sharing.CHECKED):  # type: ignore[no-untyped-def]
    """CARE1 with comments open: Lee leads for the team, Jo is the joint lead (a
    contributor), Ann (SMS) and Bea (Telegram) are members."""
    lee = await add_person(bot.sessions, "Lee Staff", telegram=LEAD)
    jo = await add_person(bot.sessions, "Jo Parry", telegram=JO)
    ann = await add_person(bot.sessions, "Ann Lee", phone=ANN)
    bea = await add_person(bot.sessions, "Bea Khan", telegram=BEA)
    async with transaction(bot.sessions) as session:
        project = await create_project(
            session,
            code="CARE1",
            title="Care at home",
            leads=[(lee, LeadKind.STAFF), (jo, LeadKind.CONTRIBUTOR)],
            now=START,
            sharing=sharing_mode,
        )
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await add_members(session, project, [ann, bea], START)
        for person in (ann, bea):
            await join(session, project, person.id, START, "test")
        await open_comment_window(session, project, now=START)
    await bot.delivered()
    return lee, jo, ann, bea


async def comment_from_ann(bot, text: str) -> tuple[Comment, dict[str, list[str]]]:
    await bot.send_in(SMS, ANN, text)
    said = await heard(bot)
    comments = await all_of(bot, Comment)
    return comments[-1], said


async def close_window(bot) -> dict[str, list[str]]:
    bot.clock.advance(seconds=(CLOSING_DIGEST - bot.clock.now()).total_seconds() + 60)
    await bot.services.scheduler.run_due()
    return await heard(bot)


# Held on arrival, and who hears of it


async def test_in_a_checked_project_a_comment_waits_and_the_author_is_told_so(bot) -> None:
    await checked_care1(bot)
    comment, said = await comment_from_ann(bot, "The ramp at the library is too steep.")
    assert comment.check_state == CheckState.WAITING
    [thanks] = said[ANN]
    assert f"Its number is {comment.id}." in thanks
    assert "The leads will read it before it is shared with the group." in thanks
    assert "shared with the group." not in thanks.replace("before it is shared with the group.", "")
    # Lee (staff) sees Ann's name; Jo (a contributor lead) does not, as Ann did not choose it.
    [to_lee] = said[LEAD]
    [to_jo] = said[JO]
    assert f"Comment {comment.id} on CARE1, from Ann Lee, is waiting for your check:" in to_lee
    assert f"Comment {comment.id} on CARE1, from a member, is waiting for your check:" in to_jo
    assert "Ann" not in to_jo
    for notice in (to_lee, to_jo):
        assert "The ramp at the library is too steep." in notice
        assert f"To share it, reply APPROVE {comment.id}." in notice
    assert BEA not in said  # nothing reaches the other members


async def test_in_an_open_project_a_plain_comment_is_shared_but_a_flagged_one_is_held(
    bot,
) -> None:
    await checked_care1(bot, sharing_mode=Sharing.OPEN)
    plain, said = await comment_from_ann(bot, "The buses are late every morning.")
    assert plain.check_state == CheckState.SHARED
    assert set(said) == {ANN}
    assert "before it is shared" not in said[ANN][0]
    flagged, said = await comment_from_ann(bot, "Ring my neighbour on 07700 900123 about it.")
    assert flagged.check_state == CheckState.WAITING
    assert flagged.flags == ["contact"]
    assert "The leads will read it before it is shared with the group." in said[ANN][0]
    assert "The checks found a phone number or email address." in said[LEAD][0]


async def test_a_safeguarding_comment_alerts_the_staff_lead_without_its_words_by_sms(
    bot,
) -> None:
    lee = await add_person(bot.sessions, "Lee Staff", phone="+447700900009")
    ann = await add_person(bot.sessions, "Ann Lee", phone=ANN)
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[ann], sharing=Sharing.OPEN)
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, ann.id, START, "test")
        await open_comment_window(session, project, now=START)
    await bot.delivered()
    text = "The night carer hit my mum and she is scared of him."
    comment, said = await comment_from_ann(bot, text)
    assert comment.check_state == CheckState.WAITING
    [alert] = said["+447700900009"]
    assert alert.startswith(f"CARE1: Comment {comment.id} may need a safeguarding response.")
    assert "hit my mum" not in alert
    assert "We do not send its words by text." in alert


# The leads' words


async def test_approve_shares_it_in_the_next_digest_and_is_audited(bot) -> None:
    await checked_care1(bot)
    comment, _ = await comment_from_ann(bot, "Visits are too short.")
    await bot.send_in(TELEGRAM, LEAD, f"APPROVE {comment.id}")
    assert await heard(bot) == {
        LEAD: [f"Thank you. Comment {comment.id} on CARE1 will be shared with the group."]
    }
    [stored] = await all_of(bot, Comment)
    assert stored.check_state == CheckState.SHARED
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        [entry] = [e for e in await project_audit(session, project.id) if "approve" in e.action]
    assert entry.action == "comment.approve"
    assert entry.actor.startswith("contributor:")
    assert entry.at == bot.clock.now()
    said = await close_window(bot)
    assert any("Visits are too short." in body for body in said[BEA])


async def test_approving_twice_says_when_it_was_shared_and_changes_nothing(bot) -> None:
    await checked_care1(bot)
    comment, _ = await comment_from_ann(bot, "Visits are too short.")
    await bot.send_in(TELEGRAM, LEAD, f"APPROVE {comment.id}")
    await bot.delivered()
    bot.clock.advance(hours=2)
    await bot.send_in(TELEGRAM, JO, f"APPROVE {comment.id}")
    [answer] = (await heard(bot))[JO]
    assert answer.startswith(f"Comment {comment.id} was already shared on Monday 23 November")
    assert answer.endswith("Nothing has changed.")


async def test_hide_keeps_it_from_the_group_and_tells_the_author_kindly_why(bot) -> None:
    await checked_care1(bot)
    comment, _ = await comment_from_ann(bot, "The manager is useless and lazy.")
    await bot.send_in(TELEGRAM, LEAD, f"HIDE {comment.id} it is about one person")
    said = await heard(bot)
    assert said[LEAD] == [
        f"Thank you. Comment {comment.id} on CARE1 will not be shared. "
        "We have told the person who wrote it."
    ]
    [to_ann] = said[ANN]
    assert f"The leads of CARE1 have read your comment {comment.id}." in to_ann
    assert "They have decided not to share it with the group." in to_ann
    assert "Their reason: it is about one person" in to_ann
    said = await close_window(bot)
    assert not any("useless" in body for bodies in said.values() for body in bodies)
    [stored] = await all_of(bot, Comment)
    assert (stored.check_state, stored.hide_reason) == (CheckState.HIDDEN, "it is about one person")


async def test_hide_needs_a_reason_and_a_number(bot) -> None:
    await checked_care1(bot)
    comment, _ = await comment_from_ann(bot, "Visits are too short.")
    await bot.send_in(TELEGRAM, LEAD, f"HIDE {comment.id}")
    [answer] = (await heard(bot))[LEAD]
    assert answer.startswith("Please say why it is not shared.")
    await bot.send_in(TELEGRAM, LEAD, "APPROVE")
    [answer] = (await heard(bot))[LEAD]
    assert answer.startswith("To share a comment, write APPROVE and its number.")
    [stored] = await all_of(bot, Comment)
    assert stored.check_state == CheckState.WAITING


async def test_hide_after_sharing_stops_it_and_says_what_went_out_stays_out(bot) -> None:
    await checked_care1(bot)
    comment, _ = await comment_from_ann(bot, "Visits are too short.")
    await bot.send_in(TELEGRAM, LEAD, f"APPROVE {comment.id}")
    await bot.delivered()
    await close_window(bot)
    await bot.send_in(TELEGRAM, LEAD, f"HIDE {comment.id} Ann asked us to")
    said = await heard(bot)
    [answer] = said[LEAD]
    assert "will not be shared" in answer
    assert "It already went to the group on Monday 30 November 2026" in answer
    assert "What was sent cannot be called back." in answer
    assert said[ANN]  # Ann is told too
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        [entry] = [e for e in await project_audit(session, project.id) if "hide" in e.action]
    assert "already_shared_at" in entry.details


async def test_lead_words_are_refused_for_other_projects_missing_numbers_and_non_leads(
    bot,
) -> None:
    _, _, ann, _ = await checked_care1(bot)
    other_lead = await add_person(bot.sessions, "Cal Lead", phone=CAL)
    await add_project(bot.sessions, "PARK2", leads=[other_lead], sharing=Sharing.CHECKED)
    comment, _ = await comment_from_ann(bot, "Visits are too short.")
    # A lead of another project is told only that it cannot be found.
    await bot.send_in(SMS, CAL, f"APPROVE {comment.id}")
    assert await heard(bot) == {CAL: [f"We cannot find comment {comment.id}."]}
    await bot.send_in(TELEGRAM, LEAD, "APPROVE 999")
    assert await heard(bot) == {LEAD: ["We cannot find comment 999."]}
    # From someone who leads nothing, the words are a comment of their own.
    await bot.send_in(TELEGRAM, BEA, f"APPROVE {comment.id}")
    said = await heard(bot)
    assert "Thank you. We have your comment on CARE1." in said[BEA][0]
    first = (await all_of(bot, Comment))[0]
    assert first.check_state == CheckState.WAITING
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        assert not [e for e in await project_audit(session, project.id) if "approve" in e.action]
    # The flow itself refuses a lead of another project.
    async with transaction(bot.sessions) as session:
        try:
            await sharing.approve(
                session, ItemKind.COMMENT, comment.id, now=bot.clock.now(), by=other_lead.id
            )
        except NotFound:
            pass
        else:
            raise AssertionError("a lead of PARK2 approved a CARE1 comment")
    assert ann.id  # Ann's comment is untouched
    assert (await all_of(bot, Comment))[0].check_state == CheckState.WAITING


async def test_a_lead_approves_a_question_by_its_word_and_number(bot) -> None:
    await checked_care1(bot)
    await bot.send_in(SMS, ANN, "QUESTION CARE1 Who pays for the taxi?")
    said = await heard(bot)
    [question] = await all_of(bot, Question)
    assert question.check_state == CheckState.WAITING
    waits = "is waiting for your check:"
    assert f"Question {question.id} for CARE1, from Ann Lee, {waits}" in said[LEAD][0]
    assert f"Question {question.id} for CARE1, from a member, {waits}" in said[JO][0]
    # An answer to everyone waits for the check: the question is not shared yet.
    await bot.send_in(TELEGRAM, LEAD, f"ANSWER {question.id} The council pays.")
    [refusal] = (await heard(bot))[LEAD]
    assert "not" in refusal.lower()
    await bot.send_in(TELEGRAM, LEAD, f"APPROVE QUESTION {question.id}")
    [answer] = (await heard(bot))[LEAD]
    assert answer == f"Thank you. Question {question.id} on CARE1 will be shared with the group."
    await bot.send_in(TELEGRAM, LEAD, f"ANSWER {question.id} The council pays.")
    said = await heard(bot)
    assert any("Who pays for the taxi?" in body for body in said[BEA])


async def test_a_hidden_question_is_answered_to_its_asker_alone(bot) -> None:
    await checked_care1(bot)
    await bot.send_in(SMS, ANN, "QUESTION CARE1 Why did Dr Price Evans refuse my mum?")
    await bot.delivered()
    [question] = await all_of(bot, Question)
    await bot.send_in(TELEGRAM, LEAD, f"HIDE QUESTION {question.id} it names a doctor")
    said = await heard(bot)
    assert f"The leads of CARE1 have read your question {question.id}." in said[ANN][0]
    await bot.send_in(TELEGRAM, LEAD, f"ANSWER {question.id} We will call you this week.")
    said = await heard(bot)
    assert BEA not in said and JO not in said
    assert any("We will call you this week." in body for body in said[ANN])


# The author's words


async def test_the_author_may_withdraw_a_redaction_and_only_their_own(bot) -> None:
    await checked_care1(bot)
    comment, _ = await comment_from_ann(bot, "Susan Jones at BrightCare was rude to my dad.")
    async with transaction(bot.sessions) as session:
        checked = await sharing.redact(
            session,
            ItemKind.COMMENT,
            comment.id,
            "A carer was rude to my dad.",
            now=bot.clock.now(),
        )
    assert checked.outcome == Outcome.REDACTED and checked.author_told
    [to_ann] = (await heard(bot))[ANN]
    assert f"will share your comment {comment.id} with some words changed" in to_ann
    assert "A carer was rude to my dad." in to_ann
    assert f"reply WITHDRAW {comment.id}" in to_ann
    await bot.send_in(TELEGRAM, BEA, f"WITHDRAW {comment.id}")
    assert await heard(bot) == {
        BEA: ["We cannot find that. You can only withdraw what you sent yourself."]
    }
    await bot.send_in(SMS, ANN, f"WITHDRAW {comment.id}")
    assert await heard(bot) == {ANN: ["Thank you. We will not share it with the group."]}
    said = await close_window(bot)
    assert not any("rude" in body for bodies in said.values() for body in bodies)
    [stored] = await all_of(bot, Comment)
    assert stored.check_state == CheckState.WITHDRAWN
    assert stored.text == "Susan Jones at BrightCare was rude to my dad."


async def test_name_me_says_it_applies_from_now_on_and_name_me_n_names_one_earlier(
    bot,
) -> None:
    await checked_care1(bot)
    first, _ = await comment_from_ann(bot, "Visits are too short.")
    await bot.send_in(SMS, ANN, "NAME ME")
    [answer] = (await heard(bot))[ANN]
    assert "From now on, we will share your comments with your name." in answer
    assert "What you sent before stays without it." in answer
    second, said = await comment_from_ann(bot, "And too early in the morning.")
    assert second.is_named and not first.is_named
    assert "from Ann Lee" in said[JO][0]  # named now, so the joint lead sees her name
    await bot.send_in(SMS, ANN, f"NAME ME {first.id}")
    assert await heard(bot) == {
        ANN: [f"Thank you. Your name will go with your comment {first.id}."]
    }
    for comment in (first, second):
        await bot.send_in(TELEGRAM, LEAD, f"APPROVE {comment.id}")
    await bot.delivered()
    said = await close_window(bot)
    [digest] = [body for body in said[BEA] if "Visits are too short." in body]
    assert digest.count("Ann Lee") == 2


# Digests


async def test_the_closing_digest_counts_what_waits_and_a_later_approval_follows_up(
    bot,
) -> None:
    await checked_care1(bot)
    shared, _ = await comment_from_ann(bot, "Visits are too short.")
    waiting, _ = await comment_from_ann(bot, "Nobody came on Sunday.")
    await bot.send_in(TELEGRAM, LEAD, f"APPROVE {shared.id}")
    await bot.delivered()
    said = await close_window(bot)
    [digest] = [body for body in said[BEA] if body.startswith("Comments on CARE1 closed")]
    assert "Visits are too short." in digest
    assert "Nobody came on Sunday." not in digest
    assert "1 more comment is being checked" in digest
    bot.clock.advance(days=1)
    await bot.send_in(TELEGRAM, LEAD, f"APPROVE {waiting.id}")
    await bot.delivered()
    await bot.services.scheduler.run_due()
    said = await heard(bot)
    [followup] = said[BEA]
    assert followup.startswith("The leads have checked 1 more comment on CARE1:")
    assert "Nobody came on Sunday." in followup
    assert "Visits are too short." not in followup
    # Approving nothing new sends no more follow-ups.
    bot.clock.advance(days=1)
    await bot.services.scheduler.run_due()
    assert await heard(bot) == {}


async def test_the_waiting_list_holds_what_is_not_checked_oldest_first(bot) -> None:
    await checked_care1(bot)
    first, _ = await comment_from_ann(bot, "Visits are too short.")
    bot.clock.advance(minutes=5)
    second, _ = await comment_from_ann(bot, "Nobody came on Sunday.")
    await bot.send_in(TELEGRAM, LEAD, f"APPROVE {first.id}")
    await bot.delivered()
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        waiting = await waiting_items(session, project.id)
    assert [(item.kind, item.number) for item in waiting] == [(ItemKind.COMMENT, second.id)]


async def test_a_crash_mid_digest_sends_nothing_and_the_retry_holds_back_what_waits(
    sqlite_url, clock
) -> None:
    """The disk fails after the closing digest's first message is queued: nothing of it is
    sent, nothing is marked as sent to the group, and the retry shares only what was shared."""
    async with memory_bot(sqlite_url, clock) as bot:
        await checked_care1(bot)
        shared, _ = await comment_from_ann(bot, "Visits are too short.")
        await comment_from_ann(bot, "Susan Jones shouted at my dad.")
        await bot.send_in(TELEGRAM, LEAD, f"APPROVE {shared.id}")
        await bot.delivered()
        crash = sqlite3.connect(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
        crash.execute(
            "CREATE TRIGGER disk_fails BEFORE INSERT ON outbox WHEN NEW.kind = 'close-digest' "
            "AND (SELECT count(*) FROM outbox WHERE kind = 'close-digest') >= 1 "
            "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
        )
        crash.commit()
        said = await close_window(bot)
        assert not any("closed" in body for bodies in said.values() for body in bodies)
        [stored] = [c for c in await all_of(bot, Comment) if c.id == shared.id]
        assert stored.digested_at is None
        crash.execute("DROP TRIGGER disk_fails")
        crash.commit()
        crash.close()
        bot.clock.advance(minutes=5)
        await bot.services.scheduler.run_due()
        said = await heard(bot)
        [digest] = said[BEA]
        assert "Visits are too short." in digest and "1 more comment is being checked" in digest
        assert not any("Susan" in body for bodies in said.values() for body in bodies)
