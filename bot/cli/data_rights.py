"""``coproduce contributor export | erase`` and ``coproduce db purge``: a person's data rights
and the retention of message text."""

from __future__ import annotations

from typing import Any

import typer

from bot.clock import SystemClock
from storage.db import transaction
from storage.erasure import Erasure, erase_contributor
from storage.personal_data import export_contributor
from storage.retention import Purged, purge_old_bodies

from ..settings import Settings
from .common import database, login_actor, print_json, reports_errors, run


@reports_errors
def export_command(
    contributor_id: int = typer.Argument(..., help="The contributor's id."),
) -> None:
    """Print everything held about a person as JSON (their right of access)."""

    async def _export() -> dict[str, Any]:
        async with database() as sessions, sessions() as session:
            return await export_contributor(session, contributor_id, SystemClock().now())

    print_json(run(_export()))


@reports_errors
def erase_command(
    contributor_id: int = typer.Argument(..., help="The contributor's id."),
) -> None:
    """Remove a person's personal data: name, addresses, declarations' text and the words of
    their messages. Their comments stay in the record, shown as from "a contributor"; messages
    queued for them are cancelled."""

    async def _erase() -> Erasure:
        async with database() as sessions, transaction(sessions) as session:
            return await erase_contributor(
                session, contributor_id, actor=login_actor().label, now=SystemClock().now()
            )

    erasure = run(_erase())
    if erasure.already_erased:
        typer.echo(f"Contributor {contributor_id} was already erased; nothing changed.")
        return
    cancelled = erasure.cancelled
    typer.echo(
        f"Erased contributor {contributor_id}. Their comments stay, from 'a contributor'; "
        f"{cancelled} queued message{'' if cancelled == 1 else 's'} cancelled."
    )


@reports_errors
def purge_command(
    days: int | None = typer.Option(
        None, "--days", min=1, help="Keep this many days (default: COPRODUCE_RETENTION_DAYS)."
    ),
) -> None:
    """Clear the words of received and delivered messages older than the retention period.
    Comments, questions and answers are kept."""
    settings = Settings()
    keep = days or settings.retention_days
    if keep is None:
        typer.echo("COPRODUCE_RETENTION_DAYS is not set (or --days), so nothing was purged.")
        return

    async def _purge() -> Purged:
        async with database(settings) as sessions, transaction(sessions) as session:
            return await purge_old_bodies(session, SystemClock().now(), keep)

    purged = run(_purge())
    typer.echo(
        f"Purged {purged.total} message bodies older than {keep} days "
        f"({purged.inbound} received, {purged.outbound} sent)."
    )
