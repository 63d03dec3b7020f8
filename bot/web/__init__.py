"""The leads' web workspace at ``/lead/``: server-rendered pages over the same lead actions
as the command line and the channel words (:mod:`flows.lead_actions`), and read models from
the flows. No rule and no storage access of its own.

Every form carries a CSRF token (asgi-csrf, double-submit cookie signed with a secret the
service keeps in its database, so every process and every restart agrees on it).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.services import Services
from storage.lead_sessions import service_secret

from . import (
    briefs,
    checks,
    comments,
    meetings,
    messages,
    people,
    polls,
    projects,
    questions,
    record,
    settings,
    sign_in,
)
from .context import Web
from .render import page

STATIC = Path(__file__).parent / "static"


def workspace_app(services: Services) -> ASGIApp:
    web = Web(services)
    pages = Starlette(
        routes=[
            *sign_in.routes(web),
            *projects.routes(web),
            *people.routes(web),
            *messages.routes(web),
            *comments.routes(web),
            *questions.routes(web),
            *polls.routes(web),
            *checks.routes(web),
            *briefs.routes(web),
            *meetings.routes(web),
            *record.routes(web),
            *settings.routes(web),
            Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
        ],
        exception_handlers={404: _no_such_page},
    )
    return _WithCsrf(pages, web)


class _WithCsrf:
    """asgi-csrf around the pages, built on the first request, once the secret is read."""

    def __init__(self, app: ASGIApp, web: Web) -> None:
        self._app = app
        self._web = web
        self._protected: ASGIApp | None = None
        self._lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._protected is None:
            async with self._lock:
                if self._protected is None:
                    async with self._web.unit() as session:
                        secret = await service_secret(session, "csrf")
                    self._protected = asgi_csrf(
                        self._app,
                        signing_secret=secret,
                        cookie_path="/lead",
                        cookie_secure=self._web.secure_cookies,
                        cookie_samesite="Lax",
                        # With no cookie at all a form was never loaded here: refuse too.
                        always_protect={"/lead/login", "/lead/sign-out"},
                        send_csrf_failed=self._refused,
                        # asgi-csrf cannot read multipart bodies with python-multipart 0.0.26
                        # and later (simonw/asgi-csrf#38), and older ones have known flaws:
                        # an upload form's token is checked by the page (form_token_matches).
                        skip_if_scope=_multipart,
                    )
        await self._protected(scope, receive, send)

    async def _refused(self, scope: Scope, send: Send, message_id: object) -> None:
        request = Request(scope)
        request.state.language = self._web.language(request)
        response = page(request, "form_expired.html", status=403)
        await response(scope, _no_body, send)


async def _no_such_page(request: Request, error: Exception) -> Response:
    """An address in the workspace that leads nowhere: the same page as one not yours."""
    request.state.language = Web.language_of(request)
    return page(request, "not_found.html", status=404)


def _multipart(scope: Scope) -> bool:
    headers = dict(scope.get("headers") or [])
    return headers.get(b"content-type", b"").startswith(b"multipart/form-data")


async def _no_body() -> dict[str, object]:
    return {"type": "http.request", "body": b"", "more_body": False}
