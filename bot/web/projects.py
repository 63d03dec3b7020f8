"""My projects, and each project's overview with the co-production checklist."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from flows.checklist_facts import project_checklist
from flows.lead_actions import led_project_as
from flows.workspace_views import lead_projects

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
            checks = await project_checklist(session, project, web.now())
        return page(request, "overview.html", project=project, kind=kind, checks=checks)

    return [
        Route("/", web.lead_page(home)),
        Route("/p/{code}/", web.lead_page(overview)),
    ]
