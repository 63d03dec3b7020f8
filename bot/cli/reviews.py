"""``coproduce review start | panel | show``: the project's own review at completion."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import typer

from bot.clock import SystemClock
from flows import lead_reviews
from flows.record_review import ReviewRecord, shown, signed_off_sentence, spread
from flows.review_statements import decode_statements
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

review_app = typer.Typer(
    help="The project's review: rate statements of good co-production, and sign it off."
)


@review_app.command("start")
@reports_errors
def start(
    code: str = typer.Argument(..., help="The project code (the project must be closed)."),
    statements: Path = typer.Option(
        None,
        "--statements",
        help="The project's own statements: a UTF-8 file, one a line, at most 12 of 160 "
        "characters each (default: ours, in each person's language).",
    ),
    closes: str = typer.Option(
        None, "--closes", help="YYYY-MM-DD HH:MM in the project's time zone (default: in 14 days)."
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Start a round of the review: every member and lead is told, then sent the first
    statement to rate from 1 to 5. A round still open closes; every round is kept."""
    own = decode_statements(statements.read_bytes()) if statements is not None else None

    async def _start() -> tuple[str, int, int, str]:
        async with database() as sessions, transaction(sessions) as session:
            project, review, reached = await lead_reviews.start_review(
                session,
                await cli_actor(session, by),
                code,
                now=SystemClock().now(),
                statements=own,
                closes=closes,
            )
            when = listed_time(review.closes_at, project.time_zone)
            return project.code, len(review.statements), reached, when

    project, count, reached, when = run(_start())
    typer.echo(
        f"The review of {project} ({count} statements) is going to {reached} people. "
        f"It closes on {when}."
    )


@review_app.command("panel")
@reports_errors
def panel(
    code: str = typer.Argument(..., help="The project code."),
    people: list[str] = typer.Argument(
        ..., help="One to three peer leaders (contributor ids or emails); every lead is on it."
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Name who signs off the latest round: every lead and one to three peer leaders (members
    who are not leads). Each new one is asked to reply REVIEW OK and the code."""

    async def _panel() -> tuple[list[str], int]:
        async with database() as sessions, transaction(sessions) as session:
            _, seats, told = await lead_reviews.name_panel(
                session, await cli_actor(session, by), code, people, now=SystemClock().now()
            )
            return [
                f"{seat.name} ({'lead' if seat.is_lead else 'peer leader'})" for seat in seats
            ], told

    seats, told = run(_panel())
    typer.echo(f"The review panel of {code.strip().upper()}: {', '.join(seats)}.")
    typer.echo(f"{_count(told, 'person was', 'people were')} asked to sign it off.")


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _as_json(review: ReviewRecord) -> dict[str, Any]:
    data = asdict(review)
    for key in ("started_at", "closes_at"):
        data[key] = iso_time(data[key])
    for seat in data["panel"]:
        seat["signed_off_at"] = iso_time(seat["signed_off_at"]) or None
    for comment in data["comments"]:
        comment["received_at"] = iso_time(comment["received_at"])
    data["signed_off"] = review.signed_off
    return data


def _print(review: ReviewRecord) -> None:
    state = "closed" if review.closed else "open until"
    typer.echo(
        f"The {review.year} review (round {review.rounds}), {state} "
        f"{review.closes_at:%Y-%m-%d %H:%M} UTC: {_count(review.rated, 'person', 'people')} "
        "rated."
    )
    for s in review.statements:
        typer.echo(f"{s.number}. {s.text}")
        middle = f", middle half {s.lower_quartile}–{s.upper_quartile}" if s.ratings else ""
        typer.echo(
            f"   {_count(s.ratings, 'rating', 'ratings')}, {_count(s.skips, 'skip', 'skips')}; "
            f"median {shown(s.median)}, spread "
            f"{spread(s)}{middle}; members {shown(s.members_median)}, leads "
            f"{shown(s.leads_median)}"
        )
    if review.comments:
        typer.echo("In their own words:")
    for c in review.comments:
        typer.echo(f'  - {c.author}{" (lead)" if c.as_lead else ""}: "{c.text}"')
    typer.echo(signed_off_sentence(review))
    for p in review.panel:
        signed = (
            f"signed off {p.signed_off_at:%Y-%m-%d %H:%M} UTC" if p.signed_off_at else "not yet"
        )
        words = f': "{p.words}"' if p.words else ""
        typer.echo(f"  - {p.name} ({p.role}): {signed}{words}")


@review_app.command("show")
@reports_errors
def show(
    code: str = typer.Argument(..., help="The project code."),
    json_output: bool = typer.Option(False, "--json", help="Print the review as JSON."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """The latest round: each statement's ratings, median and spread, members' and leads'
    medians, the skips, the words people added, and the panel's sign-off."""

    async def _show() -> ReviewRecord:
        async with database() as sessions, sessions() as session:
            return await lead_reviews.review_results(
                session, await cli_actor(session, by), code, now=SystemClock().now()
            )

    review = run(_show())
    if json_output:
        print_json(_as_json(review))
    else:
        _print(review)
