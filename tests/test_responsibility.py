"""Who responds, and by when: a lead named for the response to a comment or the written
answer to a member's question is told at once, reminded the day before, and every lead hears
when the day passes without it; the record's checklist counts who was named and on time, and
how long people were involved."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from flows.checklist_facts import project_checklist
from flows.closing import close_project
from flows.i18n import format_day
from flows.lead_actions import (
    Actor,
    NotALead,
    answer_question,
    ask_group,
    open_window,
    respond_to_comment,
)
from flows.lead_responsibility import assign_comment, assign_question
from flows.record import project_record
from storage.comments import add_comment
from storage.db import transaction
from storage.errors import InvalidInput
from storage.memberships import join
from storage.models import (
    AuditEntry,
    CheckState,
    Comment,
    Question,
    QuestionDirection,
    ResponseStatus,
    ScheduledJob,
)
from storage.projects import find_project
from storage.questions import add_question
from tests.axe_kit import axe_violations, describe, layouts, missing_tools
from tests.bot_fixture import MemoryBot
from tests.helpers import add_person, add_project
from tests.test_cli import _ok, coproduce
from tests.test_cli_leads import _rows, project  # noqa: F401 - the CLI's project fixture
from tests.workspace_kit import ANN_PHONE, JOINT_EMAIL, STAFF_EMAIL, workspace
from tests.workspace_kit import care1 as workspace_care1

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM
LEE, JO, ANN = "9001", "jo@council.example", "+447700900001"
# The helpers' clock starts on Monday 23 November 2026 at 09:00 (London is on UTC then);
# the project's digest time is 10:00.
TUESDAY = date(2026, 12, 1)
NAMED = "Every response has a named person and was on time"
TWELVE_WEEKS = "At least 12 weeks from the first invitation to the close"
ROOT = Path(__file__).resolve().parent.parent


async def _comment(
    session: AsyncSession, project_id: int, author: int, text: str, now: datetime
) -> Comment:
    """A member's comment, as a comment window keeps it (shared: the project shares at once)."""
    return await add_comment(
        session, project_id=project_id, window_id=None, contributor_id=author, channel=SMS,
        text=text, is_late=False, is_named=False, inbound_message_id=None, now=now,
    )  # fmt: skip


@pytest.fixture
async def care1(bot: MemoryBot) -> dict[str, int]:
    """CARE1 led by Lee (Telegram) and Jo (email), with Ann (SMS) a member who joined, a
    comment of Ann's and a question of hers to the leads, both shared."""
    lee = await add_person(bot.sessions, "Lee Smith", telegram=LEE)
    jo = await add_person(bot.sessions, "Jo Peer", email=JO)
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    await add_project(bot.sessions, "CARE1", [lee, jo], [ann])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, ann.id, bot.clock.now(), "test")
        comment = await _comment(
            session, project.id, ann.id, "Visits are often late.", bot.clock.now()
        )
        question = await add_question(
            session,
            project_id=project.id,
            direction=QuestionDirection.TO_LEADS,
            asked_by=ann.id,
            text="Who pays for taxis?",
            channel=SMS,
            now=bot.clock.now(),
        )
        question.check_state = CheckState.SHARED
    await bot.delivered()  # Ann's invitation
    return {
        "lee": lee.id,
        "jo": jo.id,
        "ann": ann.id,
        "comment": comment.id,
        "question": question.id,
    }


def _told(number: int, day: str) -> str:
    return f"You are responsible for the response to comment {number} on CARE1, by {day}."


def _reminded(number: int, day: str) -> str:
    return f"A reminder: the response to comment {number} on CARE1 is due by {day}."


async def _assign_comment(bot: MemoryBot, ids: dict[str, int], person: str, due_on: date) -> None:
    async with transaction(bot.sessions) as session:
        await assign_comment(
            session,
            Actor.lead(ids["lee"]),
            ids["comment"],
            person,
            due_on=due_on,
            now=bot.clock.now(),
        )


async def _heard(bot: MemoryBot) -> dict[str, list[str]]:
    said: dict[str, list[str]] = {}
    for message in await bot.delivered():
        said.setdefault(message.address, []).append(message.body)
    return said


