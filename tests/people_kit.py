"""People writing in through the real front doors (signed Twilio webhooks, Telegram webhook
updates, mail to our SMTP listener) and reading what reached them at the local peers."""

from __future__ import annotations

import asyncio
import itertools
import json
import smtplib
from collections import defaultdict
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import urlencode

from tests.helpers import telegram_update, twilio_signature
from tests.live import PUBLIC_URL, TELEGRAM_SECRET, TWILIO_FROM, TWILIO_TOKEN, Live


@dataclass(frozen=True)
class Received:
    channel: str
    text: str
    subject: str | None = None
    reply_to: str | None = None
    has_buttons: bool = False
    # An email's footer (who sends it, how to reach the leads, how to stop): the same on
    # every email, so ``text`` is the message above it.
    footer: str | None = None


class PostOffice:
    def __init__(self, live: Live) -> None:
        self.live = live
        self._ids = itertools.count(1)
        # The Reply-To of the last mail each address got: where their replies go.
        self.reply_address: dict[str, str] = {}

    async def sms(self, number: str, text: str) -> None:
        params = {
            "MessageSid": f"SM{next(self._ids):032d}",
            "AccountSid": "AC" + "1" * 32,
            "From": number,
            "To": TWILIO_FROM,
            "Body": text,
            "NumMedia": "0",
        }
        signature = twilio_signature(TWILIO_TOKEN, PUBLIC_URL + "/sms/inbound", params)
        response = await self.live.http.post(
            "/sms/inbound",
            content=urlencode(params),
            headers={
                "content-type": "application/x-www-form-urlencoded",
                "x-twilio-signature": signature,
            },
        )
        assert response.status_code == 200

    async def telegram(self, chat_id: str, text: str) -> None:
        update = telegram_update(next(self._ids), int(chat_id), text)
        response = await self.live.http.post(
            "/telegram/webhook",
            content=json.dumps(update),
            headers={
                "content-type": "application/json",
                "x-telegram-bot-api-secret-token": TELEGRAM_SECRET,
            },
        )
        assert response.status_code == 200

    async def email(self, address: str, text: str) -> None:
        """A reply to the last mail this person got, sent to its Reply-To address."""
        to = self.reply_address[address]
        message = EmailMessage()
        message["From"] = address
        message["To"] = to
        message["Subject"] = "Re: coproduce"
        message["Message-ID"] = f"<reply-{next(self._ids)}@example.net>"
        message.set_content(f"{text}\n\nOn Monday, coproduce wrote:\n> an earlier message\n")
        port = self.live.inbound_smtp_port
        assert port is not None

        def send() -> None:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as client:
                client.send_message(message, from_addr=address, to_addrs=[to])

        await asyncio.to_thread(send)

    async def collect(self) -> dict[str, list[Received]]:
        """Let everything settle, then what reached each address (email, number, chat id)."""
        await self.live.settle()
        got: dict[str, list[Received]] = defaultdict(list)
        for mail in self.live.smtp.take():
            message = mail.message
            text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
            text, _, footer = text.partition("\n-- \n")
            reply_to = message["Reply-To"]
            address = mail.rcpt_tos[0]
            if reply_to:
                self.reply_address[address] = str(reply_to)
            got[address].append(
                Received(
                    "email", text.strip(), str(message["Subject"]), reply_to, footer=footer.strip()
                )
            )
        for sms in self.live.twilio_api.take():
            got[sms.to].append(Received("sms", sms.body))
        for sent in self.live.telegram_api.take():
            got[str(sent.chat_id)].append(
                Received("telegram", sent.text, has_buttons=sent.reply_markup is not None)
            )
        return dict(got)
