"""WhatsApp through Twilio, end to end against the local Twilio server: the SMS webhooks told
apart by the ``whatsapp:`` prefix, free text within 24 hours of the person's last message,
and outside them one approved template while what waits is held until they reply."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.claimed import WHATSAPP_TEMPLATE
from bot.cli import app
from channels.base import ChannelName, MalformedRequest, ProviderRequest
from channels.sms import SmsChannel, SmsSettings
from channels.whatsapp import TemplateMessage, WhatsAppChannel, WhatsAppSettings
from flows import lead_actions
from flows.lead_actions import Actor
from flows.new_contributors import contributor_from_fields
from flows.outbound import Message, bodies_for, send_to_members
from storage.contributors import NewContributor, add_contributor
from storage.db import transaction
from storage.models import (
    ContactPoint,
    InboundMessageRow,
    MembershipStatus,
    OutboxRow,
    OutboxStatus,
    Project,
)
from tests.helpers import START, add_person, add_project, twilio_signature
from tests.live import PUBLIC_URL, TWILIO_SID, TWILIO_TOKEN, live_service
from tests.workspace_kit import STAFF_EMAIL, care1, workspace

OUR_WHATSAPP = "whatsapp:+14155238886"
TEMPLATE_SID = "HX" + "a" * 32
TEMPLATE = "You have a new message about {{1}}. Reply to read it."
WYN = "+447700900201"


@pytest.fixture
async def live(database_url, clock):
    """The live service with the WhatsApp channel on, through the same Twilio server."""
    async with live_service(database_url, clock) as service:
        service.twilio_api.templates[TEMPLATE_SID] = TEMPLATE
        # The dispatcher and the webhooks read the same mapping of channels.
        service.services.channels[ChannelName.WHATSAPP] = WhatsAppChannel(
            _settings(service.twilio_api.url)
        )
        yield service


def _settings(api_url: str) -> WhatsAppSettings:
    return WhatsAppSettings(
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,  # type: ignore[arg-type]
        twilio_whatsapp_from=OUR_WHATSAPP,
        twilio_whatsapp_template=TEMPLATE_SID,
        twilio_api_url=api_url,
        public_url=PUBLIC_URL,
    )


def _post(live, params: dict[str, str], path: str = "/sms/inbound", token: str = TWILIO_TOKEN):
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": twilio_signature(token, PUBLIC_URL + path, params),
    }
    return live.http.post(path, content=urlencode(params), headers=headers)


def _from(number: str, body: str, sid: str) -> dict[str, str]:
    return {"MessageSid": sid, "From": f"whatsapp:{number}", "To": OUR_WHATSAPP, "Body": body}


async def _add(live, name: str, **addresses: str):  # type: ignore[no-untyped-def]
    async with transaction(live.services.sessions) as session:
        return await add_contributor(
            session,
            NewContributor(
                name=name,
                addresses={ChannelName(channel): a for channel, a in addresses.items()},
                preferred_channel=ChannelName.WHATSAPP,
            ),
            live.clock.now(),
        )


async def _broadcast(live, project: Project, text: str) -> None:
    async with transaction(live.services.sessions) as session:
        await send_to_members(
            session,
            project,
            kind="announcement",
            render=lambda reader: Message(text),
            now=live.clock.now(),
            statuses=(MembershipStatus.INVITED, MembershipStatus.JOINED),
        )


async def _rows(live, kind: str) -> list[OutboxRow]:
    async with live.services.sessions() as session:
        found = await session.scalars(
            select(OutboxRow).where(
                OutboxRow.kind == kind, OutboxRow.channel == ChannelName.WHATSAPP
            )
        )
        return list(found.all())


async def test_a_signed_whatsapp_message_is_stored_as_whatsapp_and_answered_as_free_text(
    live,
) -> None:
    await _add(live, "Wyn", whatsapp=WYN)
    response = await _post(live, _from(WYN, "help", "SM" + "1" * 32))
    assert response.status_code == 200
    await live.settle()
    [sent] = live.twilio_api.take()
    assert (sent.to, sent.sender) == (f"whatsapp:{WYN}", OUR_WHATSAPP)
    assert sent.content_sid is None
    assert sent.body.startswith("Hello Wyn.")
    assert sent.status_callback.startswith(f"{PUBLIC_URL}/sms/status?outbox=")
    async with live.services.sessions() as session:
        [row] = (await session.scalars(select(InboundMessageRow))).all()
    assert (row.channel, row.sender) == (ChannelName.WHATSAPP, WYN)


async def test_a_whatsapp_message_with_a_wrong_signature_is_refused_and_not_stored(live) -> None:
    await _add(live, "Wyn", whatsapp=WYN)
    response = await _post(live, _from(WYN, "help", "SM" + "2" * 32), token="not-our-token")
    assert response.status_code == 403
    await live.settle()
    assert live.twilio_api.take() == []
    async with live.services.sessions() as session:
        assert (await session.scalars(select(InboundMessageRow))).all() == []


async def test_a_text_from_the_same_number_is_still_an_sms(live) -> None:
    await add_person(live.services.sessions, "Sam", phone=WYN)
    params = {"MessageSid": "SM" + "3" * 32, "From": WYN, "Body": "help"}
    assert (await _post(live, params)).status_code == 200
    await live.settle()
    [sent] = live.twilio_api.take()
    assert sent.to == WYN and sent.sender == "+447700900500"


async def test_a_broadcast_to_someone_silent_for_a_day_sends_one_template_and_holds_the_rest(
    live,
) -> None:
    lead = await add_person(live.services.sessions, "Lee", email="lee@example.org")
    wyn = await _add(live, "Wyn", whatsapp=WYN)
    project = await add_project(live.services.sessions, "CARE1", [lead], [wyn])
    await _post(live, _from(WYN, "hello", "SM" + "4" * 32))
    await live.settle()
    live.twilio_api.take()  # our answer, inside the 24 hours

    live.clock.advance(hours=25)
    await _broadcast(live, project, "The meeting moved to Thursday.")
    await _broadcast(live, project, "Bring your notes.")
    await live.settle()
    [template] = live.twilio_api.take()
    assert template.content_sid == TEMPLATE_SID
    assert template.content_variables == {"1": "Project CARE1"}
    assert template.body == "You have a new message about Project CARE1. Reply to read it."
    held = await _rows(live, "announcement")
    assert [(r.status, r.awaits_reply) for r in held] == [(OutboxStatus.QUEUED, True)] * 2

    # Still held a while later, and no second template for the same silence.
    live.clock.advance(hours=2)
    await _broadcast(live, project, "One more thing.")
    await live.settle()
    assert live.twilio_api.take() == []
    assert len(await _rows(live, WHATSAPP_TEMPLATE)) == 1

    # They reply: what waited goes, as free text, before the answer to their words.
    await _post(live, _from(WYN, "thanks", "SM" + "5" * 32))
    await live.settle()
    sent = live.twilio_api.take()
    assert [m.body for m in sent[:3]] == [
        "The meeting moved to Thursday.",
        "Bring your notes.",
        "One more thing.",
    ]
    assert all(m.content_sid is None and m.to == f"whatsapp:{WYN}" for m in sent)
    assert all(not r.awaits_reply for r in await _rows(live, "announcement"))


async def test_a_person_who_goes_quiet_again_gets_a_new_template(live) -> None:
    lead = await add_person(live.services.sessions, "Lee", email="lee@example.org")
    wyn = await _add(live, "Wyn", whatsapp=WYN)
    project = await add_project(live.services.sessions, "CARE1", [lead], [wyn])
    await _broadcast(live, project, "First news.")
    await live.settle()
    assert [m.content_sid for m in live.twilio_api.take()] == [TEMPLATE_SID]
    await _post(live, _from(WYN, "thanks", "SM" + "6" * 32))
    await live.settle()
    assert "First news." in [m.body for m in live.twilio_api.take()]

    live.clock.advance(days=2)
    await _broadcast(live, project, "Second news.")
    await live.settle()
    assert [m.content_sid for m in live.twilio_api.take()] == [TEMPLATE_SID]


async def test_a_message_released_days_later_still_has_its_full_time_to_be_tried_again(
    live,
) -> None:
    lead = await add_person(live.services.sessions, "Lee", email="lee@example.org")
    wyn = await _add(live, "Wyn", whatsapp=WYN)
    project = await add_project(live.services.sessions, "CARE1", [lead], [wyn])
    await _broadcast(live, project, "The meeting moved to Thursday.")
    await live.settle()
    assert [m.content_sid for m in live.twilio_api.take()] == [TEMPLATE_SID]
    # Three days on, Wyn writes; Twilio is busy when what waited is sent.
    live.clock.advance(days=3)
    live.twilio_api.fail_next.append(503)
    await _post(live, _from(WYN, "hello", "SM" + "8" * 32))
    await live.settle()
    [held] = await _rows(live, "announcement")
    assert held.status == OutboxStatus.QUEUED and held.released_at == live.clock.now()
    live.clock.advance(minutes=5)
    await live.settle()
    assert "The meeting moved to Thursday." in [m.body for m in live.twilio_api.take()]


async def test_a_status_callback_for_a_whatsapp_message_updates_its_delivery(live) -> None:
    await _add(live, "Wyn", whatsapp=WYN)
    await _post(live, _from(WYN, "help", "SM" + "7" * 32))
    await live.settle()
    [sent] = live.twilio_api.take()
    path = "/sms/status?outbox=" + sent.status_callback.split("outbox=")[1]
    status = {
        "MessageSid": sent.sid,
        "MessageStatus": "delivered",
        "From": OUR_WHATSAPP,
        "To": f"whatsapp:{WYN}",
    }
    assert (await _post(live, {**status, "MessageStatus": "read"}, path)).status_code == 200
    assert (await _post(live, status, path)).status_code == 200
    async with live.services.sessions() as session:
        row = await session.scalar(select(OutboxRow).where(OutboxRow.provider_id == sent.sid))
    assert (row.channel, row.status) == (ChannelName.WHATSAPP, OutboxStatus.DELIVERED)


async def test_an_undelivered_whatsapp_message_shows_the_reason(live) -> None:
    await _add(live, "Wyn", whatsapp=WYN)
    await _post(live, _from(WYN, "help", "SM" + "8" * 32))
    await live.settle()
    [sent] = live.twilio_api.take()
    status = {
        "MessageSid": sent.sid,
        "MessageStatus": "undelivered",
        "ErrorCode": "63016",
        "From": OUR_WHATSAPP,
        "To": f"whatsapp:{WYN}",
    }
    assert (await _post(live, status, "/sms/status")).status_code == 200
    async with live.services.sessions() as session:
        row = await session.scalar(select(OutboxRow).where(OutboxRow.provider_id == sent.sid))
    assert row.status == OutboxStatus.UNDELIVERED
    assert row.last_error == (
        "Twilio 63016: free text outside the 24 hours after the person's last message"
    )


async def test_stop_on_whatsapp_stops_only_whatsapp(live) -> None:
    lead = await add_person(live.services.sessions, "Lee", email="lee@example.org")
    wyn = await _add(live, "Wyn", whatsapp=WYN, sms=WYN)
    project = await add_project(live.services.sessions, "CARE1", [lead], [wyn])
    await _post(live, _from(WYN, "STOP", "SM" + "9" * 32))
    await live.settle()
    [answer] = live.twilio_api.take()
    assert answer.to == f"whatsapp:{WYN}"
    assert answer.body.startswith("You will get no more messages from us here.")
    async with live.services.sessions() as session:
        points = {p.channel: p for p in await session.scalars(select(ContactPoint))}
    assert points[ChannelName.WHATSAPP].opted_out_at is not None
    assert points[ChannelName.SMS].opted_out_at is None

    await _broadcast(live, project, "The meeting moved to Thursday.")
    await live.settle()
    [by_sms] = live.twilio_api.take()
    assert (by_sms.to, by_sms.body) == (WYN, "The meeting moved to Thursday.")


async def test_someone_added_preferring_whatsapp_gets_the_brief_there(live) -> None:
    lead = await add_person(live.services.sessions, "Lee", email="lee@example.org")
    await add_project(live.services.sessions, "CARE1", [lead])
    new = contributor_from_fields(
        name="Wyn",
        email=None,
        phone="07700 900201",
        telegram=None,
        language=None,
        channel="WhatsApp",
        access_needs=None,
        region="GB",
    )
    assert new.addresses == {ChannelName.SMS: WYN, ChannelName.WHATSAPP: WYN}
    async with transaction(live.services.sessions) as session:
        await lead_actions.publish_brief(
            session,
            Actor.lead(lead.id),
            "CARE1",
            text="We want to make home care visits fairer.",
            summary=None,
            note=None,
            alt_formats={},
            now=live.clock.now(),
        )
        await lead_actions.add_new_member(
            session, Actor.lead(lead.id), "CARE1", new, now=live.clock.now()
        )
    await live.settle()
    [template] = live.twilio_api.take()
    assert (template.to, template.content_sid) == (f"whatsapp:{WYN}", TEMPLATE_SID)

    await _post(live, _from(WYN, "hi", "SM" + "a" * 32))
    await live.settle()
    sent = live.twilio_api.take()
    assert all(m.to == f"whatsapp:{WYN}" for m in sent)
    assert any("We want to make home care visits fairer." in m.body for m in sent)


async def test_a_lead_adds_someone_in_the_workspace_who_prefers_whatsapp(bot) -> None:
    await care1(bot)
    async with workspace(bot) as ws:
        await ws.sign_in(STAFF_EMAIL)
        form = await ws.http.get("/lead/p/CARE1/people")
        assert "WhatsApp (at their mobile number)" in form.text
        added = await ws.post(
            "/lead/p/CARE1/people",
            {"action": "new", "name": "Wyn", "phone": "07700 900201", "channel": "whatsapp"},
        )
        assert added.status_code == 303
    async with bot.sessions() as session:
        points = await session.scalars(select(ContactPoint).where(ContactPoint.address == WYN))
        assert sorted(p.channel for p in points) == [ChannelName.SMS, ChannelName.WHATSAPP]
    # Never heard from on WhatsApp: the invitation waits, and the template tells them.
    [template] = await bot.delivered(ChannelName.WHATSAPP)
    assert isinstance(template, TemplateMessage)
    assert template.variables == (("1", "Project CARE1"),)
    await bot.delivered()  # the leads' own messages


async def test_brief_by_sms_says_the_whole_brief_went_to_whatsapp(bot) -> None:
    lead = await add_person(bot.sessions, "Lee", email="lee@example.org")
    async with transaction(bot.sessions) as session:
        wyn = await add_contributor(
            session,
            NewContributor(
                name="Wyn",
                addresses={ChannelName.SMS: WYN, ChannelName.WHATSAPP: WYN},
                preferred_channel=ChannelName.SMS,
            ),
            bot.clock.now(),
        )
    await add_project(bot.sessions, "CARE1", [lead], [wyn])
    async with transaction(bot.sessions) as session:
        await lead_actions.publish_brief(
            session,
            Actor.lead(lead.id),
            "CARE1",
            text="We want to make home care visits fairer.",
            summary=None,
            note=None,
            alt_formats={},
            now=bot.clock.now(),
        )
    await bot.delivered()
    await bot.send_in(ChannelName.SMS, WYN, "BRIEF")
    [said] = await bot.delivered(ChannelName.SMS)
    assert said.body == "We have sent the whole brief to you on WhatsApp."
    [template] = await bot.delivered(ChannelName.WHATSAPP)
    assert isinstance(template, TemplateMessage)


def test_the_cli_adds_and_updates_a_whatsapp_number() -> None:
    cli = CliRunner()
    added = cli.invoke(
        app, ["contributor", "add", "Wyn", "--phone", "07700 900201", "--channel", "whatsapp"]
    )
    assert added.exit_code == 0, added.output
    assert "whatsapp +447700900201" in added.stdout and "prefers whatsapp" in added.stdout
    changed = cli.invoke(app, ["contributor", "update", "1", "--whatsapp", "whatsapp:07700900202"])
    assert changed.exit_code == 0, changed.output
    [person] = json.loads(cli.invoke(app, ["contributor", "list", "--json"]).stdout)
    assert {(p["channel"], p["address"]) for p in person["contact_points"]} == {
        ("sms", WYN),
        ("whatsapp", "+447700900202"),
    }


# --- the channel on its own --------------------------------------------------------------


def _request(params: dict[str, str]) -> ProviderRequest:
    return ProviderRequest(body=urlencode(params).encode(), received_at=START)


def test_each_twilio_channel_reads_only_its_own_senders() -> None:
    whatsapp = WhatsAppChannel(_settings("http://127.0.0.1:9"))
    sms = SmsChannel(
        SmsSettings(
            twilio_account_sid=TWILIO_SID,
            twilio_auth_token=TWILIO_TOKEN,  # type: ignore[arg-type]
            twilio_from="+447700900500",
        )
    )
    on_whatsapp = _request(_from(WYN, "hi", "SM" + "b" * 32))
    by_sms = _request({"MessageSid": "SM" + "c" * 32, "From": WYN, "Body": "hi"})
    [message] = whatsapp.parse(on_whatsapp)
    assert (message.channel, message.sender) == (ChannelName.WHATSAPP, WYN)
    with pytest.raises(MalformedRequest):
        whatsapp.parse(by_sms)
    with pytest.raises(MalformedRequest):
        sms.parse(on_whatsapp)


@pytest.mark.parametrize(
    ("missing", "reason"),
    [
        ("twilio_whatsapp_from", "COPRODUCE_TWILIO_WHATSAPP_FROM is not set"),
        ("twilio_whatsapp_template", "COPRODUCE_TWILIO_WHATSAPP_TEMPLATE is not set"),
    ],
    ids=["no-sender", "no-template"],
)
def test_whatsapp_is_off_without_its_sender_or_template(missing: str, reason: str) -> None:
    settings = _settings("http://127.0.0.1:9").model_copy(update={missing: None})
    assert settings.off_reason() == reason


@pytest.mark.parametrize(
    ("length", "parts"),
    [(1500, 1), (1501, 2), (4000, 3)],
    ids=["fits", "just-over", "long"],
)
def test_a_long_whatsapp_text_goes_in_parts_of_at_most_1500_characters(
    length: int, parts: int
) -> None:
    body = " ".join(["word"] * (length // 5 + 1))[:length]
    found = bodies_for(ChannelName.WHATSAPP, Message(body))
    assert len(found) == parts
    assert all(len(part) <= 1500 for part in found)
