"""Access needs: a contributor's needs decide which other formats of a brief they are offered,
a format nobody made yet is named (and the leads are told), and plain-text email has no HTML."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from channels.base import AccessNeed, ChannelName, OutboundMessage
from channels.email import EmailChannel, EmailSettings
from channels.gsm import count_segments, sms_text
from channels.markdown import to_plain
from flows.briefs import PublishedBrief, publish_brief
from storage.contributors import NewContributor, add_contributor
from storage.db import transaction
from storage.models import Contributor
from storage.projects import find_project
from tests.helpers import add_project
from tests.test_cli import _ok, coproduce

EASY = "https://example.org/care1/easy-read.pdf"
AUDIO = "https://example.org/care1/brief.mp3"
BRIEF = """# Better home care

We want to make home care visits fairer and more reliable for older people in Millbrook. We
will meet three times in the new year, at the library and online, and write a plan with you,
your family and the carers who visit you, so that visits come on time and last long enough.

## What we ask
Tell us what works, what does not, and what you would change.
"""
NOT_READY_AUDIO = "The audio version is not ready yet. The leads know you need it."


async def person(bot, name: str, *, needs: tuple[str, ...] = (), **addresses: str) -> Contributor:  # type: ignore[no-untyped-def]
    """A contributor with access needs; addresses by channel name (email=..., sms=...)."""
    async with transaction(bot.sessions) as session:
        return await add_contributor(
            session,
            NewContributor(
                name=name,
                addresses={ChannelName(channel): a for channel, a in addresses.items()},
                access_needs=needs,
            ),
            bot.clock.now(),
        )


async def publish_to(bot, members, formats: dict[str, str]) -> PublishedBrief:  # type: ignore[no-untyped-def]
    """CARE1 with these members invited, and a brief published with these formats."""
    lead = await person(bot, "Lee", telegram="9001")
    await add_project(bot.sessions, "CARE1", leads=[lead], members=members)
    async with transaction(bot.sessions) as session:
        return await publish_brief(
            session,
            await find_project(session, "CARE1"),
            text=BRIEF,
            summary=None,
            note=None,
            alt_formats=formats,
            now=bot.clock.now(),
        )


async def received(bot) -> dict[str, OutboundMessage]:  # type: ignore[no-untyped-def]
    return {message.address: message for message in await bot.delivered()}


async def test_an_easy_read_reader_gets_its_link_before_the_brief_and_no_other_format(
    bot,
) -> None:
    await publish_to(
        bot,
        [await person(bot, "Bea", needs=("easy-read",), telegram="5001")],
        {"easy-read": EASY, "audio": AUDIO},
    )
    body = (await received(bot))["5001"].body
    title, offered, *_ = body.split("\n\n")
    assert title == "The brief for Project CARE1 (CARE1), version 1."
    assert offered == f"Easy read version: {EASY}"
    assert body.index(EASY) < body.index("We want to make home care visits fairer")
    assert AUDIO not in body
    assert "The brief in other formats:" not in body


async def test_a_reader_with_no_needs_sees_every_format_after_the_brief(bot) -> None:
    await publish_to(
        bot,
        [await person(bot, "Ann", email="ann@example.net")],
        {"easy-read": EASY, "audio": AUDIO},
    )
    body = (await received(bot))["ann@example.net"].body
    assert f"The brief in other formats:\n\nAudio: {AUDIO}\n\nEasy read: {EASY}" in body
    assert body.index("What we ask") < body.index("The brief in other formats:")
    assert "version: http" not in body and "not ready yet" not in body


async def test_someone_who_needs_a_format_the_brief_lacks_is_told_it_is_not_ready(bot) -> None:
    published = await publish_to(
        bot,
        [
            await person(bot, "Cal", needs=("audio", "step-free access"), telegram="5003"),
            await person(bot, "Dee", needs=("audio",), email="dee@example.net"),
            await person(bot, "Ann", email="ann@example.net"),
        ],
        {"easy-read": EASY},
    )
    assert published.lacking == {AccessNeed.AUDIO: 2}
    got = await received(bot)
    body = got["5003"].body
    assert body.split("\n\n")[1] == NOT_READY_AUDIO  # before the long text
    assert f"The brief in other formats:\n\nEasy read: {EASY}" in body  # nobody is denied one
    assert NOT_READY_AUDIO in got["dee@example.net"].body
    assert "not ready yet" not in got["ann@example.net"].body


async def test_an_sms_reader_who_needs_easy_read_gets_the_link_within_two_segments(bot) -> None:
    await publish_to(
        bot,
        [
            await person(bot, "Sam", needs=("easy-read",), sms="+447700900101"),
            await person(bot, "Tim", sms="+447700900102"),
        ],
        {"easy-read": EASY, "audio": AUDIO},
    )
    got = await received(bot)
    # As the SMS channel sends them: the Markdown written out plain.
    sms = sms_text(got["+447700900101"])
    assert sms.startswith("CARE1 brief: We want to make home care visits fairer")
    assert f"\nEasy read version: {EASY}\nReply BRIEF CARE1 to get all of it." in sms
    assert AUDIO not in sms
    assert count_segments(sms).encoding == "GSM-7" and count_segments(sms).segments <= 2
    other = sms_text(got["+447700900102"])
    assert "http" not in other and count_segments(other).segments <= 2
    # The summary gave way to the link: the one without it says more of the brief.
    assert len(other.split("\n")[0]) > len(sms.split("\n")[0])


async def test_a_plain_text_email_has_no_html_and_large_print_is_set_large(bot) -> None:
    await publish_to(
        bot,
        [
            await person(bot, "Pat", needs=("plain-text",), email="pat@example.net"),
            await person(bot, "Ann", email="ann@example.net"),
            await person(bot, "Lou", needs=("large-print",), email="lou@example.net"),
        ],
        {},
    )
    got = await received(bot)
    mailer = EmailChannel(
        EmailSettings(
            smtp_host="127.0.0.1",
            smtp_port=9,
            smtp_tls="none",
            email_from="Coproduce <coproduce@example.org>",
        )
    )
    plain = mailer.build(got["pat@example.net"])
    assert plain.get_content_type() == "text/plain" and not plain.is_multipart()
    # The brief is Markdown: the plain part is its text without the marks (then the footer).
    text = plain.get_content().rstrip("\n").split("\n\n-- \n")[0]
    assert text == to_plain(got["pat@example.net"].body)
    assert plain["Content-Language"] == "en"
    rich = mailer.build(got["ann@example.net"])
    assert [part.get_content_type() for part in rich.walk()] == [
        "multipart/alternative",
        "text/plain",
        "text/html",
    ]
    assert "font-size: 19px" in rich.get_body(("html",)).get_content()
    large = mailer.build(got["lou@example.net"]).get_body(("html",)).get_content()
    assert "font-size: 24px" in large and "font-size: 19px" not in large


# The lead's side: the command line


def _rows(sql: str) -> list[tuple]:
    with sqlite3.connect("coproduce.db") as db:
        return db.execute(sql).fetchall()


def test_typed_needs_are_put_in_our_words_and_others_kept_for_the_leads(tmp_path: Path) -> None:
    result = coproduce(
        "contributor",
        "add",
        "Jo",
        "--email",
        "jo@example.net",
        "--access-needs",
        "Easy Read; BSL, British Sign Language, text only, Step-free access",
    )
    assert result.exit_code == 0, result.output
    assert result.stderr.strip() == (
        "Note: 'Step-free access' is kept for the leads to read; only easy-read, large-print, "
        "audio, bsl, plain-text change what is sent"
    )
    people = tmp_path / "people.csv"
    people.write_text("name,phone,access_needs\nBo,07700 900125,Large Print;plain text\n")
    result = coproduce("contributor", "import", str(people))
    assert result.exit_code == 0 and result.stderr == ""
    listed = [p["access_needs"] for p in json.loads(_ok("contributor", "list", "--json"))]
    assert listed == [
        ["easy-read", "bsl", "plain-text", "Step-free access"],
        ["large-print", "plain-text"],
    ]
    assert (
        _ok("contributor", "list")
        .splitlines()[0]
        .endswith("| access needs: easy-read, bsl, plain-text, Step-free access")
    )


def test_publishing_tells_the_lead_who_needs_a_format_the_brief_lacks() -> None:
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo", "--telegram", "7001", "--access-needs", "audio")
    _ok("contributor", "add", "Sam", "--phone", "07700 900101", "--access-needs", "Audio, BSL")
    _ok("contributor", "add", "Eve", "--email", "eve@example.net", "--access-needs", "easy read")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1", "--joint-lead", "2")
    _ok("project", "add-members", "CARE1", "3", "4")
    Path("brief.md").write_text(BRIEF)
    out = _ok("brief", "publish", "CARE1", "--file", "brief.md", "--alt", f"Easy Read={EASY}")
    assert out.splitlines() == [
        "Published version 1 of the CARE1 brief; sending to 4.",
        "2 members need audio and this brief has none "
        "(add it by publishing again with --alt audio=URL).",
        "1 member needs BSL and this brief has none "
        "(add it by publishing again with --alt bsl=URL).",
    ]
    bodies = dict(_rows("SELECT channel, body FROM outbox WHERE kind = 'brief'"))
    assert NOT_READY_AUDIO in bodies["telegram"]
    [(eve,)] = _rows(
        "SELECT body FROM outbox JOIN contact_points ON contact_points.id = contact_point_id"
        " WHERE kind = 'brief' AND address = 'eve@example.net'"
    )
    assert f"Easy read version: {EASY}" in eve
    again = json.loads(
        _ok("brief", "publish", "CARE1", "--file", "brief.md", "--alt", f"audio={AUDIO}", "--json")
    )
    assert again["missing_formats"] == {"easy-read": 1, "bsl": 1}


def test_inviting_someone_after_publishing_names_a_format_the_brief_lacks() -> None:
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo", "--telegram", "7001")
    _ok("project", "create", "CARE1", "--title", "Home care", "--lead", "1", "--joint-lead", "2")
    Path("brief.md").write_text(BRIEF)
    _ok("brief", "publish", "CARE1", "--file", "brief.md", "--alt", f"easy-read={EASY}")
    _ok("contributor", "add", "Sam", "--phone", "07700 900101", "--access-needs", "audio, BSL")
    _ok("contributor", "add", "Eve", "--email", "eve@example.net", "--access-needs", "easy read")
    result = coproduce("project", "add-members", "CARE1", "3", "4")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "Invited 2 contributors to CARE1."
    assert result.stderr.splitlines() == [
        "Note: 1 member needs audio and this brief has none "
        "(add it by publishing again with --alt audio=URL).",
        "Note: 1 member needs BSL and this brief has none "
        "(add it by publishing again with --alt bsl=URL).",
    ]
    _ok("contributor", "add", "Ann", "--email", "ann@example.net", "--access-needs", "audio")
    as_json = json.loads(_ok("project", "add-members", "CARE1", "5", "--json"))
    assert as_json["missing_formats"] == {"audio": 1}
