"""People in a project, and the inbox of what they sent, with new messages arriving live
(server-sent events; with scripts off, a refresh link does the same)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from flows import lead_actions
from flows.lead_actions import led_project_as
from flows.lead_messages import MAX_REPLY
from flows.workspace_people import project_inbox, project_people
from storage.errors import InvalidInput

from .context import NotYours, SignedIn, Web
from .forms import N_, Errors, required_text
from .render import environment, page

LEFT = N_("They have left the project, so they get no more of its messages")
PEOPLE_PAGE = 100
INBOX_PAGE = 50
# How often the live inbox looks for new messages, and how long one stream lasts before the
# browser reconnects (so a closed tab never holds a connection for long).
POLL_SECONDS = 2.0
STREAM_SECONDS = 300


def routes(web: Web) -> list[Route]:
    async def people(request: Request, web: Web, lead: SignedIn) -> Response:
        raw = request.query_params.get("page", "1")
        number = int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1
        async with web.unit() as session:
            project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
            found = await project_people(
                session, project, kind, offset=(number - 1) * PEOPLE_PAGE, limit=PEOPLE_PAGE
            )
        pages = max(1, -(-found.total // PEOPLE_PAGE))
        return page(
            request,
            "people.html",
            project=project,
            kind=kind,
            found=found,
            number=number,
            pages=pages,
        )

    async def inbox(request: Request, web: Web, lead: SignedIn) -> Response:
        async with web.unit() as session:
            project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
            lines = await project_inbox(session, project, kind, limit=INBOX_PAGE)
        return page(
            request,
            "inbox.html",
            project=project,
            lines=lines,
            sent=request.query_params.get("sent"),
        )

    async def inbox_events(request: Request, web: Web, lead: SignedIn) -> Response:
        code = request.path_params["code"]
        async with web.unit() as session:
            project, kind = await led_project_as(session, lead.actor, code)
        raw = request.query_params.get("after", "")
        after = int(raw) if raw.isdigit() else 0
        language = request.state.language
        row = environment(language).get_template("_inbox_line.html").module  # type: ignore[attr-defined]

        async def events() -> AsyncIterator[str]:
            nonlocal after
            waited = 0.0
            while waited < STREAM_SECONDS:
                async with web.unit() as session:
                    fresh = await project_inbox(session, project, kind, after_id=after)
                for line in reversed(fresh):
                    after = max(after, line.id)
                    html = str(row.inbox_line(line, project.time_zone, project.code))
                    yield f"event: message\nid: {line.id}\ndata: {json.dumps(html)}\n\n"
                if await request.is_disconnected():
                    return
                await asyncio.sleep(POLL_SECONDS)
                waited += POLL_SECONDS
                yield ": still here\n\n"

        return StreamingResponse(
            events(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
        )

    async def reply(request: Request, web: Web, lead: SignedIn) -> Response:
        number = int(request.path_params["number"])
        errors = Errors()
        text = ""
        if request.method == "POST":
            form = await request.form()
            text = required_text(
                form, "text", errors, empty=N_("Write the message to send"), limit=MAX_REPLY
            )
            if not errors:
                try:
                    async with web.unit() as session:
                        await lead_actions.reply_to_message(
                            session,
                            lead.actor,
                            request.path_params["code"],
                            number,
                            text,
                            now=web.now(),
                        )
                except InvalidInput as error:
                    if isinstance(error, lead_actions.NotALead):
                        raise
                    errors.add(
                        "text",
                        N_("They have left the project, so they get no more of its messages"),
                    )
                else:
                    inbox_path = f"/lead/p/{request.path_params['code']}/inbox?sent={number}"
                    return RedirectResponse(inbox_path, status_code=303)
        async with web.unit() as session:
            project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
            found = await project_inbox(session, project, kind, message_id=number, limit=1)
        if not found:
            raise NotYours
        return page(
            request,
            "reply.html",
            status=400 if errors else 200,
            project=project,
            line=found[0],
            errors=errors,
            text=text,
            limit=MAX_REPLY,
        )

    return [
        Route("/p/{code}/inbox/{number:int}/reply", web.lead_page(reply), methods=["GET", "POST"]),
        Route("/p/{code}/people", web.lead_page(people)),
        Route("/p/{code}/inbox", web.lead_page(inbox)),
        Route("/p/{code}/inbox/events", web.lead_page(inbox_events)),
    ]
