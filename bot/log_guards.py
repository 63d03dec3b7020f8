"""Filters on the loggers of libraries whose records carry secrets or people's details by
design, so that an operator who turns them up to chase a problem writes neither to a log.

- httpx and python-telegram-bot log request URLs, and the Bot API puts the bot token in
  every URL: the token becomes ``<token>``.
- aiosqlite logs every call with its SQL parameters, and SQLAlchemy at DEBUG logs the rows
  it reads: people's words, addresses and reply tokens. Those values are hidden, as
  ``hide_parameters`` (storage/db.py) hides them from SQLAlchemy's statement log.
- aiosmtpd, which runs our inbound SMTP listener, logs every command line at INFO: the
  sender's address, and our reply address with the contributor's token. Email addresses
  become ``<address>``.
- The twilio library logs each request at INFO, with the person's number in a look-up's
  query: numbers become ``<number>``.
- PostgreSQL explains a refused row in a DETAIL line that quotes its values ("Key (channel,
  address)=(sms, +447...) already exists"), and the message of every database error carries
  it. Our own loggers that write errors (``bot.*``) write their tracebacks without those
  lines, and :func:`hide_values` takes them out of the errors we store (``last_error``).

:func:`guard_library_logs` is called by ``configure_logging`` and by tests that build the
service; calling it again changes nothing.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable

_BOT_URL_TOKEN = re.compile(r"(/(?:file/)?bot)[^/\s'\"]+")
_EMAIL_ADDRESS = re.compile(r"[^\s<>()\[\]'\",;:]+@[^\s<>()\[\]'\",;:]+")
_PHONE_NUMBER = re.compile(r"(?:\+|%2B)\d{6,15}", re.IGNORECASE)
# PostgreSQL's DETAIL line (asyncpg adds it to the message of every error that has one).
_DETAIL_LINE = re.compile(r"^DETAIL: .*$", re.MULTILINE)
_FORMATTER = logging.Formatter()


def hide_values(text: str) -> str:
    """An error's text without what it may quote of people's rows: PostgreSQL DETAIL lines,
    email addresses and phone numbers."""
    text = _DETAIL_LINE.sub("DETAIL: [values hidden]", text)
    return _PHONE_NUMBER.sub("<number>", _EMAIL_ADDRESS.sub("<address>", text))


class LibraryLogGuard(logging.Filter):
    """Rewrites the records of the loggers it is attached to; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        name = record.name
        if record.exc_info and not record.exc_text:
            # Formatters write exc_text when it is set, instead of formatting the traceback.
            record.exc_text = hide_values(_FORMATTER.formatException(record.exc_info))
        if name == "aiosqlite" and isinstance(record.args, tuple):
            record.args = tuple(_call_without_values(arg) for arg in record.args)
        elif name.startswith("sqlalchemy.engine") and record.msg == "Row %r":
            record.args = ("[row values hidden]",)
        elif name.startswith(("httpx", "telegram")):
            _rewrite(record, lambda text: _BOT_URL_TOKEN.sub(r"\1<token>", text))
        elif name.startswith("mail.log"):
            _rewrite(record, lambda text: _EMAIL_ADDRESS.sub("<address>", text))
        elif name.startswith("twilio"):
            _rewrite(record, lambda text: _PHONE_NUMBER.sub("<number>", text))
        return True


# Each logger that makes such records (a filter on a logger sees only its own records, not
# those of the loggers below it).
GUARDED_LOGGERS = (
    "httpx",
    "telegram.Bot",
    "telegram.request.BaseRequest",
    "telegram.request.HTTPXRequest",
    "aiosqlite",
    "sqlalchemy.engine.Engine",
    "mail.log",
    "twilio.http_client",
    "twilio.async_http_client",
    # ours that log errors with their tracebacks
    "bot.app",
    "bot.dispatcher",
    "bot.inbound",
    "bot.scheduler",
    "bot.serve",
    "bot.services",
    "bot.smtp_server",
    "bot.worker",
)


def guard_library_logs() -> None:
    for name in GUARDED_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, LibraryLogGuard) for f in logger.filters):
            logger.addFilter(LibraryLogGuard())


def _rewrite(record: logging.LogRecord, clean: Callable[[str], str]) -> None:
    text = record.getMessage()
    cleaned = clean(text)
    if cleaned != text:
        record.msg, record.args = cleaned, ()


def _call_without_values(arg: object) -> object:
    """aiosqlite's ``functools.partial(cursor.execute, sql, parameters)`` as the method and
    the statement, without the parameters."""
    if not isinstance(arg, functools.partial):
        return arg
    name = getattr(arg.func, "__name__", "call")
    if arg.args and isinstance(arg.args[0], str):
        hidden = ", [parameters hidden]" if len(arg.args) > 1 and arg.args[1] else ""
        return f"{name}({arg.args[0]!r}{hidden})"
    return f"{name}(...)" if arg.args or arg.keywords else f"{name}()"
