"""``coproduce contributor update``: change a contributor's name, language, preferred channel,
access needs or the address used on a channel."""

from __future__ import annotations

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import SystemClock
from flows.briefs import formats_lacking
from flows.i18n import parse_language
from flows.new_contributors import parse_access_needs, parse_addresses, parse_channel
from storage.briefs import latest_brief
from storage.contributor_changes import ContributorChanges, change_contributor
from storage.contributors import find_contributor
from storage.db import transaction
from storage.memberships import memberships_of
from storage.models import Contributor, MembershipStatus

from ..settings import Settings
from .briefs import FORMAT_WORDS
from .common import database, login_actor, note, print_json, reports_errors, run
from .contributors import language_note, needs_note

# What --access-needs takes to clear them.
NO_NEEDS = ("", "none")


@reports_errors
def update_command(
    contributor: str = typer.Argument(..., help="The contributor's id or email address."),
    name: str | None = typer.Option(None, "--name", help="The name they like to be called."),
    email: str | None = typer.Option(None, "--email", help="A new email address."),
    phone: str | None = typer.Option(None, "--phone", help="A new mobile number."),
    telegram: str | None = typer.Option(None, "--telegram", help="A new Telegram chat number."),
    whatsapp: str | None = typer.Option(None, "--whatsapp", help="A new WhatsApp number."),
    language: str | None = typer.Option(None, "--language", help="Language code, e.g. cy."),
    channel: str | None = typer.Option(
        None, "--channel", help="Preferred: email, sms, telegram or whatsapp."
    ),
    access_needs: str | None = typer.Option(
        None,
        "--access-needs",
        help='Their needs from now on, comma-separated ("easy read, large print"); '
        '"none" clears them.',
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Change what we hold about a contributor. A new address replaces the one they had on
    that channel; the old one no longer reaches them."""
    settings = Settings()
    needs = None
    if access_needs is not None:
        cleared = access_needs.strip().casefold() in NO_NEEDS
        needs = () if cleared else parse_access_needs(access_needs)
    changes = ContributorChanges(
        name=name,
        language=parse_language(language) if language and language.strip() else None,
        preferred_channel=parse_channel(channel),
        access_needs=needs,
        addresses=parse_addresses(
            email, phone, telegram, settings.default_region, whatsapp=whatsapp
        ),
    )

    async def _update() -> tuple[int, list[str], list[str]]:
        async with database(settings) as sessions, transaction(sessions) as session:
            person = await find_contributor(session, contributor)
            changed = await change_contributor(
                session, person, changes, actor=login_actor().label, now=SystemClock().now()
            )
            lacking = await _briefs_lacking(session, person) if "access needs" in changed else []
            return person.id, changed, lacking

    person_id, changed, lacking = run(_update())
    if json_output:
        print_json({"id": person_id, "changed": changed, "briefs_lacking": lacking})
    elif changed:
        typer.echo(f"Updated contributor {person_id}: {', '.join(changed)}.")
    else:
        typer.echo(f"Contributor {person_id} already had these details; nothing changed.")
    if "language" in changed:
        language_note(changes.language)
    if "access needs" in changed:
        needs_note(changes.access_needs or ())
    for line in lacking:
        note(line)


async def _briefs_lacking(session: AsyncSession, person: Contributor) -> list[str]:
    """For each project they are in, the formats they now need that its brief lacks."""
    lines = []
    for found, project in await memberships_of(session, person.id):
        brief = await latest_brief(session, project.id)
        if found.status == MembershipStatus.LEFT or brief is None:
            continue
        for need in formats_lacking(brief, [person.access_needs]):
            lines.append(
                f"the {project.code} brief has no {FORMAT_WORDS[need]} version (add it by "
                f"publishing again with --alt {need}=URL)"
            )
    return lines
