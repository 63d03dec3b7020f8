"""The whole story of one project, through the real adapters and local peers, with the clock
under the test's control: an email-only, an SMS-only and a Telegram-only contributor, one who
cannot come to meetings, two leads, and a late joiner. Over the whole story nobody is sent
another person's contact details, and nothing logged carries a secret or, at INFO, an address."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channels.base import ChannelName
from channels.gsm import count_segments
from flows.briefs import publish_brief
from flows.membership import invite_members
from flows.times import local_time
from flows.windows import add_project_meeting, extend_comment_window
from storage.db import transaction
from storage.models import (
    Comment,
    CommentWindow,
    Declaration,
    LeadKind,
    Membership,
    MembershipStatus,
    Question,
    QuestionDirection,
    QuestionResponse,
    Sharing,
    WindowExtension,
)
from storage.projects import create_project, find_project
from tests.helpers import add_person
from tests.live import SECRETS, SMTP_LOGIN, live_service
from tests.log_scan import everything_said
from tests.people_kit import PostOffice
from tests.privacy import contact_leaks, deliveries_at, read_directory

LEE = "lee@council.example"  # staff lead, email
# Telegram chat ids as long as real ones, so that one found in a message is not a chance match.
JO = "6120057001"  # joint lead chosen from the contributors, Telegram
EMA = "ema@example.net"  # email only
SAM = "+447700900101"  # SMS only, on a basic phone
TOM = "6120057003"  # Telegram only
CAL = "+447700900102"  # cannot come to meetings; SMS, with email too
CAL_EMAIL = "cal@example.net"
DEE = "6120057004"  # joins late, on Telegram

BRIEF = """# Better home care

We want to make home care visits fairer and more reliable for older people in Millbrook.
We will meet three times and write a plan with you.

