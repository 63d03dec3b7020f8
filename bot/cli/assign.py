"""``coproduce comment assign`` and ``coproduce question assign``: the lead named for a
response, and the day it is due."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import typer

from bot.clock import SystemClock
from flows import lead_responsibility
from flows.i18n import format_day
from flows.lead_responsibility import Named, due_day
from storage.db import transaction

from .common import BY_HELP, cli_actor, database, reports_errors, run
from .messages import ALREADY_SENT

PERSON_HELP = "The lead named for it: contributor id or email."
DUE_HELP = "The day it is due by, YYYY-MM-DD in the project's time zone."
# --by is the due day here, so the acting lead is named with --as.
AS_HELP = BY_HELP.replace("Who is acting", "Who is naming them")

Assign = Callable[..., Awaitable[Named]]


@reports_errors
def assign_comment(
    comment_id: int = typer.Argument(..., help="The comment number."),
    person: str = typer.Argument(..., help=PERSON_HELP),
    due: str = typer.Option(..., "--by", help=DUE_HELP),
    acting: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Name the lead responsible for the response to a comment, and by when. They are told
    now, reminded the day before, and every lead hears if the day passes without it."""
    named = run(_assign(lead_responsibility.assign_comment, comment_id, person, due, acting))
    typer.echo(_outcome(named, f"the response to comment {comment_id}"))


@reports_errors
def assign_question(
    question_id: int = typer.Argument(..., help="The question number (a member's question)."),
    person: str = typer.Argument(..., help=PERSON_HELP),
    due: str = typer.Option(..., "--by", help=DUE_HELP),
    acting: str = typer.Option(None, "--as", help=AS_HELP),
) -> None:
    """Name the lead responsible for the written answer to a member's question, and by
    when. They are told now, reminded the day before, and every lead hears if the day
    passes without it."""
    named = run(_assign(lead_responsibility.assign_question, question_id, person, due, acting))
    typer.echo(_outcome(named, f"the written answer to question {question_id}"))


async def _assign(assign: Assign, number: int, person: str, due: str, acting: str | None) -> Named:
    day = due_day(due)
    async with database() as sessions, transaction(sessions) as session:
        return await assign(
            session,
            await cli_actor(session, acting),
            number,
            person,
            due_on=day,
            now=SystemClock().now(),
        )


def _outcome(named: Named, what: str) -> str:
    said = (
        f"{named.person.name} (contributor {named.person.id}) is named for {what} on "
        f"{named.project.code}, by {format_day(named.due_on, 'en')}"
    )
    if named.told.already:
        return f"{said}. {ALREADY_SENT}"
    told = "they are being told" if named.told else "they cannot be reached"
    return f"{said}; {told}."
