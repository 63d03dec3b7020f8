"""A tour of every message coproduce writes, rendered by the real flows with realistic values.

One contributor (Ann), the lead (Lee), another member (Bea) and a stranger all use one channel
and one language; the tour takes a project from invitation to the last digest, through every
refusal and numbered choice, and keeps what each step sent. The plain-language, SMS-length and
email checks read these samples, so they check what people really receive.

:func:`uncovered` names catalog entries that no sample shows, so a new message cannot slip
past the checks by never being rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.messages.pofile import read_po
from sqlalchemy import func, select

from channels.base import ChannelName, InboundEvent, OutboundMessage
from channels.markdown import to_plain
from flows import (
    lead_actions,
    lead_meetings,
    lead_polls,
    lead_responsibility,
    lead_reviews,
    lead_talk,
    sharing,
)
from flows.announcements import read_audience
from flows.briefs import publish_brief
from flows.closing import close_project, reopen_project
from flows.i18n import language_name, translator
from flows.keywords import Command, keyword_words
from flows.lead_actions import Actor
from flows.lead_sign_in import request_link
from flows.membership import invite_members
from flows.poll_choices import shape_of, yes_no_words
from flows.review_statements import ok_word, skip_word
from flows.windows import add_project_meeting, open_comment_window
from storage.checks import ItemKind
from storage.comments import add_comment
from storage.db import transaction
from storage.erasure import erase_contributor
from storage.leads import add_lead
from storage.memberships import join
from storage.models import (
    CheckState,
    Comment,
    ContactPoint,
    Contributor,
    InboundMessageRow,
    LeadKind,
    Meeting,
    Membership,
    MembershipStatus,
    Poll,
    Project,
    ProjectStatus,
    Question,
    QuestionDirection,
    QuestionResponse,
    Sharing,
)
from storage.projects import create_project, find_project
from storage.questions import add_question
from storage.reply_tokens import token_for
from tests.bot_fixture import MemoryBot
from tests.helpers import add_person

ROOT = Path(__file__).resolve().parent.parent

BRIEF = """# Better home care

We want home care visits in Millbrook to be fairer and easier to plan. We will meet three
times and write a plan with you.

