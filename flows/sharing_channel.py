"""The checking words over the channels: a lead's APPROVE and HIDE, an author's WITHDRAW
and NAME ME with a number, each done by the same flow function as the command line and
confirmed to the person who sent the word."""

from __future__ import annotations

from storage.checks import find_item, project_of
from storage.models import Project

from . import sharing, sharing_texts
from .context import Exchange
from .effects import LeadCheck, NameOne, Withdraw
from .outbound import Message


async def check_over_channel(exchange: Exchange, effect: LeadCheck | Withdraw | NameOne) -> None:
    session, person, now = exchange.session, exchange.contributor, exchange.now
    match effect:
        case LeadCheck(kind, number, None):
            checked = await sharing.approve(
                session, kind, number, now=now, by=person.id, actor=f"contributor:{person.id}"
            )
        case LeadCheck(kind, number, reason):
            checked = await sharing.hide(
                session,
                kind,
                number,
                reason or "",
                now=now,
                by=person.id,
                actor=f"contributor:{person.id}",
            )
        case Withdraw(kind, number):
            checked = await sharing.withdraw(session, kind, number, person, now)
            await exchange.reply(
                "withdrawn",
                lambda reader: Message(
                    sharing_texts.withdraw_reply(reader.t, checked, reader.when)
                ),
                project=checked.project,
            )
            return
        case NameOne(kind, number):
            await sharing.name_one(session, kind, number, person, now)
            item = await find_item(session, kind, number)
            project = await session.get(Project, await project_of(session, item))
            await exchange.reply(
                "named",
                lambda reader: Message(sharing_texts.named_one(reader.t, kind, number)),
                project=project,
            )
            return
    await exchange.reply(
        "checked",
        lambda reader: Message(
            sharing_texts.lead_confirmation(
                reader.t, checked, reader.when, code=checked.project.code
            )
        ),
        project=checked.project,
    )
