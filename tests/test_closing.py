"""The end of a project: closing with a review date, the leads' reminder on that date, opening
it again with a reason, and who did each of these in the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from channels.base import ChannelName
from flows.closing import close_project, reopen_project
from flows.windows import add_project_meeting, open_comment_window
from storage.audit import project_audit
from storage.db import transaction
from storage.errors import InvalidInput
from storage.memberships import join
from storage.models import (
    Comment,
    ContactPoint,
    OutboxRow,
    Project,
    ProjectStatus,
    Question,
    ScheduledJob,
)
from storage.projects import find_project
from tests.helpers import add_person, add_project
from tests.test_lead_words import ANN, BEA, LEAD, all_of, care1, heard

SMS, TELEGRAM = ChannelName.SMS, ChannelName.TELEGRAM
REVIEW_ON = date(2027, 3, 1)  # a Monday
REVIEW_MORNING = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)  # 09:00 in London (GMT in March)
THANKS = (
    "We have finished CARE1. Thank you for taking part.",
    "We will look back at it on Monday 1 March 2027 and tell you what changed.",
)
REMINDER = (  # to a lead on Telegram: two paragraphs
    "Today is the review date for CARE1.\n\nPlease look back at what changed, and tell the "
    "members what you found."
)


async def lead_does(bot, action, *args, **kwargs):  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        return await action(session, project, *args, now=bot.clock.now(), **kwargs)


async def project_row(bot) -> Project:
    async with bot.sessions() as session:
        return await find_project(session, "CARE1")


async def reminders_at(bot, moment: datetime) -> dict[str, list[str]]:
    bot.clock.advance(seconds=(moment - bot.clock.now()).total_seconds())
    await bot.services.scheduler.run_due()
    return await heard(bot)


async def test_closing_thanks_every_member_with_the_review_date_written_out(bot) -> None:
    await care1(bot)
    reached = await lead_does(bot, close_project, review_on=REVIEW_ON, actor="contributor:1")
    assert reached == 3
    project = await project_row(bot)
    assert project.status == ProjectStatus.CLOSED
    assert (project.closed_at, project.review_on) == (bot.clock.now(), REVIEW_ON)
    said = await heard(bot)
    assert said[ANN] == [" ".join(THANKS)]  # one run of sentences on SMS
    assert said[BEA] == ["\n\n".join(THANKS)] and said[LEAD] == ["\n\n".join(THANKS)]


async def test_the_review_reminder_reaches_the_leads_on_the_review_date_once(bot) -> None:
    await care1(bot)
    await lead_does(bot, close_project, review_on=REVIEW_ON)
    await heard(bot)
    assert await reminders_at(bot, datetime(2027, 3, 1, 8, 59, tzinfo=UTC)) == {}
    assert await reminders_at(bot, REVIEW_MORNING) == {LEAD: [REMINDER]}
    assert await reminders_at(bot, datetime(2027, 3, 8, 9, 0, tzinfo=UTC)) == {}
    actions = [entry.action for entry in await audit(bot)]
    assert actions[-2:] == ["project.close", "project.review_reminder"]


async def test_after_a_reopen_the_old_reminder_stays_silent(bot) -> None:
    await care1(bot)
    await lead_does(bot, close_project, review_on=REVIEW_ON)
    bot.clock.advance(days=3)
    await lead_does(bot, reopen_project, reason="A carer wrote with a complaint.")
    await heard(bot)
    assert await reminders_at(bot, REVIEW_MORNING) == {}


async def test_a_second_close_with_a_new_date_has_only_its_own_reminder(bot) -> None:
    await care1(bot)
    await lead_does(bot, close_project, review_on=REVIEW_ON)
    bot.clock.advance(days=3)
    await lead_does(bot, reopen_project, reason="Praise came in, and one question.")
    await heard(bot)
    bot.clock.advance(days=1)
    await lead_does(bot, close_project, review_on=date(2027, 4, 5))
    [thanks] = (await heard(bot))[ANN]
    assert "on Monday 5 April 2027 and tell you" in thanks
    assert await reminders_at(bot, REVIEW_MORNING) == {}
    # British Summer Time by April: 09:00 in London is 08:00 UTC.
    assert await reminders_at(bot, datetime(2027, 4, 5, 8, 0, tzinfo=UTC)) == {LEAD: [REMINDER]}
    async with bot.sessions() as session:
        names = (await session.scalars(select(ScheduledJob.name).order_by(ScheduledJob.id))).all()
    assert len([name for name in names if ":review:" in name]) == 2


async def test_reopening_tells_every_member_and_lead_the_reason(bot) -> None:
    await care1(bot)
    await lead_does(bot, close_project, review_on=REVIEW_ON)
    await heard(bot)
    reached = await lead_does(bot, reopen_project, reason="  A carer wrote   with a complaint. ")
    assert reached == 3
    said = await heard(bot)
    assert said[ANN] == ["We have opened CARE1 again. The reason: A carer wrote with a complaint."]
    assert (
        said[BEA]
        == said[LEAD]
        == ["We have opened CARE1 again.\n\nThe reason: A carer wrote with a complaint."]
    )
    project = await project_row(bot)
    assert (project.status, project.closed_at, project.review_on) == (
        ProjectStatus.ACTIVE,
        None,
        REVIEW_ON,
    )
    [*_, entry] = await audit(bot)
    assert (entry.action, entry.details["reason"]) == (
        "project.reopen",
        "A carer wrote with a complaint.",
    )


async def test_a_lead_who_left_the_project_hears_no_more_of_it(bot) -> None:
    """Lena leads CARE2 with Lee; she joined as a member and then left. Reopening, a member
    leaving reach Lee, and nothing is even queued for Lena but her own "you have left"."""
    lee = await add_person(bot.sessions, "Lee", telegram=LEAD)
    lena = await add_person(bot.sessions, "Lena", telegram="9100")
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await add_project(bot.sessions, "CARE2", leads=[lee, lena], members=[lena, ann])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE2")
        for person in (lena, ann):
            await join(session, project, person.id, bot.clock.now(), "test")
        await close_project(session, project, review_on=REVIEW_ON, now=bot.clock.now())
    await bot.send_in(TELEGRAM, "9100", "LEAVE CARE2")
    await heard(bot)
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE2")
        reached = await reopen_project(session, project, reason="A complaint.", now=bot.clock.now())
    assert reached == 2  # Ann and Lee
    await bot.send_in(SMS, ANN, "LEAVE CARE2")
    said = await heard(bot)
    assert "9100" not in said
    assert len(said[LEAD]) == 2  # the reopening, and Ann leaving
    async with bot.sessions() as session:
        to_lena = await session.scalars(
            select(OutboxRow.kind)
            .join(ContactPoint, ContactPoint.id == OutboxRow.contact_point_id)
            .where(
                ContactPoint.contributor_id == lena.id,
                # queued before she left: the thanks on closing; and her own confirmation
                OutboxRow.kind.not_in(("project-closed", "left")),
            )
        )
        assert to_lena.all() == []


async def test_a_comment_to_a_closed_project_is_kept_and_marked_late(bot) -> None:
    await care1(bot)
    await lead_does(bot, close_project, review_on=REVIEW_ON)
    await heard(bot)
    await bot.send_in(SMS, ANN, "COMMENT CARE1 The new rota is much better.")
    await heard(bot)
    [comment] = await all_of(bot, Comment)
    assert comment.is_late and comment.text == "The new rota is much better."


@pytest.mark.parametrize(
    ("review_on", "reason"),
    [
        (date(2026, 11, 23), "the review date must be in the future, after 2026-11-23"),
        (date(2026, 1, 1), "the review date must be in the future, after 2026-11-23"),
    ],
    ids=["today", "in the past"],
)
async def test_a_review_date_not_in_the_future_is_refused(bot, review_on, reason) -> None:
    await care1(bot)
    with pytest.raises(InvalidInput, match=reason):
        await lead_does(bot, close_project, review_on=review_on)
    assert await nothing_changed(bot)


async def test_closing_twice_is_refused_and_changes_nothing(bot) -> None:
    await care1(bot)
    await lead_does(bot, close_project, review_on=REVIEW_ON)
    await heard(bot)
    before = await audit(bot)
    with pytest.raises(InvalidInput, match="CARE1 is already closed"):
        await lead_does(bot, close_project, review_on=date(2027, 6, 1))
    assert (await project_row(bot)).review_on == REVIEW_ON
    assert len(await audit(bot)) == len(before)


async def test_closing_while_comments_are_open_or_still_to_come_is_refused(bot) -> None:
    await care1(bot, comments_open=True)
    with pytest.raises(InvalidInput, match="comments on CARE1 are open until Monday 30"):
        await lead_does(bot, close_project, review_on=REVIEW_ON)
    bot.clock.advance(days=8)
    await bot.services.scheduler.run_due()
    await heard(bot)  # the digest of comments at the close
    await lead_does(
        bot,
        add_project_meeting,
        starts_at=datetime(2026, 12, 10, 18, 0, tzinfo=UTC),
        minutes=90,
        place=None,
        window_days=7,
    )
    await heard(bot)
    with pytest.raises(InvalidInput, match="meeting on Thursday 10 December 2026 at 18:00"):
        await lead_does(bot, close_project, review_on=REVIEW_ON)
    assert (await project_row(bot)).status == ProjectStatus.ACTIVE


async def test_a_closed_project_takes_no_new_meeting_or_window_until_reopened(bot) -> None:
    await care1(bot)
    await lead_does(bot, close_project, review_on=REVIEW_ON)
    await heard(bot)
    with pytest.raises(InvalidInput, match="CARE1 is closed; reopen it first"):
        await lead_does(bot, open_comment_window)
    with pytest.raises(InvalidInput, match="CARE1 is closed; reopen it first"):
        await lead_does(
            bot,
            add_project_meeting,
            starts_at=datetime(2026, 12, 10, 18, 0, tzinfo=UTC),
            minutes=90,
            place=None,
            window_days=7,
        )
    assert await heard(bot) == {}
    await lead_does(bot, reopen_project, reason="Praise came in.")
    with pytest.raises(InvalidInput, match="CARE1 is not closed, so there is nothing to reopen"):
        await lead_does(bot, reopen_project, reason="Praise came in.")
    assert [len(bodies) for bodies in (await heard(bot)).values()] == [1, 1, 1]
    await lead_does(bot, open_comment_window)
    said = await heard(bot)
    assert said[ANN][0].startswith("Comments on CARE1 are open until")


async def test_lead_words_over_the_channels_are_recorded_as_that_contributor(bot) -> None:
    lead, _, _ = await care1(bot, comments_open=True)
    await bot.send_in(TELEGRAM, LEAD, "EXTEND CARE1 2026-12-20 Many people were away")
    await bot.send_in(SMS, ANN, "QUESTION Who pays for the taxis?")
    await heard(bot)
    [question] = await all_of(bot, Question)
    await bot.send_in(TELEGRAM, LEAD, f"ANSWER {question.id} The council pays.")
    await heard(bot)
    who = {entry.action: entry.actor for entry in await audit(bot)}
    assert who["window.extend"] == who["question.answer"] == f"contributor:{lead.id}"


async def audit(bot):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return await project_audit(session, (await find_project(session, "CARE1")).id)


async def nothing_changed(bot) -> bool:
    project = await project_row(bot)
    async with bot.sessions() as session:
        jobs = (await session.scalars(select(ScheduledJob.kind))).all()
    return (
        project.status == ProjectStatus.ACTIVE
        and project.review_on is None
        and "project-review" not in jobs
        and await heard(bot) == {}
        and "project.close" not in [entry.action for entry in await audit(bot)]
    )
