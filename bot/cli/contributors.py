"""``coproduce contributor add | import | list`` (``update`` is in contributor_update.py)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import typer

from bot.clock import SystemClock
from channels.base import AccessNeed
from flows import lead_actions
from flows.i18n import available_languages
from flows.new_contributors import (
    contributor_from_fields,
)
from storage.consents import CSV_IMPORT
from storage.contributors import NewContributor, add_contributor, list_contributors
from storage.db import transaction
from storage.errors import InvalidInput

from ..settings import Settings
from .common import BY_HELP, cli_actor, database, note, print_json, reports_errors, run

app = typer.Typer(help="People who take part.", no_args_is_help=True)

CSV_COLUMNS = (
    "name",
    "email",
    "phone",
    "telegram",
    "language",
    "channel",
    "access_needs",
    "whatsapp",
)


def needs_note(needs: Iterable[str]) -> None:
    """Name the needs that change nothing we send, so that a slip ("easy raed") is seen."""
    others = list(dict.fromkeys(need for need in needs if AccessNeed.parse(need) is None))
    if others:
        known = ", ".join(need.value for need in AccessNeed)
        listed = ", ".join(f"'{need}'" for need in others)
        verb = "is" if len(others) == 1 else "are"
        note(f"{listed} {verb} kept for the leads to read; only {known} change what is sent")


def _describe(contributor_id: int, new: NewContributor) -> str:
    contacts = ", ".join(f"{channel} {address}" for channel, address in new.addresses.items())
    preferred = new.preferred_channel or next(iter(new.addresses))
    name = " ".join(new.name.split())
    return f"contributor {contributor_id}: {name} ({contacts}; prefers {preferred})"


def language_note(language: str | None) -> None:
    if language and language not in available_languages():
        note(f"there is no '{language}' catalog yet, so this person's messages will be in English")


@app.command("add")
@reports_errors
def add(
    name: str = typer.Argument(..., help="The person's name, as they like to be called."),
    email: str | None = typer.Option(None, "--email", help="Email address."),
    phone: str | None = typer.Option(
        None, "--phone", help="Mobile number; UK numbers may start 07."
    ),
    telegram: str | None = typer.Option(None, "--telegram", help="Telegram chat number."),
    whatsapp: str | None = typer.Option(
        None,
        "--whatsapp",
        help="WhatsApp number. With --channel whatsapp and no --whatsapp, the --phone number.",
    ),
    language: str | None = typer.Option(None, "--language", help="Language code, e.g. en or cy."),
    channel: str | None = typer.Option(
        None, "--channel", help="Preferred: email, sms, telegram or whatsapp."
    ),
    access_needs: str | None = typer.Option(
        None,
        "--access-needs",
        help='Comma-separated, e.g. "easy read, large print". Known: easy-read, large-print, '
        "audio, bsl, plain-text; others are kept for the leads to read.",
    ),
    project: str | None = typer.Option(
        None, "--project", help="Invite them to this project too (as a lead of it, with --by)."
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Add one contributor (and invite them to a project, with --project)."""
    settings = Settings()
    new = contributor_from_fields(
        name=name,
        email=email,
        phone=phone,
        telegram=telegram,
        whatsapp=whatsapp,
        language=language,
        channel=channel,
        access_needs=access_needs,
        region=settings.default_region,
    )

    async def _add() -> int:
        async with database(settings) as sessions, transaction(sessions) as session:
            if project is None:
                contributor = await add_contributor(session, new, SystemClock().now())
            else:
                contributor, _ = await lead_actions.add_new_member(
                    session,
                    await cli_actor(session, by),
                    project,
                    new,
                    now=SystemClock().now(),
                    organisation=settings.organisation,
                )
            return contributor.id

    contributor_id = run(_add())
    if json_output:
        print_json({"id": contributor_id})
    else:
        invited = f" and invited them to {project.upper()}" if project else ""
        typer.echo(f"Added {_describe(contributor_id, new)}{invited}.")
    language_note(new.language)
    needs_note(new.access_needs)


