"""Secrets and people's addresses stay out of the logs and out of the errors we store, also
when every provider refuses us: a bot token Telegram rejects (python-telegram-bot's error
names the token), a Twilio 401, an SMTP login refused, mailboxes refused with replies that
quote the address, a number Twilio calls invalid, a chat that blocked the bot, a text whose
answer was lost and had to be looked up.

Everything is logged at DEBUG from every logger and searched (tests/log_scan.py), with what
reached stdout and stderr, and every stored error text: ``outbox.last_error`` (shown to
leads), ``contact_points.failure_reason``, ``inbound_messages.last_error`` and
``scheduled_jobs.last_error``. Then ``coproduce serve`` itself runs at DEBUG, logging as it
does for an operator, and its output is searched the same way.
"""

from __future__ import annotations

import asyncio
import json
import logging
import smtplib
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from channels.base import ChannelName
from channels.telegram import _classify
from flows.membership import invite_members
from storage.db import create_engine, session_factory, transaction
from storage.models import (
    ContactPoint,
    Contributor,
    InboundMessageRow,
    LeadKind,
    OutboxRow,
    OutboxStatus,
    ScheduledJob,
    Sharing,
)
from storage.projects import create_project
from storage.reply_tokens import token_for
from tests.helpers import add_person, telegram_update, twilio_signature
from tests.live import SECRETS, SMTP_LOGIN, TELEGRAM_TOKEN, TWILIO_TOKEN, Live, live_service
from tests.log_scan import everything_said, said_by_process, secret_forms
from tests.peers.faults import Faults
from tests.peers.smtp_sink import SmtpSink
from tests.peers.telegram_api import TelegramApiServer
from tests.peers.twilio_api import TwilioApiServer
from tests.people_kit import PostOffice
from tests.privacy import Directory, read_directory
from tests.processes import COPRODUCE, Service, free_port, service_env

LEE = "lee@council.example"  # the lead, by email
ANN = "+447700900201"  # SMS; her first text is taken but its answer is lost
BEA = "6120058002"  # Telegram
CAL = "cal@example.net"  # email; her mailbox is full for a while
DAN = "+447700900204"  # SMS; Twilio calls the number invalid
EVE = "6120058005"  # Telegram; she blocked the bot
FAY = "fay@example.net"  # email; her mailbox does not exist


async def test_refusals_by_every_provider_leave_no_secret_or_address_in_logs_or_errors(
    database_url, clock, capfd
) -> None:
    with everything_said() as said:
        async with live_service(
            database_url,
            clock,
            inbound_smtp=True,
            smtp_login=SMTP_LOGIN,
            twilio_faults=Faults(slow={ANN}, slow_seconds=1.0),
            twilio_timeout=0.3,
        ) as live:
            await _run_with_refusals(live)
            directory = await read_directory(live.services.sessions)
            errors = await _stored_errors(live)
    said.output = "".join(capfd.readouterr())

    operator_sees = "\n".join(line.text for line in said.lines if line.level >= logging.ERROR)
    assert "Telegram refused the bot token; check COPRODUCE_TELEGRAM_TOKEN" in operator_sees
    assert "Twilio refused our credentials (HTTP 401)" in operator_sees
    assert "the SMTP server refused our login" in operator_sees
    secrets = SECRETS + tuple(directory.reply_tokens)
    assert len(directory.reply_tokens) >= 3
    assert said.secrets_found(secrets) == []
    assert said.contact_details_at_info(directory.addresses) == []
    assert _found_in(errors, secrets, directory) == []


