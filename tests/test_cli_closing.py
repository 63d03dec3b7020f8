"""``coproduce project close | reopen`` and ``coproduce audit`` from the command line: who
did each lead action and when, and refusals that change nothing."""

from __future__ import annotations

import asyncio
import getpass
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from channels.base import ChannelName
from storage.db import create_engine, session_factory, transaction
from storage.models import QuestionDirection
from storage.questions import add_question
from tests.test_cli import _ok, coproduce
from tests.test_cli_leads import _rows

FUTURE = (datetime.now(UTC) + timedelta(days=90)).date()


@pytest.fixture
def project() -> None:
    """CARE1, led by Lee (1, email) and Jo (2, Telegram), with Sam (3, SMS) invited."""
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo", "--telegram", "7001")
    _ok("contributor", "add", "Sam", "--phone", "07700 900101")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1", "--joint-lead", "2")
    _ok("project", "add-members", "CARE1", "3")


def sam_asks_the_leads(text: str) -> int:
    """A question from Sam (contributor 3), as a message to the leads would store it."""

    async def _ask() -> int:
        engine = create_engine("sqlite+aiosqlite:///./coproduce.db")
        try:
            async with transaction(session_factory(engine)) as session:
                question = await add_question(
                    session,
                    project_id=1,
                    direction=QuestionDirection.TO_LEADS,
                    asked_by=3,
                    text=text,
                    channel=ChannelName.SMS,
                    now=datetime.now(UTC),
                )
                return question.id
        finally:
            await engine.dispose()

    return asyncio.run(_ask())


def test_the_audit_shows_each_lead_action_with_who_and_when_in_order(project) -> None:
    Path("brief.md").write_text("# Home care\n\nWe want fairer visits.\n")
    _ok("brief", "publish", "CARE1", "--file", "brief.md", "--by", "lee@council.example")
    _ok("window", "open", "CARE1", "--by", "2")
    _ok("window", "extend", "CARE1", "--until", "2099-01-01 12:00", "--reason", "More time")
    number = sam_asks_the_leads("Who pays for the taxis?")
    _ok("question", "approve", str(number), "--by", "1")
    _ok("question", "answer", str(number), "The council pays.", "--by", "1")
    # Comments must have closed before the project can close.
    refused = coproduce("project", "close", "CARE1", "--review-on", str(FUTURE))
    assert refused.exit_code == 1 and "comments on CARE1 are open until" in refused.stderr
    with_no_window = "UPDATE comment_windows SET closes_at = '2000-01-01 00:00:00.000000'"
    _rows(with_no_window)
    out = _ok("project", "close", "CARE1", "--review-on", str(FUTURE), "--by", "2")
    assert out.startswith("Closed CARE1; thanking 2 members. The leads will be reminded on ")
    assert _ok("project", "reopen", "CARE1", "--reason", "A complaint came in").strip() == (
        "Reopened CARE1; telling 2 people why."
    )

    entries = json.loads(_ok("audit", "CARE1", "--json"))
    me = f"cli:{getpass.getuser()}"
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("project.create", me),
        ("project.add_members", me),
        ("brief.publish", "contributor:1"),
        ("window.open", "contributor:2"),
        ("window.extend", me),
        ("question.approve", "contributor:1"),
        ("question.answer", "contributor:1"),
        ("project.close", "contributor:2"),
        ("project.reopen", me),
    ]
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)
    assert entries[-2]["details"]["review_on"] == str(FUTURE)
    assert entries[-1]["details"]["reason"] == "A complaint came in"
    assert _rows("SELECT published_by FROM brief_versions") == [(1,)]
    assert _rows("SELECT answered_by FROM answers") == [(1,)]

    table = _ok("audit", "CARE1").splitlines()
    assert table[0].split() == ["When", "(Europe/London)", "Who", "Action", "Details"]
    assert "contributor:2 (Jo)" in table[-2] and "project.close" in table[-2]
    # Times as every CLI list writes them, "Mon 7 Dec 05:18"; ISO 8601 to the second in JSON.
    assert re.match(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2} \d\d:\d\d  ", table[-1])
    assert table[-1].split()[4:7] == [me, "project.reopen", "reason=A"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", entries[-1]["at"])


def test_closing_tells_the_members_and_schedules_the_reminder(project) -> None:
    _ok("project", "close", "CARE1", "--review-on", "2099-03-02")
    bodies = _rows("SELECT body FROM outbox WHERE kind = 'project-closed'")
    assert len(bodies) == 2  # Lee and Jo; Sam was only invited
    closing_words = "We will look back at it on Monday 2 March 2099 and tell you what changed."
    assert closing_words in bodies[0][0]
    assert _rows("SELECT kind, due_at FROM scheduled_jobs") == [
        ("project-review", "2099-03-02 09:00:00.000000")
    ]
    assert _rows("SELECT status, review_on FROM projects") == [("closed", "2099-03-02")]


def test_refused_closes_and_reopens_change_nothing(project) -> None:
    before = _rows("SELECT * FROM audit_log")
    for args, reason in (
        (("--review-on", "2020-01-01"), "Error: the review date must be in the future, after "),
        (("--review-on", "next week"), "Error: 'next week' is not a date like YYYY-MM-DD"),
        (("--review-on", str(FUTURE), "--by", "3"), "Error: 3 is not a lead of CARE1"),
    ):
        result = coproduce("project", "close", "CARE1", *args)
        assert result.exit_code == 1 and result.stderr.startswith(reason), result.stderr
    unknown = coproduce("project", "close", "NOPE", "--review-on", str(FUTURE))
    assert unknown.exit_code == 1 and unknown.stderr.strip() == "Error: no project NOPE"
    not_closed = coproduce("project", "reopen", "CARE1", "--reason", "Why not")
    assert not_closed.stderr.strip() == "Error: CARE1 is not closed, so there is nothing to reopen"
    assert _rows("SELECT * FROM audit_log") == before
    assert _rows("SELECT status, closed_at, review_on FROM projects") == [("active", None, None)]

    _ok("project", "close", "CARE1", "--review-on", str(FUTURE))
    closed = _rows("SELECT * FROM projects")
    twice = coproduce("project", "close", "CARE1", "--review-on", "2099-12-31")
    assert twice.exit_code == 1
    assert twice.stderr.strip() == (
        f"Error: CARE1 is already closed, with its review on {FUTURE}; reopen it first to "
        "close it again"
    )
    no_reason = coproduce("project", "reopen", "CARE1")
    assert no_reason.stderr.strip() == "Error: reopening needs a reason; it is sent to every member"
    assert _rows("SELECT * FROM projects") == closed
    assert _rows("SELECT count(*) FROM scheduled_jobs") == [(1,)]


def test_the_audit_of_an_unknown_project_is_a_one_line_error(project) -> None:
    for args in (("audit", "NOPE"), ("audit", "NOPE", "--json")):
        result = coproduce(*args)
        assert result.exit_code == 1 and result.stderr.strip() == "Error: no project NOPE"
