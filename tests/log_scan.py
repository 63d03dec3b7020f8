"""Everything the service says while a test runs, to be searched for what it must not say.

:func:`everything_said` turns every logger up to DEBUG (ours and the libraries': httpx,
telegram, twilio, aiosmtplib, aiosmtpd, aiosqlite, sqlalchemy, uvicorn...) and keeps each
record as a handler would write it, traceback included, and every warning. Records made on
the local peers' threads (named ``peer-...``) are the fake providers' own and are left out:
a real provider's logs are not ours. The test adds what reached stdout and stderr.
"""

from __future__ import annotations

import base64
import logging
import re
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote, quote_plus

from tests.privacy import Detail

PEER_THREADS = "peer-"
# LogRecord's own attributes; anything else on a record came with ``extra=`` and a
# structured handler would write it too.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


@dataclass(frozen=True)
class Line:
    level: int
    logger: str
    text: str


@dataclass
class Said:
    lines: list[Line] = field(default_factory=list)
    # stdout and stderr, for the test to fill from capfd
    output: str = ""

    def texts(self) -> list[str]:
        return [f"{line.logger}: {line.text}" for line in self.lines] + [self.output]

    def secrets_found(self, secrets: Iterable[str]) -> list[str]:
        """Each place a secret appears, in any of the forms it travels in."""
        forms = {form: secret for secret in secrets for form in secret_forms(secret)}
        return [
            f"{secret!r} in: {text[:300]}"
            for text in self.texts()
            for form, secret in forms.items()
            if form.casefold() in text.casefold()
        ]

    def contact_details_at_info(self, details: Iterable[Detail]) -> list[str]:
        """Each log line at INFO or above that names someone by address, number or chat id."""
        details = list(details)
        return [
            f"{detail.kind} {detail.value} in {line.logger}: {line.text[:300]}"
            for line in self.lines
            if line.level >= logging.INFO
            for detail in details
            if detail.found_in(line.text)
        ]


def said_by_process(output: list[str]) -> Said:
    """A ``coproduce`` process's output as records (format of ``configure_logging``: time,
    level, logger, message; a traceback's lines belong to the record above them)."""
    said = Said(output="\n".join(output))
    for text in output:
        started = _PROCESS_RECORD.match(text)
        if started:
            level = logging.getLevelName(started["level"])
            said.lines.append(Line(level, started["logger"], started["message"]))
        elif said.lines:
            last = said.lines[-1]
            said.lines[-1] = Line(last.level, last.logger, f"{last.text}\n{text}")
    return said


_PROCESS_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d [\d:,]+ (?P<level>[A-Z]+) (?P<logger>\S+): (?P<message>.*)$"
)


def secret_forms(secret: str) -> set[str]:
    """A secret as written, URL-encoded (a token in a URL) and base64-encoded (in an
    Authorization header or an SMTP AUTH line, alone or after a user name)."""
    encoded = base64.b64encode(secret.encode()).decode()
    return {secret, quote(secret, safe=""), quote_plus(secret), encoded.rstrip("=")}


class _Keep(logging.Handler):
    def __init__(self, said: Said) -> None:
        super().__init__(logging.DEBUG)
        self._said = said
        self.setFormatter(logging.Formatter("%(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.threadName and record.threadName.startswith(PEER_THREADS):
            return
        try:
            text = self.format(record)
        except Exception as error:  # a record that cannot be formatted still counts
            text = f"{record.msg!r} {record.args!r} ({error!r})"
        extra = {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES}
        if extra:
            text += f" {extra!r}"
        self._said.lines.append(Line(record.levelno, record.name, text))


@contextmanager
def everything_said() -> Iterator[Said]:
    said = Said()
    keep = _Keep(said)
    root = logging.getLogger()
    loggers = [root] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    before = [(logger, logger.level, logger.disabled, logger.propagate) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        logger.propagate = True
    root.addHandler(keep)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield said
        said.lines += [Line(logging.WARNING, "py.warnings", str(w.message)) for w in caught]
    finally:
        root.removeHandler(keep)
        for logger, level, disabled, propagate in before:
            logger.setLevel(level)
            logger.disabled = disabled
            logger.propagate = propagate
