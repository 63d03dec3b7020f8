"""One big project for the workspace benchmark, written in bulk: members (tests/broadcast_kit),
then a brief sent to every one of them, a meeting and an open comment window, comments in
every check and response state, questions with answers and replies, messages the members
sent with what became of them, and a long audit log.

Rows are inserted straight into the tables, many at a time, never through the flows: only the
reading is measured, and the flows would take minutes to make this much.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import create_engine, is_sqlite, session_factory, transaction
from storage.models import (
    Answer,
    AuditEntry,
    BriefVersion,
    CheckState,
    Comment,
    CommentWindow,
    ContactPoint,
    Declaration,
    InboundMessageRow,
    InboundStatus,
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
    QuestionResponse,
    ResponseStatus,
    Sharing,
    WindowExtension,
)
from tests.broadcast_kit import add_members

CODE = "BIG"
CHUNK = 2000
SAID = (
    "the bus stops before the clinic opens so I wait outside in the rain for an hour "
    "my mum needs the lift to work and the leaflet was too small to read please think "
    "about evenings because I work days and the library is the only warm place we have"
)
WORDS = SAID.split()
RESPONSES = (
    ResponseStatus.ADOPTED,
    ResponseStatus.PARTLY_ADOPTED,
    ResponseStatus.NOT_ADOPTED,
    ResponseStatus.UNDER_REVIEW,
)


@dataclass(frozen=True)
class Sizes:
    people: int
    comments: int
    questions: int
    inbound: int
    audit: int


@dataclass(frozen=True)
class Built:
    lead_id: int
    comment_id: int  # one comment to open on its own page


def words(rng: random.Random, least: int, most: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(least, most))).capitalize()


async def build_project(database_url: str, sizes: Sizes, now: datetime) -> Built:
    """The project ``BIG``, led from the team by its first contributor (who signs in) and by
    one member as a contributor lead, checked before sharing."""
    await add_members(database_url, sizes.people, code=CODE)
    rng = random.Random(7)
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            project_id = await session.scalar(select(Project.id).where(Project.code == CODE))
            lead_id = await session.scalar(
                select(ProjectLead.contributor_id).where(ProjectLead.project_id == project_id)
            )
            assert project_id is not None and lead_id is not None
            await session.execute(
                update(Project).where(Project.id == project_id).values(sharing=Sharing.CHECKED)
            )
            points = (
                await session.execute(
                    select(
                        ContactPoint.id,
                        ContactPoint.contributor_id,
                        ContactPoint.channel,
                        ContactPoint.address,
                    )
                    .join(Membership, Membership.contributor_id == ContactPoint.contributor_id)
                    .where(Membership.project_id == project_id)
                    .order_by(ContactPoint.id)
                )
            ).all()
            await _people(session, project_id, points, rng, now)
            window_id = await _schedule(session, project_id, lead_id, now)
            await _brief_to_everyone(session, project_id, lead_id, points, rng, now)
            inbound = await _messages(session, project_id, points, sizes.inbound, rng, now)
            comment_id = await _comments(
                session, project_id, window_id, lead_id, points, inbound, sizes.comments, rng, now
            )
            await _questions(session, project_id, lead_id, points, sizes.questions, rng, now)
            await _audit(session, project_id, lead_id, sizes.audit, rng, now)
        if not is_sqlite(engine):
            # A project this size has been running a while, and autovacuum has analysed its
            # tables; without statistics the planner takes them for empty (bench/RESULTS.md).
            async with engine.connect() as connection:
                await connection.execute(text("ANALYZE"))
                await connection.commit()
    finally:
        await engine.dispose()
    return Built(lead_id, comment_id)


async def _bulk(session: AsyncSession, model: Any, rows: Iterable[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        await session.execute(insert(model.__table__), chunk)


def _chunks(rows: Iterable[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _people(
    session: AsyncSession, project_id: int, points: list[Any], rng: random.Random, now: datetime
) -> None:
    """A contributor lead; 1 member in 200 left (with a reason), 1 in 200 stopped a channel,
    1 in 100 invited and not joined, 1 in 50 declared."""
    await session.execute(
        insert(ProjectLead.__table__),
        [
            {
                "project_id": project_id,
                "contributor_id": points[1].contributor_id,
                "kind": LeadKind.CONTRIBUTOR,
                "added_at": now - timedelta(days=30),
            }
        ],
    )
    people = [point.contributor_id for point in points[2:]]
    left = people[::200]
    invited = people[1::100]
    await session.execute(
        update(Membership)
        .where(Membership.project_id == project_id, Membership.contributor_id.in_(left))
        .values(status=MembershipStatus.LEFT, left_at=now - timedelta(days=3), leave_reason="Moved")
    )
    await session.execute(
        update(Membership)
        .where(Membership.project_id == project_id, Membership.contributor_id.in_(invited))
        .values(status=MembershipStatus.INVITED, joined_at=None)
    )
    await session.execute(
        update(ContactPoint)
        .where(ContactPoint.id.in_([point.id for point in points[3::200]]))
        .values(opted_out_at=now - timedelta(days=2))
    )
    await _bulk(
        session,
        Declaration,
        (
            {
                "contributor_id": person,
                "project_id": project_id,
                "has_interest": n % 3 == 0,
                "text": words(rng, 4, 10) if n % 3 == 0 else None,
                "declared_at": now - timedelta(days=20, minutes=n),
            }
            for n, person in enumerate(people[5::50])
        ),
    )


async def _schedule(session: AsyncSession, project_id: int, lead_id: int, now: datetime) -> int:
    """A meeting held four days ago, a week of comments after it (extended once), and a
    meeting to come; returns the open window."""
    held = now - timedelta(days=4)
    meeting_id = await session.scalar(
        insert(Meeting)
        .values(
            project_id=project_id, starts_at=held, minutes=90, place="Town hall", created_at=held
        )
        .returning(Meeting.id)
    )
    await session.execute(
        insert(Meeting).values(
            project_id=project_id, starts_at=now + timedelta(days=10), minutes=90, created_at=now
        )
    )
    opens = held + timedelta(minutes=90)
    window_id = await session.scalar(
        insert(CommentWindow)
        .values(
            project_id=project_id,
            meeting_id=meeting_id,
            opens_at=opens,
            closes_at=opens + timedelta(days=9),
            original_closes_at=opens + timedelta(days=7),
        )
        .returning(CommentWindow.id)
    )
    assert window_id is not None
    await session.execute(
        insert(WindowExtension).values(
            window_id=window_id,
            previous_closes_at=opens + timedelta(days=7),
            new_closes_at=opens + timedelta(days=9),
            reason="Many asked for more time",
            extended_by=lead_id,
            extended_at=now - timedelta(days=1),
        )
    )
    return window_id


async def _brief_to_everyone(
    session: AsyncSession,
    project_id: int,
    lead_id: int,
    points: list[Any],
    rng: random.Random,
    now: datetime,
) -> None:
    """Version 1 of the brief, sent to every member: 2% failed, 1% undelivered."""
    published = now - timedelta(days=12)
    await session.execute(
        insert(BriefVersion).values(
            project_id=project_id,
            version=1,
            text=words(rng, 200, 300),
            summary=words(rng, 10, 20),
            alt_formats={},
            published_at=published,
            published_by=lead_id,
        )
    )
    statuses = [OutboxStatus.DELIVERED] * 97 + [OutboxStatus.FAILED] * 2
    statuses.append(OutboxStatus.UNDELIVERED)
    await _bulk(
        session,
        OutboxRow,
        (
            _outbox(point, project_id, "brief", statuses[n % 100], published)
            for n, point in enumerate(points)
        ),
    )


def _outbox(
    point: Any, project_id: int, kind: str, status: OutboxStatus, at: datetime, **more: Any
) -> dict[str, Any]:
    return {
        "contact_point_id": point.id,
        "channel": point.channel,
        "contributor_id": point.contributor_id,
        "project_id": project_id,
        "kind": kind,
        "language": "en",
        "body": "Thank you",
        "choices": [],
        "status": status,
        "attempts": 1,
        "parts_sent": 0,
        "created_at": at,
        "next_attempt_at": at,
        "sent_at": at if status != OutboxStatus.FAILED else None,
        "reply_to_inbound_id": None,
        **more,
    }


# What became of the messages members sent, in turn (the first becomes a comment).
MESSAGE_KINDS = ("comment-thanks",) * 6 + ("question-thanks", "not-understood", "joined", None)


async def _messages(
    session: AsyncSession,
    project_id: int,
    points: list[Any],
    count: int,
    rng: random.Random,
    now: datetime,
) -> list[int]:
    """``count`` messages from members in the last days, each answered as its kind says (a
    few are not handled yet); returns the ids of those that became comments."""
    start = now - timedelta(days=3)
    rows = []
    kinds = []
    for n in range(count):
        point = points[2 + (n * 37) % (len(points) - 2)]
        at = start + timedelta(minutes=5 * n)
        waiting = n % 50 == 49
        rows.append(
            {
                "channel": point.channel,
                "provider_id": f"bench-{n}",
                "sender": point.address,
                "text": words(rng, 5, 40),
                "attachments": 0,
                "sender_verified": True,
                "received_at": at,
                "stored_at": at,
                "status": InboundStatus.NEW if waiting else InboundStatus.PROCESSED,
                "attempts": 0 if waiting else 1,
                "processed_at": None if waiting else at,
                "contact_point_id": None if waiting else point.id,
            }
        )
        kinds.append((point, None if waiting else MESSAGE_KINDS[n % len(MESSAGE_KINDS)], at))
    ids = []
    for chunk in _chunks(rows):
        ids += list(
            await session.scalars(
                insert(InboundMessageRow).returning(
                    InboundMessageRow.id, sort_by_parameter_order=True
                ),
                chunk,
            )
        )
    await _bulk(
        session,
        OutboxRow,
        (
            _outbox(point, project_id, kind, OutboxStatus.DELIVERED, at, reply_to_inbound_id=i)
            for i, (point, kind, at) in zip(ids, kinds, strict=True)
            if kind is not None
        ),
    )
    return [i for i, (_, kind, _) in zip(ids, kinds, strict=True) if kind == "comment-thanks"]


async def _comments(
    session: AsyncSession,
    project_id: int,
    window_id: int,
    lead_id: int,
    points: list[Any],
    inbound: list[int],
    count: int,
    rng: random.Random,
    now: datetime,
) -> int:
    """``count`` comments, the newest from the messages above. Of every 20: 3 waiting for a
    check (one flagged), 1 hidden, 1 withdrawn, 1 shared as a lead redacted it, 14 shared;
    half of those shared have a response, one in four of them still under review."""
    start = now - timedelta(days=3)
    from_messages = dict(enumerate(inbound, start=count - len(inbound)))

    def row(n: int) -> dict[str, Any]:
        point = points[2 + (n * 13) % (len(points) - 2)]
        state = n % 20
        check = CheckState.SHARED
        if state < 3:
            check = CheckState.WAITING
        elif state == 3:
            check = CheckState.HIDDEN
        elif state == 4:
            check = CheckState.WITHDRAWN
        responded = check == CheckState.SHARED and n % 2 == 0
        at = start + timedelta(seconds=50 * n)
        return {
            "project_id": project_id,
            "window_id": window_id,
            "contributor_id": point.contributor_id,
            "channel": point.channel,
            "text": words(rng, 8, 60),
            "received_at": at,
            "is_late": n % 97 == 0,
            "is_named": n % 4 == 0,
            "check_state": check,
            "shared_text": words(rng, 5, 20) if state == 5 else None,
            "flags": ["contact-details"] if state == 0 else [],
            "checked_by": lead_id if check != CheckState.WAITING else None,
            "checked_at": at + timedelta(hours=1) if check != CheckState.WAITING else None,
            "hide_reason": "It names a member of staff" if check == CheckState.HIDDEN else None,
            "response_status": RESPONSES[n // 2 % 4] if responded else None,
            "response_reason": words(rng, 8, 30) if responded else None,
            "responded_at": at + timedelta(hours=5) if responded else None,
            "responded_by": lead_id if responded else None,
            "inbound_message_id": from_messages.get(n),
        }

    await _bulk(session, Comment, (row(n) for n in range(count)))
    return int(await session.scalar(select(Comment.id).order_by(Comment.id.desc()).limit(1)) or 0)


async def _questions(
    session: AsyncSession,
    project_id: int,
    lead_id: int,
    points: list[Any],
    count: int,
    rng: random.Random,
    now: datetime,
) -> None:
    """``count`` questions: of every 10, one the leads asked the group (with 40 replies), the
    rest members' questions to the leads, two thirds of them answered."""
    start = now - timedelta(days=10)
    for n in range(count):
        to_group = n % 10 == 0
        point = points[2 + (n * 53) % (len(points) - 2)]
        at = start + timedelta(hours=3 * n)
        question_id = await session.scalar(
            insert(Question)
            .values(
                project_id=project_id,
                direction=QuestionDirection.TO_GROUP if to_group else QuestionDirection.TO_LEADS,
                asked_by=lead_id if to_group else point.contributor_id,
                text=words(rng, 6, 25) + "?",
                channel=None if to_group else point.channel,
                asked_at=at,
                is_named=n % 3 == 0,
                check_state=CheckState.WAITING if n % 10 == 9 else CheckState.SHARED,
                flags=[],
            )
            .returning(Question.id)
        )
        if to_group:
            await _bulk(
                session,
                QuestionResponse,
                (
                    {
                        "question_id": question_id,
                        "contributor_id": points[
                            2 + (n + r * 101) % (len(points) - 2)
                        ].contributor_id,
                        "text": words(rng, 3, 30),
                        "channel": point.channel,
                        "received_at": at + timedelta(minutes=r),
                        "is_named": r % 5 == 0,
                        "check_state": CheckState.WAITING if r % 8 == 0 else CheckState.SHARED,
                        "flags": [],
                    }
                    for r in range(40)
                ),
            )
        elif n % 3 != 2:
            await session.execute(
                insert(Answer).values(
                    question_id=question_id,
                    text=words(rng, 10, 40),
                    answered_by=lead_id,
                    answered_at=at + timedelta(hours=2),
                    broadcast_at=at + timedelta(hours=2),
                )
            )


AUDIT_ACTIONS = ("approve", "respond", "hide", "redact", "answer", "signed-in", "extend-window")


async def _audit(
    session: AsyncSession,
    project_id: int,
    lead_id: int,
    count: int,
    rng: random.Random,
    now: datetime,
) -> None:
    start = now - timedelta(days=30)
    await _bulk(
        session,
        AuditEntry,
        (
            {
                "at": start + timedelta(minutes=10 * n),
                "actor": f"contributor:{lead_id}" if n % 5 else "cli:operator",
                "action": AUDIT_ACTIONS[n % len(AUDIT_ACTIONS)],
                "project_id": project_id,
                "details": {"comment_id": rng.randint(1, 10_000)},
            }
            for n in range(count)
        ),
    )
