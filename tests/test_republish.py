"""Republishing the brief: the first version goes whole to everyone; a later one whole only
to the people who need a format it adds or changes, the rest told it changed and how to get
it (or whole to all, or to nobody, as the lead chooses), and the lead is told who got what."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from channels.base import AccessNeed, ChannelName
from flows import lead_actions
from flows.brief_sending import BriefSending
from flows.briefs import PublishedBrief
from flows.i18n import translator
from flows.keywords import Command, keyword_words
from flows.lead_actions import Actor
from storage.db import transaction
from storage.memberships import join
from storage.models import Contributor
from storage.projects import find_project
from tests.helpers import add_person, add_project
from tests.test_lead_words import heard
from tests.test_responses import cli, sent_after_cli

SMS, TELEGRAM, EMAIL = ChannelName.SMS, ChannelName.TELEGRAM, ChannelName.EMAIL
LEAD = "9001"
ANN = "+447700900001"  # no format needed, by text
BEA = "5001"  # easy read, Welsh, on Telegram
CAL = "cal@example.org"  # large print
DAN = "dan@example.org"  # easy read, invited only
EASY = "https://example.org/easy.pdf"
TEXT = "# Home care\n\nWe want fairer visits.\n\nMore detail here."
NOTICE = "The brief for CARE1 has changed: Added an easy read version. Reply BRIEF CARE1 to get it."


@dataclass(frozen=True)
class Care1:
    lee: Contributor
    ann: Contributor


async def care1(bot) -> Care1:  # type: ignore[no-untyped-def]
    lee = await add_person(bot.sessions, "Lee", telegram=LEAD)
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    bea = await add_person(
        bot.sessions, "Bea", telegram=BEA, language="cy", access_needs=("easy-read",)
    )
    cal = await add_person(bot.sessions, "Cal", email=CAL, access_needs=("large print",))
    dan = await add_person(bot.sessions, "Dan", email=DAN, access_needs=("Easy Read",))
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[ann, bea, cal, dan])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        for person in (ann, bea, cal):
            await join(session, project, person.id, bot.clock.now(), "test")
    return Care1(lee, ann)


async def publish(  # type: ignore[no-untyped-def]
    bot,
    *,
    formats: dict[str, str] | None = None,
    note: str | None = None,
    send: BriefSending | None = None,
) -> PublishedBrief:
    async with transaction(bot.sessions) as session:
        _, published = await lead_actions.publish_brief(
            session,
            Actor("test"),
            "CARE1",
            text=TEXT,
            summary=None,
            note=note,
            alt_formats=formats or {},
            now=bot.clock.now(),
            send=send,
        )
        return published


async def test_the_first_version_goes_whole_to_everyone(bot) -> None:
    await care1(bot)
    published = await publish(bot)
    assert published.audience is not None
    assert (published.audience.sending, published.audience.whole) == (BriefSending.ALL, 5)
    got = await heard(bot)
    assert set(got) == {LEAD, ANN, BEA, CAL, DAN}
    assert all("We want fairer visits." in bodies[0] for bodies in got.values())


async def test_a_new_format_goes_whole_only_to_those_who_need_it_and_the_rest_are_told(
    bot,
) -> None:
    await care1(bot)
    await publish(bot)
    await heard(bot)
    published = await publish(bot, formats={"easy-read": EASY}, note="Added an easy read version.")
    audience = published.audience
    assert audience is not None
    assert (audience.sending, audience.whole, audience.told) == (
        BriefSending.CHANGED_FORMATS,
        2,
        3,
    )
    assert audience.changed == (AccessNeed.EASY_READ,)
    got = await heard(bot)
    assert EASY in got[BEA][0]  # in Welsh, with her link first
    assert f"Easy read version: {EASY}" in got[DAN][0] and "More detail here." in got[DAN][0]
    assert got[ANN] == [NOTICE] and got[CAL] == [NOTICE] and got[LEAD] == [NOTICE]
    await bot.send_in(SMS, ANN, "BRIEF CARE1")
    [whole] = (await heard(bot))[ANN]
    assert "More detail here." in whole


async def test_the_notice_names_the_brief_word_in_the_readers_language(bot) -> None:
    await care1(bot)
    await publish(bot)
    await heard(bot)
    await publish(bot, note="New dates")
    got = await heard(bot)
    welsh_brief = keyword_words(translator("cy"))[Command.BRIEF]
    assert welsh_brief != "BRIEF"
    assert f"{welsh_brief} CARE1" in got[BEA][0]
    assert got[ANN] == ["The brief for CARE1 has changed: New dates. Reply BRIEF CARE1 to get it."]


async def test_a_changed_link_counts_as_a_changed_format(bot) -> None:
    await care1(bot)
    await publish(bot, formats={"easy-read": EASY})
    await heard(bot)
    moved = await publish(bot, formats={"easy-read": "https://example.org/easy-2.pdf"})
    assert moved.audience is not None and moved.audience.whole == 2
    same = await publish(bot, formats={"easy-read": "https://example.org/easy-2.pdf"})
    assert same.audience is not None and (same.audience.whole, same.audience.told) == (0, 5)
    await heard(bot)


@pytest.mark.parametrize(
    ("send", "addresses", "whole"),
    [(BriefSending.ALL, {LEAD, ANN, BEA, CAL, DAN}, 5), (BriefSending.NONE, set(), 0)],
    ids=["all", "none"],
)
async def test_the_lead_may_send_a_later_version_whole_to_all_or_to_nobody(
    bot, send: BriefSending, addresses: set[str], whole: int
) -> None:
    await care1(bot)
    await publish(bot)
    await heard(bot)
    published = await publish(bot, note="Typo", send=send)
    assert published.audience is not None
    assert (published.audience.whole, published.audience.told, published.reached) == (
        whole,
        0,
        whole,
    )
    got = await heard(bot)
    assert set(got) == addresses
    for bodies in got.values():
        assert "More detail here." in bodies[0] or "CARE1 brief:" in bodies[0]


@pytest.fixture
def brief_md() -> None:
    """The brief as a file, in the test's own folder."""
    Path("brief.md").write_text(TEXT)


