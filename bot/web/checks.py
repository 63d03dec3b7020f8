"""Checking a member's question, or a reply to the leads' question, before it is shared:
share it as written, share a lead's version, or keep it from the group with a reason.
(Comments are checked on their own page, beside their response.)"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from flows import lead_actions
from flows.lead_actions import Actor, led_project_as
from flows.sharing import MAX_REDACTION
from flows.workspace_questions import item_for_check, unchanged_item
from storage.checks import ItemKind
from storage.errors import InvalidInput

from .context import NotYours, SignedIn, Web
from .forms import N_, Errors, field, required_text
from .render import page

REASON_LIMIT = 1000
KINDS = {"questions": ItemKind.QUESTION, "replies": ItemKind.REPLY}
STALE = N_(
    "Another lead acted on this after you opened this page, "
    "or the form was sent twice. Nothing was changed."
)


CHECK_ACTIONS = ("approve", "redact", "hide")


async def apply_check(
    session: AsyncSession,
    actor: Actor,
    kind: ItemKind,
    number: int,
    action: str,
    form: FormData,
    errors: Errors,
    now: datetime,
) -> None:
    """Share an item as written, share a lead's version, or keep it back with a reason, as
    the form asks; a missing or overlong field goes into ``errors`` and nothing is done.
    Comments (on their own page) and questions and replies (here) are checked alike."""
    if action == "approve":
        await lead_actions.approve(session, actor, kind, number, now=now)
    elif action == "redact":
        text = required_text(
            form, "shared", errors, empty=N_("Enter the words to share"), limit=MAX_REDACTION
        )
        if not errors:
            await lead_actions.redact(session, actor, kind, number, text, now=now)
    elif action == "hide":
        reason = required_text(
            form,
            "hide_reason",
            errors,
            empty=N_("Say why it is not shared. The person who wrote it is told."),
            limit=REASON_LIMIT,
        )
        if not errors:
            await lead_actions.hide(session, actor, kind, number, reason, now=now)


def routes(web: Web) -> list[Route]:
    async def show(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _page(request, web, lead, Errors(), {})

    async def act(request: Request, web: Web, lead: SignedIn) -> Response:
        kind = _kind(request)
        number = int(request.path_params["number"])
        form = await request.form()
        action = field(form, "action")
        errors = Errors()
        now = web.now()
        try:
            async with web.unit() as session:
                project, viewer = await led_project_as(
                    session, lead.actor, request.path_params["code"]
                )
                await item_for_check(session, project, viewer, kind, number)  # of this project
                if not await unchanged_item(session, kind, number, field(form, "version")):
                    errors.add("version", STALE)
                elif action in CHECK_ACTIONS:
                    await apply_check(session, lead.actor, kind, number, action, form, errors, now)
                else:
                    errors.add("action", N_("Choose what to do"))
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            errors.add(action or "action", N_("This could not be done. Check it and try again."))
        if errors:
            status = 409 if errors.get("version") else 400
            return await _page(request, web, lead, errors, dict(form), status=status)
        return RedirectResponse(f"{request.url.path}?done={action}", status_code=303)

    return [
        Route("/p/{code}/{kind:str}/{number:int}/check", web.lead_page(show), methods=["GET"]),
        Route("/p/{code}/{kind:str}/{number:int}/check", web.lead_page(act), methods=["POST"]),
    ]


def _kind(request: Request) -> ItemKind:
    kind = KINDS.get(request.path_params["kind"])
    if kind is None:
        raise NotYours
    return kind


async def _page(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, object],
    status: int = 200,
) -> Response:
    kind = _kind(request)
    async with web.unit() as session:
        project, viewer = await led_project_as(session, lead.actor, request.path_params["code"])
        item = await item_for_check(
            session, project, viewer, kind, int(request.path_params["number"])
        )
    return page(
        request,
        "check.html",
        status=status,
        project=project,
        item=item,
        errors=errors,
        values=values,
        reason_limit=REASON_LIMIT,
        redaction_limit=MAX_REDACTION,
        done=request.query_params.get("done"),
    )
