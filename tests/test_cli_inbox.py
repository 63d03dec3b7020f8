"""``coproduce inbox CODE [--unhandled]``: what members sent, when, who (as far as the lead
may see) and what the service did with it; a note sent just after joining is kept for the
leads and shown as waiting for them until a lead replies."""

from __future__ import annotations

import json

from bot.cli.common import listed_time
from channels.base import ChannelName
from flows import lead_actions
from flows.lead_actions import Actor
from storage.db import transaction
from storage.leads import add_lead
from storage.memberships import join
from storage.models import InboundMessageRow, LeadKind
from storage.projects import find_project
from tests.helpers import add_person, add_project
from tests.test_lead_words import heard
from tests.test_responses import cli, sent_after_cli

SMS = ChannelName.SMS
ANN = "+447700900001"
NOTE = "I am 82 and my eyes are not good"
KEPT = (
    "Thank you. We have passed your message to the leads. If it is an interest to declare, "
    "send DECLARE and your words. If you have none, send NONE."
)


async def care1_where_ann_joins_and_writes(bot) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """CARE1: Lee leads from the team, Jo as a contributor. Ann joins by text and at once
    writes a note; once comments open she comments and asks a question. Returns the
    numbers of her messages."""
    lee = await add_person(bot.sessions, "Lee Staff", email="lee@council.example")
    jo = await add_person(bot.sessions, "Jo Joint", email="jo@example.org")
    ann = await add_person(bot.sessions, "Ann Member", phone=ANN)
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[ann, jo])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, jo.id, bot.clock.now(), "test")
        await add_lead(session, project, jo, LeadKind.CONTRIBUTOR, now=bot.clock.now(), actor="t")
    numbers = {"join": await bot.send_in(SMS, ANN, "JOIN CARE1")}
    await heard(bot)
    bot.clock.advance(minutes=2)
    numbers["note"] = await bot.send_in(SMS, ANN, NOTE)
    assert (await heard(bot))[ANN] == [KEPT]
    async with transaction(bot.sessions) as session:
        await lead_actions.open_window(session, Actor("test"), "CARE1", days=7, now=bot.clock.now())
    await heard(bot)
    bot.clock.advance(minutes=2)
    numbers["comment"] = await bot.send_in(SMS, ANN, "The buses are late.")
    numbers["question"] = await bot.send_in(SMS, ANN, "QUESTION Who pays for the taxis?")
    await heard(bot)
    return {name: int(number or 0) for name, number in numbers.items()}


async def test_the_inbox_says_when_who_what_and_what_was_done(bot, monkeypatch) -> None:
    sent = await care1_where_ann_joins_and_writes(bot)
    result = await cli(bot, monkeypatch, "inbox", "CARE1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{sent['question']}  ")
    assert lines[0].endswith("  Ann Member (sms)")
    assert lines[1:3] == ["    QUESTION Who pays for the taxis?", "    -> question 1"]
    assert lines[4:6] == ["    The buses are late.", "    -> comment 1"]
    assert lines[6:9] == [
        f"{sent['note']}  {await received(bot, sent['note'])}  Ann Member (sms)",
        f"    {NOTE}",
        "    -> passed to the leads: sent while we waited for a declaration; "
        "nobody has replied yet",
    ]
    assert lines[10:] == ["    JOIN CARE1", "    -> JOIN: joined the project"]
    assert result.stdout == (await cli(bot, monkeypatch, "inbox", "list", "CARE1")).stdout


async def received(bot, number: int) -> str:  # type: ignore[no-untyped-def]
    """When message ``number`` came, as the list shows it."""
    async with bot.sessions() as session:
        row = await session.get(InboundMessageRow, number)
        assert row is not None
        return listed_time(row.received_at, "Europe/London")


async def test_unhandled_shows_only_what_waits_for_a_lead_until_a_lead_replies(
    bot, monkeypatch
) -> None:
    sent = await care1_where_ann_joins_and_writes(bot)
    waiting = await cli(bot, monkeypatch, "inbox", "CARE1", "--unhandled", "--json")
    [line] = json.loads(waiting.stdout)
    assert (line["number"], line["text"], line["outcome"]) == (
        sent["note"],
        NOTE,
        "note-on-joining",
    )
    assert (line["unhandled"], line["lead_replied"]) == (True, False)
    replied = await cli(
        bot, monkeypatch, "inbox", "reply", "CARE1", str(sent["note"]), "Thank you, Ann."
    )
    assert replied.exit_code == 0, replied.output
    [reply] = await sent_after_cli(bot)
    assert (reply.address, reply.body) == (
        ANN,
        "A message from the leads of CARE1: Thank you, Ann.",
    )
    after = await cli(bot, monkeypatch, "inbox", "list", "CARE1", "--unhandled")
    assert after.stdout.strip() == "Nothing waits for a lead."
    everything = (await cli(bot, monkeypatch, "inbox", "CARE1")).stdout
    assert "-> passed to the leads: sent while we waited for a declaration; a lead replied" in (
        everything
    )


async def test_a_contributor_lead_sees_no_anonymous_author_nor_a_note_on_joining(
    bot, monkeypatch
) -> None:
    sent = await care1_where_ann_joins_and_writes(bot)
    result = await cli(bot, monkeypatch, "inbox", "CARE1", "--by", "jo@example.org", "--json")
    seen = {line["number"]: (line["from"], line["text"]) for line in json.loads(result.stdout)}
    assert seen[sent["comment"]] == (None, "The buses are late.")
    assert seen[sent["question"]] == (None, "QUESTION Who pays for the taxis?")
    assert seen[sent["note"]] == ("Ann Member", None)
    listed = await cli(bot, monkeypatch, "inbox", "CARE1", "--unhandled", "--by", "2")
    assert listed.stdout.splitlines()[1:] == [
        "    (not yours to read)",
        "    -> passed to the leads: sent while we waited for a declaration; "
        "nobody has replied yet",
    ]


async def test_a_note_after_joining_is_no_declaration_and_declaring_still_works(bot) -> None:
    await care1_where_ann_joins_and_writes(bot)
    await bot.send_in(SMS, ANN, "NONE")
    [said] = (await heard(bot))[ANN]
    assert said.startswith("Thank you. We have noted that you have nothing to declare for CARE1.")