async def _jobs_run_at(bot: MemoryBot, day: date) -> dict[str, list[str]]:
    """Move the clock to the digest time of that day, run what is due, and say who heard what."""
    digest_time = datetime.combine(day, time(10), UTC)
    bot.clock.advance(seconds=(digest_time - bot.clock.now()).total_seconds())
    await bot.services.scheduler.run_due()
    return await _heard(bot)


async def test_the_lead_named_for_a_comment_is_told_at_once_with_the_day_written_out(
    bot: MemoryBot, care1: dict[str, int]
) -> None:
    await _assign_comment(bot, care1, JO, TUESDAY)
    number = care1["comment"]
    assert await _heard(bot) == {JO: [_told(number, "Tuesday 1 December 2026")]}
    async with bot.sessions() as session:
        comment = await session.get(Comment, number)
        assert (comment.assigned_to, comment.due_on) == (care1["jo"], TUESDAY)
        [audit] = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "comment.assign"))
        ).all()
    assert audit.actor == f"contributor:{care1['lee']}"
    assert audit.details == {
        "comment": number,
        "assigned_to": care1["jo"],
        "due_on": "2026-12-01",
        "told": True,
    }


async def test_the_lead_named_for_a_question_is_told_what_they_answer(
    bot: MemoryBot, care1: dict[str, int]
) -> None:
    async with transaction(bot.sessions) as session:
        named = await assign_question(
            session,
            Actor("cli:op"),
            care1["question"],
            str(care1["lee"]),
            due_on=TUESDAY,
            now=bot.clock.now(),
        )
    assert (named.person.name, named.project.code, bool(named.told)) == ("Lee Smith", "CARE1", True)
    assert await _heard(bot) == {
        LEE: [
            f"You are responsible for the written answer to question {care1['question']} on "
            "CARE1, by Tuesday 1 December 2026."
        ]
    }


async def _other_project_comment(bot: MemoryBot) -> int:
    kim = await add_person(bot.sessions, "Kim", telegram="9002")
    await add_project(bot.sessions, "CARE2", [kim])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE2")
        comment = await _comment(session, project.id, kim.id, "Elsewhere", bot.clock.now())
        return comment.id


@pytest.mark.parametrize(
    ("case", "refusal"),
    [
        ("member", "is not a lead of CARE1; name one of its leads"),
        ("past", "the due date 2026-11-22 is in the past (today is 2026-11-23"),
        ("group", "was asked by the leads to the group"),
        ("other", "is not a lead of CARE2"),
        ("done", "already has a response; name someone before it is done"),
    ],
    ids=["not-a-lead", "date-in-the-past", "leads-question-to-the-group", "other-project", "done"],
)
async def test_a_refused_assignment_stores_and_sends_nothing(
    bot: MemoryBot, care1: dict[str, int], case: str, refusal: str
) -> None:
    lead = Actor.lead(care1["lee"])
    number, person, due_on, assign = care1["comment"], JO, TUESDAY, assign_comment
    if case == "member":
        person = str(care1["ann"])
    elif case == "past":
        due_on = date(2026, 11, 22)
    elif case == "group":
        async with transaction(bot.sessions) as session:
            asked, _ = await ask_group(
                session, lead, "CARE1", "Which evening?", now=bot.clock.now()
            )
        await bot.delivered()
        number, assign = asked.id, assign_question
    elif case == "other":
        number = await _other_project_comment(bot)
    elif case == "done":
        async with transaction(bot.sessions) as session:
            await respond_to_comment(
                session, lead, number, ResponseStatus.ADOPTED, "We will", now=bot.clock.now()
            )
        await bot.delivered()
    with pytest.raises((InvalidInput, NotALead), match=re.escape(refusal)):
        async with transaction(bot.sessions) as session:
            await assign(session, lead, number, person, due_on=due_on, now=bot.clock.now())
    async with bot.sessions() as session:
        assigned = await session.scalars(
            select(Comment.assigned_to).where(Comment.assigned_to.is_not(None))
        )
        assert list(assigned) == []
        assert (
            list(await session.scalars(select(Question.due_on).where(Question.due_on.is_not(None))))
            == []
        )
        assert list(await session.scalars(select(ScheduledJob.name))) == []
        assert (
            list(
                await session.scalars(
                    select(AuditEntry.id).where(AuditEntry.action.like("%.assign"))
                )
            )
            == []
        )
    assert await bot.delivered() == []


