"""The project record ("you said, we did"): everything a project did and was told, and a
checklist of the co-production criteria, gathered from storage for one project.

The public version names the author of a comment, a question or a reply to the leads'
question to the group only if they chose to be named, shows only what was shared, and counts
declarations and opt-outs; the leads' version adds the words as sent, who declared what and
who left or stopped. :mod:`flows.record_render` writes it out as HTML, Markdown, CSV or JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from babel.dates import format_date
from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from storage.models import (
    BriefVersion,
    CheckState,
    Comment,
    CommentWindow,
    ContactPoint,
    Contributor,
    Declaration,
    LeadKind,
    Meeting,
    Membership,
    MembershipStatus,
    OutboxRow,
    OutboxStatus,
    Project,
    ProjectLead,
    Question,
    ResponseStatus,
    WindowExtension,
)
from storage.polls import project_polls

from .poll_reports import PollReport, poll_report
from .record_checklist import Check, Facts, checklist, facts_of
from .record_questions import (
    A_MEMBER,
    GroupQuestionLine,
    QuestionLine,
    group_questions,
    members_questions,
    named_repliers,
    public_text,
    shown_name,
    words_as_sent,
)
from .record_review import ReviewRecord, review_record
from .responsibility import commitment_facts

# Outbox kinds that carry the brief: sent on publishing, and with a later invitation.
BRIEF_KINDS = ("brief", "invitation")
# Taken by a provider: counted as sent, whatever its delivery report said later.
HANDED_OVER = (OutboxStatus.SENT, OutboxStatus.DELIVERED, OutboxStatus.UNDELIVERED)


@dataclass(frozen=True)
class Lead:
    name: str
    kind: LeadKind


@dataclass(frozen=True)
class Brief:
    version: int
    published_at: datetime
    change_note: str | None


@dataclass(frozen=True)
class MeetingLine:
    starts_at: datetime
    minutes: int
    place: str | None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None


@dataclass(frozen=True)
class Extension:
    extended_at: datetime
    previous_closes_at: datetime
    new_closes_at: datetime
    reason: str


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime
    after_meeting: datetime | None
    extensions: tuple[Extension, ...]


@dataclass(frozen=True)
class Reach:
    channel: ChannelName
    sent: int
    delivered: int
    failed: int
    waiting: int


@dataclass(frozen=True)
class CommentLine:
    number: int
    author: str
    channel: ChannelName | None
    received_at: datetime
    late: bool
    text: str  # what was shared, or a sentence saying why nothing was
    response: ResponseStatus | None
    reason: str | None
    responded_at: datetime | None
    check: CheckState = CheckState.SHARED
    # The leads' version only: the words as sent, where they differ from what was shared.
    original: str | None = None


@dataclass(frozen=True)
class Detail:
    """For the leads' version only: one declaration, departure or opt-out."""

    name: str
    at: datetime
    what: str


@dataclass(frozen=True)
class Record:
    code: str
    title: str
    time_zone: str
    status: str
    created_at: datetime
    closed_at: datetime | None
    review_on: str | None  # written out: Tuesday 1 June 2027
    for_leads: bool
    leads: tuple[Lead, ...]
    briefs: tuple[Brief, ...]
    meetings: tuple[MeetingLine, ...]
    windows: tuple[Window, ...]
    reach: tuple[Reach, ...]
    comments: tuple[CommentLine, ...]
    questions: tuple[QuestionLine, ...]
    group_questions: tuple[GroupQuestionLine, ...]
    polls: tuple[PollReport, ...]
    declarations: int  # declarations of an interest ("nothing to declare" is not one)
    left: int
    stopped: int
    details: tuple[Detail, ...] = field(default=())
    nothing_to_declare: int = 0
    checklist: tuple[Check, ...] = field(default=())
    # The latest round of the project's review (flows.record_review), if it has had one.
    review: ReviewRecord | None = None


