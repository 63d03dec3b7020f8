"""Consent, export, erasure and retention: what a person agreed to, everything held about
them, their data removed on request, and the words of old messages let go."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.cli import app
from bot.worker import purge_expired
from channels.base import ChannelName
from flows.briefs import publish_brief
from flows.questions import answer_question
from flows.windows import open_comment_window
from storage.consents import consents_of
from storage.db import create_engine, session_factory, transaction
from storage.models import (
    Answer,
    AuditEntry,
    Comment,
    ContactPoint,
    Contributor,
    Declaration,
    InboundMessageRow,
    InboundStatus,
    OutboxRow,
    OutboxStatus,
    Question,
    ReplyToken,
)
from storage.outbox import enqueue
from storage.projects import find_project
from tests.helpers import START, add_person, add_project, upgrade_database

SMS, TELEGRAM = ChannelName.SMS, ChannelName.TELEGRAM
ANN, ANN_CHAT, BEA, LEAD = "+447700900001", "7001", "+447700900002", "9001"
ANN_COMMENT = "The visits are too short for my dad"
BEA_COMMENT = "Nobody answers the phone at the office"
DECLARED = "I care for my mum at home"


def coproduce(database_url: str, *args: str, retention: str | None = None):  # type: ignore[no-untyped-def]
    """The command, on the bot's database, in a thread of its own (it runs its own loop)."""
    env = {"COPRODUCE_DATABASE_URL": database_url}
    if retention:
        env["COPRODUCE_RETENTION_DAYS"] = retention
    return CliRunner().invoke(app, list(args), env=env)


async def cli(database_url: str, *args: str):  # type: ignore[no-untyped-def]
    return await asyncio.to_thread(coproduce, database_url, *args)


async def a_project_with_comments(bot):  # type: ignore[no-untyped-def]
    """Ann (SMS and Telegram) and Bea (SMS) joined CARE1, Lee leads it; Ann declared an
    interest and chose to be named; both commented while the window was open."""
    ann = await add_person(bot.sessions, "Ann Jones", phone=ANN, telegram=ANN_CHAT)
    bea = await add_person(bot.sessions, "Bea Smith", phone=BEA)
    lead = await add_person(bot.sessions, "Lee", telegram=LEAD)
    await add_project(bot.sessions, "CARE1", leads=[lead], members=[ann, bea])
    await bot.send_in(SMS, ANN, "JOIN CARE1")
    await bot.send_in(SMS, BEA, "JOIN CARE1")
    await bot.send_in(SMS, ANN, f"DECLARE {DECLARED}")
    await bot.send_in(SMS, BEA, "NONE")
    async with transaction(bot.sessions) as session:
        await open_comment_window(
            session, await find_project(session, "CARE1"), now=bot.clock.now()
        )
    await bot.send_in(SMS, ANN, "NAME ME")
    await bot.send_in(SMS, ANN, ANN_COMMENT)
    await bot.send_in(SMS, BEA, BEA_COMMENT)
    await bot.delivered()
    return ann, bea


async def rows(bot, model, *where):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return (await session.scalars(select(model).where(*where).order_by(model.id))).all()


# Consent


async def test_consent_is_recorded_when_added_joined_stopped_started_named_and_declared(
    bot,
) -> None:
    ann = await add_person(bot.sessions, "Ann Jones", phone=ANN, telegram=ANN_CHAT)
    lead = await add_person(bot.sessions, "Lee", telegram=LEAD)
    await add_project(bot.sessions, "CARE1", leads=[lead], members=[ann])
    for words in ("JOIN CARE1", "DECLARE I help run a care agency", "NAME ME", "ANONYMOUS"):
        await bot.send_in(SMS, ANN, words)
    await bot.send_in(TELEGRAM, ANN_CHAT, "STOP")
    await bot.send_in(TELEGRAM, ANN_CHAT, "START")
    await bot.send_in(SMS, ANN, "NONE")
    await bot.delivered()
    async with bot.sessions() as session:
        consents = await consents_of(session, ann.id)
    assert [(c.topic, c.channel, c.given, c.how) for c in consents] == [
        ("contact", SMS, True, "added by a lead (cli)"),
        ("contact", TELEGRAM, True, "added by a lead (cli)"),
        ("contact", SMS, True, "sms JOIN"),
        ("declarations", None, True, "sms DECLARE"),
        ("named", None, True, "sms NAME ME"),
        ("named", None, False, "sms ANONYMOUS"),
        ("contact", TELEGRAM, False, "telegram STOP"),
        ("contact", TELEGRAM, True, "telegram START"),
        ("declarations", None, True, "sms NONE"),
    ]
    assert all(c.at == bot.clock.now() for c in consents)


