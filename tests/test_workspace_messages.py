"""The workspace's "Send a message" page and the brief's choice of who gets a new version:
the same rules as the command line, told to the lead on the page, bad input answered there
with nothing sent."""

from __future__ import annotations

import re

from sqlalchemy import select

from flows import lead_actions
from flows.lead_actions import Actor
from storage.db import transaction
from storage.models import OutboxRow
from tests.bot_fixture import MemoryBot
from tests.workspace_kit import ANN_PHONE, JOINT_EMAIL, PAT_EMAIL, STAFF_EMAIL, care1, workspace

WORDS = "The next meeting moves to the library."
PAGE = "/lead/p/CARE1/messages"


async def announcements(bot: MemoryBot) -> list[OutboxRow]:
    async with bot.sessions() as session:
        found = await session.scalars(select(OutboxRow).where(OutboxRow.kind == "announcement"))
        return list(found.all())


def banner(page: str) -> str:
    found = re.search(r'<div class="banner" role="status">(.*?)</div>', page, re.S)
    assert found, "no banner on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


async def test_a_message_to_everyone_goes_and_the_page_says_to_how_many(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        inbox = await ws.http.get("/lead/p/CARE1/inbox")
        assert f'href="{PAGE}"' in inbox.text and "Send a message" in inbox.text
        sent = await ws.post(PAGE, {"to": "all", "text": WORDS})
        assert sent.status_code == 303
        after = await ws.http.get(sent.headers["location"])
        assert banner(after.text) == "Your message is on its way to 3 people."
        to_ann = [m for m in await bot.delivered() if m.address == ANN_PHONE]
        assert [m.body for m in to_ann] == [f"A message from the leads of CARE1: {WORDS}"]
        again = await ws.post(PAGE, {"to": "joined", "text": WORDS})
        after = await ws.http.get(again.headers["location"])
        assert banner(after.text) == "Already sent to them today: not sent again."
    assert await bot.delivered() == []


async def test_a_message_to_the_people_ticked_goes_only_to_them(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(JOINT_EMAIL)
        form = await ws.http.get(PAGE)
        ann = re.search(r'name="people" value="(\d+)"[^>]*>\s*<label[^>]*>Ann Member', form.text)
        assert ann, "Ann is offered to tick"
        sent = await ws.post(PAGE, {"to": "chosen", "people": ann.group(1), "text": WORDS})
        assert sent.status_code == 303
        after = await ws.http.get(sent.headers["location"])
        assert banner(after.text) == "Your message is on its way to 1 person."
    assert [m.address for m in await bot.delivered()] == [ANN_PHONE]


async def test_a_form_sent_twice_sends_once(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        form = await ws.http.get(PAGE)
        fields = {
            "csrftoken": re.search(r'name="csrftoken" value="([^"]+)"', form.text).group(1),  # type: ignore[union-attr]
            "form_id": re.search(r'name="form_id" value="([^"]+)"', form.text).group(1),  # type: ignore[union-attr]
            "to": "all",
            "text": WORDS,
        }
        assert (await ws.http.post(PAGE, data=fields)).status_code == 303
        twice = await ws.http.post(PAGE, data={**fields, "text": "Something else."})
        assert twice.headers["location"].endswith("?twice=1")
    assert len(await announcements(bot)) == 3
    await bot.delivered()


async def test_no_words_no_one_ticked_or_no_one_to_reach_is_refused_on_the_page(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    await bot.send_in("sms", ANN_PHONE, "STOP")
    await bot.delivered()
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        empty = await ws.post(PAGE, {"to": "all", "text": "  "})
        assert empty.status_code == 400 and 'href="#text"' in empty.text
        assert "Write the message to send" in empty.text
        nobody_ticked = await ws.post(PAGE, {"to": "chosen", "text": WORDS})
        assert nobody_ticked.status_code == 400 and "Tick at least one person" in (
            nobody_ticked.text
        )
        form = await ws.http.get(PAGE)
        ann = re.search(r'name="people" value="(\d+)"[^>]*>\s*<label[^>]*>Ann Member', form.text)
        assert ann
        stopped = await ws.post(PAGE, {"to": "chosen", "people": ann.group(1), "text": WORDS})
        assert stopped.status_code == 400 and 'href="#to"' in stopped.text
        assert "No one you chose can get it" in stopped.text
        stranger = await ws.post(PAGE, {"to": "chosen", "people": "999", "text": WORDS})
        assert stranger.status_code == 400 and "Choose people from the list" in stranger.text
    assert await announcements(bot) == []


async def test_a_lead_of_another_project_finds_no_such_page(bot: MemoryBot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(PAT_EMAIL)
        assert (await ws.http.get(PAGE)).status_code == 404


async def first_version(bot: MemoryBot) -> None:
    async with transaction(bot.sessions) as session:
        await lead_actions.publish_brief(
            session,
            Actor("test"),
            "CARE1",
            text="# Home care\n\nWe want fairer visits.",
            summary=None,
            note=None,
            alt_formats={},
            now=bot.clock.now(),
        )
    await bot.delivered()


async def test_a_later_brief_is_by_default_only_announced_and_the_preview_says_so(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    await first_version(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        form = await ws.http.get("/lead/p/CARE1/brief")
        assert re.search(r'name="send" value="changed-formats" checked', form.text)
        draft = {"text": "# Home care\n\nFairer and longer visits.", "note": "Longer visits"}
        preview = await ws.post("/lead/p/CARE1/brief", {**draft, "action": "preview"})
        assert preview.status_code == 200
        assert "This version adds or changes no format" in preview.text
        assert "3 people will be told it changed, in these words:" in preview.text
        notice = "The brief for CARE1 has changed: Longer visits. Reply BRIEF CARE1 to get it."
        assert notice in preview.text
        assert 'name="send" value="changed-formats"' in preview.text
        form_id = preview.text.split('name="form_id" value="', 1)[1].split('"', 1)[0]
        published = await ws.post(
            "/lead/p/CARE1/brief",
            {**draft, "action": "publish", "form_id": form_id, "based_on": "1"},
        )
        assert published.status_code == 303
        page = await ws.http.get(published.headers["location"])
        assert banner(page.text) == (
            "Version 2 of the brief is published. 0 people were sent it whole; "
            "3 were told it changed."
        )
    to_ann = [m.body for m in await bot.delivered() if m.address == ANN_PHONE]
    assert to_ann == [notice]


async def test_the_lead_may_choose_to_send_a_later_brief_whole_to_everyone(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    await first_version(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        draft = {"text": "# Home care\n\nFairer and longer visits.", "send": "all"}
        preview = await ws.post("/lead/p/CARE1/brief", {**draft, "action": "preview"})
        assert "The whole brief will go to 3 people." in preview.text
        assert "Publish and send to every member" in preview.text
        bad = await ws.post("/lead/p/CARE1/brief", {**draft, "send": "some", "action": "preview"})
        assert bad.status_code == 400 and 'href="#send"' in bad.text
