"""``coproduce poll create | results | close | list``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import typer

from bot.clock import SystemClock
from flows import lead_polls
from flows.poll_choices import shape_of, split_choices
from flows.poll_reports import PollReport
from storage.db import transaction
from storage.errors import InvalidInput

from .common import BY_HELP, cli_actor, database, iso_time, print_json, reports_errors, run

poll_app = typer.Typer(help="Polls: ask the group to choose, see the tally, close early.")


@poll_app.command("create")
@reports_errors
def create(
    code: str = typer.Argument(..., help="The project code."),
    question: str = typer.Argument(..., help="The question, in plain words."),
    choices: str = typer.Option(None, "--choices", help='From 2 to 7 choices: "A|B|C".'),
    scale: str = typer.Option(None, "--scale", help="A scale from 1, such as 1-5."),
    labels: str = typer.Option(
        None, "--labels", help='A word for each point of the scale, or its two ends: "Poor|Great".'
    ),
    yes_no: bool = typer.Option(False, "--yes-no", help="Yes or no."),
    other: bool = typer.Option(False, "--other", help="Keep an answer in their own words too."),
    closes: str = typer.Option(
        None, "--closes", help="YYYY-MM-DD HH:MM in the project's time zone (default: in 7 days)."
    ),
    anonymous: bool = typer.Option(
        True, "--anonymous/--named", help="Anonymous (the default), or leads see who chose what."
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Send a poll to every member: a numbered list on SMS and email, buttons on Telegram;
    the last answer before the close counts, and the result goes to everyone at the close."""
    if labels is not None and scale is None:
        raise InvalidInput("--labels go with --scale")
    shape = shape_of(
        choices=split_choices(choices) if choices is not None else None,
        scale=scale,
        labels=split_choices(labels) if labels else None,
        yes_no=yes_no,
    )

    async def _create() -> tuple[int, int, str]:
        async with database() as sessions, transaction(sessions) as session:
            project, poll, reached = await lead_polls.create_poll(
                session,
                await cli_actor(session, by),
                code,
                question,
                shape,
                now=SystemClock().now(),
                closes=closes,
                allows_other=other,
                named=not anonymous,
            )
            return poll.id, reached, project.code

    number, reached, project = run(_create())
    typer.echo(f"Poll {number} is going to {reached} members of {project}.")


def _as_json(report: PollReport) -> dict[str, Any]:
    data = asdict(report)
    for key in ("opened_at", "closes_at", "closed_at"):
        data[key] = iso_time(data[key]) or None
    for answer in data["answers"]:
        answer["answered_at"] = iso_time(answer["answered_at"])
    return data


def _print(report: PollReport) -> None:
    state = (
        f"closed {report.closed_at:%Y-%m-%d %H:%M} UTC"
        if report.closed_at
        else f"open until {report.closes_at:%Y-%m-%d %H:%M} UTC"
    )
    typer.echo(f"Poll {report.number} ({report.project}, {state}): {report.question}")
    typer.echo(report.summary)
    for choice in report.choices:
        typer.echo(f"  {choice.label}: {choice.count} ({choice.share})")
    if report.allows_other or report.own_words:
        typer.echo(f"  In their own words: {report.own_words}")
    for answer in report.answers:
        if answer.name or answer.own_words:
            chose = f"chose {answer.choice}" if answer.choice else f'wrote "{answer.own_words}"'
            typer.echo(f"  - {answer.name or 'A member'} {chose}")


@poll_app.command("results")
@reports_errors
def results(
    number: int = typer.Argument(..., help="The poll number."),
    json_output: bool = typer.Option(False, "--json", help="Print the tally as JSON."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """The tally so far (or at the close): how many chose each answer, in words and numbers."""

    async def _results() -> PollReport:
        async with database() as sessions, sessions() as session:
            return await lead_polls.poll_results(session, await cli_actor(session, by), number)

    report = run(_results())
    if json_output:
        print_json(_as_json(report))
    else:
        _print(report)


@poll_app.command("close")
@reports_errors
def close(
    number: int = typer.Argument(..., help="The poll number."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Close a poll before its time: the result goes to every member now."""

    async def _close() -> int:
        async with database() as sessions, transaction(sessions) as session:
            return await lead_polls.close_poll(
                session, await cli_actor(session, by), number, now=SystemClock().now()
            )

    reached = run(_close())
    typer.echo(f"Poll {number} is closed. Its result is going to {reached} members.")


@poll_app.command("list")
@reports_errors
def list_polls(
    code: str = typer.Argument(..., help="The project code."),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Every poll of a project with its tally."""

    async def _list() -> list[PollReport]:
        async with database() as sessions, sessions() as session:
            return await lead_polls.polls_of(session, await cli_actor(session, by), code)

    reports = run(_list())
    if json_output:
        print_json([_as_json(report) for report in reports])
        return
    if not reports:
        typer.echo("No polls yet.")
    for report in reports:
        _print(report)
