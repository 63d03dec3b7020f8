"""Putting messages in the outbox: to one person, to the leads, to every member.

A message is rendered for each reader (their language, their channel, the project's time
zone), then written as an outbox row in the caller's transaction; the dispatcher sends it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import AccessNeed, ChannelName, known_access_needs
from channels.gsm import is_gsm7, sanitise
from storage.memberships import Addressee, addressee_pages, lead_kinds, leads_of
from storage.models import ContactPoint, Contributor, LeadKind, MembershipStatus, Project
from storage.outbox import enqueue_many, enqueue_to_points, outbox_values

from .i18n import Translator, format_when, translator, usable_language
from .quiet_hours import held_until

# Twilio takes at most 1,600 characters in one message; longer texts go as several, each
# cut at a line break and at most ten segments long: 1,530 GSM-7 characters, or 670 UTF-16
# units of a text in UCS-2 (Polish, Urdu, an emoji), less a little for characters that take
# two units.
SMS_PART_LIMIT = 1530
SMS_UCS2_PART_LIMIT = 650
# WhatsApp has no segments, and Twilio takes 1,600 characters in one message; the room left
# is for Markdown written out as plain text (a link's address after its words).
WHATSAPP_PART_LIMIT = 1500


# The kinds of message whose body is Markdown: the lead's own writing (a brief, an answer,
# an announcement or reply) set among our words. Each channel renders it in its own format
# (channels.markdown); every other body is plain text and goes as written, so a system
# message's "1." or "*" or under_score@example.org is never read as a mark. The composers
# of these kinds keep our own lines apart with blank lines and escape a contributor's words
# (channels.markdown.escape). An invitation carries the brief when there is one, and
# otherwise one line of ours that reads the same either way.
MARKDOWN_KINDS = frozenset(
    {"brief", "invitation", "answer", "your-answer", "announcement", "lead-message"}
)


def written_in_markdown(kind: str) -> bool:
    """True when an outbox row of this kind carries Markdown (the dispatcher tells the
    channel so through ``OutboundMessage.markdown``)."""
    return kind in MARKDOWN_KINDS


@dataclass(frozen=True)
class Reader:
    """Who a message is rendered for."""

    language: str
    channel: ChannelName
    time_zone: str = "Europe/London"
    # Only the needs we act on (easy read, audio...); others are for the leads to read.
    needs: frozenset[AccessNeed] = frozenset()

    @property
    def t(self) -> Translator:
        return translator(self.language)

    @property
    def sms(self) -> bool:
        return self.channel == ChannelName.SMS

    def when(self, moment: datetime) -> str:
        return format_when(moment, self.language, self.time_zone)

    def paragraphs(self, parts: list[str]) -> str:
        """Short parts as one run of sentences on SMS (fewer segments), paragraphs elsewhere."""
        return (" " if self.sms else "\n\n").join(parts)


@dataclass(frozen=True)
class Message:
    body: str
    subject: str | None = None
    choices: tuple[str, ...] = ()


Render = Callable[[Reader], Message]


def reader_for(contributor: Contributor, point: ContactPoint, project: Project | None) -> Reader:
    fallback = project.default_language if project else None
    return Reader(
        language=usable_language(contributor.language, fallback or "en"),
        channel=point.channel,
        time_zone=project.time_zone if project else "Europe/London",
        needs=known_access_needs(contributor.access_needs or ()),
    )


# Permanent failures in a row after which a person's messages go by their other channel.
REPEATED_FAILURES = 2


class _Point(Protocol):
    @property
    def channel(self) -> ChannelName: ...
    @property
    def failures(self) -> int: ...
    @property
    def opted_out_at(self) -> datetime | None: ...


_P = TypeVar("_P", bound=_Point)


def best_of(points: Sequence[_P], preferred: ChannelName) -> _P | None:
    """The preferred channel's address, or another that has not been stopped; an address
    that failed for good more than once gives way to one that has not."""
    open_points = [p for p in points if p.opted_out_at is None]
    working = [p for p in open_points if p.failures < REPEATED_FAILURES] or open_points
    for point in working:
        if point.channel == preferred:
            return point
    return working[0] if working else None


def best_contact_point(contributor: Contributor) -> ContactPoint | None:
    return best_of(contributor.contact_points, contributor.preferred_channel)


def split_for_sms(body: str, limit: int = SMS_PART_LIMIT) -> list[str]:
    if len(body) <= limit:
        return [body]
    parts: list[str] = []
    current = ""
    for line in body.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            parts.append((current + "\n" + line[:cut]).strip() if current else line[:cut])
            current, line = "", line[cut:].strip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current.strip())
            candidate = line
        current = candidate
    if current.strip():
        parts.append(current.strip())
    return parts


async def send_to_point(
    session: AsyncSession,
    point: ContactPoint,
    reader: Reader,
    *,
    kind: str,
    render: Render,
    now: datetime,
    project_id: int | None = None,
    reply_to_inbound_id: int | None = None,
    not_before: datetime | None = None,
) -> int:
    """Render for this reader and queue; returns how many outbox rows were written."""
    rows = outbox_rows(
        point,
        reader,
        render(reader),
        kind=kind,
        now=now,
        project_id=project_id,
        reply_to_inbound_id=reply_to_inbound_id,
        not_before=not_before,
    )
    await enqueue_many(session, rows)
    return len(rows)


def outbox_rows(
    point: ContactPoint,
    reader: Reader,
    message: Message,
    *,
    kind: str,
    now: datetime,
    project_id: int | None,
    reply_to_inbound_id: int | None = None,
    not_before: datetime | None = None,
) -> list[dict[str, object]]:
    """The rows that carry one rendered message to one address: several for a long SMS."""
    return [
        outbox_values(
            contact_point_id=point.id,
            channel=point.channel,
            contributor_id=point.contributor_id,
            kind=kind,
            body=body,
            language=reader.language,
            subject=message.subject if point.channel == ChannelName.EMAIL else None,
            project_id=project_id,
            choices=message.choices,
            reply_to_inbound_id=reply_to_inbound_id,
            now=now,
            not_before=not_before,
        )
        for body in bodies_for(point.channel, message)
    ]


def bodies_for(channel: ChannelName, message: Message) -> list[str]:
    """The texts that carry a message: a long SMS or WhatsApp message goes as several."""
    if channel == ChannelName.SMS:
        gsm = is_gsm7(sanitise(message.body))
        return split_for_sms(message.body, SMS_PART_LIMIT if gsm else SMS_UCS2_PART_LIMIT)
    if channel == ChannelName.WHATSAPP:
        return split_for_sms(message.body, WHATSAPP_PART_LIMIT)
    return [message.body]


async def send_to(
    session: AsyncSession,
    contributor: Contributor,
    project: Project | None,
    *,
    kind: str,
    render: Render,
    now: datetime,
    point: ContactPoint | None = None,
    hold_at_night: bool = False,
) -> bool:
    """Queue a message to one person on their best channel; False if they can't be reached.
    With ``hold_at_night`` (a message nobody is waiting for: scheduled, or a lead's
    announcement), the project's quiet hours hold it until the morning."""
    point = point or best_contact_point(contributor)
    if point is None:
        return False
    await send_to_point(
        session,
        point,
        reader_for(contributor, point, project),
        kind=kind,
        render=render,
        now=now,
        project_id=project.id if project else None,
        not_before=held_until(project, now) if project and hold_at_night else None,
    )
    return True


