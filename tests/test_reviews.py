"""The project's review at completion: every member and lead rates statements of good
co-production from 1 to 5, one at a time on any channel and in their language, may add their
own words, and can start again; a panel of the leads and one to three peer leaders signs it
off; the record sums it up; a yearly review is a new round that keeps the first."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from flows import lead_reviews
from flows.closing import close_project
from flows.lead_actions import Actor
from flows.record import project_record
from flows.record_render import render
from storage.db import transaction
from storage.erasure import erase_contributor
from storage.errors import InvalidInput
from storage.memberships import join
from storage.models import Contributor, Review, ReviewComment, ReviewPanelMember, ReviewRating
from storage.personal_data import export_contributor
from storage.projects import find_project
from tests.helpers import add_person
from tests.test_lead_words import ANN, BEA, LEAD, all_of, care1, heard

OPERATOR = Actor("test")
REVIEW_ON = date(2027, 11, 22)
SCALE = "How true is this for you? Reply with a number:\n1 Not at all\n2\n3\n4\n5 Completely\n"
SKIP_LINE = "SKIP to leave this one out"
BUTTONS = ("1 Not at all", "2", "3", "4", "5 Completely", "SKIP")


def statement(number: int, text: str, first: str = "") -> str:
    return f"{first}Statement {number} of 7:\n{text}\n{SCALE}{SKIP_LINE}"


FIRST = "Everyone who wanted to take part got the brief and the papers."
SECOND = "I could comment even if I missed a meeting."
AGAIN = "Please reply with a number from 1 to 5, or SKIP.\n"


async def closed(bot, *, start: bool = True, **options):  # type: ignore[no-untyped-def]
    """CARE1 (Lee leads; Ann on SMS, Bea on Telegram) closed, with its review started."""
    people = await care1(bot)
    async with transaction(bot.sessions) as session:
        await close_project(
            session, await find_project(session, "CARE1"), review_on=REVIEW_ON, now=bot.clock.now()
        )
    await bot.delivered()
    if start:
        await start_review(bot, **options)
    return people


async def start_review(bot, **options) -> int:  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        _, _, reached = await lead_reviews.start_review(
            session, OPERATOR, "CARE1", now=bot.clock.now(), **options
        )
    return reached


async def ratings(bot) -> list[tuple[int | None, int, int | None, bool]]:  # type: ignore[no-untyped-def]
    return [
        (r.contributor_id, r.statement, r.rating, r.as_lead)
        for r in await all_of(bot, ReviewRating)
    ]


async def answer(bot, channel: str, address: str, *replies: str) -> list[str]:  # type: ignore[no-untyped-def]
    said = []
    for reply in replies:
        await bot.send_in(channel, address, reply)
        said += (await heard(bot)).get(address, [])
    return said


async def test_everyone_is_told_what_the_review_is_then_sent_the_first_statement(bot) -> None:
    await closed(bot, start=False)
    assert await start_review(bot) == 3  # Lee is a member as well as a lead
    sent = await bot.delivered()
    to_ann = [m.body for m in sent if m.address == ANN]
    assert to_ann == [
        "The CARE1 leads want to know how the project went for you. "
        "We will send 7 short statements, one at a time. "
        "Rate each from 1 (not at all) to 5 (completely), or reply SKIP. "
        "You can answer until Monday 7 December 2026 at 09:00. "
        "Your name is never shown with your numbers.",
        statement(1, FIRST),
    ]
    [to_bea] = [m for m in sent if m.address == BEA and m.choices]
    assert to_bea.body == statement(1, FIRST)
    assert to_bea.choices == BUTTONS, "the buttons are the lines to type"
    assert {m.address for m in sent if m.body == statement(1, FIRST)} == {ANN, BEA, LEAD}


async def test_a_whole_round_by_sms_keeps_ratings_skips_and_words_and_refuses_off_scale(
    bot,
) -> None:
    _, ann, _ = await closed(bot)
    await bot.delivered()
    assert await answer(bot, "sms", ANN, "4") == [statement(2, SECOND)]
    assert await answer(bot, "sms", ANN, "9") == [statement(2, SECOND, AGAIN)]
    assert await answer(bot, "sms", ANN, "0") == [statement(2, SECOND, AGAIN)]
    assert await ratings(bot) == [(ann.id, 1, 4, False)], "nothing kept for a number off the scale"
    said = await answer(bot, "sms", ANN, "skip", "2", "1 Not at all", "completely", "3", "5")
    assert said[-1] == (
        "Last question: is there anything else you want to say about CARE1? "
        "Reply in your own words, or SKIP. Only the leads will see your words, without your name."
    )
    assert await answer(bot, "sms", ANN, "The papers came late.") == [
        "Thank you for your review of CARE1. To change an answer, reply REVIEW CARE1 before "
        "Monday 7 December 2026 at 09:00."
    ]
    assert [r[1:3] for r in await ratings(bot)] == [
        (1, 4), (2, None), (3, 2), (4, 1), (5, 5), (6, 3), (7, 5),
    ]  # fmt: skip
    [comment] = await all_of(bot, ReviewComment)
    assert (comment.contributor_id, comment.text, comment.is_named) == (
        ann.id,
        "The papers came late.",
        False,
    )
    await bot.send_in("sms", ANN, "Thanks again")  # the round is done: this is small talk
    assert not (await heard(bot))[ANN][0].startswith("Please reply with a number")


async def test_a_welsh_reader_on_telegram_reads_our_statements_in_welsh_and_uses_the_buttons(
    bot,
) -> None:
    _, _, bea = await closed(bot, start=False)
    async with transaction(bot.sessions) as session:
        (await session.get(Contributor, bea.id)).language = "cy"
    await start_review(bot)
    [first] = [m for m in await bot.delivered() if m.address == BEA and m.choices]
    assert "\nCafodd pawb a oedd am gymryd rhan y briff a'r papurau.\n" in first.body
    assert first.choices[1:4] == ("2", "3", "4")
    [second] = await answer(bot, "telegram", BEA, "5 Completely")  # a button
    assert "\nGallwn roi sylwadau hyd yn oed pan oeddwn wedi colli cyfarfod.\n" in second
    await answer(bot, "telegram", BEA, "SKIP", *"12345")
    [thanks] = await answer(bot, "telegram", BEA, "SKIP")  # nothing to add
    assert "CARE1" in thanks
    assert [r[1:3] for r in await ratings(bot)] == [
        (1, 5), (2, None), (3, 1), (4, 2), (5, 3), (6, 4), (7, 5),
    ]  # fmt: skip
    assert await all_of(bot, ReviewComment) == [], "SKIP at the end adds nothing"


async def test_other_words_go_where_they_would_and_the_statement_keeps_waiting(bot) -> None:
    _, ann, _ = await closed(bot)
    await bot.delivered()
    [thanks] = await answer(bot, "sms", ANN, "QUESTION Will there be a report?")
    assert thanks.startswith("Thank you. Your question to CARE1 is number")
    assert await answer(bot, "sms", ANN, "blue bananas") == [statement(1, FIRST, AGAIN)]
    assert await answer(bot, "sms", ANN, "3") == [statement(2, SECOND)]
    assert await ratings(bot) == [(ann.id, 1, 3, False)]


async def test_review_and_the_code_starts_again_and_a_new_rating_replaces_the_old(bot) -> None:
    await closed(bot)
    await bot.delivered()
    await answer(bot, "sms", ANN, "2", "2")
    assert await answer(bot, "sms", ANN, "REVIEW CARE1") == [
        statement(1, FIRST, "Here is the CARE1 review again, from the start.\n")
    ]
    await answer(bot, "sms", ANN, "5")
    assert [r[1:3] for r in await ratings(bot)] == [(1, 5), (2, 2)]
    assert await answer(bot, "sms", ANN, "REVIEW") == ["Please write REVIEW and the project code."]
    assert await answer(bot, "sms", ANN, "REVIEW CARE9") == [
        "We cannot find a project called CARE9. Please check the code."
    ]


async def test_after_the_close_a_rating_is_told_the_review_has_closed(bot) -> None:
    await closed(bot)
    await bot.delivered()
    bot.clock.advance(days=14, hours=1)
    assert await answer(bot, "sms", ANN, "4") == [
        "The CARE1 review closed on Monday 7 December 2026 at 09:00."
    ]
    assert await answer(bot, "sms", ANN, "REVIEW CARE1") == [
        "The CARE1 review closed on Monday 7 December 2026 at 09:00."
    ]
    assert await ratings(bot) == []


async def test_a_review_waits_for_the_project_to_close(bot) -> None:
    await care1(bot)
    async with transaction(bot.sessions) as session:
        with pytest.raises(InvalidInput, match="CARE1 is not closed: a review comes at completion"):
            await lead_reviews.start_review(session, OPERATOR, "CARE1", now=bot.clock.now())
    assert await all_of(bot, Review) == []
    assert await answer(bot, "sms", ANN, "REVIEW CARE1") == [
        "There is no review of CARE1 to answer now."
    ]


# The panel


async def members(bot, *names: str) -> list[Contributor]:  # type: ignore[no-untyped-def]
    """More members of CARE1, on SMS."""
    people = [
        await add_person(bot.sessions, name, phone=f"+4477009000{n}")
        for n, name in enumerate(names, start=50)
    ]
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        for person in people:
            await join(session, project, person.id, bot.clock.now(), "test")
    return people


async def name_panel(bot, *people: Contributor):  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        return await lead_reviews.name_panel(
            session, OPERATOR, "CARE1", [str(p.id) for p in people], now=bot.clock.now()
        )


PANEL = (
    "You are on the panel for the CARE1 review.\n\n"
    "The panel looks at what people said and signs the review off.\n\n"
    "When you agree with it, reply REVIEW OK CARE1.\n\n"
    "You can add your own words after the code."
)


async def test_the_leads_and_one_to_three_peer_leaders_make_the_panel_and_each_is_asked(
    bot,
) -> None:
    lee, ann, bea = await closed(bot)
    cal, dee = await members(bot, "Cal", "Dee")
    await bot.delivered()
    _, seats, told = await name_panel(bot, bea)
    assert [(s.name, s.is_lead) for s in seats] == [("Lee", True), ("Bea", False)]
    assert told == 2
    said = await heard(bot)
    assert said[LEAD] == [PANEL] and said[BEA] == [PANEL]
    _, seats, told = await name_panel(bot, bea, ann, cal)
    assert [s.name for s in seats] == ["Lee", "Bea", "Ann", "Cal"]
    assert told == 2, "only those new to the panel are asked"
    await bot.delivered()
    with pytest.raises(InvalidInput, match="one to 3 peer leaders besides the leads; 4 were"):
        await name_panel(bot, bea, ann, cal, dee)
    outsider = await add_person(bot.sessions, "Max", phone="+447700900099")
    with pytest.raises(InvalidInput, match=r"Max \(contributor \d+\) is not a member of CARE1"):
        await name_panel(bot, bea, outsider)
    panel = await all_of(bot, ReviewPanelMember)
    assert sorted(p.contributor_id for p in panel) == sorted([lee.id, bea.id, ann.id, cal.id])
    assert await bot.delivered() == [], "a refused panel tells no one"


async def test_review_ok_signs_off_from_the_panel_and_is_refused_politely_from_anyone_else(
    bot,
) -> None:
    _, _, bea = await closed(bot)
    await name_panel(bot, bea)
    await bot.delivered()
    assert await answer(bot, "telegram", BEA, "REVIEW OK CARE1 It is a fair picture.") == [
        "Thank you. You have signed off the CARE1 review.\n\nWe have kept your words with it."
    ]
    assert await answer(bot, "sms", ANN, "REVIEW OK CARE1") == [
        "Thank you, but only the CARE1 review panel can sign it off. Nothing has changed."
    ]
    signed = {
        p.contributor_id: (p.signed_off_at, p.words) for p in await all_of(bot, ReviewPanelMember)
    }
    assert signed[bea.id] == (bot.clock.now(), "It is a fair picture.")
    assert [at for at, _ in signed.values() if at] == [bot.clock.now()], "only Bea signed"


# The record, and every round kept


async def rated_2_4_and_5(bot):  # type: ignore[no-untyped-def]
    """Ann (member) rates statement 1 as 2, Bea (member) 4, Lee (lead) 5; Ann adds words."""
    lee, ann, bea = await closed(bot)
    await bot.delivered()
    await answer(bot, "sms", ANN, "2", *["SKIP"] * 6, "The leads listened.")
    await answer(bot, "telegram", BEA, "4")
    await answer(bot, "telegram", LEAD, "5", "4")
    await name_panel(bot, bea)
    await bot.delivered()
    await answer(bot, "telegram", BEA, "REVIEW OK CARE1")
    return lee, ann, bea


async def record_of(bot, *, for_leads: bool = False):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        return await project_record(session, project, for_leads=for_leads, now=bot.clock.now())


async def test_the_record_sums_up_each_statement_in_markdown_csv_and_json(bot) -> None:
    await rated_2_4_and_5(bot)
    public = await record_of(bot)
    markdown = render(public, "md")
    assert "## Review\n" in markdown
    assert (
        "The 2026 review, open until Monday 7 December 2026 at 09:00: 3 people rated the "
        "statements from 1 (not at all) to 5 (completely). 1 of the 2 on the panel have signed "
        "it off: Bea."
    ) in markdown
    assert f"| 1. {FIRST} | 4 | 3 | 5 | 2–5 | 3 | 0 |" in markdown
    assert f"| 2. {SECOND} | 4 | none | 4 | 4–4 | 1 | 1 |" in markdown
    assert "| Bea | peer leader | Monday 23 November 2026 at 09:00 |  |" in markdown
    assert "| Lee | lead | Not yet |  |" in markdown
    assert "The leads listened." not in markdown, "unnamed words are for the leads only"
    assert "1 person who did not choose to be named added words" in markdown
    leads = render(await record_of(bot, for_leads=True), "md")
    assert "| A member | member | Monday 23 November 2026 at 09:00 | The leads listened. |" in leads

    rows = [
        r
        for r in csv.DictReader(io.StringIO(render(public, "csv")))
        if r["kind"].startswith("review")
    ]
    assert [(r["kind"], r["number"], r["count"], r["median"], r["spread"]) for r in rows[:3]] == [
        ("review", "1", "3", "", ""),
        ("review-statement", "1", "3", "4", "2–5"),
        ("review-statement", "2", "1", "4", "4–4"),
    ]
    assert [(r["kind"], r["from"], r["response"]) for r in rows if "sign" in r["kind"]] == [
        ("review-sign-off", "Lee", "not yet"),
        ("review-sign-off", "Bea", "signed off"),
    ]
    review = json.loads(render(public, "json"))["review"]
    first = review["statements"][0]
    assert (first["median"], first["lowest"], first["highest"]) == (4, 2, 5)
    assert (first["members_median"], first["leads_median"]) == (3, 5)
    assert (first["lower_quartile"], first["upper_quartile"]) == (3, 4.5)
    assert review["comments"] == [] and review["unnamed_comments"] == 1


async def test_a_named_persons_words_are_in_the_public_record_with_their_name(bot) -> None:
    await closed(bot)
    await bot.delivered()
    await answer(bot, "sms", ANN, "NAME ME")
    await answer(bot, "sms", ANN, *["3"] * 7, "More notice of changes, please.")
    markdown = render(await record_of(bot), "md")
    assert (
        "| Ann | member | Monday 23 November 2026 at 09:00 | More notice of changes, please. |"
        in (markdown)
    )


async def test_a_yearly_review_is_a_new_round_and_every_round_is_kept(bot) -> None:
    await rated_2_4_and_5(bot)
    bot.clock.advance(days=365)
    assert await start_review(bot) == 3
    await bot.delivered()
    await answer(bot, "sms", ANN, "1")
    first, second = await all_of(bot, Review)
    assert (first.year, second.year) == (2026, 2027)
    kept = [(r.review_id, r.statement, r.rating) for r in await all_of(bot, ReviewRating)]
    assert (first.id, 1, 2) in kept and (second.id, 1, 1) in kept
    markdown = render(await record_of(bot), "md")
    assert "The 2027 review, open until" in markdown
    assert "This is round 2; every earlier round is kept." in markdown
    assert "No review panel has been named." in markdown


async def test_a_persons_ratings_and_words_are_in_what_we_hold_about_them(bot) -> None:
    _, ann, _ = await rated_2_4_and_5(bot)
    async with bot.sessions() as session:
        held = await export_contributor(session, ann.id, bot.clock.now())
    [round_] = held["review_answers"]
    assert (round_["project"], round_["year"], round_["comment"]) == (
        "CARE1",
        2026,
        "The leads listened.",
    )
    assert [(r["statement"], r["rating"], r["skipped"]) for r in round_["ratings"]][:2] == [
        (1, 2, False),
        (2, None, True),
    ]
    assert round_["on_panel"] is False


async def test_erasing_a_person_keeps_their_ratings_and_words_with_no_name(bot) -> None:
    _, ann, _ = await closed(bot)
    await bot.delivered()
    await answer(bot, "sms", ANN, "NAME ME")
    await answer(bot, "sms", ANN, "2", *["SKIP"] * 6, "More notice of changes, please.")
    async with transaction(bot.sessions) as session:
        await erase_contributor(session, ann.id, actor="test", now=bot.clock.now())
    kept = await ratings(bot)
    assert len(kept) == 7 and kept[0] == (ann.id, 1, 2, False)
    review = json.loads(render(await record_of(bot), "json"))["review"]
    assert review["statements"][0]["median"] == 2
    assert [(c["author"], c["text"]) for c in review["comments"]] == [
        ("A member", "More notice of changes, please.")
    ]
