"""The co-production checklist of the project record: each criterion met or not, with what
decided it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storage.models import CheckState, LeadKind, Meeting, ResponseStatus

if TYPE_CHECKING:
    from .record import MeetingLine, Record, Window

# The shortest comment window after a meeting that the criteria accept.
LEAST_WINDOW = timedelta(days=7)
# The least time from the first invitation to the close that the standard asks for.
LEAST_INVOLVEMENT = timedelta(weeks=12)


@dataclass(frozen=True)
class Check:
    criterion: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Commitment:
    """What the project's plan promised and kept: a lead named for each response (to every
    comment, and to every member's question to the leads) and the day it was due, and how
    long people have been involved. The record's lines do not carry who is named, so these
    are counted in the database (:func:`flows.responsibility.commitment_facts`)."""

    responses: int  # comments and members' questions to the leads
    unnamed: int  # no lead named for the response
    late: int  # given after the day it was due (in the project's zone)
    # Named and not given yet: each due day, with how many are due on it.
    waiting: tuple[tuple[date, int], ...]
    involved_from: datetime  # the first member's invitation, or the project's creation
    closed_at: datetime | None
    time_zone: str

    def overdue(self, now: datetime) -> int:
        """Those not given yet whose day has passed."""
        today = now.astimezone(ZoneInfo(self.time_zone)).date()
        return sum(count for day, count in self.waiting if day < today)


@dataclass(frozen=True)
class Facts:
    """What the checklist is decided on, counted: from a whole record, or straight from the
    database for a page that shows only the checklist (:mod:`flows.checklist_facts`)."""

    leads: int
    contributor_leads: int
    briefs: int
    reached: int  # members the brief was handed to a provider for
    members: int  # members still in the project
    comments: int
    unanswered_comments: int  # no response yet, or still under review
    questions: int  # members' questions to the leads
    open_questions: int  # not answered, or answered to the asker alone though shared
    review_on: str | None
    commitment: Commitment


def facts_of(record: Record, distribution: tuple[int, int], commitment: Commitment) -> Facts:
    """The facts of a record already read in full, with its ``commitment`` (who is named for
    each response, and since when people have been involved) counted in the database."""
    reached, members = distribution
    return Facts(
        leads=len(record.leads),
        contributor_leads=sum(1 for lead in record.leads if lead.kind == LeadKind.CONTRIBUTOR),
        briefs=len(record.briefs),
        reached=reached,
        members=members,
        comments=len(record.comments),
        unanswered_comments=sum(1 for c in record.comments if needs_response(c.response)),
        questions=len(record.questions),
        open_questions=sum(
            1 for q in record.questions if is_open(q.answer is not None, q.broadcast_at, q.check)
        ),
        review_on=record.review_on,
        commitment=commitment,
    )


def needs_response(response: ResponseStatus | None) -> bool:
    return response is None or response == ResponseStatus.UNDER_REVIEW


def is_open(answered: bool, broadcast_at: datetime | None, check: CheckState) -> bool:
    """A question kept from the group is answered to its asker alone, and that is enough."""
    return not answered or (broadcast_at is None and check == CheckState.SHARED)


def checklist(
    facts: Facts,
    meetings: Sequence[Meeting | MeetingLine],
    windows: Sequence[Window],
    now: datetime,
) -> tuple[Check, ...]:
    """The co-production criteria, each passed or not, with what decided it."""
    ended = [
        m
        for m in meetings
        if m.starts_at + timedelta(minutes=m.minutes) <= now and m.cancelled_at is None
    ]
    short = [m for m in ended if days_had(m, windows) < LEAST_WINDOW]
    extensions = [e for w in windows for e in w.extensions]
    unexplained = [e for e in extensions if not e.reason.strip()]
    plan = facts.commitment
    overdue = plan.overdue(now)
    involved = (plan.closed_at or now) - plan.involved_from
    return (
        Check(
            "Two leads, one of them a contributor",
            facts.leads >= 2 and facts.contributor_leads > 0,
            f"{_count(facts.leads, 'lead')}, "
            f"{_count(facts.contributor_leads, 'contributor')} among them",
        ),
        Check(
            "The brief reached every member",
            facts.briefs > 0 and facts.members > 0 and facts.reached == facts.members,
            "no brief yet"
            if not facts.briefs
            else f"sent to {facts.reached} of {facts.members} members",
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
            not facts.unanswered_comments,
            f"{_count(facts.comments, 'comment')}, "
            f"{facts.unanswered_comments} waiting or under review",
        ),
        Check(
            "Every question answered in writing and sent to everyone",
            not facts.open_questions,
            f"{_count(facts.questions, 'question')}, "
            f"{facts.open_questions} not answered to everyone",
        ),
        Check(
            "A review date is set",
            facts.review_on is not None,
            facts.review_on or "no review date",
        ),
        Check(
            "Every response has a named person and was on time",
            not plan.unnamed and not plan.late and not overdue,
            f"{_responses(plan.responses)}: {plan.unnamed} with no one named, "
            f"{plan.late} late, {overdue} overdue",
        ),
        Check(
            "At least 12 weeks from the first invitation to the close",
            involved >= LEAST_INVOLVEMENT,
            _count(involved.days // 7, "week") + ("" if plan.closed_at else " so far"),
        ),
    )


def days_had(meeting: Meeting | MeetingLine, windows: Sequence[Window]) -> timedelta:
    """How long people really had to comment after a meeting: from when its window opened
    (or, for a meeting that ended while comments were open, from its end) to the close.
    A meeting recorded after it ended had only the time from when it was recorded."""
    ended = meeting.starts_at + timedelta(minutes=meeting.minutes)
    had = [
        w.closes_at - max(w.opens_at, ended)
        for w in windows
        if w.after_meeting == meeting.starts_at or w.opens_at <= ended < w.closes_at
    ]
    return max(had, default=timedelta(0))


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}" if number == 1 else f"{number} {thing}s"


def _responses(number: int) -> str:
    """What waits for a response: comments and members' questions to the leads."""
    return f"{number} comment or question" if number == 1 else f"{number} comments and questions"
