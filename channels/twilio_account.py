"""The Twilio account that the SMS and WhatsApp channels both send through.

:class:`TwilioAccount` owns the twilio library's own client (with its asyncio HTTP client) and
its ``RequestValidator``; ``COPRODUCE_TWILIO_API_URL`` points the client at another REST root,
which is how the tests reach a local Twilio-speaking server. A channel holds one; it does not
inherit from it. Beside it: reading Twilio's webhook forms and status callbacks, and turning
Twilio's refusals into our send errors. Each channel's own rules stay in its module.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

import aiohttp
from pydantic import SecretStr
from twilio.base import values as twilio_values
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from .base import (
    DeliveryReport,
    MalformedRequest,
    PermanentSendError,
    ProviderRequest,
    TransientSendError,
    UncertainSendError,
    content_type_is,
)

log = logging.getLogger(__name__)

# Twilio joins a long text into one inbound message of at most 1,600 characters; anything
# longer did not come from a phone, and is cut.
TEXT_LIMIT = 1600

# Twilio REST error codes (https://www.twilio.com/docs/api/errors) for which trying again can
# never help: the number itself is the problem. Anything else is treated as passing.
PERMANENT_ERROR_CODES: dict[int, str] = {
    21211: "not a valid phone number",
    21214: "the number cannot be reached",
    21217: "not a valid phone number",
    21401: "not a valid phone number",
    21407: "this number's country cannot be sent to",
    21408: "sending to this region is not enabled on the Twilio account",
    21610: "the person replied STOP to our number at their phone company",
    21612: "the number cannot be reached from our number",
    21614: "not a mobile number",
    21635: "not a mobile number",
}

# Error codes that come with a failed or undelivered status callback, for the leads' view.
DELIVERY_ERROR_CODES: dict[str, str] = {
    "30003": "the phone is off or out of reach",
    "30004": "the message was blocked",
    "30005": "the number does not exist",
    "30006": "a landline or a phone company that cannot take texts",
    "30007": "filtered by the phone company",
    "30008": "unknown phone company error",
}
# Of those, the ones that say the number itself can never take a text: they count against
# the address like a refusal when sending.
PERMANENT_DELIVERY_CODES = {"30005", "30006"}

# The error code that says the person opted out at the phone company or at Twilio: the
# refusal is permanent and their number is marked stopped.
OPTED_OUT_CODE = 21610

# Statuses in Twilio's status callbacks that say how a message ended.
FINAL_STATUSES = {"delivered", "undelivered", "failed"}
# Statuses worth a report: the final ones and "sent" (Twilio handed the message to the phone
# company). "sent" proves Twilio took a message whose send timed out, and in the UK, where
# many networks give no delivery receipt, it is often the last status there is. The others
# (queued, sending, accepted, scheduled...) are steps on the way and change nothing here.
REPORTED_STATUSES = FINAL_STATUSES | {"sent"}

# How many of the person's latest messages look_up reads, and how much earlier than our own
# "sent after" a match may be: Twilio's date_created has whole seconds and its clock is not ours.
LOOK_UP_LIMIT = 20
LOOK_UP_SLACK = timedelta(seconds=60)


class TwilioAccountSettings(Protocol):
    """The account's part of a Twilio channel's settings (SmsSettings, WhatsAppSettings)."""

    twilio_account_sid: str | None
    twilio_auth_token: SecretStr | None
    twilio_api_url: str
    twilio_timeout: float


class TwilioAccount:
    """One Twilio account's REST client and webhook signature check, started on first use."""

    @classmethod
    def from_settings(cls, settings: TwilioAccountSettings) -> TwilioAccount:
        """The account a channel's settings name; its auth token must be set."""
        return cls(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),  # type: ignore[union-attr]
            settings.twilio_api_url,
            settings.twilio_timeout,
        )

    def __init__(self, account_sid: str | None, auth_token: str, api_url: str, timeout: float):
        self._account_sid = account_sid
        self._token = auth_token
        self._api_url = api_url
        self._timeout = timeout
        self._validator = RequestValidator(auth_token)
        self._http: AsyncTwilioHttpClient | None = None
        self._client: Client | None = None

    async def start(self) -> None:
        if self._client is not None:
            return
        # No max_retries: a retried create after a lost answer would send the text twice. The
        # client's own timeout is never applied to a request (it passes timeout=None to aiohttp,
        # which turns aiohttp's timeouts off), so send() keeps time itself; the trace tells it
        # whether the request had started to go out when time ran out.
        trace = aiohttp.TraceConfig()
        trace.on_request_headers_sent.append(_note_request_written)
        trace.on_request_end.append(_note_retry_after)
        self._http = AsyncTwilioHttpClient(trace_configs=[trace])
        self._client = Client(self._account_sid, self._token, http_client=self._http)
        self._client.api.base_url = self._api_url.rstrip("/")

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
        self._http = None
        self._client = None

    @property
    def client(self) -> Client:
        """The started twilio ``Client``."""
        assert self._client is not None, "start() the Twilio account first"
        return self._client

    def is_genuine(self, request: ProviderRequest) -> bool:
        signature = request.headers.get("x-twilio-signature", "")
        if not signature:
            return False
        try:
            params = form(request)
        except MalformedRequest:
            return False
        return bool(self._validator.validate(request.url, params, signature))

    async def create_message(
        self,
        params: dict[str, object],
        refusal: Callable[[TwilioRestException, float | None], Exception],
    ) -> str:
        """Send one message; its sid. ``refusal`` turns Twilio's error answer into our error."""
        await self.start()
        attempt = _SendAttempt()
        token = _current_attempt.set(attempt)
        try:
            async with asyncio.timeout(self._timeout):
                created = await self.client.messages.create_async(**params)  # type: ignore[arg-type]
        except TwilioRestException as error:
            raise refusal(error, attempt.retry_after) from error
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise _unanswered(error, attempt.written) from error
        finally:
            _current_attempt.reset(token)
        return str(created.sid)

    async def find_message(
        self, to: str, from_: str | None, body: str, sent_after: datetime
    ) -> str | None:
        """The sid of a message Twilio holds to ``to`` (from ``from_``, when given) with this
        body, created since ``sent_after`` (less a little slack), or None when it has none."""
        await self.start()
        try:
            async with asyncio.timeout(self._timeout):
                recent = await self.client.messages.list_async(
                    to=to,
                    from_=twilio_values.unset if from_ is None else from_,
                    limit=LOOK_UP_LIMIT,
                )
        except TwilioException as error:
            # TwilioRestException for an error answer; a bare TwilioException when a page of
            # the list could not be read.
            status = getattr(error, "status", None)
            raise TransientSendError(f"Twilio did not answer the look-up ({status})") from error
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise TransientSendError(f"could not reach Twilio: {type(error).__name__}") from error
        since = sent_after - LOOK_UP_SLACK
        for found in recent:
            created = found.date_created
            if found.body == body and isinstance(created, datetime) and created >= since:
                return str(found.sid)
        return None


