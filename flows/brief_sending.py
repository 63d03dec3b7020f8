"""Who is sent a new version of the brief, and what: the lead chooses.

- ``all``: the whole brief to everyone who has joined or is invited (as the first version
  always goes, unless the lead says otherwise).
- ``changed-formats``: the whole brief only to the people whose access needs match a format
  this version adds or changes (a new easy read link goes to those who need easy read);
  everyone else a short notice that it changed, with how to get it. The default for a
  later version: nobody is sent the whole text again without the lead choosing it.
- ``none``: nobody is sent anything (a typing error put right, say).

The lead is told what went to whom, and the workspace says it before they publish.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import AccessNeed, ChannelName, known_access_needs
from storage.briefs import latest_brief
from storage.memberships import addressee_pages
from storage.models import BriefVersion, MembershipStatus, Project
from storage.outbox import enqueue_to_points

from .i18n import usable_language
from .keywords import Command, keyword_words
from .outbound import Message, Reader, Render, best_of, bodies_for
from .quiet_hours import held_until

NOTICE_KIND = "brief-changed"


class BriefSending(StrEnum):
    ALL = "all"
    CHANGED_FORMATS = "changed-formats"
    NONE = "none"


def default_sending(latest: BriefVersion | None) -> BriefSending:
    """The first version goes whole to everyone; a later one whole only to those who need a
    format it adds or changes, everyone else being told it changed."""
    return BriefSending.ALL if latest is None else BriefSending.CHANGED_FORMATS


@dataclass(frozen=True)
class BriefAudience:
    """What a version goes out as: to how many the whole brief, to how many the notice."""

    sending: BriefSending
    whole: int
    told: int
    changed: tuple[AccessNeed, ...]  # the formats this version adds or changes


def formats_of(alt_formats: dict[str, str]) -> dict[AccessNeed, str]:
    """The brief's links for the needs they meet (a format given as "Easy Read" counts)."""
    found: dict[AccessNeed, str] = {}
    for key, url in sorted(alt_formats.items()):
        need = AccessNeed.parse(key)
        if need is not None and need.is_format:
            found.setdefault(need, url)
    return found


def changed_formats(before: dict[str, str] | None, after: dict[str, str]) -> tuple[AccessNeed, ...]:
    """The formats whose link is new or different in ``after``, in the usual order."""
    old, new = formats_of(before or {}), formats_of(after)
    return tuple(need for need in AccessNeed if need in new and old.get(need) != new[need])


def brief_changed_text(reader: Reader, project: Project, note: str | None) -> Message:
    """The short notice for someone not sent the new version whole."""
    t = reader.t
    note = (note or "").strip().rstrip(".")
    if note:
        first = t.gettext("The brief for {code} has changed: {note}.").format(
            code=project.code, note=note
        )
    else:
        first = t.gettext("The brief for {code} has changed.").format(code=project.code)
    how = t.gettext("Reply {brief} {code} to get it.").format(
        brief=keyword_words(t)[Command.BRIEF], code=project.code
    )
    subject = t.gettext("{title}: the brief has changed").format(title=project.title)
    return Message(f"{first} {how}", subject=subject)


# Those who are sent the brief: members who joined, and those invited (who get it with how
# to join); True for the invited.
AUDIENCE = ((MembershipStatus.JOINED, False), (MembershipStatus.INVITED, True))


async def brief_audience(
    session: AsyncSession,
    project: Project,
    *,
    alt_formats: dict[str, str],
    sending: BriefSending | None,
) -> BriefAudience:
    """Who a version with these formats would go to, whole or as a notice, before it is
    published (``sending`` None: the default for the next version)."""
    latest = await latest_brief(session, project.id)
    sending = sending or default_sending(latest)
    changed = changed_formats(latest.alt_formats if latest else None, alt_formats)
    whole = told = 0
    if sending != BriefSending.NONE:
        async for _, _, gets_whole, points in _readers(session, project, sending, changed):
            if gets_whole:
                whole += len(points)
            else:
                told += len(points)
    return BriefAudience(sending, whole, told, changed)


async def send_version(
    session: AsyncSession,
    project: Project,
    *,
    sending: BriefSending,
    changed: tuple[AccessNeed, ...],
    whole_for: Callable[[bool], Render],
    notice: Render,
    now: datetime,
) -> BriefAudience:
    """Queue the version as the lead chose: ``whole_for(invited)`` renders the whole brief,
    ``notice`` the short one. Held until the morning in the project's quiet hours."""
    whole = told = 0
    if sending == BriefSending.NONE:
        return BriefAudience(sending, whole, told, changed)
    not_before = held_until(project, now)
    renders = {True: whole_for(True), False: whole_for(False)}
    rendered: dict[tuple[bool, bool, Reader], Message] = {}
    async for invited, reader, gets_whole, points in _readers(session, project, sending, changed):
        key = (invited, gets_whole, reader)
        if key not in rendered:
            rendered[key] = renders[invited](reader) if gets_whole else notice(reader)
        message = rendered[key]
        await enqueue_to_points(
            session,
            points,
            kind="brief" if gets_whole else NOTICE_KIND,
            bodies=bodies_for(reader.channel, message),
            language=reader.language,
            subject=message.subject if reader.channel == ChannelName.EMAIL else None,
            project_id=project.id,
            choices=message.choices,
            now=now,
            not_before=not_before,
        )
        if gets_whole:
            whole += len(points)
        else:
            told += len(points)
    return BriefAudience(sending, whole, told, changed)


async def _readers(
    session: AsyncSession,
    project: Project,
    sending: BriefSending,
    changed: tuple[AccessNeed, ...],
) -> AsyncIterator[tuple[bool, Reader, bool, list[int]]]:
    """Page by page, the addresses of everyone a version goes to, grouped by kind of reader
    and by whether they get it whole: (invited, reader, whole, contact point ids)."""
    wanted = frozenset(changed)
    for status, invited in AUDIENCE:
        async for page in addressee_pages(session, project.id, statuses=(status,)):
            groups: dict[tuple[Reader, bool], list[int]] = defaultdict(list)
            for person in page:
                point = best_of(person.contact_points, person.preferred_channel)
                if point is None:
                    continue
                needs = known_access_needs(person.access_needs)
                reader = Reader(
                    language=usable_language(person.language, project.default_language or "en"),
                    channel=point.channel,
                    time_zone=project.time_zone,
                    needs=needs,
                )
                gets_whole = sending == BriefSending.ALL or bool(needs & wanted)
                groups[(reader, gets_whole)].append(point.id)
            for (reader, gets_whole), points in groups.items():
                yield invited, reader, gets_whole, points


def notice_preview(project: Project, note: str | None, language: str) -> str:
    """The notice as a reader of ``language`` will read it, for the lead to see first."""
    reader = Reader(language=language, channel=ChannelName.EMAIL, time_zone=project.time_zone)
    return brief_changed_text(reader, project, note).body
