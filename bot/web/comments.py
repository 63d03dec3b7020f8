"""Comments: what waits for a check, what needs a response, and all of them; checking one
(approve, redact, hide), responding to one or to several at once, and naming the lead who
responds to one, and by when."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows import lead_actions, lead_responsibility
from flows.lead_actions import led_project_as
from flows.sharing import MAX_REDACTION
from flows.workspace_comments import Changed, Show, comments_page, respond, version_of
from storage.checks import ItemKind
from storage.comments import find_comment
from storage.errors import InvalidInput
from storage.models import ResponseStatus

from .checks import CHECK_ACTIONS, REASON_LIMIT, apply_check
from .context import NotYours, SignedIn, Web
from .forms import N_, Errors, field, page_number, required_text
from .render import page

PAGE_SIZE = 50
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
STATUSES = [status.value for status in ResponseStatus]
STALE_SEVERAL = N_(
    "Another lead acted on one of these comments after you opened this page. "
    "Nothing was changed. Check them again."
)
STALE_ONE = N_(
    "Another lead acted on this comment after you opened this page, "
    "or the form was sent twice. Nothing was changed."
)


def routes(web: Web) -> list[Route]:
    async def listing(request: Request, web: Web, lead: SignedIn) -> Response:
        show = _show(request.query_params.get("show"))
        number = page_number(request.query_params.get("page"))
        return await _list(request, web, lead, show, number, Errors(), {})

    async def respond_to_several(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        show = _show(field(form, "show"))
        errors = Errors()
        chosen = [int(v) for v in form.getlist("comment") if isinstance(v, str) and v.isdigit()]
        if not chosen:
            errors.add("comment", N_("Choose at least one comment"))
        status, reason = _response(form, errors)
        if errors:
            return await _list(request, web, lead, show, 1, errors, dict(form), status=400)
        versions = {n: field(form, f"version-{n}") for n in chosen}
        try:
            async with web.unit() as session:
                project, _ = await led_project_as(session, lead.actor, request.path_params["code"])
                await lead_actions.once(session, lead.actor, field(form, "form_id"), now=web.now())
                for n in chosen:
                    if (await find_comment(session, n)).project_id != project.id:
                        raise NotYours
                await respond(session, lead.actor, chosen, versions, status, reason, now=web.now())
        except Changed:
            errors.add(
                "comment",
                STALE_SEVERAL,
            )
            return await _list(request, web, lead, show, 1, errors, {}, status=409)
        query = urlencode({"show": show.value, "done": "responded", "count": len(chosen)})
        return RedirectResponse(f"{request.url.path}?{query}", status_code=303)

    async def one(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _one(request, web, lead, Errors(), {})

    async def act_on_one(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        action = field(form, "action")
        errors = Errors()
        number = int(request.path_params["number"])
        now = web.now()
        try:
            async with web.unit() as session:
                project, _ = await led_project_as(session, lead.actor, request.path_params["code"])
                comment = await find_comment(session, number)
                if comment.project_id != project.id:
                    raise NotYours
                if version_of(comment) != field(form, "version"):
                    raise Changed("stale")
                if action in CHECK_ACTIONS:
                    await apply_check(
                        session, lead.actor, ItemKind.COMMENT, number, action, form, errors, now
                    )
                elif action == "respond":
                    status, reason_text = _response(form, errors)
                    if not errors:
                        await lead_actions.respond_to_comment(
                            session, lead.actor, number, status, reason_text, now=now
                        )
                elif action == "assign":
                    await lead_actions.once(session, lead.actor, field(form, "form_id"), now=now)
                    person, due_on = _assignment(form, errors)
                    if due_on is not None:
                        await lead_responsibility.assign_comment(
                            session, lead.actor, number, person, due_on=due_on, now=now
                        )
                else:
                    errors.add("action", N_("Choose what to do"))
        except Changed:
            errors.add(
                "version",
                STALE_ONE,
            )
            return await _one(request, web, lead, errors, {}, status=409)
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            if action == "assign":
                errors.add(*_assign_refusal(str(error)))
            else:
                errors.add(
                    action or "action",
                    N_("This could not be done. Check the comment and try again."),
                )
            return await _one(request, web, lead, errors, dict(form), status=400)
        if errors:
            return await _one(request, web, lead, errors, dict(form), status=400)
        return RedirectResponse(f"{request.url.path}?done={action}", status_code=303)

    return [
        Route("/p/{code}/comments", web.lead_page(listing), methods=["GET"]),
        Route("/p/{code}/comments", web.lead_page(respond_to_several), methods=["POST"]),
        Route("/p/{code}/comments/{number:int}", web.lead_page(one), methods=["GET"]),
        Route("/p/{code}/comments/{number:int}", web.lead_page(act_on_one), methods=["POST"]),
    ]


def _show(value: str | None) -> Show:
    try:
        return Show(value or Show.ALL)
    except ValueError:
        return Show.ALL


def _response(form: FormData, errors: Errors) -> tuple[ResponseStatus, str | None]:
    chosen = field(form, "status")
    if chosen not in STATUSES:
        errors.add("status", N_("Choose what was done with it"))
    reason = required_text(
        form,
        "reason",
        errors,
        empty=N_("Give the reason. The person who wrote it is told."),
        limit=REASON_LIMIT,
    )
    return ResponseStatus(chosen) if chosen in STATUSES else ResponseStatus.UNDER_REVIEW, reason


def _assignment(form: FormData, errors: Errors) -> tuple[str, date | None]:
    """The lead chosen (a contributor id) and the day typed, or why not."""
    person = field(form, "named")
    if not person.isdigit():
        errors.add("named", N_("Choose the lead who responds"))
    typed = field(form, "due_on")
    due_on = None
    if not _DATE.match(typed):
        errors.add("due_on", N_("Enter the date like 2027-12-01"))
    else:
        try:
            due_on = date.fromisoformat(typed)
        except ValueError:
            errors.add("due_on", N_("Enter a real date"))
    return person, due_on if not errors else None


def _assign_refusal(reason: str) -> tuple[str, str]:
    """The flow's refusal, as a sentence of the workspace's catalog, beside its field."""
    if "in the past" in reason:
        return "due_on", N_("The date cannot be in the past")
    if "not a lead" in reason:
        return "named", N_("Choose one of the leads of this project")
    return "named", N_("No one can be named for this comment now: it already has a response.")


async def _list(
    request: Request,
    web: Web,
    lead: SignedIn,
    show: Show,
    number: int,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    async with web.unit() as session:
        project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
        found = await comments_page(
            session, project, kind, show, offset=(number - 1) * PAGE_SIZE, limit=PAGE_SIZE
        )
    pages = max(1, -(-found.total // PAGE_SIZE))
    return page(
        request,
        "comments.html",
        status=status,
        project=project,
        show=show.value,
        found=found,
        number=number,
        pages=pages,
        errors=errors,
        values=values,
        statuses=STATUSES,
        reason_limit=REASON_LIMIT,
        done=request.query_params.get("done"),
        count=request.query_params.get("count", ""),
    )


async def _one(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    number = int(request.path_params["number"])
    async with web.unit() as session:
        project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
        comment = await find_comment(session, number)
        if comment.project_id != project.id:
            raise NotYours
        found = await comments_page(
            session, project, kind, Show.ALL, offset=0, limit=1, number=number
        )
        naming = await lead_responsibility.naming_of(session, project, comment)
    return page(
        request,
        "comment.html",
        status=status,
        project=project,
        comment=found.comments[0],
        errors=errors,
        values=values,
        statuses=STATUSES,
        reason_limit=REASON_LIMIT,
        redaction_limit=MAX_REDACTION,
        naming=naming,
        done=request.query_params.get("done"),
    )