## What we ask
Tell us what works now, what does not, and what you would change.
"""
MEETING = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # Tuesday, the day after the tour starts
EXTENDED = datetime(2026, 12, 20, 19, 30, tzinfo=UTC)  # the lead gives more time, to this
LATER_MEETING = datetime(2027, 1, 12, 18, 0, tzinfo=UTC)  # after the tour ends
REVIEW_ON = date(2027, 1, 4)  # CARE1's review, a Monday before that meeting
REVIEW_REMINDER = datetime(2027, 1, 4, 9, 1, tzinfo=UTC)
PROJECTS = {
    "CARE1": "Better home care",
    "CARE2": "Day centres",
    "CARE3": "Meals at home",
    "CARE4": "Transport to clinics",
}
# The first brief has audio and a signed video; the second adds easy read and large print,
# so each reader with a need is told once that their format is not ready, and once given it.
FIRST_FORMATS = {
    "audio": "https://example.org/care1-audio.mp3",
    "bsl": "https://example.org/care1-bsl-video",
}
SECOND_FORMATS = {
    "easy-read": "https://example.org/care1-easy-read.pdf",
    "large-print": "https://example.org/care1-large-print.pdf",
}
# The start of a text longer than the channel takes; the rest was cut at the edge.
LONG_COMMENT = "The visits start late most days, and the carers do not know the way."
SECOND_NOTE = "We added the easy read and large print versions."
NOTE = "The first version, for the group to read before we meet."

# Each person's address on each channel.
ADDRESSES = {
    "Ann": {
        ChannelName.SMS: "+447700900001",
        ChannelName.EMAIL: "ann@example.net",
        ChannelName.TELEGRAM: "5001",
    },
    "Bea": {
        ChannelName.SMS: "+447700900002",
        ChannelName.EMAIL: "bea@example.net",
        ChannelName.TELEGRAM: "5002",
    },
    "Lee": {
        ChannelName.SMS: "+447700900009",
        ChannelName.EMAIL: "lee@council.example",
        ChannelName.TELEGRAM: "9001",
    },
    "Eve": {
        ChannelName.SMS: "+447700900005",
        ChannelName.EMAIL: "eve@example.net",
        ChannelName.TELEGRAM: "5005",
    },
    "Stranger": {
        ChannelName.SMS: "+447700900666",
        ChannelName.EMAIL: "stranger@example.com",
        ChannelName.TELEGRAM: "6660",
    },
}
# A question with no question mark, and thanks, in each language we write.
ASKING = {
    "en": "Will there be visits in the evening",
    "cy": "Pam mae'r ymweliadau mor hwyr",
    "pl": "Czy będą wizyty wieczorem",
    "ur": "کیا شام کو بھی دورے ہوں گے",
}
THANKS = {"en": "Thanks!", "cy": "Diolch yn fawr", "pl": "Dziękuję bardzo", "ur": "بہت شکریہ"}
CAL_PHONE, CAL_EMAIL = "+447700900003", "cal@example.net"
DEE_PHONE, DEE_CHAT = "+447700900004", "5004"
WYN_PHONE = "+447700900006"


@dataclass(frozen=True)
class Sample:
    """One message as it reached someone, and the step of the tour that sent it."""

    step: str
    channel: ChannelName
    language: str
    address: str
    body: str
    subject: str | None
    choices: tuple[str, ...]


class Tour:
    def __init__(self, bot: MemoryBot, channel: ChannelName, language: str) -> None:
        self.bot = bot
        self.channel = channel
        self.language = language
        self.t = translator(language)
        self.words = keyword_words(self.t)
        self.samples: list[Sample] = []
        self.people: dict[str, Contributor] = {}
        self._tokens: dict[str, str] = {}

    def address(self, name: str) -> str:
        return ADDRESSES[name][self.channel]

    def word(self, command: Command) -> str:
        return self.words[command]

    async def keep(self, step: str) -> list[Sample]:
        """Send everything due and keep it as this step's samples."""
        got = [self._sample(step, message) for message in await self.bot.delivered()]
        self.samples.extend(got)
        return got

    def _sample(self, step: str, message: OutboundMessage) -> Sample:
        if message.reply_token:
            self._tokens[message.address] = message.reply_token
        # As the person reads it: written out plain where it is Markdown (links and all), and
        # for an email the footer every email ends with.
        body = to_plain(message.body) if message.markdown else message.body
        if message.footer:
            body = f"{body}\n\n{message.footer.text}"
        return Sample(
            step,
            message.channel,
            message.language,
            message.address,
            body,
            message.subject,
            message.choices,
        )

    async def says(
        self, name: str, text: str, step: str, *, sender: str | None = None, **read: Any
    ) -> list[Sample]:
        """``name`` writes; ``sender`` is another From address using their reply token, and
        ``read`` what the channel made of it (attachments, cut_from, unquoted_text, an event
        such as an edit)."""
        address = self.address(name)
        token = self._tokens.get(address) if self.channel == ChannelName.EMAIL else None
        if self.channel == ChannelName.EMAIL and token is None and name in self.people:
            async with transaction(self.bot.sessions) as session:
                token = await token_for(session, self.people[name].id, None, self.bot.clock.now())
        await self.bot.send_in(self.channel, sender or address, text, token=token, **read)
        return await self.keep(step)

    async def later(self, step: str, **delta: float) -> list[Sample]:
        self.bot.clock.advance(**delta)
        await self.bot.services.scheduler.run_due()
        return await self.keep(step)

    async def at(self, step: str, moment: datetime) -> list[Sample]:
        return await self.later(step, seconds=(moment - self.bot.clock.now()).total_seconds())

    async def person(self, name: str, **extra: object) -> Contributor:
        channel = {
            ChannelName.SMS: "phone",
            ChannelName.EMAIL: "email",
            ChannelName.TELEGRAM: "telegram",
        }[self.channel]
        found = await add_person(
            self.bot.sessions,
            name,
            **{channel: self.address(name), **extra},  # type: ignore[arg-type]
            language=self.language,
            preferred=self.channel,
        )
        self.people[name] = found
        return found

    async def lead_does(self, step: str, action) -> list[Sample]:  # type: ignore[no-untyped-def]
        async with transaction(self.bot.sessions) as session:
            await action(session, await find_project(session, "CARE1"))
        return await self.keep(step)

    async def run(self) -> list[Sample]:
        await self._set_up()
        await self._invited()
        await self._joined()
        await self._meeting_and_comments()
        await self._leads_at_work()
        await self._meeting_news()
        await self._two_projects()
        await self._leaving()
        await self._responses()
        await self._closing()
        await self._checks()
        await self._open_sharing()
        await self._lead_writes_to_one()
        await self._leads_announce()
        await self._lead_signs_in()
        await self._polls()
        await self._review()
        await self._responsibility()
        return self.samples

    async def _set_up(self) -> None:
        now = self.bot.clock.now
        lee = await self.person("Lee", access_needs=("large-print",))
        await self.person("Ann")
        bea = await self.person("Bea", access_needs=("easy-read",))
        # Cal reads texts but has email too; Dee reads texts and has Telegram too, and Wyn
        # WhatsApp.
        cal, dee, wyn = [
            await add_person(
                self.bot.sessions,
                name,
                phone=phone,
                language=self.language,
                access_needs=(need,),
                preferred=ChannelName.SMS,
                **other,  # type: ignore[arg-type]
            )
            for name, phone, need, other in (
                ("Cal", CAL_PHONE, "audio", {"email": CAL_EMAIL}),
                ("Dee", DEE_PHONE, "bsl", {"telegram": DEE_CHAT}),
                ("Wyn", WYN_PHONE, "audio", {"whatsapp": WYN_PHONE}),
            )
        ]
        async with transaction(self.bot.sessions) as session:
            for code, title in PROJECTS.items():
                await create_project(
                    session,
                    code=code,
                    title=title,
                    leads=[(lee, LeadKind.STAFF)],
                    now=now(),
                    default_language=self.language,
                    sharing=Sharing.OPEN,
                    # CARE1 names who runs it; the others name no one.
                    organisation="Millbrook Council" if code == "CARE1" else None,
                )
            care1 = await find_project(session, "CARE1")
            for person in (bea, cal, dee, wyn):
                await invite_members(session, care1, [person], now())
                await join(session, care1, person.id, now(), "test")
        await self.keep("set-up")

    async def _invited(self) -> None:
        w, now = self.word, self.bot.clock.now
        if self.channel != ChannelName.EMAIL:  # strangers' mail is never answered
            await self.says("Stranger", "Hello, is this the council?", "a stranger writes")
        await self.says("Ann", w(Command.JOIN), "no invitation yet")
        await self.lead_does(
            "invited, before there is a brief",
            lambda s, p: invite_members(s, p, [self.people["Ann"]], now()),
        )
        await self.says("Ann", w(Command.BRIEF), "asks for the brief before there is one")
        await self.says("Ann", f"{w(Command.JOIN)} CARE9", "joins a project that does not exist")
        await self.says("Ann", f"{w(Command.JOIN)} CARE2", "joins a project she is not invited to")
        await self.says("Ann", f"{w(Command.COMMENT)} CARE1 Hello", "comments before joining")
        await self.says("Ann", w(Command.HELP), "asks for help while invited")
        for step, note, formats in (
            ("the brief is published", NOTE, FIRST_FORMATS),
            ("the brief gets more formats", SECOND_NOTE, SECOND_FORMATS),
        ):
            await self.lead_does(
                step,
                lambda s, p, note=note, formats=formats: publish_brief(
                    s, p, text=BRIEF, summary=None, note=note, alt_formats=formats, now=now()
                ),
            )

    async def _joined(self) -> None:
        w = self.word
        await self.says("Ann", w(Command.JOIN), "joins")
        await self.says("Ann", "I am 82 and my eyes are not good.", "writes a note after joining")
        await self.says("Ann", f"{w(Command.JOIN)} CARE1", "joins again")
        await self.says("Ann", w(Command.NONE), "has nothing to declare")
        await self.says("Ann", w(Command.DECLARE), "sends the declare word alone")
        await self.says(
            "Ann", f"{w(Command.DECLARE)} I am a paid carer for my mother", "declares an interest"
        )
        await self.says("Ann", w(Command.BRIEF), "asks for the whole brief")
        await self.bot.send_in(ChannelName.SMS, CAL_PHONE, w(Command.BRIEF))
        await self.keep("asks by text for the brief, and has email")
        await self.bot.send_in(ChannelName.SMS, DEE_PHONE, w(Command.BRIEF))
        await self.keep("asks by text for the brief, and has Telegram")
        await self.bot.send_in(ChannelName.SMS, WYN_PHONE, w(Command.BRIEF))
        await self.keep("asks by text for the brief, and has WhatsApp")
        await self.says("Ann", w(Command.COMMENT), "sends the comment word alone")
        await self.says("Ann", w(Command.QUESTION), "sends the question word alone")
        await self.says("Ann", w(Command.HELP), "asks for help as a member")
        await self.says("Ann", "blue bananas", "sends something we cannot place")
        await self.says(
            "Ann",
            f"{w(Command.COMMENT)} CARE1 The buses do not run on Sundays.",
            "comments before comments open",
        )

    async def _meeting_and_comments(self) -> None:
        w, now = self.word, self.bot.clock.now
        await self.lead_does(
            "a meeting is set",
            lambda s, p: add_project_meeting(
                s,
                p,
                starts_at=MEETING,
                minutes=90,
                place="Millbrook Library",
                window_days=7,
                now=now(),
            ),
        )
        await self.at("the meeting ends and comments open", MEETING + timedelta(minutes=91))
        await self.says("Ann", "The visits are often late and nobody tells me.", "comments")
        await self.says("Ann", w(Command.ANONYMOUS), "asks to stay anonymous")
        await self.says("Ann", w(Command.NAME_ME), "asks to be named")
        await self.says("Ann", "Carers change too often.", "comments, named")
        await self.says("Ann", "", "sends only a picture", attachments=1)
        await self.says(
            "Ann", "This is the letter they sent me.", "sends words and a picture", attachments=1
        )
        await self.says("Ann", LONG_COMMENT, "sends a text too long to keep whole", cut_from=5000)
        if self.channel == ChannelName.EMAIL:
            await self.says(
                "Ann", "I agree.", "a forwarded email is answered", sender="friend@example.org"
            )
        await self.says("Ann", w(Command.HELP), "asks for help while comments are open")
        await self.says(
            "Ann", f"{w(Command.HELP)} at home matters most.", "a comment starts with the help word"
        )
        await self.says("Bea", "More visits at weekends, please.", "another comment")
        await self.says(
            "Bea", "The bus stop is far.", "comments, to change it later", provider_ref="bea-1"
        )
        await self.says(
            "Bea",
            "The bus stop is far from the clinic.",
            "changes her comment",
            event=InboundEvent.EDITED,
            edit_of="bea-1",
        )
        await self.says(
            "Bea", "Help", "changes a message that was not a comment", event=InboundEvent.EDITED
        )
        if self.channel == ChannelName.EMAIL:
            await self.says(
                "Ann",
                "Hi,",
                "an email reply whose own words we cannot tell",
                unquoted_text="Hi,\nThe visits are short.\nComments on CARE1 are open.",
            )
        await self.says("Ann", ASKING[self.language], "asks a question with no question mark")
        await self.says("Ann", THANKS[self.language], "says thanks")
        await self.lead_does(
            "a second meeting is set while comments are open",
            lambda s, p: add_project_meeting(
                s,
                p,
                starts_at=now() + timedelta(hours=1),
                minutes=60,
                place=None,
                window_days=7,
                now=now(),
            ),
        )
        await self.later("a day of comments", days=1)
        await self.says("Bea", "Please send the plan by post too.", "one more comment")
        await self.later("a day with one comment", days=1)

    async def _leads_at_work(self) -> None:
        w = self.word
        await self.says("Lee", w(Command.EXTEND), "lead sends the extend word alone")
        await self.says("Lee", f"{w(Command.EXTEND)} CARE1 2026-12-20", "lead gives no reason")
        await self.says(
            "Lee", f"{w(Command.EXTEND)} CARE1 2026-11-01 Late", "lead gives a date too early"
        )
        await self.says(
            "Lee",
            f"{w(Command.EXTEND)} CARE1 2026-12-20 Many people were away last week",
            "lead extends",
        )
        await self.says(
            "Ann", f"{w(Command.EXTEND)} CARE1 2026-12-24 Why not", "a member tries to extend"
        )
        await self.says(
            "Lee", f"{w(Command.EXTEND)} CARE2 2026-12-24 Why not", "lead extends a closed window"
        )
        await self.says("Ann", f"{w(Command.QUESTION)} Who pays for the taxis?", "asks the leads")
        async with self.bot.sessions() as session:
            question = await session.scalar(select(Question).order_by(Question.id.desc()))
        assert question is not None
        number = question.id
        await self.says("Lee", f"{w(Command.ANSWER)} 999 Yes", "lead answers a question not there")
        await self.says("Lee", w(Command.ANSWER), "lead sends the answer word alone")
        await self.says("Ann", f"{w(Command.ANSWER)} {number} Nobody", "a member tries to answer")
        await self.says(
            "Lee",
            f"{w(Command.ANSWER)} {number} The council pays for the taxis to every meeting.",
            "lead answers",
        )
        await self.says("Lee", w(Command.ASK), "lead sends the ask word alone")
        await self.says(
            "Lee",
            f"{w(Command.ASK)} CARE1 Would an evening meeting suit you better?",
            "lead asks everyone",
        )
        await self.says("Ann", "Yes, after six is best for me.", "answers the leads")
        eve = await self.person("Eve")
        await self.lead_does(
            "invited while comments are open",
            lambda s, p: invite_members(s, p, [eve], self.bot.clock.now()),
        )
        await self.says("Eve", w(Command.JOIN), "joins while comments are open")
        await self.at("two days before comments close", EXTENDED - timedelta(days=2, minutes=-1))
        # The closing digest goes at the first digest time (10:00) after the close.
        await self.at("comments close", EXTENDED + timedelta(hours=14, minutes=31))
        await self.says(
            "Ann", f"{w(Command.COMMENT)} CARE1 I forgot the night visits.", "comments too late"
        )

    async def _meeting_news(self) -> None:
        """A meeting asks who is coming, moves, changes place and is cancelled; a second one
        asks, and Ann answers after it has started."""
        now = self.bot.clock.now
        lead = Actor("test")
        await self.lead_acts(
            "a meeting asks who is coming",
            lambda s: lead_meetings.add_meeting(
                s,
                lead,
                "CARE1",
                starts="2026-12-28 18:00",
                minutes=60,
                place="Millbrook Library",
                window_days=7,
                ask_attendance=True,
                now=now(),
            ),
        )
        asked = await self._latest(Meeting)
        await self.says("Ann", "4", "answers with a number not offered")
        await self.says("Ann", "1", "is coming")
        await self.says("Ann", "3", "is coming, with a need")
        await self.says("Ann", "A ramp at the door, please.", "says what she needs")
        await self.says("Ann", "2", "is not coming after all")
        for step, starts, place, reason in (
            ("the meeting moves", "2026-12-29 18:00", None, "The library is shut that day."),
            ("the meeting moves place", None, "Millbrook Town Hall", "There is more room."),
        ):
            await self.lead_acts(
                step,
                lambda s, starts=starts, place=place, reason=reason: lead_meetings.change_meeting(
                    s, lead, asked, starts=starts, place=place, reason=reason, now=now()
                ),
            )
        await self.lead_acts(
            "the meeting is cancelled",
            lambda s: lead_meetings.cancel_meeting(
                s, lead, asked, reason="The speaker is ill.", now=now()
            ),
        )
        await self.lead_acts(
            "a short meeting soon asks who is coming",
            lambda s: lead_meetings.add_meeting(
                s,
                lead,
                "CARE1",
                starts="2026-12-21 12:00",
                minutes=30,
                place=None,
                window_days=1,
                ask_attendance=True,
                now=now(),
            ),
        )
        await self.later("the short meeting ends", hours=2, minutes=30)
        await self.says("Ann", "1", "answers after the meeting started")
        await self.later("its comments close", days=1, hours=22)

    async def _two_projects(self) -> None:
        w, now = self.word, self.bot.clock.now
        ann = self.people["Ann"]
        async with transaction(self.bot.sessions) as session:
            care2 = await find_project(session, "CARE2")
            await invite_members(session, care2, [ann], now())
            await join(session, care2, ann.id, now(), "test")
            await add_project_meeting(
                session,
                care2,
                starts_at=LATER_MEETING,
                minutes=60,
                place=None,
                window_days=1,
                now=now(),
            )
        await self.keep("joins a second project, which sets a meeting")
        async with transaction(self.bot.sessions) as session:
            for code in ("CARE1", "CARE2"):
                project = await find_project(session, code)
                await open_comment_window(session, project, now=now(), days=1)
        await self.keep("comments open in both projects")
        await self.says("Ann", "The lunch was cold.", "comments, in two projects")
        await self.says("Ann", "2", "picks the project for the comment")
        await self.later("comments close in both", days=1, minutes=1)

        await self.says("Ann", "1", "sends a number with no choice waiting")
        await self.says("Ann", f"{w(Command.QUESTION)} When is the next meeting?", "two projects")
        await self.says("Ann", "7", "picks a number not on the list")
        await self.says("Ann", "1", "picks a project")
        await self.says("Ann", w(Command.LEAVE), "asks to leave, two projects")
        await self.later("waits two days", days=2)
        await self.says("Ann", "2", "answers a choice too late")
        for purpose in (w(Command.BRIEF), f"{w(Command.DECLARE)} My son works there"):
            await self.says("Ann", purpose, f"{purpose}: two projects")
            await self.says("Ann", "2", f"{purpose}: picks")
        async with transaction(self.bot.sessions) as session:
            for code in ("CARE3", "CARE4"):
                await invite_members(session, await find_project(session, code), [ann], now())
        await self.keep("invited to two more projects")
        await self.says("Ann", w(Command.JOIN), "joins, two invitations")
        await self.says("Ann", "2", "picks the project to join")

    async def _leaving(self) -> None:
        w = self.word
        await self.says("Ann", w(Command.LANGUAGE), "asks about languages")
        await self.says("Ann", f"{w(Command.LANGUAGE)} Klingon", "asks for a language we lack")
        await self.says(
            "Ann", f"{w(Command.LANGUAGE)} {language_name(self.language)}", "picks a language"
        )
        await self.says("Ann", f"{w(Command.LEAVE)} CARE2 I am moving away", "leaves with a reason")
        await self.says("Ann", f"{w(Command.LEAVE)} CARE2", "leaves a project she is not in")
        for code in ("CARE1", "CARE4"):
            await self.says("Ann", f"{w(Command.LEAVE)} {code}", "leaves without a reason")
        await self.says("Ann", w(Command.HELP), "asks for help, only invited")
        await self.says("Ann", f"{w(Command.LEAVE)} CARE3", "leaves her last invitation")
        await self.says("Ann", w(Command.HELP), "asks for help in no project")
        await self.says("Ann", f"{w(Command.QUESTION)} Can I come back?", "asks in no project")
        await self.says("Ann", w(Command.STOP), "stops")
        await self.says("Ann", w(Command.START), "starts again")

    async def _responses(self) -> None:
        """Lee answers the comments: Bea is told each outcome; Ann has left, so is not."""
        w = self.word
        async with self.bot.sessions() as session:
            said = (await session.scalars(select(Comment).order_by(Comment.id))).all()
        bea = [c.id for c in said if c.contributor_id == self.people["Bea"].id]
        ann = next(c.id for c in said if c.contributor_id == self.people["Ann"].id)
        respond = w(Command.RESPOND)
        await self.says("Lee", respond, "lead sends the respond word alone")
        await self.says("Lee", f"{respond} 999 adopted Yes", "lead responds to no comment")
        await self.says("Lee", f"{respond} {bea[0]} adopted", "lead gives no reason")
        await self.says("Ann", f"{respond} {bea[0]} adopted Yes", "a member tries to respond")
        for number, words, step in (
            (bea[0], "review", "lead is still thinking"),
            (bea[0], "adopted There will be more visits at weekends.", "lead adopts it"),
            (bea[1], "partly We will post the plan to those who ask.", "lead adopts part"),
            (bea[1], "not We cannot post the plan to everyone.", "lead does not adopt it"),
            (ann, "adopted We will tell you when a visit is late.", "the author has left"),
        ):
            await self.says("Lee", f"{respond} {number} {words}", step)

    async def _closing(self) -> None:
        """Lee closes CARE1, is reminded on the review date, and opens it again for a
        complaint."""
        now = self.bot.clock.now
        await self.lead_does(
            "the project closes",
            lambda s, p: close_project(s, p, review_on=REVIEW_ON, now=now()),
        )
        await self.says(
            "Bea",
            "The bus stop is too far from the clinic.",
            "changes her comment after the close",
            event=InboundEvent.EDITED,
            edit_of="bea-1",
        )
        await self.at("the review date", REVIEW_REMINDER)
        await self.lead_does(
            "the project opens again",
            lambda s, p: reopen_project(
                s, p, reason="A carer wrote to us about the night visits.", now=now()
            ),
        )

    async def _latest(self, model) -> int:  # type: ignore[no-untyped-def]
        async with self.bot.sessions() as session:
            return int(await session.scalar(select(func.max(model.id))))

    async def _checks(self) -> None:
        """CARE5 checks before sharing: Lee (staff) and Bea (a member who co-leads) read what
        Ann sends before the group does; they share, hide or edit it, and Ann may take it
        back or add her name."""
        w, now = self.word, self.bot.clock.now
        ann, bea, lee = self.people["Ann"], self.people["Bea"], self.people["Lee"]
        async with transaction(self.bot.sessions) as session:
            care5 = await create_project(
                session,
                code="CARE5",
                title="Checked comments",
                leads=[(lee, LeadKind.STAFF), (bea, LeadKind.CONTRIBUTOR)],
                now=now(),
                default_language=self.language,
                sharing=Sharing.CHECKED,
            )
            await invite_members(session, care5, [ann], now())
            await join(session, care5, ann.id, now(), "test")
            await open_comment_window(session, care5, now=now(), days=7)
        await self.keep("a project that checks before sharing opens comments")
        approve, hide, withdraw = w(Command.APPROVE), w(Command.HIDE), w(Command.WITHDRAW)
        question_word, answer_word = w(Command.QUESTION), w(Command.ANSWER)

        await self.says("Ann", w(Command.ANONYMOUS), "asks to stay anonymous again")
        await self.says("Ann", "The night visits are too short.", "comments, checked first")
        first = await self._latest(Comment)
        await self.says("Ann", f"{w(Command.NAME_ME)} {first}", "names one earlier comment")
        await self.says("Lee", approve, "lead sends the approve word alone")
        await self.says("Lee", f"{approve} 999", "lead approves a comment not there")
        await self.says("Lee", f"{approve} {question_word} 999", "lead approves no question")
        await self.says("Lee", f"{approve} {answer_word} 999", "lead approves no answer")
        await self.says("Lee", f"{hide} {first}", "lead hides without a reason")
        await self.says("Lee", f"{approve} {first}", "lead approves")
        await self.says("Bea", f"{approve} {first}", "joint lead approves it again")

        await self.says(
            "Ann",
            "My neighbour Mary Evans is left alone all day and has bruises on her arms.",
            "comments about harm",
        )
        harm = await self._latest(Comment)
        await self.says("Lee", f"{hide} {harm} We will ring you about this today.", "lead hides")
        await self.says("Lee", f"{hide} {harm} Again", "lead hides it again")
        await self.says("Ann", f"{withdraw} {harm}", "takes back a hidden comment")

        await self.says("Ann", "The carers never ring before they come.", "comments again")
        edited = await self._latest(Comment)
        await self.lead_acts(
            "lead shares an edited comment",
            lambda s: sharing.redact(
                s, ItemKind.COMMENT, edited, "Carers do not ring first.", now=now()
            ),
        )
        await self.says("Ann", withdraw, "sends the withdraw word alone")
        await self.says("Ann", f"{withdraw} 999", "withdraws what is not hers")
        await self.says("Ann", f"{withdraw} {edited}", "takes back the edited comment")
        await self.says("Ann", f"{withdraw} {edited}", "takes it back again")
        await self.says("Lee", f"{approve} {edited}", "lead approves what was taken back")

        await self.says("Ann", "Please send the rota a week ahead.", "comments, not checked yet")
        late = await self._latest(Comment)
        # The closing digest goes at the first digest time (10:00) after the close.
        await self.later("comments close with one not checked", days=8)
        await self.says("Lee", f"{approve} {late}", "lead approves after the close")
        await self.later("the leads' later approval goes out", minutes=5)
        await self.says("Ann", f"{withdraw} {late}", "takes back one already sent")
        await self.says("Lee", f"{hide} {first} Ann asked us to.", "lead hides one already sent")

        await self.says("Ann", f"{question_word} Who checks the carers?", "asks, checked first")
        asked = await self._latest(Question)
        await self.says("Lee", f"{answer_word} {asked} The council does.", "answers too soon")
        await self.says("Ann", f"{w(Command.NAME_ME)} {question_word} {asked}", "names a question")
        await self.says("Lee", f"{approve} {question_word} {asked}", "lead approves a question")
        await self.says("Ann", f"{question_word} Why was Dr Price rude to me?", "asks again")
        hidden = await self._latest(Question)
        await self.says(
            "Lee",
            f"{hide} {question_word} {hidden} We will answer you alone.",
            "lead hides a question",
        )
        await self.says(
            "Lee", f"{answer_word} {hidden} We are sorry. We will look into it.", "answers alone"
        )
        await self.says("Ann", f"{question_word} Can my son Tom Baker come too?", "asks a third")
        third = await self._latest(Question)
        await self.lead_acts(
            "lead shares an edited question",
            lambda s: sharing.redact(
                s, ItemKind.QUESTION, third, "Can family come too?", now=now()
            ),
        )

        await self.says(
            "Lee", f"{w(Command.ASK)} CARE5 Which day suits you best?", "lead asks, checked"
        )
        await self.says("Ann", "Any day. Ring me on 07700 900123.", "answers with her number")
        reply = await self._latest(QuestionResponse)
        await self.says(
            "Lee",
            f"{hide} {answer_word} {reply} It has your phone number.",
            "lead hides an answer",
        )
        await self.says(
            "Lee", f"{w(Command.ASK)} CARE5 Where could we meet?", "lead asks again, checked"
        )
        await self.says("Ann", "At my house, 14 Elm Road.", "answers with an address")
        second = await self._latest(QuestionResponse)
        await self.lead_acts(
            "lead shares an edited answer",
            lambda s: sharing.redact(s, ItemKind.REPLY, second, "At my house.", now=now()),
        )

    async def _open_sharing(self) -> None:
        """CARE5 now shares at once: a question still goes to the leads, without her name
        for the member who co-leads."""
        w, now = self.word, self.bot.clock.now
        await self.lead_acts(
            "the leads stop checking first",
            lambda s: self._set_sharing(s, Sharing.OPEN, now()),
        )
        await self.says("Ann", f"{w(Command.QUESTION)} Is there parking?", "asks, shared at once")

    async def _lead_writes_to_one(self) -> None:
        """A lead answers, from the inbox, the last message of a member still in CARE1."""
        async with self.bot.sessions() as session:
            last = await session.scalar(
                select(func.max(InboundMessageRow.id))
                .join(ContactPoint, ContactPoint.id == InboundMessageRow.contact_point_id)
                .join(Membership, Membership.contributor_id == ContactPoint.contributor_id)
                .join(Project, Project.id == Membership.project_id)
                .where(Project.code == "CARE1", Membership.status == MembershipStatus.JOINED)
            )
        await self.lead_acts(
            "lead writes to the member who sent it",
            lambda s: lead_actions.reply_to_message(
                s,
                Actor("test"),
                "CARE1",
                last,
                "Thank you. We will call you.",
                now=self.bot.clock.now(),
            ),
        )

    async def _leads_announce(self) -> None:
        """The leads write to everyone; Bea answers them; a new brief changes no format."""
        now = self.bot.clock.now
        await self.later("a week later, no question waits for a reply", days=8)
        await self.lead_acts(
            "the leads write to everyone",
            lambda s: lead_talk.announce(
                s,
                Actor("test"),
                "CARE1",
                read_audience(["all"]),
                "The next meeting will be at the Town Hall.",
                now=now(),
            ),
        )
        await self.says(
            "Bea", "I will need the lift at the Town Hall.", "answers the leads' message"
        )
        await self.lead_does(
            "a new brief changes no format and has no note",
            lambda s, p: publish_brief(
                s, p, text=BRIEF, summary=None, note=None, alt_formats=SECOND_FORMATS, now=now()
            ),
        )

    async def _lead_signs_in(self) -> None:
        """Lee asks the web workspace for a sign-in link by typing his address (a Telegram
        chat has no address to type, so there the operator prints one and nothing is sent)."""
        if self.channel == ChannelName.TELEGRAM:
            return
        await self.lead_acts(
            "lead asks for a link to sign in",
            lambda s: request_link(
                s,
                self.address("Lee"),
                base_url="https://coproduce.example.org",
                region="GB",
                now=self.bot.clock.now(),
            ),
        )

    async def _polls(self) -> None:
        """Polls in CARE1: Lee sends one by message and closes it early; Bea answers by
        number, by words, in her own words and too late; every kind of result is sent."""
        w, now = self.word, self.bot.clock.now
        poll = w(Command.POLL)
        lee = Actor.lead(self.people["Lee"].id)
        await self.says("Lee", f"{poll} CARE1 Which day suits you? / Monday", "a one-choice poll")
        await self.says(
            "Lee", f"{poll} CARE1 Which day suits you? / Monday / Tuesday", "a lead's poll"
        )
        first = await self._latest(Poll)
        await self.says(
            "Lee", f"{poll} CARE2 Which day suits you? / Monday / Tuesday", "a poll to one member"
        )
        await self.says("Bea", "7", "answers a poll with a number not on the list")
        await self.says("Bea", "Tuesday", "answers a poll by the words of a choice")
        await self.says("Bea", poll, "sends the poll word alone")
        await self.says("Bea", f"{poll} 999 1", "answers a poll that does not exist")
        await self.lead_acts(
            "the lead closes the poll early: one answer",
            lambda s: lead_polls.close_poll(s, lee, first, now=now()),
        )
        await self.says("Bea", "1", "answers the poll after it closed")

        async def create(session, shape, **options):  # type: ignore[no-untyped-def]
            await lead_polls.create_poll(
                session, lee, "CARE1", "Shall we meet online?", shape, now=now(), **options
            )

        yes = yes_no_words(self.t)[0][0]
        for step, shape, options, answers in (
            ("a named yes or no poll that takes own words", shape_of(yes_no=True),
             {"named": True, "allows_other": True}, [("Bea", yes), ("Lee", "Not sure yet")]),
            ("a poll only answered in own words", shape_of(yes_no=True),
             {"allows_other": True}, [("Bea", "Only in the evening")]),
            ("a scale poll with a tie", shape_of(scale="1-3"), {}, [("Bea", "2"), ("Lee", "3")]),
            ("a poll most people agree on", shape_of(choices=["Bus", "Taxi"]), {},
             [("Bea", "1"), ("Lee", "bus")]),
        ):  # fmt: skip
            await self.lead_acts(
                step, lambda s, shape=shape, options=options: create(s, shape, **options)
            )
            number = await self._latest(Poll)
            for name, words in answers:
                await self.says(name, words, f"{step}: {name} answers")
            await self.lead_acts(
                f"{step}: the result",
                lambda s, number=number: lead_polls.close_poll(s, lee, number, now=now()),
            )
        await self.lead_acts(
            "a poll no one answers", lambda s: create(s, shape_of(choices=["Bus", "Taxi"]))
        )
        await self.later("the poll closes on time", days=7, minutes=1)

    async def _review(self) -> None:
        """CARE1's review once it is closed: a first round of one statement of its own, then
        the yearly round of ours. Bea rates, goes off the scale, skips, adds her words and
        starts again named; a panel with Bea signs it off; and what is refused."""
        w, now = self.word, self.bot.clock.now
        review, ok, skip = w(Command.REVIEW), ok_word(self.t), skip_word(self.t)
        lee = Actor.lead(self.people["Lee"].id)
        async with self.bot.sessions() as session:
            care1 = await find_project(session, "CARE1")
        if care1.status != ProjectStatus.CLOSED:
            await self.lead_does(
                "the project closes again",
                lambda s, p: close_project(
                    s, p, review_on=now().date().replace(year=2028), now=now()
                ),
            )
        await self.says("Bea", f"{review} CARE1", "asks to review before any review")
        await self.lead_acts(
            "the leads start a review of one statement of their own",
            lambda s: lead_reviews.start_review(
                s, lee, "CARE1", now=now(), statements=["The meetings were easy to reach."]
            ),
        )
        await self.says("Bea", "5", "rates the only statement")
        await self.says("Bea", skip, "has nothing to add")
        await self.lead_acts(
            "the leads start the yearly review",
            lambda s: lead_reviews.start_review(s, lee, "CARE1", now=now()),
        )
        await self.says("Bea", "4", "rates a statement")
        await self.says("Bea", "9", "rates off the scale")
        await self.says("Bea", "blue bananas", "sends words that are no rating")
        await self.says("Bea", skip, "skips a statement")
        for step in range(3, 8):
            await self.says("Bea", str(step % 5 + 1), f"rates statement {step}")
        await self.says("Bea", "The leads listened to us.", "adds her own words")
        await self.says("Bea", review, "sends the review word alone")
        await self.says("Bea", w(Command.NAME_ME), "asks to be named")
        await self.says("Bea", f"{review} CARE1", "starts the review again")
        for step in range(1, 8):
            await self.says("Bea", "3", f"rates statement {step} again, named")
        await self.says("Bea", skip, "has nothing more to add")
        await self.says("Bea", f"{review} {ok} CARE1", "signs off before there is a panel")
        bea = str(self.people["Bea"].id)
        await self.lead_acts(
            "the leads name the review panel",
            lambda s: lead_reviews.name_panel(s, lee, "CARE1", [bea], now=now()),
        )
        await self.says("Bea", f"{review} {ok} CARE1 A fair picture.", "signs off the review")
        await self.says("Lee", f"{review} {ok} CARE1", "a lead signs off the review")
        await self.says("Lee", f"{review} CARE1", "a lead answers the review")
        await self.later("the review closes", days=14, minutes=1)
        await self.says("Lee", "4", "rates after the review closed")

    async def _responsibility(self) -> None:
        """Lee is named for the response to a comment of Bea's, and Eve (made a lead) for the
        answer to Bea's question: each is told, reminded the day before, and the day after
        every lead hears the day passed; Eve is erased first, so no one is named for hers."""
        now = self.bot.clock.now
        lee, eve, bea = (self.people[name] for name in ("Lee", "Eve", "Bea"))
        async with transaction(self.bot.sessions) as session:
            project = await find_project(session, "CARE1")
            await add_lead(session, project, eve, LeadKind.STAFF, now=now(), actor="test")
            comment = await add_comment(
                session, project_id=project.id, window_id=None, contributor_id=bea.id,
                channel=self.channel, text="The carers need more time.", is_late=True,
                is_named=False, inbound_message_id=None, now=now(),
            )  # fmt: skip
            question = await add_question(
                session, project_id=project.id, direction=QuestionDirection.TO_LEADS,
                asked_by=bea.id, text="Who trains the carers?", channel=self.channel, now=now(),
            )  # fmt: skip
            question.check_state = CheckState.SHARED
        zone = ZoneInfo("Europe/London")
        due_on = now().astimezone(zone).date() + timedelta(days=3)
        await self.lead_acts(
            "a lead is named for a response",
            lambda s: lead_responsibility.assign_comment(
                s, Actor.lead(lee.id), comment.id, str(lee.id), due_on=due_on, now=now()
            ),
        )
        await self.lead_acts(
            "a lead is named for an answer",
            lambda s: lead_responsibility.assign_question(
                s, Actor.lead(lee.id), question.id, str(eve.id), due_on=due_on, now=now()
            ),
        )
        day_before = datetime.combine(due_on - timedelta(days=1), time(10, 1), zone)
        await self.at("the day before a response is due", day_before)
        await self.lead_acts(
            "the lead named for an answer is erased",
            lambda s: erase_contributor(s, eve.id, actor="test", now=now()),
        )
        await self.at("the day after a response was due", day_before + timedelta(days=2))

    @staticmethod
    async def _set_sharing(session, mode: Sharing, now: datetime) -> None:  # type: ignore[no-untyped-def]
        await sharing.set_sharing(
            session, await find_project(session, "CARE5"), mode, now=now, actor="test"
        )

    async def lead_acts(self, step: str, action) -> list[Sample]:  # type: ignore[no-untyped-def]
        async with transaction(self.bot.sessions) as session:
            await action(session)
        return await self.keep(step)


async def tour(bot: MemoryBot, channel: ChannelName, language: str) -> list[Sample]:
    return await Tour(bot, channel, language).run()


# Catalog entries that are lists of words to recognise, not words anyone is sent.
WORD_LISTS = frozenset({"keyword", "question words", "small talk", "poll-word"})


def catalog_entries() -> list[tuple[str, str | None]]:
    """Every (msgid, context) in the template, but the command words."""
    with (ROOT / "locales" / "messages.pot").open("rb") as template:
        catalog = read_po(template)
    return [
        (message.id if isinstance(message.id, str) else message.id[0], message.context)
        for message in catalog
        if message.id and message.context not in WORD_LISTS
    ]


def uncovered(samples: list[Sample]) -> list[str]:
    """English catalog entries whose words appear in no sample (subject or body)."""
    texts = "\n".join(f"{s.subject or ''}\n{s.body}" for s in samples)
    flat = " ".join(texts.split())
    missing = []
    for msgid, _context in catalog_entries():
        pieces = [" ".join(p.split()) for p in re.split(r"\{[a-z_]+\}", msgid)]
        if not all(piece.strip() in flat for piece in pieces if piece.strip()):
            missing.append(msgid)
    return missing
