"""The record's questions to the group: every question the leads asked every member, and
every reply, in each format. A reply is named only if its author chose NAME ME and has not
been erased; the public record shows only what was shared, the leads' version the words as
sent beside it."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import event, select

from channels.base import ChannelName
from flows import sharing
from flows.checklist_facts import project_facts
from flows.lead_actions import Actor, ask_group
from flows.record import Record, project_record
from flows.record_render import FORMATS, render
from storage.checks import ItemKind
from storage.db import transaction
from storage.erasure import erase_contributor
from storage.memberships import join
from storage.models import CheckState, QuestionResponse, Sharing
from storage.projects import find_project
from tests.axe_kit import axe_violations, describe, layouts
from tests.bot_fixture import MemoryBot
from tests.helpers import add_person, add_project
from tests.workspace_kit import ANN_PHONE, STAFF_EMAIL, care1, workspace

SMS, TELEGRAM = ChannelName.SMS, ChannelName.TELEGRAM
LEE = "lee@council.example"
ANN = "+447700900101"  # replies without her name
BEA = "5101"  # said NAME ME before she replied
CAL = "+447700900102"
WAITING = "(Being checked by the leads before it is shared.)"


async def _project(bot: MemoryBot, sharing: Sharing = Sharing.OPEN) -> dict[str, int]:
    """CARE1 led by Lee, with Ann, Bea and Cal as members; Bea chose to be named."""
    lee = await add_person(bot.sessions, "Lee Staff", email=LEE)
    ann = await add_person(bot.sessions, "Ann Quiet", phone=ANN)
    bea = await add_person(bot.sessions, "Bea Named", telegram=BEA)
    cal = await add_person(bot.sessions, "Cal Third", phone=CAL)
    await add_project(bot.sessions, "CARE1", [lee], [ann, bea, cal], sharing=sharing)
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        for person in (ann, bea, cal):
            await join(session, project, person.id, bot.clock.now(), "test")
    await bot.send_in(TELEGRAM, BEA, "NAME ME")
    await bot.delivered()
    return {"ann": ann.id, "bea": bea.id, "cal": cal.id}


async def _ask(bot: MemoryBot, text: str) -> int:
    async with transaction(bot.sessions) as session:
        question, _ = await ask_group(session, Actor("test"), "CARE1", text, now=bot.clock.now())
    await bot.delivered()
    bot.clock.advance(hours=1)
    return question.id


async def _reply(bot: MemoryBot, channel: ChannelName, sender: str, text: str) -> None:
    await bot.send_in(channel, sender, text)
    await bot.delivered()
    bot.clock.advance(minutes=5)


async def _record(
    bot: MemoryBot, *, for_leads: bool = False, part: tuple[int, int] | None = None
) -> Record:
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        facts = await project_facts(session, project) if part else None
        return await project_record(
            session, project, for_leads=for_leads, now=bot.clock.now(), part=part, facts=facts
        )


def _rows(record: Record) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(render(record, "csv"))))


async def test_the_leads_question_and_every_reply_appear_in_every_format(bot: MemoryBot) -> None:
    await _project(bot)
    tuesday = await _ask(bot, "Does Tuesday suit you?")
    await _reply(bot, SMS, ANN, "Tuesday mornings are best")
    await _reply(bot, TELEGRAM, BEA, "Only after two o'clock")
    online = await _ask(bot, "Should we also meet online?")
    for record in (await _record(bot), await _record(bot, for_leads=True)):
        for form in FORMATS:
            text = render(record, form)
            for said in ("Does Tuesday suit you?", "Should we also meet online?"):
                assert said in text, form
            assert "Tuesday mornings are best" in text and "Only after two" in text, form
            assert "Bea Named" in text and "A member" in text, form
            assert "Ann" not in text, form
    public = await _record(bot)
    for form in ("html", "md"):
        text = render(public, form)
        assert "Questions to the group" in text and "No replies yet" in text, form
        assert "The leads asked the group 2 questions; members sent 2 replies." in text, form
    markdown = render(public, "md")
    assert markdown.index("## Questions\n") < markdown.index("## Questions to the group")
    assert "| Question number | Asked | Question | Replies | Reply from |" in markdown
    assert "| Only after two o'clock |" in markdown
    rows = [r for r in _rows(public) if r["kind"].startswith("group")]
    assert [(r["kind"], r["number"], r["from"], r["channel"], r["text"]) for r in rows] == [
        ("group-question", str(tuesday), "", "", "Does Tuesday suit you?"),
        ("group-reply", str(tuesday), "A member", "sms", "Tuesday mornings are best"),
        ("group-reply", str(tuesday), "Bea Named", "telegram", "Only after two o'clock"),
        ("group-question", str(online), "", "", "Should we also meet online?"),
    ]
    assert {r["shared"] for r in rows if r["kind"] == "group-reply"} == {"shared"}
    data = json.loads(render(public, "json"))
    asked = data["group_questions"]
    assert [(q["number"], q["text"], q["reply_count"]) for q in asked] == [
        (tuesday, "Does Tuesday suit you?", 2),
        (online, "Should we also meet online?", 0),
    ]
    assert [(r["author"], r["channel"], r["text"]) for r in asked[0]["replies"]] == [
        ("A member", "sms", "Tuesday mornings are best"),
        ("Bea Named", "telegram", "Only after two o'clock"),
    ]
    assert asked[1]["replies"] == []


@pytest.mark.parametrize(
    ("replying", "sentence", "count"),
    [
        ((), "The leads asked the group 1 question; nobody has replied yet.", "0 replies"),
        ((ANN,), "The leads asked the group 1 question; members sent 1 reply.", "1 reply"),
        ((ANN, CAL), "The leads asked the group 1 question; members sent 2 replies.", "2 replies"),
    ],
    ids=["none", "one", "two"],
)
async def test_the_record_counts_questions_and_replies_in_words(
    bot: MemoryBot, replying: tuple[str, ...], sentence: str, count: str
) -> None:
    await _project(bot)
    await _ask(bot, "Is the library a good place to meet?")
    for phone in replying:
        await _reply(bot, SMS, phone, "Yes, it has a ramp")
    markdown = render(await _record(bot), "md")
    assert sentence in markdown
    assert f"| Is the library a good place to meet? | {count} |" in markdown
    assert ("No replies yet" in markdown) == (not replying)


async def test_the_page_with_replies_is_accessible_and_reflows_at_320_pixels(
    bot: MemoryBot,
) -> None:
    await _project(bot, Sharing.CHECKED)
    await _ask(bot, "Does Tuesday suit you? " + "We would like to hear from everyone. " * 5)
    await _reply(bot, SMS, ANN, "Tuesday mornings are best, " * 12)
    pages = {
        "public": render(await _record(bot), "html"),
        "leads": render(await _record(bot, for_leads=True), "html"),
    }
    for name, found in layouts(pages).items():
        assert found["overflow"] == {"320": 0, "640": 0}, name
    violations = {name: found for name, found in axe_violations(pages).items() if found}
    assert violations == {}, describe(violations)


async def test_a_record_with_no_questions_to_the_group_says_so(bot: MemoryBot) -> None:
    await _project(bot)
    record = await _record(bot)
    assert record.group_questions == ()
    assert "The leads have not asked the group a question." in render(record, "html")
    assert not any(r["kind"].startswith("group") for r in _rows(record))
    assert json.loads(render(record, "json"))["group_questions"] == []


async def test_a_held_reply_is_only_the_waiting_sentence_until_the_leads_share_it(
    bot: MemoryBot,
) -> None:
    await _project(bot, Sharing.CHECKED)
    await _ask(bot, "Where do the visits go wrong?")
    said = "My neighbour at 14 Elm Road never gets her evening visit"
    await _reply(bot, SMS, ANN, said)
    public, leads = await _record(bot), await _record(bot, for_leads=True)
    for form in FORMATS:
        assert WAITING in render(public, form) and "Elm Road" not in render(public, form), form
        assert WAITING in render(leads, form) and said in render(leads, form), form
    assert "As sent (leads only)" in render(leads, "html")
    assert "As sent (leads only)" not in render(public, "html")
    [reply] = [r for r in _rows(leads) if r["kind"] == "group-reply"]
    assert (reply["text"], reply["shared"], reply["as_sent"]) == (WAITING, "waiting", said)

    async with transaction(bot.sessions) as session:
        number = await session.scalar(select(QuestionResponse.id))
        await sharing.redact(
            session,
            ItemKind.REPLY,
            number,
            "A neighbour misses her evening visit",
            now=bot.clock.now(),
        )
    await bot.delivered()
    public, leads = await _record(bot), await _record(bot, for_leads=True)
    [line] = public.group_questions[0].replies
    assert (line.text, line.check, line.original) == (
        "A neighbour misses her evening visit",
        CheckState.SHARED,
        None,
    )
    assert "Elm Road" not in "".join(render(public, form) for form in FORMATS)
    assert leads.group_questions[0].replies[0].original == said


async def test_an_erased_member_who_chose_to_be_named_is_only_a_member(bot: MemoryBot) -> None:
    people = await _project(bot)
    await _ask(bot, "Does Tuesday suit you?")
    await _reply(bot, TELEGRAM, BEA, "Only after two o'clock")
    assert "Bea Named" in render(await _record(bot), "md")
    async with transaction(bot.sessions) as session:
        await erase_contributor(session, people["bea"], actor="test", now=bot.clock.now())
    for record in (await _record(bot), await _record(bot, for_leads=True)):
        assert [r.author for q in record.group_questions for r in q.replies] == ["A member"]
        assert not any("Bea" in render(record, form) for form in FORMATS)


async def test_a_page_of_the_record_holds_that_page_of_questions_in_as_many_queries(
    bot: MemoryBot,
) -> None:
    await _project(bot)
    first = await _ask(bot, "First question?")
    await _reply(bot, SMS, ANN, "First reply")
    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    engine = bot.services.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        await _record(bot, for_leads=True)
        few = len(statements)
        second = await _ask(bot, "Second question?")
        for sender in (ANN, CAL):
            await _reply(bot, SMS, sender, f"Second reply from {sender[-3:]}")
        await _reply(bot, TELEGRAM, BEA, "Second reply, named")
        third = await _ask(bot, "Third question?")
        statements.clear()
        await _record(bot, for_leads=True)
        assert len(statements) == few, "no query per question or per reply"
    finally:
        event.remove(engine, "before_cursor_execute", count)

    page = await _record(bot, part=(1, 1))
    [line] = page.group_questions
    assert (line.number, line.reply_count) == (second, 3)
    assert [r.author for r in line.replies] == ["A member", "A member", "Bea Named"]
    assert [q.number for q in (await _record(bot, part=(0, 2))).group_questions] == [first, second]
    assert [q.number for q in (await _record(bot)).group_questions] == [first, second, third]


async def test_the_workspace_record_shows_the_reply_to_the_staff_lead_as_sent(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    await _ask(bot, "Which day suits you?")
    await _reply(bot, SMS, ANN_PHONE, "Thursdays please")
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        page = await ws.http.get("/lead/p/CARE1/record")
        assert page.status_code == 200
        text = page.text
    assert "Questions to the group" in text and "Which day suits you?" in text
    assert "Thursdays please" in text and "Being checked by the leads" in text
    assert "Ann Member" not in text
