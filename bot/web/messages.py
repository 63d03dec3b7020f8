"""Send a message: a lead's own words to the group (everyone, those who joined, those only
invited) or to members they tick, through the same flow as ``coproduce message send``."""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows import lead_actions, lead_talk
from flows.announcements import MAX_ANNOUNCEMENT, Audience, read_audience
from flows.lead_actions import led_project_as
from flows.quiet_hours import held_until
from flows.workspace_people import project_people
from storage.errors import InvalidInput, NotFound

from .context import SignedIn, Web
from .forms import N_, Errors, field, required_text
from .render import page

GROUPS = ("all", "joined", "invited")
CHOSEN = "chosen"
# Members offered to tick, by name; more than this and a group is the better choice.
PEOPLE_SHOWN = 500
NOBODY = N_("No one you chose can get it: they have left or stopped messages. Nothing was sent.")


def routes(web: Web) -> list[Route]:
    async def show(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _form(request, web, lead, Errors(), {})

    async def send(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        errors = Errors()
        text = required_text(
            form, "text", errors, empty=N_("Write the message to send"), limit=MAX_ANNOUNCEMENT
        )
        audience = _audience(form, errors)
        values = {"text": text, "to": field(form, "to"), "people": _ticked(form)}
        if errors or audience is None:
            return await _form(request, web, lead, errors, values, status=400)
        try:
            async with web.unit() as session:
                await lead_actions.once(session, lead.actor, field(form, "form_id"), now=web.now())
                _, announced = await lead_talk.announce(
                    session,
                    lead.actor,
                    request.path_params["code"],
                    audience,
                    text,
                    now=web.now(),
                )
        except NotFound:
            errors.add("to", N_("Choose people from the list"))
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            errors.add("to", NOBODY)
        if errors:
            return await _form(request, web, lead, errors, values, status=400)
        return RedirectResponse(
            f"{request.url.path}?sent={announced.reached}&already={announced.already}",
            status_code=303,
        )

    return [
        Route("/p/{code}/messages", web.lead_page(show), methods=["GET"]),
        Route("/p/{code}/messages", web.lead_page(send), methods=["POST"]),
    ]


def _ticked(form: FormData) -> list[str]:
    return [value for value in form.getlist("people") if isinstance(value, str)]


def _audience(form: FormData, errors: Errors) -> Audience | None:
    """Who the form says it is for: a group, or the members ticked."""
    to = field(form, "to")
    if to not in (*GROUPS, CHOSEN):
        errors.add("to", N_("Choose who it is for"))
        return None
    ticked = _ticked(form)
    if to == CHOSEN and not ticked:
        errors.add("to", N_("Tick at least one person"))
        return None
    try:
        return read_audience(ticked if to == CHOSEN else [to])
    except InvalidInput:
        errors.add("to", N_("Choose people from the list"))
        return None


def _count(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 9 else None


async def _form(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    async with web.unit() as session:
        project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
        found = await project_people(session, project, kind, limit=PEOPLE_SHOWN)
    sent = _count(request.query_params.get("sent"))
    return page(
        request,
        "messages.html",
        status=status,
        project=project,
        # Those who left, or were erased, get nothing: not offered.
        people=[person for person in found.people if person.state != "left" and person.name],
        more=found.total > PEOPLE_SHOWN,
        errors=errors,
        values=values,
        limit=MAX_ANNOUNCEMENT,
        sent=sent,
        already=_count(request.query_params.get("already")) or 0,
        held=held_until(project, web.now()) if sent else None,
    )
