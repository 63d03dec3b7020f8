"""``coproduce project add-lead | remove-lead``: a project's leads after it was created."""

from __future__ import annotations

import typer

from bot.clock import SystemClock
from flows import lead_actions
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
