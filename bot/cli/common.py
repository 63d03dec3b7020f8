"""What every command shares: running async code, opening the database, reporting errors."""

from __future__ import annotations

import asyncio
import functools
import getpass
import json
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

import typer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.lead_actions import Actor
from flows.quiet_hours import held_until
from storage.contributors import find_contributor
from storage.db import create_engine, session_factory
from storage.errors import InvalidInput, NotFound
from storage.migrate import DatabaseNotReady, prepare
from storage.models import Project

from ..settings import Settings

P = ParamSpec("P")
T = TypeVar("T")

# Errors that mean "the input or the set-up is wrong", answered with one line and exit 1.
USER_ERRORS = (InvalidInput, NotFound, DatabaseNotReady, ValueError, OSError)


def fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


def reports_errors(command: Callable[P, T]) -> Callable[P, T]:
    """Turn expected errors into a one-line message on stderr and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return command(*args, **kwargs)
        except USER_ERRORS as error:
            raise fail(str(error)) from None

    return wrapper


def run(coroutine: Awaitable[T]) -> T:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


@asynccontextmanager
async def database(
    settings: Settings | None = None,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The database, brought up to date if it is SQLite (checked if it is PostgreSQL)."""
    settings = settings or Settings()
    engine = create_engine(settings.database_url)
    try:
        await prepare(engine)
        yield session_factory(engine)
    finally:
        await engine.dispose()


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def listed_time(moment: datetime | None, time_zone: str = "Europe/London") -> str:
    """A time as every CLI list shows it, written out in the project's zone: 'Mon 7 Dec 05:18'
    (with the year when it is not this year's). An empty string for no time."""
    if moment is None:
        return ""
    local = moment.astimezone(ZoneInfo(time_zone))
    shown = f"{local:%a} {local.day} {local:%b %H:%M}"
    if local.year != datetime.now(local.tzinfo).year:
        shown = f"{local:%a} {local.day} {local:%b %Y %H:%M}"
    return shown


def iso_time(moment: datetime | None) -> str:
    """A time as CSV and JSON carry it: ISO 8601 in UTC, to the second."""
    if moment is None:
        return ""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def say_if_held(project: Project, now: datetime) -> None:
    """Tell the lead when what they just queued waits for the end of the project's quiet
    hours, so nobody wonders why it has not arrived."""
    until = held_until(project, now)
    if until is not None:
        at = listed_time(until, project.time_zone)
        note(
            f"it is within {project.code}'s quiet hours ({project.quiet_from} to "
            f"{project.quiet_until}), so the messages will go at {at}."
        )


def note(message: str) -> None:
    typer.echo(f"Note: {message}", err=True)


# Who did a lead action from the command line, for the audit log: the lead named with --by
# (checked to be a lead of the project), else the login name of whoever ran the command.
BY_HELP = "Who is acting: your contributor id or email as a lead (else your login name)."


def login_actor() -> Actor:
    try:
        login = getpass.getuser()
    except (OSError, KeyError):  # no login name to be had (some containers)
        return Actor("cli", named="cli")
    return Actor(f"cli:{login}", named=login)


async def cli_actor(session: AsyncSession, by: str | None) -> Actor:
    """The lead named by ``--by`` (the action refuses them unless they may act as a lead of
    its project), else whoever is logged in."""
    if not by:
        return login_actor()
    person = await find_contributor(session, by)
    return Actor.lead(person.id, named=by)