async def test_the_named_lead_is_reminded_the_day_before_and_every_lead_hears_when_it_passed(
    bot: MemoryBot, care1: dict[str, int]
) -> None:
    await _assign_comment(bot, care1, JO, TUESDAY)
    await bot.delivered()
    number = care1["comment"]
    assert await _jobs_run_at(bot, date(2026, 11, 29)) == {}
    assert await _jobs_run_at(bot, date(2026, 11, 30)) == {
        JO: [_reminded(number, "Tuesday 1 December 2026")]
    }
    assert await _jobs_run_at(bot, TUESDAY) == {}
    passed = (
        f"The response to comment {number} on CARE1 was due on Tuesday 1 December 2026.\n\n"
        "Jo Peer is named for it."
    )
    assert await _jobs_run_at(bot, date(2026, 12, 2)) == {LEE: [passed], JO: [passed]}


async def test_nobody_is_reminded_of_a_response_already_given(
    bot: MemoryBot, care1: dict[str, int]
) -> None:
    await _assign_comment(bot, care1, JO, TUESDAY)
    async with transaction(bot.sessions) as session:
        await assign_question(
            session, Actor.lead(care1["jo"]), care1["question"], str(care1["lee"]),
            due_on=TUESDAY, now=bot.clock.now(),
        )  # fmt: skip
        await respond_to_comment(
            session, Actor.lead(care1["jo"]), care1["comment"], ResponseStatus.PARTLY_ADOPTED,
            "Some visits will move", now=bot.clock.now(),
        )  # fmt: skip
        await answer_question(
            session,
            Actor.lead(care1["lee"]),
            care1["question"],
            "The council pays.",
            now=bot.clock.now(),
        )
    await bot.delivered()
    assert await _jobs_run_at(bot, date(2026, 11, 30)) == {}
    assert await _jobs_run_at(bot, date(2026, 12, 2)) == {}


async def test_a_new_assignment_moves_the_reminder_and_the_old_one_says_nothing(
    bot: MemoryBot, care1: dict[str, int]
) -> None:
    await _assign_comment(bot, care1, JO, TUESDAY)
    await _assign_comment(bot, care1, str(care1["lee"]), date(2026, 12, 4))
    number = care1["comment"]
    assert await _heard(bot) == {
        JO: [_told(number, "Tuesday 1 December 2026")],
        LEE: [_told(number, "Friday 4 December 2026")],
    }
    assert await _jobs_run_at(bot, date(2026, 11, 30)) == {}
    assert await _jobs_run_at(bot, date(2026, 12, 2)) == {}
    assert await _jobs_run_at(bot, date(2026, 12, 3)) == {
        LEE: [_reminded(number, "Friday 4 December 2026")]
    }
    passed = (
        f"The response to comment {number} on CARE1 was due on Friday 4 December 2026.\n\n"
        "Lee Smith is named for it."
    )
    assert await _jobs_run_at(bot, date(2026, 12, 5)) == {LEE: [passed], JO: [passed]}
    async with bot.sessions() as session:
        audits = (
            await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "comment.assign")
                .order_by(AuditEntry.id)
            )
        ).all()
    assert [a.details["assigned_to"] for a in audits] == [care1["jo"], care1["lee"]]


async def _checks(bot: MemoryBot) -> dict[str, tuple[bool, str]]:
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        checks = await project_checklist(session, project, bot.clock.now())
    return {c.criterion: (c.passed, c.detail) for c in checks}


async def test_a_plan_kept_on_time_for_twelve_weeks_meets_both_criteria(
    bot: MemoryBot, care1: dict[str, int]
) -> None:
    lee = Actor.lead(care1["lee"])
    await _assign_comment(bot, care1, JO, TUESDAY)
    async with transaction(bot.sessions) as session:
        await assign_question(
            session, lee, care1["question"], JO, due_on=TUESDAY, now=bot.clock.now()
        )
    bot.clock.advance(days=8, hours=12)  # Tuesday 1 December at 21:00: the last evening
    async with transaction(bot.sessions) as session:
        await respond_to_comment(
            session, lee, care1["comment"], ResponseStatus.ADOPTED, "We will", now=bot.clock.now()
        )
        await answer_question(session, lee, care1["question"], "The council.", now=bot.clock.now())
    assert (await _checks(bot))[NAMED] == (
        True,
        "2 comments and questions: 0 with no one named, 0 late, 0 overdue",
    )
    assert (await _checks(bot))[TWELVE_WEEKS] == (False, "1 week so far")
    bot.clock.advance(weeks=11)
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await close_project(session, project, review_on=date(2027, 6, 1), now=bot.clock.now())
    await bot.delivered()
    assert (await _checks(bot))[TWELVE_WEEKS] == (True, "12 weeks")


