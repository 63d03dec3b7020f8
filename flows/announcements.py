"""A lead's announcement: their own words to the group, or to people they choose.

Each reader gets the words introduced in their language ("A message from the leads of
CODE:"), as a lead's reply to one message is. Nobody who left the project gets it, nor an
address that was stopped (the dispatcher checks again when it sends); an announcement
queued in the project's quiet hours waits for the morning. The same words go to the same
person once a day. An announcement that would reach nobody is refused and nothing changes.

A reply to it in the next days goes to the leads' inbox (:mod:`flows.conversation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.audit import record_audit
from storage.errors import InvalidInput, NotFound
from storage.memberships import membership
from storage.models import Contributor, MembershipStatus, Project

from .lead_messages import ANNOUNCEMENT, MAX_REPLY, already_had, lead_reply_message, send_once
from .outbound import Render, send_to_members
from .quiet_hours import held_until

KIND = ANNOUNCEMENT
MAX_ANNOUNCEMENT = MAX_REPLY  # one message, not a brief


class Group(StrEnum):
    """Who in the project an announcement to a group goes to."""

    ALL = "all"  # everyone who has joined or is invited
    JOINED = "joined"
    INVITED = "invited"


GROUP_STATUSES = {
    Group.ALL: (MembershipStatus.JOINED, MembershipStatus.INVITED),
    Group.JOINED: (MembershipStatus.JOINED,),
    Group.INVITED: (MembershipStatus.INVITED,),
}
_GROUP_WORDS = {
    Group.ALL: "members",
    Group.JOINED: "members who joined",
    Group.INVITED: "invited members",
}

Audience = Group | tuple[int, ...]  # a group, or contributor ids


@dataclass(frozen=True)
class Announced:
    reached: int  # people it is queued for now
    already: int  # people who had these very words today: not sent again
    left: int  # chosen people who have left the project: not sent
    stopped: int  # chosen people with no address they have not stopped: not sent
    held_until: datetime | None  # when it goes, if the project's quiet hours hold it


def read_audience(values: Sequence[str]) -> Audience:
    """What a lead typed after --to (or chose on the form): all, joined, invited, or
    contributor ids (several, or one list with commas)."""
    words = [word for value in values for word in value.replace(",", " ").split()]
    if not words:
        raise InvalidInput("say who it is for: all, joined, invited, or contributor ids")
    group = Group.__members__.get(words[0].upper())
    if group is not None and len(words) == 1:
        return group
    if all(word.isdigit() and len(word) < 10 for word in words):
        return tuple(dict.fromkeys(int(word) for word in words))
    if any(word.upper() in Group.__members__ for word in words):
        raise InvalidInput("send it to one group (all, joined or invited) or to contributor ids")
    raise InvalidInput(
        f"say who it is for: all, joined, invited, or contributor ids, not '{' '.join(words)}'"
    )


def announcement_text(text: str) -> str:
    """The words, checked: something to say, and one message long."""
    text = text.strip()
    if not text:
        raise InvalidInput("write the message to send")
    if len(text) > MAX_ANNOUNCEMENT:
        raise InvalidInput(f"a message may be at most {MAX_ANNOUNCEMENT} characters")
    return text


async def announce(
    session: AsyncSession,
    project: Project,
    *,
    to: Audience,
    text: str,
    now: datetime,
    actor: str,
) -> Announced:
    """Queue the lead's words to a group of the project, or to chosen members of it."""
    text = announcement_text(text)
    render = lead_reply_message(project, text)
    if isinstance(to, Group):
        statuses = GROUP_STATUSES[to]
        already = await already_had(
            session, project, kind=KIND, render=render, now=now, statuses=statuses
        )
        reached = await send_to_members(
            session,
            project,
            kind=KIND,
            render=render,
            now=now,
            exclude=sorted(already),
            statuses=statuses,
        )
        if not reached and not already:
            raise InvalidInput(
                f"no one to send it to: {project.code} has no {_GROUP_WORDS[to]} we can "
                "reach; nothing was sent"
            )
        result = Announced(reached, len(already), 0, 0, None)
    else:
        result = await _to_chosen(session, project, to, render, now)
    if result.reached:
        result = replace(result, held_until=held_until(project, now))
    await record_audit(
        session,
        actor=actor,
        action="message.announce",
        at=now,
        project_id=project.id,
        details={
            "to": str(to) if isinstance(to, Group) else list(to),
            "reached": result.reached,
            "already_sent": result.already,
        },
    )
    return result


async def _to_chosen(
    session: AsyncSession, project: Project, ids: tuple[int, ...], render: Render, now: datetime
) -> Announced:
    """Each chosen person who is in the project: refused whole if one is not, so a mistyped
    number never sends to the wrong people."""
    people = []
    for contributor_id in ids:
        found = await membership(session, project.id, contributor_id)
        person = await session.get(
            Contributor, contributor_id, options=[selectinload(Contributor.contact_points)]
        )
        if found is None or person is None or person.erased_at is not None:
            raise NotFound(f"contributor {contributor_id} is not in {project.code}")
        people.append((found.status, person))
    reached = already = left = stopped = 0
    for status, person in people:
        if status == MembershipStatus.LEFT:
            left += 1
            continue
        sent = await send_once(
            session, person, project, kind=KIND, render=render, now=now, hold_at_night=True
        )
        reached, already = reached + sent.reached, already + sent.already
        stopped += 0 if sent else 1
    if not reached and not already:
        raise InvalidInput(f"no one to send it to: {_nobody(project, left, stopped)}")
    return Announced(reached, already, left, stopped, None)


def _nobody(project: Project, left: int, stopped: int) -> str:
    """Why chosen people get nothing, in one line."""
    reasons = []
    if left:
        reasons.append(f"{left} {'has' if left == 1 else 'have'} left {project.code}")
    if stopped:
        reasons.append(
            f"{stopped} {'has' if stopped == 1 else 'have'} stopped messages or has no address"
        )
    return " and ".join(reasons) + "; nothing was sent"
