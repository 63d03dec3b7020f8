"""The one-click unsubscribe link every email carries (RFC 8058): ``/unsubscribe/<token>``.

A POST stops email to the address the token names (what a mail program's "unsubscribe"
button sends, ``List-Unsubscribe=One-Click``, and what the page's button sends); a GET only
shows the page with that button, so a mail scanner that follows links changes nothing. Both
act through :mod:`flows.unsubscribe`. A token we did not make is answered 404 and changes
nothing; a person already stopped is answered 200 and nothing more is done.

The page is in the person's language where the workspace has it (English, Welsh).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.services import Services
from flows.unsubscribe import Unsubscribe, UnsubscribeLink, look_at_link, stop_email_by_link
from storage.db import transaction

from .render import WORKSPACE_LANGUAGES, page


def unsubscribe_routes(services: Services) -> list[Route]:
    async def show(request: Request) -> Response:
        async with transaction(services.sessions) as session:
            link = await look_at_link(session, request.path_params["token"])
        return _answer(request, link)

    async def stop(request: Request) -> Response:
        # The body (List-Unsubscribe=One-Click) is not needed: the POST to the link is the
        # person's word, and the token says whose.
        async with transaction(services.sessions) as session:
            link = await stop_email_by_link(
                session, request.path_params["token"], services.clock.now()
            )
        return _answer(request, link)

    return [
        Route("/unsubscribe/{token}", show, methods=["GET"]),
        Route("/unsubscribe/{token}", stop, methods=["POST"]),
    ]


def _answer(request: Request, link: UnsubscribeLink) -> Response:
    language = link.language if link.language in WORKSPACE_LANGUAGES else "en"
    request.state.language = language
    status = 404 if link.outcome == Unsubscribe.NOT_FOUND else 200
    return page(request, "unsubscribe.html", status=status, outcome=link.outcome.value)
