"""``coproduce outbox list``: the newest messages, to see what people were sent."""

from __future__ import annotations

import typer
from sqlalchemy import select

from storage.models import ContactPoint, OutboxRow

from .common import database, print_json, reports_errors, run

app = typer.Typer(help="The outbox: what is queued and what was sent.", no_args_is_help=True)


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
