"""The project record ("you said, we did"): everything a project did and was told, and a
checklist of the co-production criteria, gathered from storage for one project.

The public version names a comment's author only if they chose to be named, and counts
declarations and opt-outs; the leads' version adds who declared what and who left or
stopped. :mod:`flows.record_render` writes it out as HTML, Markdown, CSV or JSON.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from channels.base import ChannelName
from storage.models import (
    Answer,
    BriefVersion,
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
    QuestionDirection,
    ResponseStatus,
    WindowExtension,
)

# The shortest comment window after a meeting that the criteria accept.
LEAST_WINDOW = timedelta(days=7)
A_MEMBER = "A member"
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
    text: str
    response: ResponseStatus | None
    reason: str | None
    responded_at: datetime | None


@dataclass(frozen=True)
class QuestionLine:
    number: int
    asked_by: str
    asked_at: datetime
    text: str
    answer: str | None
    answered_at: datetime | None
    broadcast_at: datetime | None


@dataclass(frozen=True)
class Detail:
    """For the leads' version only: one declaration, departure or opt-out."""

    name: str
    at: datetime
    what: str


@dataclass(frozen=True)
class Check:
    criterion: str
    passed: bool
    detail: str


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
    declarations: int
    left: int
    stopped: int
    details: tuple[Detail, ...] = field(default=())
    checklist: tuple[Check, ...] = field(default=())


async def project_record(
    session: AsyncSession, project: Project, *, for_leads: bool = False, now: datetime
) -> Record:
    names = await _names(session, project.id)
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
    windows = await _windows(session, project.id, {m.id: m for m in meetings})
    comments = await _comments(session, project.id, names)
    questions = await _questions(session, project.id, names)
    declarations = (
        await session.scalars(
            select(Declaration)
            .where(Declaration.project_id == project.id)
            .order_by(Declaration.declared_at)
        )
    ).all()
    memberships = (
        await session.scalars(select(Membership).where(Membership.project_id == project.id))
    ).all()
    stops = await _stops(session, [m.contributor_id for m in memberships])
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
            for m in memberships
            if m.status == MembershipStatus.LEFT and m.left_at
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
        meetings=tuple(MeetingLine(m.starts_at, m.minutes, m.place) for m in meetings),
        windows=windows,
        reach=await _reach(session, project.id),
        comments=comments,
        questions=questions,
        declarations=len(declarations),
        left=sum(1 for m in memberships if m.status == MembershipStatus.LEFT),
        stopped=len(stops),
        details=tuple(details),
    )
    distribution = await _brief_distribution(session, project.id, briefs, memberships)
    checks = checklist(record, meetings, windows, distribution, now)
    return replace(record, checklist=checks)


def checklist(
    record: Record,
    meetings: Sequence[Meeting],
    windows: tuple[Window, ...],
    distribution: tuple[int, int],
    now: datetime,
) -> tuple[Check, ...]:
    """The co-production criteria, each passed or not, with what decided it."""
    contributor_leads = [lead for lead in record.leads if lead.kind == LeadKind.CONTRIBUTOR]
    reached, members = distribution
    ended = [m for m in meetings if m.starts_at + timedelta(minutes=m.minutes) <= now]
    short = [
        m
        for m in ended
        if not any(
            w.after_meeting == m.starts_at and w.closes_at - w.opens_at >= LEAST_WINDOW
            for w in windows
        )
    ]
    extensions = [e for w in windows for e in w.extensions]
    unexplained = [e for e in extensions if not e.reason.strip()]
    unanswered_comments = [
        c
        for c in record.comments
        if c.response is None or c.response == ResponseStatus.UNDER_REVIEW
    ]
    open_questions = [q for q in record.questions if q.answer is None or q.broadcast_at is None]
    return (
        Check(
            "Two leads, one of them a contributor",
            len(record.leads) >= 2 and bool(contributor_leads),
            f"{_count(len(record.leads), 'lead')}, "
            f"{_count(len(contributor_leads), 'contributor')} among them",
        ),
        Check(
            "The brief reached every member",
            bool(record.briefs) and members > 0 and reached == members,
            "no brief yet" if not record.briefs else f"sent to {reached} of {members} members",
        ),
        Check(
            "At least 7 days for comments after every meeting",
            not short,
            f"{_count(len(ended), 'meeting')} held, {len(short)} without 7 days after it",
        ),
        Check(
            "Every extension has a reason",
            not unexplained,
            f"{_count(len(extensions), 'extension')}, {len(unexplained)} without a reason",
        ),
        Check(
            "Every comment has a response",
            not unanswered_comments,
            f"{_count(len(record.comments), 'comment')}, "
            f"{len(unanswered_comments)} waiting or under review",
        ),
        Check(
            "Every question answered in writing and sent to everyone",
            not open_questions,
            f"{_count(len(record.questions), 'question')}, "
            f"{len(open_questions)} not answered to everyone",
        ),
        Check(
            "A review date is set",
            record.review_on is not None,
            record.review_on or "no review date",
        ),
    )


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


