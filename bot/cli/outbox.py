"""``coproduce outbox list | status | failed``: what people were sent, and what did not
reach them."""

from __future__ import annotations

import typer
from sqlalchemy import select

from channels.base import ChannelName
from storage.models import ContactPoint, OutboxRow, OutboxStatus
from storage.outbox_reports import failed_messages, outbox_counts
from storage.projects import find_project

from .common import database, print_json, reports_errors, run

app = typer.Typer(help="The outbox: what is queued and what was sent.", no_args_is_help=True)

CODE = typer.Argument(None, help="A project code; leave it out for every message.")


@app.command("list")
@reports_errors
def list_command(
    limit: int = typer.Option(20, "--limit", help="How many of the newest to show."),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """The newest messages, newest last: status, channel, recipient and text."""

    async def _list() -> list[dict[str, object]]:
        async with database() as sessions, sessions() as session:
            rows = (
                await session.execute(
                    select(OutboxRow, ContactPoint.address)
                    .join(ContactPoint, ContactPoint.id == OutboxRow.contact_point_id)
                    .order_by(OutboxRow.id.desc())
                    .limit(limit)
                )
            ).all()
            return [
                {
                    "id": row.id,
                    "status": row.status.value,
                    "channel": row.channel.value,
                    "to": address,
                    "kind": row.kind,
                    "body": row.body,
                    "last_error": row.last_error,
                }
                for row, address in reversed(rows)
            ]

    messages = run(_list())
    if json_output:
        print_json(messages)
        return
    if not messages:
        typer.echo("Nothing has been queued yet.")
    for m in messages:
        typer.echo(f"--- {m['id']} {m['status']} {m['channel']} to {m['to']} ({m['kind']})")
        typer.echo(str(m["body"]))


@app.command("status")
@reports_errors
def status_command(
    code: str | None = CODE,
    json_output: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """How many messages are queued, sent, delivered or failed, per channel."""

    async def _counts() -> dict[ChannelName, dict[OutboxStatus, int]]:
        async with database() as sessions, sessions() as session:
            project_id = (await find_project(session, code)).id if code else None
            return await outbox_counts(session, project_id)

    counts = run(_counts())
    if json_output:
        print_json(
            {
                channel.value: {status.value: n for status, n in by_status.items()}
                for channel, by_status in counts.items()
            }
        )
        return
    where = f" for {code.upper()}" if code else ""
    if not counts:
        typer.echo(f"No messages{where} yet.")
        return
    statuses = [s for s in OutboxStatus if any(s in by_status for by_status in counts.values())]
    channels = [c for c in ChannelName if c in counts]
    width = max(len(s.value) for s in statuses) + 2
    typer.echo(f"Messages{where}, by channel:")
    typer.echo("status".ljust(width) + "".join(c.value.rjust(10) for c in channels))
    for status in statuses:
        cells = "".join(str(counts[c].get(status, 0)).rjust(10) for c in channels)
        typer.echo(status.value.ljust(width) + cells)


@app.command("failed")
@reports_errors
def failed_command(
    code: str | None = CODE,
    limit: int = typer.Option(100, "--limit", help="How many of the newest to show."),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """Messages that failed, were not delivered, or may not have arrived, with the reason."""

    async def _failed() -> list[dict[str, object]]:
        async with database() as sessions, sessions() as session:
            project_id = (await find_project(session, code)).id if code else None
            return [
                {
                    "id": m.id,
                    "status": m.status.value,
                    "channel": m.channel.value,
                    "contributor_id": m.contributor_id,
                    "name": m.contributor_name,
                    "to": m.address,
                    "kind": m.kind,
                    "queued_at": m.created_at.isoformat(),
                    "attempts": m.attempts,
                    "reason": m.reason,
                }
                for m in await failed_messages(session, project_id, limit)
            ]

    failures = run(_failed())
    if json_output:
        print_json(failures)
        return
    if not failures:
        typer.echo("No message has failed.")
        return
    for f in failures:
        who = f"{f['name']} ({f['to']})" if f["name"] else str(f["to"])
        typer.echo(f"{f['id']} {f['status']} {f['channel']} to {who}, {f['kind']}")
        typer.echo(f"    {f['reason'] or 'no reason given'}")
