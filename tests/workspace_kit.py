"""The leads' workspace in tests: the real app over the real services (memory channels as
transport), an HTTP client that keeps cookies, and signing in the way a lead does."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx

from bot.app import create_app
from channels.base import ChannelName
from storage.db import transaction
from storage.memberships import join
from storage.models import LeadKind, Sharing
from storage.projects import find_project
from tests.bot_fixture import MemoryBot
from tests.helpers import add_person, add_project

BASE = "http://workspace.test"
STAFF_EMAIL = "lee@council.example.org"
JOINT_EMAIL = "jo@example.org"
ANN_PHONE = "+447700900001"
PAT_EMAIL = "pat@example.org"


@dataclass
class Workspace:
    bot: MemoryBot
    http: httpx.AsyncClient

    async def csrf(self, path: str) -> str:
        page = await self.http.get(path)
        found = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
        assert found, f"no form token on {path} ({page.status_code})"
        return found.group(1)

    async def post(self, path: str, data: dict[str, object], *, form_from: str | None = None):  # type: ignore[no-untyped-def]
        """Send a form as a browser would: with the page's token and a fresh form id."""
        page = await self.http.get(form_from or path)
        token = re.search(r'name="csrftoken" value="([^"]+)"', page.text)
        assert token, f"no form token on {form_from or path} ({page.status_code})"
        form_id = re.search(r'name="form_id" value="([^"]+)"', page.text)
        fields = {"csrftoken": token.group(1), **({"form_id": form_id.group(1)} if form_id else {})}
        return await self.http.post(path, data={**fields, **data})

    async def link_sent_to(self, address: str) -> str:
        """Ask for a link as a lead does, and read it from the message that arrives."""
        answer = await self.post("/lead/login", {"address": address, "next": "/lead/"})
        assert answer.status_code == 200
        sent = [m for m in await self.bot.delivered() if m.address == address]
        assert sent, f"no sign-in message reached {address}"
        return re.search(r"https?://\S+/lead/sign-in/[\w-]+", sent[-1].body).group(0)  # type: ignore[union-attr]

    async def sign_in(self, address: str) -> httpx.Response:
        path = (await self.link_sent_to(address)).split("/lead/", 1)[1]
        return await self.post(f"/lead/{path}", {"next": "/lead/"})


@asynccontextmanager
async def workspace(bot: MemoryBot, base: str = BASE) -> AsyncIterator[Workspace]:
    transport = httpx.ASGITransport(app=create_app(bot.services))
    async with httpx.AsyncClient(transport=transport, base_url=base) as http:
        yield Workspace(bot, http)


async def care1(bot: MemoryBot) -> None:
    """CARE1, led by Lee (staff) and Jo (a contributor lead), with Ann as a member; PARK2 led
    by Pat. CARE1 checks everything before it is shared."""
    lee = await add_person(bot.sessions, "Lee Staff", email=STAFF_EMAIL)
    jo = await add_person(bot.sessions, "Jo Joint", email=JOINT_EMAIL)
    ann = await add_person(bot.sessions, "Ann Member", phone=ANN_PHONE, preferred=ChannelName.SMS)
    pat = await add_person(bot.sessions, "Pat Other", email=PAT_EMAIL)
    await add_project(
        bot.sessions, "CARE1", leads=[lee], members=[ann, jo], sharing=Sharing.CHECKED
    )
    await add_project(bot.sessions, "PARK2", leads=[pat])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, ann.id, bot.clock.now(), "test")
        await join(session, project, jo.id, bot.clock.now(), "test")
        from storage.leads import add_lead

        await add_lead(
            session, project, jo, LeadKind.CONTRIBUTOR, now=bot.clock.now(), actor="test"
        )
    await bot.delivered()
