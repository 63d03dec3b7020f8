"""Property tests of the webhooks on the real app: requests that are correctly signed (the
Telegram secret, a Twilio signature made with the auth token) but random in shape get a 2xx or
a 4xx, never a 5xx; a 4xx stores nothing; a 2xx stores at most one whole inbound row, keyed by
the update or MessageSid it came with; and no stored message makes its flow fail."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, quote, quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from storage.models import InboundMessageRow, InboundStatus
from tests.helpers import add_person, telegram_update
from tests.live import PUBLIC_URL, TELEGRAM_SECRET, TWILIO_TOKEN, live_service

PROPERTY = settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
BEA_CHAT, BEA_PHONE = 5001, "+447700900001"
UPDATE_KEYS = [
    "update_id", "message", "edited_message", "date", "chat", "from", "text", "caption", "photo",
    "sticker", "entities", "reply_to_message", "id", "type", "is_bot", "first_name", "message_id",
    "new_chat_members",
]  # fmt: skip
FORM_FIELDS = [
    "MessageSid", "SmsSid", "From", "To", "Body", "AccountSid", "NumMedia", "MediaUrl0",
    "MessageStatus", "SmsStatus", "ErrorCode",
]  # fmt: skip
FORM_VALUES = [
    "SM" + "a" * 32, BEA_PHONE, "%2B447700900001", "help", "STOP", "%FF%FE", "%C3%28", "%ED%A0%80",
    "delivered", "failed", "undelivered", "sent", "30005", "30003", "%", "%Z", "a=b",
    "SM" + "9" * 300, "7" * 400,
]  # fmt: skip
# Telegram's numbers fit in 64 bits; larger ones, and NUL in a text, are the edge cases
# named at the end, and are generated here too.
_int = st.integers() | st.sampled_from([0, 1, -1, BEA_CHAT, 2**31, 2**63, 10**300])
_float = st.floats(min_value=-(2.0**53), max_value=2.0**53)
_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_json = st.recursive(
    st.none() | st.booleans() | _int | _float | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=10,
)


@pytest.fixture
async def live(sqlite_url, clock):
    async with live_service(sqlite_url, clock) as service:
        await add_person(service.services.sessions, "Bea", telegram=str(BEA_CHAT), phone=BEA_PHONE)
        yield service


async def _rows(live) -> list[InboundMessageRow]:
    async with live.services.sessions() as session:
        return list(await session.scalars(select(InboundMessageRow)))


async def _answers_and_stores_cleanly(live, path: str, body: bytes, headers: dict, key) -> None:
    """Post one request; check the answer and what was stored for it (``key``: the provider
    id a stored row must have, or None when nothing may be stored)."""
    before = {(row.channel, row.provider_id) for row in await _rows(live)}
    response = await live.http.post(path, content=body, headers=headers)
    assert 200 <= response.status_code < 500
    # Signed right, so refused as not genuine only when the form cannot be read to check it.
    assert response.status_code != 403 or (path.startswith("/sms") and not _readable(body))
    await live.settle()
    rows = await _rows(live)
    new = [row for row in rows if (row.channel, row.provider_id) not in before]
    if response.status_code >= 400 or key is None:
        assert new == []
    else:
        assert [row.provider_id for row in new] in ([], [key[:255]])  # the column's size
    for row in new:
        # A whole row, that PostgreSQL would take too: within the column sizes, no NUL.
        assert row.sender and len(row.sender) <= 320 and len(row.provider_id) <= 255
        assert row.text is not None and "\x00" not in row.text + row.sender
        assert row.received_at is not None and row.stored_at is not None
    failed = [(row.id, row.last_error) for row in rows if row.last_error]
    assert failed == [] and all(row.status != InboundStatus.FAILED for row in rows)


def _readable(form: bytes) -> bool:
    try:
        text = form.decode()
        parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
    except (UnicodeDecodeError, ValueError):
        return False
    return True


@st.composite
def updates(draw: st.DrawFn) -> object:
    """Anything as a Telegram update: random JSON, or an update with random parts."""
    if draw(st.integers(0, 4)) == 0:
        return draw(_json)
    update = telegram_update(
        draw(_int),
        draw(st.sampled_from([BEA_CHAT, 7777])),
        draw(_text | st.sampled_from(["help", "STOP", "/start"])),
    )
    message = update["message"]
    parts = [update, message, message["chat"], message["from"]]  # each changed in place
    for _ in range(draw(st.integers(0, 3))):
        where = draw(st.sampled_from(parts))
        key = draw(st.sampled_from(UPDATE_KEYS) | _text)
        if draw(st.booleans()):
            where[key] = draw(_json)
        else:
            where.pop(key, None)
    return update


@PROPERTY
@given(update=updates())
async def test_any_signed_telegram_update_is_answered_without_error(live, update) -> None:
    await _answers_and_stores_cleanly(live, *_telegram(update))


def _telegram(update: object) -> tuple[str, bytes, dict[str, str], str | None]:
    """The request for an update, and its update_id if it could be stored."""
    update_id = update.get("update_id") if isinstance(update, dict) else None
    key = str(update_id) if isinstance(update_id, int) and not isinstance(update_id, bool) else None
    headers = {
        "content-type": "application/json",
        "x-telegram-bot-api-secret-token": TELEGRAM_SECRET,
    }
    return "/telegram/webhook", json.dumps(update).encode(), headers, key


_field_name = st.sampled_from(FORM_FIELDS) | _text
_field_value = st.one_of(
    _text.map(lambda text: quote(text.encode("utf-8", "surrogatepass"))),
    st.binary(max_size=20).map(lambda b: quote_from_bytes(b.replace(b"\x00", b""))),  # bad UTF-8
    st.sampled_from(FORM_VALUES),
)

# The sids our Twilio peer gives the texts we send, so that reports can match some of them.
_sids = st.integers(1, 40).map(lambda n: f"SM{n:032x}") | st.uuids().map(lambda u: "SM" + u.hex)
_numbers = st.sampled_from([BEA_PHONE, "%2B447700900002", "%2B15005550006", "12"])
_statuses = st.sampled_from(["delivered", "undelivered", "failed", "sent", "queued", "read"])
_error_codes = st.sampled_from(["", "&ErrorCode=30005", "&ErrorCode=30003", "&ErrorCode=x"])


@st.composite
def forms(draw: st.DrawFn, second: str, likely: st.SearchStrategy[str]) -> str:
    """A form body, field by field, each name and value already percent-encoded: mostly with
    a MessageSid and ``second`` (From, MessageStatus), their values ``likely`` or anything."""
    sid = draw(_sids | _field_value) if draw(st.integers(0, 3)) else draw(_field_value)
    fields = [("MessageSid", sid), (second, draw(likely | _field_value))]
    fields = fields[: draw(st.integers(0, 1))] if draw(st.integers(0, 3)) == 0 else fields
    for _ in range(draw(st.integers(0, 5))):
        fields.append((quote(draw(_field_name)), draw(_field_value)))
    fields = draw(st.permutations(fields))
    separator = draw(st.sampled_from(["&", "&", "&", "&&", ";"]))  # mostly right
    return separator.join(f"{name}={value}" for name, value in fields)


INBOUND_FORMS = forms("From", _numbers)
STATUS_FORMS = st.tuples(forms("MessageStatus", _statuses), _error_codes).map("".join)


class _Fields(dict):
    """Form fields as RequestValidator reads repeated ones (Twilio signs every value)."""

    def getlist(self, name: str) -> list[str]:
        return self[name]


def _signed(path: str, body: str) -> dict[str, str]:
    fields = _Fields(parse_qs(body, keep_blank_values=True))
    return {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": RequestValidator(TWILIO_TOKEN).compute_signature(
            PUBLIC_URL + path, fields
        ),
    }


@PROPERTY
@given(body=INBOUND_FORMS)
async def test_any_signed_sms_form_is_answered_without_error(live, body) -> None:
    await _answers_and_stores_cleanly(live, *_sms(body))


def _sms(body: str) -> tuple[str, bytes, dict[str, str], str | None]:
    """The request for a text, and its MessageSid (else its SmsSid) if it could be stored."""
    try:
        fields = parse_qs(body, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        fields = {}
    key = (fields.get("MessageSid") or [""])[0] or (fields.get("SmsSid") or [None])[0]
    return "/sms/inbound", body.encode(), _signed("/sms/inbound", body), key


@PROPERTY
@given(
    body=STATUS_FORMS,
    query=st.one_of(
        st.integers(1, 40).map(lambda n: f"?outbox={n}"),
        st.sampled_from(["", "?outbox=x", "?outbox=-1", "?outbox=1&outbox=2"]),
        _text.map(lambda text: "?outbox=" + quote(text)),
    ),
)
async def test_any_signed_status_callback_is_answered_and_stores_no_inbound_message(
    live, body, query
) -> None:
    path = "/sms/status" + query
    await _answers_and_stores_cleanly(live, path, body.encode(), _signed(path, body), None)


# Correctly signed requests that broke the rule once (a 500, or a row PostgreSQL refuses).
ONCE_BROKE_IT = {
    "Telegram date past 64 bits (OverflowError, a 500)": _telegram(
        telegram_update(9001, BEA_CHAT, "help", date=10**20)
    ),
    "update_id over 255 digits": _telegram(telegram_update(10**300, BEA_CHAT, "help")),
    "NUL in a Telegram text": _telegram(telegram_update(9002, BEA_CHAT, "help\x00")),
    "chat id over 320 digits": _telegram(telegram_update(9003, 10**400, "help")),
    "NUL in an SMS body": _sms("MessageSid=SMnul&From=%2B447700900001&Body=help%00"),
}


@pytest.mark.parametrize("request_", ONCE_BROKE_IT.values(), ids=ONCE_BROKE_IT.keys())
async def test_a_signed_request_that_once_broke_the_rule_is_answered_cleanly(
    live, request_
) -> None:
    await _answers_and_stores_cleanly(live, *request_)
