"""A lead's own words to people, for every way a lead reaches us (the command line, the
workspace): found, checked that the actor leads the project, and passed to the flow, as in
:mod:`flows.lead_actions` (which grew too long to hold these too)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Project

from . import announcements
from .announcements import Announced, Audience
from .lead_actions import Actor, led_project


async def announce(
    session: AsyncSession, actor: Actor, code: str, to: Audience, text: str, *, now: datetime
) -> tuple[Project, Announced]:
    """The lead's words to a group of the project (all, joined, invited) or chosen members."""
    project = await led_project(session, actor, code)
    announced = await announcements.announce(
        session, project, to=to, text=text, now=now, actor=actor.label
    )
    return project, announced