async def project_record(
    session: AsyncSession,
    project: Project,
    *,
    for_leads: bool = False,
    now: datetime,
    part: tuple[int, int] | None = None,
    facts: Facts | None = None,
) -> Record:
    """The whole record; or, with ``part`` (offset, limit), only that page of its comments,
    of its members' questions and of the leads' questions to the group (with all their
    replies), the checklist then decided on ``facts`` counted in the database
    (:func:`flows.checklist_facts.project_facts`), as a page of thousands of comments needs."""
    if part is not None and facts is None:
        raise ValueError("a part of the record needs the facts of the whole")
    names = await _names(session, project.id, for_leads)
    leads = await _leads(session, project.id, names)
    briefs = (
        await session.scalars(
            select(BriefVersion)
            .where(BriefVersion.project_id == project.id)
            .order_by(BriefVersion.version)
        )
    ).all()
    meetings = (
        await session.scalars(
            select(Meeting).where(Meeting.project_id == project.id).order_by(Meeting.starts_at)
        )
    ).all()
    windows = await project_windows(session, project.id, {m.id: m for m in meetings})
    comments = await _comments(session, project.id, names, for_leads, part)
    questions = await members_questions(session, project.id, names, for_leads, part)
    asked_group = await group_questions(session, project.id, names, for_leads, part)
    # Every poll with its tally; the leads' whole record adds each answer (a name only for a
    # named poll, and words people typed), a page of the workspace's record only the tallies.
    polls = tuple(
        [
            await poll_report(session, poll, project, with_answers=for_leads and part is None)
            for poll in await project_polls(session, project.id)
        ]
    )
    declarations = (
        await session.scalars(
            select(Declaration)
            .where(Declaration.project_id == project.id)
            .order_by(Declaration.declared_at)
        )
    ).all()
    # Only those who left: a project may have ten thousand members.
    departures = (
        await session.execute(
            select(Membership.contributor_id, Membership.left_at, Membership.leave_reason).where(
                Membership.project_id == project.id, Membership.status == MembershipStatus.LEFT
            )
        )
    ).all()
    stops = await _stops(session, project.id)
    details: list[Detail] = []
    if for_leads:
        details += [
            Detail(
                names.get(d.contributor_id, A_MEMBER),
                d.declared_at,
                f"declared: {d.text}" if d.has_interest else "declared: nothing to declare",
            )
            for d in declarations
        ]
        details += [
            Detail(
                names.get(m.contributor_id, A_MEMBER),
                m.left_at,
                f"left the project: {m.leave_reason or 'no reason given'}",
            )
            for m in departures
            if m.left_at
        ]
        details += [
            Detail(names.get(person, A_MEMBER), at, f"stopped messages by {channel}")
            for person, channel, at in stops
        ]
        details.sort(key=lambda detail: detail.at)
    record = Record(
        code=project.code,
        title=project.title,
        time_zone=project.time_zone,
        status=str(project.status),
        created_at=project.created_at,
        closed_at=project.closed_at,
        review_on=(
            format_date(project.review_on, "EEEE d MMMM y", locale="en_GB")
            if project.review_on
            else None
        ),
        for_leads=for_leads,
        leads=leads,
        briefs=tuple(Brief(b.version, b.published_at, b.change_note) for b in briefs),
        meetings=tuple(
            MeetingLine(m.starts_at, m.minutes, m.place, m.cancelled_at, m.cancel_reason)
            for m in meetings
        ),
        windows=windows,
        reach=await _reach(session, project.id),
        comments=comments,
        questions=questions,
        group_questions=asked_group,
        polls=polls,
        declarations=sum(1 for d in declarations if d.has_interest),
        nothing_to_declare=sum(1 for d in declarations if not d.has_interest),
        left=len(departures),
        stopped=len(stops),
        details=tuple(details),
        review=await review_record(session, project, for_leads=for_leads, now=now),
    )
    if facts is None:
        distribution = await _brief_distribution(session, project.id, briefs)
        facts = facts_of(record, distribution, await commitment_facts(session, project))
    checks = checklist(facts, meetings, windows, now)
    return replace(record, checklist=checks)


async def _names(session: AsyncSession, project_id: int, for_leads: bool) -> dict[int, str]:
    """The names the record shows, by id: the leads, those who chose to be named with what
    they sent, and, for the leads' version, those in its details. Not every member: a
    project may have ten thousand. Erased people have no name here."""
    members = select(Membership.contributor_id).where(Membership.project_id == project_id)
    wanted = [
        select(ProjectLead.contributor_id).where(ProjectLead.project_id == project_id),
        select(Comment.contributor_id).where(
            Comment.project_id == project_id, Comment.is_named.is_(True)
        ),
        select(Question.asked_by).where(
            Question.project_id == project_id, Question.is_named.is_(True)
        ),
        named_repliers(project_id),
    ]
    if for_leads:
        wanted += [
            select(Declaration.contributor_id).where(Declaration.project_id == project_id),
            members.where(Membership.status == MembershipStatus.LEFT),
            select(ContactPoint.contributor_id).where(
                ContactPoint.contributor_id.in_(members), ContactPoint.opted_out_at.is_not(None)
            ),
        ]
    rows = await session.execute(
        select(Contributor.id, Contributor.name, Contributor.erased_at).where(
            Contributor.id.in_(union(*wanted))
        )
    )
    return {person: name for person, name, erased_at in rows if erased_at is None}


async def _leads(session: AsyncSession, project_id: int, names: dict[int, str]) -> tuple[Lead, ...]:
    rows = await session.execute(
        select(ProjectLead.contributor_id, ProjectLead.kind)
        .where(ProjectLead.project_id == project_id)
        .order_by(ProjectLead.added_at)
    )
    return tuple(Lead(names.get(person, "A lead"), kind) for person, kind in rows)


