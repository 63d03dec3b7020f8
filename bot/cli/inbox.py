"""``coproduce inbox CODE [--unhandled]`` (the same as ``inbox list CODE``) and ``coproduce
inbox reply CODE N "words"``: what members sent and what the service did with it, and a
lead's answer to one of them (as in the workspace)."""

from __future__ import annotations

import click
import typer
from typer.core import TyperGroup

from bot.clock import SystemClock
from flows import lead_actions
from flows.workspace_people import InboxLine, InboxOutcome, project_inbox
from storage.db import transaction

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
from .messages import ALREADY_SENT


class _ListUnlessNamed(TyperGroup):
    """``inbox CODE`` is ``inbox list CODE``: a first word that is not a subcommand is the
    project code."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["list", *args]
        return super().resolve_command(ctx, args)


inbox_app = typer.Typer(
    cls=_ListUnlessNamed, help="What a project's members sent, and answering one of them."
)

# What the service did with a message, as the list says it ({n}: the comment or question).
DONE = {
    InboxOutcome.COMMENT: "comment {n}",
    InboxOutcome.LATE_COMMENT: "late comment {n}",
    InboxOutcome.QUESTION: "question {n}",
    InboxOutcome.REPLY: "answer to question {n}",
    InboxOutcome.DECLARATION: "declaration of interest",
    InboxOutcome.JOINED: "JOIN: joined the project",
    InboxOutcome.LEFT: "LEAVE: left the project",
    InboxOutcome.STOPPED: "STOP: no more messages on that channel",
    InboxOutcome.WITHDRAWN: "took back something they had sent",
    InboxOutcome.CHOICE: "asked them to choose a project by number",
    InboxOutcome.PASSED_TO_LEADS: "passed to the leads: a reply to your message",
    InboxOutcome.NOTE_ON_JOINING: "passed to the leads: sent while we waited for a declaration",
    InboxOutcome.SMALL_TALK: "small talk: thanked, nothing to do",
    InboxOutcome.UNCLEAR: "not kept: unclear which words were theirs; asked to send them again",
    InboxOutcome.ATTACHMENT_ONLY: "not acted on: a photo or file we cannot read",
    InboxOutcome.NOT_JOINED: "not acted on: they have not joined",
    InboxOutcome.WINDOW_CLOSED: "not understood: sent while comments were closed",
    InboxOutcome.NOT_UNDERSTOOD: "not understood",
    InboxOutcome.COMMAND: "a command, answered",
    InboxOutcome.NO_REPLY: "kept, no answer needed",
    InboxOutcome.WAITING: "not handled yet",
    InboxOutcome.FAILED: "not acted on: something went wrong",
}


def what_was_done(line: InboxLine) -> str:
    done = DONE[line.outcome]
    if "{n}" in done:
        done = done.format(n=line.number) if line.number else done.replace(" {n}", "")
    if line.lead_replied:
        return f"{done}; a lead replied"
    return f"{done}; nobody has replied yet" if line.unhandled else done


@inbox_app.command("list")
@reports_errors
def list_command(
    code: str = typer.Argument(..., help="The project code."),
    unhandled: bool = typer.Option(
        False,
        "--unhandled",
        help="Only messages nothing was done with and no lead has replied to.",
    ),
    limit: int = typer.Option(50, "--limit", help="How many messages, newest first."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Messages from the project's members, newest first, with what the service did.
    ``coproduce inbox CODE`` is the same."""

    async def _list() -> tuple[str, list[InboxLine]]:
        async with database() as sessions, transaction(sessions) as session:
            project, kind = await lead_actions.led_project_as(
                session, await cli_actor(session, by), code
            )
            lines = await project_inbox(session, project, kind, limit=limit, unhandled=unhandled)
            return project.time_zone, list(lines)

    zone, lines = run(_list())
    if json_output:
        print_json(
            [
                {
                    "number": line.id,
                    "received": iso_time(line.received_at),
                    "from": line.name,  # null: not yours to know
                    "channel": str(line.channel),
                    "text": line.text,  # null: not yours to read
                    "outcome": str(line.outcome),
                    "made": line.number,
                    "lead_replied": line.lead_replied,
                    "unhandled": line.unhandled,
                }
                for line in lines
            ]
        )
        return
    if not lines:
        typer.echo("Nothing waits for a lead." if unhandled else "Nothing has been received yet.")
    for line in lines:
        who = "a member" if line.name is None else (line.name or "someone erased")
        typer.echo(f"{line.id}  {listed_time(line.received_at, zone)}  {who} ({line.channel})")
        typer.echo(f"    {line.text if line.text is not None else '(not yours to read)'}")
        typer.echo(f"    -> {what_was_done(line)}")


@inbox_app.command("reply")
@reports_errors
def reply_command(
    code: str = typer.Argument(..., help="The project code."),
    number: int = typer.Argument(..., help="The number of the message you answer."),
    text: str = typer.Argument(..., help="Your words to the person who sent it."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Write to the member who sent message N, at the address they wrote from."""

    async def _reply() -> tuple[str, bool, bool]:
        async with database() as sessions, transaction(sessions) as session:
            project, sent = await lead_actions.reply_to_message(
                session, await cli_actor(session, by), code, number, text, now=SystemClock().now()
            )
            return project.code, bool(sent.reached), bool(sent.already)

    project_code, queued, already = run(_reply())
    if already:
        typer.echo(ALREADY_SENT)
    elif queued:
        typer.echo(f"Your message to the sender of message {number} ({project_code}) is queued.")
    else:
        typer.echo(f"The sender of message {number} has no address we can reach.")
