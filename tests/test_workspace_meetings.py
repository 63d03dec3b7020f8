"""The meetings pages of the workspace do what the command line does: add a meeting that asks
who is coming, see the answers (a contributor lead without the names of those not named),
change or cancel a meeting with a reason, and bad input answered on the page with nothing
changed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.models import AuditEntry, Meeting
from tests.axe_kit import axe_violations, describe, layouts, require_axe
from tests.bot_fixture import MemoryBot
from tests.workspace_kit import ANN_PHONE, JOINT_EMAIL, PAT_EMAIL, STAFF_EMAIL, care1, workspace

ROOT = Path(__file__).resolve().parent.parent
MEETINGS = "/lead/p/CARE1/meetings"
MEETING = "/lead/p/CARE1/meetings/1"


async def _meeting_that_asks(bot: MemoryBot) -> None:
    """Lee adds a meeting on Tuesday 1 December 2026 that asks who is coming; Ann answers 3
    and says what she needs."""
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        added = await ws.post(
            MEETINGS,
            {
                "action": "meeting",
                "meeting-date": "2026-12-01",
                "meeting-time": "18:00",
                "minutes": "90",
                "place": "The library",
                "ask-attendance": "yes",
            },
        )
        assert added.status_code == 303
    asked = [m.body for m in await bot.delivered() if m.address == ANN_PHONE]
    assert asked[1].startswith("Are you coming to the CARE1 meeting on Tuesday 1 December 2026")
    await bot.send_in("sms", ANN_PHONE, "3")
    await bot.send_in("sms", ANN_PHONE, "A quiet room for breaks")
    await bot.delivered()


async def test_the_team_sees_who_is_coming_by_name_and_a_contributor_lead_does_not(
    bot: MemoryBot,
) -> None:
    await _meeting_that_asks(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        listing = await ws.http.get(MEETINGS)
        assert f'href="{MEETING}"' in listing.text and "asks who is coming" in listing.text
        page = await ws.http.get(MEETING)
        assert page.status_code == 200
        assert "Ann Member: A quiet room for breaks" in page.text
    async with workspace(bot) as ws:
        await ws.sign_in(JOINT_EMAIL)
        page = await ws.http.get(MEETING)
        assert "Ann Member" not in page.text
        assert "A member: A quiet room for breaks" in page.text
        assert "1 member not named" in page.text
        assert "You see the names only of members who chose to be named." in page.text


async def test_a_lead_changes_and_then_cancels_a_meeting_from_its_page(bot: MemoryBot) -> None:
    await _meeting_that_asks(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        changed = await ws.post(
            MEETING,
            {
                "action": "change",
                "new-date": "2026-12-02",
                "new-time": "18:30",
                "new-place": "",
                "change-reason": "The library is closed that day.",
            },
        )
        assert changed.status_code == 303
        shown = await ws.http.get(changed.headers["location"])
        assert "every member is told what changed and why" in shown.text
        assert "Wednesday 2 December 2026 at 18:30" in shown.text
        told = [m.body for m in await bot.delivered() if m.address == ANN_PHONE]
        assert told[0] == (
            "The CARE1 meeting has moved to Wednesday 2 December 2026 at 18:30. "
            "It was on Tuesday 1 December 2026 at 18:00. Place: The library. "
            "The reason: The library is closed that day."
        )
        assert told[1].startswith("Are you coming to the CARE1 meeting on Wednesday 2 December")
        cancelled = await ws.post(MEETING, {"action": "cancel", "cancel-reason": "Snow."})
        assert cancelled.status_code == 303
        shown = await ws.http.get(cancelled.headers["location"])
        assert "No comment window will open after it." in shown.text
        assert "Cancel the meeting" not in shown.text, "nothing left to change"
    [notice] = [m.body for m in await bot.delivered() if m.address == ANN_PHONE]
    assert notice == (
        "The CARE1 meeting on Wednesday 2 December 2026 at 18:30 is cancelled. The reason: Snow."
    )
    async with bot.sessions() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("meeting.%"))
            )
        ).all()
    assert sorted(actions) == [
        "meeting.add",
        "meeting.ask_attendance",
        "meeting.cancel",
        "meeting.change",
    ]


async def test_a_change_that_cannot_be_made_is_answered_on_the_page_with_nothing_changed(
    bot: MemoryBot,
) -> None:
    await _meeting_that_asks(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        past = await ws.post(
            MEETING,
            {
                "action": "change",
                "new-date": "2026-11-01",
                "new-time": "18:00",
                "change-reason": "Sooner.",
            },
        )
        assert past.status_code == 400
        assert (
            'href="#new-date"' in past.text and "Choose a date and time in the future" in past.text
        )
        nothing = await ws.post(MEETING, {"action": "change", "change-reason": "Why not."})
        assert (
            nothing.status_code == 400 and "Give a new date and time or a new place" in nothing.text
        )
        no_reason = await ws.post(MEETING, {"action": "cancel", "cancel-reason": " "})
        assert no_reason.status_code == 400 and 'href="#cancel-reason"' in no_reason.text
    assert await bot.delivered() == []
    async with bot.sessions() as session:
        [meeting] = (await session.scalars(select(Meeting))).all()
    assert meeting.cancelled_at is None and meeting.place == "The library"


async def test_a_meeting_of_another_project_is_not_found(bot: MemoryBot) -> None:
    await _meeting_that_asks(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(PAT_EMAIL)
        assert (await ws.http.get(MEETING)).status_code == 404
        assert (await ws.http.get("/lead/p/PARK2/meetings/1")).status_code == 404
        token = await ws.csrf("/lead/p/PARK2/meetings")
        posted = await ws.http.post(
            "/lead/p/PARK2/meetings/1",
            data={"csrftoken": token, "action": "cancel", "cancel-reason": "Mine now."},
        )
        assert posted.status_code == 404
    async with bot.sessions() as session:
        [meeting] = (await session.scalars(select(Meeting))).all()
    assert meeting.cancelled_at is None


async def test_the_meeting_pages_pass_axe_and_reflow_with_and_without_errors(
    bot: MemoryBot,
) -> None:
    require_axe()
    await _meeting_that_asks(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        listing = await ws.http.get(MEETINGS)
        one = await ws.http.get(MEETING)
        refused = await ws.post(MEETING, {"action": "change", "new-date": "2026-12-02"})
        assert refused.status_code == 400
    await bot.delivered()
    style = (ROOT / "bot" / "web" / "static" / "workspace.css").read_text()
    link = '<link rel="stylesheet" href="/lead/static/workspace.css">'
    pages = {
        name: answer.text.replace(link, f"<style>{style}</style>")
        for name, answer in (("meetings", listing), ("meeting", one), ("refused", refused))
    }
    violations = {name: found for name, found in axe_violations(pages).items() if found}
    assert violations == {}, describe(violations)
    for name, measured in layouts(pages).items():
        assert measured["overflow"] == {"320": 0, "640": 0}, name
