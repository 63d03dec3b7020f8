"""A Welsh, a Polish and an Urdu speaker take part in a whole project in their own languages,
through the real adapters: invited, joining with their own command word, declaring, told
when comments open (the date written out in their language), commenting, asking and being
answered. The expected texts come from the catalogs, so the test checks that each person is
written to in their language, not what the translations say."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from sqlalchemy import select

from channels.base import ChannelName, OutboundMessage
from channels.email import EmailChannel, EmailSettings
from flows.i18n import Translator, translator
from flows.keywords import Command, keyword_words
from flows.membership import invite_members
from flows.questions import answer_question
from flows.times import local_time
from flows.windows import add_project_meeting
from storage.db import transaction
from storage.models import Contributor, LeadKind, Question, Sharing
from storage.projects import create_project, find_project
from tests.helpers import add_person
from tests.live import live_service
from tests.people_kit import PostOffice

ROOT = Path(__file__).resolve().parent.parent
LEE = "lee@council.example"
JO = "7001"
GWEN = "+447700900201"  # Welsh, SMS
PIOTR = "piotr@example.net"  # Polish, email
AYESHA = "7010"  # Urdu, Telegram
BILAL = "bilal@example.net"  # Urdu, email
EMA = "+447700900299"  # English, until she asks for Welsh


@dataclass(frozen=True)
class Speaker:
    language: str

    @property
    def t(self) -> Translator:
        return translator(self.language)

    def word(self, command: Command) -> str:
        return keyword_words(self.t)[command]

    def says(self, msgid: str, **values: object) -> str:
        said = self.t.gettext(msgid).format(**values)
        assert said != msgid.format(**values), f"{self.language} has no translation: {msgid}"
        return said

    def fragment(self, msgid: str) -> str:
        """The longest piece of the translation between placeholders, for texts with
        numbers we do not know in them."""
        pieces = re.split(r"\{[a-z_]+\}", self.t.gettext(msgid))
        longest = max((piece.strip() for piece in pieces), key=len)
        assert longest and longest not in msgid, f"{self.language} has no translation: {msgid}"
        return longest

    def weekday(self, moment: datetime) -> str:
        return format_date(moment, "EEEE", locale=self.language)


WELSH, POLISH, URDU = Speaker("cy"), Speaker("pl"), Speaker("ur")


@pytest.fixture
async def town(database_url, clock):
    async with live_service(database_url, clock, inbound_smtp=True) as live:
        yield live, PostOffice(live)


def _one(got, address):  # type: ignore[no-untyped-def]
    assert address in got, f"nothing reached {address}"
    assert len(got[address]) == 1, [m.text for m in got[address]]
    return got[address][0].text


def _bare(word: str) -> str:
    """The word as typed on a phone without accents (ą → a)."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


