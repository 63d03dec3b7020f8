"""Lead words over the channels that are confirmed to whoever sent them: a lead's RESPOND,
APPROVE and HIDE (through :mod:`flows.lead_actions`, as from the command line), and an
author's WITHDRAW and NAME ME with a number."""

from __future__ import annotations

from storage.models import ResponseStatus

from . import lead_actions, sharing, sharing_texts
from .context import Exchange
from .effects import LeadCheck, NameOne, Withdraw
from .lead_actions import Actor
from .outbound import Message
from .responses import confirmation_text


async def respond_over_channel(
    exchange: Exchange, comment_id: int, status: ResponseStatus, reason: str | None
) -> None:
    """A lead's RESPOND: stored and passed on as from the CLI, then confirmed to the lead."""
    project, comment, told = await lead_actions.respond_to_comment(
        exchange.session,
        Actor.lead(exchange.contributor.id),
        comment_id,
        status,
        reason,
        now=exchange.now,
    )
    await exchange.reply(
        "responded",
        lambda reader: Message(confirmation_text(reader.t, project, comment, told)),
        project=project,
    )


async def check_over_channel(exchange: Exchange, effect: LeadCheck | Withdraw | NameOne) -> None:
    session, person, now = exchange.session, exchange.contributor, exchange.now
    lead = Actor.lead(person.id)
    match effect:
        case LeadCheck(kind, number, None):
            checked = await lead_actions.approve(
                session, Actor.lead(person.id), kind, number, now=now
            )
        case LeadCheck(kind, number, reason):
            checked = await lead_actions.hide(session, lead, kind, number, reason or "", now=now)
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
            project = await sharing.name_one(session, kind, number, person, now)
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