async def _names(session: AsyncSession, project_id: int) -> dict[int, str]:
    """Everyone connected with the project, by id; erased people have no name here."""
    rows = await session.execute(
        select(Contributor.id, Contributor.name, Contributor.erased_at).where(
            Contributor.id.in_(
                select(Membership.contributor_id).where(Membership.project_id == project_id)
            )
            | Contributor.id.in_(
                select(ProjectLead.contributor_id).where(ProjectLead.project_id == project_id)
            )
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


async def _windows(
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
    session: AsyncSession, project_id: int, names: dict[int, str]
) -> tuple[CommentLine, ...]:
    comments = (
        await session.scalars(
            select(Comment).where(Comment.project_id == project_id).order_by(Comment.id)
        )
    ).all()
    return tuple(
        CommentLine(
            c.id,
            names.get(c.contributor_id, A_MEMBER) if c.is_named and c.contributor_id else A_MEMBER,
            c.channel,
            c.received_at,
            c.is_late,
            c.text,
            c.response_status,
            c.response_reason,
            c.responded_at,
        )
        for c in comments
    )


async def _questions(
    session: AsyncSession, project_id: int, names: dict[int, str]
) -> tuple[QuestionLine, ...]:
    """Members' questions to the leads, each with its written answer."""
    rows = (
        await session.execute(
            select(Question, Answer, Contributor.named_in_comments)
            .outerjoin(Answer, Answer.question_id == Question.id)
            .outerjoin(Contributor, Contributor.id == Question.asked_by)
            .where(
                Question.project_id == project_id,
                Question.direction == QuestionDirection.TO_LEADS,
            )
            .order_by(Question.id, Answer.answered_at)
        )
    ).all()
    latest: dict[int, QuestionLine] = {}
    for question, answer, named in rows:
        asker = names.get(question.asked_by, A_MEMBER) if named and question.asked_by else A_MEMBER
        latest[question.id] = QuestionLine(
            question.id,
            asker,
            question.asked_at,
            question.text,
            answer.text if answer else None,
            answer.answered_at if answer else None,
            answer.broadcast_at if answer else None,
        )
    return tuple(latest.values())


async def _stops(
    session: AsyncSession, people: list[int]
) -> list[tuple[int, ChannelName, datetime]]:
    rows = await session.execute(
        select(ContactPoint.contributor_id, ContactPoint.channel, ContactPoint.opted_out_at)
        .where(ContactPoint.contributor_id.in_(people), ContactPoint.opted_out_at.is_not(None))
        .order_by(ContactPoint.opted_out_at)
    )
    return [(person, channel, at) for person, channel, at in rows if person is not None]


async def _brief_distribution(
    session: AsyncSession,
    project_id: int,
    briefs: Sequence[BriefVersion],
    memberships: Sequence[Membership],
) -> tuple[int, int]:
    """(members the brief was sent to, members still in the project): a member counts once
    a message carrying the brief was handed to a provider for them after the first version
    was published."""
    people = {m.contributor_id for m in memberships if m.status != MembershipStatus.LEFT}
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
