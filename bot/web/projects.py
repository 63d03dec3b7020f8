"""My projects, and each project's overview with the co-production checklist."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flows.lead_actions import led_project_as
from flows.record import project_record
from flows.workspace_views import lead_projects
from storage.models import LeadKind

from .context import SignedIn, Web
from .render import page


def routes(web: Web) -> list[Route]:
    async def home(request: Request, web: Web, lead: SignedIn) -> Response:
        async with web.unit() as session:
            cards = await lead_projects(session, lead.contributor_id, web.now())
        return page(request, "projects.html", cards=cards)

    async def overview(request: Request, web: Web, lead: SignedIn) -> Response:
        async with web.unit() as session:
            project, kind = await led_project_as(session, lead.actor, request.path_params["code"])
            record = await project_record(
                session, project, for_leads=kind == LeadKind.STAFF, now=web.now()
            )
        return page(request, "overview.html", project=project, kind=kind, record=record)

    return [
        Route("/", web.lead_page(home)),
        Route("/p/{code}/", web.lead_page(overview)),
    ]
