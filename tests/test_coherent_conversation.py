"""The pilot that found the muddle, run again: two meetings a day apart, nine contributors in
four languages, on the real channels and local peers, with the clock under the test's
control. It must read as one conversation: one window, one closing date, one reminder, one
closing digest that counts every comment, digests at the project's digest time, nothing
sent at night, questions answered, thanks not filed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from flows.i18n import format_when
from flows.lead_actions import Actor, answer_question
from flows.membership import invite_members
from flows.times import local_time
from flows.windows import add_project_meeting
from storage.db import transaction
from storage.memberships import join
from storage.models import (
    Comment,
    CommentWindow,
    LeadKind,
    OutboxRow,
    OutboxStatus,
    Question,
    QuestionDirection,
    Sharing,
)
from storage.projects import create_project, find_project
from tests.helpers import add_person
from tests.live import SMTP_LOGIN, live_service
from tests.people_kit import PostOffice

LONDON = ZoneInfo("Europe/London")
LEE = "lee@council.example"  # staff lead, email
JO = "6120057201"  # joint lead, Telegram
# (name, language, channel, address)
MEMBERS = [
    ("Ema", "en", "email", "ema@example.net"),
    ("Sam", "en", "sms", "+447700900301"),
    ("Gwen", "cy", "sms", "+447700900302"),
    ("Dafydd", "cy", "telegram", "6120057202"),
    ("Krzysztof", "pl", "telegram", "6120057203"),
    ("Ania", "pl", "email", "ania@example.net"),
    ("Ayesha", "ur", "sms", "+447700900303"),
    ("Bilal", "ur", "telegram", "6120057204"),
]
DEE = "6120057205"  # joins while comments are open
# A question in each language, without a question mark: the first word says it asks.
QUESTIONS = {
    "Sam": "Will the new contracts pay carers for travel time",
    "Gwen": "Pam mae'r ymweliadau mor fyr",
    "Krzysztof": "Czy opiekunowie dostaną zwrot za dojazd",
    "Ayesha": "کیا دیکھ بھال کرنے والوں کو سفر کا معاوضہ ملے گا",
}
# Messages nobody asked for at that moment: none of these may go in the quiet hours.
UNASKED = (
    "meeting",
    "window-open",
    "window-extended",
    "window-reminder",
    "digest",
    "close-digest",
    "answer",
    "your-answer",
)


def local(text: str) -> datetime:
    return local_time(text, "Europe/London")


class Pilot:
    def __init__(self, live, post: PostOffice) -> None:  # type: ignore[no-untyped-def]
        self.live, self.post = live, post
        self.clock = live.clock
        self.addresses: dict[str, str] = {}

    async def send(self, name: str, text: str) -> None:
        channel, address = self.channel_of(name)
        await getattr(self.post, channel)(address, text)

    def channel_of(self, name: str) -> tuple[str, str]:
        for member, _language, channel, address in MEMBERS:
            if member == name:
                return channel, address
        raise KeyError(name)

    async def until(self, moment: datetime) -> dict[str, list[str]]:
        """Move the clock an hour at a time (and to ``moment``), running what falls due;
        what arrives at each step must not arrive in the night."""
        got: dict[str, list[str]] = {}
        while self.clock.now() < moment:
            step = min(timedelta(hours=1), moment - self.clock.now())
            self.clock.advance(seconds=step.total_seconds())
            await self.live.services.scheduler.run_due()
            arrived = await self.post.collect()
            hour = self.clock.now().astimezone(LONDON).hour
            if arrived:
                assert 8 <= hour < 21, (self.clock.now(), arrived)
            for address, messages in arrived.items():
                got.setdefault(address, []).extend(m.text for m in messages)
        return got


@pytest.fixture
async def pilot(database_url, clock):  # type: ignore[no-untyped-def]
    async with live_service(database_url, clock, inbound_smtp=True, smtp_login=SMTP_LOGIN) as live:
        yield Pilot(live, PostOffice(live))


async def _kinds(sessions, address_kind: str) -> dict[int, list[OutboxRow]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = (
            await session.scalars(
                select(OutboxRow).where(OutboxRow.kind == address_kind).order_by(OutboxRow.id)
            )
        ).all()
    found: dict[int, list[OutboxRow]] = {}
    for row in rows:
        found.setdefault(row.contributor_id or 0, []).append(row)
    return found


async def test_two_meetings_a_day_apart_make_one_coherent_conversation(pilot) -> None:
    live, post, clock = pilot.live, pilot.post, pilot.clock
    sessions = live.services.sessions
    lee = await add_person(sessions, "Lee", email=LEE)
    jo = await add_person(sessions, "Jo", telegram=JO)
    people = {}
    for name, language, channel, address in MEMBERS:
        where = {"sms": "phone"}.get(channel, channel)
        people[name] = await add_person(sessions, name, language=language, **{where: address})
    async with transaction(sessions) as session:
        project = await create_project(
            session,
            code="CARE",
            title="Home care",
            leads=[(lee, LeadKind.STAFF), (jo, LeadKind.CONTRIBUTOR)],
            now=clock.now(),
            sharing=Sharing.OPEN,
        )
        await invite_members(session, project, list(people.values()), clock.now())
        for person in people.values():
            await join(session, project, person.id, clock.now(), "test")
        # Two night-shift meetings, a day apart, each ending at 05:17.
        for day in ("2026-11-24", "2026-11-25"):
            await add_project_meeting(
                session,
                project,
                starts_at=local(f"{day} 03:47"),
                minutes=90,
                place="Millbrook Library",
                window_days=None,
                now=clock.now(),
            )
    await post.collect()

    # The first meeting ends at 05:17: comments open, but nobody is woken to hear it.
    got = await pilot.until(local("2026-11-24 08:00"))
    first_close = local("2026-12-01 05:17")
    assert (
        "Comments on CARE are open until Tuesday 1 December 2026 at 05:17."
        in (got["ema@example.net"][0])
    )
    for _name, language, _channel, address in MEMBERS:
        assert any(format_when(first_close, language, "Europe/London") in m for m in got[address])

    # Comments, and a question in every language we write: kept as a comment and passed to
    # the leads as a question, so it will be answered.
    for name, text in QUESTIONS.items():
        await pilot.send(name, text)
    await pilot.send("Ema", "Visits are often cut short.")
    await pilot.send("Bilal", "شام کے دورے بہت دیر سے ہوتے ہیں")
    got = await post.collect()
    assert (
        "It asks a question, so the leads will also answer it in writing."
        in got["+447700900301"][0].text
    )
    async with sessions() as session:
        asked = (
            await session.scalars(
                select(Question).where(Question.direction == QuestionDirection.TO_LEADS)
            )
        ).all()
    assert sorted(q.text for q in asked) == sorted(QUESTIONS.values())

    # The second meeting ends while comments are open: the one window stays open until a
    # week after it, and everyone hears the one new date, once, in the morning.
    got = await pilot.until(local("2026-11-25 08:00"))
    final_close = local("2026-12-02 05:17")
    assert (
        "After the latest meeting, comments on CARE are now open until "
        "Wednesday 2 December 2026 at 05:17." in got["ema@example.net"]
    )
    for _name, language, _channel, address in MEMBERS:
        said = [m for m in got[address] if format_when(final_close, language, "Europe/London") in m]
        assert len(said) == 1, got[address]
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CommentWindow)) == 1

    # Someone who joins now is told the window is open and until when.
    dee = await add_person(sessions, "Dee", telegram=DEE)
    async with transaction(sessions) as session:
        await invite_members(session, await find_project(session, "CARE"), [dee], clock.now())
    await post.collect()
    await post.telegram(DEE, "JOIN CARE")
    got = await post.collect()
    assert any(
        "Comments on CARE are open now, until Wednesday 2 December 2026 at 05:17." in m.text
        for m in got[DEE]
    )

    # The leads answer the four questions; each asker hears, and so does everyone.
    async with transaction(sessions) as session:
        for question in asked:
            await answer_question(
                session, Actor.lead(lee.id), question.id, "Yes, from April.", now=clock.now()
            )
    got = await post.collect()
    for name in QUESTIONS:
        assert any("Yes, from April." in m.text for m in got[pilot.channel_of(name)[1]])
    await pilot.send("Dafydd", "Mae angen mwy o amser gyda phob person")
    await pilot.send("Ania", "Opiekunki powinny mieć więcej czasu")
    await post.collect()

    # To the close, and the morning after it.
    got = await pilot.until(local("2026-12-02 12:00"))
    reminders = await _kinds(sessions, "window-reminder")
    closing = await _kinds(sessions, "close-digest")
    digests = await _kinds(sessions, "digest")
    opened = await _kinds(sessions, "window-open")
    for person in [*people.values(), dee]:
        assert len(reminders.get(person.id, [])) == 1
        assert len(closing.get(person.id, [])) == 1
        if person is not dee:
            assert len(opened.get(person.id, [])) == 1
    for rows in digests.values():
        for row in rows:
            assert row.sent_at is not None
            assert row.sent_at.astimezone(LONDON).strftime("%H:%M") == "10:00"
    closing_digest = next(m for m in got["ema@example.net"] if "closed on" in m)
    assert "Comments on CARE closed on Wednesday 2 December 2026 at 05:17." in closing_digest
    assert "We had 8 comments:" in closing_digest
    assert "No comments were sent" not in closing_digest

    # After the close, thanks are acknowledged kindly and not filed as a late comment.
    await pilot.send("Gwen", "Diolch yn fawr am bopeth")
    await pilot.send("Ema", "Thanks! 👍")
    got = await post.collect()
    assert len(got["+447700900302"]) == 1 and len(got["ema@example.net"]) == 1
    assert got["ema@example.net"][0].text.startswith("Thank you for your message.")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Comment)) == 8
        unsent = await session.scalar(
            select(func.count()).select_from(OutboxRow).where(OutboxRow.status != OutboxStatus.SENT)
        )
    assert unsent == 0

    # Nothing unasked went out in the night, by the times the service recorded.
    for kind in UNASKED:
        for rows in (await _kinds(sessions, kind)).values():
            for row in rows:
                hour = row.sent_at.astimezone(LONDON).hour if row.sent_at else None
                assert hour is not None and 8 <= hour < 21, (kind, row.sent_at)
