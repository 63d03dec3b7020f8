"""A broadcast reads its members a page at a time: nobody is missed or counted twice at the
page edges, the excluded and the stopped are left out, and the rows are written for all."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from flows.outbound import Message, send_to_members
from storage.db import create_engine, session_factory, transaction
from storage.memberships import addressee_pages
from storage.models import ContactPoint, Membership, OutboxRow
from storage.projects import find_project
from tests.broadcast_kit import add_members
from tests.helpers import upgrade_database


async def test_pages_cover_every_member_once_and_leave_out_the_excluded(database_url) -> None:
    await upgrade_database(database_url)
    await add_members(database_url, 7)
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            project = await find_project(session, "BIG")
            ids = sorted(
                (
                    await session.scalars(
                        select(Membership.contributor_id).where(Membership.project_id == project.id)
                    )
                ).all()
            )
            assert len(ids) >= 7
            # One member stopped their only address: they stay a member but cannot be reached.
            await session.execute(
                update(ContactPoint)
                .where(ContactPoint.contributor_id == ids[3])
                .values(opted_out_at=datetime.now(UTC))
            )
            pages = [
                [person.id for person in page]
                async for page in addressee_pages(session, project.id, exclude=[ids[0]], size=2)
            ]
            assert all(len(page) == 2 for page in pages[:-1]) and 1 <= len(pages[-1]) <= 2
            assert [cid for page in pages for cid in page] == ids[1:]

            reached = await send_to_members(
                session,
                project,
                kind="test",
                render=lambda reader: Message(f"Hello in {reader.language} by {reader.channel}"),
                now=datetime.now(UTC),
                exclude=[ids[0]],
            )
            assert reached == len(ids) - 2
            rows = (
                await session.execute(
                    select(OutboxRow.contributor_id, OutboxRow.channel, OutboxRow.body)
                )
            ).all()
        assert sorted(row.contributor_id for row in rows) == sorted(set(ids[1:]) - {ids[3]})
        for row in rows:
            assert row.body == f"Hello in en by {row.channel}"
    finally:
        await engine.dispose()
