"""``coproduce project add-lead | remove-lead``: a project's leads after it was created."""

from __future__ import annotations

import typer

from bot.clock import SystemClock
from bot.settings import Settings
from flows import lead_actions
from flows.lead_sign_in import operator_link
from storage.db import transaction
from storage.models import LeadKind

from .common import database, login_actor, note, reports_errors, run

TWO_LEADS = (
    "co-production needs two leads: one from your team and one chosen from the contributors "
    "(project add-lead CODE ID --joint)"
)


@reports_errors
def add_lead_command(
    code: str = typer.Argument(..., help="The project code."),
    person: str = typer.Argument(..., help="The new lead: contributor id or email."),
    joint: bool = typer.Option(
        False, "--joint", help="A joint lead chosen from the contributors (else from your team)."
    ),
) -> None:
    """Make a contributor a lead of a project (and a member, if they are not one)."""
    kind = LeadKind.CONTRIBUTOR if joint else LeadKind.STAFF

    project_code, lead_id, kinds = run(_change_leads(code, person, kind))
    what = "joint lead" if joint else "lead"
    typer.echo(f"Contributor {lead_id} is now a {what} of {project_code}.")
    _two_leads_note(kinds)


@reports_errors
def remove_lead_command(
    code: str = typer.Argument(..., help="The project code."),
    person: str = typer.Argument(..., help="The lead stepping down: contributor id or email."),
) -> None:
    """Take a lead's powers away; they stay a member. The last lead cannot be removed."""

    project_code, lead_id, kinds = run(_change_leads(code, person, None))
    typer.echo(
        f"Contributor {lead_id} no longer leads {project_code}; they stay a member "
        "unless they leave."
    )
    _two_leads_note(kinds)


async def _change_leads(
    code: str, person: str, kind: LeadKind | None
) -> tuple[str, int, list[LeadKind]]:
    """Make someone a lead of that kind (None: no longer a lead); the code, the person's id
    and the kinds of lead the project has after it."""
    async with database() as sessions, transaction(sessions) as session:
        project, lead, kinds = await lead_actions.change_leads(
            session, login_actor(), code, person, kind=kind, now=SystemClock().now()
        )
        return project.code, lead.id, kinds


def _two_leads_note(kinds: list[LeadKind]) -> None:
    if len(kinds) < 2 or LeadKind.CONTRIBUTOR not in kinds or LeadKind.STAFF not in kinds:
        note(TWO_LEADS)


lead_app = typer.Typer(help="The leads' web workspace.", no_args_is_help=True)


@lead_app.command("link")
@reports_errors
def link_command(
    person: str = typer.Argument(..., help="The lead: contributor id or email."),
) -> None:
    """Print a one-time link that signs a lead in to the web workspace (for first set-up,
    or when their messages cannot reach them). It works once, for 15 minutes."""
    typer.echo(run(_link(person)))


async def _link(person: str) -> str:
    settings = Settings()
    base = settings.public_url or f"http://{settings.http_host}:{settings.http_port}"
    async with database() as sessions, transaction(sessions) as session:
        _, url = await operator_link(
            session, person, base_url=base, actor=login_actor().label, now=SystemClock().now()
        )
    return url
