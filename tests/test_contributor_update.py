"""``coproduce contributor update``: what we hold about a person changes, and what they are
sent changes with it; an old address no longer reaches them; nothing else changes."""

from __future__ import annotations

import json

from sqlalchemy import select

from channels.base import ChannelName
from storage.models import AuditEntry, ContactPoint, Contributor, Membership
from tests.helpers import add_person
from tests.test_access_needs import EASY, publish_to, received
from tests.test_data_rights import cli

SMS, TELEGRAM = ChannelName.SMS, ChannelName.TELEGRAM
OLD, NEW = "+447700900001", "+447700900009"


async def held(bot, person_id: int) -> tuple[Contributor, dict[str, str]]:  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        person = await session.get(Contributor, person_id)
        points = await session.scalars(
            select(ContactPoint).where(ContactPoint.contributor_id == person_id)
        )
        return person, {str(p.channel): p.address for p in points}


async def test_name_language_channel_and_needs_change_and_the_audit_names_only_fields(
    bot, database_url
) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=OLD)
    result = await cli(
        database_url,
        *("contributor", "update", str(ann.id), "--name", "Ann  Jones", "--language", "cy"),
        *("--telegram", "7001", "--channel", "telegram", "--access-needs", "Easy Read, BSL"),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Updated contributor {ann.id}: name, language, access needs, telegram, preferred channel."
    )
    person, points = await held(bot, ann.id)
    assert (person.name, person.language, person.preferred_channel) == ("Ann Jones", "cy", TELEGRAM)
    assert person.access_needs == ["easy-read", "bsl"]
    assert points == {"sms": OLD, "telegram": "7001"}
    async with bot.sessions() as session:
        [entry] = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.action == "contributor.change")
            )
        ).all()
    assert entry.details == {
        "contributor_id": ann.id,
        "changed": ["name", "language", "access needs", "telegram", "preferred channel"],
    }
    assert "Ann" not in json.dumps(entry.details) and "7001" not in json.dumps(entry.details)

    # The same again changes nothing; "none" clears the needs.
    again = await cli(database_url, "contributor", "update", str(ann.id), "--language", "cy")
    assert again.stdout.strip() == (
        f"Contributor {ann.id} already had these details; nothing changed."
    )
    cleared = await cli(
        database_url, "contributor", "update", str(ann.id), "--access-needs", "none", "--json"
    )
    assert json.loads(cleared.stdout) == {
        "id": ann.id,
        "changed": ["access needs"],
        "briefs_lacking": [],
    }
    assert (await held(bot, ann.id))[0].access_needs == []


async def test_a_new_number_replaces_the_old_which_then_reaches_nobody(bot, database_url) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=OLD)
    await publish_to(bot, [ann], {})  # her invitation with the brief waits to be sent
    result = await cli(database_url, "contributor", "update", str(ann.id), "--phone", "07700900009")
    assert result.stdout.strip() == f"Updated contributor {ann.id}: sms."
    assert (await held(bot, ann.id))[1] == {"sms": NEW}
    sent = {m.address: m.body for m in await bot.delivered()}
    assert OLD not in sent and sent[NEW].startswith("CARE1 brief: We want to make home care")

    await bot.send_in(SMS, NEW, "JOIN CARE1")
    joined = [m for m in await bot.delivered() if m.address == NEW]
    assert joined and joined[0].body.startswith("Welcome to CARE1")
    async with bot.sessions() as session:
        membership = await session.scalar(select(Membership))
    assert membership.status == "joined"

    # Whoever has the old number now is a stranger to us: told who we are, and nothing of Ann.
    await bot.send_in(SMS, OLD, "HELP")
    [stranger] = await bot.delivered()
    assert stranger.address == OLD and "Ann" not in stranger.body and "CARE1" not in stranger.body


async def test_someone_elses_address_or_a_channel_without_one_is_refused_and_nothing_changes(
    bot, database_url
) -> None:
    ann = await add_person(bot.sessions, "Ann", phone=OLD)
    bea = await add_person(bot.sessions, "Bea", phone=NEW)
    before = await held(bot, ann.id)
    taken = await cli(
        database_url, "contributor", "update", str(ann.id), "--name", "A", "--phone", NEW
    )
    assert taken.exit_code == 1
    assert taken.stderr.strip() == f"Error: sms {NEW} already belongs to contributor {bea.id}"
    nowhere = await cli(database_url, "contributor", "update", str(ann.id), "--channel", "email")
    assert nowhere.exit_code == 1
    assert nowhere.stderr.strip() == f"Error: there is no email address for contributor {ann.id}"
    unknown = await cli(database_url, "contributor", "update", "999", "--name", "Zed")
    assert (unknown.exit_code, unknown.stderr.strip()) == (1, "Error: no contributor 999")
    after = await held(bot, ann.id)
    assert (after[0].name, after[1]) == (before[0].name, before[1]) == ("Ann", {"sms": OLD})


async def test_a_need_for_a_format_now_reaches_the_next_brief_and_a_gap_is_named(
    bot, database_url
) -> None:
    ann = await add_person(bot.sessions, "Ann", telegram="5001")
    await publish_to(bot, [ann], {"easy-read": EASY})
    await bot.delivered()
    result = await cli(
        database_url, "contributor", "update", str(ann.id), "--access-needs", "easy read, audio"
    )
    assert result.stdout.strip() == f"Updated contributor {ann.id}: access needs."
    assert result.stderr.strip() == (
        "Note: the CARE1 brief has no audio version (add it by publishing again with "
        "--alt audio=URL)"
    )
    await bot.send_in(TELEGRAM, "5001", "BRIEF")
    body = (await received(bot))["5001"].body
    assert body.index(EASY) < body.index("We want to make home care visits fairer")
    assert "The audio version is not ready yet." in body
