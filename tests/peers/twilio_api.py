"""A local server speaking Twilio's Messages REST endpoint, for the real twilio client.

It checks HTTP basic auth like Twilio, answers 201 with a message resource, refuses numbers
it is told are invalid with Twilio's own error body (code 21211), and can fail on demand.
"""

from __future__ import annotations

import base64
import itertools
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .http_thread import ThreadedServer


@dataclass
class SentSms:
    sid: str
    to: str
    sender: str
    body: str
    status_callback: str | None


@dataclass
class TwilioApiServer:
    account_sid: str
    auth_token: str
    sent: list[SentSms] = field(default_factory=list)
    invalid_numbers: set[str] = field(default_factory=set)
    fail_next: list[int] = field(default_factory=list)  # HTTP statuses to answer, in order
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(init=False)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self._arrived = threading.Condition(self._lock)
        base = "/2010-04-01/Accounts/{account}/Messages"
        app = Starlette(
            routes=[
                Route(base + ".json", self._create, methods=["POST"]),
                Route(base + "/{sid}.json", self._fetch, methods=["GET"]),
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
        fields = parse_qs((await request.body()).decode("utf-8"), keep_blank_values=True)
        form = {key: values[-1] for key, values in fields.items()}
        to = str(form.get("To", ""))
        if not to.startswith("+") or to in self.invalid_numbers:
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        sender = str(form.get("From") or form.get("MessagingServiceSid") or "")
        sid = f"SM{next(self._ids):032x}"
        message = SentSms(sid, to, sender, form.get("Body", ""), form.get("StatusCallback"))
        with self._arrived:
            self.sent.append(message)
            self._arrived.notify_all()
        return JSONResponse(self._resource(message, "queued"), status_code=201)

    async def _fetch(self, request: Request) -> JSONResponse:
        if not self._authorised(request):
            return _error(401, 20003, "Authenticate")
        with self._lock:
            found = [m for m in self.sent if m.sid == request.path_params["sid"]]
        if not found:
            return _error(404, 20404, "The requested resource was not found")
        return JSONResponse(self._resource(found[0], "sent"))

    def _resource(self, message: SentSms, status: str) -> dict[str, Any]:
        now = formatdate(usegmt=True)
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
            "date_created": now,
            "date_updated": now,
            "date_sent": None,
            "price": None,
            "error_code": None,
            "error_message": None,
            "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{message.sid}.json",
        }


def _error(status: int, code: int, message: str) -> JSONResponse:
    return JSONResponse(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status_code=status,
    )
