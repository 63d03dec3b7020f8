"""Telegram through python-telegram-bot's ``Bot``: webhook updates, polling, sending.

``COPRODUCE_TELEGRAM_API_URL`` is the Bot API root; methods are called at
``<root>/bot<TOKEN>/<method>`` as the Bot API specifies, which is how the tests reach a local
Bot API server.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import warnings
from collections.abc import Sequence
from datetime import datetime
from typing import Any, ClassVar

import httpx
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from telegram import Bot, KeyboardButton, Message, ReplyKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from .base import (
    ChannelName,
    InboundMessage,
    MalformedRequest,
    OutboundMessage,
    PermanentSendError,
    ProviderRequest,
    TransientSendError,
    UncertainSendError,
    content_type_is,
)
from .markdown import telegram_parts, telegram_plain
from .telegram_updates import READ_UPDATES, read_update
from .telegram_updates import to_inbound as to_inbound  # polling (bot/serve.py) reads with it

log = logging.getLogger(__name__)

# Telegram's limit is 4096 characters (UTF-16 code units) a message; stay a little below.
MESSAGE_LIMIT = 4000

# httpx failures, as PTB's TimedOut or NetworkError carries them in __cause__, that come
# after the whole request was written: Telegram may have taken the message. The rest come
# before it was: connecting (ConnectError, ConnectTimeout), waiting for a free connection
# (PoolTimeout), or writing (WriteTimeout, WriteError: the body was not all sent, and the Bot
# API acts only on a whole request). A 5xx answer has no cause: Telegram answered.
ANSWER_LOST = (httpx.ReadTimeout, httpx.ReadError, httpx.RemoteProtocolError)


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPRODUCE_", env_file=".env", extra="ignore")

    telegram_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_polling: bool = False
    # Connections open to the Bot API at once: each concurrent send needs its own.
    telegram_connections: int = 16
    # Seconds to wait for each step of a request (connect, write, the answer).
    telegram_timeout: float = 10.0

    def off_reason(self) -> str | None:
        if not self.telegram_token:
            return "COPRODUCE_TELEGRAM_TOKEN is not set"
        return None


class TelegramChannel:
    name: ClassVar[ChannelName] = ChannelName.TELEGRAM
    # The Bot API cannot be asked whether it took a message.
    can_look_up: ClassVar[bool] = False

    def __init__(self, settings: TelegramSettings) -> None:
        if settings.off_reason():
            raise ValueError(settings.off_reason())
        self._settings = settings
        secret = settings.telegram_webhook_secret
        self._secret = secret.get_secret_value().encode() if secret else None
        root = settings.telegram_api_url.rstrip("/")
        timeout = settings.telegram_timeout
        self.bot = Bot(
            settings.telegram_token.get_secret_value(),  # type: ignore[union-attr]
            base_url=f"{root}/bot",
            base_file_url=f"{root}/file/bot",
            # Sends share a pool sized by the setting, so concurrent sends do not queue for
            # one connection; a send waiting for a free one has not gone out, so the pool
            # wait may be as long as any other step.
            request=HTTPXRequest(
                connection_pool_size=settings.telegram_connections,
                read_timeout=timeout,
                write_timeout=timeout,
                connect_timeout=timeout,
                pool_timeout=timeout,
            ),
            # getUpdates holds its connection for a whole long poll, so it has a pool of its
            # own (PTB's default, one connection) and never takes a send's connection.
            get_updates_request=HTTPXRequest(connection_pool_size=1),
        )

    @property
    def webhook_enabled(self) -> bool:
        return self._secret is not None

    @property
    def polling(self) -> bool:
        return self._settings.telegram_polling

    async def start(self) -> None:
        await (
            self.bot.initialize()
        )  # getMe once: proves the token works; later calls return at once

    async def close(self) -> None:
        await self.bot.shutdown()

    # --- inbound ---------------------------------------------------------------------------

    def is_genuine(self, request: ProviderRequest) -> bool:
        # Without a configured secret nothing can prove an update is Telegram's: refuse all.
        given = request.headers.get("x-telegram-bot-api-secret-token", "")
        return self._secret is not None and hmac.compare_digest(given.encode(), self._secret)

    def parse(self, request: ProviderRequest) -> Sequence[InboundMessage]:
        if not content_type_is(request, "application/json"):
            raise MalformedRequest("Telegram posts JSON (application/json)")
        try:
            data = json.loads(request.body)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise MalformedRequest("the body is not JSON") from error
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            raise MalformedRequest("an update needs an integer update_id")
        return read_update(data, self.bot)

    async def fetch_updates(self, offset: int | None, wait_seconds: int = 25) -> list[Update]:
        """Long-poll for updates (development without a public webhook)."""
        return list(
            await self.bot.get_updates(
                offset=offset,
                timeout=wait_seconds,
                allowed_updates=list(READ_UPDATES),
                read_timeout=wait_seconds + 5,
            )
        )

    async def stop_webhook(self) -> None:
        """Polling and a webhook cannot both be set; polling asks Telegram to drop the webhook."""
        await self.bot.delete_webhook()

    # --- outbound --------------------------------------------------------------------------

    def cost(self, message: OutboundMessage) -> int:
        """Parts: Telegram rate-limits each message the long text is split into (those
        still to send)."""
        return max(1, len(message_parts(message)) - message.parts_sent)

    async def look_up(self, message: OutboundMessage, sent_after: datetime) -> str | None:
        raise NotImplementedError(
            "the Telegram Bot API cannot be asked about a sent message (can_look_up is False)"
        )

    async def send(self, message: OutboundMessage) -> str:
        await self._start_for_send()
        chunks = message_parts(message)
        sent_id = ""
        # Parts that arrived on an earlier try are not sent again.
        for index in range(min(message.parts_sent, len(chunks) - 1), len(chunks)):
            chunk = chunks[index]
            markup = None
            if message.choices and index == len(chunks) - 1:
                # Buttons only mirror choices the text already lists as words or numbers.
                markup = ReplyKeyboardMarkup(
                    [[KeyboardButton(choice)] for choice in message.choices],
                    one_time_keyboard=True,
                    resize_keyboard=True,
                )
            try:
                sent = await self._send_part(
                    int(message.address), chunk, markup, formatted=message.markdown
                )
            except TelegramError as error:
                failure = _classify(error)
                if isinstance(failure, TransientSendError):
                    failure.parts_sent = index
                raise failure from error
            sent_id = str(sent.message_id)
        return sent_id

    async def _send_part(
        self, chat_id: int, text: str, markup: ReplyKeyboardMarkup | None, *, formatted: bool
    ) -> Message:
        """One part; a formatted part Telegram cannot read as HTML goes again as plain text,
        so the words still arrive."""
        if formatted:
            try:
                return await self.bot.send_message(
                    chat_id=chat_id, text=text, parse_mode=ParseMode.HTML, reply_markup=markup
                )
            except BadRequest as error:
                if "parse entities" not in error.message.lower():
                    raise
                log.warning("Telegram could not read our HTML (%s): sent as plain text", error)
                text = telegram_plain(text)
        return await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=markup)

    async def _start_for_send(self) -> None:
        try:
            await self.start()
        except (TimedOut, NetworkError) as error:
            # getMe, not the message: whatever happened to it, nothing was sent.
            raise TransientSendError(f"could not reach Telegram: {_words(error)}") from error
        except TelegramError as error:
            raise _classify(error) from error


def normalise_chat_id(raw: str) -> str:
    cleaned = raw.strip()
    if not cleaned.lstrip("-").isdigit():
        raise ValueError(f"'{raw}' is not a Telegram chat number")
    return str(int(cleaned))


def message_parts(message: OutboundMessage) -> list[str]:
    """The texts the message goes as, in order: a Markdown body in Telegram's HTML (parts
    counted and split on what is sent, not on the Markdown)."""
    if message.markdown:
        return telegram_parts(message.body, MESSAGE_LIMIT, split_message)
    return split_message(message.body)


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split on paragraph breaks (then lines, then spaces) so every part is under ``limit``."""
    if _length(text) <= limit:
        return [text]
    parts: list[str] = []
    for separator in ("\n\n", "\n", " "):
        pieces = text.split(separator)
        if len(pieces) > 1:
            current = ""
            for piece in pieces:
                candidate = f"{current}{separator}{piece}" if current else piece
                if _length(candidate) <= limit:
                    current = candidate
                    continue
                if current:
                    parts.append(current)
                current = piece
            parts.append(current)
            return [p for part in parts for p in split_message(part, limit)]
    # One unbroken run longer than the limit: cut it.
    return [text[i : i + limit] for i in range(0, len(text), limit)]


