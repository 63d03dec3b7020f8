"""Polls in the project record: each poll's result in words, as a bar chart with a data
table in the HTML page (accessible in Chromium, no sideways scroll at 320 pixels), as a table
in Markdown, as rows in CSV and in full in JSON; who chose what only in the leads' version of
a named poll."""

from __future__ import annotations

import csv
import io
import json

from flows import lead_polls
from flows.poll_choices import shape_of
from flows.record import project_record
from flows.record_render import render
from storage.db import transaction
from storage.projects import find_project
from tests.axe_kit import axe_violations, describe, layouts
from tests.test_lead_words import ANN, BEA, LEAD, care1
from tests.test_polls import OPERATOR, polled


async def voted_and_closed(bot, **options):  # type: ignore[no-untyped-def]
    """The CARE1 poll answered 1, 1 and 2, then closed."""
    number, *_ = await polled(bot, **options)
    for channel, address, reply in (
        ("sms", ANN, "1"),
        ("telegram", BEA, "1"),
        ("telegram", LEAD, "2"),
    ):
        await bot.send_in(channel, address, reply)
    async with transaction(bot.sessions) as session:
        await lead_polls.close_poll(session, OPERATOR, number, now=bot.clock.now())
    await bot.delivered()
    return number


async def record_of(bot, *, for_leads: bool = False):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        return await project_record(session, project, for_leads=for_leads, now=bot.clock.now())


async def test_the_html_record_shows_each_poll_as_a_chart_with_its_sentence_and_table(bot) -> None:
    await voted_and_closed(bot)
    page = render(await record_of(bot), "html")
    assert "<h2>Polls</h2>" in page
    assert '<h3 id="poll-1">Poll 1 (closed): What matters most to you?</h3>' in page
    assert "<p>Most people (2 of 3) chose Longer visits.</p>" in page
    assert '<ul class="poll-chart" aria-hidden="true">' in page
    assert "<caption>How many chose each answer in poll 1</caption>" in page
    assert (
        '<tr><th scope="row">1 Longer visits</th><td data-label="People">2</td>'
        '<td data-label="Share">67%</td></tr>'
    ) in page
    assert 'width="66.7%"' in page, "the bar is as long as the share"
    for name, found in layouts({"record": page}).items():
        assert found["overflow"] == {"320": 0, "640": 0}, name
    violations = {name: found for name, found in axe_violations({"record": page}).items() if found}
    assert violations == {}, describe(violations)


async def test_markdown_csv_and_json_carry_the_tally(bot) -> None:
    await voted_and_closed(bot)
    record = await record_of(bot)
    markdown = render(record, "md")
    assert "## Polls" in markdown
    assert (
        "The leads asked the group to choose 1 time; 3 answers were counted. "
        "Poll 1: Most people (2 of 3) chose Longer visits."
    ) in markdown
    assert (
        "| 1 | What matters most to you? | Closed on Monday 23 November 2026 at 09:00 |" in markdown
    )
    rows = [
        r
        for r in csv.DictReader(io.StringIO(render(record, "csv")))
        if r["kind"].startswith("poll")
    ]
    assert [(r["kind"], r["text"], r["count"], r["share"]) for r in rows] == [
        ("poll", "What matters most to you?", "3", ""),
        ("poll-answer", "1 Longer visits", "2", "67%"),
        ("poll-answer", "2 The same carer", "1", "33%"),
        ("poll-answer", "3 More notice of changes", "0", "0%"),
    ]
    [poll] = json.loads(render(record, "json"))["polls"]
    assert poll["summary"] == "Most people (2 of 3) chose Longer visits."
    assert [c["count"] for c in poll["choices"]] == [2, 1, 0]
    assert poll["answers"] == [], "the public record lists no one's answer"


async def test_only_the_leads_version_of_a_named_poll_says_who_chose_what(bot) -> None:
    await voted_and_closed(bot, named=True)
    public = render(await record_of(bot), "json")
    leads = json.loads(render(await record_of(bot, for_leads=True), "json"))
    assert "Ann" not in public and "Bea" not in public
    assert sorted((a["name"], a["choice"]) for a in leads["polls"][0]["answers"]) == [
        ("Ann", 1), ("Bea", 1), ("Lee", 2),
    ]  # fmt: skip


async def test_a_record_says_when_no_poll_was_made(bot) -> None:
    await care1(bot)
    assert "The leads have not asked the group to choose." in render(await record_of(bot), "md")


async def test_an_open_poll_no_one_answered_shows_its_close_and_nothing_counted(bot) -> None:
    await polled(bot, shape_of(yes_no=True))
    await bot.delivered()
    markdown = render(await record_of(bot), "md")
    assert "Poll 1: No one answered." in markdown
    assert (
        "| 1 | What matters most to you? | Open until Monday 30 November 2026 at 09:00 "
        "| 1 Yes | 0 | 0% |"
    ) in markdown
