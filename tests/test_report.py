"""The project record: a project run by the rules gets a checklist that is met (but for who
is named for each response and twelve weeks of involvement, which this short run does not
try), one that cuts corners gets each missed criterion named, and every format says the same
thing."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from channels.base import ChannelName
from flows.briefs import publish_brief
from flows.checklist_facts import project_checklist
from flows.closing import close_project
from flows.questions import answer_question
from flows.record import project_record
from flows.record_render import render
from flows.responses import respond_to_comment
from flows.windows import add_project_meeting, extend_comment_window
from storage.db import transaction
from storage.memberships import join
from storage.models import Comment, LeadKind, Question, ResponseStatus, Sharing
from storage.projects import create_project, find_project
from tests.axe_kit import axe_violations, describe, layouts
from tests.helpers import add_person
from tests.test_cli import _ok, coproduce

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM
BRIEF = "# Home care\n\nWe want visits to be on time. Tell us what would help."


async def run_project(bot, *, two_leads: bool, respond: bool, review: bool) -> None:  # type: ignore[no-untyped-def]
    """CARE1 from brief to answers; the arguments decide which corners are cut."""
    now = bot.clock.now
    lee = await add_person(bot.sessions, "Lee Staff", email="lee@council.example")
    jo = await add_person(bot.sessions, "Jo Peer", telegram="7001")
    ann = await add_person(bot.sessions, "Ann", phone="+447700900001")
    bea = await add_person(bot.sessions, "Bea", telegram="5002")
    leads = [(lee, LeadKind.STAFF)] + ([(jo, LeadKind.CONTRIBUTOR)] if two_leads else [])
    async with transaction(bot.sessions) as session:
        project = await create_project(
            session, code="CARE1", title="Home care", leads=leads, now=now(), sharing=Sharing.OPEN
        )
        for person in (ann, bea, *([] if two_leads else [jo])):
            await join(session, project, person.id, now(), "test")
        await publish_brief(
            session, project, text=BRIEF, summary=None, note="First", alt_formats={}, now=now()
        )
        await add_project_meeting(
            session,
            project,
            starts_at=now() + timedelta(days=1),
            minutes=60,
            place="Millbrook Library",
            window_days=7,
            now=now(),
        )
    await bot.delivered()
    bot.clock.advance(days=1, hours=2)
    await bot.services.scheduler.run_due()
    await bot.send_in(SMS, "+447700900001", "The visits are often late.")
    await bot.send_in(TELEGRAM, "5002", "NAME ME")
    await bot.send_in(SMS, "+447700900001", "QUESTION Who pays for taxis?")
    await bot.delivered()
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        window_closes = now() + timedelta(days=10)
        await extend_comment_window(
            session, project, until=window_closes, reason="Half term", now=now()
        )
        question = await session.scalar(select(Question))
        await answer_question(session, question, "The council pays.", now=now())
        if respond:
            for comment in (await session.scalars(select(Comment))).all():
                await respond_to_comment(
                    session,
                    comment,
                    ResponseStatus.ADOPTED,
                    "We will text when a visit is late.",
                    now=now(),
                    responded_by=lee.id,
                )
    await bot.delivered()
    if review:
        bot.clock.advance(days=11)
        await bot.services.scheduler.run_due()
        async with transaction(bot.sessions) as session:
            project = await find_project(session, "CARE1")
            await close_project(session, project, review_on=date(2027, 6, 1), now=now())
    await bot.delivered()


async def record_of(bot, *, for_leads: bool = False):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        return await project_record(session, project, for_leads=for_leads, now=bot.clock.now())


async def test_a_project_run_by_the_rules_meets_every_criterion(bot) -> None:
    await run_project(bot, two_leads=True, respond=True, review=True)
    record = await record_of(bot)
    assert [(c.criterion, c.passed) for c in record.checklist] == [
        ("Two leads, one of them a contributor", True),
        ("The brief reached every member", True),
        ("At least 7 days for comments after every meeting", True),
        ("Every extension has a reason", True),
        ("Every comment has a response", True),
        ("Every question answered in writing and sent to everyone", True),
        ("A review date is set", True),
        # This run names no one for its responses and lasts two weeks, not twelve (both are
        # met in tests/test_responsibility.py).
        ("Every response has a named person and was on time", False),
        ("At least 12 weeks from the first invitation to the close", False),
    ]
    assert (record.status, record.review_on) == ("closed", "Tuesday 1 June 2027")
    assert "Closed on " in render(record, "md") and "review on Tuesday 1 June 2027" in render(
        record, "md"
    )
    [comment] = record.comments
    assert (comment.author, comment.channel, comment.late) == ("A member", SMS, False)
    assert comment.response == ResponseStatus.ADOPTED
    [question] = record.questions
    assert question.answer == "The council pays." and question.broadcast_at is not None
    assert [e.reason for w in record.windows for e in w.extensions] == ["Half term"]
    reach = {r.channel: r for r in record.reach}
    assert reach[SMS].sent > 0 and reach[SMS].failed == 0 and reach[SMS].waiting == 0


async def test_a_project_that_cuts_corners_has_each_missed_criterion_named(bot) -> None:
    await run_project(bot, two_leads=False, respond=False, review=False)
    checks = {c.criterion: c for c in (await record_of(bot)).checklist}
    assert not checks["Two leads, one of them a contributor"].passed
    assert (
        checks["Two leads, one of them a contributor"].detail == "1 lead, 0 contributors among them"
    )
    assert not checks["Every comment has a response"].passed
    assert checks["Every comment has a response"].detail == "1 comment, 1 waiting or under review"
    assert not checks["A review date is set"].passed
    assert checks["The brief reached every member"].passed
    assert checks["Every response has a named person and was on time"].detail == (
        "2 comments and questions: 2 with no one named, 0 late, 0 overdue"
    )
    assert checks["At least 12 weeks from the first invitation to the close"].detail == (
        "0 weeks so far"
    )


async def test_the_page_is_accessible_and_says_met_or_not_in_words(bot) -> None:
    await run_project(bot, two_leads=False, respond=True, review=True)
    record = await record_of(bot)
    page = render(record, "html")
    assert '<html lang="en"' in page and "<h1>Project record: Home care (CARE1)</h1>" in page
    assert '<th scope="col" role="columnheader">Criterion</th>' in page
    assert ">Not met</td>" in page and ">Met</td>" in page
    assert "Half term" in page and "The visits are often late." in page
    violations = {name: found for name, found in axe_violations({"record": page}).items() if found}
    assert violations == {}, describe(violations)


async def test_the_page_reflows_at_320_pixels_and_200_percent_and_starts_with_a_skip_link(
    bot,
) -> None:
    await run_project(bot, two_leads=True, respond=True, review=True)
    pages = {
        "public": render(await record_of(bot), "html"),
        "leads": render(await record_of(bot, for_leads=True), "html"),
    }
    for name, found in layouts(pages).items():
        assert found["overflow"] == {"320": 0, "640": 0}, name
        assert found["first_tab"] == "Skip to the record", name
    violations = {name: found for name, found in axe_violations(pages).items() if found}
    assert violations == {}, describe(violations)


async def test_csv_has_one_row_per_contribution_and_json_everything(bot) -> None:
    await run_project(bot, two_leads=True, respond=True, review=True)
    record = await record_of(bot)
    rows = list(csv.DictReader(io.StringIO(render(record, "csv"))))
    assert [(row["kind"], row["text"]) for row in rows] == [
        ("comment", "The visits are often late."),
        ("question", "Who pays for taxis?"),
    ]
    assert rows[0]["response"] == "adopted" and rows[1]["answer"] == "The council pays."
    data = json.loads(render(record, "json"))
    assert data["code"] == "CARE1" and "details" not in data
    assert [c["passed"] for c in data["checklist"]] == [True] * 7 + [False, False]
    markdown = render(record, "md")
    assert markdown.startswith("# Project record: Home care (CARE1)")
    assert "| Every comment has a response | Met |" in markdown


async def test_only_the_leads_version_says_who_declared_and_who_left(bot) -> None:
    await run_project(bot, two_leads=True, respond=True, review=True)
    await bot.send_in(SMS, "+447700900001", "DECLARE I am a paid carer")
    await bot.send_in(TELEGRAM, "5002", "LEAVE CARE1 Moving away")
    await bot.delivered()
    public = await record_of(bot)
    leads = await record_of(bot, for_leads=True)
    assert (public.declarations, public.left) == (1, 1)
    assert public.details == () and "paid carer" not in render(public, "html")
    assert [(d.name, d.what) for d in leads.details] == [
        ("Ann", "declared: I am a paid carer"),
        ("Bea", "left the project: Moving away"),
    ]
    assert "paid carer" in render(leads, "csv")


def test_the_report_command_writes_the_record_where_asked(tmp_path) -> None:
    _ok("contributor", "add", "Lee Staff", "--email", "lee@council.example")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1")
    out = _ok("report", "CARE1", "--format", "html", "--output", str(tmp_path / "r.html"))
    assert out == f"The html record of CARE1 is in {tmp_path / 'r.html'}.\n"
    assert "<h1>Project record: Home care (CARE1)</h1>" in (tmp_path / "r.html").read_text()
    data = json.loads(_ok("report", "care1", "--format", "json", "--for", "leads"))
    assert data["for_leads"] is True and data["leads"] == [{"name": "Lee Staff", "kind": "staff"}]
    refused = coproduce("report", "CARE1", "--format", "pdf")
    assert refused.exit_code == 1 and "'pdf' is not a format" in refused.output
    assert coproduce("report", "NOPE1").exit_code == 1


@pytest.mark.parametrize(
    ("two_leads", "respond", "review"),
    [(True, True, True), (False, False, False), (True, False, True)],
    ids=["by the rules", "cutting corners", "no responses"],
)
async def test_the_workspace_checklist_counted_in_the_database_matches_the_record(
    bot, two_leads: bool, respond: bool, review: bool
) -> None:
    await run_project(bot, two_leads=two_leads, respond=respond, review=review)
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        counted = await project_checklist(session, project, bot.clock.now())
    assert counted == (await record_of(bot)).checklist
