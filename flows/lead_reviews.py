"""The project's review for every way a lead reaches us: a round started, the panel named,
the results read, each checked that the actor leads the project (as
:mod:`flows.lead_actions` does for everything else); and the panel's sign-off over the
channels (REVIEW OK CODE and their words).

The standard asks for a review at completion by the leads with one to three peer leaders:
the panel of a round is every lead of the project and one to three of its members who are
not leads. Each is told, and signs the round off when they agree with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from storage.audit import record_audit
from storage.contributors import find_contributor
from storage.errors import InvalidInput, NotFound
from storage.memberships import membership
from storage.models import Contributor, MembershipStatus, Project, Review
from storage.projects import find_project
from storage.reviews import PanelSeat, latest_review, lead_ids, panel_of, set_panel, sign_off

from . import replies, reviews
from .context import Exchange
from .effects import SignOffReview
from .keywords import Command, keyword_words
from .lead_actions import Actor, led_project
from .outbound import Message, Reader, send_to
from .record_review import ReviewRecord, review_record
from .review_statements import ok_word
from .times import local_time

MOST_PEER_LEADERS = 3


async def start_review(
    session: AsyncSession,
    actor: Actor,
    code: str,
    *,
    now: datetime,
    statements: list[str] | None = None,
    closes: str | None = None,
) -> tuple[Project, Review, int]:
    """``closes`` is 'YYYY-MM-DD HH:MM' in the project's time zone (None: in two weeks);
    ``statements`` the project's own (None: our default set)."""
    project = await led_project(session, actor, code)
    closes_at = local_time(closes, project.time_zone) if closes else None
    review, reached = await reviews.start_review(
        session,
        project,
        now=now,
        statements=statements,
        closes_at=closes_at,
        started_by=actor.contributor_id,
        actor=actor.label,
    )
    return project, review, reached


async def _latest(session: AsyncSession, project: Project) -> Review:
    review = await latest_review(session, project.id)
    if review is None:
        raise InvalidInput(
            f"{project.code} has no review yet; start one first (coproduce review start "
            f"{project.code})"
        )
    return review


async def name_panel(
    session: AsyncSession, actor: Actor, code: str, people: list[str], *, now: datetime
) -> tuple[Project, list[PanelSeat], int]:
    """Name the peer leaders on the panel of the latest round (by id or email); every lead
    is on it too. Those newly on it are told and asked to sign it off. Returns the panel
    and how many were told."""
    project = await led_project(session, actor, code)
    review = await _latest(session, project)
    leads = await lead_ids(session, project.id)
    peers: list[Contributor] = []
    for reference in people:
        person = await find_contributor(session, reference)
        if person.id in leads or person in peers:
            continue  # every lead is on the panel already
        found = await membership(session, project.id, person.id)
        if found is None or found.status != MembershipStatus.JOINED:
            raise InvalidInput(
                f"{person.name} (contributor {person.id}) is not a member of {project.code}; "
                "a peer leader on its review panel must be one"
            )
        peers.append(person)
    if not peers:
        raise InvalidInput(
            f"name one to {MOST_PEER_LEADERS} peer leaders: members of {project.code} who "
            "are not its leads"
        )
    if len(peers) > MOST_PEER_LEADERS:
        raise InvalidInput(
            f"a review panel has one to {MOST_PEER_LEADERS} peer leaders besides the leads; "
            f"{len(peers)} were named"
        )
    seats = [(person, True) for person in leads] + [(person.id, False) for person in peers]
    added = await set_panel(session, review, seats, now)
    told = 0
    newly = await session.scalars(
        select(Contributor)
        .where(Contributor.id.in_(added))
        .options(selectinload(Contributor.contact_points))
        .order_by(Contributor.id)
    )
    for person in newly:
        told += await send_to(
            session,
            person,
            project,
            kind="review-panel",
            render=lambda reader: panel_text(reader, project),
            now=now,
            hold_at_night=True,
        )
    await record_audit(
        session,
        actor=actor.label,
        action="review.panel",
        at=now,
        project_id=project.id,
        details={"review": review.id, "peer_leaders": [p.id for p in peers], "told": told},
    )
    return project, await panel_of(session, review.id), told


async def review_results(
    session: AsyncSession, actor: Actor, code: str, *, now: datetime
) -> ReviewRecord:
    """The latest round as the leads see it."""
    project = await led_project(session, actor, code)
    await _latest(session, project)  # refused, saying how to start one, when there is none
    found = await review_record(session, project, for_leads=True, now=now)
    assert found is not None
    return found


# The panel's messages


def _review_word(reader: Reader) -> str:
    return keyword_words(reader.t)[Command.REVIEW]


def panel_text(reader: Reader, project: Project) -> Message:
    t = reader.t
    parts = [
        t.gettext("You are on the panel for the {code} review.").format(code=project.code),
        t.gettext("The panel looks at what people said and signs the review off."),
        t.gettext("When you agree with it, reply {review} {ok} {code}.").format(
            review=_review_word(reader), ok=ok_word(t), code=project.code
        ),
        t.gettext("You can add your own words after the code."),
    ]
    subject = t.gettext("{title}: the review panel").format(title=project.title)
    return Message(reader.paragraphs(parts), subject=subject)


def signed_text(reader: Reader, project: Project, words: str | None) -> Message:
    t = reader.t
    parts = [
        t.gettext("Thank you. You have signed off the {code} review.").format(code=project.code)
    ]
    if words:
        parts.append(t.gettext("We have kept your words with it."))
    return Message(reader.paragraphs(parts))


def not_on_panel_text(reader: Reader, project: Project) -> Message:
    return Message(
        reader.t.gettext(
            "Thank you, but only the {code} review panel can sign it off. Nothing has changed."
        ).format(code=project.code)
    )


async def sign_off_over_channel(exchange: Exchange, effect: SignOffReview) -> None:
    """REVIEW OK CODE from someone on the panel of the latest round: their sign-off, with
    their words if they gave some. Anyone else is told, politely, that nothing changed."""
    session = exchange.session
    try:
        project = await find_project(session, effect.code)
    except NotFound:
        await exchange.reply(
            "no-such-project", lambda r: Message(replies.no_such_project(r.t, effect.code))
        )
        return
    review = await latest_review(session, project.id)
    if review is None:
        await exchange.reply(
            "no-review",
            lambda r: Message(reviews.no_review_text(r.t, project.code)),
            project=project,
        )
        return
    signed = await sign_off(
        session,
        review.id,
        exchange.contributor.id,
        words=effect.words,
        channel=exchange.point.channel,
        now=exchange.now,
    )
    if not signed:
        await exchange.reply("refused", lambda r: not_on_panel_text(r, project), project=project)
        return
    await record_audit(
        session,
        actor=f"contributor:{exchange.contributor.id}",
        action="review.sign_off",
        at=exchange.now,
        project_id=project.id,
        details={"review": review.id, "words": bool(effect.words)},
    )
    await exchange.reply(
        "review-signed", lambda r: signed_text(r, project, effect.words), project=project
    )
