"""The leads' workspace in real headless Chromium (tests/axe/drive.mjs): signing in by link,
a whole project run from the browser alone, a contributor lead kept out of another project,
and publishing a brief by keyboard alone, each with JavaScript on and off. On every page and
error state on the way: 0 axe-core violations, no sideways scrolling at 320 CSS pixels or at
200% zoom, and a skip link first (with scripts off, the pages a script changes, and the
sign-in page, are measured again; see run())."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn

from bot.app import create_app
from flows import lead_actions, lead_polls
from flows.lead_actions import Actor
from flows.lead_sign_in import operator_link
from flows.poll_choices import shape_of
from storage.db import transaction
from tests.axe_kit import require_axe
from tests.bot_fixture import MemoryBot
from tests.browser_kit import drive
from tests.workspace_kit import ANN_PHONE, JOINT_EMAIL, STAFF_EMAIL, care1

pytestmark = pytest.mark.parametrize("javascript", [True, False], ids=["scripts", "no-scripts"])

CHECK = [{"do": "axe"}, {"do": "layout"}]
# For a page whose script changes it: measured with scripts off as well.
CHECK_BOTH = [{"do": "axe", "scripts_matter": True}, {"do": "layout", "scripts_matter": True}]
SKIP_LINKS = ("Skip to main content", "Neidio i'r prif gynnwys")


@asynccontextmanager
async def served(bot: MemoryBot) -> AsyncIterator[str]:
    """The whole app on a free port, in this test's event loop (the browser runs in a thread)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_app(bot.services),
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


async def run(base: str, steps: list[dict[str, Any]], javascript: bool) -> list[dict[str, Any]]:
    """With scripts off, the same flows are driven, but only the pages a script changes (the
    live inbox) are measured again: the others are the same server-rendered HTML either way,
    and measuring each twice doubled the time of these tests."""
    if not javascript:
        steps = [
            {key: value for key, value in step.items() if key != "scripts_matter"}
            for step in steps
            if step["do"] not in ("axe", "layout") or step.get("scripts_matter")
        ]
    return await asyncio.to_thread(drive, base, steps, javascript=javascript)


