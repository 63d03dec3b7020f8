"""Polls from the command line: created with choices, a scale or yes and no, the tally as
text and JSON while open, closed early with the result to everyone, and bad shapes refused
with nothing stored."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from flows.i18n import format_when
from tests.test_cli import _ok, coproduce
from tests.test_cli_leads import _rows, project  # noqa: F401 - the CLI's project fixture

LONDON = ZoneInfo("Europe/London")
# Every test starts with CARE1 (Lee and Jo lead it, Sam is invited) made on the command line.
pytestmark = pytest.mark.usefixtures("project")


def test_a_scale_poll_goes_to_every_member_with_its_labelled_ends() -> None:
    # The command line runs on the real clock: the close is ten days from today.
    closes = (datetime.now(LONDON) + timedelta(days=10)).replace(hour=18, minute=0)
    out = _ok(
        "poll", "create", "CARE1", "How good is home care?", "--scale", "1-5",
        "--labels", "Poor|Great", "--closes", f"{closes:%Y-%m-%d %H:%M}",
    )  # fmt: skip
    assert out == "Poll 1 is going to 2 members of CARE1.\n"
    [(body,)] = _rows("SELECT body FROM outbox WHERE kind = 'poll' AND channel = 'telegram'")
    assert body == (
        "A poll from the CARE1 leads (number 1):\n"
        "How good is home care?\n"
        "Reply with a number:\n"
        "1 Poor\n2\n3\n4\n5 Great\n"
        f"You can change your answer until {format_when(closes, 'en', 'Europe/London')}.\n"
        "Your answer is anonymous. Everyone will see only the totals."
    )


def test_the_tally_shows_as_text_and_json_while_open_and_close_sends_the_result() -> None:
    _ok("poll", "create", "CARE1", "Shall we meet online?", "--yes-no", "--named")
    assert _ok("poll", "results", "1").splitlines()[1:] == [
        "No one answered.",
        "  1 Yes: 0 (0%)",
        "  2 No: 0 (0%)",
    ]
    shown = json.loads(_ok("poll", "results", "1", "--json"))
    assert shown["question"] == "Shall we meet online?"
    assert shown["shape"] == "yes-no" and shown["named"] is True
    assert shown["closed_at"] is None and shown["total"] == 0
    assert [c["label"] for c in shown["choices"]] == ["1 Yes", "2 No"]
    assert _ok("poll", "close", "1") == "Poll 1 is closed. Its result is going to 2 members.\n"
    results = _rows("SELECT body FROM outbox WHERE kind = 'poll-result'")
    assert len(results) == 2
    assert results[0][0].startswith("The CARE1 poll (number 1) has closed.\n")
    again = coproduce("poll", "close", "1")
    assert again.exit_code == 1 and "poll 1 is already closed" in again.stderr
    assert json.loads(_ok("poll", "list", "CARE1", "--json"))[0]["closed_at"] is not None


@pytest.mark.parametrize(
    ("options", "refusal"),
    [
        (["--choices", "Only one"], "a poll needs from 2 to 7 choices; 1 were given"),
        (["--scale", "1-9"], "a scale goes from 1 to between 2 and 7"),
        (["--choices", "A|B", "--labels", "X|Y"], "--labels go with --scale"),
        (["--yes-no", "--closes", "2020-01-01 10:00"], "at least an hour"),
        (["--yes-no", "--closes", "tomorrow"], "is not a date and time like YYYY-MM-DD HH:MM"),
    ],
    ids=["one-choice", "nine-points", "labels-without-scale", "closes-in-the-past", "not-a-date"],
)
def test_a_poll_that_cannot_be_sent_is_refused_and_nothing_is_stored(
    options: list[str], refusal: str
) -> None:
    result = coproduce("poll", "create", "CARE1", "Which?", *options)
    assert result.exit_code == 1
    assert refusal in result.stderr
    assert _rows("SELECT count(*) FROM polls") == [(0,)]
    assert _rows("SELECT count(*) FROM outbox WHERE kind = 'poll'") == [(0,)]


def test_a_lead_of_another_project_cannot_see_a_poll() -> None:
    _ok("poll", "create", "CARE1", "Which?", "--choices", "A|B")
    _ok("contributor", "add", "Max", "--phone", "07700 900102")
    _ok("project", "create", "PARK2", "--title", "Parks", "--lead", "4", "--joint-lead", "3")
    refused = coproduce("poll", "results", "1", "--by", "4")
    assert refused.exit_code == 1 and "is not a lead of CARE1" in refused.stderr
