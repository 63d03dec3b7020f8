"""Wiring: the parts of a running service, built from settings and handed to whoever needs
them. There is no global app, session or bot; tests build their own with other channels."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from channels import CHANNELS, Channel, ChannelName
from flows.jobs import JOB_HANDLERS, JobHandler
from storage.db import create_engine, is_sqlite, session_factory
from storage.migrate import prepare

from .clock import Clock, SystemClock
from .dispatcher import Dispatcher
from .inbound import InboundService
from .pacing import Pace, Pacer
from .scheduler import Scheduler
from .settings import Settings

log = logging.getLogger(__name__)

INBOUND_LANES_POSTGRESQL = 4


@dataclass
class Services:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    clock: Clock
    channels: dict[ChannelName, Channel]
    off_reasons: dict[ChannelName, str]
    inbound: InboundService
    dispatcher: Dispatcher
    scheduler: Scheduler
    # Who this process is in the workers' leases and in the claims it makes.
    worker_id: str
    # What /healthz asks. On SQLite a reader of its own, so that a long write (a broadcast to
    # many members) holding the one writing connection does not make the service look down.
    health_engine: AsyncEngine

    async def close(self) -> None:
        await self.inbound.drain()
        for channel in self.channels.values():
            try:
                await channel.close()
            except Exception:
                log.exception("closing the %s channel failed", channel.name)
        await self.engine.dispose()
        if self.health_engine is not self.engine:
            await self.health_engine.dispose()


def configured_channels() -> tuple[dict[ChannelName, Channel], dict[ChannelName, str]]:
    """Every channel whose settings are complete, and for the others the reason they are off."""
    channels: dict[ChannelName, Channel] = {}
    off: dict[ChannelName, str] = {}
    for channel_class, settings_class in CHANNELS:
        settings = settings_class()
        reason = settings.off_reason()
        if reason:
            off[channel_class.name] = reason
        else:
            channels[channel_class.name] = channel_class(settings)  # type: ignore[arg-type]
    return channels, off


def pacer_for(settings: Settings) -> Pacer:
    return Pacer(
        {
            ChannelName.TELEGRAM: Pace(settings.telegram_rate, settings.telegram_chat_rate),
            ChannelName.SMS: Pace(settings.twilio_mps),
            ChannelName.WHATSAPP: Pace(settings.twilio_whatsapp_mps),
            ChannelName.EMAIL: Pace(settings.smtp_rate),
        }
    )


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    channels: Mapping[ChannelName, Channel] | None = None,
    off_reasons: Mapping[ChannelName, str] | None = None,
    job_handlers: Mapping[str, JobHandler] | None = None,
) -> Services:
    """Open the database (upgrading SQLite), and assemble the service around it."""
    clock = clock or SystemClock()
    if channels is None:
        found, off = configured_channels()
    else:
        found, off = dict(channels), dict(off_reasons or {})
    engine = create_engine(settings.database_url)
    try:
        await prepare(engine)
    except BaseException:
        await engine.dispose()
        raise
    sessions = session_factory(engine)
    worker_id = new_worker_id()
    dispatcher = Dispatcher(
        sessions,
        found,
        clock,
        worker_id=worker_id,
        concurrency=settings.dispatch_concurrency,
        poll_seconds=settings.poll_seconds,
        retry_for=settings.retry_for,
        pacer=pacer_for(settings),
        organisation=settings.organisation,
        public_url=settings.public_url,
    )
    inbound = InboundService(
        sessions,
        clock,
        settings.default_language,
        on_outbox=dispatcher.wake,
        # SQLite takes one writer at a time; PostgreSQL lets senders' flows run side by side.
        lanes=1 if is_sqlite(engine) else INBOUND_LANES_POSTGRESQL,
        sender_rate=settings.sender_rate,
    )
    scheduler = Scheduler(
        sessions,
        clock,
        JOB_HANDLERS if job_handlers is None else job_handlers,
        worker_id=worker_id,
        on_outbox=dispatcher.wake,
    )
    health_engine = engine
    if is_sqlite(engine):
        health_engine = create_engine(settings.database_url, reader=True, pool_size=1)
    return Services(
        settings=settings,
        engine=engine,
        health_engine=health_engine,
        sessions=sessions,
        clock=clock,
        channels=found,
        off_reasons=off,
        inbound=inbound,
        dispatcher=dispatcher,
        scheduler=scheduler,
        worker_id=worker_id,
    )