async def test_welsh_polish_and_urdu_speakers_take_part_in_their_own_languages(town) -> None:
    live, post = town
    sessions, clock = live.services.sessions, live.clock
    lee = await add_person(sessions, "Lee", email=LEE)
    jo = await add_person(sessions, "Jo", telegram=JO)
    people = {
        GWEN: (await add_person(sessions, "Gwen", phone=GWEN, language="cy"), WELSH),
        PIOTR: (await add_person(sessions, "Piotr", email=PIOTR, language="pl"), POLISH),
        AYESHA: (await add_person(sessions, "Ayesha", telegram=AYESHA, language="ur"), URDU),
    }
    send = {GWEN: post.sms, PIOTR: post.email, AYESHA: post.telegram}
    async with transaction(sessions) as session:
        project = await create_project(
            session,
            code="CARE1",
            title="Home care",
            leads=[(lee, LeadKind.STAFF), (jo, LeadKind.CONTRIBUTOR)],
            now=clock.now(),
            sharing=Sharing.OPEN,
        )
        await invite_members(session, project, [p for p, _ in people.values()], clock.now())

    got = await post.collect()
    for address, (_, speaker) in people.items():
        text = _one(got, address)
        join = speaker.word(Command.JOIN)
        assert speaker.says("Reply {join} {code} to join.", join=join, code="CARE1") in text
        assert "Reply JOIN CARE1 to join." not in text

    # Each joins with their own word (the Polish one typed without its accents).
    await send[GWEN](GWEN, f"{WELSH.word(Command.JOIN)} CARE1")
    await send[PIOTR](PIOTR, _bare(POLISH.word(Command.JOIN)).lower())
    await send[AYESHA](AYESHA, URDU.word(Command.JOIN))
    got = await post.collect()
    for address, (_, speaker) in people.items():
        welcome = speaker.says("Welcome to {code}. Thank you for taking part.", code="CARE1")
        assert welcome in _one(got, address)
    assert len(got[LEE]) == 3  # the leads hear of each new member, in English

    for address, (_, speaker) in people.items():
        await send[address](address, speaker.word(Command.NONE))
    got = await post.collect()
    for address, (_, speaker) in people.items():
        expected = "Thank you. We have noted that you have nothing to declare for {code}."
        assert speaker.says(expected, code="CARE1") in _one(got, address)

    # A meeting; when it ends comments open, and the closing date is written out in each
    # person's language, with its weekday.
    async with transaction(sessions) as session:
        project = await find_project(session, "CARE1")
        await add_project_meeting(
            session,
            project,
            starts_at=local_time("2026-11-25 18:00", project.time_zone),
            minutes=90,
            place="Millbrook Library",
            window_days=None,
            now=clock.now(),
        )
    got = await post.collect()
    meeting_day = local_time("2026-11-25 18:00", "Europe/London")
    for address, (_, speaker) in people.items():
        assert speaker.weekday(meeting_day) in _one(got, address)
    clock.advance(days=2, hours=10, minutes=31)
    await live.services.scheduler.run_due()
    got = await post.collect()
    closes = local_time("2026-12-02 19:30", "Europe/London")
    for address, (_, speaker) in people.items():
        text = _one(got, address)
        assert speaker.weekday(closes) in text
        assert "Wednesday" not in text

    # Comments in their own words, thanked in their language.
    await send[GWEN](GWEN, "Mae'r gofalwyr yn newid bob wythnos")
    await send[PIOTR](PIOTR, "Wizyty są za krótkie.")
    await send[AYESHA](AYESHA, "شام کی ملاقات بہتر ہوگی")
    got = await post.collect()
    for address, (_, speaker) in people.items():
        thanks = speaker.fragment(
            "Thank you. We have your comment on {code}. Its number is {number}."
        )
        assert thanks in _one(got, address)

    # A question in Polish, answered by a lead; the answer reaches everyone in their language.
    await send[PIOTR](PIOTR, f"{POLISH.word(Command.QUESTION)} Kiedy zacznie się nowy grafik?")
    got = await post.collect()
    thanks = POLISH.fragment("Thank you. Your question to {code} is number {number}.")
    assert thanks in _one(got, PIOTR)
    async with sessions() as session:
        asked = await session.scalar(select(Question))
    async with transaction(sessions) as session:
        await answer_question(session, asked, "The new rota starts in January.", now=clock.now())
    got = await post.collect()
    for address, (_, speaker) in people.items():
        text = "\n".join(m.text for m in got[address])
        assert speaker.says("The answer from the leads:") in text
        assert "The new rota starts in January." in text

    # An English speaker asks for Welsh by its own name, and is answered in Welsh.
    ema = await add_person(sessions, "Ema", phone=EMA)
    await post.sms(EMA, "LANGUAGE CYMRAEG")
    got = await post.collect()
    switched = WELSH.says("We will write to you in {language} from now on.", language="Cymraeg")
    assert switched in _one(got, EMA)
    async with sessions() as session:
        assert (await session.get(Contributor, ema.id)).language == "cy"


def test_email_to_an_urdu_speaker_is_marked_right_to_left() -> None:
    channel = EmailChannel(EmailSettings(smtp_host="127.0.0.1", email_from="C <c@example.org>"))
    message = OutboundMessage(
        outbox_id=1,
        channel=ChannelName.EMAIL,
        address=BILAL,
        body=URDU.says("Sorry, we did not understand that."),
        language="ur",
        subject="CARE1",
    )
    email = BytesParser(policy=policy.default).parsebytes(bytes(channel.build(message)))
    plain, html = (part.get_content() for part in email.iter_parts())
    assert plain.strip() == URDU.says("Sorry, we did not understand that.")
    assert '<html lang="ur" dir="rtl">' in html
    assert email["Content-Language"] == "ur"


@pytest.mark.parametrize("speaker", [WELSH, POLISH, URDU], ids=["cy", "pl", "ur"])
def test_every_count_is_written_in_the_persons_language(speaker: Speaker) -> None:
    singular = "If you cannot come, you can still send comments for {days} day after it."
    plural = "If you cannot come, you can still send comments for {days} days after it."
    for days in (0, 1, 2, 3, 4, 5, 6, 7, 11, 21, 22, 100):
        written = speaker.t.ngettext(singular, plural, days).format(days=days)
        assert written not in (singular.format(days=days), plural.format(days=days)), days
        assert str(days) in written


def test_welsh_has_all_six_plural_forms() -> None:
    with (ROOT / "locales" / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        assert read_po(po_file, locale="cy").num_plurals == 6
