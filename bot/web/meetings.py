"""Meetings and comment windows: add a meeting, open a window, extend one with its reason."""

from __future__ import annotations

import re

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows import lead_actions
from flows.checklist_facts import meetings_and_windows
from flows.lead_actions import led_project_as
from storage.errors import InvalidInput

from .context import SignedIn, Web
from .forms import N_, Errors, field, required_text
from .render import page

PLACE_LIMIT = 300
REASON_LIMIT = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")


def routes(web: Web) -> list[Route]:
    async def show(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _page(request, web, lead, Errors(), {})

    async def act(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        errors = Errors()
        action = field(form, "action")
        code = request.path_params["code"]
        now = web.now()
        try:
            async with web.unit() as session:
                await lead_actions.once(session, lead.actor, field(form, "form_id"), now=now)
                if action == "meeting":
                    starts = _when(form, "meeting", errors)
                    minutes = field(form, "minutes")
                    if not minutes.isdigit() or not 10 <= int(minutes) <= 600:
                        errors.add("minutes", N_("Enter how long it lasts, from 10 to 600 minutes"))
                    place = field(form, "place")
                    if len(place) > PLACE_LIMIT:
                        errors.add("place", N_("The place must be 300 characters or fewer"))
                    if starts and not errors:
                        await lead_actions.add_meeting(
                            session,
                            lead.actor,
                            code,
                            starts=starts,
                            minutes=int(minutes),
                            place=place or None,
                            window_days=None,
                            now=now,
                        )
                elif action == "extend":
                    until = _when(form, "until", errors)
                    reason = required_text(
                        form,
                        "reason",
                        errors,
                        empty=N_("Give the reason. Everyone is told it."),
                        limit=REASON_LIMIT,
                    )
                    if until and not errors:
                        await lead_actions.extend_window(
                            session, lead.actor, code, until=until, reason=reason, now=now
                        )
                elif action == "open":
                    await lead_actions.open_window(session, lead.actor, code, days=None, now=now)
                else:
                    errors.add("action", N_("Choose what to do"))
                if errors:
                    raise _Refused
        except _Refused:
            return await _page(request, web, lead, errors, dict(form), status=400)
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            name = {"extend": "until-date", "meeting": "meeting-date"}.get(action, "open")
            errors.add(name, _refusal(str(error), action))
            return await _page(request, web, lead, errors, dict(form), status=400)
        return RedirectResponse(f"{request.url.path}?done={action}", status_code=303)

    return [
        Route("/p/{code}/meetings", web.lead_page(show), methods=["GET"]),
        Route("/p/{code}/meetings", web.lead_page(act), methods=["POST"]),
    ]


class _Refused(Exception):
    pass


def _when(form: FormData, prefix: str, errors: Errors) -> str | None:
    day, at = field(form, f"{prefix}-date"), field(form, f"{prefix}-time")
    if not _DATE.match(day):
        errors.add(f"{prefix}-date", N_("Enter the date like 2027-03-25"))
    if not _TIME.match(at):
        errors.add(f"{prefix}-time", N_("Enter the time like 18:30"))
    return f"{day} {at}" if _DATE.match(day) and _TIME.match(at) else None


def _refusal(reason: str, action: str) -> str:
    """The flow's refusal, as a workspace sentence the page can translate."""
    if "already open" in reason:
        return N_("Comments are already open. Extend the window instead.")
    if "not open" in reason:
        return N_("No comment window is open. Open one first.")
    if "closed" in reason:
        return N_("The project is closed")
    if action == "extend":
        return N_("Choose a date and time later than the current closing date")
    return N_("Enter a real date and time")


async def _page(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    async with web.unit() as session:
        project, _ = await led_project_as(session, lead.actor, request.path_params["code"])
        meetings, windows = await meetings_and_windows(session, project)
    now = web.now()
    open_windows = [w for w in windows if w.opens_at <= now < w.closes_at]
    return page(
        request,
        "meetings.html",
        status=status,
        project=project,
        meetings=meetings,
        open_windows=open_windows,
        errors=errors,
        values=values,
        reason_limit=REASON_LIMIT,
        done=request.query_params.get("done"),
    )
