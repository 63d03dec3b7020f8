"""The project's own review at completion: every member and lead rates statements of what
good co-production looks like from 1 (not at all) to 5 (completely), one at a time on any
channel, then may add their own words. A round waits in each person's conversation state
until it closes; a yearly review is a new round, and every round is kept.

```mermaid
stateDiagram-v2
    [*] --> review: the leads start a round (statement 1)
    review --> review: 1 to 5, or SKIP (kept; the next statement)
    review --> review: a number off the scale ("1 to 5, or SKIP"; nothing kept)
    review --> review: after the last statement, their words or SKIP (kept; thank you)
    review --> review: REVIEW CODE (statement 1 again)
    review --> [*]: their words are in, or the round closes
```
Other words while a statement waits go where they would have gone anyway (a comment, a
question...), and the statement keeps waiting; words with nowhere to go get it again.
The panel who sign a round off are in :mod:`flows.lead_reviews`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.conversations import clear_state, set_state, set_states, states_of
from storage.errors import InvalidInput
from storage.memberships import Addressee, leads_of
from storage.models import MembershipStatus, Project, ProjectStatus, Review
from storage.reviews import (
    add_review,
    is_lead,
    latest_review,
    may_take_part,
    record_rating,
    record_review_comment,
)

from . import replies
from .context import Exchange
from .effects import (
    AnswerReview,
    AskReviewAgain,
    ClearPending,
    Effect,
    RestartReview,
    only_not_understood,
)
from .i18n import Translator
from .keywords import Command, ParsedText, keyword_words
from .outbound import Message, Reader, send_to, send_to_members
from .poll_choices import OutOfRange
from .review_statements import (
    again_text,
    default_statements,
    is_skip,
    read_rating,
    skip_word,
    statement_text,
)
from .situation import Situation

# A person's conversation state while a round waits for them; its data says which step.
WAITING = "review"
OPEN_FOR = timedelta(days=14)
SHORTEST_OPEN = timedelta(hours=1)
LONGEST_OPEN = timedelta(days=92)
# How long after the close a rating is still read as a (too late) answer to the round.
TOO_LATE_FOR = timedelta(days=1)


# What people are sent


def intro_text(reader: Reader, project: Project, review: Review) -> Message:
    t, count = reader.t, len(review.statements)
    parts = [
        t.gettext("The {code} leads want to know how the project went for you.").format(
            code=project.code
        ),
        t.ngettext(
            "We will send {count} short statement.",
            "We will send {count} short statements, one at a time.",
            count,
        ).format(count=count),
        t.gettext("Rate each from 1 (not at all) to 5 (completely), or reply {skip}.").format(
            skip=skip_word(t)
        ),
        t.gettext("You can answer until {when}.").format(when=reader.when(review.closes_at)),
        t.gettext("Your name is never shown with your numbers."),
    ]
    subject = t.gettext("{title}: how did it go?").format(title=project.title)
    return Message(reader.paragraphs(parts), subject=subject)


def last_question_text(reader: Reader, project: Project, named: bool) -> Message:
    t = reader.t
    parts = [
        t.gettext("Last question: is there anything else you want to say about {code}?").format(
            code=project.code
        ),
        t.gettext("Reply in your own words, or {skip}.").format(skip=skip_word(t)),
        t.gettext("Your words will be shared with your name.")
        if named
        else t.gettext("Only the leads will see your words, without your name."),
    ]
    return Message(reader.paragraphs(parts))


def thanks_text(reader: Reader, project: Project, review: Review) -> Message:
    t = reader.t
    parts = [
        t.gettext("Thank you for your review of {code}.").format(code=project.code),
        t.gettext("To change an answer, reply {review} {code} before {when}.").format(
            review=keyword_words(t)[Command.REVIEW],
            code=project.code,
            when=reader.when(review.closes_at),
        ),
    ]
    return Message(reader.paragraphs(parts))


def closed_text(reader: Reader, project: Project, review: Review) -> Message:
    return Message(
        reader.t.gettext("The {code} review closed on {when}.").format(
            code=project.code, when=reader.when(review.closed_at or review.closes_at)
        )
    )


def no_review_text(t: Translator, code: str) -> str:
    return t.gettext("There is no review of {code} to answer now.").format(code=code)


# Starting a round


async def start_review(
    session: AsyncSession,
    project: Project,
    *,
    now: datetime,
    statements: list[str] | None = None,
    closes_at: datetime | None = None,
    started_by: int | None = None,
    actor: str = "cli",
) -> tuple[Review, int]:
    """Start a round of the closed project's review (a round still open closes): every
    member and lead is told, then sent the first statement. Returns it and how many it
    reached. ``statements`` are the project's own (checked by
    :func:`flows.review_statements.read_statements`); None: our default set."""
    if project.status != ProjectStatus.CLOSED:
        raise InvalidInput(
            f"{project.code} is not closed: a review comes at completion. Close it first "
            f"(coproduce project close {project.code} --review-on YYYY-MM-DD)"
        )
    closes = closes_at or now + OPEN_FOR
    if closes < now + SHORTEST_OPEN:
        raise InvalidInput("a review must stay open for at least an hour")
    if closes > now + LONGEST_OPEN:
        raise InvalidInput("a review can stay open for at most three months")
    previous = await latest_review(session, project.id)
    if previous is not None and previous.closed_at is None and previous.closes_at > now:
        previous.closed_at = now
    review = await add_review(
        session,
        project_id=project.id,
        year=now.astimezone(ZoneInfo(project.time_zone)).year,
        statements=list(statements) if statements is not None else list(default_statements()),
        own_statements=statements is not None,
        started_by=started_by,
        now=now,
        closes_at=closes,
    )
    waiting = {
        "review_id": review.id,
        "project_id": project.id,
        "step": 1,
        "size": len(review.statements),
    }
    asked: set[int] = set()

    async def wait_for_ratings(ids: list[int]) -> None:
        # A numbered choice someone is in the middle of is left alone; REVIEW CODE still works.
        busy = {
            cid for cid, state in (await states_of(session, ids, now)).items() if state == "choose"
        }
        await set_states(
            session, [cid for cid in ids if cid not in busy], WAITING, waiting, closes, now
        )
        asked.update(ids)

    async def each_page(page: list[Addressee]) -> None:
        await wait_for_ratings([person.id for person in page])

    def intro(reader: Reader) -> Message:
        return intro_text(reader, project, review)

    def first(reader: Reader) -> Message:
        return statement_text(reader, review, 1)

    reached = await send_to_members(session, project, kind="review-start", render=intro, now=now)
    await send_to_members(
        session, project, kind="review-statement", render=first, now=now, each_page=each_page
    )
    for lead in await leads_of(session, project.id):
        if lead.id in asked:
            continue  # a lead who is a member has it already
        told = [
            await send_to(
                session, lead, project, kind=kind, render=render, now=now, hold_at_night=True
            )
            for kind, render in (("review-start", intro), ("review-statement", first))
        ]
        reached += all(told)
        await wait_for_ratings([lead.id])
    await record_audit(
        session,
        actor=actor,
        action="review.start",
        at=now,
        project_id=project.id,
        details={"review": review.id, "statements": len(review.statements), "reached": reached},
    )
    return review, reached


# The conversation step (pure): called by flows.conversation while a round waits.


def answer(
    situation: Situation, parsed: ParsedText, text: str, t: Translator
) -> list[Effect] | None:
    """What a message means while the review waits for this person; None when it is not
    about the review (a command word, or words that are no rating)."""
    pending = situation.pending
    if pending is None or pending.state != WAITING or parsed.command is not None:
        return None
    data = pending.data
    view = situation.project(int(data["project_id"]))
    if view is not None and view.status == MembershipStatus.LEFT:
        return None  # they left the project since they were asked
    review_id, step, size = int(data["review_id"]), int(data["step"]), int(data["size"])
    skipped = is_skip(text, t)
    picked = read_rating(text, t)
    if pending.expired(situation.now):
        # A rating soon after the close is still about the review: they are told it closed.
        assert pending.expires_at is not None
        soon = situation.now - pending.expires_at < TOO_LATE_FOR
        if soon and step <= size and (skipped or isinstance(picked, int)):
            return [AnswerReview(review_id, step), ClearPending()]
        return None
    if step > size:  # their own words at the end
        if skipped or not text:
            return [AnswerReview(review_id, step)]
        return [AnswerReview(review_id, step, words=text)]
    if skipped:
        return [AnswerReview(review_id, step)]
    if isinstance(picked, OutOfRange):
        return [AskReviewAgain(review_id, step)]
    if picked is not None:
        return [AnswerReview(review_id, step, rating=picked)]
    return None


def instead_of_nowhere(situation: Situation, effects: list[Effect], t: Translator) -> list[Effect]:
    """Words that had nowhere to go while a statement waits: the statement again, not a
    "we did not understand"."""
    pending = situation.pending
    if not only_not_understood(effects) or pending is None or pending.state != WAITING:
        return effects
    if pending.expired(situation.now) or int(pending.data["step"]) > int(pending.data["size"]):
        return effects
    view = situation.project(int(pending.data["project_id"]))
    if view is not None and view.status == MembershipStatus.LEFT:
        return effects
    return [AskReviewAgain(int(pending.data["review_id"]), int(pending.data["step"]))]


# Keeping an answer (in the transaction that handles the message)


async def _open_round(exchange: Exchange, review: Review | None) -> Project | None:
    """The round's project when this person may answer it now; otherwise they are told why
    and None is returned."""
    session = exchange.session
    project = await session.get(Project, review.project_id) if review else None
    if review is None or project is None:
        return None  # the project is gone; nothing to keep the answer for
    if not await may_take_part(session, project.id, exchange.contributor.id):
        await exchange.reply(
            "not-in-project", lambda r: Message(replies.not_in_project(r.t, project.code))
        )
        return None
    if review.closed_at is not None or review.closes_at <= exchange.now:
        await exchange.reply(
            "review-closed", lambda r: closed_text(r, project, review), project=project
        )
        return None
    return project


async def _wait_at(exchange: Exchange, review: Review, step: int) -> None:
    data = {
        "review_id": review.id,
        "project_id": review.project_id,
        "step": step,
        "size": len(review.statements),
    }
    await set_state(
        exchange.session, exchange.contributor.id, WAITING, data, review.closes_at, exchange.now
    )


async def record_answer(exchange: Exchange, effect: AnswerReview) -> None:
    """Keep a rating (or a skip) and send the next statement, or, after the last, keep
    their words and thank them."""
    session, person = exchange.session, exchange.contributor
    review = await session.get(Review, effect.review_id)
    project = await _open_round(exchange, review)
    if project is None or review is None:
        return
    size = len(review.statements)
    as_lead = await is_lead(session, project.id, person.id)
    channel = exchange.point.channel
    if effect.step > size:
        if effect.words:
            await record_review_comment(
                session,
                review,
                contributor_id=person.id,
                text=effect.words,
                is_named=person.named_in_comments,
                as_lead=as_lead,
                channel=channel,
                now=exchange.now,
            )
        await clear_state(session, person.id)
        await exchange.reply(
            "review-thanks", lambda r: thanks_text(r, project, review), project=project
        )
        return
    await record_rating(
        session,
        review,
        contributor_id=person.id,
        statement=effect.step,
        rating=effect.rating,
        as_lead=as_lead,
        channel=channel,
        now=exchange.now,
    )
    await _wait_at(exchange, review, effect.step + 1)
    if effect.step < size:
        await exchange.reply(
            "review-statement",
            lambda r: statement_text(r, review, effect.step + 1),
            project=project,
        )
        return
    named = person.named_in_comments
    await exchange.reply(
        "review-last", lambda r: last_question_text(r, project, named), project=project
    )


async def ask_again(exchange: Exchange, effect: AskReviewAgain) -> None:
    """The statement once more, after something that was no rating."""
    review = await exchange.session.get(Review, effect.review_id)
    project = await _open_round(exchange, review)
    if project is None or review is None:
        return
    await exchange.reply(
        "review-again", lambda r: again_text(r, review, effect.step), project=project
    )


async def restart(exchange: Exchange, effect: RestartReview) -> None:
    """REVIEW CODE: the latest round again from its first statement."""
    project = await exchange.session.get(Project, effect.project_id)
    assert project is not None  # the id comes from the situation loaded in this transaction
    review = await latest_review(exchange.session, project.id)
    if review is None:
        await exchange.reply(
            "no-review", lambda r: Message(no_review_text(r.t, project.code)), project=project
        )
        return
    if await _open_round(exchange, review) is None:
        return
    await _wait_at(exchange, review, 1)

    def again(reader: Reader) -> Message:
        first = reader.t.gettext("Here is the {code} review again, from the start.").format(
            code=project.code
        )
        return statement_text(reader, review, 1, first)

    await exchange.reply("review-statement", again, project=project)
