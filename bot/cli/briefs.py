"""``coproduce brief publish | list``."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.clock import SystemClock
from channels.base import AccessNeed
from flows import lead_actions
from flows.brief_sending import BriefAudience, BriefSending
from flows.briefs import PublishedBrief
from storage.briefs import brief_versions
from storage.db import transaction
from storage.errors import InvalidInput
from storage.models import Project
from storage.projects import find_project

from .common import BY_HELP, cli_actor, database, print_json, reports_errors, run, say_if_held

app = typer.Typer(help="Briefs: publish a new version, list the versions.", no_args_is_help=True)

FORMAT_WORDS = {
    AccessNeed.EASY_READ: "easy read",
    AccessNeed.LARGE_PRINT: "large print",
    AccessNeed.AUDIO: "audio",
    AccessNeed.BSL: "BSL",
}


def parse_alternatives(values: list[str]) -> dict[str, str]:
    """``--alt`` values as format -> link; a format people's needs name is stored in our own
    words ("Easy Read" -> easy-read), so it reaches the people who need it."""
    found: dict[str, str] = {}
    for value in values:
        key, sep, url = value.partition("=")
        if not sep or not key.strip() or not url.strip():
            raise InvalidInput(
                f"--alt wants a format and a link, like easy-read=https://...: {value}"
            )
        need = AccessNeed.parse(key)
        found[need.value if need else key.strip().lower()] = url.strip()
    return found


def lacking_lines(lacking: dict[AccessNeed, int]) -> list[str]:
    """For the lead: the formats members need that this version does not have."""
    return [
        f"{count} member{'s need' if count != 1 else ' needs'} {FORMAT_WORDS[need]} and this "
        f"brief has none (add it by publishing again with --alt {need}=URL)."
        for need, count in lacking.items()
    ]


@app.command("publish")
@reports_errors
def publish(
    code: str = typer.Argument(..., help="The project code."),
    file: Path = typer.Option(..., "--file", help="The brief, as a text or Markdown file."),
    summary: str = typer.Option(None, "--summary", help="A few words for text messages."),
    note: str = typer.Option(None, "--note", help="What changed since the last version."),
    alt: list[str] = typer.Option(
        [], "--alt", help="Another format and its link, e.g. easy-read=https://..."
    ),
    send: BriefSending = typer.Option(
        None,
        "--send",
        help="Who gets it: all (the whole brief to everyone), changed-formats (the whole "
        "brief only to people who need a format this version adds or changes; everyone else "
        "is told it changed) or none. Default: all for the first version, changed-formats "
        "after.",
        case_sensitive=False,
    ),
    by: str = typer.Option(None, "--by", help=BY_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Publish a new version of the brief and send it to every member, or as --send says."""
    text = file.read_text(encoding="utf-8")
    alternatives = parse_alternatives(alt)
    now = SystemClock().now()

    async def _publish() -> tuple[Project, PublishedBrief]:
        async with database() as sessions, transaction(sessions) as session:
            project, published = await lead_actions.publish_brief(
                session,
                await cli_actor(session, by),
                code,
                text=text,
                summary=summary,
                note=note,
                alt_formats=alternatives,
                now=now,
                send=send,
            )
            return project, published

    project, published = run(_publish())
    project_code = project.code
    audience = published.audience
    assert audience is not None  # set by every publish
    if json_output:
        print_json(
            {
                "project": project_code,
                "version": published.version,
                "sent_to": published.reached,
                "send": audience.sending.value,
                "whole_brief_to": audience.whole,
                "told_it_changed": audience.told,
                # Members who need each format this version lacks.
                "missing_formats": {str(need): n for need, n in published.lacking.items()},
            }
        )
        return
    if published.version == 1 and audience.sending == BriefSending.ALL:
        # Publishing the first version is sending it to everyone: the line says so.
        typer.echo(
            f"Published version {published.version} of the {project_code} brief; "
            f"sending to {published.reached}."
        )
    else:
        typer.echo(f"Published version {published.version} of the {project_code} brief.")
        typer.echo(sending_line(audience))
    for line in lacking_lines(published.lacking):
        typer.echo(line)
    if published.reached:
        say_if_held(project, now)


def _people(count: int) -> str:
    return f"{count} {'person' if count == 1 else 'people'}"


def sending_line(audience: BriefAudience) -> str:
    """What went to whom, so a lead never sends the whole text to everyone unawares."""
    if audience.sending == BriefSending.NONE:
        return "Nobody was sent it or told it changed (--send none)."
    if audience.sending == BriefSending.ALL:
        return f"The whole brief went to {_people(audience.whole)}."
    formats = " or ".join(FORMAT_WORDS[need] for need in audience.changed)
    told = f"{_people(audience.told)} {'was' if audience.told == 1 else 'were'} told it changed."
    if not audience.changed:
        return f"No format was added or changed, so nobody was sent it whole; {told}"
    if not audience.whole:
        return f"Nobody uses {formats}, so nobody was sent it whole; {told}"
    return (
        f"Only the {_people(audience.whole)} who use{'s' if audience.whole == 1 else ''} "
        f"{formats} {'was' if audience.whole == 1 else 'were'} sent it; {told}"
    )


@app.command("list")
@reports_errors
def list_command(
    code: str = typer.Argument(..., help="The project code."),
    json_output: bool = typer.Option(False, "--json", help="Print the list as JSON."),
) -> None:
    """List the versions of a project's brief with their change notes."""

    async def _list() -> list[dict[str, object]]:
        async with database() as sessions, sessions() as session:
            project = await find_project(session, code)
            return [
                {
                    "version": brief.version,
                    "published_at": brief.published_at.isoformat(),
                    "change_note": brief.change_note,
                    "summary": brief.summary,
                    "alt_formats": brief.alt_formats,
                }
                for brief in await brief_versions(session, project.id)
            ]

    versions = run(_list())
    if json_output:
        print_json(versions)
        return
    if not versions:
        typer.echo(f"No brief yet. Publish one with: coproduce brief publish {code.upper()} --file")
    for v in versions:
        typer.echo(f"Version {v['version']} ({v['published_at']}): {v['change_note'] or '-'}")
