"""``coproduce project add-lead | remove-lead``: a project's leads change after it began, and
the lead words over the channels follow at once."""

from __future__ import annotations

from sqlalchemy import select

from channels.base import ChannelName
from storage.models import AuditEntry, Membership, MembershipStatus, ProjectLead, Question
from tests.helpers import add_person, add_project
from tests.test_data_rights import cli

TELEGRAM = ChannelName.TELEGRAM
LEE, JO, MO = "9001", "7001", "7002"
ASK = "ASK CARE1 Which evening suits you?"


async def care1(bot):  # type: ignore[no-untyped-def]
    """CARE1, led by Lee; Jo is a member who joined; Mo is not in it."""
    lee = await add_person(bot.sessions, "Lee", telegram=LEE)
    jo = await add_person(bot.sessions, "Jo", telegram=JO)
    mo = await add_person(bot.sessions, "Mo", telegram=MO)
    await add_project(bot.sessions, "CARE1", leads=[lee], members=[jo])
    await bot.send_in(TELEGRAM, JO, "JOIN CARE1")
    await bot.delivered()
    return lee, jo, mo


async def rows(bot, model, *where):  # type: ignore[no-untyped-def]
    async with bot.sessions() as session:
        return (await session.scalars(select(model).where(*where))).all()


async def test_a_new_joint_lead_may_ask_the_group_at_once(bot, database_url) -> None:
    _, jo, _ = await care1(bot)
    await bot.send_in(TELEGRAM, JO, ASK)
    [refused] = await bot.delivered()
    assert refused.body == "Only the leads of CARE1 can do that. Nothing has changed."

    result = await cli(database_url, "project", "add-lead", "CARE1", str(jo.id), "--joint")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"Contributor {jo.id} is now a joint lead of CARE1."
    assert result.stderr == ""  # Lee from the team and Jo from the contributors: two leads
    await bot.send_in(TELEGRAM, JO, ASK)
    await bot.delivered()
    [question] = await rows(bot, Question)
    assert question.text == "Which evening suits you?"
    [entry] = await rows(bot, AuditEntry, AuditEntry.action == "project.add_lead")
    assert entry.details == {"contributor_id": jo.id, "kind": "contributor"}


async def test_someone_not_in_the_project_made_a_lead_joins_it(bot, database_url) -> None:
    _, _, mo = await care1(bot)
    result = await cli(database_url, "project", "add-lead", "CARE1", str(mo.id))
    assert result.exit_code == 0, result.output
    assert "Note: co-production needs two leads" in result.stderr  # two from the team
    [member] = await rows(bot, Membership, Membership.contributor_id == mo.id)
    assert member.status == MembershipStatus.JOINED
    again = await cli(database_url, "project", "add-lead", "CARE1", str(mo.id))
    assert (again.exit_code, again.stderr.strip()) == (
        1,
        f"Error: contributor {mo.id} already leads CARE1",
    )


async def test_a_lead_who_steps_down_keeps_a_members_words_only(bot, database_url) -> None:
    lee, jo, _ = await care1(bot)
    await cli(database_url, "project", "add-lead", "CARE1", str(jo.id), "--joint")
    result = await cli(database_url, "project", "remove-lead", "CARE1", str(lee.id))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"Contributor {lee.id} no longer leads CARE1; they stay a member unless they leave."
    )
    assert "Note: co-production needs two leads" in result.stderr
    await bot.send_in(TELEGRAM, LEE, ASK)
    [refused] = await bot.delivered()
    assert refused.body == "Only the leads of CARE1 can do that. Nothing has changed."
    assert await rows(bot, Question) == []
    assert [lead.contributor_id for lead in await rows(bot, ProjectLead)] == [jo.id]
    [member] = await rows(bot, Membership, Membership.contributor_id == lee.id)
    assert member.status == MembershipStatus.JOINED


async def test_the_last_lead_and_someone_who_is_not_a_lead_cannot_be_removed(
    bot, database_url
) -> None:
    lee, jo, _ = await care1(bot)
    last = await cli(database_url, "project", "remove-lead", "CARE1", str(lee.id))
    assert (last.exit_code, last.stderr.strip()) == (
        1,
        f"Error: contributor {lee.id} is the only lead of CARE1; add another lead first",
    )
    not_one = await cli(database_url, "project", "remove-lead", "CARE1", str(jo.id))
    assert (not_one.exit_code, not_one.stderr.strip()) == (
        1,
        f"Error: contributor {jo.id} is not a lead of CARE1",
    )
    assert [lead.contributor_id for lead in await rows(bot, ProjectLead)] == [lee.id]
    assert await rows(bot, AuditEntry, AuditEntry.action == "project.remove_lead") == []
