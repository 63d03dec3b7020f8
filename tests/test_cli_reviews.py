"""``coproduce review start | panel | show``: a round of the review once the project is
closed, with our statements or the project's own from a file; its panel of the leads and one
to three peer leaders; the results as text and JSON; and what is refused, with nothing
stored."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from channels.base import ChannelName
from storage.db import create_engine, session_factory, transaction
from storage.memberships import join
from storage.models import Review
from storage.projects import find_project
from storage.reviews import record_rating
from tests.test_cli import _ok, coproduce
from tests.test_cli_leads import _rows

FUTURE = (datetime.now(UTC) + timedelta(days=90)).date()


def _run_on_the_database(work) -> None:  # type: ignore[no-untyped-def]
    async def _go() -> None:
        engine = create_engine("sqlite+aiosqlite:///./coproduce.db")
        try:
            async with transaction(session_factory(engine)) as session:
                await work(session)
        finally:
            await engine.dispose()

    asyncio.run(_go())


def members_join(*ids: int) -> None:
    """They reply JOIN, as a message would make them members."""

    async def _join(session) -> None:  # type: ignore[no-untyped-def]
        project = await find_project(session, "CARE1")
        for person in ids:
            await join(session, project, person, datetime.now(UTC), "test")

    _run_on_the_database(_join)


def rated(ratings: dict[int, list[int | None]], leads: set[int] = frozenset()) -> None:  # type: ignore[assignment]
    """Each person's ratings of the statements in order, as their replies would keep them."""

    async def _rate(session) -> None:  # type: ignore[no-untyped-def]
        review = await session.get(Review, 1)
        for person, given in ratings.items():
            for number, rating in enumerate(given, start=1):
                await record_rating(
                    session,
                    review,
                    contributor_id=person,
                    statement=number,
                    rating=rating,
                    as_lead=person in leads,
                    channel=ChannelName.SMS,
                    now=datetime.now(UTC),
                )

    _run_on_the_database(_rate)


@pytest.fixture
def closed_project() -> None:
    """CARE1, led by Lee (1, email) and Jo (2, Telegram); Sam (3, SMS), Kim (4), Ann (5) and
    Bo (6) joined; Max (7) is in no project. Closed, with a review date."""
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo", "--telegram", "7001")
    for name, phone in (("Sam", "101"), ("Kim", "102"), ("Ann", "103"), ("Bo", "104")):
        _ok("contributor", "add", name, "--phone", f"07700 900{phone}")
    _ok("contributor", "add", "Max", "--phone", "07700 900105")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1", "--joint-lead", "2")
    _ok("project", "add-members", "CARE1", "3", "4", "5", "6")
    members_join(3, 4, 5, 6)
    _ok("project", "close", "CARE1", "--review-on", str(FUTURE))


def test_a_review_waits_for_the_project_to_close() -> None:
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1")
    refused = coproduce("review", "start", "CARE1")
    assert refused.exit_code == 1
    assert "CARE1 is not closed: a review comes at completion" in refused.stderr
    assert _rows("SELECT count(*) FROM reviews") == [(0,)]


def test_a_round_goes_to_every_member_and_lead_with_our_statements(closed_project) -> None:
    out = _ok("review", "start", "CARE1", "--closes", f"{FUTURE} 18:00")
    assert out.startswith("The review of CARE1 (7 statements) is going to 6 people. It closes on ")
    assert _rows("SELECT count(*) FROM outbox WHERE kind = 'review-start'") == [(6,)]
    bodies = {body for (body,) in _rows("SELECT body FROM outbox WHERE kind = 'review-statement'")}
    assert bodies == {
        "Statement 1 of 7:\n"
        "Everyone who wanted to take part got the brief and the papers.\n"
        "How true is this for you? Reply with a number:\n"
        "1 Not at all\n2\n3\n4\n5 Completely\n"
        "SKIP to leave this one out"
    }
    assert _rows("SELECT count(*) FROM conversation_states WHERE state = 'review'") == [(6,)]


def test_a_project_may_rate_its_own_statements_from_a_file(closed_project) -> None:
    Path("ours.txt").write_text(
        "\ufeffWe met in places everyone could reach.\n\n  The leads   answered fast.  \n",
        encoding="utf-8",
    )
    _ok("review", "start", "CARE1", "--statements", "ours.txt")
    [(statements, own)] = _rows("SELECT statements, own_statements FROM reviews")
    assert json.loads(statements) == [
        "We met in places everyone could reach.",
        "The leads answered fast.",
    ]
    assert own == 1
    [(body,)] = _rows(
        "SELECT DISTINCT body FROM outbox WHERE kind = 'review-statement' AND channel = 'sms'"
    )
    assert body.startswith("Statement 1 of 2:\nWe met in places everyone could reach.\n")