def checked(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every axe and layout result on the way is clean; returns the results."""
    for result in results:
        if "violations" in result:
            assert result["violations"] == [], json.dumps(result["violations"])[:1500]
        if "overflow320" in result:
            assert (result["overflow320"], result["overflow640"]) == (0, 0), result
            assert result["firstTab"] in SKIP_LINKS, result
    return results


async def signed_in_steps(bot: MemoryBot, base: str, email: str, javascript: bool) -> list[dict]:
    """Ask for a link in the browser (checking the login page and its error state), then the
    steps that open the link from the message that arrived and sign in."""
    checked(
        await run(
            base,
            [
                {"do": "goto", "path": "/lead/p/CARE1/"},
                *CHECK_BOTH,
                {"do": "click", "role": "button", "name": "Send me a link"},
                *CHECK,
                {
                    "do": "fill",
                    "label": "What is your email address or phone number?",
                    "value": email,
                },
                {"do": "click", "role": "button", "name": "Send me a link"},
                {"do": "waitForText", "text": "Check your messages"},
                *CHECK,
            ],
            javascript,
        )
    )
    sent = [m for m in await bot.delivered() if m.address == email]
    link = sent[-1].body.split("link: ", 1)[1].split()[0]
    path = "/lead/" + link.split("/lead/", 1)[1]
    return [
        {"do": "goto", "path": path},
        *CHECK,
        {"do": "click", "role": "button", "name": "Sign in"},
    ]


async def another_link(bot: MemoryBot, email: str) -> list[dict]:
    """A link works once: a later browser (a new context) signs in with one the operator
    prints (coproduce lead link)."""
    async with transaction(bot.sessions) as session:
        _, url = await operator_link(
            session, email, base_url="http://x", actor="test", now=bot.clock.now()
        )
    return [
        {"do": "goto", "path": url.removeprefix("http://x")},
        {"do": "click", "role": "button", "name": "Sign in"},
    ]


async def test_a_lead_runs_a_whole_project_from_the_browser(
    bot: MemoryBot, javascript: bool
) -> None:
    require_axe()
    await care1(bot)
    async with served(bot) as base:
        steps = await signed_in_steps(bot, base, STAFF_EMAIL, javascript)
        results = checked(
            await run(
                base,
                [
                    *steps,
                    {"do": "waitForText", "text": "Your projects"},
                    *CHECK,
                    {"do": "cookies"},
                    {"do": "click", "role": "link", "name": "CARE1: Project CARE1"},
                    *CHECK,
                    # The brief, with its preview and an error first.
                    {"do": "goto", "path": "/lead/p/CARE1/brief"},
                    {"do": "fill", "label": "The brief", "value": ""},
                    {"do": "click", "role": "button", "name": "Preview"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    {
                        "do": "fill",
                        "label": "The brief",
                        "value": "We want to hear about home care.",
                    },
                    {"do": "click", "role": "button", "name": "Preview"},
                    {"do": "waitForText", "text": "It takes 1 text message part."},
                    {"do": "axe"},
                    {"do": "click", "role": "button", "name": "Publish and send to every member"},
                    {"do": "waitForText", "text": "is on its way to"},
                    *CHECK,
                    # Comments open, and a meeting is added.
                    {"do": "goto", "path": "/lead/p/CARE1/meetings"},
                    *CHECK,
                    {"do": "click", "role": "button", "name": "Open comments now"},
                    {"do": "waitForText", "text": "Comments are open until"},
                    {"do": "fill", "label": "Meeting date", "value": "2026-12-01"},
                    {"do": "fill", "label": "Start time", "value": "18:00"},
                    {"do": "click", "role": "button", "name": "Add the meeting"},
                    {"do": "waitForText", "text": "The meeting is added"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/CARE1/inbox"},
                    *CHECK_BOTH,
                ],
                javascript,
            )
        )
        cookie = next(c for c in results if "cookies" in c)["cookies"]
        session = next(c for c in cookie if c["name"] == "coproduce_lead")
        assert session["httpOnly"] and session["sameSite"] == "Lax"
        await bot.delivered()

        # A comment and a question arrive while the lead has the inbox open (with scripts
        # off, the lead first sees the empty inbox, and the messages after a reload).
        async def members_write(wait: float) -> None:
            await asyncio.sleep(wait)
            await bot.send_in("sms", ANN_PHONE, "The buses are late.")
            await bot.send_in("sms", ANN_PHONE, "QUESTION Is there parking?")

        writing = asyncio.create_task(members_write(3)) if javascript else None
        live = (
            [{"do": "waitForText", "text": "The buses are late.", "timeout": 20000}]
            if javascript
            else [
                {"do": "waitForText", "text": "Nothing has been received yet."},
                {"do": "press", "key": "Tab"},
            ]
        )
        again = await another_link(bot, STAFF_EMAIL)
        await run(base, [*again, {"do": "goto", "path": "/lead/p/CARE1/inbox"}, *live], javascript)
        await (writing or members_write(0))
        await bot.delivered()
        results = checked(
            await run(
                base,
                [
                    *await another_link(bot, STAFF_EMAIL),
                    {"do": "goto", "path": "/lead/p/CARE1/inbox"},
                    {"do": "waitForText", "text": "Is there parking?"},
                    *CHECK_BOTH,
                    {"do": "goto", "path": "/lead/p/CARE1/comments?show=waiting"},
                    *CHECK,
                    {"do": "click", "role": "link", "name": "Check or respond to comment 1"},
                    *CHECK,
                    {"do": "click", "role": "button", "name": "Share as written"},
                    {"do": "waitForText", "text": "The comment is shared with the group."},
                    {"do": "click", "role": "button", "name": "Save the response"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    {"do": "check", "label": "Adopted"},
                    {
                        "do": "fill",
                        "label": "Why? The person who wrote it is told.",
                        "value": "We will ask the bus company.",
                    },
                    {"do": "click", "role": "button", "name": "Save the response"},
                    {"do": "waitForText", "text": "Your response was saved"},
                    {"do": "goto", "path": "/lead/p/CARE1/questions"},
                    *CHECK,
                    {"do": "click", "role": "link", "name": "Check question 1"},
                    *CHECK,
                    {"do": "click", "role": "button", "name": "Do not share it"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    {"do": "click", "role": "button", "name": "Share as written"},
                    {"do": "waitForText", "text": "It is shared with the group."},
                    {"do": "click", "role": "link", "name": "Back to the questions"},
                    {
                        "do": "fill",
                        "label": "Your answer to question 1",
                        "value": "Yes, behind the library.",
                    },
                    {"do": "click", "role": "button", "name": "Send the answer"},
                    {"do": "waitForText", "text": "Your answer is on its way"},
                    {"do": "goto", "path": "/lead/p/CARE1/people"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/CARE1/record"},
                    *CHECK,
                    {"do": "text"},
                    {"do": "goto", "path": "/lead/p/CARE1/audit"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/CARE1/settings"},
                    {"do": "click", "role": "button", "name": "Close the project"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/CARE1/inbox/1/reply"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/language?to=cy&next=/lead/p/CARE1/comments"},
                    *CHECK,
                ],
                javascript,
            )
        )
    record = next(r for r in results if "text" in r)["text"]
    assert "We will ask the bus company." in record and "Yes, behind the library." in record
    told = [m.body for m in await bot.delivered() if m.address == ANN_PHONE]
    assert any("We will ask the bus company." in body for body in told)
    assert any("Yes, behind the library." in body for body in told)


async def test_a_contributor_lead_cannot_open_another_projects_pages(
    bot: MemoryBot, javascript: bool
) -> None:
    require_axe()
    await care1(bot)
    async with served(bot) as base:
        steps = await signed_in_steps(bot, base, JOINT_EMAIL, javascript)
        results = checked(
            await run(
                base,
                [
                    *steps,
                    {"do": "goto", "path": "/lead/p/PARK2/"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/PARK2/audit"},
                ],
                javascript,
            )
        )
    pages = [r for r in results if "status" in r and r.get("url", "").endswith(("PARK2/", "audit"))]
    assert [r["status"] for r in pages] == [404, 404]
    assert all(r["title"].startswith("Page not found") for r in pages)


async def test_a_lead_publishes_a_brief_by_keyboard_alone(bot: MemoryBot, javascript: bool) -> None:
    require_axe()
    await care1(bot)
    async with served(bot) as base:
        steps = await signed_in_steps(bot, base, STAFF_EMAIL, javascript)
        results = await run(
            base,
            [
                *steps,
                {"do": "goto", "path": "/lead/p/CARE1/brief"},
                {"do": "press", "key": "Tab"},  # the skip link
                {"do": "press", "key": "Enter"},
                {"do": "press", "key": "Tab"},  # the first field of the page
                {"do": "press", "key": "Control+A"},
                {"do": "type", "text": "Tell us what matters to you about home care."},
                {"do": "press", "key": "Tab", "times": 8},  # past the file, summary, note, formats
                {"do": "press", "key": "Enter"},
                {"do": "waitForText", "text": "Check the brief before you send it"},
                # The skip link's #main stays in the address, so the page opens at its main
                # content: the next Tab is the first control in it.
                {"do": "press", "key": "Tab"},
                {"do": "press", "key": "Enter"},
                {"do": "waitForText", "text": "is on its way to"},
            ],
            javascript,
        )
    focus = [r["focused"] for r in results if "focused" in r]
    assert focus[0]["text"] == "Skip to main content" and focus[0]["outline"]
    assert focus[2]["name"] == "The brief" and focus[2]["outline"]
    assert focus[5]["name"] == "Preview" and focus[5]["outline"]
    assert focus[7]["name"] == "Publish and send to every member" and focus[7]["outline"]
    sent = await bot.delivered()
    assert any("home care" in m.body for m in sent if m.address == ANN_PHONE)


async def test_every_refusal_page_is_accessible_too(bot: MemoryBot, javascript: bool) -> None:
    require_axe()
    await care1(bot)
    async with transaction(bot.sessions) as session:
        await lead_actions.open_window(session, Actor("t"), "CARE1", days=7, now=bot.clock.now())
    await bot.send_in("sms", ANN_PHONE, "Hello")
    await closed_poll(bot)
    async with served(bot) as base:
        used = await another_link(bot, STAFF_EMAIL)
        checked(
            await run(
                base,
                [
                    *used,
                    {"do": "goto", "path": "/lead/p/CARE1/comments"},
                    *CHECK,
                    {"do": "click", "role": "button", "name": "Respond to the chosen comments"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/CARE1/meetings"},
                    {"do": "click", "role": "button", "name": "Add the meeting"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/CARE1/people"},
                    {"do": "click", "role": "button", "name": "Add and invite them"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/CARE1/questions"},
                    {"do": "click", "role": "button", "name": "Ask every member"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    # A closed poll's chart, and the poll form's errors (the layout step
                    # loads the page afresh, so the errors' reflow is measured in
                    # tests/test_workspace_polls.py).
                    {"do": "goto", "path": "/lead/p/CARE1/polls"},
                    {"do": "waitForText", "text": "Poll 1 (closed)"},
                    *CHECK,
                    {"do": "click", "role": "button", "name": "Send the poll to every member"},
                    {"do": "waitForText", "text": "There is a problem"},
                    {"do": "axe"},
                    {"do": "goto", "path": "/lead/p/CARE1/inbox/1/reply"},
                    {"do": "click", "role": "button", "name": "Send the message"},
                    {"do": "waitForText", "text": "There is a problem"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/p/CARE1/nothing-here"},
                    *CHECK,
                    {"do": "goto", "path": "/lead/"},
                    {"do": "click", "role": "button", "name": "Sign out"},
                    {"do": "waitForText", "text": "You have signed out"},
                    *CHECK,
                    # The same link again: it has been used.
                    used[0],
                    {"do": "waitForText", "text": "This link no longer works"},
                    *CHECK,
                ],
                javascript,
            )
        )


async def closed_poll(bot: MemoryBot) -> None:
    """Poll 1 of CARE1, answered by Ann and closed early: its chart has something to show."""
    async with transaction(bot.sessions) as session:
        await lead_polls.create_poll(
            session,
            Actor("t"),
            "CARE1",
            "Which evening suits you?",
            shape_of(choices=["Tuesday", "Thursday"]),
            now=bot.clock.now(),
        )
    await bot.send_in("sms", ANN_PHONE, "2")
    async with transaction(bot.sessions) as session:
        await lead_polls.close_poll(session, Actor("t"), 1, now=bot.clock.now())
    await bot.delivered()
