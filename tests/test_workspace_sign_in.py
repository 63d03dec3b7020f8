"""Signing in to the leads' workspace by a one-time link: the link arrives on the lead's own
channel, works once and for 15 minutes; the page answers strangers the same way; sessions
end; forms without their token change nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from storage.models import AuditEntry, LeadSession, OutboxRow
from tests.axe_kit import axe_violations, describe, layouts, require_axe
from tests.bot_fixture import MemoryBot
from tests.workspace_kit import ANN_PHONE, STAFF_EMAIL, care1, workspace

ROOT = Path(__file__).resolve().parent.parent


async def test_a_lead_signs_in_with_the_link_sent_to_their_email(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        assert (await ws.http.get("/lead/")).headers["location"] == "/lead/login?next=/lead/"
        link = await ws.link_sent_to(STAFF_EMAIL)
        opened = await ws.http.get(link.split("workspace.test")[-1])
        assert "Sign in as Lee Staff" in opened.text
        signed = await ws.post(link.split("workspace.test")[-1], {"next": "/lead/"})
        assert signed.status_code == 303
        cookie = signed.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/lead" in cookie
        assert "Secure" not in cookie  # no https public URL here
        home = await ws.http.get("/lead/")
        assert "CARE1: Project CARE1" in home.text and "PARK2" not in home.text
        assert "Signed in as Lee Staff." in home.text


async def test_the_link_works_once(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        path = (await ws.link_sent_to(STAFF_EMAIL)).split("workspace.test")[-1]
        assert (await ws.post(path, {})).status_code == 303
        ws.http.cookies.clear()
        again = await ws.post(path, {}, form_from="/lead/login")
        assert again.status_code == 410 and "This link no longer works" in again.text
        assert (await ws.http.get("/lead/")).status_code == 303


async def test_a_link_older_than_15_minutes_signs_no_one_in(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        path = (await ws.link_sent_to(STAFF_EMAIL)).split("workspace.test")[-1]
        bot.clock.advance(minutes=15, seconds=1)
        late = await ws.post(path, {}, form_from="/lead/login")
        assert late.status_code == 410
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(LeadSession)) == 0


async def test_strangers_and_members_who_do_not_lead_get_the_same_answer_and_no_message(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        answers = []
        for address in ("nobody@example.org", ANN_PHONE, "07700 900001", STAFF_EMAIL):
            page = await ws.post("/lead/login", {"address": address})
            answers.append(page.text.replace(address, "ADDRESS"))
        assert len(set(answers)) == 1, "the page must not tell which addresses we hold"
        sent = await bot.delivered()
        assert [m.address for m in sent] == [STAFF_EMAIL]


async def test_the_link_goes_by_text_message_to_a_lead_who_types_their_phone_number(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    from tests.helpers import add_person, add_project

    sam = await add_person(bot.sessions, "Sam Phone", phone="+447700900777")
    await add_project(bot.sessions, "SAM3", leads=[sam])
    async with workspace(bot) as ws:
        await ws.post("/lead/login", {"address": "07700 900777"})
        sent = await bot.delivered()
        assert [(m.channel, m.address) for m in sent] == [("sms", "+447700900777")]
        assert "/lead/sign-in/" in sent[0].body and "15 minutes" in sent[0].body


async def test_asking_again_and_again_is_slowed_down(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        codes = [
            (await ws.post("/lead/login", {"address": STAFF_EMAIL})).status_code for _ in range(4)
        ]
        assert codes == [200, 200, 200, 429]
        assert len(await bot.delivered()) == 3


async def test_an_empty_or_overlong_address_is_named_in_an_error_summary(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        empty = await ws.post("/lead/login", {"address": "  "})
        assert empty.status_code == 400
        assert "<title>Error: Sign in" in empty.text
        assert 'href="#address">Enter the email address or phone number' in empty.text
        long = await ws.post("/lead/login", {"address": "a" * 321})
        assert long.status_code == 400 and "320 characters or fewer" in long.text
    async with bot.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxRow)) == 0


async def test_a_session_ends_when_its_hours_are_up_and_at_sign_out(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        bot.clock.advance(hours=7, minutes=59)
        assert (await ws.http.get("/lead/")).status_code == 200
        bot.clock.advance(minutes=2)
        assert (await ws.http.get("/lead/")).status_code == 303
        await ws.sign_in(STAFF_EMAIL)
        token = ws.http.cookies["coproduce_lead"]
        out = await ws.post("/lead/sign-out", {}, form_from="/lead/")
        assert out.headers["location"] == "/lead/signed-out"
        ws.http.cookies.set("coproduce_lead", token, domain="workspace.test", path="/lead")
        assert (await ws.http.get("/lead/")).status_code == 303, "a signed-out cookie is dead"


async def test_a_tampered_cookie_signs_no_one_in(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        ws.http.cookies.set("coproduce_lead", "made-up", domain="workspace.test", path="/lead")
        assert (await ws.http.get("/lead/p/CARE1/")).status_code == 303


async def test_a_form_without_its_token_is_refused_and_changes_nothing(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        async with bot.sessions() as session:
            before = await session.scalar(select(func.count()).select_from(AuditEntry))
        refused = await ws.http.post(
            "/lead/p/CARE1/questions", data={"ask": "Which day suits you?"}
        )
        assert refused.status_code == 403 and "This form has expired" in refused.text
        wrong = await ws.http.post(
            "/lead/p/CARE1/questions", data={"ask": "Which day?", "csrftoken": "forged"}
        )
        assert wrong.status_code == 403
        async with bot.sessions() as session:
            after = await session.scalar(select(func.count()).select_from(AuditEntry))
        assert after == before
        assert await bot.delivered() == []


async def test_session_cookie_is_secure_behind_an_https_public_url(bot: MemoryBot) -> None:
    await care1(bot)
    bot.services.settings.public_url = "https://coproduce.example.org"
    async with workspace(bot, "https://workspace.test") as ws:
        link = await ws.link_sent_to(STAFF_EMAIL)
        assert link.startswith("https://coproduce.example.org/lead/sign-in/")
        signed = await ws.post(link.removeprefix("https://coproduce.example.org"), {})
        assert "Secure" in signed.headers["set-cookie"]


async def test_the_refusal_pages_a_browser_test_cannot_reach_pass_axe_and_reflow(
    bot: MemoryBot,
) -> None:
    """A form without its token (403) and too many requests (429), checked as files with
    the workspace's stylesheet inlined."""
    require_axe()
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        expired = await ws.http.post("/lead/p/CARE1/questions", data={"ask": "Which day?"})
        assert expired.status_code == 403
        ws.http.cookies.clear()
        for _ in range(3):
            await ws.post("/lead/login", {"address": "a@example.org"})
        wait = await ws.post("/lead/login", {"address": "a@example.org"})
        assert wait.status_code == 429 and "Please wait before you try again" in wait.text
    await bot.delivered()
    style = (ROOT / "bot" / "web" / "static" / "workspace.css").read_text()
    link = '<link rel="stylesheet" href="/lead/static/workspace.css">'
    pages = {
        name: page.text.replace(link, f"<style>{style}</style>")
        for name, page in (("expired", expired), ("wait", wait))
    }
    assert all(f"<style>{style}" in html for html in pages.values())
    violations = {name: found for name, found in axe_violations(pages).items() if found}
    assert violations == {}, describe(violations)
    for name, measured in layouts(pages).items():
        assert measured["overflow"] == {"320": 0, "640": 0}, name
        assert measured["first_tab"] == "Skip to main content", name
