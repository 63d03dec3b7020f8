"""``coproduce outbox status`` and ``outbox failed``: what a lead sees when messages do not
get through."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tests.test_cli import _ok, coproduce


@pytest.fixture
def project() -> None:
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo", "--telegram", "7001")
    _ok("contributor", "add", "Sam", "--phone", "07700 900101")
    _ok("contributor", "add", "Ria", "--phone", "07700 900102")
    _ok("contributor", "add", "Max", "--email", "max@example.net")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1", "--joint-lead", "4")
    _ok("project", "add-members", "CARE1", "2", "3", "5")
    _ok("project", "create", "PARK", "--title", "Parks", "--lead", "1", "--joint-lead", "4")
    _ok("project", "add-members", "PARK", "3", "5")
    # What the dispatcher would have recorded: Sam's number is not a mobile, Jo's answer
    # was lost, the rest went.
    with sqlite3.connect("coproduce.db") as db:
        db.execute("UPDATE outbox SET status = 'sent'")
        db.execute(
            "UPDATE outbox SET status = 'failed', last_error = 'Twilio 21614: not a mobile number'"
            " WHERE contributor_id = 3"
        )
        db.execute(
            "UPDATE outbox SET status = 'unknown', last_error = 'Telegram did not answer in time;"
            " it may have arrived, so it is not sent again' WHERE contributor_id = 2"
            " AND project_id = (SELECT id FROM projects WHERE code = 'CARE1')"
        )


def test_outbox_status_counts_each_status_per_channel_for_a_project(project) -> None:
    counts = json.loads(_ok("outbox", "status", "CARE1", "--json"))
    assert counts == {"email": {"sent": 1}, "sms": {"failed": 1}, "telegram": {"unknown": 1}}
    table = _ok("outbox", "status", "care1").splitlines()
    assert table[0] == "Messages for CARE1, by channel:"
    assert table[1].split() == ["status", "email", "sms", "telegram"]
    assert [line.split() for line in table[2:5]] == [
        ["unknown", "0", "0", "1"],
        ["sent", "1", "0", "0"],
        ["failed", "0", "1", "0"],
    ]
    assert table[5:] == ["", "Why messages failed:", "       1  Twilio 21614: not a mobile number"]


def test_outbox_status_without_a_code_counts_every_project(project) -> None:
    counts = json.loads(_ok("outbox", "status", "--json"))
    assert counts == {"email": {"sent": 2}, "sms": {"failed": 2}, "telegram": {"unknown": 1}}


def test_outbox_failed_lists_who_did_not_get_what_and_why(project) -> None:
    lines = _ok("outbox", "failed", "CARE1").splitlines()
    assert len(lines) == 4
    failed = lines.index(next(line for line in lines if " failed sms " in line))
    assert "to Sam (+447700900101), invitation" in lines[failed]
    assert lines[failed + 1].strip() == "Twilio 21614: not a mobile number"
    unknown = lines.index(next(line for line in lines if " unknown telegram " in line))
    assert "to Jo (7001)" in lines[unknown]
    assert "not sent again" in lines[unknown + 1]
    listed = json.loads(_ok("outbox", "failed", "--json"))
    assert sorted(f["name"] for f in listed) == ["Jo", "Sam", "Sam"]


def test_outbox_failed_says_so_when_nothing_failed() -> None:
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    assert _ok("outbox", "failed").strip() == "No message has failed."
    assert _ok("outbox", "status").strip() == "No messages yet."


def test_outbox_status_for_an_unknown_project_says_so(project) -> None:
    result = coproduce("outbox", "status", "NOPE")
    assert result.exit_code == 1
    assert "NOPE" in result.output


def _listed(*args: str) -> list[tuple[str, str]]:
    return [(m["to"], m["status"]) for m in json.loads(_ok("outbox", "list", *args, "--json"))]


def test_outbox_list_finds_messages_by_project_recipient_and_status(project) -> None:
    sam, max_ = "+447700900101", "max@example.net"
    assert sorted(_listed("--project", "park")) == [(sam, "failed"), (max_, "sent")]
    assert _listed("--to", "07700 900101") == [(sam, "failed"), (sam, "failed")]
    assert _listed("--to", "Max@Example.NET") == _listed("--to", "5") == [(max_, "sent")] * 2
    assert _listed("--status", "failed", "--project", "CARE1") == [(sam, "failed")]
    assert _ok("outbox", "list", "--project", "PARK", "--status", "queued").strip() == (
        "No message matches."
    )
    refused = coproduce("outbox", "list", "--status", "lost")
    assert refused.exit_code == 1
    assert refused.stderr.strip().startswith("Error: --status must be one of queued, sending,")


def test_outbox_lists_write_times_out_in_the_projects_zone_and_json_in_iso_8601(project) -> None:
    with sqlite3.connect("coproduce.db") as db:
        db.execute("UPDATE projects SET time_zone = 'America/New_York' WHERE code = 'PARK'")
        db.execute("UPDATE outbox SET created_at = '2026-12-07 05:18:30.123456'")
        db.execute("UPDATE outbox SET sent_at = '2026-12-07 05:19:00.5' WHERE status = 'sent'")
    lines = _ok("outbox", "list", "--to", "5").splitlines()
    headers = [line for line in lines if line.startswith("---")]
    # Max's CARE1 message in London time, his PARK one in New York's.
    assert re.search(r"queued Mon 7 Dec (2026 )?05:18, sent Mon 7 Dec (2026 )?05:19$", headers[0])
    assert re.search(r"queued Mon 7 Dec (2026 )?00:18, sent Mon 7 Dec (2026 )?00:19$", headers[1])
    [message, _] = json.loads(_ok("outbox", "list", "--to", "5", "--json"))
    assert (message["queued_at"], message["sent_at"]) == (
        "2026-12-07T05:18:30+00:00",
        "2026-12-07T05:19:00+00:00",
    )
    failed = _ok("outbox", "failed", "CARE1").splitlines()
    assert re.search(r", invitation, queued Mon 7 Dec (2026 )?05:18$", failed[0])
    assert {f["queued_at"] for f in json.loads(_ok("outbox", "failed", "--json"))} == {
        "2026-12-07T05:18:30+00:00"
    }


def test_a_failed_message_shows_its_reason_in_the_list(project) -> None:
    listed = _ok("outbox", "list", "--status", "failed", "--project", "CARE1").splitlines()
    assert listed[1] == "Reason: Twilio 21614: not a mobile number"
