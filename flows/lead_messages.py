"""A lead writes to one member, in answer to something that member sent; and what every
lead's message to people shares: it is sent once a day, not twice.

The lead picks the message they answer, not the person: a contributor lead may answer a
member whose name they are not shown, and still never learn it. The words go to the address
the member wrote from, introduced in the member's own language.

The same words of the same kind (a response, an answer, an announcement, a reply) sent to
the same person within a day go once: a command run twice, or a form sent from two tabs,
does not reach anyone twice. The lead is told how many already had them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.audit import record_audit
from storage.errors import InvalidInput, NotFound
from storage.memberships import membership
from storage.models import ContactPoint, Contributor, InboundMessageRow, MembershipStatus, Project
from storage.sent_before import people_sent, recent_bodies, sent_to_person

from .outbound import (
    Message,
    Reader,
    Render,
    best_contact_point,
    bodies_for,
    reader_for,
    send_to_point,
)
from .quiet_hours import held_until

# A reply is one message, not a brief: long enough for a real answer, short enough for SMS.
MAX_REPLY = 1000
# The same words are not sent to the same person twice within this time.
SENT_ONCE_FOR = timedelta(hours=24)
# The kinds of message in which the leads write to people in their own words: a reply sent
# in the next days, with nowhere else to go, is for those leads (flows.conversation).
LEAD_MESSAGE = "lead-message"
ANNOUNCEMENT = "announcement"
LEADS_OWN_WORDS = (LEAD_MESSAGE, ANNOUNCEMENT)
REPLIES_FOR_LEADS_FOR = timedelta(days=3)


@dataclass(frozen=True)
class Sent:
    """What became of a lead's words: how many people they were queued for now, and how
    many already had the very same words from us in the last day (not sent again)."""

    reached: int = 0
    already: int = 0

    def __bool__(self) -> bool:
        """True when someone has the words: sent now, or already earlier today."""
        return bool(self.reached or self.already)


async def send_once(
    session: AsyncSession,
    person: Contributor,
    project: Project,
    *,
    kind: str,
    render: Render,
    now: datetime,
    point: ContactPoint | None = None,
    hold_at_night: bool = False,
    reply_to_inbound_id: int | None = None,
) -> Sent:
    """Queue a message to one person on their best channel (or ``point``), unless they had
    these very words in the last day; nothing for someone who cannot be reached. With
    ``hold_at_night``, the project's quiet hours hold it until the morning."""
    point = point or best_contact_point(person)
    if point is None:
        return Sent()
    reader = reader_for(person, point, project)
    bodies = bodies_for(point.channel, render(reader))
    since = now - SENT_ONCE_FOR
    if await sent_to_person(session, person.id, kind=kind, bodies=bodies, since=since):
        return Sent(already=1)
    await send_to_point(
        session,
        point,
        reader,
        kind=kind,
        render=render,
        now=now,
        project_id=project.id,
        reply_to_inbound_id=reply_to_inbound_id,
        not_before=held_until(project, now) if hold_at_night else None,
    )
    return Sent(reached=1)


async def already_had(
    session: AsyncSession,
    project: Project,
    *,
    kind: str,
    render: Render,
    now: datetime,
    statuses: Sequence[MembershipStatus] = (MembershipStatus.JOINED,),
) -> set[int]:
    """Who of the members in ``statuses`` had, in the last day, exactly what ``render`` gives
    them as the project's message of this kind: for a broadcast, the people to leave out.
    Each different text sent lately is compared with what this message would be for its
    reader (their language and channel)."""
    since = now - SENT_ONCE_FOR
    same = []
    for language, channel, body in await recent_bodies(session, project.id, kind=kind, since=since):
        reader = Reader(language=language, channel=channel, time_zone=project.time_zone)
        if body in bodies_for(channel, render(reader)):
            same.append(body)
    return await people_sent(
        session, project.id, kind=kind, bodies=same, since=since, statuses=statuses
    )


def lead_reply_message(project: Project, text: str) -> Render:
    """A lead's words to people, introduced in each reader's language."""

    def render(reader: Reader) -> Message:
        t = reader.t
        return Message(
            subject=t.gettext("{title}: a message from the leads").format(title=project.title),
            body=reader.paragraphs(
                [
                    t.gettext("A message from the leads of {code}:").format(code=project.code),
                    text,
                ]
            ),
        )

    return render


async def reply_to_message(
    session: AsyncSession,
    project: Project,
    inbound_id: int,
    text: str,
    *,
    now: datetime,
    actor: str,
) -> Sent:
    """Queue the lead's words to whoever sent message ``inbound_id``, if they are a member
    of the project who has not left and did not have these words from us today."""
    text = text.strip()
    if not text:
        raise InvalidInput("write the message to send")
    if len(text) > MAX_REPLY:
        raise InvalidInput(f"a message may be at most {MAX_REPLY} characters")
    row = await session.get(InboundMessageRow, inbound_id)
    point = (
        await session.get(ContactPoint, row.contact_point_id)
        if row and row.contact_point_id
        else None
    )
    if point is None or point.contributor_id is None:
        raise NotFound(f"no message {inbound_id} from a member of {project.code}")
    member = await membership(session, project.id, point.contributor_id)
    if member is None:
        raise NotFound(f"no message {inbound_id} from a member of {project.code}")
    if member.status == MembershipStatus.LEFT:
        raise InvalidInput("they have left the project, so they get no more of its messages")
    person = await session.get(
        Contributor, point.contributor_id, options=[selectinload(Contributor.contact_points)]
    )
    assert person is not None
    # The reply names the message it answers: the inbox shows it as answered, and an email
    # reply joins the sender's thread.
    sent = await send_once(
        session,
        person,
        project,
        kind=LEAD_MESSAGE,
        render=lead_reply_message(project, text),
        now=now,
        point=point,
        reply_to_inbound_id=inbound_id,
    )
    await record_audit(
        session,
        actor=actor,
        action="message.reply",
        at=now,
        project_id=project.id,
        details={
            "inbound_id": inbound_id,
            **({"already_sent": sent.already} if sent.already else {}),
        },
    )
    return sent
