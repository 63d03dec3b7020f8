"""``coproduce question ask | answer | list`` and ``coproduce comment list | respond``."""

from __future__ import annotations

import typer

from bot.clock import SystemClock
from flows import lead_actions
from flows.lead_messages import Sent
from flows.responses import STATUS_CHOICES, status_from_word
from storage.checks import ItemKind
from storage.comments import project_comments
from storage.db import transaction
from storage.errors import InvalidInput
from storage.models import Contributor, QuestionDirection
from storage.projects import find_project
from storage.questions import answers_to, project_questions, responses_to

from .checks import add_check_commands, print_waiting, waiting_rows
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
from .messages import ALREADY_SENT, already_line

question_app = typer.Typer(help="Questions: ask the group, answer in writing, list, check.")
comment_app = typer.Typer(help="Comments on a project: list, check before sharing, respond.")
add_check_commands(question_app, ItemKind.QUESTION)
add_check_commands(comment_app, ItemKind.COMMENT)


@question_app.command("ask")
@reports_errors
def ask(
    code: str = typer.Argument(..., help="The project code."),
    text: str = typer.Argument(..., help="The question for every member."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Push a question to every member; their replies are kept as responses to it."""

    async def _ask() -> tuple[int, int]:
        async with database() as sessions, transaction(sessions) as session:
            question, reached = await lead_actions.ask_group(
                session, await cli_actor(session, by), code, text, now=SystemClock().now()
            )
            return question.id, reached

    number, reached = run(_ask())
    typer.echo(f"Question {number} is going to {reached} members.")


@question_app.command("answer")
@reports_errors
def answer(
    question_id: int = typer.Argument(..., help="The question number."),
    text: str = typer.Argument(..., help="The answer, in plain words."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Answer a question in writing: every member gets it, and the asker is told."""

    async def _answer() -> Sent:
        async with database() as sessions, transaction(sessions) as session:
            _, sent = await lead_actions.answer_question(
                session, await cli_actor(session, by), question_id, text, now=SystemClock().now()
            )
            return sent

    sent = run(_answer())
    if sent.reached or not sent.already:
        typer.echo(f"The answer to question {question_id} is going to {sent.reached} members.")
    if sent.already:
        typer.echo(already_line(sent))


@question_app.command("list")
@reports_errors
def list_questions(
    code: str = typer.Argument(..., help="The project code."),
    unanswered: bool = typer.Option(False, "--unanswered", help="Only those with no answer."),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List a project's questions with their answers and members' responses."""

    async def _list() -> list[dict[str, object]]:
        async with database() as sessions, sessions() as session:
            project = await find_project(session, code)
            found = []
            for question in await project_questions(session, project.id):
                answers = await answers_to(session, question.id)
                if unanswered and (answers or question.direction != QuestionDirection.TO_LEADS):
                    continue
                asker = await session.get(Contributor, question.asked_by or 0)
                found.append(
                    {
                        "id": question.id,
                        "direction": question.direction.value,
                        "asked_by": asker.name if asker and not asker.erased_at else None,
                        "asked_at": iso_time(question.asked_at),
                        "text": question.text,
                        "answers": [
                            {"text": a.text, "answered_at": iso_time(a.answered_at)}
                            for a in answers
                        ],
                        "responses": [
                            {"contributor": r.contributor_id, "text": r.text}
                            for r in await responses_to(session, question.id)
                        ],
                    }
                )
            return found

    questions = run(_list())
    if json_output:
        print_json(questions)
        return
    if not questions:
        typer.echo("No questions." if not unanswered else "Every question has an answer.")
    for q in questions:
        state = "answered" if q["answers"] else "not answered yet"
        if q["direction"] == QuestionDirection.TO_GROUP.value:
            state = f"asked by the leads, {len(q['responses'])} responses"  # type: ignore[arg-type]
        typer.echo(f"{q['id']}: {q['text']} ({state})")


@comment_app.command("list")
@reports_errors
def list_comments(
    code: str = typer.Argument(..., help="The project code."),
    waiting: bool = typer.Option(
        False,
        "--waiting",
        help="Only what waits for a lead's check (comments, questions, replies), oldest first.",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List a project's comments: who (if they chose to be named), when, how, late or not,
    and whether each is shared, waiting for a check, hidden or withdrawn."""
    if waiting:
        print_waiting(waiting_rows(code), json_output)
        return

    async def _list() -> tuple[str, list[dict[str, object]]]:
        async with database() as sessions, sessions() as session:
            project = await find_project(session, code)
            found = []
            for comment in await project_comments(session, project.id):
                author = await session.get(Contributor, comment.contributor_id or 0)
                found.append(
                    {
                        "id": comment.id,
                        "author": author.name
                        if author and comment.is_named and not author.erased_at
                        else None,
                        "contributor": comment.contributor_id,
                        "channel": comment.channel.value if comment.channel else None,
                        "received_at": comment.received_at,
                        "late": comment.is_late,
                        "named": comment.is_named,
                        "window": comment.window_id,
                        "text": comment.text,
                        "check": comment.check_state.value,
                        "shared_text": comment.shared_text,
                        "flags": list(comment.flags or ()),
                        "response": comment.response_status.value
                        if comment.response_status
                        else None,
                        "response_reason": comment.response_reason,
                        "responded_at": iso_time(comment.responded_at) or None,
                    }
                )
            return project.time_zone, found

    time_zone, comments = run(_list())
    if json_output:
        print_json([{**c, "received_at": iso_time(c["received_at"])} for c in comments])  # type: ignore[arg-type]
        return
    if not comments:
        typer.echo("No comments yet.")
    for c in comments:
        late = " (late)" if c["late"] else ""
        check = "" if c["check"] == "shared" else f" ({c['check']})"
        received = listed_time(c["received_at"], time_zone)  # type: ignore[arg-type]
        typer.echo(
            f"{c['id']}: {c['author'] or 'anonymous'} by {c['channel']}, "
            f"{received}{late}{check}: {c['text']} "
            f"[{c['response'] or 'no response yet'}]"
        )


@comment_app.command("respond")
@reports_errors
def respond(
    comment_id: int = typer.Argument(..., help="The comment number."),
    status: str = typer.Option(..., "--status", help=f"One of {STATUS_CHOICES}."),
    reason: str = typer.Option(
        None,
        "--reason",
        help="Why, in plain words; the author reads it. Needed but for under-review.",
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Say what will be done about a comment; its author is told in their own language.
    A later response replaces the earlier one; the audit log keeps every one."""
    decided = status_from_word(status)
    if decided is None:
        raise InvalidInput(f"--status must be one of {STATUS_CHOICES}, not '{status}'")

    async def _respond() -> tuple[str, Sent]:
        async with database() as sessions, transaction(sessions) as session:
            project, _, told = await lead_actions.respond_to_comment(
                session,
                await cli_actor(session, by),
                comment_id,
                decided,
                reason,
                now=SystemClock().now(),
            )
            return project.code, told

    code, told = run(_respond())
    if told.already:
        typer.echo(f"Comment {comment_id} on {code} is now {decided.value}. {ALREADY_SENT}")
        return
    author = "its author is being told" if told else "its author cannot be reached"
    typer.echo(f"Comment {comment_id} on {code} is now {decided.value}; {author}.")
