"""``coproduce serve``: HTTP, the dispatcher, the scheduler and the inbound SMTP listener in
one process, stopped cleanly by SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import Awaitable, Callable

import uvicorn

from channels.base import ChannelName, MalformedRequest
from channels.email import EmailChannel
from channels.telegram import TelegramChannel, to_inbound
from storage.db import transaction
from storage.outbox_reports import queued_on

from .app import create_app
from .log_guards import guard_library_logs
from .services import Services, build_services
from .settings import Settings
from .smtp_server import InboundMailHandler, start_smtp_listener
from .worker import run_worker

log = logging.getLogger(__name__)

# Libraries that log every request at INFO, with URLs that carry the Telegram bot token,
# and the database drivers, which log every statement (SQLAlchemy) and every call
# (aiosqlite) once the root logger is at DEBUG. Their lines are guarded too (log_guards.py),
# for an operator who turns one of them up on purpose.
_NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "telegram",
    "twilio",
    "aiohttp",
    "mail.log",
    "uvicorn.access",
    "aiosqlite",
    "sqlalchemy",
)


# How long a stop waits for open HTTP connections (a live inbox) before closing them.
GRACEFUL_SECONDS = 5


class StartupError(RuntimeError):
    """The service cannot start; the message says why in one line."""


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    guard_library_logs()


async def serve(settings: Settings, *, worker: bool = True) -> None:
    services = await build_services(settings)
    try:
        await _run(services, worker=worker)
    finally:
        await services.close()
        log.info("stopped")


async def work(settings: Settings) -> None:
    """``coproduce worker``: the dispatcher and the scheduler alone, no HTTP and no inbound
    email; stopped by SIGINT or SIGTERM after finishing the sends in flight."""
    services = await build_services(settings)
    try:
        await _start_channels(services)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, _stopper(sig, stop))
        try:
            log.info("coproduce worker %s is running", services.worker_id)
            await run_worker(services, stop)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
    finally:
        await services.close()
        log.info("stopped")


def _stopper(sig: signal.Signals, stop: asyncio.Event) -> Callable[[], None]:
    def on_signal() -> None:
        log.info("signal %s received; finishing what is in flight", sig.name)
        stop.set()

    return on_signal


async def _run(services: Services, *, worker: bool) -> None:
    settings = services.settings
    sock = _bind(settings.http_host, settings.http_port)
    await _start_channels(services)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    config = uvicorn.Config(
        create_app(services),
        log_config=None,
        access_log=False,
        lifespan="off",
        # A lead's open inbox is a stream that would hold a stop for minutes: close it.
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    server = uvicorn.Server(config)

    def on_signal(signum: int, _frame: object) -> None:
        log.info("signal %s received; stopping", signal.Signals(signum).name)
        server.should_exit = True
        loop.call_soon_threadsafe(stop.set)

    # uvicorn swaps in its own handlers while it serves and hands the signal back to these
    # when it has shut down, so a signal at any moment stops everything.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    tasks: list[asyncio.Task[None]] = []
    smtp_server: asyncio.Server | None = None
    try:
        tasks.append(asyncio.create_task(_serve_http(server, sock, stop), name="http"))
        if worker:
            tasks.append(asyncio.create_task(run_worker(services, stop), name="worker"))
        smtp_server = await _start_smtp(services)
        telegram = services.channels.get(ChannelName.TELEGRAM)
        if isinstance(telegram, TelegramChannel) and telegram.polling:
            tasks.append(asyncio.create_task(_poll_telegram(services, telegram, stop), name="poll"))
        log.info(
            "coproduce is running on http://%s:%s%s",
            settings.http_host,
            sock.getsockname()[1],
            "" if worker else " (no worker: HTTP and inbound only)",
        )
        await stop.wait()
    finally:
        stop.set()
        server.should_exit = True
        if smtp_server is not None:
            smtp_server.close()
            await smtp_server.wait_closed()
        await _finish(tasks)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


async def _serve_http(server: uvicorn.Server, sock: socket.socket, stop: asyncio.Event) -> None:
    try:
        await server.serve(sockets=[sock])
    finally:
        stop.set()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise StartupError(f"cannot listen on {host}:{port}: {error.strerror}") from error
    sock.set_inheritable(True)
    return sock


async def _start_channels(services: Services) -> None:
    for name in ChannelName:
        if name in services.off_reasons:
            log.info("channel %s is off: %s", name, services.off_reasons[name])
    await _say_what_waits_on_channels_off(services)
    for name, channel in services.channels.items():
        try:
            await channel.start()
        except Exception as error:
            # The provider may be down for now; sends retry, so start anyway and say so.
            log.warning(
                "channel %s is on but its first check failed: %s", name, type(error).__name__
            )
        else:
            log.info("channel %s is on", name)
    telegram = services.channels.get(ChannelName.TELEGRAM)
    if isinstance(telegram, TelegramChannel) and not telegram.webhook_enabled:
        if telegram.polling:
            log.info("telegram: polling for updates (development mode)")
        else:
            log.warning(
                "telegram: the webhook refuses every update until "
                "COPRODUCE_TELEGRAM_WEBHOOK_SECRET is set (or set COPRODUCE_TELEGRAM_POLLING=true)"
            )


async def _say_what_waits_on_channels_off(services: Services) -> None:
    """Messages queued before a channel's settings were removed would otherwise wait with
    nothing said; the worker fails them (see bot/claimed.py), and the operator should know
    how many before it does."""
    off = [name for name in ChannelName if name not in services.channels]
    async with transaction(services.sessions) as session:
        waiting = await queued_on(session, off)
    for name, count in waiting.items():
        log.warning(
            "channel %s is off, with %d queued %s on it: the worker fails such messages and "
            "sends each by the person's other channel where they have one (see coproduce outbox "
            "failed)",
            name,
            count,
            "message" if count == 1 else "messages",
        )


async def _start_smtp(services: Services) -> asyncio.Server | None:
    settings = services.settings
    if settings.inbound_smtp_port is None:
        log.info("inbound email is off: COPRODUCE_INBOUND_SMTP_PORT is not set")
        return None
    channel = services.channels.get(ChannelName.EMAIL)
    if not isinstance(channel, EmailChannel):
        log.warning(
            "inbound email is off: the email channel is off (%s)",
            services.off_reasons.get(ChannelName.EMAIL),
        )
        return None
    handler = InboundMailHandler(channel, services.inbound, services.clock)
    try:
        smtp = await start_smtp_listener(
            handler,
            settings.inbound_smtp_host,
            settings.inbound_smtp_port,
            settings.email_max_bytes,
        )
    except OSError as error:
        where = f"{settings.inbound_smtp_host}:{settings.inbound_smtp_port}"
        raise StartupError(f"cannot listen for email on {where}: {error.strerror}") from error
    log.info(
        "inbound email: listening on %s:%s", settings.inbound_smtp_host, settings.inbound_smtp_port
    )
    return smtp


async def _poll_telegram(services: Services, channel: TelegramChannel, stop: asyncio.Event) -> None:
    await _quietly(channel.stop_webhook(), "telegram: could not remove the webhook")
    offset: int | None = None
    while not stop.is_set():
        try:
            updates = await channel.fetch_updates(offset, wait_seconds=20)
        except Exception as error:
            log.warning("telegram: polling failed (%s); trying again", type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=5)
            continue
        for update in updates:
            offset = update.update_id + 1
            try:
                message = to_inbound(update)
            except MalformedRequest as error:
                log.info("telegram update %s: %s; ignored", update.update_id, error)
                continue
            if message is None:
                continue
            inbound_id = await services.inbound.accept(message)
            if inbound_id is not None:
                services.inbound.process_later(inbound_id, message)


async def _quietly(awaitable: Awaitable[object], what: str) -> None:
    try:
        await awaitable
    except Exception as error:
        log.warning("%s: %s", what, type(error).__name__)


async def _finish(tasks: list[asyncio.Task[None]]) -> None:
    done, pending = await asyncio.wait(tasks, timeout=10) if tasks else (set(), set())
    for task in pending:
        task.cancel()
    for task in (*done, *pending):
        with contextlib.suppress(asyncio.CancelledError):
            try:
                await task
            except Exception:
                log.exception("%s stopped with an error", task.get_name())
