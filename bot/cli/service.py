"""``coproduce serve`` and ``coproduce db upgrade``."""

from __future__ import annotations

import typer

from storage.db import create_engine
from storage.migrate import current_revision, upgrade

from ..serve import StartupError, configure_logging, serve, work
from ..settings import Settings
from .common import fail, reports_errors, run

db_app = typer.Typer(help="The database.", no_args_is_help=True)


def serve_command(
    no_worker: bool = typer.Option(
        False, "--no-worker", help="Run only HTTP and inbound email; leave sending to a worker."
    ),
) -> None:
    """Run the service: webhooks, health check, sending, scheduled jobs and inbound email."""
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        run(serve(settings, worker=not no_worker))
    except StartupError as error:
        raise fail(str(error)) from None
    except KeyboardInterrupt:
        pass


def worker_command() -> None:
    """Send messages and run scheduled jobs, with no web side (run beside `serve --no-worker`).

    On PostgreSQL run as many as you like; on SQLite one sends at a time and a second waits.
    """
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        run(work(settings))
    except StartupError as error:
        raise fail(str(error)) from None
    except KeyboardInterrupt:
        pass


@db_app.command("upgrade")
@reports_errors
def db_upgrade() -> None:
    """Apply every migration the database does not have yet."""

    async def _upgrade() -> str | None:
        engine = create_engine(Settings().database_url)
        try:
            await upgrade(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    revision = run(_upgrade())
    typer.echo(f"The database is up to date (revision {revision}).")