def _length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _classify(error: TelegramError) -> Exception:
    match error:
        case RetryAfter():
            with warnings.catch_warnings():
                # PTB 22 warns that retry_after becomes a timedelta; _seconds takes either.
                warnings.simplefilter("ignore")
                retry_after = error.retry_after
            return TransientSendError("Telegram asked us to slow down", _seconds(retry_after))
        case Forbidden():
            refused = PermanentSendError(f"the person blocked the bot or left: {_words(error)}")
            # "Forbidden: bot was blocked by the user": an opt-out made in Telegram itself.
            refused.opted_out = "blocked" in error.message
            return refused
        case ChatMigrated():
            return PermanentSendError("the chat moved to a new id")
        case BadRequest():
            return PermanentSendError(f"Telegram refused the message: {_words(error)}")
        case InvalidToken():
            # Never its message: python-telegram-bot writes the token into it.
            log.error("Telegram refused the bot token; check COPRODUCE_TELEGRAM_TOKEN")
            return TransientSendError("Telegram refused the bot token")
        case TimedOut() | NetworkError() if isinstance(error.__cause__, ANSWER_LOST):
            return UncertainSendError(
                f"Telegram may have the message but its answer was lost: {_words(error)}"
            )
        case TimedOut() | NetworkError():
            return TransientSendError(f"could not reach Telegram: {_words(error)}")
    return TransientSendError(f"Telegram error: {_words(error)}")


# What may hide in an error's text: a Bot API URL (some network errors quote the request),
# a bare bot token, a chat id. Reasons are logged and shown to leads.
_BOT_URL_TOKEN = re.compile(r"(/(?:file/)?bot)[^/\s'\"]+")
_BOT_TOKEN = re.compile(r"\b\d+:[\w-]{20,}")
_LONG_NUMBER = re.compile(r"-?\b\d{6,}\b")


def _words(error: TelegramError) -> str:
    """The error's text without a bot token or a chat id in it."""
    text = _BOT_URL_TOKEN.sub(r"\1<token>", error.message)
    return _LONG_NUMBER.sub("<number>", _BOT_TOKEN.sub("<token>", text))


def _seconds(value: Any) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