def test_people_added_or_imported_by_a_lead_have_consent_to_contact_on_each_channel(
    tmp_path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    added = coproduce(url, "contributor", "add", "Ann", "--email", "ann@example.net")
    assert added.exit_code == 0, added.output
    people = tmp_path / "people.csv"
    people.write_text("name,email,phone\nBo,bo@example.net,07700 900125\n", encoding="utf-8")
    assert coproduce(url, "contributor", "import", str(people)).exit_code == 0

    def consents(contributor_id: str) -> list[tuple[str, str, bool, str]]:
        exported = json.loads(coproduce(url, "contributor", "export", contributor_id).stdout)
        return [(c["topic"], c["channel"], c["given"], c["how"]) for c in exported["consents"]]

    assert consents("1") == [("contact", "email", True, "added by a lead (cli)")]
    assert consents("2") == [
        ("contact", "email", True, "csv import"),
        ("contact", "sms", True, "csv import"),
    ]


# Export


async def test_export_holds_everything_about_the_person_and_nothing_about_another(
    bot, database_url
) -> None:
    ann, _ = await a_project_with_comments(bot)
    await bot.send_in(SMS, ANN, "QUESTION When does the new rota start?")
    async with transaction(bot.sessions) as session:
        [question] = (await session.scalars(select(Question))).all()
        await answer_question(session, question, "In January.", now=bot.clock.now())
    await bot.delivered()

    result = await cli(database_url, "contributor", "export", str(ann.id))
    assert result.exit_code == 0, result.output
    export = json.loads(result.stdout)
    assert list(export) == [
        "format",
        "exported_at",
        "contributor",
        "contact_points",
        "memberships",
        "leads",
        "declarations",
        "comments",
        "questions",
        "replies",
        "poll_answers",
        "review_answers",
        "consents",
        "messages_sent",
        "messages_received",
    ]
    assert export["contributor"]["name"] == "Ann Jones"
    assert export["contributor"]["created_at"] == "2026-11-23T09:00:00+00:00"
    assert [(p["channel"], p["address"]) for p in export["contact_points"]] == [
        ("sms", ANN),
        ("telegram", ANN_CHAT),
    ]
    assert [(m["project"], m["status"]) for m in export["memberships"]] == [("CARE1", "joined")]
    assert [d["text"] for d in export["declarations"]] == [DECLARED]
    assert [(c["text"], c["named"]) for c in export["comments"]] == [(ANN_COMMENT, True)]
    [asked] = export["questions"]
    assert asked["text"] == "When does the new rota start?"
    assert [a["text"] for a in asked["answers"]] == ["In January."]
    assert ("named", True, "sms NAME ME") in [
        (c["topic"], c["given"], c["how"]) for c in export["consents"]
    ]
    kinds = {m["kind"] for m in export["messages_sent"]}
    assert {"joined", "declared", "window-open", "comment-thanks"} <= kinds
    assert all(m["body"] for m in export["messages_sent"])
    received = [m["text"] for m in export["messages_received"]]
    assert received[0] == "JOIN CARE1" and ANN_COMMENT in received

    everything = json.dumps(export)
    assert "Bea" not in everything and BEA not in everything and BEA_COMMENT not in everything
    assert "Lee" not in everything and LEAD not in everything


async def test_export_and_erase_refuse_an_unknown_contributor(bot, database_url) -> None:
    for command in ("export", "erase"):
        result = await cli(database_url, "contributor", command, "99")
        assert result.exit_code == 1
        assert result.stderr.strip() == "Error: no contributor 99"


# Erasure


async def test_erasure_removes_personal_data_and_keeps_comments_anonymous(
    bot, database_url
) -> None:
    ann, _ = await a_project_with_comments(bot)
    # A new brief is queued for everyone, Ann included, and not sent yet.
    async with transaction(bot.sessions) as session:
        await publish_brief(
            session,
            await find_project(session, "CARE1"),
            text="The brief.",
            summary=None,
            note=None,
            alt_formats={},
            now=bot.clock.now(),
        )

    result = await cli(database_url, "contributor", "erase", str(ann.id))
    assert result.exit_code == 0, result.output
    cancelled = await rows(bot, OutboxRow, OutboxRow.status == OutboxStatus.CANCELLED)
    assert cancelled
    assert {(r.contributor_id, r.last_error) for r in cancelled} == {
        (ann.id, "cancelled: contributor erased")
    }
    assert result.stdout.strip() == (
        f"Erased contributor {ann.id}. Their comments stay, from 'a contributor'; "
        f"{len(cancelled)} queued message{'' if len(cancelled) == 1 else 's'} cancelled."
    )

    # The brief reaches the others, never Ann: the messages queued for her were cancelled.
    sent = {m.address for m in await bot.delivered()}
    assert BEA in sent and ANN not in sent and ANN_CHAT not in sent

    [person] = await rows(bot, Contributor, Contributor.id == ann.id)
    assert person.name == "Erased contributor" and person.erased_at is not None
    points = await rows(bot, ContactPoint, ContactPoint.contributor_id == ann.id)
    assert [p.address for p in points] == [f"erased:{p.id}" for p in points]
    assert all(p.opted_out_at is not None for p in points)
    [declaration] = await rows(bot, Declaration, Declaration.contributor_id == ann.id)
    assert declaration.has_interest and declaration.text is None
    from_ann = await rows(
        bot, InboundMessageRow, InboundMessageRow.contact_point_id.in_([p.id for p in points])
    )
    assert from_ann and all(m.text is None and m.sender == "erased" for m in from_ann)
    async with bot.sessions() as session:
        assert (
            await session.scalar(select(ReplyToken).where(ReplyToken.contributor_id == ann.id))
            is None
        )
    to_ann = await rows(bot, OutboxRow, OutboxRow.contributor_id == ann.id)
    assert all(r.body is None for r in to_ann)
    # What the lead was told about her (her name, what she declared) is gone too.
    for row in await rows(bot, OutboxRow, OutboxRow.kind == "lead-notice"):
        assert row.body is None or ("Ann" not in row.body and DECLARED not in row.body)

    [entry] = await rows(bot, AuditEntry, AuditEntry.action == "erase")
    assert entry.details == {"contributor_id": ann.id, "cancelled_messages": len(cancelled)}
    assert entry.actor.startswith("cli")
    # The project's own log shows it too.
    project_log = json.loads((await cli(database_url, "audit", "CARE1", "--json")).stdout)
    assert [e["details"] for e in project_log if e["action"] == "membership.erase"] == [
        {"contributor_id": ann.id}
    ]
    assert "Ann" not in json.dumps(entry.details)

    # Her comment stays in the record, from nobody named, in the list and the digest.
    comments = await rows(bot, Comment)
    assert [c.text for c in comments] == [ANN_COMMENT, BEA_COMMENT]
    listed = json.loads((await cli(database_url, "comment", "list", "CARE1", "--json")).stdout)
    assert [(c["author"], c["text"]) for c in listed] == [(None, ANN_COMMENT), (None, BEA_COMMENT)]
    bot.clock.advance(days=1)
    await bot.services.scheduler.run_due()
    digests = await bot.delivered()
    assert {m.address for m in digests} == {BEA, LEAD}
    for digest in digests:
        assert f"1. A member: {ANN_COMMENT}" in digest.body and "Ann" not in digest.body

    exported = json.loads((await cli(database_url, "contributor", "export", str(ann.id))).stdout)
    assert ANN not in json.dumps(exported) and DECLARED not in json.dumps(exported)

    again = await cli(database_url, "contributor", "erase", str(ann.id))
    assert again.exit_code == 0
    assert again.stdout.strip() == f"Contributor {ann.id} was already erased; nothing changed."
    assert len(await rows(bot, AuditEntry, AuditEntry.action == "erase")) == 1


async def test_a_lead_notice_naming_someone_erased_before_it_went_is_never_sent(
    bot, database_url
) -> None:
    ann, _ = await a_project_with_comments(bot)
    await bot.send_in(SMS, ANN, "LEAVE CARE1 I am moving away")  # the lead's notice waits
    result = await cli(database_url, "contributor", "erase", str(ann.id))
    assert result.exit_code == 0, result.output
    assert await bot.delivered() == []  # neither her "you have left" nor the lead's notice
    notices = await rows(bot, OutboxRow, OutboxRow.kind == "lead-notice")
    waiting = [r for r in notices if r.status == OutboxStatus.CANCELLED]
    assert [(r.body, r.last_error) for r in waiting] == [(None, "cancelled: contributor erased")]
    assert "2 queued messages cancelled" in result.stdout


async def test_an_erased_person_who_writes_again_is_a_stranger(bot, database_url) -> None:
    ann = await add_person(bot.sessions, "Ann Jones", phone=ANN)
    await cli(database_url, "contributor", "erase", str(ann.id))
    await bot.send_in(SMS, ANN, "HELP")
    [answer] = await bot.delivered()
    assert answer.address == ANN and "Ann" not in answer.body
    async with bot.sessions() as session:
        point = await session.scalar(select(ContactPoint).where(ContactPoint.address == ANN))
    assert point is not None and point.contributor_id is None


# Retention


@pytest.mark.parametrize("days", [None, 30], ids=["unset-keeps-everything", "thirty-days"])
async def test_retention_purges_only_old_bodies_and_keeps_comments_and_answers(
    bot, days: int | None
) -> None:
    await a_project_with_comments(bot)
    await bot.send_in(SMS, BEA, "QUESTION Who do I call at night?")
    async with transaction(bot.sessions) as session:
        [question] = (await session.scalars(select(Question))).all()
        await answer_question(session, question, "The night line.", now=bot.clock.now())
    await bot.delivered()
    # One old message still waits to be sent: it keeps its words.
    async with transaction(bot.sessions) as session:
        point = await session.scalar(select(ContactPoint).where(ContactPoint.address == BEA))
        waiting = await enqueue(
            session, contact_point=point, kind="test", body="Later", language="en", now=START
        )
        waiting.next_attempt_at = START + timedelta(days=365)
    bot.clock.advance(days=31)
    await bot.send_in(SMS, BEA, "Thank you")
    await bot.delivered()
    bot.services.settings = bot.services.settings.model_copy(update={"retention_days": days})

    purged = await purge_expired(bot.services)

    inbound = await rows(bot, InboundMessageRow)
    outbox = await rows(bot, OutboxRow)
    if days is None:
        assert purged is None
        assert all(m.text for m in inbound) and all(r.body for r in outbox)
        return
    old_inbound = [m for m in inbound if m.received_at < bot.clock.now()]
    old_done = [r for r in outbox if r.status in (OutboxStatus.SENT, OutboxStatus.DELIVERED)]
    old_done = [r for r in old_done if r.created_at < bot.clock.now()]
    assert purged.inbound == len(old_inbound) and purged.outbound == len(old_done)
    assert all(m.text is None for m in old_inbound)
    assert [m.text for m in inbound if m not in old_inbound] == ["Thank you"]
    assert all(r.body is None for r in old_done)
    waiting = [r for r in outbox if r.status == OutboxStatus.QUEUED]
    assert waiting and all(r.body for r in waiting)
    assert all(r.body for r in outbox if r.created_at == bot.clock.now())
    assert [c.text for c in await rows(bot, Comment)] == [ANN_COMMENT, BEA_COMMENT]
    assert [q.text for q in await rows(bot, Question)] == ["Who do I call at night?"]
    assert [a.text for a in await rows(bot, Answer)] == ["The night line."]
    assert (await purge_expired(bot.services)).total == 0


def test_db_purge_says_how_many_bodies_it_cleared(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    assert coproduce(url, "db", "purge").stdout.strip() == (
        "COPRODUCE_RETENTION_DAYS is not set (or --days), so nothing was purged."
    )

    async def received(days_ago: int) -> None:
        engine = create_engine(url)
        async with transaction(session_factory(engine)) as session:
            at = datetime.now(UTC) - timedelta(days=days_ago)
            session.add(
                InboundMessageRow(
                    channel=SMS,
                    provider_id=f"SM{days_ago}",
                    sender=ANN,
                    text="Hello",
                    received_at=at,
                    status=InboundStatus.PROCESSED,
                )
            )
        await engine.dispose()

    asyncio.run(upgrade_database(url))
    asyncio.run(received(40))
    asyncio.run(received(2))
    result = coproduce(url, "db", "purge", retention="30")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "Purged 1 message bodies older than 30 days (1 received, 0 sent)."
    )
    assert coproduce(url, "db", "purge", "--days", "1").stdout.startswith("Purged 1 ")