def status_callback_url(public_url: str, outbox_id: int) -> str:
    """Where Twilio posts a message's statuses. Our id rides in the callback URL (Twilio signs
    the whole URL), so a report can be matched to its message even when the answer to the
    send never came back."""
    return f"{public_url.rstrip('/')}/sms/status?outbox={outbox_id}"


def read_delivery_report(request: ProviderRequest) -> DeliveryReport | None:
    """A status callback as a report, or None when the status is only a step on the way."""
    params = form(request)
    sid = message_sid(params)
    status = first(params, "MessageStatus") or first(params, "SmsStatus")
    if not sid or not status:
        raise MalformedRequest("a status callback needs MessageSid and MessageStatus")
    if status not in REPORTED_STATUSES:
        return None
    code = first(params, "ErrorCode")
    return DeliveryReport(
        provider_id=sid,
        status=status,
        error_code=code or None,
        outbox_id=_outbox_id(request.url),
    )


def classify(error: TwilioRestException, retry_after: float | None = None) -> Exception:
    """Twilio's error answer to a send as our Transient or Permanent send error."""
    code = int(error.code) if error.code else None
    if code in PERMANENT_ERROR_CODES:
        refused = PermanentSendError(f"Twilio {code}: {PERMANENT_ERROR_CODES[code]}")
        refused.opted_out = code == OPTED_OUT_CODE
        return refused
    status = int(error.status or 0)
    if status == 429 or status >= 500:
        # Twilio's pause, when it asked for one (Retry-After), is the one to keep.
        return TransientSendError(f"Twilio answered {status} (code {code})", retry_after)
    if status in (401, 403):
        # Our credentials, not the person's number: keep the message until the setting is fixed.
        log.error("Twilio refused our credentials (HTTP %s); check COPRODUCE_TWILIO_*", status)
        return TransientSendError(f"Twilio refused our credentials (HTTP {status})")
    return PermanentSendError(f"Twilio refused the message: HTTP {status}, code {code}")