async def test_a_response_with_no_one_named_late_or_overdue_is_counted_in_the_detail(
    bot: MemoryBot, care1: dict[str, int]
) -> None:
    lee = Actor.lead(care1["lee"])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        # In Auckland, 12:00 UTC on Tuesday 1 December is 01:00 on Wednesday 2 December.
        project.time_zone = "Pacific/Auckland"
        second = await _comment(session, project.id, care1["ann"], "And short.", bot.clock.now())
        await assign_question(
            session, lee, care1["question"], JO, due_on=TUESDAY, now=bot.clock.now()
        )
        await assign_comment(session, lee, second.id, JO, due_on=TUESDAY, now=bot.clock.now())
    await bot.delivered()
    assert (await _checks(bot))[NAMED] == (
        False,
        "3 comments and questions: 1 with no one named, 0 late, 0 overdue",
    )
    bot.clock.advance(days=8, hours=3)  # 12:00 UTC on Tuesday 1 December
    async with transaction(bot.sessions) as session:
        await answer_question(session, lee, care1["question"], "The council.", now=bot.clock.now())
    await bot.delivered()
    assert (await _checks(bot))[NAMED] == (
        False,
        "3 comments and questions: 1 with no one named, 1 late, 1 overdue",
    )


async def test_the_record_and_the_database_agree_on_who_was_named_and_when(
    bot: MemoryBot, care1: dict[str, int]
) -> None:
    await _assign_comment(bot, care1, JO, TUESDAY)
    await bot.delivered()
    bot.clock.advance(days=10)
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        counted = await project_checklist(session, project, bot.clock.now())
        record = await project_record(session, project, now=bot.clock.now())
    assert record.checklist == counted
    assert {c.criterion: c.detail for c in counted}[NAMED] == (
        "2 comments and questions: 1 with no one named, 0 late, 1 overdue"
    )


def _member_said_something() -> None:
    """A comment of Sam's and his question to the leads, as the channels store them."""
    with sqlite3.connect("coproduce.db") as db:
        db.execute(
            "INSERT INTO comments (project_id, contributor_id, text, received_at, is_late, "
            "is_named) VALUES (1, 3, 'Visits are late', '2026-11-23 09:00:00.000000', 0, 0)"
        )
        db.execute(
            "INSERT INTO questions (project_id, direction, asked_by, text, asked_at) "
            "VALUES (1, 'to-leads', 3, 'Who pays?', '2026-11-23 09:00:00.000000')"
        )


@pytest.mark.usefixtures("project")
def test_the_command_line_names_a_lead_for_a_comment_and_a_question() -> None:
    _member_said_something()
    # The command line runs on the real clock.
    due = datetime.now(ZoneInfo("Europe/London")).date() + timedelta(days=7)
    day = format_day(due, "en")
    out = _ok("comment", "assign", "1", "2", "--by", due.isoformat(), "--as", "1")
    assert out == (
        f"Jo (contributor 2) is named for the response to comment 1 on CARE1, by {day}; "
        "they are being told.\n"
    )
    out = _ok("question", "assign", "1", "lee@council.example", "--by", due.isoformat())
    assert out == (
        f"Lee (contributor 1) is named for the written answer to question 1 on CARE1, by "
        f"{day}; they are being told.\n"
    )
    assert _rows("SELECT assigned_to, due_on FROM comments") == [(2, due.isoformat())]
    assert _rows("SELECT assigned_to, due_on FROM questions") == [(1, due.isoformat())]
    assert _rows("SELECT channel, body FROM outbox WHERE kind = 'response-assigned'") == [
        ("telegram", f"You are responsible for the response to comment 1 on CARE1, by {day}."),
        (
            "email",
            f"You are responsible for the written answer to question 1 on CARE1, by {day}.",
        ),
    ]
    assert _rows("SELECT count(*) FROM scheduled_jobs WHERE kind = 'response-due'") == [(4,)]
    actors = _rows("SELECT actor FROM audit_log WHERE action LIKE '%.assign' ORDER BY id")
    assert actors[0] == ("contributor:1",) and actors[1][0].startswith("cli")


