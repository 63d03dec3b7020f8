"""``coproduce project close | reopen`` and ``coproduce audit``: the end of a project, after
it, and the record of who did what."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import typer

from bot.clock import SystemClock
from flows import lead_actions
from flows.i18n import format_day
from storage.audit import project_audit
from storage.db import transaction
from storage.errors import InvalidInput
from storage.models import Contributor
from storage.projects import find_project

from .common import (
    BY_HELP,
    cli_actor,
    database,
    iso_time,
    listed_time,
    print_json,
    reports_errors,
    run,
)


def parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise InvalidInput(f"'{text}' is not a date like YYYY-MM-DD") from error


@reports_errors
def close_command(
    code: str = typer.Argument(..., help="The project code."),
    review_on: str = typer.Option(
        ..., "--review-on", help="When to look back at what changed, YYYY-MM-DD (in the future)."
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Close a project: every member is thanked and told the review date; the leads are
    reminded on that date."""
    day = parse_day(review_on)

    async def _close() -> str:
        async with database() as sessions, transaction(sessions) as session:
            project, reached = await lead_actions.close_project(
                session, await cli_actor(session, by), code, review_on=day, now=SystemClock().now()
            )
            return (
                f"Closed {project.code}; thanking {reached} members. The leads will be reminded "
                f"on {format_day(day, 'en')}."
            )

    typer.echo(run(_close()))


@reports_errors
def reopen_command(
    code: str = typer.Argument(..., help="The project code."),
    reason: str = typer.Option("", "--reason", help="Why; it goes to every member."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Open a closed project again (for comments, complaints or praise after it ended); every
    member is told why."""

    async def _reopen() -> str:
        async with database() as sessions, transaction(sessions) as session:
            project, reached = await lead_actions.reopen_project(
                session, await cli_actor(session, by), code, reason=reason, now=SystemClock().now()
            )
            return f"Reopened {project.code}; telling {reached} people why."

    typer.echo(run(_reopen()))


def _details_text(details: dict[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in details.items()) or "-"


@reports_errors
def audit_command(
    code: str = typer.Argument(..., help="The project code."),
    json_output: bool = typer.Option(False, "--json", help="Print the log as JSON."),
) -> None:
    """Show a project's audit log in time order: when, who, what, and the details."""

    async def _audit() -> tuple[str, list[dict[str, Any]]]:
        async with database() as sessions, sessions() as session:
            project = await find_project(session, code)
            entries = []
            for entry in await project_audit(session, project.id):
                kind, _, ref = entry.actor.partition(":")
                person = (
                    await session.get(Contributor, int(ref))
                    if kind == "contributor" and ref.isdigit()
                    else None
                )
                entries.append(
                    {
                        "at": entry.at,
                        "actor": entry.actor,
                        "name": person.name if person and not person.erased_at else None,
                        "action": entry.action,
                        "details": entry.details,
                    }
                )
            return project.time_zone, entries

    time_zone, entries = run(_audit())
    if json_output:
        zone = ZoneInfo(time_zone)
        print_json(
            [
                {
                    "at": iso_time(e["at"]),
                    # ISO 8601 as well, to the second, with the project's offset.
                    "local_time": e["at"].astimezone(zone).replace(microsecond=0).isoformat(),
                    **{key: value for key, value in e.items() if key != "at"},
                }
                for e in entries
            ]
        )
        return
    if not entries:
        typer.echo("Nothing in the audit log yet.")
        return
    rows = [(f"When ({time_zone})", "Who", "Action", "Details")] + [
        (
            listed_time(e["at"], time_zone),
            f"{e['actor']} ({e['name']})" if e["name"] else str(e["actor"]),
            str(e["action"]),
            _details_text(e["details"]),
        )
        for e in entries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True)]
        typer.echo("  ".join([*cells, row[3]]))
