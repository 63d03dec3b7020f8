"""You said, we did: a lead responds to each comment, from the command line or with RESPOND,
and its author is told in their own language. A refused response changes nothing."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from channels.base import ChannelName
from flows.responses import read_status
from flows.windows import open_comment_window
from storage.db import transaction
from storage.memberships import join
from storage.models import AuditEntry, Comment, Contributor, ResponseStatus
from storage.projects import find_project
from tests.helpers import add_person, add_project
from tests.test_cli import coproduce

SMS, TELEGRAM = ChannelName.SMS, ChannelName.TELEGRAM
ANN = "+447700900001"  # English, by text
BEA = "5001"  # Welsh, on Telegram
LEE_CHAT, LEE_PHONE = "9001", "+447700900009"  # the lead, on both
ANN_SAID = "More visits at weekends, please."
REASON = "We will add weekend visits from March."


async def care1_with_comments(bot) -> tuple[Contributor, int, int]:  # type: ignore[no-untyped-def]
    """CARE1 led by Lee, comments open; Ann and Bea have each sent one. Returns Lee and
    the numbers of Ann's and Bea's comments."""
    lee = await add_person(bot.sessions, "Lee", telegram=LEE_CHAT, phone=LEE_PHONE)
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    bea = await add_person(bot.sessions, "Bea", telegram=BEA, language="cy")
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[ann, bea])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        for person in (ann, bea):
            await join(session, project, person.id, bot.clock.now(), "test")
        await open_comment_window(session, project, now=bot.clock.now())
    await bot.send_in(SMS, ANN, ANN_SAID)
    await bot.send_in(TELEGRAM, BEA, "Mwy o ymweliadau os gwelwch yn dda.")
    await bot.delivered()
    ann_comment, bea_comment = [c.id for c in await comments(bot)]
    return lee, ann_comment, bea_comment


async def comments(bot) -> list[Comment]:  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return list((await session.scalars(select(Comment).order_by(Comment.id))).all())


async def responses_audited(bot) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        found = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "comment.respond").order_by(AuditEntry.id)
        )
        return list(found.all())


async def cli(bot, monkeypatch, *args: str):  # type: ignore[no-untyped-def]
    """Run ``coproduce`` on the bot's database, in a thread as a separate command would."""
    monkeypatch.setenv("COPRODUCE_DATABASE_URL", bot.services.settings.database_url)
    return await asyncio.to_thread(coproduce, *args)


async def sent_after_cli(bot):  # type: ignore[no-untyped-def]
    """The command line queues with the real time; the test's clock catches up to send it."""
    bot.clock.advance(days=365)
    return await bot.delivered()


def outcome(number: int, status_line: str, reason: str | None = REASON) -> str:
    said = f"The leads have answered your comment {number} on CARE1. {status_line}"
    return f"{said} Their reason: {reason}" if reason else said


# From the command line


async def test_a_response_from_the_command_line_is_kept_and_the_author_told(
    bot, monkeypatch
) -> None:
    lee, ann_comment, _ = await care1_with_comments(bot)
    result = await cli(
        bot,
        monkeypatch,
        *("comment", "respond", str(ann_comment), "--status", "adopted"),
        *("--reason", REASON, "--by", str(lee.id)),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Comment {ann_comment} on CARE1 is now adopted; its author is being told."
    )
    [told] = await sent_after_cli(bot)
    # Ann chose no name, so the comment went out anonymous; she is still its author.
    assert (told.address, told.language) == (ANN, "en")
    assert told.body == outcome(ann_comment, "They will do what you suggested.")
    comment = (await comments(bot))[0]
    assert not comment.is_named
    assert (comment.response_status, comment.response_reason, comment.responded_by) == (
        ResponseStatus.ADOPTED,
        REASON,
        lee.id,
    )
    assert comment.responded_at is not None
    [entry] = await responses_audited(bot)
    assert (entry.actor, entry.details) == (
        f"contributor:{lee.id}",
        {"comment": ann_comment, "status": "adopted", "has_reason": True},
    )
    listed = await cli(bot, monkeypatch, "comment", "list", "CARE1")
    assert f"{ANN_SAID} [adopted]" in listed.stdout


async def test_a_welsh_author_is_told_in_welsh(bot, monkeypatch) -> None:
    _, _, bea_comment = await care1_with_comments(bot)
    result = await cli(
        bot,
        monkeypatch,
        *("comment", "respond", str(bea_comment), "--status", "partly-adopted", "--reason", "Rhai"),
    )
    assert result.exit_code == 0, result.output
    [told] = await sent_after_cli(bot)
    assert (told.address, told.language) == (BEA, "cy")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (
            ("--status", "adopted"),
            "Error: a response of adopted needs a reason; the comment's author is sent it",
        ),
        (
            ("--status", "not-adopted", "--reason", "   "),
            "Error: a response of not-adopted needs a reason; the comment's author is sent it",
        ),
        (
            ("--status", "maybe", "--reason", "Why not"),
            "Error: --status must be one of adopted, partly-adopted, not-adopted, "
            "under-review, not 'maybe'",
        ),
    ],
    ids=["no-reason", "blank-reason", "unknown-status"],
)
async def test_a_response_refused_on_the_command_line_changes_nothing(
    bot, monkeypatch, args: tuple[str, ...], error: str
) -> None:
    _, ann_comment, _ = await care1_with_comments(bot)
    result = await cli(bot, monkeypatch, "comment", "respond", str(ann_comment), *args)
    assert result.exit_code == 1
    assert result.stderr.strip() == error
    assert (await comments(bot))[0].response_status is None
    assert await responses_audited(bot) == []
    assert await sent_after_cli(bot) == []


