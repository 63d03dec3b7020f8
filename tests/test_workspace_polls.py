"""The polls page of the workspace does what the command line does: a poll of each kind sent
from the form, bad input answered on the page with nothing stored or sent, a poll closed
early with the result to everyone, another project's poll not found, and the totals only,
never who chose what, for every lead."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import OutboxRow, Poll
from tests.axe_kit import axe_violations, describe, layouts, require_axe
from tests.bot_fixture import MemoryBot
from tests.workspace_kit import ANN_PHONE, JOINT_EMAIL, PAT_EMAIL, STAFF_EMAIL, care1, workspace

ROOT = Path(__file__).resolve().parent.parent
POLLS = "/lead/p/CARE1/polls"
# The clock starts on Monday 23 November 2026 at 09:00 (UTC, and London time).
CLOSES = {"closes-date": "2026-11-30", "closes-time": "18:00"}
BLANK = {"question": "", "kind": "", "choices": "", "scale-top": "5", **CLOSES}


def poll_form(**fields: str) -> dict[str, str]:
    """The form as a lead sends it: every field there, most left as they were."""
    return {**BLANK, "question": "What matters most to you?", **fields}


async def rows(bot: MemoryBot, kind: str) -> int:
    async with bot.sessions() as session:
        return await session.scalar(select(func.count()).where(OutboxRow.kind == kind)) or 0


async def stored_polls(bot: MemoryBot) -> list[Poll]:
    async with bot.sessions() as session:
        return list((await session.scalars(select(Poll).order_by(Poll.id))).all())


async def sent_poll(bot: MemoryBot, **fields: str) -> None:
    """Lee sends a poll from the page; everything it sent is read."""
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        assert (await ws.post(POLLS, poll_form(**fields))).status_code == 303
    await bot.delivered()


@pytest.mark.parametrize(
    ("fields", "shape", "size", "labels", "to_ann"),
    [
        (
            {"kind": "choices", "choices": "Longer visits\n\n The same carer \r\nMore notice"},
            "choices",
            3,
            ["Longer visits", "The same carer", "More notice"],
            "1 Longer visits\n2 The same carer\n3 More notice",
        ),
        (
            {"kind": "scale", "scale-top": "4", "scale-low": "Poor", "scale-high": "Great"},
            "scale",
            4,
            ["Poor", "Great"],
            "1 Poor\n2\n3\n4 Great",
        ),
        ({"kind": "yes-no", "other": "yes", "named": "yes"}, "yes-no", 2, [], "1 Yes\n2 No"),
    ],
    ids=["choices-you-write", "scale-with-its-ends", "yes-or-no-named"],
)
async def test_a_lead_sends_a_poll_of_each_kind_from_the_page(
    bot: MemoryBot, fields: dict[str, str], shape: str, size: int, labels: list[str], to_ann: str
) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        form = await ws.http.get(POLLS)
        assert 'aria-current="page">Polls</a>' in form.text
        assert 'value="2026-11-30"' in form.text, "closes in a week unless the lead says"
        sent = await ws.post(POLLS, poll_form(**fields))
        assert sent.status_code == 303
        shown = await ws.http.get(sent.headers["location"])
        assert "Poll 1 is going to 3 members." in shown.text
        assert "Poll 1 (open): What matters most to you?" in shown.text
        assert "Close this poll now" in shown.text
    [poll] = await stored_polls(bot)
    assert (poll.shape, poll.size, list(poll.labels or [])) == (shape, size, labels)
    assert (poll.is_named, poll.allows_other) == ("named" in fields, "other" in fields)
    assert await rows(bot, "poll") == 3
    [to_ann_sms] = [m.body for m in await bot.delivered() if m.address == ANN_PHONE]
    assert f"What matters most to you?\nReply with a number:\n{to_ann}\n" in to_ann_sms
    assert "You can change your answer until Monday 30 November 2026 at 18:00." in to_ann_sms


@pytest.mark.parametrize(
    ("fields", "field", "says"),
    [
        ({"kind": "choices", "choices": "Only one"}, "choices", "Write from 2 to 7 choices"),
        (
            {"kind": "choices", "choices": "\n".join("ABCDEFGH")},
            "choices",
            "Write from 2 to 7 choices",
        ),
        ({"kind": "yes-no", "question": "  "}, "question", "Enter the question"),
        ({"kind": "yes-no", "closes-date": "2026-02-30"}, "closes-date", "Enter a real date"),
        ({"kind": "yes-no", "closes-date": "30/11/2026"}, "closes-date", "Enter the date like"),
        (
            {"kind": "yes-no", "closes-date": "2026-11-23", "closes-time": "09:30"},
            "closes-date",
            "at least an hour from now",
        ),
        ({"kind": "scale", "scale-high": "Great"}, "scale-low", "both ends of the scale"),
        ({"kind": "choices", "choices": "A\na"}, "choices", "Two of the choices are the same"),
        ({}, "kind", "Choose the kind of answers"),
    ],
    ids=[
        "one-choice",
        "eight-choices",
        "empty-question",
        "no-such-date",
        "not-a-date",
        "closes-too-soon",
        "one-end-of-a-scale",
        "same-choice-twice",
        "no-kind",
    ],
)
async def test_a_poll_that_cannot_be_sent_is_answered_on_the_page_and_nothing_is_stored(
    bot: MemoryBot, fields: dict[str, str], field: str, says: str
) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        refused = await ws.post(POLLS, poll_form(**fields))
    assert refused.status_code == 400
    summary = refused.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert f'href="#{field}"' in summary and says in summary
    assert f'id="{field}-error"' in refused.text, "the message is beside the field too"
    assert "What matters" in refused.text or field == "question", "what was typed is kept"
    assert await stored_polls(bot) == []
    assert await rows(bot, "poll") == 0
    assert await bot.delivered() == []


async def test_closing_a_poll_early_sends_the_result_to_every_member_once(bot: MemoryBot) -> None:
    await care1(bot)
    await sent_poll(bot, kind="choices", choices="Longer visits\nThe same carer")
    await bot.send_in("sms", ANN_PHONE, "2")
    await bot.delivered()
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        open_poll = await ws.http.get(POLLS)
        assert "2 The same carer: 1 (100%)" in open_poll.text, "the tally so far"
        closed = await ws.post(POLLS, {"action": "close", "poll": "1"})
        assert closed.status_code == 303
        shown = await ws.http.get(closed.headers["location"])
        assert "Poll 1 is closed. Its result is going to 3 members." in shown.text
        assert "Poll 1 (closed): What matters most to you?" in shown.text
        assert "Close this poll now" not in shown.text
        again = await ws.post(POLLS, {"action": "close", "poll": "1"}, form_from=POLLS)
        assert again.status_code == 409 and "This poll is already closed." in again.text
    assert await rows(bot, "poll-result") == 3
    results = [m.body for m in await bot.delivered() if m.address == ANN_PHONE]
    assert len(results) == 1 and results[0].startswith("The CARE1 poll (number 1) has closed.")


async def test_another_projects_poll_is_not_found_and_stays_open(bot: MemoryBot) -> None:
    await care1(bot)
    await sent_poll(bot, kind="yes-no")
    async with workspace(bot) as ws:
        await ws.sign_in(PAT_EMAIL)
        assert (await ws.http.get(POLLS)).status_code == 404
        theirs = await ws.post("/lead/p/PARK2/polls", {"action": "close", "poll": "1"})
        assert theirs.status_code == 404
        token = await ws.csrf("/lead/p/PARK2/polls")
        posted = await ws.http.post(
            POLLS, data={"csrftoken": token, "action": "close", "poll": "1"}
        )
        assert posted.status_code == 404
        nonsense = await ws.post("/lead/p/PARK2/polls", {"action": "close", "poll": "²"})
        assert nonsense.status_code == 404
    [poll] = await stored_polls(bot)
    assert poll.closed_at is None
    assert await rows(bot, "poll-result") == 0


async def test_no_lead_sees_who_chose_what_on_the_page_even_in_a_named_poll(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    await sent_poll(bot, kind="yes-no", named="yes", other="yes")
    await bot.send_in("sms", ANN_PHONE, "yes")
    await bot.delivered()
    for email in (JOINT_EMAIL, STAFF_EMAIL):
        async with workspace(bot) as ws:
            await ws.sign_in(email)
            page = await ws.http.get(POLLS)
            assert page.status_code == 200, email
            assert "1 Yes: 1 (100%)" in page.text and "In their own words: 0 (0%)" in page.text
            assert "Ann Member" not in page.text, email
        await bot.delivered()
    async with workspace(bot) as ws:
        await ws.sign_in(JOINT_EMAIL)
        closed = await ws.post(POLLS, {"action": "close", "poll": "1"})
        assert closed.status_code == 303, "a contributor lead runs polls too"
    await bot.delivered()


async def test_the_polls_page_passes_axe_and_reflows_with_a_chart_and_with_errors(
    bot: MemoryBot,
) -> None:
    require_axe()
    await care1(bot)
    await sent_poll(bot, kind="choices", choices="Longer visits\nThe same carer\nMore notice")
    await bot.send_in("sms", ANN_PHONE, "3")
    await sent_poll(bot, kind="scale", **{"scale-top": "5", "other": "yes"})
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        assert (await ws.post(POLLS, {"action": "close", "poll": "1"})).status_code == 303
        charts = await ws.http.get(POLLS)
        refused = await ws.post(POLLS, {**BLANK, "kind": "choices", "choices": "Only one"})
        assert refused.status_code == 400
    await bot.delivered()
    style = (ROOT / "bot" / "web" / "static" / "workspace.css").read_text()
    link = '<link rel="stylesheet" href="/lead/static/workspace.css">'
    pages = {
        name: answer.text.replace(link, f"<style>{style}</style>")
        for name, answer in (("charts", charts), ("refused", refused))
    }
    violations = {name: found for name, found in axe_violations(pages).items() if found}
    assert violations == {}, describe(violations)
    for name, measured in layouts(pages).items():
        assert measured["overflow"] == {"320": 0, "640": 0}, name