async def project_windows(
    session: AsyncSession, project_id: int, meetings: dict[int, Meeting]
) -> tuple[Window, ...]:
    windows = (
        await session.scalars(
            select(CommentWindow)
            .where(CommentWindow.project_id == project_id)
            .order_by(CommentWindow.opens_at)
        )
    ).all()
    extensions = (
        await session.scalars(
            select(WindowExtension)
            .where(WindowExtension.window_id.in_([w.id for w in windows]))
            .order_by(WindowExtension.extended_at)
        )
    ).all()
    return tuple(
        Window(
            w.opens_at,
            w.closes_at,
            meetings[w.meeting_id].starts_at if w.meeting_id in meetings else None,
            tuple(
                Extension(e.extended_at, e.previous_closes_at, e.new_closes_at, e.reason)
                for e in extensions
                if e.window_id == w.id
            ),
        )
        for w in windows
    )


async def _reach(session: AsyncSession, project_id: int) -> tuple[Reach, ...]:
    rows = await session.execute(
        select(OutboxRow.channel, OutboxRow.status, func.count())
        .where(OutboxRow.project_id == project_id)
        .group_by(OutboxRow.channel, OutboxRow.status)
    )
    counts: dict[ChannelName, Counter[OutboxStatus]] = {}
    for channel, status, count in rows:
        counts.setdefault(channel, Counter())[status] = count
    failed_states = (OutboxStatus.FAILED, OutboxStatus.UNDELIVERED)
    waiting_states = (OutboxStatus.QUEUED, OutboxStatus.SENDING, OutboxStatus.UNKNOWN)
    return tuple(
        Reach(
            channel,
            sum(counts[channel][s] for s in HANDED_OVER),
            counts[channel][OutboxStatus.DELIVERED],
            sum(counts[channel][s] for s in failed_states),
            sum(counts[channel][s] for s in waiting_states),
        )
        for channel in ChannelName
        if channel in counts
    )


async def _comments(
    session: AsyncSession,
    project_id: int,
    names: dict[int, str],
    for_leads: bool,
    part: tuple[int, int] | None,
) -> tuple[CommentLine, ...]:
    # Plain rows, not ORM objects: a project may have thousands of comments.
    comments = (
        await session.execute(
            select(
                Comment.id,
                Comment.contributor_id,
                Comment.is_named,
                Comment.channel,
                Comment.received_at,
                Comment.is_late,
                Comment.text,
                Comment.shared_text,
                Comment.check_state,
                Comment.response_status,
                Comment.response_reason,
                Comment.responded_at,
            )
            .where(Comment.project_id == project_id)
            .order_by(Comment.id)
            .offset(part[0] if part else None)
            .limit(part[1] if part else None)
        )
    ).all()
    return tuple(
        CommentLine(
            c.id,
            shown_name(names, c.contributor_id, c.is_named),
            c.channel,
            c.received_at,
            c.is_late,
            public_text(c),
            c.response_status,
            c.response_reason,
            c.responded_at,
            c.check_state,
            words_as_sent(c, for_leads),
        )
        for c in comments
    )


async def _stops(session: AsyncSession, project_id: int) -> list[tuple[int, ChannelName, datetime]]:
    """Members who stopped messages on a channel (a subquery, not a list of ids: a project may
    have more members than a statement may carry parameters)."""
    members = select(Membership.contributor_id).where(Membership.project_id == project_id)
    rows = await session.execute(
        select(ContactPoint.contributor_id, ContactPoint.channel, ContactPoint.opted_out_at)
        .where(ContactPoint.contributor_id.in_(members), ContactPoint.opted_out_at.is_not(None))
        .order_by(ContactPoint.opted_out_at)
    )
    return [(person, channel, at) for person, channel, at in rows if person is not None]


async def _brief_distribution(
    session: AsyncSession,
    project_id: int,
    briefs: Sequence[BriefVersion],
) -> tuple[int, int]:
    """(members the brief was sent to, members still in the project): a member counts once
    a message carrying the brief was handed to a provider for them after the first version
    was published."""
    people = set(
        await session.scalars(
            select(Membership.contributor_id).where(
                Membership.project_id == project_id, Membership.status != MembershipStatus.LEFT
            )
        )
    )
    if not briefs or not people:
        return 0, len(people)
    first = briefs[0].published_at
    reached = set(
        await session.scalars(
            select(OutboxRow.contributor_id).where(
                OutboxRow.project_id == project_id,
                OutboxRow.kind.in_(BRIEF_KINDS),
                OutboxRow.created_at >= first,
                OutboxRow.status.in_(HANDED_OVER),
            )
        )
    )
    return len(people & reached), len(people)
