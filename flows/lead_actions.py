"""Every action a lead takes, once, for every way a lead reaches us: the command line, the
lead words over the channels and (next) the web workspace. Each function takes who acts and
what they ask for, finds what it is about, checks that the actor may act there as a lead and
calls the flow that does it. The adapters only read the input and write the answer, so a
rule is never written twice.

The rule for acting as a lead is the one the channels have always had: a lead of the project
who is a member of it now. The operator at the command line, with no ``--by``, may act on
any project; the audit log keeps their login name.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import AccessNeed
from storage import leads
from storage.audit import record_audit
from storage.briefs import latest_brief
from storage.checks import ItemKind
from storage.comments import find_comment
from storage.contributors import (
    NewContributor,
    add_contributor,
    find_contributor,
    list_contributors,
)
from storage.errors import InvalidInput
from storage.lead_sessions import claim_form
from storage.memberships import lead_kinds, led_project_ids
from storage.models import (
    Comment,
    CommentWindow,
    Contributor,
    LeadKind,
    Meeting,
    Project,
    Question,
    ResponseStatus,
    Sharing,
)
from storage.projects import find_project
from storage.questions import find_question

from . import (
    briefs,
    closing,
    lead_messages,
    membership,
    message_times,
    questions,
    responses,
    sharing,
    windows,
)
from .brief_sending import BriefSending
from .lead_messages import Sent
from .sharing_outcome import Checked
from .times import local_time


@dataclass(frozen=True)
class Actor:
    """Who acts: a lead (``contributor_id``), or the operator at the command line (None)."""

    label: str  # as the audit log shows it: "contributor:3" or "cli:<login name>"
    contributor_id: int | None = None
    # How a refusal names them: what the operator typed after --by, or "contributor 3".
    named: str = ""

    @classmethod
    def lead(cls, contributor_id: int, named: str | None = None) -> Actor:
        return cls(
            f"contributor:{contributor_id}",
            contributor_id,
            named or f"contributor {contributor_id}",
        )


class NotALead(InvalidInput):
    """The actor may not act as a lead of that project (the web answers it as not found)."""


class BriefChanged(InvalidInput):
    """Another lead published a version of the brief after this one was begun."""


class SentTwice(InvalidInput):
    """The same workspace form was sent again: it was acted on once, and not again."""


# Refusals a workspace page does not show beside a field: "not yours" is answered as not
# found, and a form sent twice as a note that it was acted on once.
NOT_FOR_THE_FORM = (NotALead, SentTwice)


async def once(session: AsyncSession, actor: Actor, form_id: str, *, now: datetime) -> None:
    """Let a form (by the one-time id it carries) be acted on once: a double click or a
    resend does nothing the second time. Call it in the action's transaction."""
    if actor.contributor_id is None:
        return
    if (
        not form_id
        or len(form_id) > 64
        or not await claim_form(session, form_id, actor.contributor_id, now)
    ):
        raise SentTwice("this form was already sent; it was acted on once")


async def authorise(session: AsyncSession, project: Project, actor: Actor) -> None:
    """Refuse an actor who may not act as a lead of the project."""
    if actor.contributor_id is None:
        return
    if project.id not in await led_project_ids(session, actor.contributor_id):
        raise NotALead(f"{actor.named} is not a lead of {project.code}")


async def led_project(session: AsyncSession, actor: Actor, code: str) -> Project:
    """The project with this code, for an actor who may lead it."""
    project = await find_project(session, code)
    await authorise(session, project, actor)
    return project


async def led_project_as(
    session: AsyncSession, actor: Actor, code: str
) -> tuple[Project, LeadKind]:
    """The project, and whether the actor leads it from the team or as a contributor (which
    decides what they may see: a contributor lead never sees who wrote an anonymous comment).
    The operator sees as the team does."""
    project = await led_project(session, actor, code)
    if actor.contributor_id is None:
        return project, LeadKind.STAFF
    kinds = await lead_kinds(session, project.id)
    return project, kinds.get(actor.contributor_id, LeadKind.CONTRIBUTOR)


async def _project_of(session: AsyncSession, actor: Actor, project_id: int) -> Project:
    project = await session.get(Project, project_id)
    assert project is not None  # ids come from rows with a foreign key to it
    await authorise(session, project, actor)
    return project


# The brief, meetings and comment windows


