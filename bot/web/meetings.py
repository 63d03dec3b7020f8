"""Meetings and comment windows: add a meeting (asking who is coming, if the lead wants), open
a window, extend one with its reason; and one meeting's page, with who is coming and the
forms to change or cancel it."""

from __future__ import annotations

import re

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows import lead_actions, lead_meetings, meeting_changes
from flows.checklist_facts import meetings_and_windows
from storage.errors import InvalidInput

from .context import SignedIn, Web
from .forms import N_, Errors, field, required_text
from .render import page

PLACE_LIMIT = 300
REASON_LIMIT = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME = re.compile(r"^\d{1,2}:\d{2}$")

# The flow's refusals of a change or cancellation, as the field they belong to and a
# workspace sentence the page can translate.
MEETING_REFUSALS: dict[type[InvalidInput], tuple[str, str]] = {
    meeting_changes.MeetingStarted: (
        "meeting",
        N_("The meeting has started, so it can no longer be changed or cancelled"),
    ),
    meeting_changes.MeetingCancelled: ("meeting", N_("The meeting is already cancelled")),
    meeting_changes.TimeGone: ("new-date", N_("Choose a date and time in the future")),
    meeting_changes.NothingToChange: (
        "new-date",
        N_("Give a new date and time or a new place, or both"),
    ),
    meeting_changes.ReasonNeeded: ("reason", N_("Give the reason. Everyone is told it.")),
}


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
                        await lead_meetings.add_meeting(
                            session,
                            lead.actor,
                            code,
                            starts=starts,
                            minutes=int(minutes),
                            place=place or None,
                            window_days=None,
                            ask_attendance=field(form, "ask-attendance") == "yes",
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

    async def show_one(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _meeting_page(request, web, lead, Errors(), {})

    async def act_on_one(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        errors = Errors()
        action = field(form, "action")
        code, number = request.path_params["code"], int(request.path_params["number"])
        now = web.now()
        try:
            async with web.unit() as session:
                # Another project's meeting is not found, before anything else is looked at.
                await lead_meetings.led_meeting(session, lead.actor, number, code)
                await lead_actions.once(session, lead.actor, field(form, "form_id"), now=now)
                if action not in ("change", "cancel"):
                    errors.add("meeting", N_("Choose what to do"))
                    raise _Refused
                # Both forms are on one page, so each has its own reason field.
                reason = required_text(
                    form,
                    f"{action}-reason",
                    errors,
                    empty=N_("Give the reason. Everyone is told it."),
                    limit=REASON_LIMIT,
                )
                if action == "change":
                    starts = _new_time(form, errors)
                    place = field(form, "new-place")
                    if len(place) > PLACE_LIMIT:
                        errors.add("new-place", N_("The place must be 300 characters or fewer"))
                    if not errors:
                        await lead_meetings.change_meeting(
                            session,
                            lead.actor,
                            number,
                            starts=starts,
                            place=place or None,
                            reason=reason,
                            now=now,
                            code=code,
                        )
                elif not errors:
                    await lead_meetings.cancel_meeting(
                        session, lead.actor, number, reason=reason, now=now, code=code
                    )
                if errors:
                    raise _Refused
        except _Refused:
            return await _meeting_page(request, web, lead, errors, dict(form), status=400)
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            name, message = MEETING_REFUSALS.get(
                type(error), ("new-date" if action == "change" else "meeting", "")
            )
            name = f"{action}-reason" if name == "reason" else name
            errors.add(name, message or _refusal(str(error), action))
            return await _meeting_page(request, web, lead, errors, dict(form), status=400)
        return RedirectResponse(f"{request.url.path}?done={action}", status_code=303)

    return [
        Route("/p/{code}/meetings", web.lead_page(show), methods=["GET"]),
        Route("/p/{code}/meetings", web.lead_page(act), methods=["POST"]),
        Route("/p/{code}/meetings/{number:int}", web.lead_page(show_one), methods=["GET"]),
        Route("/p/{code}/meetings/{number:int}", web.lead_page(act_on_one), methods=["POST"]),
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


def _new_time(form: FormData, errors: Errors) -> str | None:
    """The new date and time, if the lead gave either (a new place alone is a change too)."""
    if not field(form, "new-date") and not field(form, "new-time"):
        return None
    return _when(form, "new", errors)


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
    now = web.now()
    async with web.unit() as session:
        project, meetings = await lead_meetings.meetings_of(
            session, lead.actor, request.path_params["code"], now
        )
        _, windows = await meetings_and_windows(session, project)
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


async def _meeting_page(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    async with web.unit() as session:
        project, meeting, answers = await lead_meetings.one_meeting(
            session,
            lead.actor,
            request.path_params["code"],
            int(request.path_params["number"]),
            web.now(),
        )
    return page(
        request,
        "meeting.html",
        status=status,
        project=project,
        meeting=meeting,
        answers=answers,
        errors=errors,
        values=values,
        reason_limit=REASON_LIMIT,
        done=request.query_params.get("done"),
    )