@dataclass(frozen=True)
class RejectedRow:
    line: int
    reason: str


@app.command("import")
@reports_errors
def import_csv(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Add contributors from a CSV file with the header
    name,email,phone,telegram,language,channel,access_needs (a whatsapp column may follow).
    Good rows are kept; bad rows are listed with their line number and the reason (exit
    status 1 if there were any)."""
    settings = Settings()
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            # Names and reasons are shown one to a line, whatever newlines a cell holds.
            header = [" ".join(h.split()).lower() for h in reader.fieldnames or []]
            unknown = [h for h in header if h not in CSV_COLUMNS]
            if "name" not in header or unknown:
                raise InvalidInput(
                    f"the first line must name the columns {','.join(CSV_COLUMNS)}"
                    + (f" (unknown: {', '.join(unknown)})" if unknown else "")
                )
            rows = []
            for raw in reader:
                fields = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
                rows.append((reader.line_num, fields))
    except csv.Error as error:  # a cell over the csv module's size limit, say
        raise InvalidInput(str(error)) from None

    needs: list[str] = []

    async def _import() -> tuple[list[int], list[RejectedRow]]:
        imported: list[int] = []
        rejected: list[RejectedRow] = []
        now = SystemClock().now()
        async with database(settings) as sessions, transaction(sessions) as session:
            for line, fields in rows:
                try:
                    new = contributor_from_fields(
                        name=fields.get("name", ""),
                        email=fields.get("email"),
                        phone=fields.get("phone"),
                        telegram=fields.get("telegram"),
                        whatsapp=fields.get("whatsapp"),
                        language=fields.get("language"),
                        channel=fields.get("channel"),
                        access_needs=fields.get("access_needs"),
                        region=settings.default_region,
                    )
                    # A savepoint per row: a bad row leaves the good ones untouched.
                    async with session.begin_nested():
                        contributor = await add_contributor(session, new, now, how=CSV_IMPORT)
                    imported.append(contributor.id)
                    needs.extend(new.access_needs)
                except ValueError as error:  # InvalidInput is a ValueError too
                    rejected.append(RejectedRow(line, " ".join(str(error).split())))
        return imported, rejected

    imported, rejected = run(_import())
    if json_output:
        print_json(
            {
                "imported": imported,
                "rejected": [{"line": r.line, "reason": r.reason} for r in rejected],
            }
        )
    else:
        typer.echo(f"Imported {len(imported)} contributor{'s' if len(imported) != 1 else ''}.")
        if rejected:
            typer.echo(
                f"{len(rejected)} row{'s were' if len(rejected) != 1 else ' was'} not imported:"
            )
            for row in rejected:
                typer.echo(f"  line {row.line}: {row.reason}")
    needs_note(needs)
    if rejected:
        raise typer.Exit(1)


@app.command("list")
@reports_errors
def list_command(
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List contributors with their contact points."""

    async def _list() -> list[dict[str, object]]:
        async with database() as sessions, sessions() as session:
            return [
                {
                    "id": c.id,
                    "name": c.name,
                    "language": c.language,
                    "preferred_channel": c.preferred_channel,
                    "access_needs": list(c.access_needs),
                    "contact_points": [
                        {
                            "channel": p.channel.value,
                            "address": p.address,
                            "stopped": p.opted_out_at is not None,
                        }
                        for p in c.contact_points
                    ],
                }
                for c in await list_contributors(session)
            ]

    people = run(_list())
    if json_output:
        print_json(people)
        return
    if not people:
        typer.echo("No contributors yet. Add one with: coproduce contributor add NAME --email ...")
        return
    for person in people:
        contacts = ", ".join(
            f"{p['channel']} {p['address']}" + (" (stopped)" if p["stopped"] else "")
            for p in person["contact_points"]  # type: ignore[union-attr]
        )
        needs = ", ".join(person["access_needs"]) or "none"  # type: ignore[arg-type]
        typer.echo(
            f"{person['id']}: {person['name']} | {person['language'] or 'project default'} | "
            f"prefers {person['preferred_channel']} | {contacts} | access needs: {needs}"
        )
