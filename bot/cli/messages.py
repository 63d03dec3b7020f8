"""``coproduce message send CODE --to all|joined|invited|ID... --text "..."``: a lead's own
words to the group, or to chosen members (flows.announcements)."""

from __future__ import annotations

import typer

from bot.clock import SystemClock
from flows import lead_talk
from flows.announcements import Announced, read_audience
from flows.lead_messages import Sent
from storage.db import transaction
from storage.models import Project

from .common import BY_HELP, cli_actor, database, print_json, reports_errors, run, say_if_held

message_app = typer.Typer(help="A lead's message to the group, or to chosen members.")

# Said when a command would send the very same words to the same people twice in a day.
ALREADY_SENT = "Already sent to them today: not sent again."


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def already_line(sent: Sent | Announced) -> str:
    """How many were not sent the words again: all of them, or some."""
    if not sent.reached:
        return ALREADY_SENT
    return f"{_people(sent.already)} already had it today: not sent again."


def outcome_lines(announced: Announced) -> list[str]:
    """What became of it, for the lead: who it is going to, and who did not get it."""
    lines = []
    if announced.reached:
        lines.append(f"Your message is going to {_people(announced.reached)}.")
    if announced.already:
        lines.append(already_line(announced))
    if announced.left:
        lines.append(f"{_people(announced.left)} left the project: not sent.")
    if announced.stopped:
        lines.append(f"{_people(announced.stopped)} stopped messages or cannot be reached.")
    return lines


@message_app.command("send")
@reports_errors
def send_command(
    code: str = typer.Argument(..., help="The project code."),
    to: list[str] = typer.Option(
        ...,
        "--to",
        help="all, joined or invited; or contributor ids (--to 3 --to 7, or --to 3,7).",
    ),
    text: str = typer.Option(..., "--text", help="Your message, in plain words."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Send the leads' message to the group or to chosen members, introduced in each
    reader's language. Nobody who left or stopped gets it; in quiet hours it waits for the
    morning; the same words go to the same person once a day."""
    audience = read_audience(to)
    now = SystemClock().now()

    async def _send() -> tuple[Project, Announced]:
        async with database() as sessions, transaction(sessions) as session:
            actor = await cli_actor(session, by)
            return await lead_talk.announce(session, actor, code, audience, text, now=now)

    project, announced = run(_send())
    if json_output:
        print_json(
            {
                "project": project.code,
                "sent_to": announced.reached,
                "already_sent": announced.already,
                "left": announced.left,
                "cannot_reach": announced.stopped,
            }
        )
    else:
        for line in outcome_lines(announced):
            typer.echo(line)
    if announced.reached:
        say_if_held(project, now)
