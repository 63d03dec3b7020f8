"""``coproduce meeting add`` and ``coproduce window open | extend``."""

from __future__ import annotations

import typer

from bot.clock import SystemClock
from flows import lead_actions
from flows.i18n import format_when
from storage.db import transaction

from .common import BY_HELP, cli_actor, database, print_json, reports_errors, run

meeting_app = typer.Typer(help="Meetings: members are invited; comments open after.")
window_app = typer.Typer(help="Comment windows: open one by hand, or extend one.")


@meeting_app.command("add")
@reports_errors
def add_meeting(
    code: str = typer.Argument(..., help="The project code."),
    at: str = typer.Option(..., "--at", help="Start, 'YYYY-MM-DD HH:MM' in the project's zone."),
    minutes: int = typer.Option(90, "--minutes", help="How long the meeting lasts."),
    place: str = typer.Option(None, "--place", help="Where it is, in plain words."),
    window_days: int = typer.Option(None, "--window-days", help="Days for comments after it."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Record a meeting: members are invited, and comments open when it ends."""

    async def _add() -> dict[str, object]:
        async with database() as sessions, transaction(sessions) as session:
            project, meeting, reached = await lead_actions.add_meeting(
                session,
                await cli_actor(session, by),
                code,
                starts=at,
                minutes=minutes,
                place=place,
                window_days=window_days,
                now=SystemClock().now(),
            )
            return {
                "project": project.code,
                "meeting": meeting.id,
                "starts": format_when(meeting.starts_at, "en", project.time_zone),
                "window_days": meeting.window_days,
                "invited": reached,
            }

    result = run(_add())
    if json_output:
        print_json(result)
        return
    typer.echo(
        f"Meeting {result['meeting']} for {result['project']} on {result['starts']}; "
        f"{result['invited']} invited. Comments open for {result['window_days']} days after it."
    )


@window_app.command("open")
@reports_errors
def open_window_command(
    code: str = typer.Argument(..., help="The project code."),
    days: int = typer.Option(None, "--days", help="How many days it stays open (default 7)."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Open a comment window now and tell every member."""

    async def _open() -> str:
        async with database() as sessions, transaction(sessions) as session:
            project, window = await lead_actions.open_window(
                session, await cli_actor(session, by), code, days=days, now=SystemClock().now()
            )
            closes = format_when(window.closes_at, "en", project.time_zone)
            return f"Comments on {project.code} are open until {closes}."

    typer.echo(run(_open()))


@window_app.command("extend")
@reports_errors
def extend_window_command(
    code: str = typer.Argument(..., help="The project code."),
    until: str = typer.Option(..., "--until", help="New close, 'YYYY-MM-DD HH:MM'."),
    reason: str = typer.Option("", "--reason", help="Why; it goes to every member."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Keep the open window open for longer; a reason is required and sent to everyone."""

    async def _extend() -> str:
        async with database() as sessions, transaction(sessions) as session:
            project, window = await lead_actions.extend_window(
                session,
                await cli_actor(session, by),
                code,
                until=until,
                reason=reason,
                now=SystemClock().now(),
            )
            closes = format_when(window.closes_at, "en", project.time_zone)
            return f"Comments on {project.code} now close on {closes}. Everyone is being told why."

    typer.echo(run(_extend()))
