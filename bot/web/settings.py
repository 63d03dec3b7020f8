"""A project's settings: how what people send is shared, who leads it, and closing or
reopening it. Each is a lead action, as on the command line."""

from __future__ import annotations

import re
from datetime import date

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows import lead_actions
from flows.lead_actions import led_project_as
from flows.quiet_hours import clock_time
from flows.workspace_settings import project_leads, set_organisation
from storage.errors import InvalidInput, NotFound
from storage.models import LeadKind, Sharing
from storage.projects import ORGANISATION_LIMIT

from .context import SignedIn, Web
from .forms import N_, Errors, field, required_text
from .render import page

REASON_LIMIT = 1000
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def routes(web: Web) -> list[Route]:
    async def show(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _page(request, web, lead, Errors(), {})

    async def act(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        action = field(form, "action")
        code = request.path_params["code"]
        errors = Errors()
        now = web.now()
        try:
            async with web.unit() as session:
                await lead_actions.once(session, lead.actor, field(form, "form_id"), now=now)
                if action == "sharing":
                    mode = field(form, "sharing")
                    if mode not in (Sharing.CHECKED, Sharing.OPEN):
                        errors.add("sharing", N_("Choose how what people send is shared"))
                    else:
                        await lead_actions.set_sharing(
                            session, lead.actor, code, Sharing(mode), now=now
                        )
                elif action == "times":
                    digest_at, quiet_from, quiet_until = _message_times(form, errors)
                    if not errors:
                        await lead_actions.set_message_times(
                            session,
                            lead.actor,
                            code,
                            digest_at=digest_at,
                            quiet_hours=f"{quiet_from}-{quiet_until}",
                            now=now,
                        )
                elif action == "organisation":
                    typed = field(form, "organisation")
                    if len(typed) > ORGANISATION_LIMIT:
                        errors.add(
                            "organisation", N_("This is too long. Shorten it to the limit shown.")
                        )
                    else:
                        await set_organisation(session, lead.actor, code, typed, now=now)
                elif action == "add-lead":
                    person, kind = field(form, "person"), field(form, "kind")
                    if not person:
                        errors.add("person", N_("Enter their email address or number"))
                    if kind not in (LeadKind.STAFF, LeadKind.CONTRIBUTOR):
                        errors.add("kind", N_("Choose how they lead"))
                    if not errors:
                        await lead_actions.change_leads(
                            session, lead.actor, code, person, kind=LeadKind(kind), now=now
                        )
                elif action == "remove-lead":
                    await lead_actions.change_leads(
                        session, lead.actor, code, field(form, "person"), kind=None, now=now
                    )
                elif action == "close":
                    review = _review_date(form, errors)
                    if review is not None:
                        await lead_actions.close_project(
                            session, lead.actor, code, review_on=review, now=now
                        )
                elif action == "reopen":
                    reason = required_text(
                        form,
                        "reopen_reason",
                        errors,
                        empty=N_("Give the reason. Everyone is told it."),
                        limit=REASON_LIMIT,
                    )
                    if not errors:
                        await lead_actions.reopen_project(
                            session, lead.actor, code, reason=reason, now=now
                        )
                else:
                    errors.add("action", N_("Choose what to do"))
                if errors:
                    raise _Refused
        except _Refused:
            pass
        except NotFound:
            errors.add("person", N_("We have no one with that email address or number"))
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            name, message = _refusal(action, str(error))
            errors.add(name, message)
        if errors:
            return await _page(request, web, lead, errors, dict(form), status=400)
        return RedirectResponse(f"{request.url.path}?done={action}", status_code=303)

    return [
        Route("/p/{code}/settings", web.lead_page(show), methods=["GET"]),
        Route("/p/{code}/settings", web.lead_page(act), methods=["POST"]),
    ]


class _Refused(Exception):
    pass


def _message_times(form: FormData, errors: Errors) -> tuple[str, str, str]:
    """The three times typed, each checked as the flow reads it, so an error sits beside
    its own box."""
    typed = []
    for name in ("digest_at", "quiet_from", "quiet_until"):
        value = field(form, name)
        try:
            clock_time(value)
        except InvalidInput:
            errors.add(name, N_("Enter a time like 10:00"))
        typed.append(value)
    return typed[0], typed[1], typed[2]


def _review_date(form: FormData, errors: Errors) -> date | None:
    typed = field(form, "review_on")
    if not _DATE.match(typed):
        errors.add("review_on", N_("Enter the date like 2027-12-01"))
        return None
    try:
        return date.fromisoformat(typed)
    except ValueError:
        errors.add("review_on", N_("Enter a real date"))
        return None


def _refusal(action: str, reason: str) -> tuple[str, str]:
    """The flow's refusal, as a sentence of the workspace's catalog, beside its field."""
    if action == "close":
        if "future" in reason:
            return "review_on", N_("The review date must be in the future")
        if "already closed" in reason:
            return "review_on", N_("The project is already closed")
        return "review_on", N_(
            "Comments are still open, or will open after a meeting. "
            "Close the project after they close."
        )
    if action == "reopen":
        return "reopen_reason", N_("The project is not closed")
    if "only lead" in reason:
        return "person", N_("They are the only lead. Add another lead first.")
    if "already leads" in reason:
        return "person", N_("They already lead this project")
    return "person", N_("They do not lead this project")


async def _page(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    async with web.unit() as session:
        project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
        leads = await project_leads(session, project)
    return page(
        request,
        "settings.html",
        status=status,
        project=project,
        kind=kind,
        leads=leads,
        errors=errors,
        values=values,
        reason_limit=REASON_LIMIT,
        organisation_limit=ORGANISATION_LIMIT,
        default_organisation=web.services.settings.organisation,
        done=request.query_params.get("done"),
    )