@pytest.mark.parametrize(
    ("args", "refusal"),
    [
        (["comment", "assign", "1", "3"], "contributor 3 is not a lead of CARE1"),
        (["comment", "assign", "1", "2", "--as", "3"], "3 is not a lead of CARE1"),
        (["comment", "assign", "1", "2", "--by", "2020-01-01"], "is in the past"),
        (["comment", "assign", "1", "2", "--by", "next week"], "is not a date like YYYY-MM-DD"),
        (["question", "assign", "2", "1"], "was asked by the leads to the group"),
        (["comment", "assign", "9", "1"], "no comment 9"),
    ],
    ids=["not-a-lead", "acting-not-a-lead", "past", "not-a-date", "group-question", "no-such"],
)
@pytest.mark.usefixtures("project")
def test_the_command_line_refuses_an_assignment_in_one_line_and_stores_nothing(
    args: list[str], refusal: str
) -> None:
    _member_said_something()
    _ok("question", "ask", "CARE1", "Which evening suits you?")
    if "--by" not in args:
        args = [*args, "--by", (date.today() + timedelta(days=3)).isoformat()]
    result = coproduce(*args)
    assert result.exit_code == 1
    assert refusal in result.stderr and len(result.stderr.splitlines()) == 1
    assert _rows("SELECT count(*) FROM comments WHERE assigned_to IS NOT NULL") == [(0,)]
    assert _rows("SELECT count(*) FROM questions WHERE due_on IS NOT NULL") == [(0,)]
    assert _rows("SELECT count(*) FROM scheduled_jobs WHERE kind = 'response-due'") == [(0,)]


async def test_a_lead_names_who_responds_from_the_comment_page(bot: MemoryBot) -> None:
    await workspace_care1(bot)  # Lee Staff (1) and Jo Joint (2) lead CARE1; Ann is a member
    async with transaction(bot.sessions) as session:
        await open_window(session, Actor("test"), "CARE1", days=7, now=bot.clock.now())
    await bot.send_in(SMS, ANN_PHONE, "The buses are late.")
    await bot.delivered()
    path = "/lead/p/CARE1/comments/1"
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        shown = await ws.http.get(path)
        assert '<option value="2">Jo Joint</option>' in shown.text
        assert '<option value="1">Lee Staff</option>' in shown.text
        version = shown.text.split('name="version" value="', 1)[1].split('"', 1)[0]
        unchosen = await ws.post(path, {"action": "assign", "version": version, "due_on": ""})
        assert unchosen.status_code == 400 and "Choose the lead who responds" in unchosen.text
        form = {"action": "assign", "version": version, "named": "2"}
        past = await ws.post(path, {**form, "due_on": "2026-11-01"})
        assert past.status_code == 400 and "The date cannot be in the past" in past.text
        named = await ws.post(path, {**form, "due_on": "2026-12-01"})
        assert named.status_code == 303
        page = await ws.http.get(named.headers["location"])
        assert "The lead is named for the response, with the day it is due." in page.text
        assert "Jo Joint, by Tuesday 1 December 2026" in page.text
    _accessible({"refused": past.text, "named": page.text})
    assert await _heard(bot) == {JOINT_EMAIL: [_told(1, "Tuesday 1 December 2026")]}
    async with bot.sessions() as session:
        comment = await session.get(Comment, 1)
        assert (comment.assigned_to, comment.due_on) == (2, TUESDAY)


def _accessible(pages: dict[str, str]) -> None:
    """The pages pass axe and reflow at 320 pixels, with the workspace's stylesheet inlined."""
    if missing_tools():
        return  # the other workspace tests say how to install the check
    style = (ROOT / "bot" / "web" / "static" / "workspace.css").read_text()
    link = '<link rel="stylesheet" href="/lead/static/workspace.css">'
    inlined = {name: html.replace(link, f"<style>{style}</style>") for name, html in pages.items()}
    violations = {name: found for name, found in axe_violations(inlined).items() if found}
    assert violations == {}, describe(violations)
    for name, measured in layouts(inlined).items():
        assert measured["overflow"] == {"320": 0, "640": 0}, name
