"""The project's review as the record and the leads see it: the latest round, each
statement's ratings summed up (how many, the median, the spread from lowest to highest and
the middle half), members' and leads' medians side by side, the skips, the words people
added, and the panel with who has signed it off and when.

No one's rating is ever shown with their name. Their closing words are in the public record
only when they chose to be named; the leads' version has everyone's, as "A member" unless
named, as comments are shown.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Project, Review
from storage.reviews import comments_of, panel_of, project_reviews, raters, ratings_of

from .record_questions import A_MEMBER

A_PANEL_MEMBER = "A panel member"
Number = int | float  # a median may fall between two ratings: 3.5


@dataclass(frozen=True)
class StatementResult:
    number: int
    text: str
    ratings: int
    skips: int
    median: Number | None  # None: no one rated it
    members_median: Number | None
    leads_median: Number | None
    lowest: int | None
    highest: int | None
    # The middle half of the ratings: from the lower to the upper quartile.
    lower_quartile: Number | None
    upper_quartile: Number | None


@dataclass(frozen=True)
class ReviewCommentLine:
    author: str  # "A member" unless they chose to be named
    as_lead: bool
    received_at: datetime
    text: str


@dataclass(frozen=True)
class PanelLine:
    name: str
    role: str  # "lead" or "peer leader"
    signed_off_at: datetime | None
    words: str | None


@dataclass(frozen=True)
class ReviewRecord:
    number: int  # the round's own number, as storage keeps it
    rounds: int  # every round the project has had, each kept (this is the last)
    year: int
    started_at: datetime
    closes_at: datetime
    closed: bool
    own_statements: bool
    rated: int  # people who rated at least one statement
    statements: tuple[StatementResult, ...]
    comments: tuple[ReviewCommentLine, ...]
    # Words from people who did not choose to be named: in the leads' version only.
    unnamed_comments: int
    panel: tuple[PanelLine, ...]

    @property
    def signed_off(self) -> bool:
        """Everyone on the panel has signed the round off."""
        return bool(self.panel) and all(seat.signed_off_at for seat in self.panel)


def tidy_number(value: float) -> Number:
    """4.0 as 4, and 3.5 as it is."""
    return int(value) if float(value).is_integer() else round(value, 2)


def _median(values: list[int]) -> Number | None:
    return tidy_number(statistics.median(values)) if values else None


def _quartiles(values: list[int]) -> tuple[Number | None, Number | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    lower, _, upper = statistics.quantiles(values, n=4, method="inclusive")
    return tidy_number(lower), tidy_number(upper)


def shown(value: Number | None) -> str:
    """A median or quartile as a table shows it; "none" when no one rated."""
    return "none" if value is None else str(value)


def spread(result: StatementResult) -> str:
    """From the lowest rating to the highest: "2–5"."""
    if result.lowest is None:
        return "none"
    return f"{result.lowest}–{result.highest}"


def signed_off_sentence(review: ReviewRecord) -> str:
    """Who on the panel has signed the round off, in one sentence."""
    panel = review.panel
    signed = [p.name for p in panel if p.signed_off_at]
    if not panel:
        return "No review panel has been named."
    if len(signed) == len(panel):
        return f"The panel has signed it off: {_names(signed)}."
    if not signed:
        return f"No one on the panel of {len(panel)} has signed it off yet."
    return f"{len(signed)} of the {len(panel)} on the panel have signed it off: {_names(signed)}."


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


async def review_record(
    session: AsyncSession, project: Project, *, for_leads: bool, now: datetime
) -> ReviewRecord | None:
    """The latest round of the project's review, or None when it has had none."""
    rounds = await project_reviews(session, project.id)
    if not rounds:
        return None
    review = rounds[-1]
    comments, unnamed = await _comments(session, review, for_leads)
    return ReviewRecord(
        number=review.id,
        rounds=len(rounds),
        year=review.year,
        started_at=review.started_at,
        closes_at=review.closed_at or review.closes_at,
        closed=review.closed_at is not None or review.closes_at <= now,
        own_statements=review.own_statements,
        rated=await raters(session, review.id),
        statements=await _results(session, review),
        comments=comments,
        unnamed_comments=unnamed,
        panel=tuple(
            PanelLine(
                seat.name or A_PANEL_MEMBER,
                "lead" if seat.is_lead else "peer leader",
                seat.signed_off_at,
                seat.words,
            )
            for seat in await panel_of(session, review.id)
        ),
    )


async def _results(session: AsyncSession, review: Review) -> tuple[StatementResult, ...]:
    given = await ratings_of(session, review.id)
    results = []
    for number, text in enumerate(review.statements, start=1):
        about = [g for g in given if g.statement == number]
        rated = sorted(g.rating for g in about if g.rating is not None)
        members = [g.rating for g in about if g.rating is not None and not g.as_lead]
        leads = [g.rating for g in about if g.rating is not None and g.as_lead]
        lower, upper = _quartiles(rated)
        results.append(
            StatementResult(
                number=number,
                text=text,
                ratings=len(rated),
                skips=sum(1 for g in about if g.rating is None),
                median=_median(rated),
                members_median=_median(members),
                leads_median=_median(leads),
                lowest=rated[0] if rated else None,
                highest=rated[-1] if rated else None,
                lower_quartile=lower,
                upper_quartile=upper,
            )
        )
    return tuple(results)


async def _comments(
    session: AsyncSession, review: Review, for_leads: bool
) -> tuple[tuple[ReviewCommentLine, ...], int]:
    said = await comments_of(session, review.id)
    lines = tuple(
        ReviewCommentLine(
            (c.name if c.is_named and c.name else None) or A_MEMBER,
            c.as_lead,
            c.received_at,
            c.text,
        )
        for c in said
        if for_leads or c.is_named
    )
    return lines, sum(1 for c in said if not c.is_named)