async def test_an_unknown_comment_is_a_one_line_error(bot, monkeypatch) -> None:
    await care1_with_comments(bot)
    result = await cli(bot, monkeypatch, "comment", "respond", "99", "--status", "under-review")
    assert (result.exit_code, result.stderr.strip()) == (1, "Error: no comment 99")


async def test_under_review_needs_no_reason(bot, monkeypatch) -> None:
    _, ann_comment, _ = await care1_with_comments(bot)
    result = await cli(
        bot, monkeypatch, "comment", "respond", str(ann_comment), "--status", "under-review"
    )
    assert result.exit_code == 0, result.output
    [told] = await sent_after_cli(bot)
    assert told.body == outcome(
        ann_comment,
        "They are still thinking about it. They will tell you when they decide.",
        reason=None,
    )
    [entry] = await responses_audited(bot)
    assert entry.actor.startswith("cli")
    assert entry.details == {"comment": ann_comment, "status": "under-review", "has_reason": False}


async def test_an_erased_or_unreachable_author_is_not_sent_anything(bot, monkeypatch) -> None:
    _, ann_comment, bea_comment = await care1_with_comments(bot)
    await bot.send_in(TELEGRAM, BEA, "STOP")
    await bot.delivered()
    async with transaction(bot.sessions) as session:
        ann = await session.scalar(select(Contributor).where(Contributor.name == "Ann"))
        assert ann is not None
        ann.erased_at = bot.clock.now()
    for number in (ann_comment, bea_comment):
        result = await cli(
            bot, monkeypatch, "comment", "respond", str(number), "--status", "not", "--reason", "No"
        )
        assert result.stdout.strip() == (
            f"Comment {number} on CARE1 is now not-adopted; its author cannot be reached."
        )
    assert await sent_after_cli(bot) == []
    assert [c.response_status for c in await comments(bot)] == [ResponseStatus.NOT_ADOPTED] * 2


# Over the channels


async def test_an_author_who_left_the_project_is_not_told_and_the_lead_hears_so(bot) -> None:
    _, ann_comment, _ = await care1_with_comments(bot)
    await bot.send_in(SMS, ANN, "LEAVE CARE1")
    await bot.delivered()
    await bot.send_in(TELEGRAM, LEE_CHAT, f"RESPOND {ann_comment} not Too dear")
    assert [(m.address, m.body) for m in await bot.delivered()] == [
        (
            LEE_CHAT,
            f"Thank you. Comment {ann_comment} on CARE1 is now marked not-adopted. "
            "We could not tell the person who wrote it.",
        )
    ]
    assert (await comments(bot))[0].response_status == ResponseStatus.NOT_ADOPTED


async def test_a_lead_responds_by_telegram_and_by_text(bot) -> None:
    lee, ann_comment, bea_comment = await care1_with_comments(bot)
    await bot.send_in(TELEGRAM, LEE_CHAT, f"RESPOND {ann_comment} adopted {REASON}")
    said = {m.address: m for m in await bot.delivered()}
    assert said[LEE_CHAT].body == (
        f"Thank you. Comment {ann_comment} on CARE1 is now marked adopted. "
        "We have told the person who wrote it."
    )
    assert said[ANN].body == outcome(ann_comment, "They will do what you suggested.")
    await bot.send_in(SMS, LEE_PHONE, f"respond #{bea_comment} Not adopted: It costs too much")
    said = {m.address: m for m in await bot.delivered()}
    assert said[LEE_PHONE].body.startswith(
        f"Thank you. Comment {bea_comment} on CARE1 is now marked not-adopted."
    )
    assert said[BEA].language == "cy"
    first, second = await comments(bot)
    assert (first.response_status, first.responded_by) == (ResponseStatus.ADOPTED, lee.id)
    assert (second.response_status, second.response_reason) == (
        ResponseStatus.NOT_ADOPTED,
        "It costs too much",
    )
    assert [e.actor for e in await responses_audited(bot)] == [f"contributor:{lee.id}"] * 2


