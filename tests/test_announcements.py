"""A lead's announcement: their words to the group or to chosen members, introduced in each
reader's language; nobody who left or stopped gets it; quiet hours hold it; a reply to it
is thanked and waits in the leads' inbox; an announcement to nobody changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from channels.base import ChannelName
from flows import lead_talk
from flows.announcements import Announced, Group, read_audience
from flows.i18n import translator
from flows.lead_actions import Actor
from flows.workspace_people import InboxOutcome, project_inbox
from storage.db import transaction
from storage.errors import InvalidInput, NotFound
from storage.memberships import join, leave, membership
from storage.models import AuditEntry, Contributor, LeadKind, OutboxRow
from storage.projects import find_project
from tests.helpers import add_person, add_project
from tests.test_lead_words import heard
from tests.test_responses import cli, sent_after_cli

SMS, TELEGRAM, EMAIL = ChannelName.SMS, ChannelName.TELEGRAM, ChannelName.EMAIL
LEAD = "9001"
ANN = "+447700900001"  # joined, by text
BEA = "5001"  # joined, Welsh, on Telegram
DAN = "dan@example.org"  # invited, not joined
EVE = "+447700900005"  # left
WORDS = "The next meeting moves to the library."
INTRO = "A message from the leads of CARE1:"


@dataclass(frozen=True)
class Care1:
    lee: Contributor
    ann: Contributor
    bea: Contributor
    dan: Contributor
    eve: Contributor


async def care1(bot) -> Care1:  # type: ignore[no-untyped-def]
    """CARE1 led by Lee: Ann and Bea joined, Dan only invited, Eve joined and left."""
    lee = await add_person(bot.sessions, "Lee", telegram=LEAD)
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    bea = await add_person(bot.sessions, "Bea", telegram=BEA, language="cy")
    dan = await add_person(bot.sessions, "Dan", email=DAN)
    eve = await add_person(bot.sessions, "Eve", phone=EVE)
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[ann, bea, dan, eve])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        for person in (ann, bea, eve):
            await join(session, project, person.id, bot.clock.now(), "test")
        found = await membership(session, project.id, eve.id)
        assert found is not None
        await leave(session, found, "Moving away", bot.clock.now(), "test")
    return Care1(lee, ann, bea, dan, eve)


async def announce(bot, to, text: str = WORDS, actor: Actor | None = None) -> Announced:  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        _, announced = await lead_talk.announce(
            session, actor or Actor("test"), "CARE1", to, text, now=bot.clock.now()
        )
        return announced


async def rows_of(bot, kind: str) -> list[OutboxRow]:  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        found = await session.scalars(select(OutboxRow).where(OutboxRow.kind == kind))
        return list(found.all())


def welsh_intro() -> str:
    return translator("cy").gettext("A message from the leads of {code}:").format(code="CARE1")


async def test_an_announcement_to_all_reaches_the_joined_and_the_invited_in_their_language(
    bot,
) -> None:
    await care1(bot)
    announced = await announce(bot, Group.ALL)
    assert (announced.reached, announced.already, announced.held_until) == (4, 0, None)
    got = await heard(bot)
    assert got[ANN] == [f"{INTRO} {WORDS}"]  # one run of sentences by SMS
    assert got[DAN] == [f"{INTRO}\n\n{WORDS}"]
    assert got[BEA] == [f"{welsh_intro()}\n\n{WORDS}"]
    assert welsh_intro() != INTRO
    assert EVE not in got and LEAD in got  # the leads are members too; Eve left


@pytest.mark.parametrize(
    ("group", "addresses"),
    [(Group.JOINED, {ANN, BEA, LEAD}), (Group.INVITED, {DAN})],
    ids=["joined", "invited"],
)
async def test_an_announcement_to_a_group_reaches_only_that_group(
    bot, group: Group, addresses: set[str]
) -> None:
    await care1(bot)
    await announce(bot, group)
    assert set(await heard(bot)) == addresses


async def test_chosen_people_get_it_and_nobody_else(bot) -> None:
    care = await care1(bot)
    announced = await announce(bot, read_audience([f"{care.ann.id},{care.dan.id}"]))
    assert announced.reached == 2
    assert set(await heard(bot)) == {ANN, DAN}


async def test_chosen_people_who_left_or_stopped_are_counted_and_not_sent(bot) -> None:
    care = await care1(bot)
    await bot.send_in(SMS, ANN, "STOP")
    await heard(bot)
    announced = await announce(bot, (care.ann.id, care.bea.id, care.eve.id))
    assert (announced.reached, announced.left, announced.stopped) == (1, 1, 1)
    assert set(await heard(bot)) == {BEA}


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("left", "no one to send it to: 1 has left CARE1; nothing was sent"),
        ("stopped", "no one to send it to: 1 has stopped messages or has no address"),
        ("no one invited", "CARE1 has no invited members we can reach; nothing was sent"),
    ],
    ids=["only-someone-who-left", "only-someone-who-stopped", "an-empty-group"],
)
async def test_an_announcement_to_nobody_is_refused_and_changes_nothing(
    bot, who: str, refusal: str
) -> None:
    care = await care1(bot)
    await bot.send_in(SMS, ANN, "STOP")
    if who == "no one invited":
        async with transaction(bot.sessions) as session:
            await join(
                session, await find_project(session, "CARE1"), care.dan.id, bot.clock.now(), "t"
            )
    await heard(bot)
    to = {"left": (care.eve.id,), "stopped": (care.ann.id,), "no one invited": Group.INVITED}[who]
    with pytest.raises(InvalidInput, match=refusal):
        await announce(bot, to)
    assert await rows_of(bot, "announcement") == []
    async with bot.sessions() as session:
        assert (
            await session.scalar(
                select(AuditEntry.id).where(AuditEntry.action == "message.announce")
            )
            is None
        )


@pytest.mark.parametrize(
    ("to", "text", "error"),
    [
        (Group.ALL, "   ", InvalidInput),
        (Group.ALL, "x" * 1001, InvalidInput),
        ((999,), WORDS, NotFound),
    ],
    ids=["empty", "too-long", "not-a-member"],
)
async def test_empty_or_overlong_words_or_someone_not_in_the_project_are_refused(
    bot, to, text: str, error: type[Exception]
) -> None:
    await care1(bot)
    with pytest.raises(error):
        await announce(bot, to, text)
    assert await rows_of(bot, "announcement") == []


@pytest.mark.parametrize(
    "typed",
    [["all", "3"], ["joined", "invited"], ["everyone"], [""]],
    ids=["group-and-id", "two-groups", "unknown-word", "nothing"],
)
def test_who_it_is_for_must_be_one_group_or_contributor_ids(typed: list[str]) -> None:
    with pytest.raises(InvalidInput):
        read_audience(typed)


def test_who_it_is_for_reads_groups_and_ids_as_typed() -> None:
    assert read_audience(["Joined"]) == Group.JOINED
    assert read_audience(["3", "7,3"]) == (3, 7)


async def test_an_announcement_in_quiet_hours_waits_for_the_morning(bot) -> None:
    await care1(bot)
    bot.clock.advance(hours=13)  # 22:00 in London
    announced = await announce(bot, Group.JOINED)
    assert announced.held_until is not None
    assert announced.held_until.hour == 8
    assert await heard(bot) == {}
    bot.clock.advance(hours=10)
    assert set(await heard(bot)) == {ANN, BEA, LEAD}


async def test_an_announcement_is_audited_under_the_lead_who_sent_it(bot) -> None:
    care = await care1(bot)
    await announce(bot, (care.ann.id,), actor=Actor.lead(care.lee.id))
    await heard(bot)
    async with bot.sessions() as session:
        [entry] = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "message.announce"))
        ).all()
    assert (entry.actor, entry.details) == (
        f"contributor:{care.lee.id}",
        {"to": [care.ann.id], "reached": 1, "already_sent": 0},
    )


async def test_someone_who_is_not_a_lead_of_the_project_cannot_announce(bot) -> None:
    care = await care1(bot)
    with pytest.raises(InvalidInput, match="is not a lead of CARE1"):
        await announce(bot, Group.ALL, actor=Actor.lead(care.ann.id))
    assert await rows_of(bot, "announcement") == []


async def test_a_reply_in_the_next_days_is_thanked_and_waits_in_the_leads_inbox(bot) -> None:
    await care1(bot)
    await announce(bot, Group.ALL)
    await heard(bot)
    bot.clock.advance(days=2)
    await bot.send_in(SMS, ANN, "I will bring my carer next time")
    await bot.send_in(EMAIL, DAN, "I would like to come along", sender_verified=True)
    got = await heard(bot)
    thanks = "Thank you. We have passed your message to the leads."
    assert got == {ANN: [thanks], DAN: [thanks]}
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        lines = await project_inbox(session, project, LeadKind.STAFF, unhandled=True)
    assert [(line.name, line.text, line.outcome) for line in lines] == [
        ("Dan", "I would like to come along", InboxOutcome.PASSED_TO_LEADS),
        ("Ann", "I will bring my carer next time", InboxOutcome.PASSED_TO_LEADS),
    ]


async def test_words_long_after_the_announcement_are_not_taken_for_a_reply(bot) -> None:
    await care1(bot)
    await announce(bot, Group.ALL)
    await heard(bot)
    bot.clock.advance(days=3, minutes=1)
    await bot.send_in(SMS, ANN, "I will bring my carer next time")
    [said] = (await heard(bot))[ANN]
    assert said.startswith("Sorry, we did not understand that.")


async def test_the_command_line_sends_and_says_to_how_many(bot, monkeypatch) -> None:
    care = await care1(bot)
    result = await cli(
        bot, monkeypatch, "message", "send", "CARE1", "--to", "joined", "--text", WORDS
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["Your message is going to 3 people."]
    assert set(m.address for m in await sent_after_cli(bot)) == {ANN, BEA, LEAD}
    chosen = await cli(
        bot,
        monkeypatch,
        *("message", "send", "CARE1", "--to", str(care.ann.id), "--to", str(care.eve.id)),
        *("--text", "Are you still able to come?"),
    )
    assert chosen.stdout.splitlines() == [
        "Your message is going to 1 person.",
        "1 person left the project: not sent.",
    ]
    assert [m.address for m in await sent_after_cli(bot)] == [ANN]


async def test_the_command_line_refuses_an_announcement_to_nobody_in_one_line(
    bot, monkeypatch
) -> None:
    care = await care1(bot)
    result = await cli(
        bot, monkeypatch, "message", "send", "CARE1", "--to", str(care.eve.id), "--text", WORDS
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: no one to send it to: 1 has left CARE1; nothing was sent"
    )
    empty = await cli(bot, monkeypatch, "message", "send", "CARE1", "--to", "all", "--text", " ")
    assert (empty.exit_code, empty.stderr.strip()) == (1, "Error: write the message to send")
    assert await rows_of(bot, "announcement") == []
