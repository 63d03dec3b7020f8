"""The workspace's actions on the command line too: a sign-in link for a lead, the inbox and
a reply to one member, and adding someone new straight into a project."""

from __future__ import annotations

import sqlite3

import pytest

from tests.test_cli import _ok, coproduce


@pytest.fixture
def project() -> None:
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo", "--email", "jo@example.org")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1", "--joint-lead", "2")


def _rows(sql: str) -> list[tuple]:
    with sqlite3.connect("coproduce.db") as db:
        return db.execute(sql).fetchall()


def test_the_operator_prints_a_sign_in_link_for_a_lead_and_for_no_one_else(project) -> None:
    link = _ok("lead", "link", "lee@council.example").strip()
    assert link.startswith("http://127.0.0.1:8080/lead/sign-in/") and len(link) > 60
    [(hashed,)] = _rows("SELECT token_hash FROM sign_in_links")
    assert link.rsplit("/", 1)[1] not in hashed, "only a hash of the token is stored"
    _ok("contributor", "add", "Ann", "--phone", "07700 900123")
    refused = coproduce("lead", "link", "3")
    assert refused.exit_code == 1 and "leads no project" in refused.output


def test_a_lead_adds_someone_new_to_a_project_in_one_step(project) -> None:
    out = _ok(
        "contributor", "add", "Ann", "--phone", "07700 900123", "--project", "CARE1", "--by", "2"
    )
    assert "and invited them to CARE1" in out
    assert _rows("SELECT kind FROM outbox WHERE contributor_id = 3") == [("invitation",)]
    assert _rows("SELECT actor FROM audit_log WHERE action = 'contributor.add'") == [
        ("contributor:2",)
    ]


def test_the_inbox_lists_what_members_sent_and_a_reply_goes_to_the_sender(project) -> None:
    assert "Nothing has been received yet." in _ok("inbox", "list", "CARE1")
    refused = coproduce("inbox", "reply", "CARE1", "1", "Hello")
    assert refused.exit_code == 1 and "no message 1" in refused.output