async def send_to_members(
    session: AsyncSession,
    project: Project,
    *,
    kind: str,
    render: Render,
    now: datetime,
    exclude: Sequence[int] = (),
    statuses: Sequence[MembershipStatus] = (MembershipStatus.JOINED,),
    each_page: Callable[[list[Addressee]], Awaitable[None]] | None = None,
) -> int:
    """Queue a message to every member (by default those who joined; the brief goes to
    those only invited as well); returns how many were reached. A broadcast queued in the
    project's quiet hours is held until they end.

    Members are read a page at a time, and the database writes each page's rows with one
    statement per kind of reader, so a broadcast's cost grows with the number of members
    and its memory does not. A message
    is rendered once for each kind of reader (language, channel, needs), not per person.
    ``each_page`` sees every page, reachable or not, for work that goes with the message.
    """
    rendered: dict[Reader, Message] = {}
    reached = 0
    not_before = held_until(project, now)
    async for page in addressee_pages(session, project.id, exclude, statuses):
        # One statement per kind of reader per page: a whole page of addresses at once.
        addresses: dict[Reader, list[int]] = defaultdict(list)
        for person in page:
            point = best_of(person.contact_points, person.preferred_channel)
            if point is None:
                continue
            reader = Reader(
                language=usable_language(person.language, project.default_language or "en"),
                channel=point.channel,
                time_zone=project.time_zone,
                needs=known_access_needs(person.access_needs),
            )
            addresses[reader].append(point.id)
            reached += 1
        for reader, point_ids in addresses.items():
            if reader not in rendered:
                rendered[reader] = render(reader)
            message = rendered[reader]
            await enqueue_to_points(
                session,
                point_ids,
                kind=kind,
                bodies=bodies_for(reader.channel, message),
                language=reader.language,
                subject=message.subject if reader.channel == ChannelName.EMAIL else None,
                project_id=project.id,
                choices=message.choices,
                now=now,
                not_before=not_before,
            )
        if each_page is not None:
            await each_page(page)
    return reached


async def send_to_leads(
    session: AsyncSession,
    project: Project,
    *,
    kind: str,
    render: Render,
    now: datetime,
    hold_at_night: bool = False,
) -> int:
    return await send_to_each_lead(
        session,
        project,
        kind=kind,
        render_for=lambda _kind: render,
        now=now,
        hold_at_night=hold_at_night,
    )


async def send_to_each_lead(
    session: AsyncSession,
    project: Project,
    *,
    kind: str,
    render_for: Callable[[LeadKind], Render | None],
    now: datetime,
    hold_at_night: bool = False,
) -> int:
    """Queue a message to each lead who hears of the project, rendered for the kind of
    lead: the team's leads may see what the contributors' leads may not (the name of
    someone who chose not to be named). A kind of lead with no render gets nothing."""
    kinds = await lead_kinds(session, project.id)
    reached = 0
    for lead in await leads_of(session, project.id):
        render = render_for(kinds.get(lead.id, LeadKind.STAFF))
        if render is not None:
            reached += await send_to(
                session,
                lead,
                project,
                kind=kind,
                render=render,
                now=now,
                hold_at_night=hold_at_night,
            )
    return reached
