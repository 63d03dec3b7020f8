"""Issue 21: the organisation is named. An invitation by text says who asks (the project's
organisation, else COPRODUCE_ORGANISATION); every email ends with a footer in the person's
language (who sends it, how to reach the leads, how to stop) and carries a one-click
unsubscribe link (RFC 8058) that stops email to that address as a typed STOP does."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from channels.base import ChannelName, OutboundMessage
from channels.gsm import count_segments, sms_text
from flows.i18n import translator
from flows.keywords import Command, keyword_words
from flows.membership import invite_members
from flows.questions import ask_group
from storage.db import transaction
from storage.memberships import join
from storage.models import Consent, ContactPoint, Project
from storage.projects import find_project
from storage.reply_tokens import unsubscribe_secret, unsubscribe_token
from tests.axe_kit import axe_violations, describe, require_axe
from tests.bot_fixture import MemoryBot
from tests.browser_kit import drive
from tests.helpers import ManualClock, add_person, add_project
from tests.live import PUBLIC_URL, Live, live_service
from tests.peers.smtp_sink import SmtpSink
from tests.test_cli import _ok
from tests.test_workspace_browser import served
from tests.workspace_kit import STAFF_EMAIL, care1, workspace

MILLBROOK = "Millbrook Council"
CARA = "cara@example.net"
LEE = "lee@council.example.org"


def _invitation_bodies() -> list[str]:
    with sqlite3.connect("coproduce.db") as db:
        return [b for (b,) in db.execute("SELECT body FROM outbox WHERE kind = 'invitation'")]


def _people_and_care1(*organisation: str) -> None:
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Jo", "--telegram", "7001")
    _ok("contributor", "add", "Sam", "--phone", "07700 900101")
    _ok(
        "project",
        "create",
        "CARE1",
        "--title",
        "Home care",
        "--lead",
        "1",
        "--joint-lead",
        "2",
        *organisation,
    )


# --- the invitation by text names who asks ------------------------------------------------


def test_an_sms_invitation_names_the_projects_own_organisation(monkeypatch) -> None:
    monkeypatch.setenv("COPRODUCE_ORGANISATION", "The default trust")
    _people_and_care1("--organisation", MILLBROOK)
    _ok("project", "add-members", "CARE1", "3")
    [body] = _invitation_bodies()
    assert body == (
        "Millbrook Council asks you to take part in Home care (CARE1). Reply JOIN CARE1 to join."
    )
    assert count_segments(body).segments == 1


def test_an_sms_invitation_names_the_services_organisation_when_the_project_names_none(
    monkeypatch,
) -> None:
    monkeypatch.setenv("COPRODUCE_ORGANISATION", MILLBROOK)
    _people_and_care1()
    _ok("project", "add-members", "CARE1", "3")
    assert _invitation_bodies() == [
        "Millbrook Council asks you to take part in Home care (CARE1). Reply JOIN CARE1 to join."
    ]


def test_with_no_organisation_anywhere_the_invitation_names_none() -> None:
    _people_and_care1()
    _ok("project", "add-members", "CARE1", "3")
    assert _invitation_bodies() == [
        "You are invited to take part in Home care (CARE1). Reply JOIN CARE1 to join."
    ]


def test_an_sms_invitation_that_carries_the_brief_names_the_organisation_on_its_own_line(
    monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("COPRODUCE_ORGANISATION", MILLBROOK)
    _people_and_care1()
    brief = tmp_path / "brief.md"
    brief.write_text("We want **fairer** home care visits.\nTell us what matters to you.")
    _ok("brief", "publish", "CARE1", "--file", str(brief))
    _ok("project", "add-members", "CARE1", "3")
    [body] = _invitation_bodies()
    # What the SMS channel sends: the Markdown written out plain, one line each.
    sent = sms_text(OutboundMessage(1, ChannelName.SMS, "+447700900101", body, markdown=True))
    assert sent.split("\n") == [
        "Millbrook Council asks you to take part in Home care (CARE1).",
        "CARE1 brief: We want fairer home care visits. Tell us what matters to you.",
        "Reply BRIEF CARE1 to get all of it. Reply JOIN CARE1 to take part.",
    ]
    assert count_segments(sent).segments <= 2


def test_a_long_title_and_name_keep_the_invitation_within_two_segments(monkeypatch) -> None:
    monkeypatch.setenv("COPRODUCE_ORGANISATION", "Millbrook Metropolitan Borough Council")
    _ok("contributor", "add", "Lee", "--email", "lee@council.example")
    _ok("contributor", "add", "Sam", "--phone", "07700 900101")
    title = "Planning home care and support at home for older people in Millbrook"
    _ok("project", "create", "CARE1", "--title", title, "--lead", "1")
    _ok("project", "add-members", "CARE1", "2")
    [body] = _invitation_bodies()
    assert body.startswith("Millbrook Metropolitan Borough Council asks you")
    assert count_segments(body).segments <= 2


def test_project_update_names_an_organisation_or_none_again(monkeypatch) -> None:
    _people_and_care1()
    out = _ok("project", "update", "CARE1", "--organisation", "  Millbrook   Council ")
    assert out.strip() == "CARE1: invitations and emails name Millbrook Council."
    monkeypatch.setenv("COPRODUCE_ORGANISATION", "The default trust")
    out = _ok("project", "update", "CARE1", "--organisation", "")
    assert out.strip() == "CARE1: invitations and emails name The default trust (the default)."
    with sqlite3.connect("coproduce.db") as db:
        assert db.execute("SELECT organisation FROM projects").fetchall() == [(None,)]
        actions = db.execute("SELECT action FROM audit_log ORDER BY id").fetchall()
    assert actions.count(("project.organisation",)) == 2


async def test_the_settings_page_names_the_organisation_as_the_command_line_does(
    bot: MemoryBot,
) -> None:
    await care1(bot)
    async with workspace(bot) as web:
        await web.sign_in(STAFF_EMAIL)
        page = await web.http.get("/lead/p/CARE1/settings")
        assert 'name="organisation"' in page.text
        assert "Invitations and emails name it. Leave it empty to name none." in page.text
        bot.services.settings.organisation = "The default trust"  # COPRODUCE_ORGANISATION
        page = await web.http.get("/lead/p/CARE1/settings")
        assert "Leave it empty to name The default trust." in page.text
        saved = await web.post(
            "/lead/p/CARE1/settings", {"action": "organisation", "organisation": MILLBROOK}
        )
        assert saved.status_code == 303
        async with transaction(bot.sessions) as session:
            assert (await find_project(session, "CARE1")).organisation == MILLBROOK
        too_long = await web.post(
            "/lead/p/CARE1/settings", {"action": "organisation", "organisation": "x" * 201}
        )
        assert too_long.status_code == 400
        assert "This is too long" in too_long.text
        async with transaction(bot.sessions) as session:
            assert (await find_project(session, "CARE1")).organisation == MILLBROOK


# --- every email: the footer, and the one-click unsubscribe link -------------------------


@pytest.fixture
async def live(database_url: str, clock: ManualClock, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COPRODUCE_ORGANISATION", MILLBROOK)
    async with live_service(database_url, clock) as service:
        yield service


async def _invite_cara(live: Live, language: str = "cy") -> Project:
    """CARE1, led by Lee (who joined), and Cara invited by email, in her language."""
    lee = await add_person(live.services.sessions, "Lee", email=LEE)
    cara = await add_person(live.services.sessions, "Cara", email=CARA, language=language)
    project = await add_project(live.services.sessions, "CARE1", leads=[lee])
    async with transaction(live.services.sessions) as session:
        project = await find_project(session, "CARE1")
        await invite_members(session, project, [cara], live.clock.now())
    await live.settle()
    return project


def _mail_to(sink: SmtpSink, address: str) -> list[EmailMessage]:
    return [mail.message for mail in sink.take() if mail.rcpt_tos == [address]]


def _parts(message: EmailMessage) -> tuple[str, str]:
    plain, rich = message.iter_parts()
    return plain.get_content(), rich.get_content()


async def test_an_email_ends_with_the_footer_in_the_persons_language_and_can_unsubscribe(
    live: Live,
) -> None:
    await _invite_cara(live, "cy")
    [invitation] = _mail_to(live.smtp, CARA)
    t = translator("cy")
    link = re.escape(PUBLIC_URL) + r"/unsubscribe/[0-9]+-[a-z2-7]{32}"
    unsubscribe = invitation["List-Unsubscribe"]
    found = re.fullmatch(
        rf"<({link})>, <mailto:coproduce\+[a-z0-9]+@example\.org\?subject=STOP>", unsubscribe
    )
    assert found, unsubscribe
    assert invitation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = found.group(1)
    plain, rich = _parts(invitation)
    footer = "\n".join(
        [
            t.gettext("This email is from {organisation}.").format(organisation=MILLBROOK),
            t.gettext("To ask the leads a question, reply to this email."),
            t.gettext("To stop all emails from us, reply {stop}.").format(
                stop=keyword_words(t)[Command.STOP]
            ),
            t.gettext("Or stop them with this link: {url}").format(url=url),
        ]
    )
    assert plain.rstrip("\n").endswith("\n\n-- \n" + footer)
    assert invitation["Content-Language"] == "cy"
    assert '<html lang="cy"' in rich
    inside = rich.split("<footer", 1)[1].split("</footer>", 1)[0]
    assert "Millbrook Council" in inside
    assert f'<a href="{url}">{url}</a>' in inside
    assert rich.index("</main>") < rich.index("<footer")
    # The page the link opens is in her language, where the workspace has it.
    page = await live.http.get(url.removeprefix(PUBLIC_URL))
    assert page.status_code == 200 and '<html lang="cy">' in page.text


async def test_the_one_click_post_stops_email_to_that_address_and_no_later_broadcast_reaches_it(
    live: Live,
) -> None:
    project = await _invite_cara(live, "en")
    [invitation] = _mail_to(live.smtp, CARA)
    url = re.search(r"<(https://[^>]+)>", invitation["List-Unsubscribe"]).group(1)  # type: ignore[union-attr]
    path = url.removeprefix(PUBLIC_URL)

    # A browser (or a mail scanner) that only opens the link changes nothing.
    page = await live.http.get(path)
    assert page.status_code == 200
    assert 'method="post"' in page.text and 'value="One-Click"' in page.text
    assert await _stopped_at(live, CARA) is None

    # What a mail program sends for RFC 8058's one click.
    answer = await live.http.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert "You will get no more emails from us" in answer.text
    assert await _stopped_at(live, CARA) == live.clock.now()
    async with transaction(live.services.sessions) as session:
        consents = (await session.scalars(select(Consent).order_by(Consent.id))).all()
    withdrawn = [c for c in consents if not c.given]
    assert [(c.channel, c.how) for c in withdrawn] == [(ChannelName.EMAIL, "email STOP")]

    # Stopped already: 200, and nothing more is done.
    again = await live.http.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert "already stopped" in again.text
    async with transaction(live.services.sessions) as session:
        assert len((await session.scalars(select(Consent))).all()) == len(consents)

    # A later broadcast reaches the lead, and not Cara's email.
    cara_id = withdrawn[0].contributor_id
    async with transaction(live.services.sessions) as session:
        await join(session, project, cara_id, live.clock.now(), "test")
        await ask_group(
            session,
            await find_project(session, "CARE1"),
            "Which day suits you?",
            now=live.clock.now(),
        )
    await live.settle()
    received = [mail.rcpt_tos for mail in live.smtp.take()]
    assert received == [[LEE]]


@pytest.mark.parametrize(
    "token",
    ["1-" + "a" * 32, "999-" + "a" * 32, "9999999999-" + "a" * 32, "not-a-token", "1-" + "A" * 40],
    ids=["wrong mac", "no such address", "an id no column holds", "not a token", "too long"],
)
async def test_a_wrong_token_is_not_found_and_changes_nothing(live: Live, token: str) -> None:
    await _invite_cara(live, "en")
    live.smtp.take()
    for answer in (
        await live.http.get(f"/unsubscribe/{token}"),
        await live.http.post(f"/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"}),
    ):
        assert answer.status_code == 404
        assert "This link does not work" in answer.text
    assert await _stopped_at(live, CARA) is None
    assert await _stopped_at(live, LEE) is None


async def test_without_a_public_url_an_email_has_the_footer_and_only_the_mailto_header(
    bot: MemoryBot,
) -> None:
    lee = await add_person(bot.sessions, "Lee", email=LEE)
    await add_project(bot.sessions, "CARE1", leads=[lee])
    async with transaction(bot.sessions) as session:
        await ask_group(
            session, await find_project(session, "CARE1"), "Which day?", now=bot.clock.now()
        )
    [message] = await bot.delivered(ChannelName.EMAIL)
    assert message.footer is not None and message.footer.unsubscribe_url is None
    assert message.footer.text == (
        "To ask the leads a question, reply to this email.\nTo stop all emails from us, reply STOP."
    )


async def test_the_unsubscribe_page_and_an_email_with_its_footer_pass_axe(live: Live) -> None:
    await _invite_cara(live, "en")
    [invitation] = _mail_to(live.smtp, CARA)
    url = re.search(r"<(https://[^>]+)>", invitation["List-Unsubscribe"]).group(1)  # type: ignore[union-attr]
    path = url.removeprefix(PUBLIC_URL)
    asking = (await live.http.get(path)).text
    stopped = (await live.http.post(path, data={"List-Unsubscribe": "One-Click"})).text
    not_found = (await live.http.get("/unsubscribe/nothing")).text
    pages = {
        "asking": asking,
        "stopped": stopped,
        "not found": not_found,
        "email": _parts(invitation)[1],
    }
    violations = {name: found for name, found in axe_violations(pages).items() if found}
    assert violations == {}, describe(violations)


async def _stopped_at(live: Live, address: str):  # type: ignore[no-untyped-def]
    async with transaction(live.services.sessions) as session:
        point = await session.scalar(select(ContactPoint).where(ContactPoint.address == address))
        assert point is not None
        return point.opted_out_at


async def test_a_person_stops_our_emails_in_a_real_browser_without_scripts(bot: MemoryBot) -> None:
    require_axe()
    cara = await add_person(bot.sessions, "Cara", email=CARA)
    async with transaction(bot.sessions) as session:
        point = await session.scalar(
            select(ContactPoint).where(ContactPoint.contributor_id == cara.id)
        )
        assert point is not None
        token = unsubscribe_token(await unsubscribe_secret(session), point.id, point.address)
    steps = [
        {"do": "goto", "path": f"/unsubscribe/{token}"},
        {"do": "axe"},
        {"do": "layout"},
        {"do": "click", "role": "button", "name": "Stop our emails"},
        {"do": "waitForText", "text": "You will get no more emails from us"},
        {"do": "axe"},
        {"do": "layout"},
    ]
    async with served(bot) as base:
        results = await asyncio.to_thread(drive, base, steps, javascript=False)
    for result in results:
        assert result.get("violations", []) == [], result
        if "overflow320" in result:
            assert (result["overflow320"], result["overflow640"]) == (0, 0), result
    async with transaction(bot.sessions) as session:
        stopped = await session.get(ContactPoint, point.id)
        assert stopped is not None and stopped.opted_out_at is not None
