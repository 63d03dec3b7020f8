"""Roles (issue 8): the lead words (ASK, ANSWER, EXTEND, RESPOND) over every channel, and the
command line's lead actions, are refused for anyone who does not lead the project now. A
refusal is one plain answer to the sender and changes nothing: no row, no broadcast, no
audit entry. Each refusal is followed by the lead's own words, which do change the project,
so a test cannot pass because the words would have failed anyway."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from channels.base import ChannelName
from flows.closing import close_project
from flows.i18n import translator
from flows.responses import no_such_comment
from flows.texts import unknown_sender_text
from flows.windows import open_comment_window
from storage.db import transaction
from storage.erasure import erase_contributor
from storage.memberships import join, leave, membership
from storage.models import (
    Answer,
    AuditEntry,
    BriefVersion,
    Comment,
    CommentWindow,
    Contributor,
    Meeting,
    Membership,
    MembershipStatus,
    OutboxRow,
    Project,
    Question,
    QuestionResponse,
    ScheduledJob,
    WindowExtension,
)
from storage.projects import find_project
from storage.reply_tokens import token_for
from tests.helpers import add_person, add_project
from tests.test_cli import coproduce

SMS, EMAIL, TELEGRAM = ChannelName.SMS, ChannelName.EMAIL, ChannelName.TELEGRAM
REFUSED = "Only the leads of CARE1 can do that. Nothing has changed."
# Everything a lead action could add or change.
RECORD = (Project, Membership, Question, Answer, QuestionResponse, Comment, CommentWindow)
RECORD += (WindowExtension, Meeting, BriefVersion, ScheduledJob, AuditEntry)
# What the sender of refused words may be sent; any other message queued is a change.
ANSWERS_TO_SENDER = ("refused", "unknown-sender", "no-such-project", "no-such-question")
ANSWERS_TO_SENDER += ("no-such-comment", "not-in-project", "not-understood")

# The people a test is about: how each stands towards CARE1, and their name.
WHO = {
    "member": ("a member who does not lead CARE1", "Mo"),
    "other-lead": ("the lead of CARE2, who is not in CARE1", "Oli"),
    "other-lead-member": ("the lead of CARE2, who is a member of CARE1", "Ola"),
    "left": ("a lead of CARE1 who has left it", "Les"),
    "invited": ("a lead of CARE1 who is only invited", "Ivy"),
    "stopped": ("a lead of CARE1 who sent STOP on that channel", "Stu"),
    "erased": ("a lead of CARE1 who was erased", "Eve"),
}
LEADS_OF_CARE1 = {"left", "invited", "stopped", "erased"}
MEMBERS_OF_CARE1 = {"member", "other-lead-member"}
LEADS_OF_CARE2 = {"other-lead", "other-lead-member"}


@dataclass
class Person:
    contributor: Contributor
    addresses: dict[ChannelName, str]
    token: str = ""  # the reply token of the emails they are sent

    @property
    def id(self) -> int:
        return self.contributor.id


@dataclass
class Care1:
    lead: Person
    ann: Person  # a member, who has asked the leads a question and commented
    them: dict[str, Person]
    question: int  # Ann's question to the leads
    comment: int  # Ann's comment


async def person(bot, name: str, n: int) -> Person:  # type: ignore[no-untyped-def]
    addresses = {TELEGRAM: f"50{n:02}", SMS: f"+4477009001{n:02}", EMAIL: f"{name.lower()}@ex.org"}
    found = await add_person(
        bot.sessions,
        name,
        telegram=addresses[TELEGRAM],
        phone=addresses[SMS],
        email=addresses[EMAIL],
    )
    return Person(found, addresses)


async def care1(bot, whos: list[str], *, comments_open: bool = True) -> Care1:  # type: ignore[no-untyped-def]
    """CARE1, led by Lee, where Ann has asked the leads a question and commented; and one
    person for each of ``whos``, placed as its name says."""
    lee, ann = await person(bot, "Lee", 1), await person(bot, "Ann", 2)
    them = {who: await person(bot, WHO[who][1], n) for n, who in enumerate(whos, start=3)}
    leads = [lee.contributor] + [them[w].contributor for w in whos if w in LEADS_OF_CARE1]
    members = [ann.contributor] + [them[w].contributor for w in whos if w in MEMBERS_OF_CARE1]
    project = await add_project(bot.sessions, "CARE1", leads=leads, members=members)
    other_leads = [them[w].contributor for w in whos if w in LEADS_OF_CARE2]
    care2 = await add_project(bot.sessions, "CARE2", leads=other_leads) if other_leads else None
    now = bot.clock.now()
    async with transaction(bot.sessions) as session:
        for contributor in members:
            await join(session, project, contributor.id, now, "test")
        if comments_open:
            await open_comment_window(session, project, now=now)
        for each in (lee, ann):
            each.token = await token_for(session, each.id, project.id, now)
        for who, them_ in them.items():
            theirs = care2 if care2 and who in LEADS_OF_CARE2 else project
            them_.token = await token_for(session, them_.id, theirs.id, now)
    await bot.send_in(SMS, ann.addresses[SMS], "QUESTION CARE1 Who pays for the taxis?")
    await bot.send_in(SMS, ann.addresses[SMS], "COMMENT CARE1 More visits at weekends, please.")
    async with transaction(bot.sessions) as session:
        if "left" in them:
            found = await membership(session, project.id, them["left"].id)
            await leave(session, found, None, now, "test")
        if "invited" in them:
            found = await membership(session, project.id, them["invited"].id)
            found.status = MembershipStatus.INVITED
        if "erased" in them:
            await erase_contributor(session, them["erased"].id, actor="test", now=now)
        question = await session.scalar(select(Question.id))
        comment = await session.scalar(select(Comment.id))
    await bot.delivered()
    assert question and comment
    return Care1(lee, ann, them, question, comment)


async def send(bot, sender: Person, channel: ChannelName, words: str) -> None:  # type: ignore[no-untyped-def]
    token = sender.token if channel == EMAIL else None
    await bot.send_in(channel, sender.addresses[channel], words, token=token)


async def record(bot) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def,type-arg]
    """Every row a lead action could add or change, and every message queued but the answers
    to the sender of refused words."""
    found: dict[str, list[tuple]] = {}  # type: ignore[type-arg]
    async with bot.sessions() as session:
        for model in RECORD:
            table = model.__table__
            rows = await session.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [tuple(row) for row in rows]
        queued = await session.execute(
            select(OutboxRow.id, OutboxRow.kind, OutboxRow.contact_point_id)
            .where(OutboxRow.kind.not_in(ANSWERS_TO_SENDER))
            .order_by(OutboxRow.id)
        )
        found["outbox"] = [tuple(row) for row in queued]
    return found


# Over the channels

LEAD_WORDS = {
    "ASK": "ASK CARE1 Shall we meet at the pub?",
    "ANSWER": "ANSWER {question} Nobody pays for them.",
    "EXTEND": "EXTEND CARE1 2026-12-05 More time, please.",
    "RESPOND": "RESPOND {comment} adopted We will do it.",
}
CHANNELS = (SMS, TELEGRAM, EMAIL)
CASES = [(who, word, channel) for who in WHO for word in LEAD_WORDS for channel in CHANNELS]


def answer_to(who: str, channel: ChannelName, address: str) -> list[str]:
    """Refused, as plainly as to anyone; silence after STOP; an erased person is a stranger
    (and mail from a stranger is never answered)."""
    if who == "stopped" or (who == "erased" and channel == EMAIL):
        return []
    if who == "erased":
        return [unknown_sender_text(translator("en"), channel, address)]
    return [REFUSED]


@pytest.mark.parametrize(
    ("who", "word", "channel"),
    CASES,
    ids=[f"{WHO[who][0]} sends {word} by {channel.value}" for who, word, channel in CASES],
)
async def test_lead_words_from_someone_who_does_not_lead_care1_are_refused_and_change_nothing(
    bot, who: str, word: str, channel: ChannelName
) -> None:
    project = await care1(bot, [who])
    sender = project.them[who]
    words = LEAD_WORDS[word].format(question=project.question, comment=project.comment)
    if who == "stopped":
        await send(bot, sender, channel, "STOP")
        await bot.delivered()
    before = await record(bot)
    await send(bot, sender, channel, words)
    assert await record(bot) == before
    address = sender.addresses[channel]
    assert [(m.address, m.body) for m in await bot.delivered()] == [
        (address, body) for body in answer_to(who, channel, address)
    ]
    await send(bot, project.lead, channel, words)
    assert await record(bot) != before, "the lead's same words should have changed CARE1"
    await bot.delivered()


NO_NOPE = "We cannot find a project called NOPE. Please check the code."
MISSING = {
    "ASK NOPE Shall we meet?": NO_NOPE,
    "EXTEND NOPE 2026-12-05 More time": NO_NOPE,
    "ANSWER 999 Yes": "We cannot find question 999.",
    "RESPOND 999 adopted Yes": no_such_comment(translator("en"), "999"),
}


@pytest.mark.parametrize("channel", CHANNELS, ids=[f"by {c.value}" for c in CHANNELS])
async def test_lead_words_naming_a_project_or_number_that_does_not_exist_change_nothing(
    bot, channel: ChannelName
) -> None:
    project = await care1(bot, [])
    before = await record(bot)
    for words, answer in MISSING.items():
        await send(bot, project.lead, channel, words)
        assert [m.body for m in await bot.delivered()] == [answer], words
    assert await record(bot) == before


@pytest.mark.parametrize("channel", CHANNELS, ids=[f"by {c.value}" for c in CHANNELS])
async def test_a_member_who_left_after_a_leads_question_can_no_longer_answer_it(
    bot, channel: ChannelName
) -> None:
    project = await care1(bot, ["member"])
    mo, ann = project.them["member"], project.ann
    await send(bot, project.lead, TELEGRAM, "ASK CARE1 Which evening suits you?")
    await send(bot, mo, channel, "LEAVE CARE1")
    await bot.delivered()
    before = await record(bot)
    await send(bot, mo, channel, "Tuesdays are best")  # a plain reply, in the week it counts
    assert await record(bot) == before
    [answer] = await bot.delivered()
    assert answer.body.startswith("Sorry, we did not understand that.")
    await send(bot, ann, channel, "Tuesdays are best")
    assert await record(bot) != before, "a member's same reply should have been kept"
    await bot.delivered()


# On the command line

BRIEF = "Home care\n\nWe want fairer visits."
CLI_COMMANDS = {
    "brief publish": ("brief", "publish", "CARE1", "--file", "brief.md"),
    "meeting add": ("meeting", "add", "CARE1", "--at", "2099-01-15 18:00"),
    "window open": ("window", "open", "CARE1"),
    "window extend": (
        *("window", "extend", "CARE1", "--until", "2099-01-01 12:00"),
        *("--reason", "More time"),
    ),
    "question ask": ("question", "ask", "CARE1", "Would evenings suit you?"),
    "question answer": ("question", "answer", "{question}", "The council pays."),
    "comment respond": (
        *("comment", "respond", "{comment}", "--status", "adopted"),
        *("--reason", "We will."),
    ),
    "project close": ("project", "close", "CARE1", "--review-on", "2099-06-01"),
    "project reopen": ("project", "reopen", "CARE1", "--reason", "One more meeting"),
}
NOT_LEADS = ["member", "other-lead", "other-lead-member", "left", "invited", "erased"]


async def cli(bot, monkeypatch, *args: str):  # type: ignore[no-untyped-def]
    """Run ``coproduce`` on the bot's database, in a thread as a separate command would."""
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", bot.services.settings.database_url)
    return await asyncio.to_thread(coproduce, *args)


