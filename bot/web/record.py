"""The project record as a page, its downloads, and the audit log."""

from __future__ import annotations

from dataclasses import replace

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flows.checklist_facts import project_facts
from flows.lead_actions import led_project_as
from flows.record import project_record
from flows.record_render import render
from flows.record_sections import sections
from flows.workspace_views import project_audit
from storage.models import LeadKind

from .context import NotYours, SignedIn, Web
from .forms import page_number
from .render import page

DOWNLOADS = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}
AUDIT_PAGE = 100
RECORD_PAGE = 50


def routes(web: Web) -> list[Route]:
    async def record_page(request: Request, web: Web, lead: SignedIn) -> Response:
        number = page_number(request.query_params.get("page"))
        async with web.unit() as session:
            project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
            # A page at a time of comments and questions; the downloads hold them all.
            start = (number - 1) * RECORD_PAGE
            facts = await project_facts(session, project)
            record = await project_record(
                session,
                project,
                for_leads=kind == LeadKind.STAFF,
                now=web.now(),
                part=(start, RECORD_PAGE),
                facts=facts,
            )
        details = record.details
        # The leads' details (declarations, departures, opt-outs) a page at a time too.
        record = replace(record, details=record.details[start : start + RECORD_PAGE])
        most = max(facts.comments, facts.questions, len(details))
        return page(
            request,
            "record.html",
            project=project,
            record=record,
            sections=sections(record),
            number=number,
            pages=max(1, -(-most // RECORD_PAGE)),
            first=start + 1,
            comments=facts.comments,
            questions=facts.questions,
        )

    async def download(request: Request, web: Web, lead: SignedIn) -> Response:
        form = request.path_params["form"]
        if form not in DOWNLOADS:
            raise NotYours
        async with web.unit() as session:
            project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
            record = await project_record(
                session, project, for_leads=kind == LeadKind.STAFF, now=web.now()
            )
        name = f"{project.code.lower()}-record.{form}"
        return Response(
            render(record, form),
            media_type=DOWNLOADS[form],
            headers={
                "Content-Disposition": f'attachment; filename="{name}"',
                "Cache-Control": "no-store",
            },
        )

    async def audit(request: Request, web: Web, lead: SignedIn) -> Response:
        number = page_number(request.query_params.get("page"))
        async with web.unit() as session:
            project, _ = await led_project_as(session, lead.actor, request.path_params["code"])
            found = await project_audit(
                session, project, offset=(number - 1) * AUDIT_PAGE, limit=AUDIT_PAGE
            )
        pages = max(1, -(-found.total // AUDIT_PAGE))
        return page(request, "audit.html", project=project, found=found, number=number, pages=pages)

    return [
        Route("/p/{code}/record", web.lead_page(record_page)),
        Route("/p/{code}/record.{form}", web.lead_page(download)),
        Route("/p/{code}/audit", web.lead_page(audit)),
    ]
