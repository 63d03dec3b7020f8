"""What every workspace page shares: the services, who is signed in, their language, and
turning a refusal into a page.

A page handler is written as ``async def handler(request, web, lead)``; :meth:`Web.lead_page`
makes it a Starlette endpoint that first checks the session cookie (no session: to the
sign-in page) and answers 404 for anything the lead may not see, whether it exists or not.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import wraps
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.services import Services
from flows.lead_actions import Actor, NotALead, SentTwice
from flows.lead_sign_in import signed_in_lead
from storage.db import transaction
from storage.errors import NotFound

from .render import WORKSPACE_LANGUAGES, page

SESSION_COOKIE = "coproduce_lead"
LANGUAGE_COOKIE = "coproduce_language"


@dataclass(frozen=True)
class SignedIn:
    contributor_id: int
    name: str
    token: str

    @property
    def actor(self) -> Actor:
        return Actor.lead(self.contributor_id, named=self.name)


class NotYours(Exception):
    """Not found, or not this lead's to see: both are answered 404, the same way."""


PageHandler = Callable[[Request, "Web", SignedIn], Awaitable[Response]]


class Web:
    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def secure_cookies(self) -> bool:
        return (self.services.settings.public_url or "").startswith("https://")

    def now(self) -> datetime:
        return self.services.clock.now()

    def base_url(self, request: Request) -> str:
        """Where links we send should point: the public URL if set, else how we were called."""
        public = self.services.settings.public_url
        return public.rstrip("/") if public else str(request.base_url).rstrip("/")

    @asynccontextmanager
    async def unit(self) -> AsyncIterator[AsyncSession]:
        """One transaction: reads see one moment; an action commits whole or not at all."""
        async with transaction(self.services.sessions) as session:
            yield session

    def language(self, request: Request, preferred: str | None = None) -> str:
        return self.language_of(request, preferred)

    @staticmethod
    def language_of(request: Request, preferred: str | None = None) -> str:
        """The language chosen with the switch, else the lead's own, else English."""
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        for candidate in (chosen, preferred):
            if candidate in WORKSPACE_LANGUAGES:
                return candidate
        return "en"

    def lead_page(self, handler: PageHandler) -> Callable[[Request], Awaitable[Response]]:
        @wraps(handler)
        async def endpoint(request: Request) -> Response:
            token = request.cookies.get(SESSION_COOKIE, "")
            async with self.unit() as session:
                person = await signed_in_lead(session, token, self.now()) if token else None
                preferred = person.language if person else None
                name = person.name if person else ""
            request.state.language = self.language(request, preferred)
            if person is None:
                wanted = quote(request.url.path, safe="/")
                return RedirectResponse(f"/lead/login?next={wanted}", status_code=303)
            lead = SignedIn(person.id, name, token)
            request.state.lead = lead
            try:
                return await handler(request, self, lead)
            except (NotYours, NotFound, NotALead):
                return not_found(request)
            except SentTwice:
                return RedirectResponse(f"{request.url.path}?twice=1", status_code=303)

        return endpoint


def form_token_matches(request: Request, form: FormData) -> bool:
    """For an upload form (multipart), which the CSRF middleware lets through unread: the
    form's token must be the one in the signed cookie the middleware has already checked."""
    expected = request.scope.get("csrftoken")
    sent = form.get("csrftoken")
    return bool(expected and isinstance(sent, str) and secrets.compare_digest(sent, expected()))


def form_expired(request: Request) -> Response:
    return page(request, "form_expired.html", status=403)


def not_found(request: Request) -> Response:
    return page(request, "not_found.html", status=404)


def safe_next(path: str | None) -> str:
    """Only a path inside the workspace: never an address elsewhere."""
    if path and path.startswith("/lead/") and not path.startswith("//") and "\\" not in path:
        return path
    return "/lead/"
