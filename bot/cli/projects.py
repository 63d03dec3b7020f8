"""``coproduce project create | add-members | list`` (add-lead and remove-lead: leads.py)."""

from __future__ import annotations

import typer

from bot.clock import SystemClock
from flows import lead_actions
from flows.i18n import parse_language
from flows.message_times import describe_message_times, hh_mm, quiet_hours_of
from flows.workspace_settings import set_organisation
from storage.contributors import find_contributor
from storage.db import transaction
from storage.errors import InvalidInput
from storage.models import LeadKind, Sharing
from storage.projects import create_project, list_projects

from ..settings import Settings
from .briefs import lacking_lines
from .common import (
    BY_HELP,
    cli_actor,
    database,
    login_actor,
    note,
    print_json,
    reports_errors,
    run,
)

app = typer.Typer(help="Projects, their leads and members.", no_args_is_help=True)

SHARING_HELP = (
    "checked (the default): a lead approves every comment, question and reply before the "
    "group sees it; open: shared at once unless the checks flag it (contact details, an "
    "address, a name, words about harm)."
)


def _sharing(word: str) -> Sharing:
    try:
        return Sharing(word.strip().lower())
    except ValueError:
        raise InvalidInput(f"--sharing must be checked or open, not '{word}'") from None


DIGEST_HELP = "When the day's digest of comments goes, HH:MM in the project's zone."
QUIET_HELP = (
    "Hours with no scheduled or broadcast messages, e.g. 21:00-08:00 (or none); "
    "direct replies still go."
)
ORGANISATION_HELP = (
    "Who runs the project, e.g. 'Millbrook Council': invitations and emails name it "
    "(default: COPRODUCE_ORGANISATION)."
)


