"""``coproduce outbox list | status | failed``: what people were sent, and what did not
reach them."""

from __future__ import annotations

import contextlib

import typer

from channels.base import ChannelName
from channels.email import normalise_email
from channels.sms import normalise_phone
from channels.telegram import normalise_chat_id
from storage.errors import InvalidInput
from storage.models import OutboxStatus
from storage.outbox_reports import (
    Recipient,
    failed_messages,
    failure_reasons,
    listed_messages,
    outbox_counts,
)
from storage.projects import find_project

from ..settings import Settings
from .common import database, iso_time, listed_time, print_json, reports_errors, run

app = typer.Typer(help="The outbox: what is queued and what was sent.", no_args_is_help=True)

CODE = typer.Argument(None, help="A project code; leave it out for every message.")
STATUSES = ", ".join(status.value for status in OutboxStatus)
# Times outside any project are shown as the service's home zone has them.
HOME_ZONE = "Europe/London"
# How many reasons ``outbox status`` names; ``outbox failed`` lists every message.
REASONS_SHOWN = 10


def _status(word: str | None) -> OutboxStatus | None:
    if word is None:
        return None
    try:
        return OutboxStatus(word.strip().lower())
    except ValueError:
        raise InvalidInput(f"--status must be one of {STATUSES}, not '{word}'") from None


def _recipient(typed: str, region: str) -> Recipient:
    """Whoever ``--to`` names: a contributor id, or an address written as the person would
    write it (07700 900101, Jo@Example.net)."""
    typed = typed.strip()
    forms = {typed, typed.lower()}
    for normalise in (normalise_email, normalise_chat_id):
        with contextlib.suppress(ValueError):
            forms.add(normalise(typed))
    with contextlib.suppress(ValueError):
        forms.add(normalise_phone(typed, region))
    return Recipient(int(typed) if typed.isdigit() else None, tuple(sorted(forms)))


@app.command("list")
@reports_errors
def list_command(
    project: str | None = typer.Option(None, "--project", help="Only this project's messages."),
    to: str | None = typer.Option(
        None, "--to", help="Only messages to this address or contributor id."
    ),
    status: str | None = typer.Option(None, "--status", help=f"Only these: {STATUSES}."),
    limit: int = typer.Option(20, "--limit", help="How many of the newest to show."),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """The newest messages, newest last: status, channel, recipient, when, and text."""
    wanted = _status(status)
    recipient = _recipient(to, Settings().default_region) if to else None

    async def _list() -> list[dict[str, object]]:
        async with database() as sessions, sessions() as session:
            project_id = (await find_project(session, project)).id if project else None
            found = await listed_messages(
                session, limit=limit, project_id=project_id, recipient=recipient, status=wanted
            )
            return [
                {
                    "id": m.row.id,
                    "status": m.row.status.value,
                    "channel": m.row.channel.value,
                    "to": m.address,
                    "kind": m.row.kind,
                    "body": m.row.body,
                    "last_error": m.row.last_error,
                    "queued_at": m.row.created_at,
                    "sent_at": m.row.sent_at,
                    "time_zone": m.time_zone or HOME_ZONE,
                }
                for m in found
            ]

    messages = run(_list())
    if json_output:
        print_json([_without_zone(m, "queued_at", "sent_at") for m in messages])
        return
    if not messages:
        filtered = project or to or status
        typer.echo("No message matches." if filtered else "Nothing has been queued yet.")
    for m in messages:
        zone = str(m["time_zone"])
        when = f"queued {listed_time(m['queued_at'], zone)}"  # type: ignore[arg-type]
        if m["sent_at"]:
            when += f", sent {listed_time(m['sent_at'], zone)}"  # type: ignore[arg-type]
        typer.echo(f"--- {m['id']} {m['status']} {m['channel']} to {m['to']} ({m['kind']}), {when}")
        if m["last_error"]:
            typer.echo(f"Reason: {m['last_error']}")
        typer.echo(str(m["body"]))


def _without_zone(row: dict[str, object], *times: str) -> dict[str, object]:
    """A row as JSON carries it: times in ISO 8601 (UTC), and no zone to read them in."""
    shown = {key: value for key, value in row.items() if key != "time_zone"}
    for key in times:
        shown[key] = iso_time(row[key]) or None  # type: ignore[arg-type]
    return shown


@app.command("status")
@reports_errors
def status_command(
    code: str | None = CODE,
    json_output: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
) -> None:
    """How many messages are queued, sent, delivered or failed, per channel, and why those
    that failed did."""

    async def _counts() -> tuple[
        dict[ChannelName, dict[OutboxStatus, int]], list[tuple[str | None, int]]
    ]:
        async with database() as sessions, sessions() as session:
            project_id = (await find_project(session, code)).id if code else None
            return (
                await outbox_counts(session, project_id),
                await failure_reasons(session, project_id),
            )

    counts, reasons = run(_counts())
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
    if reasons:
        typer.echo("")
        typer.echo("Why messages failed:")
        for reason, n in reasons[:REASONS_SHOWN]:
            typer.echo(f"{n:>8}  {reason or 'no reason given'}")
        if len(reasons) > REASONS_SHOWN:
            more = len(reasons) - REASONS_SHOWN
            typer.echo(f"...and {more} other reasons; coproduce outbox failed lists each message.")


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
                    "queued_at": m.created_at,
                    "attempts": m.attempts,
                    "reason": m.reason,
                    "time_zone": m.time_zone or HOME_ZONE,
                }
                for m in await failed_messages(session, project_id, limit)
            ]

    failures = run(_failed())
    if json_output:
        print_json([_without_zone(f, "queued_at") for f in failures])
        return
    if not failures:
        typer.echo("No message has failed.")
        return
    for f in failures:
        who = f"{f['name']} ({f['to']})" if f["name"] else str(f["to"])
        queued = listed_time(f["queued_at"], str(f["time_zone"]))  # type: ignore[arg-type]
        typer.echo(f"{f['id']} {f['status']} {f['channel']} to {who}, {f['kind']}, queued {queued}")
        typer.echo(f"    {f['reason'] or 'no reason given'}")
