"""The words of checking before sharing, decided from the situation (pure, like
:mod:`flows.commands`): a lead's APPROVE and HIDE, an author's WITHDRAW and NAME ME with a
number. Each returns None when the words turn out to be someone's own text ("Approve of the
plan, but..." from someone who leads nothing is a comment)."""

from __future__ import annotations

from storage.checks import ItemKind

from . import sharing_texts
from .effects import Effect, LeadCheck, NameOne, Reply, Withdraw
from .i18n import Translator
from .keywords import Command
from .situation import ItemView, Situation


def _leads_something(situation: Situation) -> bool:
    return any(p.is_lead for p in situation.projects)


def _lead_check(situation: Situation, t: Translator, command: Command) -> list[Effect] | None:
    reference = situation.reference
    if not _leads_something(situation):
        return None
    if reference is None or reference.number is None:
        return [Reply("check-how", sharing_texts.check_how(t))]
    item = situation.item
    if item is None:
        return [
            Reply("no-such-item", sharing_texts.no_such_item(t, reference.kind, reference.typed))
        ]
    project = situation.project(item.project_id)
    if project is None or not project.is_lead:
        # Told as if it did not exist: numbers of other projects give nothing away.
        return [
            Reply("no-such-item", sharing_texts.no_such_item(t, reference.kind, reference.typed))
        ]
    if command == Command.APPROVE:
        return [LeadCheck(item.kind, item.id)]
    if not reference.rest:
        return [Reply("check-how", sharing_texts.hide_needs_reason(t))]
    return [LeadCheck(item.kind, item.id, reference.rest)]


def approve_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    return _lead_check(situation, t, Command.APPROVE)


def hide_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    return _lead_check(situation, t, Command.HIDE)


def _own_item(situation: Situation, t: Translator) -> ItemView | list[Effect] | None:
    reference = situation.reference
    if reference is None or reference.number is None:
        return None
    item = situation.item
    if item is None or item.author_id != situation.sender.contributor_id:
        return [Reply("not-yours", sharing_texts.not_yours(t))]
    return item


def withdraw_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    found = _own_item(situation, t)
    if found is None:
        if not rest:
            return [Reply("check-how", sharing_texts.withdraw_how(t))]
        return None  # "Withdraw the cuts!" is their comment
    if isinstance(found, list):
        return found
    return [Withdraw(found.kind, found.id)]


def name_me_command(situation: Situation, rest: str, t: Translator) -> list[Effect] | None:
    """NAME ME alone: from now on. NAME ME 3: that one comment (or question) too."""
    if not rest or situation.named is not None:
        return None  # the ordinary NAME ME, from now on
    found = _own_item(situation, t)
    if found is None:
        return None
    if isinstance(found, list):
        return found
    if found.kind == ItemKind.REPLY:
        return [Reply("not-yours", sharing_texts.not_yours(t))]
    return [NameOne(found.kind, found.id)]