## What we ask
Tell us what works, what does not, and what you would change.
"""


@pytest.fixture
async def town(database_url, clock):
    """The service on its local peers, with everything it says kept (tests/log_scan.py)."""
    with everything_said() as said:
        async with live_service(
            database_url, clock, inbound_smtp=True, smtp_login=SMTP_LOGIN
        ) as live:
            yield live, PostOffice(live), said


async def _lead_action(live, action):  # type: ignore[no-untyped-def]
    async with transaction(live.services.sessions) as session:
        project = await find_project(session, "CARE1")
        return await action(session, project)


def _one(got, address):  # type: ignore[no-untyped-def]
    assert address in got, f"nothing reached {address}"
    assert len(got[address]) == 1, [m.text for m in got[address]]
    return got[address][0]


async def test_a_mixed_group_runs_a_whole_project(town, capfd) -> None:
    live, post, said = town
    sessions, clock = live.services.sessions, live.clock
    lee = await add_person(sessions, "Lee", email=LEE)
    jo = await add_person(sessions, "Jo", telegram=JO)
    people = [
        await add_person(sessions, "Ema", email=EMA),
        await add_person(sessions, "Sam", phone=SAM),
        await add_person(sessions, "Tom", telegram=TOM),
        await add_person(sessions, "Cal", phone=CAL, email=CAL_EMAIL, preferred=ChannelName.SMS),
    ]
    async with transaction(sessions) as session:
        project = await create_project(
            session,
            code="CARE1",
            title="Home care in Millbrook",
            leads=[(lee, LeadKind.STAFF), (jo, LeadKind.CONTRIBUTOR)],
            now=clock.now(),
            sharing=Sharing.OPEN,
        )
        await invite_members(session, project, people, clock.now())

    # Invited: each on their own channel, with how to join.
    got = await post.collect()
    for address in (EMA, SAM, TOM, CAL):
        assert "Reply JOIN CARE1 to join." in _one(got, address).text
    assert _one(got, EMA).reply_to is not None

    # Everyone joins, by their own channel and in their own way, and declares nothing.
    await post.email(EMA, "join")
    await post.sms(SAM, "JOIN CARE1")
    await post.telegram(TOM, "/join")
    await post.sms(CAL, "Join.")
    got = await post.collect()
    for address in (EMA, SAM, TOM, CAL):
        assert "We call this an interest, and we ask everyone." in _one(got, address).text
    assert len(got[LEE]) == 4 and len(got[JO]) == 4  # the leads hear of each new member
    for send, address in (
        (post.email, EMA),
        (post.sms, SAM),
        (post.telegram, TOM),
        (post.sms, CAL),
    ):
        await send(address, "NONE")
    got = await post.collect()
    assert "nothing to declare for CARE1" in _one(got, SAM).text
    assert len(got[LEE]) == 4

    # The brief: whole by email and Telegram, the summary within two segments by SMS.
    await _lead_action(
        live,
        lambda s, p: publish_brief(
            s, p, text=BRIEF, summary=None, note=None, alt_formats={}, now=clock.now()
        ),
    )
    got = await post.collect()
    assert "We want to make home care visits fairer" in _one(got, EMA).text
    assert "What we ask" in _one(got, EMA).text and "What we ask" in _one(got, TOM).text
    for number in (SAM, CAL):
        sms = _one(got, number).text
        assert sms.startswith("CARE1 brief: We want to make home care")
        assert "Reply BRIEF CARE1 to get all of it." in sms
        assert count_segments(sms).segments <= 2
    await post.sms(SAM, "brief")  # SMS only: the whole brief comes by SMS
    got = await post.collect()
    assert "What we ask" in got[SAM][0].text

    # A late joiner gets the brief with the invitation, joins and declares an interest.
    dee = await add_person(sessions, "Dee", telegram=DEE)
    await _lead_action(live, lambda s, p: invite_members(s, p, [dee], clock.now()))
    got = await post.collect()
    assert "To take part, reply JOIN CARE1." in _one(got, DEE).text
    await post.telegram(DEE, "join CARE1")
    await post.collect()
    await post.telegram(DEE, "DECLARE I work part time for the care agency")
    got = await post.collect()
    assert "noted your interest" in _one(got, DEE).text
    # Declarations may be health data: the team's lead reads them, the joint lead does not.
    assert "Dee declared an interest in CARE1" in _one(got, LEE).text
    assert "I work part time for the care agency" in _one(got, LEE).text
    assert JO not in got

    # The meeting: everyone is invited with the date written out.
    await _lead_action(
        live,
        lambda s, p: add_project_meeting(
            s,
            p,
            starts_at=local_time("2026-11-25 18:00", p.time_zone),
            minutes=90,
            place="Millbrook Library",
            window_days=None,
            now=clock.now(),
        ),
    )
    got = await post.collect()
    for address in (EMA, SAM, TOM, CAL, DEE, LEE, JO):
        assert "CARE1 meeting: Wednesday 25 November 2026 at 18:00." in _one(got, address).text
    assert "you can still send comments for 7 days" in _one(got, CAL).text

    # The meeting ends; the window opens by itself and everyone is told when it closes.
    clock.advance(days=2, hours=10, minutes=31)  # Wednesday 19:31
    await live.services.scheduler.run_due()
    got = await post.collect()
    for address in (EMA, SAM, TOM, CAL, DEE, LEE, JO):
        text = _one(got, address).text
        assert "Comments on CARE1 are open until Wednesday 2 December 2026 at 19:30." in text

    # Comments arrive by every channel; Tom chooses to be named.
    await post.email(EMA, "Visits are often cut short.")
    await post.sms(SAM, "The carers change every week")
    await post.telegram(TOM, "NAME ME")
    await post.telegram(TOM, "Please give us a phone number that answers")
    await post.sms(CAL, "I could not come. Evening visits are too late for my dad.")
    got = await post.collect()
    assert "Its number is" in _one(got, EMA).text
    assert "without your name" in _one(got, SAM).text
    assert any(m.text.endswith("Reply ANONYMOUS to share it without.") for m in got[TOM])

    # The daily digest: anonymous except where the author chose to be named.
    clock.advance(days=1)
    await live.services.scheduler.run_due()
    got = await post.collect()
    digest = _one(got, DEE).text
    assert "4 new comments on CARE1 since yesterday:" in digest
    assert "Tom: Please give us a phone number that answers" in digest
    assert "A member: The carers change every week" in digest
    assert "Sam" not in digest and SAM not in digest and EMA not in digest

    # A contributor's question, answered by a lead over email and broadcast to all.
    await post.sms(SAM, "QUESTION When will the new rota start?")
    got = await post.collect()
    assert "Your question to CARE1 is number" in _one(got, SAM).text
    notice = _one(got, LEE).text
    assert "When will the new rota start?" in notice
    async with sessions() as session:
        asked = await session.scalar(select(Question).where(Question.asked_by == people[1].id))
    await post.email(LEE, f"ANSWER {asked.id} The new rota starts in January.")
    got = await post.collect()
    assert "Your question" in _one(got, SAM).text and "starts in January" in got[SAM][0].text
    for address in (EMA, TOM, CAL, DEE, LEE, JO):
        assert "The new rota starts in January." in _one(got, address).text

    # A lead's question to the group; a plain reply is kept as a response to it.
    await post.telegram(JO, "ASK CARE1 Would an evening meeting suit you better?")
    got = await post.collect()
    assert "Would an evening meeting suit you better?" in _one(got, EMA).text
    await post.email(EMA, "Yes, after six is easier for me.")
    got = await post.collect()
    assert "We have your answer to question" in _one(got, EMA).text
    async with sessions() as session:
        responses = (await session.scalars(select(QuestionResponse))).all()
        group_question = await session.scalar(
            select(Question).where(Question.direction == QuestionDirection.TO_GROUP)
        )
    assert [(r.text, r.question_id) for r in responses] == [
        ("Yes, after six is easier for me.", group_question.id)
    ]

    # Tom leaves mid-way: recorded, confirmed, and the leads are told at once.
    await post.telegram(TOM, "LEAVE CARE1 I have started a new job")
    got = await post.collect()
    assert "You have left CARE1." in _one(got, TOM).text
    for lead in (LEE, JO):
        text = _one(got, lead).text
        assert "Tom left CARE1" in text and "I have started a new job" in text

    # STOP on SMS stops SMS only: Cal still hears by email.
    await post.sms(CAL, "STOP")
    got = await post.collect()
    assert "You will get no more texts from us." in _one(got, CAL).text

    # An extension with its reason; the old reminder is replaced by one for the new close.
    await _lead_action(
        live,
        lambda s, p: extend_comment_window(
            s,
            p,
            until=local_time("2026-12-04 19:30", p.time_zone),
            reason="Several people asked for more time after the holiday.",
            now=clock.now(),
        ),
    )
    got = await post.collect()
    assert TOM not in got and CAL not in got
    for address in (EMA, SAM, DEE, CAL_EMAIL):
        text = _one(got, address).text
        assert "until Friday 4 December 2026 at 19:30" in text
        assert "Several people asked for more time after the holiday." in text
    clock.advance(days=4, hours=23)  # Monday 30 Nov 19:31: the old reminder time has passed
    await live.services.scheduler.run_due()
    assert await post.collect() == {}
    clock.advance(days=2)  # Wednesday 2 December 19:31: two days before the new close
    await live.services.scheduler.run_due()
    got = await post.collect()
    assert "Two days left" in _one(got, SAM).text and "Two days left" in _one(got, CAL_EMAIL).text

    # The close: every comment to every member, anonymous where it should be.
    clock.advance(days=2)
    await live.services.scheduler.run_due()
    got = await post.collect()
    assert TOM not in got and CAL not in got
    for address in (EMA, SAM, DEE, CAL_EMAIL, LEE, JO):
        digest = _one(got, address).text
        assert "We had 4 comments:" in digest
        assert "Tom: Please give us a phone number that answers" in digest
        assert "A member: Visits are often cut short." in digest

    # A comment after the close is kept, acknowledged and marked late.
    await post.sms(SAM, "One more thing: weekend visits are worse")
    got = await post.collect()
    assert "but we have kept yours" in _one(got, SAM).text

    async with sessions() as session:
        comments = (await session.scalars(select(Comment).order_by(Comment.id))).all()
        window = await session.scalar(select(CommentWindow))
        extension = await session.scalar(select(WindowExtension))
        left = await session.scalar(
            select(Membership).where(Membership.status == MembershipStatus.LEFT)
        )
        declarations = (await session.scalars(select(Declaration))).all()
    assert sorted((c.text[:12], c.channel, c.is_named, c.is_late) for c in comments) == [
        ("I could not ", "sms", False, False),
        ("One more thi", "sms", False, True),
        ("Please give ", "telegram", True, False),
        ("The carers c", "sms", False, False),
        ("Visits are o", "email", False, False),
    ]
    assert window.closed_at is not None and extension.reason.startswith("Several people")
    assert left.contributor_id == people[2].id and left.leave_reason == "I have started a new job"
    assert sorted(d.has_interest for d in declarations) == [False] * 4 + [True]

    # Nobody was ever sent anyone else's address, number, chat id or reply token.
    deliveries = deliveries_at(live)
    assert len(deliveries) > 100
    directory = await read_directory(sessions)
    assert contact_leaks(directory, deliveries) == []

    # Nothing said on the way, at any level, gave a secret away; at INFO, nobody's address.
    said.output = "".join(capfd.readouterr())
    assert len(said.lines) > 1000
    assert said.secrets_found(SECRETS + tuple(directory.reply_tokens)) == []
    assert said.contact_details_at_info(directory.addresses) == []
