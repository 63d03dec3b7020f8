"""The sections of the project record, the same for every format that has them (HTML,
Markdown, the workspace's record page): the checklist first (each criterion says "Met" or
"Not met" in words, never by colour alone), then the leads, brief versions, meetings,
comment windows with every extension and its reason, reach per channel, every comment with
its response, every question with its answer, every question the leads asked the group
with every reply, and every poll with how many chose each answer. Dates are written out
with the weekday in the project's time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.models import CheckState

from .i18n import format_when
from .poll_chart import chart_rows
from .record import Record
from .record_review import ReviewRecord, shown, signed_off_sentence, spread

Table = tuple[str, list[str], list[list[str]]]  # caption, headers, rows


def _when(record: Record, moment: datetime | None) -> str:
    return format_when(moment, "en", record.time_zone) if moment else ""


def _days(length: timedelta) -> str:
    """How long a window was open, written out: '7 days', '1 day 5 hours'."""
    hours = max(int(length.total_seconds() // 3600), 0)
    days, hours = divmod(hours, 24)
    parts = [f"{days} day" + ("" if days == 1 else "s")] if days else []
    if hours or not days:
        parts.append(f"{hours} hour" + ("" if hours == 1 else "s"))
    return " ".join(parts)


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def status_line(record: Record) -> str:
    """Open or closed, and the review date."""
    state = (
        f"Closed on {_when(record, record.closed_at)}"
        if record.closed_at
        else record.status.capitalize()
    )
    review = f"review on {record.review_on}" if record.review_on else "no review date"
    return f"{state}; {review}."


Section = tuple[str, str | None, Table | None]  # heading, a sentence, a table


def _listed(
    heading: str, empty: str, caption: str, headers: list[str], rows: list[list[str]]
) -> Section:
    """A section that is its table, or a sentence saying there is nothing to list."""
    return (heading, None, (caption, headers, rows)) if rows else (heading, empty, None)


def sections(record: Record) -> list[Section]:
    """(heading, a sentence, a table) for each part of the record, in order."""
    met = sum(check.passed for check in record.checklist)
    parts: list[Section] = [
        (
            "Checklist",
            f"{met} of {len(record.checklist)} co-production criteria met.",
            (
                "The co-production criteria",
                ["Criterion", "Result", "What we found"],
                [
                    [c.criterion, "Met" if c.passed else "Not met", c.detail]
                    for c in record.checklist
                ],
            ),
        ),
        (
            "Leads",
            None,
            (
                "The project's leads",
                ["Name", "Lead as"],
                [[lead.name, str(lead.kind)] for lead in record.leads],
            ),
        ),
        _listed(
            "Brief versions",
            "No brief has been published.",
            "Every version of the brief",
            ["Version", "Sent on", "What changed"],
            [
                [str(b.version), _when(record, b.published_at), b.change_note or ""]
                for b in record.briefs
            ],
        ),
        _listed(
            "Meetings",
            "No meetings are recorded.",
            "Meetings",
            ["When", "Minutes", "Place", "Cancelled"],
            [
                [
                    _when(record, m.starts_at),
                    str(m.minutes),
                    m.place or "",
                    f"on {_when(record, m.cancelled_at)}: {m.cancel_reason}"
                    if m.cancelled_at
                    else "no",
                ]
                for m in record.meetings
            ],
        ),
        _listed(
            "Comment windows",
            "Comments have not been opened.",
            "Comment windows and every extension",
            [
                "Opened",
                "Closes",
                "Days for comments",
                "After the meeting on",
                "Extensions and reasons",
            ],
            [
                [
                    _when(record, w.opens_at),
                    _when(record, w.closes_at),
                    _days(w.closes_at - w.opens_at),
                    _when(record, w.after_meeting),
                    "; ".join(
                        f"on {_when(record, e.extended_at)}, to "
                        f"{_when(record, e.new_closes_at)}: {e.reason}"
                        for e in w.extensions
                    )
                    or "none",
                ]
                for w in record.windows
            ],
        ),
        _listed(
            "Reach",
            "No messages have been sent.",
            "Messages by channel",
            ["Channel", "Sent", "Delivered", "Failed", "Waiting"],
            [
                [str(r.channel), str(r.sent), str(r.delivered), str(r.failed), str(r.waiting)]
                for r in record.reach
            ],
        ),
        _listed(
            "Comments",
            "No comments were sent.",
            "Every comment and its response",
            [
                "Number",
                "From",
                "By",
                "Received",
                "Late",
                "Comment",
                "Response",
                "Reason",
                *_as_sent_header(record),
            ],
            [
                [
                    str(c.number),
                    c.author,
                    str(c.channel or ""),
                    _when(record, c.received_at),
                    "Late" if c.late else "On time",
                    c.text,
                    str(c.response or "No response yet"),
                    c.reason or "",
                    *_as_sent(record, c.original),
                ]
                for c in record.comments
            ],
        ),
        _listed(
            "Questions",
            "No questions were asked.",
            "Every question and its written answer",
            [
                "Number",
                "From",
                "Asked",
                "Question",
                "Answer",
                "Sent to everyone",
                *_as_sent_header(record),
            ],
            [
                [
                    str(q.number),
                    q.asked_by,
                    _when(record, q.asked_at),
                    q.text,
                    q.answer or "Not answered yet",
                    _when(record, q.broadcast_at) or _not_sent(q.check),
                    *_as_sent(record, q.original),
                ]
                for q in record.questions
            ],
        ),
        _group_questions(record),
        _polls(record),
        *_review(record),
        (
            "Declarations and opt-outs",
            f"{record.declarations} declarations of an interest; "
            f"{record.nothing_to_declare} said they had nothing to declare; "
            f"{record.left} members left; {record.stopped} stopped messages on a channel.",
            (
                "Details, for the leads only",
                ["Who", "When", "What"],
                [[d.name, _when(record, d.at), d.what] for d in record.details],
            )
            if record.for_leads and record.details
            else None,
        ),
    ]
    return parts


GROUP_COLUMNS = [
    "Question number",
    "Asked",
    "Question",
    "Replies",
    "Reply from",
    "Received",
    "By",
    "Reply",
]


def _group_questions(record: Record) -> Section:
    """One row per reply to each question the leads asked the group, or one saying none came."""
    heading, asked = "Questions to the group", record.group_questions
    if not asked:
        return heading, "The leads have not asked the group a question.", None
    total = sum(q.reply_count for q in asked)
    replies = (
        f"members sent {_count(total, 'reply', 'replies')}" if total else "nobody has replied yet"
    )
    rows: list[list[str]] = []
    for q in asked:
        about = [str(q.number), _when(record, q.asked_at), q.text]
        about.append(_count(q.reply_count, "reply", "replies"))
        if not q.replies:
            rows.append([*about, "", "", "", "No replies yet", *_as_sent(record, None)])
        for r in q.replies:
            said = [r.author, _when(record, r.received_at), str(r.channel or ""), r.text]
            rows.append([*about, *said, *_as_sent(record, r.original)])
    return (
        heading,
        f"The leads asked the group {_count(len(asked), 'question', 'questions')}; {replies}.",
        (
            "Every question the leads asked the group and every reply",
            [*GROUP_COLUMNS, *_as_sent_header(record)],
            rows,
        ),
    )


POLLS = "Polls"


def _polls(record: Record) -> Section:
    """One row per choice of each poll: how many chose it, and their share."""
    if not record.polls:
        return POLLS, "The leads have not asked the group to choose.", None
    answers = sum(p.total for p in record.polls)
    rows = [
        [
            str(p.number),
            p.question,
            f"Closed on {_when(record, p.closed_at)}"
            if p.closed_at
            else f"Open until {_when(record, p.closes_at)}",
            label,
            str(count),
            share,
        ]
        for p in record.polls
        for label, count, share in chart_rows(p)
    ]
    return (
        POLLS,
        f"The leads asked the group to choose {_count(len(record.polls), 'time', 'times')}; "
        f"{_count(answers, 'answer was', 'answers were')} counted. "
        + " ".join(f"Poll {p.number}: {p.summary}" for p in record.polls),
        (
            "Every poll and how many chose each answer",
            ["Poll", "Question", "Closes", "Answer", "People", "Share"],
            rows,
        ),
    )


REVIEW = "Review"


def _review(record: Record) -> list[Section]:
    """The latest round of the review: how each statement was rated (never by whom), the
    panel and its sign-off, and the words people added."""
    review = record.review
    if review is None:
        return [(REVIEW, "The project has not been reviewed yet.", None)]
    state = (
        f"closed on {_when(record, review.closes_at)}"
        if review.closed
        else f"open until {_when(record, review.closes_at)}"
    )
    rounds = (
        f" This is round {review.rounds}; every earlier round is kept." if review.rounds > 1 else ""
    )
    rated = _count(review.rated, "person", "people")
    return [
        (
            REVIEW,
            f"The {review.year} review, {state}: {rated} rated the statements from 1 "
            f"(not at all) to 5 (completely). {signed_off_sentence(review)}{rounds}",
            (
                "How people rated each statement: the middle rating, for members and for "
                "leads, and the lowest to the highest",
                [
                    "Statement",
                    "Median",
                    "Members' median",
                    "Leads' median",
                    "Spread",
                    "Ratings",
                    "Skips",
                ],
                [
                    [
                        f"{s.number}. {s.text}",
                        shown(s.median),
                        shown(s.members_median),
                        shown(s.leads_median),
                        spread(s),
                        str(s.ratings),
                        str(s.skips),
                    ]
                    for s in review.statements
                ],
            ),
        ),
        _listed(
            "Review panel",
            "No review panel has been named.",
            "The leads and peer leaders who sign the review off",
            ["Name", "On the panel as", "Signed off", "Their words"],
            [
                [p.name, p.role, _when(record, p.signed_off_at) or "Not yet", p.words or ""]
                for p in review.panel
            ],
        ),
        _review_comments(record, review),
    ]


def _review_comments(record: Record, review: ReviewRecord) -> Section:
    heading = "Review comments"
    hidden = 0 if record.for_leads else review.unnamed_comments
    held = (
        f"{_count(hidden, 'person', 'people')} who did not choose to be named added words; "
        "they are in the leads' version only."
        if hidden
        else None
    )
    if not review.comments:
        return heading, held or "No one added their own words to the review.", None
    return (
        heading,
        held,
        (
            "What people added in their own words",
            ["From", "As", "Received", "Words"],
            [
                [c.author, "lead" if c.as_lead else "member", _when(record, c.received_at), c.text]
                for c in review.comments
            ],
        ),
    )


def _as_sent_header(record: Record) -> list[str]:
    return ["As sent (leads only)"] if record.for_leads else []


def _as_sent(record: Record, original: str | None) -> list[str]:
    """The leads' version shows the words as sent beside a redaction, or what was held."""
    return [original or ""] if record.for_leads else []


def _not_sent(check: CheckState) -> str:
    return "Not yet" if check == CheckState.SHARED else "No: the question was not shared"
