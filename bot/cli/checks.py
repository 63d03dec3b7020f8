"""Checking before sharing from the command line: ``approve``, ``redact`` and ``hide`` for
comments, questions and replies (``coproduce comment|question|reply ...``), and the list of
what waits. The same actions (flows.lead_actions) as the lead words over the channels."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import SystemClock
from flows import lead_actions
from flows.i18n import format_when
from flows.lead_actions import Actor
from flows.sharing_outcome import Checked, Outcome
from storage.checks import ItemKind, waiting_items
from storage.db import transaction
from storage.models import Contributor
from storage.projects import find_project

from .common import (
    BY_HELP,
    cli_actor,
    database,
    fail,
    iso_time,
    listed_time,
    print_json,
    reports_errors,
    run,
)

reply_app = typer.Typer(help="Members' replies to a question the leads asked the group.")

Act = Callable[[AsyncSession, Actor, datetime], Awaitable[Checked]]


def _result_line(checked: Checked) -> str:
    what = f"{checked.kind.value.capitalize()} {checked.number} on {checked.project.code}"
    tz = checked.project.time_zone

    def when(moment: datetime | None) -> str:
        return format_when(moment, "en", tz) if moment else "an earlier date"

    told = "its author is being told" if checked.author_told else "its author cannot be reached"
    lines = {
        Outcome.APPROVED: f"{what} is shared with the group from now on.",
        Outcome.REDACTED: f"{what} is shared as you wrote it; {told}, and may withdraw it.",
        Outcome.HIDDEN: f"{what} will not be shared; {told}.",
        Outcome.ALREADY_SHARED: f"{what} was already shared on {when(checked.earlier)}. "
        "Nothing changed.",
        Outcome.ALREADY_HIDDEN: f"{what} was already hidden on {when(checked.earlier)}. "
        "Nothing changed.",
        Outcome.ALREADY_WITHDRAWN: f"{what} was withdrawn by its author on "
        f"{when(checked.earlier)}. Nothing changed.",
        Outcome.ALREADY_SENT: f"{what} already went to the group on {when(checked.went_out)}; "
        "what was sent cannot be changed. Nothing changed. To stop it being shared again, "
        "hide it.",
    }
    line = lines.get(checked.outcome, f"{what}: {checked.outcome}.")
    if checked.outcome == Outcome.HIDDEN and checked.went_out:
        line += (
            f" It had already gone to the group on {when(checked.went_out)}; what was sent "
            "cannot be called back, but it will not be shared again."
        )
    return line


def _act(kind: ItemKind, number: int, by: str | None, act: Act) -> None:
    async def _run() -> Checked:
        async with database() as sessions, transaction(sessions) as session:
            return await act(session, await cli_actor(session, by), SystemClock().now())

    checked = run(_run())
    if checked.outcome == Outcome.ALREADY_SENT:
        raise fail(_result_line(checked))
    typer.echo(_result_line(checked))


def add_check_commands(app: typer.Typer, kind: ItemKind) -> None:
    """``approve``, ``redact`` and ``hide`` for one kind of item, on its command group."""
    noun = {ItemKind.COMMENT: "comment", ItemKind.QUESTION: "question", ItemKind.REPLY: "reply"}[
        kind
    ]

    @app.command("approve", help=f"Share a {noun} with the group as it was written.")
    @reports_errors
    def approve(
        number: int = typer.Argument(..., help=f"The {noun} number."),
        by: str = typer.Option(None, "--by", help=BY_HELP),
    ) -> None:
        _act(
            kind,
            number,
            by,
            lambda s, actor, now: lead_actions.approve(s, actor, kind, number, now=now),
        )

    @app.command(
        "redact",
        help=f"Share an edited {noun}; its author is told what will be shared and may "
        "withdraw it. The original is kept for the leads and for the author's export.",
    )
    @reports_errors
    def redact(
        number: int = typer.Argument(..., help=f"The {noun} number."),
        text: str = typer.Option(..., "--text", help="What the group will read instead."),
        by: str = typer.Option(None, "--by", help=BY_HELP),
    ) -> None:
        _act(
            kind,
            number,
            by,
            lambda s, actor, now: lead_actions.redact(s, actor, kind, number, text, now=now),
        )

    @app.command(
        "hide", help=f"Never share a {noun}; its author is told why, kindly, in their language."
    )
    @reports_errors
    def hide(
        number: int = typer.Argument(..., help=f"The {noun} number."),
        reason: str = typer.Option(..., "--reason", help="Why; the author reads it."),
        by: str = typer.Option(None, "--by", help=BY_HELP),
    ) -> None:
        _act(
            kind,
            number,
            by,
            lambda s, actor, now: lead_actions.hide(s, actor, kind, number, reason, now=now),
        )


@dataclass(frozen=True)
class Waiting:
    """What waits for a check in a project, and the project's zone to show its times in."""

    time_zone: str
    rows: list[dict[str, object]]


def waiting_rows(code: str) -> Waiting:
    """What waits for a check in a project, oldest first, for ``comment list --waiting``."""

    async def _list() -> Waiting:
        async with database() as sessions, sessions() as session:
            project = await find_project(session, code)
            rows = []
            for item in await waiting_items(session, project.id):
                author = await session.get(Contributor, item.author_id or 0)
                rows.append(
                    {
                        "kind": item.kind.value,
                        "id": item.number,
                        "received_at": item.received_at,
                        "author": author.name if author and not author.erased_at else None,
                        "named": item.named,
                        "flags": list(item.flags),
                        "text": item.text,
                    }
                )
            return Waiting(project.time_zone, rows)

    return run(_list())


def print_waiting(waiting: Waiting, json_output: bool) -> None:
    rows = waiting.rows
    if json_output:
        print_json([{**row, "received_at": iso_time(row["received_at"])} for row in rows])  # type: ignore[arg-type]
        return
    if not rows:
        typer.echo("Nothing is waiting for a check.")
    for row in rows:
        flags = f" [flagged: {', '.join(row['flags'])}]" if row["flags"] else ""  # type: ignore[arg-type]
        when = listed_time(row["received_at"], waiting.time_zone)  # type: ignore[arg-type]
        typer.echo(
            f"{row['kind']} {row['id']} from {row['author'] or 'a member'}, "
            f"{when}{flags}: {row['text']}"
        )


add_check_commands(reply_app, ItemKind.REPLY)


@reply_app.command("list")
@reports_errors
def list_replies(
    code: str = typer.Argument(..., help="The project code."),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """Replies to the leads' questions that wait for a check, oldest first."""
    waiting = waiting_rows(code)
    replies = [row for row in waiting.rows if row["kind"] == ItemKind.REPLY.value]
    print_waiting(Waiting(waiting.time_zone, replies), json_output)
