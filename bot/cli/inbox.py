"""``coproduce inbox CODE`` and ``coproduce inbox reply CODE N "words"``: what members sent
and what the service did with it, and a lead's answer to one of them (as in the workspace)."""

from __future__ import annotations

import typer

from bot.clock import SystemClock
from flows import lead_actions
from flows.i18n import format_when
from flows.workspace_people import project_inbox
from storage.db import transaction

from .common import BY_HELP, cli_actor, database, print_json, reports_errors, run

inbox_app = typer.Typer(help="What a project's members sent, and answering one of them.")


@inbox_app.command("list")
@reports_errors
def list_command(
    code: str = typer.Argument(..., help="The project code."),
    limit: int = typer.Option(50, "--limit", help="How many messages, newest first."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Messages from the project's members, newest first, with what the service did."""

    async def _list() -> list[dict[str, object]]:
        async with database() as sessions, transaction(sessions) as session:
            project, kind = await lead_actions.led_project_as(
                session, await cli_actor(session, by), code
            )
            lines = await project_inbox(session, project, kind, limit=limit)
            return [
                {
                    "number": line.id,
                    "received": format_when(line.received_at, "en", project.time_zone),
                    "from": line.name if line.name is not None else "a member",
                    "channel": str(line.channel),
                    "text": line.text,
                    "outcome": str(line.outcome),
                }
                for line in lines
            ]

    rows = run(_list())
    if json_output:
        print_json(rows)
        return
    if not rows:
        typer.echo("Nothing has been received yet.")
    for row in rows:
        typer.echo(f"{row['number']}  {row['received']}  {row['from']} ({row['channel']})")
        typer.echo(f"    {row['text'] if row['text'] is not None else '(not yours to read)'}")
        typer.echo(f"    -> {row['outcome']}")


@inbox_app.command("reply")
@reports_errors
def reply_command(
    code: str = typer.Argument(..., help="The project code."),
    number: int = typer.Argument(..., help="The number of the message you answer."),
    text: str = typer.Argument(..., help="Your words to the person who sent it."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Write to the member who sent message N, at the address they wrote from."""

    async def _reply() -> tuple[str, bool]:
        async with database() as sessions, transaction(sessions) as session:
            project, queued = await lead_actions.reply_to_message(
                session, await cli_actor(session, by), code, number, text, now=SystemClock().now()
            )
            return project.code, queued

    project_code, queued = run(_reply())
    if queued:
        typer.echo(f"Your message to the sender of message {number} ({project_code}) is queued.")
    else:
        typer.echo(f"The sender of message {number} has no address we can reach.")
