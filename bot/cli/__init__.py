"""The ``coproduce`` command: the service, the database, contributors and projects."""

from __future__ import annotations

import typer

from . import (
    assign,
    briefs,
    checks,
    closing,
    contributor_update,
    contributors,
    data_rights,
    inbox,
    leads,
    meetings,
    messages,
    outbox,
    polls,
    projects,
    questions,
    reviews,
)
from .report import report_command
from .service import db_app, serve_command, worker_command

app = typer.Typer(
    name="coproduce",
    help="coproduce: every contributor receives the brief, comments, asks and is answered.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("serve")(serve_command)
app.command("worker")(worker_command)
app.add_typer(db_app, name="db")
app.add_typer(contributors.app, name="contributor")
app.add_typer(projects.app, name="project")
app.add_typer(briefs.app, name="brief")
app.add_typer(meetings.meeting_app, name="meeting", no_args_is_help=True)
app.add_typer(meetings.window_app, name="window", no_args_is_help=True)
app.add_typer(questions.question_app, name="question", no_args_is_help=True)
app.add_typer(questions.comment_app, name="comment", no_args_is_help=True)
app.add_typer(checks.reply_app, name="reply", no_args_is_help=True)
app.add_typer(outbox.app, name="outbox")
app.add_typer(leads.lead_app, name="lead")
app.add_typer(inbox.inbox_app, name="inbox", no_args_is_help=True)
app.add_typer(messages.message_app, name="message", no_args_is_help=True)
app.add_typer(polls.poll_app, name="poll", no_args_is_help=True)
app.add_typer(reviews.review_app, name="review", no_args_is_help=True)
# Defined beside each other (the end of a project and its record), listed where they belong.
projects.app.command("add-lead")(leads.add_lead_command)
projects.app.command("remove-lead")(leads.remove_lead_command)
projects.app.command("close")(closing.close_command)
projects.app.command("reopen")(closing.reopen_command)
# Who responds, and by when: beside the other comment and question commands.
questions.comment_app.command("assign")(assign.assign_comment)
questions.question_app.command("assign")(assign.assign_question)
app.command("audit")(closing.audit_command)
app.command("report")(report_command)
# A person's data rights, beside the other contributor commands; retention under db.
contributors.app.command("update")(contributor_update.update_command)
contributors.app.command("export")(data_rights.export_command)
contributors.app.command("erase")(data_rights.erase_command)
db_app.command("purge")(data_rights.purge_command)


def main() -> None:
    app()
