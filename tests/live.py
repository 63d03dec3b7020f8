"""The service assembled with its real channels pointed at real local peers (a Bot API
server, a Twilio server, an SMTP server), for tests that cross the whole path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import httpx

from bot.app import create_app
from bot.log_guards import guard_library_logs
from bot.services import Services, build_services
from bot.settings import Settings
from bot.smtp_server import InboundMailHandler, start_smtp_listener
from channels import (
    EmailChannel,
    EmailSettings,
    SmsChannel,
    SmsSettings,
    TelegramChannel,
    TelegramSettings,
)
from channels.base import ChannelName
from tests.helpers import ManualClock, hold_worker_lease, upgrade_database
from tests.peers.faults import Faults
from tests.peers.smtp_sink import SmtpSink
from tests.peers.telegram_api import TelegramApiServer
from tests.peers.twilio_api import TwilioApiServer

TELEGRAM_TOKEN = "424242:live-test-token"
TELEGRAM_SECRET = "live-webhook-secret"
TWILIO_SID = "AC" + "1" * 32
TWILIO_TOKEN = "live-twilio-auth-token"
TWILIO_FROM = "+447700900500"
PUBLIC_URL = "https://coproduce.example.org"
EMAIL_FROM = "Coproduce <coproduce@example.org>"
# For tests that want the SMTP server to ask for a login, as a provider's does.
SMTP_LOGIN = ("coproduce-mailer", "live-smtp-password")
# What no log line, output or stored error may carry: each secret, and the forms they travel
# in together (the Twilio client's basic auth; an SMTP AUTH PLAIN line).
SECRETS = (
    TELEGRAM_TOKEN,
    TELEGRAM_SECRET,
    TWILIO_TOKEN,
    SMTP_LOGIN[1],
    f"{TWILIO_SID}:{TWILIO_TOKEN}",
    f"\0{SMTP_LOGIN[0]}\0{SMTP_LOGIN[1]}",
)


@dataclass
class Live:
    services: Services
    http: httpx.AsyncClient
    telegram_api: TelegramApiServer
    twilio_api: TwilioApiServer
    smtp: SmtpSink
    clock: ManualClock
    # Where our own inbound SMTP listener takes mail, when the test asked for it.
    inbound_smtp_port: int | None = None

    async def settle(self) -> None:
        """Let every acknowledged message be handled and everything due be sent."""
        await self.services.inbound.drain()
        await self.services.dispatcher.dispatch_all_due()


@asynccontextmanager
async def live_service(
    database_url: str,
    clock: ManualClock,
    *,
    inbound_smtp: bool = False,
    twilio_faults: Faults | None = None,
    twilio_timeout: float = 30.0,
    smtp_login: tuple[str, str] | None = None,
) -> AsyncIterator[Live]:
    # As ``coproduce serve`` does when it configures logging.
    guard_library_logs()
    async with AsyncExitStack() as stack:
        telegram_api = stack.enter_context(TelegramApiServer(TELEGRAM_TOKEN))
        twilio_api = stack.enter_context(
            TwilioApiServer(
                TWILIO_SID, TWILIO_TOKEN, faults=twilio_faults or Faults(), clock=clock.now
            )
        )
        smtp = stack.enter_context(SmtpSink(login=smtp_login))
        channels = {
            ChannelName.TELEGRAM: TelegramChannel(
                TelegramSettings(
                    telegram_token=TELEGRAM_TOKEN,
                    telegram_webhook_secret=TELEGRAM_SECRET,
                    telegram_api_url=telegram_api.url,
                )
            ),
            ChannelName.SMS: SmsChannel(
                SmsSettings(
                    twilio_account_sid=TWILIO_SID,
                    twilio_auth_token=TWILIO_TOKEN,
                    twilio_from=TWILIO_FROM,
                    twilio_api_url=twilio_api.url,
                    public_url=PUBLIC_URL,
                    twilio_timeout=twilio_timeout,
                )
            ),
            ChannelName.EMAIL: EmailChannel(
                EmailSettings(
                    smtp_host="127.0.0.1",
                    smtp_port=smtp.port,
                    smtp_tls="none",
                    smtp_username=smtp_login[0] if smtp_login else None,
                    smtp_password=smtp_login[1] if smtp_login else None,  # type: ignore[arg-type]
                    email_from=EMAIL_FROM,
                )
            ),
        }
        await upgrade_database(database_url)
        services = await build_services(
            Settings(database_url=database_url, public_url=PUBLIC_URL),
            clock=clock,
            channels=channels,
        )
        stack.push_async_callback(services.close)
        await hold_worker_lease(services)
        transport = httpx.ASGITransport(app=create_app(services))
        http = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://coproduce.test")
        )
        live = Live(services, http, telegram_api, twilio_api, smtp, clock)
        if inbound_smtp:
            handler = InboundMailHandler(
                channels[ChannelName.EMAIL],
                services.inbound,
                clock,  # type: ignore[arg-type]
            )
            server = await start_smtp_listener(handler, "127.0.0.1", 0, 10 * 1024 * 1024)
            live.inbound_smtp_port = server.sockets[0].getsockname()[1]
            stack.push_async_callback(server.wait_closed)
            stack.callback(server.close)
        yield live