def refusal(who: str, reference: str) -> str:
    if who in ("erased", "nobody"):
        return f"Error: no contributor {reference}"  # the erased as if they had never been
    return f"Error: {reference} is not a lead of CARE1"


@pytest.fixture
def brief_file() -> None:
    Path("brief.md").write_text(BRIEF, encoding="utf-8")


@pytest.mark.parametrize("command", CLI_COMMANDS, ids=[f"{c} --by" for c in CLI_COMMANDS])
async def test_a_command_line_action_by_someone_who_does_not_lead_care1_is_refused(
    bot, monkeypatch, brief_file, command: str
) -> None:
    # The command line works in real time; the project is made at the same time.
    bot.clock.advance(seconds=(datetime.now(UTC) - bot.clock.now()).total_seconds())
    project = await care1(bot, NOT_LEADS, comments_open=command == "window extend")
    if command == "project reopen":
        async with transaction(bot.sessions) as session:
            care = await find_project(session, "CARE1")
            await close_project(session, care, review_on=date(2099, 6, 1), now=bot.clock.now())
        await bot.delivered()
    args = [
        a.format(question=project.question, comment=project.comment) for a in CLI_COMMANDS[command]
    ]
    before = await record(bot)
    tries = [(who, str(project.them[who].id)) for who in NOT_LEADS]
    tries += [("member", project.them["member"].addresses[EMAIL]), ("nobody", "999")]
    for who, reference in tries:
        result = await cli(bot, monkeypatch, *args, "--by", reference)
        assert (result.exit_code, result.stderr.strip()) == (1, refusal(who, reference)), who
        assert await record(bot) == before, f"--by {reference} ({who}) changed CARE1"
    done = await cli(bot, monkeypatch, *args, "--by", str(project.lead.id))
    assert done.exit_code == 0, done.output
    assert await record(bot) != before
    bot.clock.advance(days=400)  # the command line queued its messages in real time
    await bot.delivered()
