"""A lead writes to one member, in answer to something that member sent.

The lead picks the message they answer, not the person: a contributor lead may answer a
member whose name they are not shown, and still never learn it. The words go to the address
the member wrote from, introduced in the member's own language.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.audit import record_audit
from storage.errors import InvalidInput, NotFound
from storage.memberships import membership
from storage.models import ContactPoint, Contributor, InboundMessageRow, MembershipStatus, Project

from .outbound import Message, Reader, send_to

# A reply is one message, not a brief: long enough for a real answer, short enough for SMS.
MAX_REPLY = 1000


def lead_reply_message(project: Project, text: str):  # type: ignore[no-untyped-def]
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
) -> bool:
    """Queue the lead's words to whoever sent message ``inbound_id``, if they are a member
    of the project who has not left; True if it could be queued."""
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
    queued = await send_to(
        session,
        person,
        project,
        kind="lead-message",
        render=lead_reply_message(project, text),
        now=now,
        point=point,
    )
    await record_audit(
        session,
        actor=actor,
        action="message.reply",
        at=now,
        project_id=project.id,
        details={"inbound_id": inbound_id},
    )
    return queued
