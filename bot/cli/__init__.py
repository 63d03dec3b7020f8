"""The ``coproduce`` command: the service, the database, contributors and projects."""

from __future__ import annotations

import typer

from . import contributors, projects
from .service import db_app, serve_command

app = typer.Typer(
    name="coproduce",
    help="coproduce: every contributor receives the brief, comments, asks and is answered.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve_command)
app.add_typer(db_app, name="db")
app.add_typer(contributors.app, name="contributor")
app.add_typer(projects.app, name="project")


def main() -> None:
    app()