async def _run_with_refusals(live: Live) -> None:
    sessions, clock, post = live.services.sessions, live.clock, PostOffice(live)
    lead = await add_person(sessions, "Lee", email=LEE)
    people = [
        await add_person(sessions, "Ann", phone=ANN),
        await add_person(sessions, "Bea", telegram=BEA),
        await add_person(sessions, "Cal", email=CAL),
        await add_person(sessions, "Dan", phone=DAN),
        await add_person(sessions, "Eve", telegram=EVE),
        await add_person(sessions, "Fay", email=FAY),
    ]
    live.twilio_api.invalid_numbers.add(DAN)
    live.telegram_api.blocked_chats.add(int(EVE))
    live.smtp.refuse[FAY] = f"550 5.1.1 <{FAY}>: Recipient address rejected: User unknown"
    live.smtp.refuse[CAL] = f"452 4.2.2 <{CAL}>: Mailbox full; try {CAL} later"

    # Every provider refuses our credentials: the invitations wait, saying why.
    live.telegram_api.token = "424242:a-token-of-another-bot"
    live.twilio_api.auth_token = "another-auth-token"
    live.smtp.login = (SMTP_LOGIN[0], "another-password")
    async with transaction(sessions) as session:
        project = await create_project(
            session,
            code="CARE2",
            title="Home care",
            leads=[(lead, LeadKind.STAFF)],
            now=clock.now(),
            sharing=Sharing.OPEN,
        )
        await invite_members(session, project, people, clock.now())
    assert await post.collect() == {}
    reasons = {(row.channel, row.last_error) for row in (await _outbox(live)).values()}
    assert reasons == {
        (ChannelName.TELEGRAM, "Telegram refused the bot token"),
        (ChannelName.SMS, "Twilio refused our credentials (HTTP 401)"),
        (ChannelName.EMAIL, "SMTP login refused (535)"),
    }

    # Credentials fixed: the invitations go, except to the addresses refused for good.
    live.telegram_api.token = TELEGRAM_TOKEN
    live.twilio_api.auth_token = TWILIO_TOKEN
    live.smtp.login = SMTP_LOGIN
    clock.advance(minutes=2)
    got = await post.collect()
    assert sorted(got) == sorted([ANN, BEA])  # Ann's text was taken though its answer was lost
    clock.advance(minutes=2)  # Ann's is looked up, found, and not sent again
    await live.settle()
    assert [sms.to for sms in live.twilio_api.history].count(ANN) == 1
    # The server's words stay, with the address it quoted taken out.
    assert (await _outbox(live))[CAL].last_error == (
        "SMTP 452: 4.2.2 <address>: Mailbox full; try <address> later"
    )
    del live.smtp.refuse[CAL]
    clock.advance(minutes=5)
    got = await post.collect()
    assert list(got) == [CAL]
    by_address = await _outbox(live)
    assert by_address[ANN].status == OutboxStatus.SENT
    fay = by_address[FAY]
    assert fay.status == OutboxStatus.FAILED
    assert fay.last_error == "SMTP 550: 5.1.1 <address>: Recipient address rejected: User unknown"
    assert by_address[DAN].last_error == "Twilio 21211: not a valid phone number"
    assert "blocked the bot" in (by_address[EVE].last_error or "")

    # People write in by every channel; one sender is a stranger.
    await post.sms(ANN, "JOIN CARE2")
    await post.telegram(BEA, "JOIN CARE2")
    await post.email(CAL, "join")
    await post.sms("+447700900299", "Hello?")
    got = await post.collect()
    assert {ANN, BEA, CAL, "+447700900299", LEE} <= set(got)


async def _outbox(live: Live) -> dict[str, OutboxRow]:
    """The last message to each address."""
    query = select(ContactPoint.address, OutboxRow).join(
        ContactPoint, ContactPoint.id == OutboxRow.contact_point_id
    )
    async with live.services.sessions() as session:
        return {
            address: row
            for address, row in (await session.execute(query.order_by(OutboxRow.id))).all()
        }


async def _stored_errors(live: Live) -> list[str]:
    async with live.services.sessions() as session:
        found = [
            *await session.scalars(select(OutboxRow.last_error)),
            *await session.scalars(select(ContactPoint.failure_reason)),
            *await session.scalars(select(InboundMessageRow.last_error)),
            *await session.scalars(select(ScheduledJob.last_error)),
        ]
    errors = [error for error in found if error]
    assert len(errors) >= 5
    return errors


def _found_in(errors: list[str], secrets: tuple[str, ...], directory: Directory) -> list[str]:
    forms = {form for secret in secrets for form in secret_forms(secret)}
    return [
        error
        for error in errors
        if any(form.casefold() in error.casefold() for form in forms)
        or any(detail.found_in(error) for detail in directory.addresses)
    ]


