"""Checking before sharing from the command line: the list of what waits, approve, redact
and hide, a project's sharing mode, and the record that shows only what was shared."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from datetime import UTC, datetime

import pytest

from channels.base import ChannelName
from tests.bot_fixture import memory_bot
from tests.helpers import ManualClock
from tests.test_cli import _ok, coproduce

SAM = "+447700900101"
SAID = "Susan Jones from BrightCare shouted at my dad at 14 Elm Road."
SHARED = "A carer shouted at my dad."


def _rows(sql: str) -> list[tuple]:
    with sqlite3.connect("coproduce.db") as db:
        return db.execute(sql).fetchall()


def sam_sends(*texts: str) -> None:
    """Sam's messages arrive through the real inbound flow, on the CLI's own database."""

    async def _send() -> None:
        clock = ManualClock(datetime.now(UTC))
        async with memory_bot("sqlite+aiosqlite:///coproduce.db", clock) as bot:
            for text in texts:
                await bot.send_in(ChannelName.SMS, SAM, text)
                await bot.delivered()

    asyncio.run(_send())


@pytest.fixture
def waiting_comment() -> int:
    _ok("contributor", "add", "Lee Staff", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo Parry", "--telegram", "7001")
    _ok("contributor", "add", "Sam Hill", "--phone", "07700 900101")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1", "--joint-lead", "2")
    _ok("project", "add-members", "CARE1", "3")
    _ok("window", "open", "CARE1")
    sam_sends("JOIN CARE1", "NONE", SAID)
    [(number,)] = _rows("SELECT id FROM comments")
    return number


def test_a_new_project_checks_before_sharing_and_can_be_opened(waiting_comment) -> None:
    [project] = json.loads(_ok("project", "list", "--json"))
    assert project["sharing"] == "checked"
    result = coproduce("project", "update", "CARE1", "--sharing", "open")
    assert result.exit_code == 0
    assert result.stdout.startswith("CARE1 now shares open")
    assert "still waiting for a check, as before: 1" in result.stderr
    [project] = json.loads(_ok("project", "list", "--json"))
    assert project["sharing"] == "open"
    assert "project.sharing" in _ok("audit", "CARE1")
    bad = coproduce("project", "update", "CARE1", "--sharing", "sometimes")
    assert bad.exit_code != 0
    [project] = json.loads(_ok("project", "list", "--json"))
    assert project["sharing"] == "open"


def test_the_waiting_list_shows_the_comment_its_flags_and_who_sent_it(waiting_comment) -> None:
    out = _ok("comment", "list", "CARE1", "--waiting")
    assert f"comment {waiting_comment} from Sam Hill" in out
    assert SAID in out
    [row] = json.loads(_ok("comment", "list", "CARE1", "--waiting", "--json"))
    assert row["id"] == waiting_comment and row["text"] == SAID
    assert "address" in row["flags"]


def test_a_redaction_is_shared_the_author_is_told_and_the_record_shows_only_it(
    waiting_comment,
) -> None:
    n = waiting_comment
    out = _ok("comment", "redact", str(n), "--text", SHARED)
    assert f"Comment {n} on CARE1 is shared as you wrote it" in out
    [(body,)] = _rows("SELECT body FROM outbox WHERE kind = 'check-redacted' AND channel = 'sms'")
    assert SHARED in body and f"WITHDRAW {n}" in body
    assert _ok("comment", "list", "CARE1", "--waiting").strip() == "Nothing is waiting for a check."
    public = _ok("report", "CARE1")
    assert SHARED in public
    assert "Susan Jones" not in public and "Elm Road" not in public
    for fmt in ("html", "csv", "json"):
        text = _ok("report", "CARE1", "--format", fmt)
        assert "Susan Jones" not in text, fmt
    leads = _ok("report", "CARE1", "--for", "leads")
    assert SHARED in leads and SAID in leads
    audit = _ok("audit", "CARE1")
    assert "comment.redact" in audit and "cli" in audit
    # Approving after the redaction says what already happened.
    again = _ok("comment", "approve", str(n))
    assert f"Comment {n} on CARE1 was already shared on" in again
    assert "Nothing changed." in again


def test_a_hidden_comment_never_reaches_the_record_and_the_author_hears_why(
    waiting_comment,
) -> None:
    n = waiting_comment
    out = _ok("comment", "hide", str(n), "--reason", "it names a member of staff")
    assert f"Comment {n} on CARE1 will not be shared; its author is being told." in out
    [(body,)] = _rows("SELECT body FROM outbox WHERE kind = 'check-hidden' AND channel = 'sms'")
    assert "it names a member of staff" in body
    assert "Susan" not in _ok("report", "CARE1")
    again = _ok("comment", "hide", str(n), "--reason", "again")
    assert "was already hidden" in again


def test_bad_checks_are_refused_and_change_nothing(waiting_comment) -> None:
    before = _rows("SELECT id, check_state, shared_text FROM comments")
    for args, said in [
        (("comment", "approve", "999"), "no comment 999"),
        (("comment", "hide", str(waiting_comment), "--reason", "  "), "say why"),
        (("comment", "redact", str(waiting_comment), "--text", " "), "needs some words"),
        (("comment", "approve", str(waiting_comment), "--by", "3"), "lead"),
        (("question", "approve", str(waiting_comment)), "no question"),
    ]:
        result = coproduce(*args)
        assert result.exit_code == 1, args
        assert said in result.stderr, (args, result.stderr)
    assert _rows("SELECT id, check_state, shared_text FROM comments") == before


def test_comment_lists_write_the_time_out_and_json_carries_iso_8601(waiting_comment) -> None:
    with sqlite3.connect("coproduce.db") as db:
        db.execute("UPDATE comments SET received_at = '2026-12-07 05:18:30.123456'")
    for args in (("comment", "list", "CARE1"), ("comment", "list", "CARE1", "--waiting")):
        assert re.search(r", Mon 7 Dec (2026 )?05:18 ", _ok(*args)), args
        [row] = json.loads(_ok(*args, "--json"))
        assert row["received_at"] == "2026-12-07T05:18:30+00:00", args
