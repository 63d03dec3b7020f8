"""``coproduce serve`` as a real process: it starts with no configuration, says which
channels are off, answers each channel through the real providers' APIs (local peers here),
and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import smtplib
import socket
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from storage.db import create_engine, session_factory, transaction
from storage.models import Contributor
from storage.reply_tokens import token_for
from tests.helpers import telegram_update, twilio_signature, upgrade_database
from tests.peers.smtp_sink import SmtpSink
from tests.peers.telegram_api import TelegramApiServer
from tests.peers.twilio_api import TwilioApiServer
from tests.processes import COPRODUCE, Service, free_port, service_env

READY = "coproduce is running on"


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[Service]]:
    services: list[Service] = []
    yield services
    for service in services:
        if service.process.poll() is None:
            service.process.kill()
            service.process.wait()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "sigint"])
def test_serve_starts_with_no_configuration_and_stops_on_a_signal(
    tmp_path, started, signum
) -> None:
    env = service_env()
    service = Service(env, tmp_path)
    started.append(service)
    service.wait_for_line(READY)
    response = httpx.get(f"http://127.0.0.1:{env['COPRODUCE_HTTP_PORT']}/healthz")
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "channels": {"email": "off", "sms": "off", "telegram": "off", "whatsapp": "off"},
    }
    assert service.stop(signum) == 0
    log = "\n".join(service.lines)
    assert "channel email is off: COPRODUCE_SMTP_HOST is not set" in log
    assert "channel sms is off: COPRODUCE_TWILIO_ACCOUNT_SID is not set" in log
    assert "channel telegram is off: COPRODUCE_TELEGRAM_TOKEN is not set" in log
    assert "channel whatsapp is off: COPRODUCE_TWILIO_WHATSAPP_FROM is not set" in log
    assert "stopped" in service.lines[-1]
    assert (tmp_path / "coproduce.db").exists()


def test_serve_says_in_one_line_when_its_port_is_taken(tmp_path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = service_env(http_port=str(taken.getsockname()[1]))
        result = subprocess.run(
            [*COPRODUCE, "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith("Error: cannot listen on 127.0.0.1:")


def _cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    result = subprocess.run(
        [*COPRODUCE, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


async def _email_token(database_url: str) -> str:
    await upgrade_database(database_url)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    async with transaction(sessions) as session:
        person = await session.get(Contributor, 3)
        token = await token_for(session, person.id, None, person.created_at)
    await engine.dispose()
    return token


def test_each_channel_is_answered_through_its_provider_and_stored_once(tmp_path, started) -> None:
    telegram_token, secret, sid, auth = (
        "9:serve-token",
        "serve-secret",
        "AC" + "2" * 32,
        "serve-auth",
    )
    with (
        TelegramApiServer(telegram_token) as telegram_api,
        TwilioApiServer(sid, auth) as twilio_api,
        SmtpSink() as smtp,
    ):
        inbound_smtp_port = free_port()
        env = service_env(
            telegram_token=telegram_token,
            telegram_webhook_secret=secret,
            telegram_api_url=telegram_api.url,
            twilio_account_sid=sid,
            twilio_auth_token=auth,
            twilio_from="+447700900500",
            twilio_api_url=twilio_api.url,
            smtp_host="127.0.0.1",
            smtp_port=str(smtp.port),
            smtp_tls="none",
            email_from="Coproduce <coproduce@example.org>",
            inbound_smtp_port=str(inbound_smtp_port),
        )
        base = f"http://127.0.0.1:{env['COPRODUCE_HTTP_PORT']}"
        env["COPRODUCE_PUBLIC_URL"] = base
        _cli(env, tmp_path, "contributor", "add", "Bea", "--telegram", "5001")
        _cli(env, tmp_path, "contributor", "add", "Ann", "--phone", "07700 900001")
        _cli(env, tmp_path, "contributor", "add", "Cal", "--email", "cal@example.net")
        token = asyncio.run(_email_token(f"sqlite+aiosqlite:///{tmp_path / 'coproduce.db'}"))

        service = Service(env, tmp_path)
        started.append(service)
        service.wait_for_line("inbound email: listening")
        service.wait_for_line(READY)

        update = json.dumps(telegram_update(700, 5001, "help"))
        headers = {"x-telegram-bot-api-secret-token": secret, "content-type": "application/json"}
        for _ in range(2):
            assert (
                httpx.post(f"{base}/telegram/webhook", content=update, headers=headers).status_code
                == 200
            )
        assert httpx.post(f"{base}/telegram/webhook", content=update, headers={}).status_code == 403

        params = {"MessageSid": "SM" + "7" * 32, "From": "+447700900001", "Body": "HELP"}
        signature = twilio_signature(auth, f"{base}/sms/inbound", params)
        sms_headers = {
            "x-twilio-signature": signature,
            "content-type": "application/x-www-form-urlencoded",
        }
        for _ in range(2):
            assert (
                httpx.post(
                    f"{base}/sms/inbound", content=urlencode(params), headers=sms_headers
                ).status_code
                == 200
            )
        bad = {**sms_headers, "x-twilio-signature": "d3Jvbmc="}
        assert (
            httpx.post(f"{base}/sms/inbound", content=urlencode(params), headers=bad).status_code
            == 403
        )

        mail = (
            f"From: Cal <cal@example.net>\r\nTo: coproduce+{token}@example.org\r\n"
            "Subject: Help please\r\nMessage-ID: <cal-1@example.net>\r\n\r\nHELP\r\n"
        )
        for _ in range(2):
            with smtplib.SMTP("127.0.0.1", inbound_smtp_port, timeout=10) as client:
                client.sendmail("cal@example.net", [f"coproduce+{token}@example.org"], mail)

        assert telegram_api.wait_for(1) and twilio_api.wait_for(1) and smtp.wait_for(1)
        assert service.stop() == 0

    [telegram_reply] = telegram_api.take()
    assert (telegram_reply.chat_id, telegram_reply.text.splitlines()[0]) == (5001, "Hello Bea.")
    [sms_reply] = twilio_api.take()
    assert sms_reply.to == "+447700900001" and "STOP" in sms_reply.body
    assert (sms_reply.status_callback or "").startswith(f"{base}/sms/status?outbox=")
    [email_reply] = smtp.take()
    assert email_reply.rcpt_tos == ["cal@example.net"]
    assert email_reply.message["Subject"] == "Re: Help please"
    assert "channel telegram is on" in "\n".join(service.lines)


def test_telegram_polling_mode_answers_without_a_webhook(tmp_path, started) -> None:
    with TelegramApiServer("8:poll-token") as telegram_api:
        env = service_env(
            telegram_token="8:poll-token",
            telegram_api_url=telegram_api.url,
            telegram_polling="true",
        )
        _cli(env, tmp_path, "contributor", "add", "Dee", "--telegram", "5002")
        telegram_api.queue_update(telegram_update(900, 5002, "help"))
        service = Service(env, tmp_path)
        started.append(service)
        service.wait_for_line("telegram: polling for updates")
        assert telegram_api.wait_for(1)
        assert service.stop() == 0
    [reply] = telegram_api.take()
    assert (reply.chat_id, reply.text.splitlines()[0]) == (5002, "Hello Dee.")
    assert "deleteWebhook" in telegram_api.calls


def test_serve_without_a_worker_stores_and_answers_and_a_worker_beside_it_sends(
    tmp_path, started
) -> None:
    with TelegramApiServer("9:split-token") as telegram_api:
        env = service_env(
            telegram_token="9:split-token",
            telegram_api_url=telegram_api.url,
            telegram_webhook_secret="split-secret",
            poll_seconds="0.2",
        )
        _cli(env, tmp_path, "contributor", "add", "Eli", "--telegram", "5003")
        web = Service(env, tmp_path, "serve", "--no-worker")
        started.append(web)
        assert "no worker" in web.wait_for_line(READY)
        response = httpx.post(
            f"http://127.0.0.1:{env['COPRODUCE_HTTP_PORT']}/telegram/webhook",
            json=telegram_update(901, 5003, "help"),
            headers={"x-telegram-bot-api-secret-token": "split-secret"},
        )
        assert response.status_code == 200
        # The answer is queued, but nothing sends it until a worker runs.
        assert not telegram_api.wait_for(1, timeout=2)
        worker = Service(env, tmp_path, "worker")
        started.append(worker)
        assert telegram_api.wait_for(1)
        assert worker.stop() == 0
        assert web.stop() == 0
    [reply] = telegram_api.take()
    assert (reply.chat_id, reply.text.splitlines()[0]) == (5003, "Hello Eli.")
    assert "sending messages and running scheduled jobs" in worker.log


def test_serve_stops_promptly_while_a_lead_has_the_inbox_open(tmp_path, started) -> None:
    """The inbox's live stream lasts minutes; a stop closes it instead of waiting for it."""
    env = service_env()
    _cli(env, tmp_path, "contributor", "add", "Lee", "--email", "lee@council.example")
    _cli(env, tmp_path, "contributor", "add", "Jo", "--email", "jo@example.org")
    _cli(env, tmp_path, "project", "create", "CARE1", "--title", "Home care", "--lead", "1",
         "--joint-lead", "2")  # fmt: skip
    link = _cli(env, tmp_path, "lead", "link", "1").strip()
    service = Service(env, tmp_path)
    started.append(service)
    service.wait_for_line(READY)
    base = f"http://127.0.0.1:{env['COPRODUCE_HTTP_PORT']}"
    with httpx.Client(base_url=base) as http:
        path = "/lead/" + link.split("/lead/", 1)[1]
        token = http.get(path).text.split('name="csrftoken" value="', 1)[1].split('"', 1)[0]
        assert http.post(path, data={"csrftoken": token}).status_code == 303
        with http.stream("GET", "/lead/p/CARE1/inbox/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            started_at = time.monotonic()
            assert service.stop(signal.SIGTERM, timeout=20) == 0
    assert time.monotonic() - started_at < 15
    assert "stopped" in service.lines[-1]


def test_serve_says_how_many_queued_messages_wait_on_a_channel_that_is_off_and_fails_them(
    tmp_path, started
) -> None:
    env = service_env()
    people = tmp_path / "people.csv"
    people.write_text(
        "name,email,phone\nLee,lee@council.example,\nJo,jo@example.org,\n"
        "Sam,,07700 900101\nRia,,07700 900102\n"
    )
    _cli(env, tmp_path, "contributor", "import", str(people))
    _cli(env, tmp_path, "project", "create", "CARE1", "--title", "Home care", "--lead", "1",
         "--joint-lead", "2")  # fmt: skip
    _cli(env, tmp_path, "project", "add-members", "CARE1", "3", "4")
    # Due now, whatever the time of day (the project's quiet hours would hold them at night).
    with sqlite3.connect(tmp_path / "coproduce.db") as db:
        db.execute("UPDATE outbox SET next_attempt_at = created_at")
        assert db.execute("SELECT channel, status FROM outbox").fetchall() == [
            ("sms", "queued"),
            ("sms", "queued"),
        ]
    service = Service(env, tmp_path)
    started.append(service)
    said = service.wait_for_line("queued messages on it")
    assert "channel sms is off, with 2 queued messages on it" in said
    service.wait_for_line("failed: the SMS channel is not set up")
    assert service.stop() == 0
    failed = json.loads(_cli(env, tmp_path, "outbox", "failed", "--json"))
    assert sorted((f["name"], f["reason"]) for f in failed) == [
        ("Ria", "the SMS channel is not set up"),
        ("Sam", "the SMS channel is not set up"),
    ]
