"""Flows 1, 2 and 6: invitations, joining, declarations of interest and leaving a project.

Leads are told at once of every declaration and every departure, so that someone with the
right experience can be found. A person who left gets nothing more of that project (the
dispatcher checks at send time); they can JOIN again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from channels.markdown import escape
from storage.briefs import latest_brief
from storage.conversations import clear_state, pending_state, set_state
from storage.declarations import record_declaration
from storage.memberships import join, leave, members_to_tell, membership
from storage.models import (
    ConsentTopic,
    Contributor,
    LeadKind,
    MembershipStatus,
    Project,
    Question,
)
from storage.projects import add_members

from .briefs import brief_message, who_asks
from .catching_up import tell_where_things_stand
from .context import Exchange
from .keywords import Command, keyword_words
from .outbound import Message, Reader, send_to, send_to_each_lead, send_to_leads

# After joining, NONE or DECLARE (with no project named) are about the project just joined.
DECLARING_FOR = timedelta(days=7)


def invitation_text(reader: Reader, project: Project, organisation: str | None = None) -> str:
    """Who asks (the project's organisation, else ``organisation``, the service's), so that
    a text from a number the person does not know does not read as spam; and how to join."""
    t = reader.t
    words = keyword_words(t)
    first = who_asks(reader, project, organisation) or t.gettext(
        "You are invited to take part in {title} ({code})."
    ).format(title=escape(project.title), code=project.code)
    return " ".join(
        [
            first,
            t.gettext("Reply {join} {code} to join.").format(
                join=words[Command.JOIN], code=project.code
            ),
        ]
    )


async def invite_members(
    session: AsyncSession,
    project: Project,
    people: Sequence[Contributor],
    now: datetime,
    actor: str = "cli",
    organisation: str | None = None,
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Invite people and tell each of them, with the brief if there is one yet
    (``organisation``: the service's, named when the project names none)."""
    added = await add_members(session, project, list(people), now, actor=actor)
    brief = await latest_brief(session, project.id)
    invited = await members_to_tell(session, project.id, statuses=(MembershipStatus.INVITED,))
    new = set(added.added)  # a set: --all may invite thousands
    for person in invited:
        if person.id not in new:
            continue
        if brief is not None:
            render = brief_message(project, brief, invited=True, organisation=organisation)
        else:
            render = lambda reader: Message(  # noqa: E731
                invitation_text(reader, project, organisation),
                subject=reader.t.gettext("{title}: will you take part?").format(
                    title=project.title
                ),
            )
        await send_to(
            session, person, project, kind="invitation", render=render, now=now, hold_at_night=True
        )
    return added.added, added.already


def joined_text(reader: Reader, project: Project) -> str:
    t = reader.t
    words = keyword_words(t)
    first = t.gettext("Welcome to {code}. Thank you for taking part.").format(code=project.code)
    ask = t.gettext(
        "Is there anything in this project that could affect you, your health or your money? "
        "We call this an interest, and we ask everyone."
    )
    how = t.gettext("Reply {none} if not. Or reply {declare} and tell us about it.").format(
        none=words[Command.NONE], declare=words[Command.DECLARE]
    )
    return reader.paragraphs([first, ask, how])


async def join_project(exchange: Exchange, project: Project) -> None:
    """JOIN: take part, then say what a declaration of interest is and how to make one."""
    actor = f"contributor:{exchange.contributor.id}"
    await join(exchange.session, project, exchange.contributor.id, exchange.now, actor)
    await exchange.record_consent(ConsentTopic.CONTACT, True, "JOIN")
    await set_state(
        exchange.session,
        exchange.contributor.id,
        "declaring",
        {"project_id": project.id},
        exchange.now + DECLARING_FOR,
        exchange.now,
    )
    await exchange.reply("joined", lambda r: Message(joined_text(r, project)), project=project)
    await tell_where_things_stand(exchange, project)

    def tell_leads(reader: Reader) -> Message:
        return Message(
            reader.t.gettext("{name} has joined {code}.").format(
                name=exchange.contributor.name, code=project.code
            ),
            subject=reader.t.gettext("{code}: a new member").format(code=project.code),
        )

    await send_to_leads(
        exchange.session, project, kind="lead-notice", render=tell_leads, now=exchange.now
    )


