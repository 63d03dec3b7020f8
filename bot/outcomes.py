"""Writing send outcomes with group commit: outcomes that arrive while one transaction is
being written wait and go together in the next.

A busy dispatcher finishes dozens of sends at nearly the same moment. Each outcome in its
own transaction costs a commit (on SQLite, an fsync and the one write lock) per message;
together they cost one. Each caller still waits for its own outcome to be committed, so
nothing is reported done before it is stored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import transaction
from storage.outbox import clear_contact_point_failures, mark_many_sent

log = logging.getLogger(__name__)

Write = Callable[[AsyncSession], Awaitable[bool]]


@dataclass(frozen=True)
class Sent:
    """The commonest outcome, written for a whole batch in one statement."""

    outbox_id: int
    provider_id: str
    at: datetime
    # An address whose earlier failures this send proves wrong (see ContactPoint.failures).
    clear_failures_of: int | None = None


class OutcomeWriter:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], worker_id: str) -> None:
        self._sessions = sessions
        self._worker_id = worker_id
        self._waiting: list[tuple[Write | Sent, asyncio.Future[bool]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, write: Write | Sent) -> bool:
        """Record an outcome in a transaction shared with whatever else is waiting; returns
        the write's answer (True for ``Sent``) once that transaction has committed."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._waiting.append((write, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_all())
        return await done

    async def _write_all(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                async with transaction(self._sessions) as session:
                    answers = await self._apply(session, [write for write, _ in batch])
            except Exception as error:
                if len(batch) == 1:
                    _settle(batch[0][1], error=error)
                    continue
                # One write that fails must not take the others with it: each alone.
                log.warning(
                    "%d outcomes could not be written together (%r); one by one", len(batch), error
                )
                for one in batch:
                    await self._write_alone(*one)
                continue
            for (_, done), answer in zip(batch, answers, strict=True):
                _settle(done, answer)

    async def _apply(self, session: AsyncSession, writes: list[Write | Sent]) -> list[bool]:
        sent = [write for write in writes if isinstance(write, Sent)]
        await mark_many_sent(
            session, self._worker_id, [(s.outbox_id, s.provider_id, s.at) for s in sent]
        )
        for point_id in {s.clear_failures_of for s in sent if s.clear_failures_of}:
            await clear_contact_point_failures(session, point_id)
        return [True if isinstance(w, Sent) else await w(session) for w in writes]

    async def _write_alone(self, write: Write | Sent, done: asyncio.Future[bool]) -> None:
        try:
            async with transaction(self._sessions) as session:
                [answer] = await self._apply(session, [write])
        except Exception as error:
            _settle(done, error=error)
        else:
            _settle(done, answer)


def _settle(
    done: asyncio.Future[bool], answer: bool = False, error: Exception | None = None
) -> None:
    if done.done():  # the caller stopped waiting
        return
    if error is not None:
        done.set_exception(error)
    else:
        done.set_result(answer)
