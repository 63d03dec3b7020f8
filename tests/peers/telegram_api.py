"""A local server speaking the Telegram Bot API (the methods we use), for the real ``Bot``.

Methods are served at ``/bot<TOKEN>/<method>`` as the Bot API specifies. It can be told that
a chat blocked the bot (403), to ask for a pause (429 with retry_after), or to fail (500),
once each through ``fail_next`` or on a :class:`~tests.peers.faults.Faults` schedule.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .faults import Fault, Faults
from .http_thread import ThreadedServer

BOT_USER = {
    "id": 7000001,
    "is_bot": True,
    "first_name": "Coproduce",
    "username": "coproduce_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class SentMessage:
    chat_id: int
    text: str
    reply_markup: dict[str, Any] | None
    message_id: int
    at: float  # time.monotonic() when it was taken, for pacing tests
    parse_mode: str | None = None


@dataclass
class TelegramApiServer:
    token: str
    sent: list[SentMessage] = field(default_factory=list)
    # Everything ever taken, which ``take`` leaves alone (for checks over a whole test).
    history: list[SentMessage] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    blocked_chats: set[int] = field(default_factory=set)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer, in order
    # Messages in HTML parse mode to refuse as unreadable HTML, as Telegram may.
    refuse_html_next: int = 0
    faults: Faults = field(default_factory=Faults)
    _updates: list[dict[str, Any]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(100))

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)
        app = Starlette(
            routes=[Route("/bot{token}/{method}", self._method, methods=["GET", "POST"])]
        )
        self._server = ThreadedServer(app)
        self.url = self._server.url

    def __enter__(self) -> TelegramApiServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def queue_update(self, update: dict[str, Any]) -> None:
        """An update for getUpdates (polling) to hand out."""
        with self._lock:
            self._updates.append(update)

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        """Block until at least ``count`` messages are held (for a service in another process)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.sent) >= count, timeout)

    def take(self) -> list[SentMessage]:
        with self._lock:
            taken, self.sent = self.sent, []
        return taken

    async def _method(self, request: Request) -> JSONResponse:
        if request.path_params["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.path_params["method"]
        params = await _params(request)
        with self._lock:
            self.calls.append(method)
            failure = self.fail_next.pop(0) if self.fail_next and method == "sendMessage" else None
        if failure == 429:
            return _error(429, "Too Many Requests: retry after 7", {"retry_after": 7})
        if failure:
            return _error(failure, "Internal Server Error")
        if method == "getMe":
            return _ok(BOT_USER)
        if method in ("deleteWebhook", "setWebhook"):
            return _ok(True)
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        if method == "sendMessage":
            return await self._send_message(params)
        return _error(404, "Not Found: method not found")

    async def _send_message(self, params: dict[str, Any]) -> JSONResponse:
        # Scheduled faults come before the message is read: a busy server refuses without
        # looking, so a refusal here says nothing about the chat.
        match self.faults.draw():
            case Fault.TRANSIENT:
                return _error(502, "Bad Gateway")
            case Fault.TOO_MANY:
                retry_after = self.faults.retry_after
                return _error(
                    429,
                    f"Too Many Requests: retry after {retry_after}",
                    {"retry_after": retry_after},
                )
        chat_id = int(params["chat_id"])
        if chat_id in self.blocked_chats:
            return _error(403, "Forbidden: bot was blocked by the user")
        text = str(params["text"])
        parse_mode = params.get("parse_mode")
        shown = text
        if parse_mode == "HTML":
            shown = shown_text(text)
            with self._lock:
                refused, self.refuse_html_next = (
                    self.refuse_html_next > 0,
                    max(0, self.refuse_html_next - 1),
                )
            if shown is None or refused:
                return _error(400, "Bad Request: can't parse entities: unsupported start tag")
        if not shown or len(shown) > 4096:
            return _error(400, "Bad Request: message text is empty or too long")
        markup = params.get("reply_markup")
        message_id = next(self._ids)
        sent = SentMessage(
            chat_id,
            text,
            json.loads(markup) if markup else None,
            message_id,
            at=time.monotonic(),
            parse_mode=parse_mode,
        )
        with self._arrived:
            self.sent.append(sent)
            self.history.append(sent)
            self._arrived.notify_all()
        if self.faults.answer_slowly(str(chat_id)):
            # Taken, then answered after the client has given up waiting.
            await asyncio.sleep(self.faults.slow_seconds)
        return _ok(
            {
                "message_id": message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "from": BOT_USER,
                "text": text,
            }
        )

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 2.0)
        while True:
            with self._lock:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = list(self._updates)
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.05)


async def _params(request: Request) -> dict[str, Any]:
    if request.headers.get("content-type", "").startswith("application/json"):
        return dict(await request.json())
    # The Bot API takes form-encoded parameters (python-telegram-bot sends them so).
    fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
    return {key: values[-1] for key, values in fields.items()}


# The tags Telegram's HTML parse mode knows; anything else is refused, as Telegram does.
TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
    | {"blockquote", "tg-spoiler", "span", "tg-emoji"}
)


class _TelegramHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.bad = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.bad |= tag not in TELEGRAM_TAGS
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.bad |= not self.open or self.open.pop() != tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def shown_text(text: str) -> str | None:
    """The text Telegram shows for a message in its HTML parse mode, or None when Telegram
    would refuse it (a tag it does not know, tags not closed in order, a bare "<")."""
    if re.search(r"<(?![a-z/])|&(?!(?:lt|gt|amp|quot|#\d+|#x[0-9a-f]+);)", text, re.I):
        return None
    parser = _TelegramHtml()
    parser.feed(text)
    parser.close()
    return None if parser.bad or parser.open else "".join(parser.text)


def _ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return JSONResponse(body, status_code=status)
