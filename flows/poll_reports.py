"""A poll's tally as the leads, the record and the workspace read it: in English, with the
count and share of each choice, and (for the leads) every answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Poll, Project
from storage.polls import given_answers, tally

from .i18n import SOURCE_LANGUAGE, format_share, translator
from .poll_choices import PollShape, numbered_lines
from .poll_results import summary


def shape_of_poll(poll: Poll) -> PollShape:
    return PollShape(poll.shape, poll.size, tuple(poll.labels or ()))


@dataclass(frozen=True)
class ChoiceCount:
    number: int
    label: str  # as the English reader sees it: "1 Longer visits", "3"
    count: int
    share: str  # "67%"


@dataclass(frozen=True)
class AnswerLine:
    """One answer, for the leads: a name only for a named poll."""

    name: str | None
    choice: int | None
    own_words: str | None
    answered_at: datetime
    changes: int


@dataclass(frozen=True)
class PollReport:
    number: int
    project: str
    question: str
    shape: str
    named: bool
    allows_other: bool
    opened_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    total: int
    summary: str  # in words, in English
    choices: tuple[ChoiceCount, ...]
    own_words: int
    answers: tuple[AnswerLine, ...] = ()


async def poll_report(
    session: AsyncSession, poll: Poll, project: Project, *, with_answers: bool = True
) -> PollReport:
    """The tally (open or closed) in English, with every answer for the leads."""
    english = translator(SOURCE_LANGUAGE)
    shape = shape_of_poll(poll)
    counted = await tally(session, poll)
    answers = await given_answers(session, poll) if with_answers else []
    return PollReport(
        number=poll.id,
        project=project.code,
        question=poll.question,
        shape=poll.shape,
        named=poll.is_named,
        allows_other=poll.allows_other,
        opened_at=poll.opened_at,
        closes_at=poll.closes_at,
        closed_at=poll.closed_at,
        total=counted.total,
        summary=summary(shape, counted, english),
        choices=tuple(
            ChoiceCount(n, line, count, format_share(count, counted.total, SOURCE_LANGUAGE))
            for n, (line, count) in enumerate(
                zip(numbered_lines(shape, english), counted.counts, strict=True), start=1
            )
        ),
        own_words=counted.other,
        answers=tuple(
            AnswerLine(a.name, a.choice, a.other, a.answered_at, a.changes) for a in answers
        ),
    )
