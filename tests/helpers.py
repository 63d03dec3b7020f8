"""Small builders for tests: a clock the test moves, people, projects, provider payloads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from twilio.request_validator import RequestValidator

from channels.base import ChannelName
from storage.contributors import NewContributor, add_contributor
from storage.db import create_engine, transaction
from storage.migrate import upgrade
from storage.models import Contributor, LeadKind, Project, Sharing
from storage.projects import add_members, create_project
from storage.workers import hold_lease

if TYPE_CHECKING:
    from bot.services import Services

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class ManualClock:
    """A clock that only moves when the test moves it."""

    def __init__(self, start: datetime) -> None:
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now


async def add_person(
    sessions: async_sessionmaker[AsyncSession],
    name: str,
    *,
    email: str | None = None,
    phone: str | None = None,
    telegram: str | None = None,
    whatsapp: str | None = None,
    language: str | None = None,
    preferred: ChannelName | None = None,
    access_needs: tuple[str, ...] = (),
    now: datetime = START,
) -> Contributor:
    addresses: dict[ChannelName, str] = {}
    if email:
        addresses[ChannelName.EMAIL] = email
    if phone:
        addresses[ChannelName.SMS] = phone
    if telegram:
        addresses[ChannelName.TELEGRAM] = telegram
    if whatsapp:
        addresses[ChannelName.WHATSAPP] = whatsapp
    async with transaction(sessions) as session:
        return await add_contributor(
            session,
            NewContributor(
                name=name,
                addresses=addresses,
                language=language,
                preferred_channel=preferred,
                access_needs=access_needs,
            ),
            now,
        )


async def add_project(
    sessions: async_sessionmaker[AsyncSession],
    code: str,
    leads: list[Contributor],
    members: list[Contributor] = (),  # type: ignore[assignment]
    now: datetime = START,
    sharing: Sharing = Sharing.OPEN,
) -> Project:
    """A project led from the team; ``open`` sharing unless a test is about the leads'
    checks (the service's own default is ``checked``)."""
    async with transaction(sessions) as session:
        project = await create_project(
            session,
            code=code,
            title=f"Project {code}",
            leads=[(lead, LeadKind.STAFF) for lead in leads],
            now=now,
            sharing=sharing,
        )
        if members:
            await add_members(session, project, list(members), now)
        return project


async def upgrade_database(url: str) -> None:
    """What `coproduce db upgrade` does, for databases that are not upgraded on start."""
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    return RequestValidator(auth_token).compute_signature(url, params)


def telegram_update(update_id: int, chat_id: int, text: str, **extra: Any) -> dict[str, Any]:
    """An update as Telegram posts it for a private message."""
    update: dict[str, Any] = {
        "update_id": update_id,
        "message": {
            "message_id": update_id + 1000,
            "date": int(START.timestamp()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Sam"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Sam"},
            "text": text,
        },
    }
    update["message"].update(extra)
    return update


async def hold_worker_lease(services: Services) -> None:
    """Register the service's dispatcher as a live worker, as ``coproduce worker`` does, so
    a row it holds is not taken for one whose worker is gone."""
    async with transaction(services.sessions) as session:
        await hold_lease(
            session,
            worker_id=services.worker_id,
            host="test",
            pid=0,
            now=services.clock.now(),
            ttl=timedelta(days=3650),
            exclusive=False,
        )