async def test_the_command_line_says_who_got_what(bot, monkeypatch, brief_md) -> None:
    await care1(bot)
    first = await cli(bot, monkeypatch, "brief", "publish", "CARE1", "--file", "brief.md")
    assert first.stdout.splitlines()[0] == "Published version 1 of the CARE1 brief; sending to 5."
    await sent_after_cli(bot)
    again = await cli(
        bot,
        monkeypatch,
        *("brief", "publish", "CARE1", "--file", "brief.md", "--alt", f"easy-read={EASY}"),
        *("--note", "Added an easy read version."),
    )
    assert again.exit_code == 0, again.output
    assert again.stdout.splitlines()[:2] == [
        "Published version 2 of the CARE1 brief.",
        "Only the 2 people who use easy read were sent it; 3 people were told it changed.",
    ]
    assert len(await sent_after_cli(bot)) == 5
    everyone = await cli(
        bot, monkeypatch, "brief", "publish", "CARE1", "--file", "brief.md", "--send", "all"
    )
    assert everyone.stdout.splitlines()[1] == "The whole brief went to 5 people."
    await sent_after_cli(bot)
    nobody = await cli(
        bot, monkeypatch, "brief", "publish", "CARE1", "--file", "brief.md", "--send", "none"
    )
    assert nobody.stdout.splitlines()[1] == "Nobody was sent it or told it changed (--send none)."
    assert await sent_after_cli(bot) == []
    wrong = await cli(
        bot, monkeypatch, "brief", "publish", "CARE1", "--file", "brief.md", "--send", "some"
    )
    assert wrong.exit_code == 2 and "some" in wrong.output
