"""The co-production checklist of the project record: each criterion met or not, with what
decided it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from storage.models import CheckState, LeadKind, Meeting, ResponseStatus

if TYPE_CHECKING:
    from .record import Record, Window

# The shortest comment window after a meeting that the criteria accept.
LEAST_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Check:
    criterion: str
    passed: bool
    detail: str


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
    # A question kept from the group is answered to its asker alone, and that is enough.
    open_questions = [
        q
        for q in record.questions
        if q.answer is None or (q.broadcast_at is None and q.check == CheckState.SHARED)
    ]
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
