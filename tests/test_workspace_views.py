"""What the leads' workspace reads (flows.workspace_views): the cards of the projects a person
leads, a project's people, what its members sent and what became of it, and its audit log,
built from messages that went through the real flows. A lead chosen from the contributors
never learns who wrote an anonymous comment or what anyone declared."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import event, select

from channels.base import ChannelName, PermanentSendError
from flows import lead_actions
from flows.lead_actions import Actor
from flows.workspace_views import (
    InboxOutcome,
    lead_projects,
    project_audit,
    project_inbox,
    project_people,
)
from storage.checks import ItemKind
from storage.db import transaction
from storage.memberships import join
from storage.models import (
    Comment,
    Contributor,
    LeadKind,
    MembershipStatus,
    Question,
    ResponseStatus,
    Sharing,
)
from storage.projects import add_members, find_project
from tests.helpers import add_person, add_project

SMS, TELEGRAM = ChannelName.SMS, ChannelName.TELEGRAM
ANN, BEA, EVE = "+447700900001", "5001", "5002"
OPERATOR = Actor("test")
Out = InboxOutcome


@dataclass(frozen=True)
class Care1:
    """CARE1, checked before sharing: Lee leads from the team and Cal as a contributor (both
    by email); Ann (SMS) and Bea (Telegram) have joined; Dan is invited and has not."""

    lee: Contributor
    cal: Contributor
    ann: Contributor
    bea: Contributor
    dan: Contributor


async def care1(bot, *, comments_open: bool = True) -> Care1:  # type: ignore[no-untyped-def]
    lee = await add_person(bot.sessions, "Lee", email="lee@example.org")
    cal = await add_person(bot.sessions, "Cal", email="cal@example.org")
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    bea = await add_person(bot.sessions, "Bea", telegram=BEA)
    dan = await add_person(bot.sessions, "Dan", email="dan@example.org")
    await add_project(
        bot.sessions, "CARE1", leads=[lee], members=[ann, bea, dan], sharing=Sharing.CHECKED
    )
    await act(
        bot,
        lambda s, now: lead_actions.change_leads(
            s, OPERATOR, "CARE1", str(cal.id), kind=LeadKind.CONTRIBUTOR, now=now
        ),
    )
    await say(bot, SMS, ANN, "JOIN CARE1")
    await say(bot, TELEGRAM, BEA, "JOIN CARE1")
    if comments_open:
        await open_comments(bot)
    await bot.delivered()
    return Care1(lee, cal, ann, bea, dan)


async def act(bot, action):  # type: ignore[no-untyped-def]
    """A lead's action (or the operator's), as the command line or a lead word does it."""
    async with transaction(bot.sessions) as session:
        return await action(session, bot.clock.now())


async def open_comments(bot, code: str = "CARE1") -> None:  # type: ignore[no-untyped-def]
    await act(bot, lambda s, now: lead_actions.open_window(s, OPERATOR, code, days=7, now=now))


async def say(bot, channel: ChannelName, address: str, text: str, **extra) -> int:  # type: ignore[no-untyped-def]
    """A message arrives a minute after the last one and is handled; returns its id."""
    bot.clock.advance(minutes=1)
    inbound_id = await bot.send_in(channel, address, text, **extra)
    assert inbound_id is not None
    return inbound_id


async def the_only(bot, model, **where):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        [found] = (await session.scalars(select(model).filter_by(**where))).all()
        return found


async def cards_of(bot, person: Contributor):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return await lead_projects(session, person.id, bot.clock.now())


async def people_of(bot, viewer: LeadKind = LeadKind.STAFF, code: str = "CARE1"):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return await project_people(session, await find_project(session, code), viewer)


async def inbox_of(bot, viewer: LeadKind = LeadKind.STAFF, code: str = "CARE1", **page):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return await project_inbox(session, await find_project(session, code), viewer, **page)


def seen(lines) -> list[tuple]:  # type: ignore[no-untyped-def, type-arg]
    """Each line as a lead notices it: what became of it, who sent it, what it said."""
    return [(line.outcome, line.name, line.text) for line in lines]


async def test_the_card_counts_what_waits_for_the_leads_and_clears_as_they_act(bot) -> None:
    care = await care1(bot)
    await say(bot, SMS, ANN, "The buses are late.")
    await say(bot, TELEGRAM, BEA, "More seats at the back please.")
    await say(bot, SMS, ANN, "QUESTION Who pays for the taxis?")
    await bot.delivered()

    [card] = await cards_of(bot, care.lee)
    assert (card.code, card.lead_kind, card.days_left) == ("CARE1", LeadKind.STAFF, 7)
    assert card.window_closes_at is not None and card.window_closes_at > bot.clock.now()
    assert (card.waiting_check, card.needing_response, card.unanswered_questions) == (3, 2, 1)
    assert (card.invited_not_joined, card.failed_deliveries) == (1, 0)

    comment = await the_only(bot, Comment, text="The buses are late.")
    question = await the_only(bot, Question)
    lee = Actor.lead(care.lee.id)
    await act(
        bot, lambda s, now: lead_actions.approve(s, lee, ItemKind.COMMENT, comment.id, now=now)
    )
    await act(
        bot, lambda s, now: lead_actions.approve(s, lee, ItemKind.QUESTION, question.id, now=now)
    )
    await act(
        bot,
        lambda s, now: lead_actions.answer_question(s, lee, question.id, "The council.", now=now),
    )
    await act(
        bot,
        lambda s, now: lead_actions.respond_to_comment(
            s, lee, comment.id, ResponseStatus.ADOPTED, "We asked for more.", now=now
        ),
    )
    await bot.delivered()
    bot.clock.advance(days=1, hours=12)

    [card] = await cards_of(bot, care.cal)
    assert (card.lead_kind, card.days_left) == (LeadKind.CONTRIBUTOR, 6)
    assert (card.waiting_check, card.needing_response, card.unanswered_questions) == (1, 1, 0)


async def test_a_card_shows_no_window_when_comments_are_not_open_and_a_member_only_sees_none(
    bot,
) -> None:
    care = await care1(bot, comments_open=False)
    [card] = await cards_of(bot, care.lee)
    assert (card.window_closes_at, card.days_left) == (None, None)
    assert await cards_of(bot, care.ann) == []


async def test_a_message_that_failed_for_good_is_counted_on_the_card_and_against_its_person(
    bot,
) -> None:
    care = await care1(bot, comments_open=False)
    bot.memory[SMS].fail_next.append(PermanentSendError("Twilio 21614: not a mobile number"))
    await open_comments(bot)
    await bot.delivered()

    [card] = await cards_of(bot, care.lee)
    assert card.failed_deliveries == 1
    page = await people_of(bot)
    assert {p.name: p.failed_deliveries for p in page.people}["Ann"] == 1


async def test_people_show_who_left_with_their_reason_a_stopped_channel_and_who_leads(bot) -> None:
    care = await care1(bot)
    await say(bot, TELEGRAM, BEA, "LEAVE CARE1 Too busy at work")
    stopped_at = bot.clock.now() + timedelta(minutes=1)
    await say(bot, SMS, ANN, "STOP")
    await bot.delivered()

    for viewer in LeadKind:
        page = await people_of(bot, viewer)
        assert page.total == 5
        assert [p.name for p in page.people] == ["Ann", "Bea", "Cal", "Dan", "Lee"]
        ann, bea, cal, dan, lee = page.people
        assert (bea.state, bea.leave_reason) == (MembershipStatus.LEFT, "Too busy at work")
        assert bea.left_at is not None
        assert (ann.state, ann.stopped, ann.last_message_at) == (
            MembershipStatus.JOINED,
            (SMS,),
            stopped_at,
        )
        assert (dan.state, dan.joined_at, dan.last_message_at) == (
            MembershipStatus.INVITED,
            None,
            None,
        )
        assert (lee.lead_kind, cal.lead_kind, ann.lead_kind) == (
            LeadKind.STAFF,
            LeadKind.CONTRIBUTOR,
            None,
        )
    assert care.dan.id == dan.contributor_id


async def test_the_inbox_says_what_became_of_each_message_newest_first(bot) -> None:
    await care1(bot, comments_open=False)
    await say(bot, SMS, ANN, "I liked the last meeting")
    await open_comments(bot)
    first = await say(bot, SMS, ANN, "The buses are late.")
    await say(bot, SMS, ANN, "QUESTION Who pays for the taxis?")
    await say(bot, TELEGRAM, BEA, "", attachments=1)
    await say(bot, TELEGRAM, BEA, "STOP")
    await bot.delivered()

    assert seen(await inbox_of(bot))[:6] == [
        (Out.STOPPED, "Bea", "STOP"),
        (Out.ATTACHMENT_ONLY, "Bea", ""),
        (Out.QUESTION, "Ann", "QUESTION Who pays for the taxis?"),
        (Out.COMMENT, "Ann", "The buses are late."),
        (Out.NOTE_ON_JOINING, "Ann", "I liked the last meeting"),
        (Out.JOINED, "Bea", "JOIN CARE1"),
    ]
    photo = (await inbox_of(bot))[1]
    assert (photo.attachments, photo.channel) == (1, TELEGRAM)
    later = await inbox_of(bot, after_id=first)
    assert [line.outcome for line in later] == [Out.STOPPED, Out.ATTACHMENT_ONLY, Out.QUESTION]


async def test_a_contributor_lead_sees_neither_an_anonymous_author_nor_a_declaration(bot) -> None:
    care = await care1(bot)
    await say(bot, SMS, ANN, "DECLARE I drive for the bus company")
    await say(bot, SMS, ANN, "The buses are late.")
    await say(bot, SMS, ANN, "QUESTION Who pays for the taxis?")
    await say(bot, TELEGRAM, BEA, "NAME ME")
    await say(bot, TELEGRAM, BEA, "More seats at the back please.")
    await bot.delivered()

    assert seen(await inbox_of(bot, LeadKind.CONTRIBUTOR))[:5] == [
        (Out.COMMENT, "Bea", "More seats at the back please."),
        (Out.COMMAND, "Bea", "NAME ME"),
        (Out.QUESTION, None, "QUESTION Who pays for the taxis?"),
        (Out.COMMENT, None, "The buses are late."),
        (Out.DECLARATION, "Ann", None),
    ]
    hidden = (await inbox_of(bot, LeadKind.CONTRIBUTOR))[3]
    assert hidden.contributor_id is None
    assert seen(await inbox_of(bot, LeadKind.STAFF))[2:5] == [
        (Out.QUESTION, "Ann", "QUESTION Who pays for the taxis?"),
        (Out.COMMENT, "Ann", "The buses are late."),
        (Out.DECLARATION, "Ann", "DECLARE I drive for the bus company"),
    ]
    assert (await inbox_of(bot, LeadKind.STAFF))[3].contributor_id == care.ann.id


async def test_a_lead_of_another_project_sees_nothing_of_its_inbox(bot) -> None:
    care = await care1(bot)
    pat = await add_person(bot.sessions, "Pat", email="pat@example.org")
    eve = await add_person(bot.sessions, "Eve", telegram=EVE)
    await add_project(bot.sessions, "PARK2", leads=[pat], members=[eve])
    await say(bot, TELEGRAM, EVE, "JOIN PARK2")
    await open_comments(bot, "PARK2")
    await say(bot, TELEGRAM, EVE, "The swings are broken.")
    await say(bot, SMS, ANN, "The buses are late.")
    await bot.delivered()

    assert [card.code for card in await cards_of(bot, pat)] == ["PARK2"]
    assert [card.code for card in await cards_of(bot, care.lee)] == ["CARE1"]
    assert "Eve" not in {line.name for line in await inbox_of(bot)}
    assert seen(await inbox_of(bot, code="PARK2")) == [
        (Out.COMMENT, "Eve", "The swings are broken."),
        (Out.JOINED, "Eve", "JOIN PARK2"),
    ]


async def test_the_audit_log_reads_newest_first_a_page_at_a_time(bot) -> None:
    care = await care1(bot)
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        everything = await project_audit(session, project)
        page = await project_audit(session, project, offset=1, limit=2)
    actions = [entry.action for entry in everything.entries]
    assert actions[0] == "window.open" and actions[-1] == "project.create"
    assert everything.total == len(actions) and page.total == everything.total
    assert page.entries == everything.entries[1:3]
    assert everything.entries[-1].details["leads"] == [care.lee.id]


async def statements(bot, read) -> int:  # type: ignore[no-untyped-def]
    """How many SQL statements ``read`` makes."""
    made: list[str] = []
    engine = bot.services.engine.sync_engine

    def count(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        made.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        async with bot.sessions() as session:
            await read(session, await find_project(session, "BIG"))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(made)


def phone(n: int) -> str:
    return f"+4477009{n:05d}"


async def members_comment(bot, numbers: range) -> None:  # type: ignore[no-untyped-def]
    """More people are added to BIG, join it and comment."""
    people = [await add_person(bot.sessions, f"Member {n}", phone=phone(n)) for n in numbers]
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "BIG")
        await add_members(session, project, people, bot.clock.now())
        for person in people:
            await join(session, project, person.id, bot.clock.now(), "test")
    for n in numbers:
        await say(bot, SMS, phone(n), "The buses are late again.")
        await say(bot, SMS, phone(n), "QUESTION Who pays for the taxis?")
    await bot.delivered()


async def test_reading_cards_people_and_inbox_takes_as_many_statements_for_30_as_for_3(
    bot,
) -> None:
    lea = await add_person(bot.sessions, "Lea", email="lea@example.org")
    await add_project(bot.sessions, "BIG", leads=[lea])
    await open_comments(bot, "BIG")
    reads = {
        "cards": lambda s, _: lead_projects(s, lea.id, bot.clock.now()),
        "people": lambda s, p: project_people(s, p, LeadKind.STAFF),
        "inbox": lambda s, p: project_inbox(s, p, LeadKind.CONTRIBUTOR),
    }
    await members_comment(bot, range(100, 103))
    few = {name: await statements(bot, read) for name, read in reads.items()}
    await members_comment(bot, range(103, 130))
    many = {name: await statements(bot, read) for name, read in reads.items()}
    assert (await people_of(bot, code="BIG")).total == 31
    assert len(await inbox_of(bot, code="BIG", limit=100)) == 60
    assert many == few