async def publish_brief(
    session: AsyncSession,
    actor: Actor,
    code: str,
    *,
    text: str,
    summary: str | None,
    note: str | None,
    alt_formats: dict[str, str],
    now: datetime,
    based_on: int | None = None,
    send: BriefSending | None = None,
) -> tuple[Project, briefs.PublishedBrief]:
    """``based_on``: the version the lead saw (0 for none) when they wrote this one; if
    another lead has published since, nothing is published, so no one's version is lost.
    ``send``: who gets it (None: the default for the version)."""
    project = await led_project(session, actor, code)
    if based_on is not None:
        latest = await latest_brief(session, project.id)
        if (latest.version if latest else 0) != based_on:
            raise BriefChanged(f"version {latest.version if latest else 0} of the brief is newer")
    published = await briefs.publish_brief(
        session,
        project,
        text=text,
        summary=summary,
        note=note,
        alt_formats=alt_formats,
        now=now,
        published_by=actor.contributor_id,
        actor=actor.label,
        send=send,
    )
    return project, published


async def add_meeting(
    session: AsyncSession,
    actor: Actor,
    code: str,
    *,
    starts: str,
    minutes: int,
    place: str | None,
    window_days: int | None,
    now: datetime,
) -> tuple[Project, Meeting, int]:
    """``starts`` is 'YYYY-MM-DD HH:MM' in the project's time zone."""
    project = await led_project(session, actor, code)
    meeting, reached = await windows.add_project_meeting(
        session,
        project,
        starts_at=local_time(starts, project.time_zone),
        minutes=minutes,
        place=place,
        window_days=window_days,
        now=now,
        actor=actor.label,
    )
    return project, meeting, reached


async def open_window(
    session: AsyncSession, actor: Actor, code: str, *, days: int | None, now: datetime
) -> tuple[Project, CommentWindow]:
    project = await led_project(session, actor, code)
    window = await windows.open_comment_window(
        session, project, now=now, days=days, actor=actor.label
    )
    return project, window


async def extend_window(
    session: AsyncSession,
    actor: Actor,
    code: str,
    *,
    until: datetime | str,
    reason: str,
    now: datetime,
) -> tuple[Project, CommentWindow]:
    """``until`` as a moment, or as 'YYYY-MM-DD HH:MM' in the project's time zone."""
    project = await led_project(session, actor, code)
    window = await windows.extend_comment_window(
        session,
        project,
        until=local_time(until, project.time_zone) if isinstance(until, str) else until,
        reason=reason,
        now=now,
        extended_by=actor.contributor_id,
        actor=actor.label,
    )
    return project, window


# Members and leads


@dataclass(frozen=True)
class Invited:
    project: Project
    added: tuple[int, ...]
    already: tuple[int, ...]
    # Members just invited who need a format the newest brief lacks, by format.
    lacking: dict[AccessNeed, int]


async def add_members(
    session: AsyncSession,
    actor: Actor,
    code: str,
    people: list[str] | None,
    *,
    now: datetime,
    organisation: str | None = None,
) -> Invited:
    """Invite contributors (ids or emails; None: every contributor) to the project
    (``organisation``: the service's, which the invitation names if the project names none)."""
    project = await led_project(session, actor, code)
    if people is None:
        found = list(await list_contributors(session))
    else:
        found = [await find_contributor(session, reference) for reference in people]
    added, already = await membership.invite_members(
        session, project, found, now, actor=actor.label, organisation=organisation
    )
    brief = await latest_brief(session, project.id)
    new = set(added)  # a set: inviting everyone may be thousands
    needs = [person.access_needs for person in found if person.id in new]
    lacking = briefs.formats_lacking(brief, needs) if brief else {}
    return Invited(project, tuple(added), tuple(already), lacking)


async def add_new_member(
    session: AsyncSession,
    actor: Actor,
    code: str,
    new: NewContributor,
    *,
    now: datetime,
    organisation: str | None = None,
) -> tuple[Contributor, Invited]:
    """Add someone we did not know yet and invite them to the project, in one step."""
    project = await led_project(session, actor, code)
    person = await add_contributor(session, new, now)
    await record_audit(
        session,
        actor=actor.label,
        action="contributor.add",
        at=now,
        project_id=project.id,
        details={"contributor_id": person.id},
    )
    return person, await add_members(
        session, actor, code, [str(person.id)], now=now, organisation=organisation
    )


