"""``coproduce meeting add | change | cancel | attendance`` and ``coproduce window open |
extend``."""

from __future__ import annotations

from datetime import timedelta

import typer

from bot.clock import SystemClock
from flows import lead_actions, lead_meetings
from flows.attendance import AttendanceList, Group
from flows.i18n import format_when
from flows.windows import LateMeeting, late_meeting
from storage.db import transaction
from storage.models import Project

from .common import (
    BY_HELP,
    cli_actor,
    database,
    iso_time,
    note,
    print_json,
    reports_errors,
    run,
    say_if_held,
)

meeting_app = typer.Typer(help="Meetings: members are invited; comments open after.")
window_app = typer.Typer(help="Comment windows: open one by hand, or extend one.")


@meeting_app.command("add")
@reports_errors
def add_meeting(
    code: str = typer.Argument(..., help="The project code."),
    at: str = typer.Option(..., "--at", help="Start, 'YYYY-MM-DD HH:MM' in the project's zone."),
    minutes: int = typer.Option(90, "--minutes", help="How long the meeting lasts."),
    place: str = typer.Option(None, "--place", help="Where it is, in plain words."),
    window_days: int = typer.Option(None, "--window-days", help="Days for comments after it."),
    ask_attendance: bool = typer.Option(
        False, "--ask-attendance", help="Ask members to reply 1 (coming), 2 (not) or 3 (a need)."
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Record a meeting: members are invited, and comments open when it ends."""

    async def _add() -> dict[str, object]:
        async with database() as sessions, transaction(sessions) as session:
            project, meeting, reached = await lead_meetings.add_meeting(
                session,
                await cli_actor(session, by),
                code,
                starts=at,
                minutes=minutes,
                place=place,
                window_days=window_days,
                ask_attendance=ask_attendance,
                now=SystemClock().now(),
            )
            late = late_meeting(project, meeting, SystemClock().now())
            return {
                "late": _late_warning(project, late) if late else None,
                "project": project.code,
                "meeting": meeting.id,
                "starts": format_when(meeting.starts_at, "en", project.time_zone),
                "window_days": meeting.window_days,
                "invited": reached,
                "asks_attendance": meeting.ask_attendance,
            }

    result = run(_add())
    if result["late"]:
        note(str(result["late"]))
    if json_output:
        print_json(result)
        return
    asked = " Members are asked to reply 1, 2 or 3 to say if they are coming."
    typer.echo(
        f"Meeting {result['meeting']} for {result['project']} on {result['starts']}; "
        f"{result['invited']} invited. Comments open for {result['window_days']} days after it."
        + (asked if result["asks_attendance"] else "")
    )


def _late_warning(project: Project, late: LateMeeting) -> str:
    """What a lead is told when the meeting they record has already ended."""
    fuller = (
        f"use --window-days {late.window_days} to give people {project.window_days} days from now"
    )
    if late.closes_at is None:
        return f"this meeting ended too long ago for comments to open after it; {fuller}."
    left = late.closes_at - SystemClock().now()
    days = max(1, round(left / timedelta(days=1)))
    when = "in 1 day" if days == 1 else f"in {days} days"
    if left < timedelta(hours=20):
        hours = max(1, round(left / timedelta(hours=1)))
        when = "in 1 hour" if hours == 1 else f"in {hours} hours"
    return f"this meeting has already ended: comments will close {when}; {fuller}."


@meeting_app.command("change")
@reports_errors
def change_meeting(
    meeting: int = typer.Argument(..., help="The meeting number."),
    at: str = typer.Option(
        None, "--at", help="New start, 'YYYY-MM-DD HH:MM' in the project's zone."
    ),
    place: str = typer.Option(None, "--place", help="New place, in plain words."),
    reason: str = typer.Option("", "--reason", help="Why; it goes to every member."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Move a meeting to a new time or place (or both); every member is told why."""

    async def _change() -> str:
        now = SystemClock().now()
        async with database() as sessions, transaction(sessions) as session:
            project, changed, reached = await lead_meetings.change_meeting(
                session,
                await cli_actor(session, by),
                meeting,
                starts=at,
                place=place,
                reason=reason,
                now=now,
            )
        say_if_held(project, now)
        when = format_when(changed.starts_at, "en", project.time_zone)
        where = f", at {changed.place}" if changed.place else ""
        return (
            f"Meeting {changed.id} of {project.code} is now on {when}{where}. "
            f"{reached} {_members(reached)} told what changed and why."
        )

    typer.echo(run(_change()))


@meeting_app.command("cancel")
@reports_errors
def cancel_meeting(
    meeting: int = typer.Argument(..., help="The meeting number."),
    reason: str = typer.Option("", "--reason", help="Why; it goes to every member."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Cancel a meeting that has not started; every member is told why, and no comment
    window opens after it."""

    async def _cancel() -> str:
        now = SystemClock().now()
        async with database() as sessions, transaction(sessions) as session:
            project, cancelled, reached = await lead_meetings.cancel_meeting(
                session, await cli_actor(session, by), meeting, reason=reason, now=now
            )
        say_if_held(project, now)
        when = format_when(cancelled.starts_at, "en", project.time_zone)
        return (
            f"Meeting {cancelled.id} of {project.code} on {when} is cancelled. "
            f"{reached} {_members(reached)} told why. No comment window will open after it."
        )

    typer.echo(run(_cancel()))


@meeting_app.command("attendance")
@reports_errors
def meeting_attendance(
    meeting: int = typer.Argument(..., help="The meeting number."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """Who is coming, who is not, the needs they stated, and who has not answered."""

    async def _list() -> tuple[str, str, AttendanceList]:
        async with database() as sessions, transaction(sessions) as session:
            project, answers = await lead_meetings.meeting_attendance(
                session, await cli_actor(session, by), meeting
            )
            return project.code, project.time_zone, answers

    code, zone, answers = run(_list())
    if json_output:
        print_json(_attendance_json(code, answers))
        return
    if not answers.asked:
        note(f"meeting {answers.meeting_id} did not ask who is coming (see --ask-attendance).")
    if answers.cancelled:
        note(f"meeting {answers.meeting_id} is cancelled.")
    typer.echo(
        f"Meeting {answers.meeting_id} of {code} on {format_when(answers.starts_at, 'en', zone)}"
    )
    typer.echo(f"Coming: {_listed(answers.coming)}")
    typer.echo(f"Not coming: {_listed(answers.not_coming)}")
    if answers.needs:
        typer.echo("Needs:")
        for stated in answers.needs:
            typer.echo(f"  {stated.name or 'A member'}: {stated.need or '(not said yet)'}")
    typer.echo(f"Not answered: {_listed(answers.not_answered)}")
    if answers.names_limited:
        typer.echo("Names are shown only of those who chose to be named.")


def _members(count: int) -> str:
    return "member" if count == 1 else "members"


def _listed(group: Group) -> str:
    """'3: Ann, Bea and 1 not named', '2 (names not shown)' or '0'."""
    hidden = group.count - len(group.names)
    if not group.names:
        return f"{group.count} (names not shown)" if hidden else "0"
    shown = [*group.names, f"{hidden} not named"] if hidden else list(group.names)
    joined = ", ".join(shown[:-1]) + " and " + shown[-1] if len(shown) > 1 else shown[0]
    return f"{group.count}: {joined}"


def _attendance_json(code: str, answers: AttendanceList) -> dict[str, object]:
    def group(found: Group) -> dict[str, object]:
        return {"count": found.count, "names": list(found.names)}

    return {
        "project": code,
        "meeting": answers.meeting_id,
        "starts": iso_time(answers.starts_at),
        "asked": answers.asked,
        "cancelled": answers.cancelled,
        "coming": group(answers.coming),
        "not_coming": group(answers.not_coming),
        "needs": [{"name": n.name, "need": n.need} for n in answers.needs],
        "not_answered": group(answers.not_answered),
        "names_limited": answers.names_limited,
    }


@window_app.command("open")
@reports_errors
def open_window_command(
    code: str = typer.Argument(..., help="The project code."),
    days: int = typer.Option(None, "--days", help="How many days it stays open (default 7)."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Open a comment window now and tell every member."""

    async def _open() -> str:
        async with database() as sessions, transaction(sessions) as session:
            now = SystemClock().now()
            project, window = await lead_actions.open_window(
                session, await cli_actor(session, by), code, days=days, now=now
            )
            say_if_held(project, now)
            closes = format_when(window.closes_at, "en", project.time_zone)
            return f"Comments on {project.code} are open until {closes}."

    typer.echo(run(_open()))


@window_app.command("extend")
@reports_errors
def extend_window_command(
    code: str = typer.Argument(..., help="The project code."),
    until: str = typer.Option(..., "--until", help="New close, 'YYYY-MM-DD HH:MM'."),
    reason: str = typer.Option("", "--reason", help="Why; it goes to every member."),
    by: str = typer.Option(None, "--by", help=BY_HELP),
) -> None:
    """Keep the open window open for longer; a reason is required and sent to everyone."""

    async def _extend() -> str:
        async with database() as sessions, transaction(sessions) as session:
            project, window = await lead_actions.extend_window(
                session,
                await cli_actor(session, by),
                code,
                until=until,
                reason=reason,
                now=SystemClock().now(),
            )
            say_if_held(project, SystemClock().now())
            closes = format_when(window.closes_at, "en", project.time_zone)
            return f"Comments on {project.code} now close on {closes}. Everyone is being told why."

    typer.echo(run(_extend()))
