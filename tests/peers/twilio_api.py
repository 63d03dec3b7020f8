"""A local server speaking Twilio's Messages REST endpoints, for the real twilio client.

It checks HTTP basic auth like Twilio, answers 201 with a message resource, refuses numbers
it is told are invalid with Twilio's own error body (code 21211), lists the messages it holds
(newest first, paged as the library reads it), and can fail on demand or on a
:class:`~tests.peers.faults.Faults` schedule.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import parse_qs, urlencode

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .faults import Fault, Faults
from .http_thread import ThreadedServer

MESSAGES = "/2010-04-01/Accounts/{account}/Messages"


@dataclass
class SentSms:
    sid: str
    to: str
    sender: str
    body: str
    status_callback: str | None
    created_at: datetime  # from the server's clock; the list's date_created
    at: float  # time.monotonic() when it was taken, for pacing tests
    # A WhatsApp template sent by ContentSid, and the ContentVariables that filled it.
    content_sid: str | None = None
    content_variables: dict[str, str] | None = None


@dataclass
class TwilioApiServer:
    account_sid: str
    auth_token: str
    sent: list[SentSms] = field(default_factory=list)
    invalid_numbers: set[str] = field(default_factory=set)
    # Approved WhatsApp templates by Content SID, with their places as "{{1}}".
    templates: dict[str, str] = field(default_factory=dict)
    # Numbers that opted out at the carrier or at Twilio (error 21610, as Twilio answers).
    opted_out_numbers: set[str] = field(default_factory=set)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer, in order
    faults: Faults = field(default_factory=Faults)
    # Stamps date_created; a test whose service runs on a ManualClock passes clock.now, so
    # look-ups compare like with like.
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Everything Twilio holds, for its list and fetch answers (``take`` empties only ``sent``).
    _held: list[SentSms] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)
        app = Starlette(
            routes=[
                Route(MESSAGES + ".json", self._create, methods=["POST"]),
                Route(MESSAGES + ".json", self._list, methods=["GET"]),
                Route(MESSAGES + "/{sid}.json", self._fetch, methods=["GET"]),
            ]
        )
        self._server = ThreadedServer(app)
        self.url = self._server.url

    def __enter__(self) -> TwilioApiServer:
        self._server.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.stop()

    def wait_for(self, count: int, timeout: float = 20.0) -> bool:
        """Block until at least ``count`` messages are held (for a service in another process)."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.sent) >= count, timeout)

    def take(self) -> list[SentSms]:
        with self._lock:
            taken, self.sent = self.sent, []
        return taken

    @property
    def history(self) -> list[SentSms]:
        """Everything ever taken, which ``take`` leaves alone (for checks over a whole test)."""
        with self._lock:
            return list(self._held)

    def _authorised(self, request: Request) -> bool:
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        return (
            request.path_params["account"] == self.account_sid
            and request.headers.get("authorization") == f"Basic {expected}"
        )

    async def _create(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        with self._lock:
            failure = self.fail_next.pop(0) if self.fail_next else None
        if failure == 429:
            return _error(429, 20429, "Too Many Requests")
        if failure:
            return _error(failure, 20500, "Internal Server Error")
        # Scheduled faults come before the message is read: a busy Twilio refuses without
        # looking, so a refusal here says nothing about the number.
        match self.faults.draw():
            case Fault.TRANSIENT:
                return _error(503, 20503, "Service Unavailable")
            case Fault.TOO_MANY:
                retry_after = {"Retry-After": str(self.faults.retry_after)}
                return _error(429, 20429, "Too Many Requests", retry_after)
        fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
        form = {key: values[-1] for key, values in fields.items()}
        to = str(form.get("To", ""))
        # A WhatsApp number is a phone number with Twilio's "whatsapp:" in front.
        if not to.removeprefix("whatsapp:").startswith("+") or to in self.invalid_numbers:
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if to in self.opted_out_numbers:
            return _error(400, 21610, "Attempt to send to unsubscribed recipient")
        sender = str(form.get("From") or form.get("MessagingServiceSid") or "")
        sid = f"SM{next(self._ids):032x}"
        content_sid = form.get("ContentSid")
        variables = json.loads(form.get("ContentVariables") or "{}") if content_sid else None
        if content_sid is not None and content_sid not in self.templates:
            return _error(400, 21656, "The ContentSid is invalid.")
        body = form.get("Body", "")
        if content_sid is not None:
            body = self.templates[content_sid]
            for place, value in (variables or {}).items():
                body = body.replace("{{" + place + "}}", value)
        message = SentSms(
            sid,
            to,
            sender,
            body,
            form.get("StatusCallback"),
            created_at=self.clock(),
            at=time.monotonic(),
            content_sid=content_sid,
            content_variables=variables,
        )
        with self._arrived:
            self.sent.append(message)
            self._held.append(message)
            self._arrived.notify_all()
        if self.faults.answer_slowly(to):
            # Taken, then answered after the client has given up waiting.
            await asyncio.sleep(self.faults.slow_seconds)
        return JSONResponse(self._resource(message, "queued"), status_code=201)

    async def _list(self, request: Request) -> JSONResponse:
        """Messages newest first, filtered by To and From, one page of PageSize at Page."""
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        query = request.query_params
        size = int(query.get("PageSize") or 50)
        page = int(query.get("Page") or 0)
        with self._lock:
            held = list(self._held)
        matching = [
            m
            for m in reversed(held)
            if query.get("To") in (None, m.to) and query.get("From") in (None, m.sender)
        ]
        matching.sort(key=lambda m: m.created_at, reverse=True)  # stable: later sends first
        start = page * size
        records = matching[start : start + size]
        filters = {key: query[key] for key in ("To", "From") if key in query}
        uri = MESSAGES.format(account=self.account_sid) + ".json"

        def page_uri(number: int) -> str:
            return f"{uri}?{urlencode({**filters, 'PageSize': size, 'Page': number})}"

        more = start + size < len(matching)
        return JSONResponse(
            {
                "messages": [self._resource(m, "sent") for m in records],
                "start": start,
                "end": start + max(len(records) - 1, 0),
                "page": page,
                "page_size": size,
                "uri": page_uri(page),
                "first_page_uri": page_uri(0),
                "previous_page_uri": page_uri(page - 1) if page > 0 else None,
                "next_page_uri": page_uri(page + 1) if more else None,
            }
        )

    async def _fetch(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        with self._lock:
            found = [m for m in self._held if m.sid == request.path_params["sid"]]
        if not found:
            return _error(404, 20404, "The requested resource was not found")
        return JSONResponse(self._resource(found[0], "sent"))

    def _resource(self, message: SentSms, status: str) -> dict[str, Any]:
        created = format_datetime(message.created_at, usegmt=True)  # RFC 2822, as Twilio
        return {
            "sid": message.sid,
            "account_sid": self.account_sid,
            "to": message.to,
            "from": message.sender,
            "body": message.body,
            "status": status,
            "num_segments": "1",
            "num_media": "0",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "date_created": created,
            "date_updated": created,
            "date_sent": None,
            "price": None,
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message.sid}.json",
        }


def _error(
    status: int, code: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
        headers=headers,
    )