async def change_leads(
    session: AsyncSession,
    actor: Actor,
    code: str,
    person: str,
    *,
    kind: LeadKind | None,
    now: datetime,
) -> tuple[Project, Contributor, list[LeadKind]]:
    """Make someone (an id or email) a lead of that kind, or, with no kind, no longer a lead;
    returns the kinds of lead the project has after it."""
    project = await led_project(session, actor, code)
    lead = await find_contributor(session, person)
    if kind is None:
        await leads.remove_lead(session, project, lead, now=now, actor=actor.label)
    else:
        await leads.add_lead(session, project, lead, kind, now=now, actor=actor.label)
    return project, lead, [row.kind for row in await leads.project_leads(session, project.id)]


# Questions and responses


async def ask_group(
    session: AsyncSession, actor: Actor, code: str, text: str, *, now: datetime
) -> tuple[Question, int]:
    project = await led_project(session, actor, code)
    return await questions.ask_group(
        session, project, text, now=now, asked_by=actor.contributor_id, actor=actor.label
    )


async def answer_question(
    session: AsyncSession, actor: Actor, question_id: int, text: str, *, now: datetime
) -> tuple[Project, Sent]:
    question = await find_question(session, question_id)
    project = await _project_of(session, actor, question.project_id)
    sent = await questions.answer_and_tell(
        session, question, text, now=now, answered_by=actor.contributor_id, actor=actor.label
    )
    return project, sent


async def respond_to_comment(
    session: AsyncSession,
    actor: Actor,
    comment_id: int,
    status: ResponseStatus,
    reason: str | None,
    *,
    now: datetime,
) -> tuple[Project, Comment, Sent]:
    comment = await find_comment(session, comment_id)
    project = await _project_of(session, actor, comment.project_id)
    told = await responses.respond_to_comment(
        session,
        comment,
        status,
        reason,
        now=now,
        responded_by=actor.contributor_id,
        actor=actor.label,
    )
    return project, comment, told


async def reply_to_message(
    session: AsyncSession, actor: Actor, code: str, inbound_id: int, text: str, *, now: datetime
) -> tuple[Project, Sent]:
    """Write to whoever sent message ``inbound_id`` (a member of the project)."""
    project = await led_project(session, actor, code)
    sent = await lead_messages.reply_to_message(
        session, project, inbound_id, text, now=now, actor=actor.label
    )
    return project, sent


# Checking before sharing (flows.sharing refuses an item outside the actor's projects as
# not found, so numbers of other projects give nothing away)


async def approve(
    session: AsyncSession, actor: Actor, kind: ItemKind, number: int, *, now: datetime
) -> Checked:
    return await sharing.approve(
        session, kind, number, now=now, by=actor.contributor_id, actor=actor.label
    )


async def redact(
    session: AsyncSession, actor: Actor, kind: ItemKind, number: int, text: str, *, now: datetime
) -> Checked:
    return await sharing.redact(
        session, kind, number, text, now=now, by=actor.contributor_id, actor=actor.label
    )


async def hide(
    session: AsyncSession, actor: Actor, kind: ItemKind, number: int, reason: str, *, now: datetime
) -> Checked:
    return await sharing.hide(
        session, kind, number, reason, now=now, by=actor.contributor_id, actor=actor.label
    )


async def set_sharing(
    session: AsyncSession, actor: Actor, code: str, mode: Sharing, *, now: datetime
) -> tuple[Project, int]:
    project = await led_project(session, actor, code)
    waiting = await sharing.set_sharing(session, project, mode, now=now, actor=actor.label)
    return project, waiting


async def set_message_times(
    session: AsyncSession,
    actor: Actor,
    code: str,
    *,
    digest_at: str | None,
    quiet_hours: str | None,
    now: datetime,
) -> Project:
    project = await led_project(session, actor, code)
    return await message_times.set_message_times(
        session, project, digest_at=digest_at, quiet_hours=quiet_hours, now=now, actor=actor.label
    )


# The end of a project


async def close_project(
    session: AsyncSession, actor: Actor, code: str, *, review_on: date, now: datetime
) -> tuple[Project, int]:
    project = await led_project(session, actor, code)
    reached = await closing.close_project(
        session, project, review_on=review_on, now=now, actor=actor.label
    )
    return project, reached


async def reopen_project(
    session: AsyncSession, actor: Actor, code: str, *, reason: str, now: datetime
) -> tuple[Project, int]:
    project = await led_project(session, actor, code)
    reached = await closing.reopen_project(
        session, project, reason=reason, now=now, actor=actor.label
    )
    return project, reached