@pytest.mark.parametrize(
    ("content", "refusal"),
    [
        ("\n\n", "the file has no statements"),
        ("".join(f"Statement number {n}.\n" for n in range(13)), "has 13 statements; a review"),
        ("Short.\n" + "a" * 161 + "\n", "line 2 is 161 characters long; keep each statement"),
        ("Good.\nGOOD.\n", "line 2 says the same as line 1"),
        (b"\xff\xfeW\x00e\x00", "the file is not UTF-8 text"),
    ],
    ids=["empty", "thirteen", "too-long", "twice", "not-utf-8"],
)
def test_statements_we_would_not_send_are_refused_and_nothing_is_stored(
    closed_project, content: str | bytes, refusal: str
) -> None:
    path = Path("ours.txt")
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    result = coproduce("review", "start", "CARE1", "--statements", "ours.txt")
    assert result.exit_code == 1
    assert refusal in result.stderr
    assert _rows("SELECT count(*) FROM reviews") == [(0,)]
    assert _rows("SELECT count(*) FROM outbox WHERE kind LIKE 'review%'") == [(0,)]


def test_the_panel_is_the_leads_and_one_to_three_peer_leaders(closed_project) -> None:
    refused = coproduce("review", "panel", "CARE1", "3")
    assert refused.exit_code == 1 and "CARE1 has no review yet; start one first" in refused.stderr
    _ok("review", "start", "CARE1")
    assert _ok("review", "panel", "CARE1", "3", "4").splitlines() == [
        "The review panel of CARE1: Lee (lead), Jo (lead), Sam (peer leader), Kim (peer leader).",
        "4 people were asked to sign it off.",
    ]
    [(body,)] = _rows(
        "SELECT DISTINCT body FROM outbox WHERE kind = 'review-panel' AND channel = 'sms'"
    )
    assert "reply REVIEW OK CARE1" in body
    too_many = coproduce("review", "panel", "CARE1", "3", "4", "5", "6")
    assert too_many.exit_code == 1
    assert "one to 3 peer leaders besides the leads; 4 were named" in too_many.stderr
    outsider = coproduce("review", "panel", "CARE1", "7")
    assert outsider.exit_code == 1
    assert "Max (contributor 7) is not a member of CARE1" in outsider.stderr
    only_leads = coproduce("review", "panel", "CARE1", "1")
    assert only_leads.exit_code == 1 and "name one to 3 peer leaders" in only_leads.stderr
    assert _rows("SELECT contributor_id FROM review_panel ORDER BY contributor_id") == [
        (1,), (2,), (3,), (4,),
    ]  # fmt: skip


def test_show_gives_each_statements_median_and_spread_as_text_and_json(closed_project) -> None:
    refused = coproduce("review", "show", "CARE1")
    assert refused.exit_code == 1 and "CARE1 has no review yet" in refused.stderr
    _ok("review", "start", "CARE1")
    rated({3: [2, None], 4: [4, 3], 1: [5]}, leads={1})
    _ok("review", "panel", "CARE1", "3")
    lines = _ok("review", "show", "CARE1").splitlines()
    assert lines[0].startswith("The ") and lines[0].endswith(": 3 people rated.")
    assert lines[1:5] == [
        "1. Everyone who wanted to take part got the brief and the papers.",
        "   3 ratings, 0 skips; median 4, spread 2–5, middle half 3–4.5; members 3, leads 5",
        "2. I could comment even if I missed a meeting.",
        "   1 rating, 1 skip; median 3, spread 3–3, middle half 3–3; members 3, leads none",
    ]
    assert "No one on the panel of 3 has signed it off yet." in lines
    assert "  - Sam (peer leader): not yet" in lines
    shown = json.loads(_ok("review", "show", "CARE1", "--json"))
    first = shown["statements"][0]
    assert (first["ratings"], first["median"], first["lowest"], first["highest"]) == (3, 4, 2, 5)
    assert shown["signed_off"] is False
    assert [seat["role"] for seat in shown["panel"]] == ["lead", "lead", "peer leader"]


def test_a_lead_of_another_project_cannot_start_or_see_the_review(closed_project) -> None:
    _ok("project", "create", "PARK2", "--title", "Parks", "--lead", "7", "--joint-lead", "3")
    for command in (["start", "CARE1"], ["show", "CARE1"], ["panel", "CARE1", "4"]):
        refused = coproduce("review", *command, "--by", "7")
        assert refused.exit_code == 1 and "is not a lead of CARE1" in refused.stderr
    assert _rows("SELECT count(*) FROM reviews") == [(0,)]
