"""The brief: write a new version (or upload a Markdown file), see exactly what each channel
will carry, then publish it to every member."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from channels.base import AccessNeed
from flows import lead_actions
from flows.brief_preview import preview_brief
from flows.brief_sending import BriefSending, brief_audience, default_sending, notice_preview
from flows.lead_actions import led_project_as
from storage.briefs import latest_brief
from storage.errors import InvalidInput

from .context import SignedIn, Web, form_expired, form_token_matches
from .forms import N_, Errors, field, upload
from .render import page

TEXT_LIMIT = 20_000
SUMMARY_LIMIT = 300
NOTE_LIMIT = 500
URL_LIMIT = 500
UPLOAD_LIMIT = 200_000  # bytes of Markdown
NEWER = N_(
    "Another lead published a new version of the brief while you were writing. "
    "Nothing was sent. Read their version, then publish yours if it is still needed."
)
FORMATS = (AccessNeed.EASY_READ, AccessNeed.LARGE_PRINT, AccessNeed.AUDIO, AccessNeed.BSL)


def routes(web: Web) -> list[Route]:
    async def show(request: Request, web: Web, lead: SignedIn) -> Response:
        return await _form(request, web, lead, Errors(), {})

    async def act(request: Request, web: Web, lead: SignedIn) -> Response:
        form = await request.form()
        if not form_token_matches(request, form):
            return form_expired(request)
        errors = Errors()
        values = await _read(form, errors)
        if errors:
            return await _form(request, web, lead, errors, values, status=400)
        code = request.path_params["code"]
        if field(form, "action") == "edit":
            return await _form(request, web, lead, errors, values)
        if field(form, "action") != "publish":
            async with web.unit() as session:
                project, _ = await led_project_as(session, lead.actor, code)
                previews = await preview_brief(
                    session,
                    project,
                    text=values["text"],
                    summary=values["summary"] or None,
                    note=values["note"] or None,
                    language=request.state.language,
                    now=web.now(),
                )
                # Who it will go to, whole or as a notice that it changed.
                audience = await brief_audience(
                    session, project, alt_formats=_formats(values), sending=_sending(values)
                )
            values["send"] = audience.sending.value
            return page(
                request,
                "brief_preview.html",
                project=project,
                values=values,
                previews=previews,
                formats=FORMATS,
                audience=audience,
                notice=notice_preview(project, values["note"] or None, request.state.language),
            )
        try:
            async with web.unit() as session:
                await lead_actions.once(session, lead.actor, field(form, "form_id"), now=web.now())
                project, published = await lead_actions.publish_brief(
                    session,
                    lead.actor,
                    code,
                    text=values["text"],
                    summary=values["summary"] or None,
                    note=values["note"] or None,
                    alt_formats=_formats(values),
                    now=web.now(),
                    based_on=int(values["based_on"]),
                    send=_sending(values),
                )
        except lead_actions.BriefChanged:
            errors.add("text", NEWER)
            return await _form(request, web, lead, errors, values, status=409)
        except InvalidInput as error:
            if isinstance(error, lead_actions.NOT_FOR_THE_FORM):
                raise
            errors.add("summary", N_("Write a short summary for text messages"))
            return await _form(request, web, lead, errors, values, status=400)
        audience = published.audience
        assert audience is not None  # set by every publish
        return RedirectResponse(
            f"{request.url.path}?published={published.version}&reached={published.reached}"
            f"&send={audience.sending.value}&whole={audience.whole}&told={audience.told}",
            status_code=303,
        )

    return [
        Route("/p/{code}/brief", web.lead_page(show), methods=["GET"]),
        Route("/p/{code}/brief", web.lead_page(act), methods=["POST"]),
    ]


def _formats(values: dict[str, str]) -> dict[str, str]:
    return {need.value: values[need.value] for need in FORMATS if values[need.value]}


def _sending(values: dict[str, str]) -> BriefSending | None:
    """Who the lead chose to send it to; None: the default for the version."""
    return BriefSending(values["send"]) if values["send"] else None


async def _read(form: FormData, errors: Errors) -> dict[str, str]:
    values = {name: field(form, name) for name in ("text", "summary", "note", "send")}
    if values["send"] not in ("", *(choice.value for choice in BriefSending)):
        errors.add("send", N_("Choose who gets it"))
        values["send"] = ""
    based_on = field(form, "based_on")
    values["based_on"] = based_on if based_on.isdigit() and len(based_on) < 9 else "0"
    file = upload(form, "file")
    if file is not None:
        content = await file.read(UPLOAD_LIMIT + 1)
        if len(content) > UPLOAD_LIMIT:
            errors.add("file", N_("The file must be smaller than 200 KB"))
        else:
            try:
                values["text"] = content.decode("utf-8-sig").strip()
            except UnicodeDecodeError:
                errors.add("file", N_("The file must be a Markdown or text file"))
    if not values["text"] and not errors.get("file"):
        errors.add("text", N_("Enter the brief, or choose a file"))
    elif len(values["text"]) > TEXT_LIMIT:
        errors.add("text", N_("The brief must be 20,000 characters or fewer"))
    if len(values["summary"]) > SUMMARY_LIMIT:
        errors.add("summary", N_("The summary must be 300 characters or fewer"))
    if len(values["note"]) > NOTE_LIMIT:
        errors.add("note", N_("The note must be 500 characters or fewer"))
    for need in FORMATS:
        link = field(form, need.value)
        values[need.value] = link
        if link and (
            len(link) > URL_LIMIT
            or urlsplit(link).scheme not in ("http", "https")
            or not urlsplit(link).netloc
        ):
            errors.add(need.value, N_("Enter a web address that starts with https://"))
    return values


async def _form(
    request: Request,
    web: Web,
    lead: SignedIn,
    errors: Errors,
    values: dict[str, str],
    status: int = 200,
) -> Response:
    async with web.unit() as session:
        project, _ = await led_project_as(session, lead.actor, request.path_params["code"])
        latest = await latest_brief(session, project.id)
    shown = dict(values)
    shown.setdefault("send", "")
    shown["send"] = shown["send"] or default_sending(latest).value
    return page(
        request,
        "brief.html",
        status=status,
        project=project,
        latest=latest,
        errors=errors,
        values=shown,
        formats=FORMATS,
        published=request.query_params.get("published"),
        reached=request.query_params.get("reached", ""),
        sent_as=request.query_params.get("send", "all"),
        whole=request.query_params.get("whole", ""),
        told=request.query_params.get("told", ""),
    )
