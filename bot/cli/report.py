"""``coproduce report CODE``: the project record, for anyone or for the leads."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.clock import SystemClock
from flows.record import project_record
from flows.record_render import FORMATS, render
from storage.projects import find_project

from .common import database, fail, reports_errors, run

AUDIENCES = ("public", "leads")


@reports_errors
def report_command(
    code: str = typer.Argument(..., help="The project code."),
    form: str = typer.Option("md", "--format", help="html, md, csv or json."),
    output: Path = typer.Option(None, "--output", help="Write to this file, not the screen."),
    audience: str = typer.Option(
        "public", "--for", help="public (counts only) or leads (who declared, left, stopped)."
    ),
) -> None:
    """The project record: leads, briefs, meetings, comment windows, reach, every comment
    with its response, every question with its answer, and the co-production checklist."""
    if form not in FORMATS:
        raise fail(f"'{form}' is not a format; choose one of {', '.join(FORMATS)}")
    if audience not in AUDIENCES:
        raise fail(f"'{audience}' is not an audience; choose public or leads")

    async def _record() -> str:
        async with database() as sessions, sessions() as session:
            project = await find_project(session, code)
            record = await project_record(
                session, project, for_leads=audience == "leads", now=SystemClock().now()
            )
            return render(record, form)

    text = run(_record())
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"The {form} record of {code.upper()} is in {output}.")
