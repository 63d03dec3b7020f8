"""The pilot's story, through the real adapters and local peers: a comment naming a carer and
giving a street address is held, the staff lead is alerted by text without its words, the
digest says one is being checked, an edited version is shared, and the project record shows
only the edited version. Nobody but the leads ever reads the original."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from flows import sharing
from flows.membership import invite_members
from flows.record import project_record
from flows.record_render import FORMATS, render
from flows.windows import open_comment_window
from storage.checks import ItemKind
from storage.db import transaction
from storage.memberships import join
from storage.models import CheckState, Comment, LeadKind, Question
from storage.projects import create_project, find_project
from tests.helpers import add_person
from tests.live import SMTP_LOGIN, live_service
from tests.people_kit import PostOffice
from tests.test_lifecycle import _one

LEE = "+447700900201"  # the staff lead, on a basic phone
JO = "6120057101"  # the joint lead, a contributor, on Telegram
EMA = "ema@example.net"  # wrote the comment, by email
SAM = "+447700900202"
TOM = "6120057102"
KRZYSZTOF = "6120057103"  # asks a question, not named
SAID = "the carer from BrightCare, Susan Jones, shouted at my dad at 14 Elm Road"
SHARED = "A carer from an agency shouted at my dad at home."
PRIVATE = ("Susan", "Jones", "Elm Road", "shouted at my dad at 14")


@pytest.fixture
async def town(database_url, clock):
    async with live_service(database_url, clock, inbound_smtp=True, smtp_login=SMTP_LOGIN) as live:
        yield live, PostOffice(live)


def _only(got, address) -> str:  # type: ignore[no-untyped-def]
    return _one(got, address).text


async def test_the_pilot_comment_is_held_checked_and_shared_only_as_edited(town) -> None:
    live, post = town
    sessions, clock = live.services.sessions, live.clock
    lee = await add_person(sessions, "Lee Staff", phone=LEE)
    jo = await add_person(sessions, "Jo Parry", telegram=JO)
    members = [
        await add_person(sessions, "Ema Price", email=EMA),
        await add_person(sessions, "Sam Hill", phone=SAM),
        await add_person(sessions, "Tom Reed", telegram=TOM),
        await add_person(sessions, "Krzysztof Nowak", telegram=KRZYSZTOF),
    ]
    async with transaction(sessions) as session:
        project = await create_project(
            session,
            code="CARE1",
            title="Home care in Millbrook",
            leads=[(lee, LeadKind.STAFF), (jo, LeadKind.CONTRIBUTOR)],
            now=clock.now(),
        )
        assert project.sharing == "checked"  # the service's default
        await invite_members(session, project, members, clock.now())
        for person in members:
            await join(session, project, person.id, clock.now(), "test")
        await open_comment_window(session, project, now=clock.now(), days=7)
    await post.collect()
    everyone_else: list[tuple[str, str]] = []  # what reached someone who is not a lead

    def keep(got):  # type: ignore[no-untyped-def]
        for address, received in got.items():
            if address not in (LEE, JO):
                everyone_else.extend((address, m.text) for m in received)
        return got

    # Ema's comment is held; she is told it will be read first, and never that it is shared.
    await post.email(EMA, SAID)
    got = keep(await post.collect())
    thanks = _only(got, EMA)
    assert "The leads will read it before it is shared with the group." in thanks
    async with sessions() as session:
        comment = await session.scalar(select(Comment))
    assert comment.check_state == CheckState.WAITING
    assert set(comment.flags) >= {"name", "address"}
    # The staff lead's text alert: which comment, that it may need a safeguarding
    # response, and not one of its words.
    alert = _only(got, LEE)
    assert alert.startswith(f"CARE1: Comment {comment.id} may need a safeguarding response.")
    assert not any(word in alert for word in PRIVATE)
    # The joint lead reads it, but not who wrote it: Ema did not choose to be named.
    to_jo = _only(got, JO)
    assert SAID in to_jo and "from a member" in to_jo and "Ema" not in to_jo
    assert set(got) == {EMA, LEE, JO}

    # Sam's comment is approved by text; Krzysztof's question names him only to the staff lead.
    await post.sms(SAM, "The carers change every week")
    await post.telegram(KRZYSZTOF, "QUESTION Who checks the agency?")
    got = keep(await post.collect())
    async with sessions() as session:
        sams = await session.scalar(select(Comment).where(Comment.id != comment.id))
        question = await session.scalar(select(Question))
    assert any("from Krzysztof Nowak" in m.text for m in got[LEE])
    assert not any("Krzysztof" in m.text for m in got[JO])
    await post.sms(LEE, f"APPROVE {sams.id}")
    got = keep(await post.collect())
    assert _only(got, LEE) == (
        f"Thank you. Comment {sams.id} on CARE1 will be shared with the group."
    )

    # The daily digest shares Sam's comment and counts Ema's as being checked.
    clock.advance(days=1)
    await live.services.scheduler.run_due()
    got = keep(await post.collect())
    digest = _only(got, TOM)
    assert "The carers change every week" in digest
    assert "1 more comment is being checked" in digest

    # The staff lead shares an edited version (typed at the command line, or later in the
    # workspace); Ema is told what the group will read and how to take it back.
    async with transaction(sessions) as session:
        await sharing.redact(session, ItemKind.COMMENT, comment.id, SHARED, now=clock.now())
    got = keep(await post.collect())
    told = _only(got, EMA)
    assert SHARED in told and f"WITHDRAW {comment.id}" in told
    await post.telegram(JO, f"APPROVE QUESTION {question.id}")
    await post.collect()

    # The closing digest (at the digest time after the close) carries the edited version only.
    clock.advance(days=6, hours=1, minutes=1)
    await live.services.scheduler.run_due()
    got = keep(await post.collect())
    closing = next(m.text for m in got[TOM] if "closed" in m.text)
    assert SHARED in closing and "The carers change every week" in closing
    assert "being checked" not in closing

    # The public record, in every format, shows only what was shared; the leads' copy keeps
    # the original beside it.
    async with sessions() as session:
        project = await find_project(session, "CARE1")
        public = await project_record(session, project, now=clock.now())
        leads = await project_record(session, project, for_leads=True, now=clock.now())
    for form in FORMATS:
        text = render(public, form)
        assert "an agency shouted at my dad" in text, form
        assert not any(word in text for word in PRIVATE), form
    assert SAID in render(leads, "md") and SHARED in render(leads, "md")

    # Over the whole story, nobody but the leads read Ema's words or Krzysztof's name.
    for address, text in everyone_else:
        assert not any(word in text for word in PRIVATE), text
        assert address == KRZYSZTOF or "Krzysztof" not in text, text
