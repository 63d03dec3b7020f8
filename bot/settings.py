"""Application settings: ``COPRODUCE_*`` environment variables, and a ``.env`` file.

Each channel reads its own settings in its module (``channels/*.py``); these are the ones the
application itself needs. Nothing is required: with none set, ``coproduce serve`` runs on
SQLite at ./coproduce.db with every channel off.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import NonNegativeInt, PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

from storage.db import DEFAULT_DATABASE_URL


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COPRODUCE_", env_file=".env", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    # The base URL the outside world (Twilio) uses to reach us; it is what Twilio signs.
    # Emails carry a one-click unsubscribe link (RFC 8058) only when it is set.
    public_url: str | None = None
    # Who runs the projects ("Millbrook Council"): invitations and every email name it, unless
    # a project names its own (project create --organisation). Unset: nothing is said.
    organisation: str | None = None
    inbound_smtp_host: str = "127.0.0.1"
    inbound_smtp_port: int | None = None
    email_max_bytes: int = 10 * 1024 * 1024
    # A webhook body larger than this is refused with 413 before it is read to the end.
    max_request_bytes: PositiveInt = 1024 * 1024
    # More messages than this in a minute from one address are kept but not answered (0: no
    # limit), so a loop with another robot dies out.
    sender_rate: NonNegativeInt = 20
    default_language: str = "en"
    default_region: str = "GB"
    log_level: str = "INFO"
    dispatch_concurrency: int = 10
    poll_seconds: float = 1.0
    # How long a message whose sends keep failing for passing reasons is tried, from the
    # moment it was queued.
    retry_for: timedelta = timedelta(hours=24)
    # Rate limits (0: none). Telegram's are overall and per chat; Twilio's counts segments.
    telegram_rate: float = 30.0
    telegram_chat_rate: float = 1.0
    twilio_mps: float = 10.0
    # WhatsApp messages a second through Twilio (no segments: one message is one).
    twilio_whatsapp_mps: float = 10.0
    smtp_rate: float = 20.0
    # Days the words of settled messages are kept (inbound, and sent or delivered outbound);
    # None keeps them. Comments, questions and answers are kept whatever this says.
    retention_days: PositiveInt | None = None
    # How long a lead stays signed in to the web workspace.
    session_hours: PositiveInt = 8