async def test_the_author_reads_their_own_comment_again_on_telegram(bot) -> None:
    lee = await add_person(bot.sessions, "Lee", telegram=LEE_CHAT)
    dee = await add_person(bot.sessions, "Dee", telegram="5004")
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[dee])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, dee.id, bot.clock.now(), "test")
        await open_comment_window(session, project, now=bot.clock.now())
    await bot.send_in(TELEGRAM, "5004", ANN_SAID)
    await bot.delivered()
    [comment] = await comments(bot)
    await bot.send_in(TELEGRAM, LEE_CHAT, f"RESPOND {comment.id} partly Some weekends only")
    said = {m.address: m.body for m in await bot.delivered()}
    assert said["5004"] == (
        f"The leads have answered your comment {comment.id} on CARE1.\n\n"
        f"You said: {ANN_SAID}\n\n"
        "They will do part of what you suggested.\n\n"
        "Their reason: Some weekends only"
    )


async def test_responding_twice_keeps_the_latest_and_audits_both(bot) -> None:
    _, ann_comment, _ = await care1_with_comments(bot)
    await bot.send_in(TELEGRAM, LEE_CHAT, f"RESPOND {ann_comment} review")
    await bot.delivered()
    bot.clock.advance(days=3)
    await bot.send_in(TELEGRAM, LEE_CHAT, f"RESPOND {ann_comment} partly-adopted Sundays only")
    said = {m.address: m.body for m in await bot.delivered()}
    assert said[ANN] == outcome(
        ann_comment, "They will do part of what you suggested.", "Sundays only"
    )
    [comment, _] = await comments(bot)
    assert (comment.response_status, comment.response_reason, comment.responded_at) == (
        ResponseStatus.PARTLY_ADOPTED,
        "Sundays only",
        bot.clock.now(),
    )
    assert [e.details["status"] for e in await responses_audited(bot)] == [
        "under-review",
        "partly-adopted",
    ]


HOW = (
    "Please write RESPOND, the number of the comment, what you decided and why.\n"
    "Choose one of: adopted, partly-adopted, not-adopted, under-review.\n"
    "For example: RESPOND 12 adopted We will add visits at weekends."
)


@pytest.mark.parametrize(
    ("words", "answer"),
    [
        ("RESPOND", HOW),
        ("RESPOND soon", HOW),
        ("RESPOND 999 adopted Yes", f"We cannot find comment 999.\n{HOW}"),
        ("RESPOND {n} maybe Later", HOW),
        ("RESPOND {n}", HOW),
        (
            "RESPOND {n} adopted",
            f"Please say why. The person who wrote the comment will see it.\n{HOW}",
        ),
    ],
    ids=["alone", "no-number", "unknown-comment", "unknown-status", "no-status", "no-reason"],
)
async def test_a_lead_who_writes_respond_wrongly_is_told_how(bot, words: str, answer: str) -> None:
    _, ann_comment, _ = await care1_with_comments(bot)
    await bot.send_in(TELEGRAM, LEE_CHAT, words.format(n=ann_comment))
    assert [m.body for m in await bot.delivered()] == [answer]
    assert [c.response_status for c in await comments(bot)] == [None, None]
    assert await responses_audited(bot) == []


async def test_respond_from_someone_who_does_not_lead_the_project_is_refused(bot) -> None:
    _, _, bea_comment = await care1_with_comments(bot)
    await bot.send_in(SMS, ANN, f"RESPOND {bea_comment} adopted Yes please")
    [refused] = await bot.delivered()
    assert refused.body == "Only the leads of CARE1 can do that. Nothing has changed."
    await bot.send_in(SMS, ANN, "Respond to the letter from the council, please.")
    [thanks] = await bot.delivered()
    assert thanks.body.startswith("Thank you. We have your comment on CARE1.")
    assert [c.response_status for c in await comments(bot)] == [None, None, None]
    assert await responses_audited(bot) == []


@pytest.mark.parametrize(
    ("text", "status", "reason"),
    [
        ("adopted We will", ResponseStatus.ADOPTED, "We will"),
        ("Partly: some of it", ResponseStatus.PARTLY_ADOPTED, "some of it"),
        ("partly adopted - some", ResponseStatus.PARTLY_ADOPTED, "some"),
        ("NOT-ADOPTED too dear", ResponseStatus.NOT_ADOPTED, "too dear"),
        ("not adopted", ResponseStatus.NOT_ADOPTED, ""),
        ("not sure yet", ResponseStatus.NOT_ADOPTED, "sure yet"),
        ("under review", ResponseStatus.UNDER_REVIEW, ""),
        ("Under_Review.", ResponseStatus.UNDER_REVIEW, ""),
        ("review", ResponseStatus.UNDER_REVIEW, ""),
        ("maybe later", None, ""),
        ("", None, ""),
    ],
    ids=[
        "adopted",
        "partly-with-colon",
        "partly-adopted-two-words",
        "capitals",
        "not-adopted-two-words",
        "not-alone",
        "under-review-two-words",
        "underscore",
        "review",
        "unknown",
        "empty",
    ],
)
def test_status_words_are_read_loosely(
    text: str, status: ResponseStatus | None, reason: str
) -> None:
    assert read_status(text) == (status, reason)