async def declare_interest(exchange: Exchange, project: Project, text: str | None) -> None:
    """DECLARE text or NONE: recorded with the time (history kept); the leads are told."""
    person = exchange.contributor
    await record_declaration(
        exchange.session,
        contributor_id=person.id,
        project_id=project.id,
        text=text,
        channel=exchange.point.channel,
        now=exchange.now,
    )
    # The joined message told them the leads see what they declare.
    await exchange.record_consent(ConsentTopic.DECLARATIONS, True, "DECLARE" if text else "NONE")

    def thanks(reader: Reader) -> Message:
        t = reader.t
        declare = keyword_words(t)[Command.DECLARE]
        if text is None:
            noted = t.gettext(
                "Thank you. We have noted that you have nothing to declare for {code}."
            )
            more = t.gettext("If that changes, send {declare} and tell us.")
        else:
            noted = t.gettext(
                "Thank you. We have noted your interest for {code}. The leads will see it."
            )
            more = t.gettext("To add to it, send {declare} again.")
        return Message(noted.format(code=project.code) + " " + more.format(declare=declare))

    await exchange.reply("declared", thanks, project=project)
    waiting = await pending_state(exchange.session, person.id)
    if waiting is not None and waiting.state == "declaring":
        await clear_state(exchange.session, person.id)

    def tell_leads(reader: Reader) -> Message:
        t = reader.t
        when = reader.when(exchange.now)
        if text is None:
            body = t.gettext("{name} has nothing to declare for {code} ({when}).").format(
                name=person.name, code=project.code, when=when
            )
        else:
            body = (
                t.gettext("{name} declared an interest in {code} on {when}:").format(
                    name=person.name, code=project.code, when=when
                )
                + f"\n{text}"
            )
        subject = t.gettext("{code}: what {name} declared").format(
            code=project.code, name=person.name
        )
        return Message(body, subject=subject)

    # Declarations may be health data: the team's leads read them; a contributor who
    # co-leads does not (nor does the workspace show them one).
    await send_to_each_lead(
        exchange.session,
        project,
        kind="lead-notice",
        render_for=lambda kind: tell_leads if kind == LeadKind.STAFF else None,
        now=exchange.now,
    )


def left_text(reader: Reader, project: Project) -> str:
    t = reader.t
    return " ".join(
        [
            t.gettext("You have left {code}. You will get no more messages about it.").format(
                code=project.code
            ),
            t.gettext("Thank you for your help."),
            t.gettext("To join again, reply {join} {code}.").format(
                join=keyword_words(t)[Command.JOIN], code=project.code
            ),
        ]
    )


async def _forget_what_waits_on(session: AsyncSession, person_id: int, project_id: int) -> None:
    """After leaving a project: no declaration or reply to its leads' question is still
    waiting, so the person's next words go where they would for anyone not in it."""
    waiting = await pending_state(session, person_id)
    if waiting is None:
        return
    about = waiting.data.get("project_id")
    if waiting.state == "replying":
        question = await session.get(Question, int(waiting.data["question_id"]))
        about = question.project_id if question else None
    if waiting.state in ("declaring", "replying") and about == project_id:
        await clear_state(session, person_id)


async def leave_project(exchange: Exchange, project: Project, reason: str | None) -> None:
    """LEAVE: recorded with time and reason; confirmed; the leads are told at once."""
    person = exchange.contributor
    found = await membership(exchange.session, project.id, person.id)
    if found is None:
        return
    await leave(exchange.session, found, reason, exchange.now, f"contributor:{person.id}")
    await _forget_what_waits_on(exchange.session, person.id, project.id)
    # "left" is the one message of the project that still goes to someone who left it.
    await exchange.reply("left", lambda r: Message(left_text(r, project)), project=project)

    def tell_leads(reader: Reader) -> Message:
        t = reader.t
        lines = [
            t.gettext("{name} left {code} on {when}.").format(
                name=person.name, code=project.code, when=reader.when(exchange.now)
            ),
            t.gettext("Their reason: {reason}").format(reason=reason)
            if reason
            else t.gettext("They did not give a reason."),
            t.gettext("You may want to find someone with similar experience to take part."),
        ]
        subject = t.gettext("{code}: {name} has left").format(code=project.code, name=person.name)
        return Message("\n".join(lines), subject=subject)

    await send_to_leads(
        exchange.session, project, kind="lead-notice", render=tell_leads, now=exchange.now
    )