class Form(dict[str, list[str]]):
    """Form fields with every value kept; RequestValidator reads repeated fields via getlist."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def form(request: ProviderRequest) -> Form:
    """The fields of a Twilio webhook request; MalformedRequest when it is not a form."""
    if not content_type_is(request, "application/x-www-form-urlencoded"):
        raise MalformedRequest("Twilio posts a form (application/x-www-form-urlencoded)")
    try:
        text = request.body.decode("utf-8")
        return Form(parse_qs(text, keep_blank_values=True, strict_parsing=bool(text)))
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedRequest("the body is not a valid form") from error


def first(params: Form, name: str) -> str | None:
    """The first value of a form field, or None when it is absent."""
    values = params.get(name)
    return values[0] if values else None


def message_sid(params: Form) -> str | None:
    """The message's sid (older webhooks call it SmsSid)."""
    return first(params, "MessageSid") or first(params, "SmsSid")


def media_count(value: str | None) -> int:
    """Twilio's NumMedia: the pictures or files of an MMS (we keep none of them)."""
    try:
        return max(0, min(int(value or 0), 100))
    except ValueError:
        return 0


def _outbox_id(url: str) -> int | None:
    """Our outbox id from a status callback URL (``...?outbox=42``), when it carries one."""
    values = parse_qs(urlsplit(url).query).get("outbox")
    try:
        return int(values[0]) if values else None
    except ValueError:
        return None


@dataclass
class _SendAttempt:
    written: bool = False
    # The answer's Retry-After, in seconds: TwilioRestException does not carry headers.
    retry_after: float | None = None


# The send in progress in this task, so the aiohttp trace hook can mark it. aiohttp calls
# the hook inside the task that awaits the request, which is the task running send().
_current_attempt: ContextVar[_SendAttempt | None] = ContextVar("twilio_attempt", default=None)


async def _note_request_written(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    # aiohttp calls this just before the request's first bytes are handed to the socket.
    attempt = _current_attempt.get()
    if attempt is not None:
        attempt.written = True


async def _note_retry_after(
    session: aiohttp.ClientSession,
    context: SimpleNamespace,
    params: aiohttp.TraceRequestEndParams,
) -> None:
    # aiohttp calls this when the answer's headers are in, in the task running send().
    attempt = _current_attempt.get()
    if attempt is not None:
        attempt.retry_after = _seconds(params.response.headers.get("Retry-After"))


def _seconds(value: str | None) -> float | None:
    """A Retry-After of delay-seconds (what Twilio sends); None for a date or nonsense."""
    try:
        seconds = float(value) if value else None
    except ValueError:
        return None
    return seconds if seconds is not None and 0 <= seconds <= 86400 else None


def _unanswered(error: BaseException, written: bool) -> Exception:
    """A send that got no answer, classified by whether the request had started to go out.

    Before the first byte went out Twilio cannot have the message, whatever the failure:
    connection refused or reset (ClientConnectorError), DNS, a connect timeout
    (ConnectionTimeoutError, or our own timeout while connecting): safe to send again. After,
    Twilio may have taken it even though the answer was lost: our timeout while waiting for
    the answer, SocketTimeoutError, ServerDisconnectedError, a broken answer. Only the write
    decides, not the exception's type: aiohttp raises the same TimeoutError on both sides, and
    marking too early errs towards a look-up, never towards a second text.
    """
    what = type(error).__name__
    if not written:
        return TransientSendError(f"could not reach Twilio: {what}")
    return UncertainSendError(f"Twilio took the request but its answer did not come: {what}")
