"""People in a project, and the inbox of what they sent, with new messages arriving live
(server-sent events; with scripts off, a refresh link does the same)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from channels.base import AccessNeed
from flows import lead_actions
from flows.i18n import available_languages
from flows.lead_actions import led_project_as
from flows.lead_messages import MAX_REPLY
from flows.new_contributors import contributor_from_fields, parse_addresses
from flows.workspace_people import project_inbox, project_people
from storage.contributors import NewContributor
from storage.errors import InvalidInput, NotFound

from .context import NotYours, SignedIn, Web
from .forms import N_, Errors, field, page_number, required_text
from .render import environment, page

LEFT = N_("They have left the project, so they get no more of its messages")
PEOPLE_PAGE = 100
NAME_LIMIT = 200
TAKEN = N_("That address already belongs to someone we have. Invite them instead.")
# The needs that change what we send; the workspace offers them as a plain list to tick.
KNOWN_NEEDS = tuple(need.value for need in AccessNeed)
INBOX_PAGE = 50
# How often the live inbox looks for new messages, and how long one stream lasts before the
# browser reconnects (so a closed tab never holds a connection for long).
POLL_SECONDS = 2.0
STREAM_SECONDS = 300


def routes(web: Web) -> list[Route]:
    async def people(request: Request, web: Web, lead: SignedIn) -> Response:
        number = page_number(request.query_params.get("page"))
        return await _people_page(request, web, lead, number, Errors(), {})

    async def add_people(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        errors = Errors()
        action = field(form, "action")
        code = request.path_params["code"]
        done = ""
        try:
            async with web.unit() as session:
                await lead_actions.once(session, lead.actor, field(form, "form_id"), now=web.now())
                if action == "existing":
                    reference = field(form, "reference")
                    if not reference:
                        errors.add("reference", N_("Enter their email address or number"))
                    else:
                        invited = await lead_actions.add_members(
                            session,
                            lead.actor,
                            code,
                            [reference],
                            now=web.now(),
                            organisation=web.services.settings.organisation,
                        )
                        done = "invited" if invited.added else "already"
                elif action == "new":
                    new = _new_person(form, errors, web.services.settings.default_region)
                    if new is not None:
                        await lead_actions.add_new_member(
                            session,
                            lead.actor,
                            code,
                            new,
                            now=web.now(),
                            organisation=web.services.settings.organisation,
                        )
                        done = "invited"
                else:
                    errors.add("action", N_("Choose what to do"))
                if errors:
                    raise _Refused
        except NotFound:
            errors.add("reference", N_("We have no one with that email address or number"))
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            errors.add(
                "email", N_("That address already belongs to someone we have. Invite them instead.")
            )
        except _Refused:
            pass
        if errors:
            return await _people_page(request, web, lead, 1, errors, dict(form), status=400)
        return RedirectResponse(f"{request.url.path}?done={done}", status_code=303)

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
                        await lead_actions.once(
                            session, lead.actor, field(form, "form_id"), now=web.now()
                        )
                        await lead_actions.reply_to_message(
                            session,
                            lead.actor,
                            request.path_params["code"],
                            number,
                            text,
                            now=web.now(),
                        )
                except InvalidInput as error:
                    if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
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
        Route("/p/{code}/people", web.lead_page(people), methods=["GET"]),
        Route("/p/{code}/people", web.lead_page(add_people), methods=["POST"]),
        Route("/p/{code}/inbox", web.lead_page(inbox)),
        Route("/p/{code}/inbox/events", web.lead_page(inbox_events)),
    ]


class _Refused(Exception):
    pass


def _new_person(form: FormData, errors: Errors, region: str) -> NewContributor | None:
    name = field(form, "name")
    if not name:
        errors.add("name", N_("Enter their name"))
    elif len(name) > NAME_LIMIT:
        errors.add("name", N_("The name must be 200 characters or fewer"))
    email, phone = field(form, "email"), field(form, "phone")
    if not email and not phone:
        errors.add("email", N_("Enter an email address or a mobile number"))
    language = field(form, "language")
    if language and language not in available_languages():
        errors.add("language", N_("Choose a language from the list"))
    needs = [n for n in form.getlist("needs") if isinstance(n, str) and n in KNOWN_NEEDS]
    for name_of_field, typed, message in (
        ("email", (email, None), N_("Enter an email address like name@example.org")),
        ("phone", (None, phone), N_("Enter a mobile number like 07700 900123")),
    ):
        try:
            parse_addresses(*typed, None, region)
        except ValueError:
            errors.add(name_of_field, message)
    if errors:
        return None
    return contributor_from_fields(
        name=name,
        email=email or None,
        phone=phone or None,
        telegram=None,
        language=language or None,
        channel=field(form, "channel") or None,
        access_needs=",".join(needs),
        region=region,
    )


async def _people_page(
    request: Request,
    web: Web,
    lead: SignedIn,
    number: int,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    async with web.unit() as session:
        project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
        found = await project_people(
            session, project, kind, offset=(number - 1) * PEOPLE_PAGE, limit=PEOPLE_PAGE
        )
    return page(
        request,
        "people.html",
        status=status,
        project=project,
        kind=kind,
        found=found,
        number=number,
        pages=max(1, -(-found.total // PEOPLE_PAGE)),
        errors=errors,
        values=values,
        languages=available_languages(),
        needs=KNOWN_NEEDS,
        done=request.query_params.get("done"),
    )