def test_serve_at_debug_writes_no_secret_and_names_nobody_by_address(tmp_path) -> None:
    telegram_token, webhook_secret = "5151:serve-bot-token-Xq7", "serve-webhook-secret-Pz3"
    sid, auth_token = "AC" + "5" * 32, "serve-auth-token-Mv9"
    login = ("serve-mailer", "serve-smtp-password-Kt4")
    with (
        TelegramApiServer(telegram_token) as telegram_api,
        TwilioApiServer(sid, auth_token) as twilio_api,
        SmtpSink(login=login) as smtp,
    ):
        env = service_env(
            log_level="DEBUG",
            telegram_token=telegram_token,
            telegram_webhook_secret=webhook_secret,
            telegram_api_url=telegram_api.url,
            twilio_account_sid=sid,
            twilio_auth_token=auth_token,
            twilio_from="+447700900500",
            twilio_api_url=twilio_api.url,
            smtp_host="127.0.0.1",
            smtp_port=str(smtp.port),
            smtp_tls="none",
            smtp_username=login[0],
            smtp_password=login[1],
            email_from="Coproduce <coproduce@example.org>",
            inbound_smtp_port=str(free_port()),
        )
        base = f"http://127.0.0.1:{env['COPRODUCE_HTTP_PORT']}"
        env["COPRODUCE_PUBLIC_URL"] = base
        _cli(env, tmp_path, "contributor", "add", "Bea", "--telegram", "6120059001")
        _cli(env, tmp_path, "contributor", "add", "Ann", "--phone", "07700 900301")
        _cli(env, tmp_path, "contributor", "add", "Cal", "--email", "cal@example.net")
        database = f"sqlite+aiosqlite:///{tmp_path / 'coproduce.db'}"
        token = asyncio.run(_reply_token(database, "Cal"))

        service = Service(env, tmp_path)
        service.wait_for_line("coproduce is running on")
        update = json.dumps(telegram_update(800, 6120059001, "help"))
        telegram_headers = {"x-telegram-bot-api-secret-token": webhook_secret}
        telegram_headers["content-type"] = "application/json"
        httpx.post(f"{base}/telegram/webhook", content=update, headers=telegram_headers)
        params = {"MessageSid": "SM" + "8" * 32, "From": "+447700900301", "Body": "HELP"}
        sms_headers = {
            "x-twilio-signature": twilio_signature(auth_token, f"{base}/sms/inbound", params),
            "content-type": "application/x-www-form-urlencoded",
        }
        httpx.post(f"{base}/sms/inbound", content=urlencode(params), headers=sms_headers)
        reply_address = f"coproduce+{token}@example.org"
        mail = (
            f"From: Cal <cal@example.net>\r\nTo: {reply_address}\r\nSubject: Help\r\n"
            "Message-ID: <cal-9@example.net>\r\n\r\nHELP\r\n"
        )
        with smtplib.SMTP("127.0.0.1", int(env["COPRODUCE_INBOUND_SMTP_PORT"])) as client:
            client.sendmail("cal@example.net", [reply_address], mail)
        answered = telegram_api.wait_for(1) and twilio_api.wait_for(1) and smtp.wait_for(1)
        assert service.stop() == 0
    assert answered, service.log

    said = said_by_process(service.lines)
    assert any(line.level == logging.DEBUG for line in said.lines)
    secrets = [telegram_token, webhook_secret, auth_token, login[1], f"{sid}:{auth_token}"]
    secrets += [f"\0{login[0]}\0{login[1]}", token]
    assert said.secrets_found(secrets) == []
    directory = asyncio.run(_directory(database))
    assert said.contact_details_at_info(directory.addresses) == []


def _cli(env: dict[str, str], cwd: Path, *args: str) -> None:
    result = subprocess.run(
        [*COPRODUCE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


async def _reply_token(database_url: str, name: str) -> str:
    engine = create_engine(database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            person = await session.scalar(select(Contributor).where(Contributor.name == name))
            return await token_for(session, person.id, None, person.created_at)
    finally:
        await engine.dispose()


async def _directory(database_url: str) -> Directory:
    engine = create_engine(database_url)
    try:
        return await read_directory(session_factory(engine))
    finally:
        await engine.dispose()


@pytest.mark.parametrize(
    "error",
    [
        NetworkError(f"Unknown error in HTTP implementation: bad url .../bot{TELEGRAM_TOKEN}/x"),
        NetworkError(f"httpx.ConnectError: {TELEGRAM_TOKEN[:7]}AAHdqTcvCH1vGWJxfSeofSAs0K5PAL"),
        BadRequest(f"Bad Request: chat {BEA} not found"),
        Forbidden(f"Forbidden: bot was blocked by the user {EVE}"),
    ],
    ids=["url-with-token", "bare-token", "chat-id", "blocked-chat-id"],
)
def test_telegram_error_texts_lose_the_bot_token_and_chat_ids(error: TelegramError) -> None:
    reason = _classify(error).reason  # type: ignore[attr-defined]
    assert "<token>" in reason or "<number>" in reason
    assert TELEGRAM_TOKEN[7:] not in reason and "AAHdqTcv" not in reason
    assert BEA not in reason and EVE not in reason