@app.command("create")
@reports_errors
def create(
    code: str = typer.Argument(..., help="A short code people type, e.g. CARE1."),
    title: str = typer.Option(..., "--title", help="The project's title."),
    lead: list[str] = typer.Option(
        [], "--lead", help="A lead from the organisation's team: contributor id or email."
    ),
    joint_lead: list[str] = typer.Option(
        [], "--joint-lead", help="A lead chosen from the contributors: id or email."
    ),
    time_zone: str = typer.Option("Europe/London", "--time-zone", help="For dates in messages."),
    language: str = typer.Option("en", "--language", help="For members with no language set."),
    open_to_all: bool = typer.Option(
        False, "--open", help="Anyone may join with JOIN CODE, not only those invited."
    ),
    sharing: str = typer.Option("checked", "--sharing", help=SHARING_HELP),
    digest_at: str = typer.Option("10:00", "--digest-at", help=DIGEST_HELP),
    quiet_hours: str = typer.Option("21:00-08:00", "--quiet-hours", help=QUIET_HELP),
    organisation: str = typer.Option(None, "--organisation", help=ORGANISATION_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Create a project with its leads (who become members too)."""
    sharing_mode = _sharing(sharing)
    if not lead and not joint_lead:
        raise InvalidInput("a project needs at least one --lead")
    default_language = parse_language(language)

    async def _create() -> tuple[int, str, list[int]]:
        async with database() as sessions, transaction(sessions) as session:
            leads = [(await find_contributor(session, ref), LeadKind.STAFF) for ref in lead]
            leads += [
                (await find_contributor(session, ref), LeadKind.CONTRIBUTOR) for ref in joint_lead
            ]
            project = await create_project(
                session,
                code=code,
                title=title,
                leads=leads,
                now=SystemClock().now(),
                time_zone=time_zone,
                default_language=default_language,
                open_to_all=open_to_all,
                sharing=sharing_mode,
                actor=login_actor().label,
                digest_at=hh_mm(digest_at),
                quiet_hours=quiet_hours_of(quiet_hours),
                organisation=organisation,
            )
            return project.id, project.code, [c.id for c, _ in leads]

    project_id, project_code, lead_ids = run(_create())
    if json_output:
        print_json({"id": project_id, "code": project_code, "leads": lead_ids})
    else:
        unique = list(dict.fromkeys(lead_ids))
        leads_text = ("leads " if len(unique) > 1 else "lead ") + ", ".join(map(str, unique))
        typer.echo(f"Created project {project_code} ({' '.join(title.split())}) with {leads_text}.")
    if len(set(lead_ids)) < 2 or not joint_lead:
        note(
            "co-production needs two leads: one from your team (--lead) and one chosen from "
            "the contributors (--joint-lead)"
        )


@app.command("update")
@reports_errors
def update_command(
    code: str = typer.Argument(..., help="The project code."),
    sharing: str = typer.Option(None, "--sharing", help=SHARING_HELP),
    digest_at: str = typer.Option(None, "--digest-at", help=DIGEST_HELP),
    quiet_hours: str = typer.Option(None, "--quiet-hours", help=QUIET_HELP),
    organisation: str = typer.Option(
        None, "--organisation", help=ORGANISATION_HELP + " An empty value names none."
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Change how a project shares what people send, when its messages go, or the
    organisation it names, from now on."""
    if sharing is None and digest_at is None and quiet_hours is None and organisation is None:
        raise InvalidInput(
            "say what to change: --sharing, --digest-at, --quiet-hours or --organisation"
        )
    if organisation is not None:
        _update_organisation(code, organisation, by)
    if digest_at is not None or quiet_hours is not None:
        _update_message_times(code, digest_at, quiet_hours, by)
    if sharing is None:
        return
    mode = _sharing(sharing)

    async def _update() -> tuple[str, int]:
        async with database() as sessions, transaction(sessions) as session:
            project, waiting = await lead_actions.set_sharing(
                session, await cli_actor(session, by), code, mode, now=SystemClock().now()
            )
            return project.code, waiting

    project_code, waiting = run(_update())
    typer.echo(f"{project_code} now shares {mode.value}: {_SHARING_SAYS[mode]}")
    if waiting:
        note(
            f"still waiting for a check, as before: {waiting}; see "
            f"coproduce comment list {project_code} --waiting"
        )


def _update_organisation(code: str, organisation: str, by: str | None) -> None:
    async def _update() -> str:
        async with database() as sessions, transaction(sessions) as session:
            project = await set_organisation(
                session, await cli_actor(session, by), code, organisation, now=SystemClock().now()
            )
            if project.organisation:
                return f"{project.code}: invitations and emails name {project.organisation}."
            default = Settings().organisation
            if default:
                return f"{project.code}: invitations and emails name {default} (the default)."
            return f"{project.code}: invitations and emails name no organisation."

    typer.echo(run(_update()))


def _update_message_times(
    code: str, digest_at: str | None, quiet_hours: str | None, by: str | None
) -> None:
    async def _update() -> str:
        async with database() as sessions, transaction(sessions) as session:
            project = await lead_actions.set_message_times(
                session,
                await cli_actor(session, by),
                code,
                digest_at=digest_at,
                quiet_hours=quiet_hours,
                now=SystemClock().now(),
            )
            return f"{project.code}: {describe_message_times(project)}."

    typer.echo(run(_update()))


_SHARING_SAYS = {
    Sharing.CHECKED: "a lead approves everything before the group sees it.",
    Sharing.OPEN: "what people send is shared at once, unless the checks flag it.",
}


@app.command("add-members")
@reports_errors
def add_members_command(
    code: str = typer.Argument(..., help="The project code."),
    contributors: list[str] = typer.Argument(None, help="Contributor ids or emails."),
    all_contributors: bool = typer.Option(False, "--all", help="Invite every contributor."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Invite contributors to a project (all of them with --all); each is told, with the brief."""
    references = contributors or []
    if all_contributors == bool(references):
        raise InvalidInput("name the contributors to add, or use --all (not both)")

    async def _add() -> lead_actions.Invited:
        async with database() as sessions, transaction(sessions) as session:
            return await lead_actions.add_members(
                session,
                await cli_actor(session, by),
                code,
                None if all_contributors else references,
                now=SystemClock().now(),
                organisation=Settings().organisation,
            )

    invited = run(_add())
    project_code, added, already = invited.project.code, invited.added, invited.already
    if json_output:
        print_json(
            {
                "project": project_code,
                "added": list(added),
                "already": list(already),
                "missing_formats": {str(need): n for need, n in invited.lacking.items()},
            }
        )
        return
    typer.echo(
        f"Invited {len(added)} contributor{'s' if len(added) != 1 else ''} to {project_code}"
        + (f" ({len(already)} already in it)." if already else ".")
    )
    for line in lacking_lines(invited.lacking):
        note(line)


@app.command("list")
@reports_errors
def list_command(
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List projects with their leads and how many members they have."""

    async def _list() -> list[dict[str, object]]:
        async with database() as sessions, sessions() as session:
            return [
                {
                    "code": s.project.code,
                    "title": s.project.title,
                    "status": s.project.status.value,
                    "time_zone": s.project.time_zone,
                    "sharing": s.project.sharing.value,
                    "leads": list(s.lead_ids),
                    "members": s.member_count,
                }
                for s in await list_projects(session)
            ]

    projects = run(_list())
    if json_output:
        print_json(projects)
        return
    if not projects:
        typer.echo("No projects yet. Create one with: coproduce project create CODE --title ...")
        return
    for p in projects:
        leads = ", ".join(map(str, p["leads"]))  # type: ignore[call-overload]
        typer.echo(
            f"{p['code']}: {p['title']} | {p['status']} | leads {leads} | {p['members']} members"
        )
