"""The leads' actions in one place (flows.lead_actions): whoever calls them (the command line,
the lead words, the workspace to come), a lead of another project, or a lead who left, is
refused with nothing changed, and what a lead does is audited under that lead."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from flows import lead_actions
from flows.lead_actions import Actor
from storage.audit import project_audit
from storage.checks import ItemKind
from storage.db import transaction
from storage.errors import InvalidInput, NotFound
from storage.memberships import join
from storage.models import (
    AuditEntry,
    Comment,
    CommentWindow,
    LeadKind,
    Meeting,
    Membership,
    ProjectLead,
    Question,
    ResponseStatus,
    Sharing,
)
from storage.projects import find_project
from tests.helpers import add_person, add_project
from tests.test_lead_words import ANN, LEAD, all_of, heard

OTHER = "9002"

ACTIONS = {
    "publish a brief": lambda s, a, n: lead_actions.publish_brief(
        s, a, "CARE1", text="Brief", summary=None, note=None, alt_formats={}, now=n
    ),
    "add a meeting": lambda s, a, n: lead_actions.add_meeting(
        s, a, "CARE1", starts="2027-01-12 18:00", minutes=60, place=None, window_days=7, now=n
    ),
    "open a window": lambda s, a, n: lead_actions.open_window(s, a, "CARE1", days=7, now=n),
    "ask the group": lambda s, a, n: lead_actions.ask_group(s, a, "CARE1", "Which day?", now=n),
    "answer a question": lambda s, a, n: lead_actions.answer_question(s, a, 1, "Yes.", now=n),
    "respond to a comment": lambda s, a, n: lead_actions.respond_to_comment(
        s, a, 1, ResponseStatus.ADOPTED, "We will.", now=n
    ),
    "approve a comment": lambda s, a, n: lead_actions.approve(s, a, ItemKind.COMMENT, 1, now=n),
    "hide a comment": lambda s, a, n: lead_actions.hide(s, a, ItemKind.COMMENT, 1, "No", now=n),
    "redact a comment": lambda s, a, n: lead_actions.redact(
        s, a, ItemKind.COMMENT, 1, "Edited", now=n
    ),
    "change sharing": lambda s, a, n: lead_actions.set_sharing(s, a, "CARE1", Sharing.OPEN, now=n),
    "invite members": lambda s, a, n: lead_actions.add_members(s, a, "CARE1", ["3"], now=n),
    "add a lead": lambda s, a, n: lead_actions.change_leads(
        s, a, "CARE1", "2", kind=LeadKind.CONTRIBUTOR, now=n
    ),
    "remove a lead": lambda s, a, n: lead_actions.change_leads(
        s, a, "CARE1", "1", kind=None, now=n
    ),
    "close the project": lambda s, a, n: lead_actions.close_project(
        s, a, "CARE1", review_on=date(2027, 6, 1), now=n
    ),
}


async def care1_with_a_comment_and_a_question(bot):  # type: ignore[no-untyped-def]
    """CARE1 (led by Lee) with comment 1 and question 1 from Ann; PARK2 led by Pat."""
    lee = await add_person(bot.sessions, "Lee", telegram=LEAD)
    ann = await add_person(bot.sessions, "Ann", phone=ANN)
    pat = await add_person(bot.sessions, "Pat", telegram=OTHER)
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[ann], sharing=Sharing.CHECKED)
    await add_project(bot.sessions, "PARK2", leads=[pat])
    async with transaction(bot.sessions) as session:
        project = await find_project(session, "CARE1")
        await join(session, project, ann.id, bot.clock.now(), "test")
    await lead_actions_as(bot, Actor("test"), "open a window")
    await bot.send_in("sms", ANN, "The buses are late.")
    await bot.send_in("sms", ANN, "QUESTION Who pays?")
    await bot.delivered()
    return lee, pat


async def lead_actions_as(bot, actor: Actor, name: str):  # type: ignore[no-untyped-def]
    async with transaction(bot.sessions) as session:
        return await ACTIONS[name](session, actor, bot.clock.now())


async def counts(bot) -> tuple[int, ...]:
    async with bot.sessions() as session:
        return tuple(
            [
                await session.scalar(select(func.count()).select_from(model))
                for model in (
                    AuditEntry,
                    Meeting,
                    CommentWindow,
                    Question,
                    Membership,
                    ProjectLead,
                )
            ]
        )


@pytest.mark.parametrize("name", sorted(ACTIONS))
async def test_a_lead_of_another_project_is_refused_and_nothing_changes(bot, name) -> None:
    _, pat = await care1_with_a_comment_and_a_question(bot)
    before = await counts(bot)
    [comment_before] = await all_of(bot, Comment)
    with pytest.raises((InvalidInput, NotFound)):
        await lead_actions_as(bot, Actor.lead(pat.id), name)
    assert await counts(bot) == before
    [comment] = await all_of(bot, Comment)
    assert (comment.check_state, comment.shared_text) == (
        comment_before.check_state,
        comment_before.shared_text,
    )
    assert await heard(bot) == {}


async def test_a_lead_who_left_the_project_may_not_act_for_it(bot) -> None:
    lee, _ = await care1_with_a_comment_and_a_question(bot)
    await bot.send_in("telegram", LEAD, "LEAVE CARE1")
    await bot.delivered()
    with pytest.raises(InvalidInput, match="contributor 1 is not a lead of CARE1"):
        await lead_actions_as(bot, Actor.lead(lee.id), "ask the group")


async def test_what_a_lead_does_is_audited_under_that_lead(bot) -> None:
    lee, _ = await care1_with_a_comment_and_a_question(bot)
    await lead_actions_as(bot, Actor.lead(lee.id), "approve a comment")
    await lead_actions_as(bot, Actor.lead(lee.id), "ask the group")
    await bot.delivered()
    async with bot.sessions() as session:
        project = await find_project(session, "CARE1")
        entries = await project_audit(session, project.id)
    assert [(e.action, e.actor) for e in entries][-2:] == [
        ("comment.approve", f"contributor:{lee.id}"),
        ("question.ask", f"contributor:{lee.id}"),
    ]
