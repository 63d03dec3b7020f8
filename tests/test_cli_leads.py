"""What leads do from the command line: briefs, meetings, windows, questions and comments.
Each command stores its change and queues the messages for the dispatcher to send."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from channels.gsm import count_segments
from tests.test_cli import _ok, coproduce


@pytest.fixture
def project() -> None:
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo", "--telegram", "7001")
    _ok("contributor", "add", "Sam", "--phone", "07700 900101")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1", "--joint-lead", "2")
    _ok("project", "add-members", "CARE1", "3")


def _rows(sql: str) -> list[tuple]:
    with sqlite3.connect("coproduce.db") as db:
        return db.execute(sql).fetchall()


def test_an_invited_member_is_told_how_to_join(project) -> None:
    [(body,)] = _rows("SELECT body FROM outbox WHERE kind = 'invitation'")
    assert body == "You are invited to take part in Home care (CARE1). Reply JOIN CARE1 to join."


def test_a_brief_is_published_to_every_member_with_a_short_form_for_sms(project) -> None:
    Path("brief.md").write_text("# Home care\n\nWe want fairer visits.\n\nMore detail here.\n")
    out = _ok(
        "brief",
        "publish",
        "CARE1",
        "--file",
        "brief.md",
        "--alt",
        "easy-read=https://example.org/easy.pdf",
    )
    assert out.strip() == "Published version 1 of the CARE1 brief; sending to 3."
    bodies = dict(_rows("SELECT channel, body FROM outbox WHERE kind = 'brief'"))
    assert "More detail here." in bodies["email"] and "Easy read: https://" in bodies["email"]
    assert bodies["sms"].startswith("CARE1 brief: We want fairer visits.")
    assert count_segments(bodies["sms"]).segments <= 2
    Path("brief.md").write_text("# Home care\n\nWe want fairer and longer visits.\n")
    _ok("brief", "publish", "CARE1", "--file", "brief.md", "--note", "Longer visits added")
    versions = json.loads(_ok("brief", "list", "CARE1", "--json"))
    assert [(v["version"], v["change_note"]) for v in versions] == [
        (1, None),
        (2, "Longer visits added"),
    ]


def test_an_alternative_format_needs_a_name_and_a_link(project) -> None:
    Path("brief.md").write_text("Text")
    result = coproduce("brief", "publish", "CARE1", "--file", "brief.md", "--alt", "easy-read")
    assert result.exit_code == 1
    assert "--alt wants a format and a link" in result.stderr
    assert _rows("SELECT count(*) FROM brief_versions") == [(0,)]


def test_a_meeting_invites_members_and_schedules_its_comment_window(project) -> None:
    out = _ok("meeting", "add", "CARE1", "--at", "2030-01-15 18:00", "--place", "The library")
    assert "on Tuesday 15 January 2030 at 18:00" in out
    invitations = _rows("SELECT body FROM outbox WHERE kind = 'meeting'")
    assert len(invitations) == 2  # Lee and Jo; Sam has not joined yet
    assert "Place: The library." in invitations[0][0]
    assert _rows("SELECT kind, due_at FROM scheduled_jobs") == [
        ("window-open", "2030-01-15 19:30:00.000000")
    ]


def test_a_meeting_time_that_is_not_a_time_is_refused(project) -> None:
    result = coproduce("meeting", "add", "CARE1", "--at", "next Tuesday")
    assert result.exit_code == 1
    assert "is not a date and time like YYYY-MM-DD HH:MM" in result.stderr
    assert _rows("SELECT count(*) FROM meetings") == [(0,)]


def test_a_window_is_opened_once_and_extended_only_with_a_reason(project) -> None:
    assert "Comments on CARE1 are open until" in _ok("window", "open", "CARE1", "--days", "7")
    again = coproduce("window", "open", "CARE1")
    assert again.exit_code == 1 and "already open" in again.stderr
    before = _rows("SELECT closes_at FROM comment_windows")
    refused = coproduce("window", "extend", "CARE1", "--until", "2031-01-01 12:00")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Error: an extension needs a reason; it is sent to every member"
    )
    assert _rows("SELECT closes_at FROM comment_windows") == before
    assert _rows("SELECT count(*) FROM window_extensions") == [(0,)]
    out = _ok(
        "window", "extend", "CARE1", "--until", "2031-01-01 12:00", "--reason", "More time asked"
    )
    assert "now close on Wednesday 1 January 2031 at 12:00" in out
    assert _rows("SELECT reason FROM window_extensions") == [("More time asked",)]
    notices = _rows("SELECT body FROM outbox WHERE kind = 'window-extended'")
    assert all("The reason: More time asked" in body for (body,) in notices)


def test_a_leads_question_goes_to_the_group_and_cannot_be_answered_as_if_asked(project) -> None:
    assert _ok("question", "ask", "CARE1", "Would evenings suit you?").strip() == (
        "Question 1 is going to 2 members."
    )
    refused = coproduce("question", "answer", "1", "Yes")
    assert refused.exit_code == 1 and "was asked by the leads" in refused.stderr
    [question] = json.loads(_ok("question", "list", "CARE1", "--json"))
    assert question["direction"] == "to-group" and question["answers"] == []
    assert _ok("question", "list", "CARE1", "--unanswered").strip() == (
        "Every question has an answer."
    )


def test_an_unknown_project_code_is_a_one_line_error(project) -> None:
    for args in (
        ("comment", "list", "NOPE"),
        ("question", "ask", "NOPE", "Hello?"),
        ("window", "open", "NOPE"),
    ):
        result = coproduce(*args)
        assert result.exit_code == 1
        assert result.stderr.strip() == "Error: no project NOPE"


def test_comments_are_listed_with_no_name_unless_the_author_chose_to_be_named(project) -> None:
    assert _ok("comment", "list", "CARE1").strip() == "No comments yet."
    assert json.loads(_ok("comment", "list", "CARE1", "--json")) == []


def test_the_outbox_list_shows_what_each_person_is_sent(project) -> None:
    [message] = json.loads(_ok("outbox", "list", "--json"))
    assert (message["channel"], message["to"], message["kind"], message["status"]) == (
        "sms",
        "+447700900101",
        "invitation",
        "queued",
    )
    assert "Reply JOIN CARE1 to join." in _ok("outbox", "list")
